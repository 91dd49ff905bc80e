/**
 * Clean-up that keeps the local file small: idle conversations are forgotten after
 * SESSION_TTL_HOURS and delivered messages (the stored transcripts) after a number of days, with the
 * web chat's Idempotency-Keys of that age (a retry could no longer get their replies). Messages still
 * waiting for delivery are never pruned.
 */
import type { Outbox, RequestKeys, SessionStore } from '../../../core/ports.js';

export interface CleanupJobDeps {
  sessions: SessionStore;
  outbox: Outbox;
  sessionTtlHours: number;
  /** Delivered messages older than this are deleted. */
  transcriptDays: number;
  requestKeys?: Pick<RequestKeys, 'forgetOlderThan'>;
}

export async function cleanUp(
  now: Date,
  deps: CleanupJobDeps,
): Promise<{ idleSessions: number; oldMessages: number; oldRequestKeys?: number }> {
  const idleSessions = await deps.sessions.deleteIdle(new Date(now.getTime() - deps.sessionTtlHours * 3_600_000));
  const transcriptCutoff = new Date(now.getTime() - deps.transcriptDays * 86_400_000);
  const oldMessages = await deps.outbox.deleteOlderThan(transcriptCutoff);
  if (!deps.requestKeys) return { idleSessions, oldMessages };
  return { idleSessions, oldMessages, oldRequestKeys: await deps.requestKeys.forgetOlderThan(transcriptCutoff) };
}
