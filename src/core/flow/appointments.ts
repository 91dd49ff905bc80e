/**
 * Appointment look-ups and changes the flow needs in several steps.
 */
import type { Appointment } from '../domain.js';
import { clinicDate, clinicWallClock, startsAfter } from '../slots.js';
import type { FlowState } from '../session.js';
import { appointmentLine } from './describe.js';
import type { Step, Turn } from './turn.js';

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

/** Whether the appointment is confirmed and has not started yet at the turn's instant (it can still be changed). */
export function isStillAhead(turn: Turn, appointment: Appointment): boolean {
  return (
    appointment.status === 'CONFIRMED' &&
    startsAfter({ date: appointment.date, start: appointment.time }, clinicWallClock(turn.now, turn.settings.clinic.timezone))
  );
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
    // Released first, then the payment link closed, so the link's "cancelled" event finds no hold.
    if (appointment.paymentLink) await turn.deps.payments?.cancelPaymentLink(id);
  }
}

/**
 * Gives back every slot this chat holds, before it holds another: the current booking's, and any left
 * by a turn that placed a hold and was then lost (a crash before the conversation was saved). A chat
 * books one appointment at a time, so without this the patient's own lost hold would keep them from
 * the time they chose again.
 */
export async function releaseChatHolds(turn: Turn): Promise<void> {
  const { store, payments } = turn.deps;
  delete turn.session.draft.appointmentId;
  const held = await store.listAppointments({ conversation: { channel: turn.inbound.channel, chatId: turn.inbound.chatId }, statuses: ['HELD'] });
  for (const appointment of held) {
    await store.updateAppointment(appointment.id, { status: 'EXPIRED', holdExpiresAt: null }, turn.now);
    if (appointment.paymentLink) await payments?.cancelPaymentLink(appointment.id);
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

/**
 * A step that asks which of the patient's upcoming appointments a task is about, then moves to `next`
 * with it as the session's target. With none, it says `noneText` and returns to the main menu.
 */
export function appointmentChoiceStep(options: {
  question: string;
  noneText: string;
  next: FlowState;
  /** Go straight on when there is only one appointment to choose. */
  skipWhenOnlyOne?: boolean;
}): Step {
  return {
    async enter(turn) {
      const upcoming = await upcomingAppointments(turn);
      if (upcoming.length === 0) {
        turn.text(options.noneText);
        return turn.backToMainMenu();
      }
      if (upcoming.length === 1 && options.skipWhenOnlyOne) {
        turn.session.targetAppointmentId = upcoming[0]!.id;
        return turn.replaceWith(options.next);
      }
      turn.menu(options.question, upcoming.map((a) => ({ id: a.id, label: appointmentLine(a) })));
    },
    async handle(turn) {
      const option = await turn.chosenOption();
      if (!option) return;
      turn.session.targetAppointmentId = option.id;
      await turn.goTo(options.next);
    },
  };
}
