/**
 * The daily agenda: at AGENDA_TIME (clinic time) every admin chat gets today's appointments per
 * doctor, with payment state and whether the patient confirmed. Once per date: the alert's dedupe key
 * is the date, so a restart later that day (also one after missing AGENDA_TIME) sends it only if it
 * has not gone out yet.
 */
import type { Appointment, PaymentStatus } from '../../../core/domain.js';
import { formatMoney } from '../../../core/flow/describe.js';
import type { AdminAlerts, ClinicInfo, ClinicStore } from '../../../core/ports.js';
import { clinicDate, clinicWallClock, formatDate, formatTime } from '../../../core/slots.js';

export interface AgendaJobDeps {
  store: ClinicStore;
  alerts: AdminAlerts;
  clinic: ClinicInfo;
  /** Clinic-local `HH:mm` (AGENDA_TIME); before it, the run does nothing. */
  agendaTime: string;
}

const PAYMENT_TEXT: Record<PaymentStatus, string> = {
  PAY_AT_CLINIC: 'pay at clinic',
  PENDING: 'payment pending',
  PAID: 'paid online',
  REFUND_DUE: 'refund due',
  REFUNDED: 'refunded',
};

function agendaLine(appointment: Appointment, currency: string): string {
  const parts = [
    formatTime(appointment.time),
    appointment.patient.name,
    appointment.id,
    `${formatMoney(appointment.fee, currency)} ${appointment.paymentStatus ? PAYMENT_TEXT[appointment.paymentStatus] : 'payment not chosen'}`,
  ];
  if (appointment.status !== 'CONFIRMED') parts.push(appointment.status === 'COMPLETED' ? 'done' : 'no-show');
  else if (appointment.patientConfirmedAt) parts.push('✓ patient confirmed');
  return `  ${parts.join(' · ')}`;
}

/** The agenda text of one clinic-local date. */
export function agendaText(date: string, appointments: Appointment[], currency: string): string {
  const heading = `📋 Agenda for ${formatDate(date)}`;
  if (appointments.length === 0) return `${heading}: no appointments booked.`;
  const byDoctor = new Map<string, Appointment[]>();
  for (const appointment of [...appointments].sort((a, b) => a.time.localeCompare(b.time) || a.id.localeCompare(b.id))) {
    const list = byDoctor.get(appointment.doctorName) ?? [];
    list.push(appointment);
    byDoctor.set(appointment.doctorName, list);
  }
  const lines = [`${heading}: ${appointments.length} ${appointments.length === 1 ? 'appointment' : 'appointments'}`];
  for (const [doctorName, list] of [...byDoctor.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push('', `${doctorName} (${list.length})`, ...list.map((a) => agendaLine(a, currency)));
  }
  return lines.join('\n');
}

/** Sends today's agenda once it is AGENDA_TIME; returns the date it covered, or undefined before then. */
export async function sendDailyAgenda(now: Date, deps: AgendaJobDeps): Promise<{ date: string; appointments: number } | undefined> {
  const { store, alerts, clinic, agendaTime } = deps;
  const date = clinicDate(now, clinic.timezone);
  if (clinicWallClock(now, clinic.timezone) < `${date}T${agendaTime}`) return undefined;
  const appointments = await store.listAppointments({ statuses: ['CONFIRMED', 'COMPLETED', 'NO_SHOW'], fromDate: date, toDate: date });
  await alerts.alert(agendaText(date, appointments, clinic.currency), { dedupeKey: `agenda:${date}` });
  return { date, appointments: appointments.length };
}
