/**
 * Periodic clean-up that keeps the data honest without anyone watching: lapsed holds become EXPIRED
 * (so staff see the slot free in the data too), idle conversations are forgotten after
 * SESSION_TTL_HOURS, and old web chat transcripts are deleted.
 */
import type { Clock, ClinicStore, Outbox, SessionStore } from '../core/ports.js';
import type { Logger } from '../logging.js';

export interface HousekeepingOptions {
  store: ClinicStore;
  sessions: SessionStore;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  sessionTtlHours: number;
  /** Delivered messages (the stored conversations) older than this are deleted. */
  transcriptDays: number;
}

/** Runs one round of clean-up; returns what it did. */
export async function runHousekeeping(options: HousekeepingOptions): Promise<{ expiredHolds: number; idleSessions: number; oldMessages: number }> {
  const now = options.clock.now();
  const expired = await options.store.expireHolds(now);
  const idleSessions = await options.sessions.deleteIdle(new Date(now.getTime() - options.sessionTtlHours * 3_600_000));
  const oldMessages = await options.outbox.deleteOlderThan(new Date(now.getTime() - options.transcriptDays * 86_400_000));
  return { expiredHolds: expired.length, idleSessions, oldMessages };
}

/** Starts clean-up now and every `intervalMs`; the returned function stops it after the round in progress. */
export function startHousekeeping(options: HousekeepingOptions, intervalMs = 60_000): () => Promise<void> {
  let current: Promise<void> = Promise.resolve();
  const round = () => {
    current = runHousekeeping(options).then(
      (done) => {
        if (done.expiredHolds + done.idleSessions + done.oldMessages > 0) options.logger.info(done, 'housekeeping');
      },
      (error: unknown) => options.logger.error({ err: error }, 'housekeeping failed; will retry'),
    );
  };
  round();
  const timer = setInterval(round, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
