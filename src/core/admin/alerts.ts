/**
 * The one-line alerts admin chats get about bookings, written so they never carry a phone number:
 * appointment id, doctor, date and time, and only the patient's first name.
 */
import type { Appointment } from '../domain.js';
import { appointmentWhen } from '../flow/describe.js';

function firstName(appointment: Appointment): string {
  return appointment.patient.name.trim().split(/\s+/)[0] ?? '';
}

function summary(appointment: Appointment): string {
  return `${appointment.id} · ${appointment.doctorName} · ${appointmentWhen(appointment)} · ${firstName(appointment)}`;
}

/** Alert for a booking just confirmed, and the key that makes it go out once. */
export function bookingConfirmedAlert(appointment: Appointment): { text: string; dedupeKey: string } {
  return { text: `🆕 New booking: ${summary(appointment)}`, dedupeKey: `alert:booked:${appointment.id}` };
}

/** Alert for an appointment the patient cancelled, and the key that makes it go out once. */
export function patientCancelledAlert(appointment: Appointment): { text: string; dedupeKey: string } {
  return { text: `❌ Cancelled by the patient: ${summary(appointment)}`, dedupeKey: `alert:patient-cancelled:${appointment.id}` };
}

/**
 * Alert for a paid appointment that was cancelled (by the patient, or `where` it was, e.g. "in the
 * sheet"): the fee is to be refunded.
 */
export function refundDueAlert(appointment: Appointment, where?: string): { text: string; dedupeKey: string } {
  const payment = appointment.paymentId ? ` (payment ${appointment.paymentId})` : '';
  return {
    text: `💸 Refund due: ${summary(appointment)} cancelled${where ? ` ${where}` : ''} after paying online${payment}. Send /refunds for the list.`,
    dedupeKey: `alert:refund-due:${appointment.id}`,
  };
}

/** Alert for an appointment the patient moved from `before` to its new time, and the key for that move. */
export function patientMovedAlert(before: Appointment, moved: Appointment): { text: string; dedupeKey: string } {
  return {
    text: `🔁 Moved by the patient: ${moved.id} · ${moved.doctorName} · ${appointmentWhen(before)} → ${appointmentWhen(moved)} · ${firstName(moved)}`,
    dedupeKey: `alert:moved:${moved.id}:${moved.date}T${moved.time}:${moved.rescheduledAt ?? ''}`,
  };
}
