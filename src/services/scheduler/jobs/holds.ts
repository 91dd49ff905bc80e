/**
 * The hold-expiry sweep: holds whose time ran out become EXPIRED (so staff see the slot free in the
 * data too), and each patient is told once that the time is no longer kept for them.
 */
import type { Appointment } from '../../../core/domain.js';
import { appointmentWhen } from '../../../core/flow/describe.js';
import type { CoreLogger } from '../../../core/flow/turn.js';
import type { ClinicStore, Notifier } from '../../../core/ports.js';

export interface HoldJobDeps {
  store: ClinicStore;
  notifier: Notifier;
  logger: CoreLogger;
}

export function holdLapsedText(appointment: Appointment): string {
  return (
    `Your hold on ${appointment.doctorName}, ${appointmentWhen(appointment)} has ended, so that time is free for others again. ` +
    'To book, choose "Book an appointment" in the menu.'
  );
}

/** Expires lapsed holds and tells their patients; returns how many expired. */
export async function expireLapsedHolds(now: Date, deps: HoldJobDeps): Promise<{ expired: number }> {
  const expired = await deps.store.expireHolds(now);
  for (const appointment of expired) {
    try {
      await deps.notifier.send(appointment.conversation, [{ kind: 'text', text: holdLapsedText(appointment) }], {
        dedupeKey: `hold-lapsed:${appointment.id}`,
      });
    } catch (error) {
      deps.logger.error({ err: error, appointmentId: appointment.id }, 'patient could not be told that their hold lapsed');
    }
  }
  return { expired: expired.length };
}
