/**
 * Appointment look-ups and changes the flow needs in several steps.
 */
import type { Appointment } from '../domain.js';
import { clinicDate, clinicWallClock, startsAfter } from '../slots.js';
import type { Turn } from './turn.js';

/** The patient's confirmed appointments that have not started yet, soonest first. */
export async function upcomingAppointments(turn: Turn): Promise<Appointment[]> {
  const { store, settings } = turn.deps;
  const appointments = await store.listAppointments({
    conversation: { channel: turn.inbound.channel, chatId: turn.inbound.chatId },
    statuses: ['CONFIRMED'],
    fromDate: clinicDate(turn.now, settings.clinic.timezone),
  });
  const wallClock = clinicWallClock(turn.now, settings.clinic.timezone);
  return appointments
    .filter((a) => startsAfter({ date: a.date, start: a.time }, wallClock))
    .sort((a, b) => a.date.localeCompare(b.date) || a.time.localeCompare(b.time));
}

/** An appointment of this chat (never someone else's, whatever id a stale button carries). */
export async function ownAppointment(turn: Turn, id: string | undefined): Promise<Appointment | undefined> {
  if (!id) return undefined;
  const appointment = await turn.deps.store.getAppointment(id);
  const ref = appointment?.conversation;
  return ref && ref.channel === turn.inbound.channel && ref.chatId === turn.inbound.chatId ? appointment : undefined;
}

/**
 * Gives back the slot held by the current booking, if any, so an abandoned booking frees its place at
 * once instead of after HOLD_MINUTES.
 */
export async function releaseHold(turn: Turn): Promise<void> {
  const id = turn.session.draft.appointmentId;
  if (!id) return;
  delete turn.session.draft.appointmentId;
  const appointment = await turn.deps.store.getAppointment(id);
  if (appointment?.status === 'HELD') {
    await turn.deps.store.updateAppointment(id, { status: 'EXPIRED', holdExpiresAt: null }, turn.now);
  }
}

/**
 * The patient's most recent booking from this chat (or, where the platform tells us the phone, from
 * that phone), to offer their details again.
 */
export async function lastBooking(turn: Turn): Promise<Appointment | undefined> {
  const { store } = turn.deps;
  const byChat = await store.listAppointments({ conversation: { channel: turn.inbound.channel, chatId: turn.inbound.chatId } });
  if (byChat[0]) return byChat[0];
  return turn.inbound.phone ? (await store.listAppointments({ phone: turn.inbound.phone }))[0] : undefined;
}
