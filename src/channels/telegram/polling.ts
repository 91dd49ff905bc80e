/**
 * Long polling with getUpdates. An update is confirmed to Telegram (by asking for the next offset)
 * only after it and every earlier one were handled, so a crash never loses one; handled ones are
 * recognised on redelivery. One slow update (a file being fetched, a voice note being heard) does not
 * hold up the others: after a short wait the poller asks again from the oldest update still being
 * handled, takes only what is new, and leaves the slow one unconfirmed until it is done.
 *
 * Telegram allows one poller per bot token. When another process polls with the same token, Telegram
 * answers one of them 409 Conflict. A poller that has not yet received anything stops at once and
 * says why; one that was already running keeps its place for a few conflicts (the newcomer is the one
 * that then stops). Either way exactly one process keeps polling, instead of the two fighting. The one
 * that stepped aside looks again every minute and resumes once the other has gone.
 */
import type { Telegram } from 'telegraf';
import type { Update } from 'telegraf/types';
import { EngineClosedError } from '../../core/engine.js';
import type { Logger } from '../../logging.js';
import { describeTelegramError, isTelegramError } from './errors.js';
import { waitOrAbort } from '../../core/waitOrAbort.js';

/** Updates the service acts on; everything else is never fetched. */
export const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** Why polling stopped by itself, in words an operator can act on. */
export type PollingStop =
  | { reason: 'conflict'; message: string }
  | { reason: 'unauthorized'; message: string };

export interface PollerOptions {
  telegram: Telegram;
  logger: Logger;
  /** Which bot, for logs ("telegram", "telegram admin"). */
  name: string;
  handle: (update: Update) => Promise<void>;
  /** Seconds Telegram holds a getUpdates open while there is nothing new. */
  timeoutSeconds?: number;
  /** How long a poller that stepped aside waits before looking again whether the other one has gone. */
  conflictRecheckMs?: number;
  /** How long to wait for a batch's updates before fetching more beside a slow one (default 1 s). */
  busyRecheckMs?: number;
}

/** Conflicts in a row a running poller sits out before it gives up its place. */
const CONFLICTS_TOLERATED = 3;
const MAX_BACKOFF_MS = 30_000;
const CONFLICT_RECHECK_MS = 60_000;
const BUSY_RECHECK_MS = 1_000;

export class UpdatePoller {
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  /** The next update id never started. */
  private offset = 0;
  /** Updates being handled, by id: none at or after the oldest of them is confirmed yet. */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Set when the engine refused an update because it is closing: nothing more may be confirmed. */
  private closing = false;
  private stopped: PollingStop | undefined;

  constructor(private readonly options: PollerOptions) {}

  /** Why polling is stopped by itself right now, if it is. */
  get stoppedBy(): PollingStop | undefined {
    return this.stopped;
  }

  start(): void {
    this.running ??= this.loop().catch((error: unknown) => {
      this.options.logger.error({ err: error, bot: this.options.name }, 'Telegram polling failed');
    });
  }

  /** Stops polling; the request in flight is abandoned and the updates being handled finish. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    const finished = await this.poll();
    // The updates being handled finish (the engine refuses what comes after it closed).
    await Promise.allSettled(this.inFlight.values());
    // Not while stepping aside: that call would interrupt the other poller.
    if (finished === 'stopped' && this.offset > 0 && !this.stopped && !this.closing) {
      // Confirms the updates handled last, so a restart does not receive them again.
      await this.options.telegram.callApi('getUpdates', { offset: this.offset, limit: 1, timeout: 0 }).catch(() => undefined);
    }
  }

  /** Where the next getUpdates starts: at the oldest update still being handled, else after the newest. */
  private confirmedUpTo(): number {
    return this.inFlight.size > 0 ? Math.min(...this.inFlight.keys()) : this.offset;
  }

  /** Starts handling the updates not seen before; one that is still being handled comes back as it is. */
  private startNew(updates: readonly Update[]): void {
    for (const update of updates) {
      const id = update.update_id;
      if (id < this.offset) continue;
      this.offset = id + 1;
      const handled = this.options.handle(update).then(
        () => void this.inFlight.delete(id),
        (error: unknown) => {
          // Kept in flight, so neither this update nor any later one is confirmed before the restart.
          if (error instanceof EngineClosedError) this.closing = true;
          else this.inFlight.delete(id);
        },
      );
      this.inFlight.set(id, handled);
    }
  }

  private async poll(): Promise<'stopped' | 'gave-up' | 'shutting-down'> {
    // 'gave-up' only for a refused token; a conflict waits and looks again.
    const { telegram, logger, name } = this.options;
    const signal = this.abort.signal;
    let established = false;
    let conflicts = 0;
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      // Beside a slow update Telegram answers at once (it is unconfirmed), so no long wait is asked for.
      const busy = this.inFlight.size > 0;
      try {
        updates = (await telegram.callApi(
          'getUpdates',
          { offset: this.confirmedUpTo(), timeout: busy ? 0 : (this.options.timeoutSeconds ?? 30), allowed_updates: [...ALLOWED_UPDATES] },
          { signal: signal as never },
        )) as Update[];
      } catch (error) {
        if (signal.aborted) return 'stopped';
        if (isTelegramError(error, 409)) {
          conflicts += 1;
          if (!established || conflicts > CONFLICTS_TOLERATED || /webhook/i.test(error.description)) {
            this.giveUp({
              reason: 'conflict',
              message: /webhook/i.test(error.description)
                ? 'a webhook was set for this bot by another process; polling stopped'
                : 'another process is polling with this bot token; polling stopped (run one instance, or set TELEGRAM_WEBHOOK_URL)',
            });
            // Looks again now and then: when the other process has gone (a deployment that started
            // the new process before stopping the old one), polling resumes by itself.
            await waitOrAbort(this.options.conflictRecheckMs ?? CONFLICT_RECHECK_MS, signal);
            established = false;
            conflicts = 0;
            continue;
          }
          continue;
        }
        if (isTelegramError(error, 401) || isTelegramError(error, 404)) {
          this.giveUp({ reason: 'unauthorized', message: 'Telegram no longer accepts the bot token; polling stopped (check the token with @BotFather)' });
          return 'gave-up';
        }
        failures += 1;
        const retryAfter = isTelegramError(error, 429) ? error.parameters?.retry_after : undefined;
        const delay = retryAfter !== undefined ? retryAfter * 1000 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
        logger.warn({ bot: name, reason: describeTelegramError(error), retryInMs: delay }, 'getUpdates failed; retrying');
        await waitOrAbort(delay, signal);
        continue;
      }
      if (this.stopped?.reason === 'conflict') {
        logger.warn({ bot: name }, `Telegram ${name}: the other poller has gone; polling resumed`);
        this.stopped = undefined;
      }
      established = true;
      conflicts = 0;
      failures = 0;
      // Handled in arrival order per chat (the handler queues them), chats in parallel.
      this.startNew(updates);
      if (this.inFlight.size > 0) {
        // Usually all are done well within the wait, and the next call confirms them.
        const wait = new AbortController();
        const stop = () => wait.abort();
        signal.addEventListener('abort', stop, { once: true });
        await Promise.race([Promise.allSettled(this.inFlight.values()), waitOrAbort(this.options.busyRecheckMs ?? BUSY_RECHECK_MS, wait.signal)]);
        wait.abort();
        signal.removeEventListener('abort', stop);
      }
      // Shutting down: leave these updates unconfirmed so they arrive again after the restart.
      if (this.closing) return 'shutting-down';
    }
    return 'stopped';
  }

  private giveUp(stop: PollingStop): void {
    const repeated = this.stopped?.message === stop.message;
    this.stopped = stop;
    if (!repeated) this.options.logger.error({ bot: this.options.name }, `Telegram ${this.options.name}: ${stop.message}`);
  }
}
