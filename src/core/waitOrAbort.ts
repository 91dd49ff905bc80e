/**
 * The one way the service waits between tries (delivery retries, polling backoff, reconnects,
 * pacing): a timer that ends early, without an error, when shutdown aborts it.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`, or less when `signal` aborts first; never rejects because of the abort. */
export async function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch((error: unknown) => {
    if (!signal.aborted) throw error;
  });
}
