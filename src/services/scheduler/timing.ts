/**
 * Which reminder of an appointment is due at a given moment (its start comes from the core's slot
 * rules). Pure functions, so the rules are tested without any clock.
 */
import type { Appointment } from '../../core/domain.js';
import { appointmentStart } from '../../core/slots.js';

/** "24h", "2h", "90m", as recorded in remindersSent and shown at start-up. */
export function offsetLabel(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/**
 * The reminder offset (minutes before the start) to send at `now`, or undefined when none is due:
 *
 * - the due offset is the smallest one whose time has passed, so after downtime only the latest
 *   reminder goes out and never a stale one (no "24 hours before" an hour before);
 * - not when the appointment has started;
 * - not when that reminder's time came before the appointment was confirmed or moved to this time
 *   (booked 20 hours ahead: no 24h reminder, only the 2h one; a time held 25 hours ahead and paid
 *   for 23 hours ahead: the same);
 * - not when it was already sent for this date and time.
 */
export function dueReminderOffset(
  appointment: Pick<Appointment, 'id' | 'date' | 'time' | 'createdAt' | 'confirmedAt' | 'rescheduledAt' | 'remindersSent'>,
  now: Date,
  offsetsMinutes: readonly number[],
  timezone: string,
): number | undefined {
  const start = appointmentStart(appointment, timezone).getTime();
  const at = now.getTime();
  if (start <= at) return undefined;
  const passed = offsetsMinutes.filter((offset) => start - offset * 60_000 <= at);
  if (passed.length === 0) return undefined;
  const due = Math.min(...passed);
  const armedAt = Math.max(
    ...[appointment.createdAt, appointment.confirmedAt, appointment.rescheduledAt].map((instant) => (instant ? Date.parse(instant) : 0)),
  );
  if (start - due * 60_000 < armedAt) return undefined;
  return appointment.remindersSent.includes(offsetLabel(due)) ? undefined : due;
}
