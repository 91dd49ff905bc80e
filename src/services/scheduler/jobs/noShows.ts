/**
 * Past appointments nobody marked done become NO_SHOW once a grace period after their start has
 * passed. Only CONFIRMED ones: an admin's /done (or staff setting COMPLETED) always wins.
 */
import type { CoreLogger } from '../../../core/flow/turn.js';
import type { ClinicStore } from '../../../core/ports.js';
import { appointmentStart, clinicDate } from '../../../core/slots.js';

export interface NoShowJobDeps {
  store: ClinicStore;
  timezone: string;
  /** Minutes after the start (NO_SHOW_GRACE_MINUTES). */
  graceMinutes: number;
  logger: CoreLogger;
}

/** Returns the ids marked NO_SHOW by this run. */
export async function markNoShows(now: Date, deps: NoShowJobDeps): Promise<{ marked: string[] }> {
  const { store, timezone, graceMinutes, logger } = deps;
  const candidates = await store.listAppointments({ statuses: ['CONFIRMED'], toDate: clinicDate(now, timezone) });
  const marked: string[] = [];
  for (const listed of candidates) {
    try {
      if (appointmentStart(listed, timezone).getTime() + graceMinutes * 60_000 > now.getTime()) continue;
      // Read again just before writing, so a /done that came in meanwhile is not overwritten.
      const current = await store.getAppointment(listed.id);
      if (current?.status !== 'CONFIRMED' || current.date !== listed.date || current.time !== listed.time) continue;
      await store.updateAppointment(listed.id, { status: 'NO_SHOW' }, now);
      marked.push(listed.id);
    } catch (error) {
      logger.error({ err: error, appointmentId: listed.id }, 'appointment could not be marked as a no-show');
    }
  }
  if (marked.length > 0) logger.info({ count: marked.length }, 'appointments marked as no-shows');
  return { marked };
}
