/**
 * Delivers one channel's outbox: strictly in order within a chat, chats in parallel. Transient
 * failures (network, 5xx, 429) are retried with capped exponential backoff, honouring the platform's
 * retry_after; permanent ones (bot blocked, chat not found) mark the entry undeliverable, are logged
 * with the chat masked and reported to the admins. Everything it needs is in the outbox, so after a
 * restart it carries on where it stopped.
 *
 * Guarantee: a message is sent at least once and, but for one case, exactly once: a crash between the
 * platform's OK and the "sent" mark can repeat that one message after the restart.
 */
import {
  PermanentDeliveryError,
  toOutbound,
  TransientDeliveryError,
  type ChannelTransport,
  type DocumentFiles,
  type OutboxEntry,
} from '../../core/delivery.js';
import type { Clock, Outbox } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { waitOrAbort } from '../../core/waitOrAbort.js';

export interface OutboxSenderOptions {
  outbox: Outbox;
  transport: ChannelTransport;
  files: DocumentFiles;
  clock: Clock;
  logger: Logger;
  /** Told once per entry that can never be delivered (shown to admins). */
  onUndeliverable?: (entry: OutboxEntry, reason: string) => void | Promise<void>;
  /** Chats delivered to at the same time. */
  concurrency?: number;
  /** First retry delay; doubles per attempt up to {@link maxBackoffMs}. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often the outbox is checked without a wake-up (entries written by another process). */
  pollIntervalMs?: number;
  /** Waits between retries; tests inject one that does not sleep. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
}


export class OutboxSender {
  private readonly active = new Map<string, Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly idleWaiters = new Set<() => void>();
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private poller: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: OutboxSenderOptions) {}

  get channel() {
    return this.options.transport.channel;
  }

  /** Starts delivering what is pending and whatever is pushed later. */
  start(): void {
    this.unsubscribe = this.options.outbox.onPush((channel) => {
      if (channel === this.channel) this.wake();
    });
    this.poller = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 5_000);
    this.poller.unref();
    this.wake();
  }

  /** Looks for pending entries now. */
  wake(): void {
    if (this.stopping.signal.aborted) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.wake();
      } else {
        this.settleIfIdle();
      }
    });
  }

  /** Resolves once nothing is pending or in flight (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.pumping || this.active.size > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
        continue;
      }
      if ((await this.options.outbox.pendingHeads(this.channel, 1)).length === 0 || this.stopping.signal.aborted) return;
      this.wake();
    }
  }

  /** Stops after the attempts in flight; pending entries stay for the next start. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.unsubscribe?.();
    if (this.poller) clearInterval(this.poller);
    await this.pumping;
    await Promise.allSettled([...this.active.values()]);
    this.settleIfIdle();
  }

  private async pump(): Promise<void> {
    const concurrency = this.options.concurrency ?? 16;
    const free = concurrency - this.active.size;
    if (free <= 0) return;
    // Ask for more heads than free places: some chats are already being drained.
    const heads = await this.options.outbox.pendingHeads(this.channel, concurrency * 2);
    for (const head of heads) {
      if (this.active.size >= concurrency) break;
      const chatId = head.route.chatId;
      if (this.active.has(chatId)) continue;
      const task = this.drainChat(chatId)
        .catch((error: unknown) => this.options.logger.error({ err: error, channel: this.channel, chatId }, 'delivery loop failed; will retry'))
        .finally(() => {
          this.active.delete(chatId);
          this.wake();
        });
      this.active.set(chatId, task);
    }
  }

  /** Delivers one chat's pending entries in order until none is left or the sender stops. */
  private async drainChat(chatId: string): Promise<void> {
    const { outbox } = this.options;
    for (;;) {
      if (this.stopping.signal.aborted) return;
      const next = await outbox.nextPending({ channel: this.channel, chatId });
      if (!next) return;
      await this.deliverWithRetries(next);
    }
  }

  private async deliverWithRetries(entry: OutboxEntry): Promise<void> {
    const { outbox, transport, files, clock, logger } = this.options;
    for (let attempt = entry.attempts + 1; ; attempt += 1) {
      if (this.stopping.signal.aborted) return;
      try {
        await transport.deliver(entry.route.chatId, await toOutbound(entry.message, files));
        await outbox.markSent(entry.id, clock.now());
        return;
      } catch (error) {
        if (error instanceof PermanentDeliveryError) {
          await outbox.markUndeliverable(entry.id, error.reason, clock.now());
          logger.warn({ channel: this.channel, chatId: entry.route.chatId, entry: entry.id, reason: error.reason }, 'message undeliverable');
          await this.reportUndeliverable(entry, error.reason);
          return;
        }
        const reason = error instanceof TransientDeliveryError ? error.reason : error instanceof Error ? error.message : String(error);
        const delay = this.backoff(attempt, error instanceof TransientDeliveryError ? error.retryAfterMs : undefined);
        await outbox.markAttemptFailed(entry.id, reason, clock.now());
        logger.info({ channel: this.channel, chatId: entry.route.chatId, entry: entry.id, attempt, retryInMs: delay, reason }, 'delivery failed; will retry');
        await (this.options.wait ?? waitOrAbort)(delay, this.stopping.signal);
      }
    }
  }

  private backoff(attempt: number, retryAfterMs: number | undefined): number {
    const base = this.options.baseBackoffMs ?? 1_000;
    const max = this.options.maxBackoffMs ?? 5 * 60_000;
    const exponential = Math.min(max, base * 2 ** Math.min(attempt - 1, 20));
    return retryAfterMs !== undefined ? Math.min(Math.max(retryAfterMs, 0), max * 4) : exponential;
  }

  private async reportUndeliverable(entry: OutboxEntry, reason: string): Promise<void> {
    try {
      await this.options.onUndeliverable?.(entry, reason);
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not report an undeliverable message');
    }
  }

  private settleIfIdle(): void {
    if (this.pumping || this.active.size > 0) return;
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters.clear();
  }
}
