/**
 * Clean-up that keeps the local file small: idle conversations are forgotten after
 * SESSION_TTL_HOURS and delivered messages (the stored transcripts) after a number of days. Messages
 * still waiting for delivery are never pruned.
 */
import type { Outbox, SessionStore } from '../../../core/ports.js';

export interface CleanupJobDeps {
  sessions: SessionStore;
  outbox: Outbox;
  sessionTtlHours: number;
  /** Delivered messages older than this are deleted. */
  transcriptDays: number;
}

export async function cleanUp(now: Date, deps: CleanupJobDeps): Promise<{ idleSessions: number; oldMessages: number }> {
  const idleSessions = await deps.sessions.deleteIdle(new Date(now.getTime() - deps.sessionTtlHours * 3_600_000));
  const oldMessages = await deps.outbox.deleteOlderThan(new Date(now.getTime() - deps.transcriptDays * 86_400_000));
  return { idleSessions, oldMessages };
}
