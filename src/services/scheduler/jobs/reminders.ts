/**
 * The reminder job: for every confirmed appointment ahead, sends the reminder that is due (see
 * {@link dueReminderOffset}) on the patient's own channel, with Confirm, Reschedule and Cancel.
 *
 * At most once per appointment, time and offset, whatever happens: the push carries a dedupe key that
 * the outbox claims in the same transaction as it stores the message, so two racing runs (or a run
 * after a restart) cannot both send it. The offset is also recorded in the appointment's remindersSent
 * for staff to see. One patient's failure is logged and the run carries on with the others.
 */
import type { Appointment } from '../../../core/domain.js';
import { appointmentReminder, reminderDuringTask, sessionAfterReminder } from '../../../core/flow/appointmentActions.js';
import type { CoreLogger } from '../../../core/flow/turn.js';
import type { ConversationRef } from '../../../core/messages.js';
import type { ClinicInfo, ClinicStore, Notifier, SessionStore } from '../../../core/ports.js';
import { clinicDate } from '../../../core/slots.js';
import { dueReminderOffset, offsetLabel } from '../timing.js';

/** Runs work for one chat while none of its messages is being handled (the conversation engine). */
export interface ConversationLock {
  withConversation<T>(ref: ConversationRef, task: () => Promise<T>): Promise<T>;
}

/** What the reminder job needs. */
export interface ReminderJobDeps {
  store: ClinicStore;
  notifier: Notifier;
  /** The chat's session is pointed at the reminder, so a typed "1" answers it. */
  sessions: SessionStore;
  conversations: ConversationLock;
  clinic: ClinicInfo;
  /** Minutes before the start (REMINDER_OFFSETS). */
  offsetsMinutes: readonly number[];
  sessionTtlHours: number;
  logger: CoreLogger;
}

/** What one run did. */
export interface ReminderRun {
  /** Reminders stored for delivery by this run. */
  sent: number;
  /** Appointments whose reminder could not be handled (logged; tried again next run). */
  failed: number;
}

/** The dedupe key of one reminder: the date and time make a moved appointment's reminders new ones. */
export function reminderDedupeKey(appointment: Pick<Appointment, 'id' | 'date' | 'time'>, offsetMinutes: number): string {
  return `reminder:${appointment.id}:${appointment.date}T${appointment.time}:${offsetMinutes}`;
}

export async function sendDueReminders(now: Date, deps: ReminderJobDeps): Promise<ReminderRun> {
  const { store, clinic, offsetsMinutes, logger } = deps;
  if (offsetsMinutes.length === 0) return { sent: 0, failed: 0 };
  const horizonDays = Math.ceil(Math.max(...offsetsMinutes) / 1440) + 1;
  const candidates = await store.listAppointments({
    statuses: ['CONFIRMED'],
    fromDate: clinicDate(now, clinic.timezone),
    toDate: clinicDate(now, clinic.timezone, horizonDays),
  });
  const run: ReminderRun = { sent: 0, failed: 0 };
  for (const appointment of candidates) {
    try {
      const offset = dueReminderOffset(appointment, now, offsetsMinutes, clinic.timezone);
      if (offset !== undefined && (await sendReminder(appointment, offset, now, deps))) run.sent += 1;
    } catch (error) {
      run.failed += 1;
      logger.error({ err: error, appointmentId: appointment.id }, 'reminder could not be sent; will retry on the next run');
    }
  }
  return run;
}

/** Sends one reminder; false when it had already gone out or the appointment changed meanwhile. */
async function sendReminder(listed: Appointment, offset: number, now: Date, deps: ReminderJobDeps): Promise<boolean> {
  const { store, notifier, sessions, conversations, clinic, sessionTtlHours, logger } = deps;
  const ref = listed.conversation;
  // Under the chat's lock a reschedule or cancellation by the patient cannot interleave with the send.
  return conversations.withConversation(ref, async () => {
    const appointment = await store.getAppointment(listed.id);
    if (!appointment || appointment.status !== 'CONFIRMED' || appointment.date !== listed.date || appointment.time !== listed.time) {
      return false;
    }
    // A chat in the middle of a task keeps it; the reminder is then worded not to be answered by its menu.
    const next = sessionAfterReminder(await sessions.load(ref), appointment, now, sessionTtlHours);
    const reminder = next ? appointmentReminder(appointment, clinic) : reminderDuringTask(appointment, clinic, ref.channel);
    const pushed = await notifier.send(ref, [reminder], { dedupeKey: reminderDedupeKey(appointment, offset) });
    if (pushed) {
      if (next) await sessions.save(ref, next);
      logger.info({ appointmentId: appointment.id, channel: ref.channel, offset: offsetLabel(offset) }, 'reminder queued');
    }
    // Recorded also when another run pushed it first, so the record heals after a crash between the two.
    const label = offsetLabel(offset);
    if (!appointment.remindersSent.includes(label)) {
      await store.updateAppointment(appointment.id, { remindersSent: [...appointment.remindersSent, label] }, now);
    }
    return pushed;
  });
}
