/**
 * Spaces sends out across every chat: WhatsApp blocks numbers that send in bursts. Callers take a turn
 * in arrival order; each turn starts at least one interval after the previous one.
 */
import { waitOrAbort } from '../../core/waitOrAbort.js';

/** Time for the pacer; tests inject one that advances without sleeping. */
export interface PaceTimer {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  wait(ms: number, signal: AbortSignal): Promise<void>;
}

export const realPaceTimer: PaceTimer = { now: () => performance.now(), wait: waitOrAbort };

export class SendPacer {
  private readonly intervalMs: number;
  private nextAt = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    messagesPerSecond: number,
    private readonly timer: PaceTimer = realPaceTimer,
  ) {
    if (!(messagesPerSecond > 0)) throw new RangeError('messagesPerSecond must be positive');
    this.intervalMs = 1000 / messagesPerSecond;
  }

  /** Resolves when the caller may send; turns are handed out in the order they were asked for. */
  take(signal: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
      const now = this.timer.now();
      const at = Math.max(now, this.nextAt);
      this.nextAt = at + this.intervalMs;
      if (at > now) await this.timer.wait(at - now, signal);
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
