/**
 * The daily agenda: at AGENDA_TIME (clinic time) every admin chat gets today's appointments per
 * doctor, with payment state and whether the patient confirmed. Once per date: the alert's dedupe key
 * is the date, so a restart later that day (also one after missing AGENDA_TIME) sends it only if it
 * has not gone out yet. A chat it could not reach (Telegram does not know a chat until its admin has
 * opened the bot) gets it, as it stands then, once that chat first writes: {@link sendMissedAgenda}.
 */
import type { Appointment, PaymentStatus } from '../../../core/domain.js';
import { formatMoney } from '../../../core/flow/describe.js';
import type { DeliveryChannel } from '../../../core/delivery.js';
import type { AdminAlerts, ClinicInfo, ClinicStore, Outbox } from '../../../core/ports.js';
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

function agendaHeading(date: string): string {
  return `📋 Agenda for ${formatDate(date)}`;
}

/** The agenda text of one clinic-local date. */
export function agendaText(date: string, appointments: Appointment[], currency: string): string {
  const heading = agendaHeading(date);
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
  const appointments = await agendaOf(date, store);
  await alerts.alert(agendaText(date, appointments, clinic.currency), { dedupeKey: `agenda:${date}` });
  return { date, appointments: appointments.length };
}

function agendaOf(date: string, store: ClinicStore): Promise<Appointment[]> {
  return store.listAppointments({ statuses: ['CONFIRMED', 'COMPLETED', 'NO_SHOW'], fromDate: date, toDate: date });
}

/** What {@link sendMissedAgenda} needs beyond the daily run's. */
export interface MissedAgendaDeps extends Omit<AgendaJobDeps, 'agendaTime'> {
  /** Where messages that could not be delivered are listed. */
  outbox: Pick<Outbox, 'listUndeliverable'>;
  /** The channel admin chats are reached on (the admin bot, or the patient bot without one). */
  channel: DeliveryChannel;
}

/**
 * Undeliverable messages looked through, newest first, for today's agenda: far more than fail in a
 * clinic's day.
 */
const UNDELIVERABLE_LOOKBACK = 500;

/**
 * Sends today's agenda to one admin chat if the one sent at AGENDA_TIME ended undeliverable there
 * (the admin had not opened the bot yet, so Telegram did not know the chat). Made afresh from the
 * store, through the same admin alerts (so with ADMIN_PASSWORD a chat not logged in gets it at its
 * /login), and at most once per chat and date. Resolves whether the day's agenda had missed the chat.
 */
export async function sendMissedAgenda(chatId: string, now: Date, deps: MissedAgendaDeps): Promise<boolean> {
  const { store, alerts, clinic, outbox, channel } = deps;
  const date = clinicDate(now, clinic.timezone);
  const heading = `${agendaHeading(date)}:`;
  const undeliverable = await outbox.listUndeliverable(UNDELIVERABLE_LOOKBACK);
  const missed = undeliverable.some(
    (entry) =>
      entry.route.channel === channel &&
      entry.route.chatId === chatId &&
      entry.author === 'bot' &&
      entry.message.kind === 'text' &&
      entry.message.text.startsWith(heading),
  );
  if (!missed) return false;
  const appointments = await agendaOf(date, store);
  await alerts.alertChat(chatId, agendaText(date, appointments, clinic.currency), { dedupeKey: `agenda:${date}:missed` });
  return true;
}
