/**
 * How appointments, doctors and money read in messages to patients.
 */
import type { Appointment, Doctor, Gender } from '../domain.js';
import type { ClinicInfo } from '../ports.js';
import { formatDate, formatTime } from '../slots.js';

export const GENDER_LABELS: Record<Gender, string> = {
  MALE: 'Male',
  FEMALE: 'Female',
  OTHER: 'Other',
  UNDISCLOSED: 'Prefer not to say',
};

/** "₹500" (no paise shown for whole amounts). */
export function formatMoney(amount: number, currency: string): string {
  const whole = Number.isInteger(amount);
  const key = `${currency} ${whole}`;
  let format = moneyFormats.get(key);
  if (!format) {
    // Building a formatter loads locale data (tens of microseconds); menus format a fee per doctor.
    format = new Intl.NumberFormat('en-IN', { style: 'currency', currency, minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 });
    moneyFormats.set(key, format);
  }
  return format.format(amount);
}

/** Formatters by currency and whether the amount is whole; a clinic uses one currency. */
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** A fee as patients read it: "₹500", or "no fee" for a free visit. */
export function feeText(fee: number, currency: string): string {
  return fee > 0 ? formatMoney(fee, currency) : 'no fee';
}

/** "Dr. Asha Verma · General Physician · ₹500". */
export function doctorLabel(doctor: Doctor, currency: string): string {
  return `${doctor.name} · ${doctor.specialty} · ${feeText(doctor.fee, currency)}`;
}

/** "Sat, 21 Nov 2026 at 10:30 AM". */
export function appointmentWhen(appointment: Pick<Appointment, 'date' | 'time'>): string {
  return `${formatDate(appointment.date)} at ${formatTime(appointment.time)}`;
}

/** One line per appointment in lists. */
export function appointmentLine(appointment: Appointment): string {
  return `${appointmentWhen(appointment)} · ${appointment.doctorName} · ${appointment.id}`;
}

function paymentText(appointment: Appointment, currency: string): string {
  if (appointment.fee <= 0) return 'no fee';
  const fee = formatMoney(appointment.fee, currency);
  switch (appointment.paymentStatus) {
    case 'PAID':
      return `${fee}, paid online`;
    case 'PENDING':
      return `${fee}, payment pending`;
    default:
      return `${fee}, to be paid at the clinic`;
  }
}

/** The message that tells a patient their appointment is booked. */
export function confirmationText(appointment: Appointment, clinic: ClinicInfo): string {
  const { patient } = appointment;
  return [
    '✅ Appointment confirmed',
    `ID: ${appointment.id}`,
    `Patient: ${patient.name} (${patient.age}, ${GENDER_LABELS[patient.gender]})`,
    `Doctor: ${appointment.doctorName}`,
    `When: ${appointmentWhen(appointment)}`,
    `Fee: ${paymentText(appointment, clinic.currency)}`,
    `Where: ${clinic.name}, ${clinic.address}`,
    'Please arrive 10 minutes early. To cancel, choose "Cancel an appointment" in the menu.',
  ].join('\n');
}
