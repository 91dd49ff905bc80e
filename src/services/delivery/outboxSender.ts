/**
 * Delivers one channel's outbox: strictly in order within a chat, chats in parallel. Transient
 * failures (network, 5xx, 429) are retried with capped exponential backoff, honouring the platform's
 * retry_after; permanent ones (bot blocked, chat not found) mark the entry undeliverable, are logged
 * with the chat masked and reported to the admins. Everything it needs is in the outbox, so after a
 * restart it carries on where it stopped.
 *
 * Guarantee: a message is sent at least once and, but for one case, exactly once: a crash between the
 * platform's OK and the "sent" mark can repeat the messages whose mark was not yet written. A mark is
 * queued in memory the moment the platform accepts a message, and the queued marks of all chats are
 * written together in one transaction, {@link OutboxSenderOptions.markDelayMs} later or at the end of
 * the event-loop turn when a delivery waits for it. A chat's next message waits for the mark of its
 * previous one, and no message goes out while `concurrency` messages are in flight or unmarked, so
 * that window is one batch: at most one message per chat and at most `concurrency` in all. Reading a
 * chat's next entries does not wait for the write: it skips the entries whose mark is queued.
 *
 * Cost per message: the sender keeps in memory which chats have something to send (every push names
 * its chat) and drains such a chat from a few of its entries read at once; the whole channel is looked
 * through only at start, on the periodic poll (entries written by another process) and while more
 * chats wait than one look returned.
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
  /** How long "sent" marks no delivery waits for are collected before they are written together. */
  markDelayMs?: number;
}

/** Entries of one chat read per query while draining it. */
const CHAT_BATCH = 20;

/** How long a clean shutdown lets replies already stored go out before it stops delivering. */
export const SHUTDOWN_DELIVERY_GRACE_MS = 3_000;

export class OutboxSender {
  private readonly active = new Map<string, Promise<void>>();
  /**
   * Chats that may have pending entries the sender has not read yet: named by a push, or found by a
   * look through the channel. A chat being drained is added again when pushed to meanwhile.
   */
  private readonly dirty = new Set<string>();
  /** Whether the whole channel must be looked through (start, poll, a partial look). */
  private rescan = true;
  private readonly stopping = new AbortController();
  private readonly idleWaiters = new Set<() => void>();
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private poller: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  /** Accepted by the platform, not yet marked sent in the outbox. */
  private marks: { id: number; at: Date; chatId: string }[] = [];
  /** Per chat, the highest entry whose mark is queued or being written; reads of the chat start after it. */
  private readonly unwritten = new Map<string, number>();
  private markTimer: NodeJS.Timeout | undefined;
  /** The write at the end of this event-loop turn that a delivery waits for, once one asked. */
  private markSoon: Promise<void> | undefined;
  /** Deliveries under way (sent or about to be, not yet marked). */
  private delivering = 0;
  /** The latest write of marks; a write waits for the one in progress, so writes never overlap. */
  private markWrite: Promise<void> = Promise.resolve();
  private markWrites = 0;

  constructor(private readonly options: OutboxSenderOptions) {}

  get channel() {
    return this.options.transport.channel;
  }

  private get concurrency(): number {
    return this.options.concurrency ?? 16;
  }

  /** Starts delivering what is pending and whatever is pushed later. */
  start(): void {
    this.unsubscribe = this.options.outbox.onPush((channel, chatId) => {
      if (channel !== this.channel) return;
      this.dirty.add(chatId);
      this.pumpSoon();
    });
    this.poller = setInterval(() => this.wake(), this.options.pollIntervalMs ?? 5_000);
    this.poller.unref();
    this.wake();
  }

  /** Looks for pending entries now (e.g. once the platform is reachable again). */
  wake(): void {
    this.rescan = true;
    this.pumpSoon();
  }

  /** Starts draining the chats known to have pending entries, as many as there are free places. */
  private pumpSoon(): void {
    if (this.stopping.signal.aborted) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.pumpSoon();
      } else {
        this.settleIfIdle();
      }
    });
  }

  /** Resolves once nothing is pending or in flight and every "sent" mark is written (tests, shutdown). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.pumping || this.active.size > 0) {
        await new Promise<void>((resolve) => this.idleWaiters.add(resolve));
        continue;
      }
      const aborted = this.stopping.signal.aborted;
      if (!aborted && this.dirty.size > 0) {
        this.pumpSoon();
        continue;
      }
      await this.flushMarks();
      if (aborted || (await this.options.outbox.pendingHeads(this.channel, 1)).length === 0) return;
      this.wake();
    }
  }

  /**
   * A clean shutdown: gives what is pending up to `graceMs` to go out (a platform that is down does
   * not hold the shutdown longer), then {@link stop}s.
   */
  async stopWithin(graceMs: number): Promise<void> {
    await this.drainWithin(graceMs);
    await this.stop();
  }

  /** Waits until nothing is pending, or `graceMs` at most; delivery carries on either way. */
  async drainWithin(graceMs: number): Promise<void> {
    const graceOver = new AbortController();
    await Promise.race([this.idle(), (this.options.wait ?? waitOrAbort)(graceMs, graceOver.signal)]);
    graceOver.abort();
  }

  /** Stops after the attempts in flight and writes their marks; pending entries stay for the next start. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.unsubscribe?.();
    if (this.poller) clearInterval(this.poller);
    await this.pumping;
    await Promise.allSettled([...this.active.values()]);
    // Logged by the flush when it fails; the entries are then delivered again after the restart.
    await this.flushMarks().catch(() => undefined);
    this.settleIfIdle();
  }

  private async pump(): Promise<void> {
    const free = this.concurrency - this.active.size;
    if (free <= 0) return;
    if (this.rescan && this.waitingChats() < free) {
      try {
        await this.lookThroughChannel();
      } catch (error) {
        // Left for the next poll, so a failing outbox is not hammered; the chats already known go on.
        this.options.logger.error({ err: error, channel: this.channel }, 'could not look for pending messages; will retry');
      }
    }
    for (const chatId of this.dirty) {
      if (this.active.size >= this.concurrency || this.stopping.signal.aborted) break;
      if (this.active.has(chatId)) continue;
      this.startDraining(chatId);
    }
  }

  /** Chats known to have something to send that are not being drained. */
  private waitingChats(): number {
    let waiting = 0;
    for (const chatId of this.dirty) if (!this.active.has(chatId)) waiting += 1;
    return waiting;
  }

  /** Adds every chat with a pending entry (the oldest first, up to a limit) to the chats to drain. */
  private async lookThroughChannel(): Promise<void> {
    this.rescan = false;
    // Written first, so the look does not return entries already delivered.
    await this.flushMarks();
    const limit = this.concurrency * 4;
    const heads = await this.options.outbox.pendingHeads(this.channel, limit);
    // A chat being drained is added too: the entry may have been written by another process after
    // that drain last read the chat.
    for (const head of heads) this.dirty.add(head.route.chatId);
    // More chats may wait than one look returns: look again once these have been started.
    if (heads.length >= limit) this.rescan = true;
  }

  private startDraining(chatId: string): void {
    const task = this.drainChat(chatId)
      .catch((error: unknown) => {
        // The chat is found again by the next poll, so a failing outbox is not hammered.
        this.dirty.delete(chatId);
        this.options.logger.error({ err: error, channel: this.channel, chatId }, 'delivery loop failed; will retry');
      })
      .finally(() => {
        this.active.delete(chatId);
        this.pumpSoon();
      });
    this.active.set(chatId, task);
  }

  /** Delivers one chat's pending entries in order until none is left or the sender stops. */
  private async drainChat(chatId: string): Promise<void> {
    const route = { channel: this.channel, chatId };
    for (;;) {
      if (this.stopping.signal.aborted) return;
      // Everything pushed to the chat until now is visible to the read below.
      this.dirty.delete(chatId);
      // What was delivered but whose mark is not written yet is skipped, so it is not sent again.
      const batch = await this.options.outbox.pendingInChat(route, CHAT_BATCH, this.unwritten.get(chatId) ?? 0);
      for (const entry of batch) {
        // A crash repeats at most one message per chat (the previous one is marked before the next
        // goes out) and at most `concurrency` in all (in flight and unmarked together).
        while (this.unwritten.has(chatId) || this.delivering + this.unwritten.size >= this.concurrency) {
          if (this.stopping.signal.aborted) return;
          await this.marksWrittenSoon();
        }
        if (this.stopping.signal.aborted) return;
        this.delivering += 1;
        try {
          await this.deliverWithRetries(entry);
        } finally {
          this.delivering -= 1;
        }
      }
      // A short batch was everything pending; anything later was pushed and named the chat again.
      if (batch.length < CHAT_BATCH && !this.dirty.has(chatId)) return;
    }
  }

  /**
   * Queues the "sent" mark of an entry the platform accepted: written after
   * {@link OutboxSenderOptions.markDelayMs}, or sooner when a delivery waits for it.
   */
  private queueMark(entry: OutboxEntry): void {
    const chatId = entry.route.chatId;
    this.marks.push({ id: entry.id, at: this.options.clock.now(), chatId });
    this.unwritten.set(chatId, entry.id);
    this.markTimer ??= setTimeout(() => {
      this.markTimer = undefined;
      void this.flushMarks().catch(() => undefined);
    }, this.options.markDelayMs ?? 10);
  }

  /**
   * Resolves once the marks queued now are written, by a write at the end of this event-loop turn
   * shared with every chat that asks meanwhile (or by an earlier one).
   */
  private marksWrittenSoon(): Promise<void> {
    this.markSoon ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.markSoon = undefined;
        this.flushMarks().then(resolve, reject);
      }),
    );
    return this.markSoon;
  }

  /**
   * Writes the queued marks in one transaction (at once when no write is in progress, else right after
   * it). On failure they stay queued (logged; the next flush tries again) and the promise rejects, so
   * no read of the outbox runs as if they had been written.
   */
  private flushMarks(): Promise<void> {
    if (this.markTimer) {
      clearTimeout(this.markTimer);
      this.markTimer = undefined;
    }
    // Nothing new: still wait for a write in progress, whose marks may be the caller's.
    if (this.marks.length === 0) return this.markWrite;
    const marks = this.marks;
    this.marks = [];
    const write = async (): Promise<void> => {
      try {
        await this.options.outbox.markSentMany(marks);
        for (const mark of marks) if (this.unwritten.get(mark.chatId) === mark.id) this.unwritten.delete(mark.chatId);
      } catch (error) {
        this.marks = marks.concat(this.marks);
        this.options.logger.error({ err: error, channel: this.channel, marks: marks.length }, 'could not record sent messages; will retry');
        throw error;
      }
    };
    const previous = this.markWrite;
    this.markWrites += 1;
    const written = this.markWrites > 1 ? previous.catch(() => undefined).then(write) : write();
    this.markWrite = written.finally(() => {
      this.markWrites -= 1;
    });
    return this.markWrite;
  }

  private async deliverWithRetries(entry: OutboxEntry): Promise<void> {
    const { outbox, transport, files, clock, logger } = this.options;
    for (let attempt = entry.attempts + 1; ; attempt += 1) {
      if (this.stopping.signal.aborted) return;
      try {
        await transport.deliver(entry.route.chatId, await toOutbound(entry.message, files));
        this.queueMark(entry);
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
