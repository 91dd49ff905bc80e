import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type ChannelTransport,
  type OutboxEntry,
} from '../../../src/core/delivery.js';
import type { Outbound } from '../../../src/core/messages.js';
import { OutboxSender, type OutboxSenderOptions } from '../../../src/services/delivery/outboxSender.js';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteOutbox } from '../../../src/store/sqlite/outbox.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';

/**
 * A platform on the other side of the transport: records what it accepted, and fails the way a test
 * tells it to. (Channel tests drive the real SDKs; this one tests the sender's own rules.)
 */
class ScriptedPlatform implements ChannelTransport {
  readonly channel = 'telegram' as const;
  readonly delivered: { chatId: string; text: string }[] = [];
  /** Failures to throw, per chat, before the next success. */
  readonly failures = new Map<string, Error[]>();
  /** Resolvers that hold a chat's delivery until the test releases it. */
  readonly gates = new Map<string, Promise<void>>();
  /** Told of every delivery as it starts, before its gate. */
  readonly started: ((chatId: string, text: string) => void)[] = [];
  /** Told of every delivery the platform accepts. */
  readonly accepted: ((delivered: { chatId: string; text: string }) => void)[] = [];

  async deliver(chatId: string, message: Outbound): Promise<void> {
    const text = message.kind === 'document' ? message.caption : message.text;
    for (const listener of this.started) listener(chatId, text);
    await this.gates.get(chatId);
    const failure = this.failures.get(chatId)?.shift();
    if (failure) throw failure;
    this.delivered.push({ chatId, text });
    for (const listener of this.accepted) listener({ chatId, text });
  }

  /** Resolves when a delivery of `text` starts. */
  starting(text: string): Promise<void> {
    return new Promise((resolve) => this.started.push((_chatId, started) => started === text && resolve()));
  }

  /** Resolves once `count` messages in all have been accepted. */
  acceptedCount(count: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.delivered.length >= count) resolve();
      else this.accepted.push(() => this.delivered.length >= count && resolve());
    });
  }
}

/**
 * A platform whose every delivery takes a turn of the event loop, like a network round trip, so chats
 * overlap; records how many deliveries were in flight at once, overall and per chat.
 */
class OverlappingPlatform extends ScriptedPlatform {
  inFlight = 0;
  maxInFlight = 0;
  readonly inFlightPerChat = new Map<string, number>();
  maxInFlightPerChat = 0;
  /** The most messages ever accepted but not yet marked sent in the database, over all chats. */
  maxUnmarked = 0;
  /** The most messages of a chat accepted but not marked sent when its next one went out. */
  maxUnmarkedInChat = 0;

  constructor(private readonly sentInDatabase: (chatId?: string) => number) {
    super();
  }

  override async deliver(chatId: string, message: Outbound): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const perChat = (this.inFlightPerChat.get(chatId) ?? 0) + 1;
    this.inFlightPerChat.set(chatId, perChat);
    this.maxInFlightPerChat = Math.max(this.maxInFlightPerChat, perChat);
    this.maxUnmarked = Math.max(this.maxUnmarked, this.delivered.length - this.sentInDatabase());
    const deliveredInChat = this.delivered.filter((d) => d.chatId === chatId).length;
    this.maxUnmarkedInChat = Math.max(this.maxUnmarkedInChat, deliveredInChat - this.sentInDatabase(chatId));
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      await super.deliver(chatId, message);
    } finally {
      this.inFlight -= 1;
      this.inFlightPerChat.set(chatId, perChat - 1);
    }
  }
}

let h: Harness;
let platform: ScriptedPlatform;
let waits: number[];
let undeliverable: { entry: OutboxEntry; reason: string }[];
const senders: OutboxSender[] = [];

function startSender(options: Partial<OutboxSenderOptions> = {}): OutboxSender {
  const sender = new OutboxSender({
    outbox: h.outbox,
    transport: platform,
    files: h.documents,
    clock: h.clock,
    logger: pino({ level: 'silent' }),
    onUndeliverable: (entry, reason) => void undeliverable.push({ entry, reason }),
    wait: async (ms) => void waits.push(ms),
    ...options,
  });
  senders.push(sender);
  sender.start();
  return sender;
}

const push = (chatId: string, ...texts: string[]) =>
  h.outbox.push({ channel: 'telegram', chatId }, texts.map((text) => ({ kind: 'text', text })), h.clock.now());

const textsOf = (chatId: string) => platform.delivered.filter((d) => d.chatId === chatId).map((d) => d.text);

/** Entries marked sent in the database file, of one chat or of all. */
const sentInDatabase = (chatId?: string) =>
  (
    h.db
      .prepare(`SELECT COUNT(*) AS n FROM outbox WHERE channel = 'telegram' AND state = 'sent' AND (? IS NULL OR chat_id = ?)`)
      .get(chatId ?? null, chatId ?? null) as { n: number }
  ).n;

beforeEach(() => {
  h = createHarness();
  platform = new ScriptedPlatform();
  waits = [];
  undeliverable = [];
});

afterEach(async () => {
  while (senders.length > 0) await senders.pop()!.stop();
  await h.close();
});

describe('OutboxSender', () => {
  it('delivers each chat in order and marks every entry sent', async () => {
    await push('1', 'a1', 'a2', 'a3');
    await push('2', 'b1');
    await push('1', 'a4');
    const sender = startSender();
    await sender.idle();
    expect(platform.delivered.filter((d) => d.chatId === '1').map((d) => d.text)).toEqual(['a1', 'a2', 'a3', 'a4']);
    expect(platform.delivered.filter((d) => d.chatId === '2').map((d) => d.text)).toEqual(['b1']);
    expect(await h.outbox.backlog('telegram')).toMatchObject({ pending: 0, undeliverable: 0 });
  });

  it('wakes up for messages pushed while it runs', async () => {
    const sender = startSender();
    await sender.idle();
    await push('1', 'later');
    await sender.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(['later']);
  });

  it('does not let a slow chat hold up the others', async () => {
    let release!: () => void;
    platform.gates.set('slow', new Promise<void>((resolve) => (release = resolve)));
    await push('slow', 's1');
    await push('fast', 'f1', 'f2');
    const sender = startSender();
    await expect.poll(() => platform.delivered.map((d) => d.text)).toEqual(['f1', 'f2']);
    release();
    await sender.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(['f1', 'f2', 's1']);
  });

  it('retries transient failures with capped backoff, honouring retry_after, and keeps the order', async () => {
    platform.failures.set('1', [
      new TransientDeliveryError('Too Many Requests', 3_000),
      new Error('socket hang up'),
      new TransientDeliveryError('502 Bad Gateway'),
    ]);
    await push('1', 'first', 'second');
    const sender = startSender({ baseBackoffMs: 1_000, maxBackoffMs: 60_000 });
    await sender.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(['first', 'second']);
    // retry_after wins; then exponential from the attempt number (2nd and 3rd attempt).
    expect(waits).toEqual([3_000, 2_000, 4_000]);
    const [first] = await h.outbox.listAfter({ channel: 'telegram', chatId: '1' }, 0, 1);
    expect(first).toMatchObject({ state: 'sent', attempts: 4, lastError: '502 Bad Gateway' });
  });

  it('caps the backoff', async () => {
    platform.failures.set('1', Array.from({ length: 12 }, () => new TransientDeliveryError('timeout')));
    await push('1', 'eventually');
    const sender = startSender({ baseBackoffMs: 1_000, maxBackoffMs: 30_000 });
    await sender.idle();
    expect(Math.max(...waits)).toBe(30_000);
    expect(platform.delivered.map((d) => d.text)).toEqual(['eventually']);
  });

  it('records a permanent failure, reports it once and carries on with the chat', async () => {
    platform.failures.set('blocked', [new PermanentDeliveryError('Forbidden: bot was blocked by the user')]);
    await push('blocked', 'reminder', 'after unblocking');
    const sender = startSender();
    await sender.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(['after unblocking']);
    expect(undeliverable).toHaveLength(1);
    expect(undeliverable[0]!.reason).toBe('Forbidden: bot was blocked by the user');
    const [listed] = await h.outbox.listUndeliverable(5);
    expect(listed).toMatchObject({ route: { channel: 'telegram', chatId: 'blocked' }, lastError: 'Forbidden: bot was blocked by the user' });
  });

  it('stops within a chat\'s batch and the next start delivers the rest, none twice', async () => {
    let release!: () => void;
    platform.gates.set('1', new Promise<void>((resolve) => (release = resolve)));
    const texts = Array.from({ length: 30 }, (_, i) => `m${i + 1}`);
    await push('1', ...texts);
    const first = startSender();
    await platform.starting('m1');
    const stopped = first.stop();
    release();
    await stopped;
    expect(platform.delivered.map((d) => d.text)).toEqual(['m1']);
    platform.gates.delete('1');
    const second = startSender();
    await second.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(texts);
  });

  it('on a clean shutdown delivers what is pending first, unless the platform holds it past the grace', async () => {
    await push('1', 'a1', 'a2');
    await push('2', 'b1');
    // A grace that ends only when the sender no longer needs it.
    const untilAborted = (_ms: number, signal: AbortSignal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    const sender = startSender({ wait: untilAborted });
    await sender.stopWithin(3_000);
    expect(platform.delivered.map((d) => d.text).sort()).toEqual(['a1', 'a2', 'b1']);
    expect(await h.outbox.backlog('telegram')).toMatchObject({ pending: 0 });

    // A platform that is slow to answer: the grace ends the wait, the message in flight finishes and
    // the rest stays for the next start.
    let release!: () => void;
    platform.gates.set('3', new Promise<void>((resolve) => (release = resolve)));
    await push('3', 'c1', 'c2');
    let graceOver!: () => void;
    const slow = startSender({
      wait: (_ms, signal) =>
        new Promise<void>((resolve) => {
          graceOver = resolve;
          signal.addEventListener('abort', () => resolve());
        }),
    });
    await platform.starting('c1');
    let stopped = false;
    const stopping = slow.stopWithin(3_000).then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    graceOver();
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await stopping;
    expect(textsOf('3')).toEqual(['c1']);
    expect(await h.outbox.backlog('telegram')).toMatchObject({ pending: 1 });
  });

  it('carries on after a restart where the previous sender stopped', async () => {
    let release!: () => void;
    platform.gates.set('1', new Promise<void>((resolve) => (release = resolve)));
    await push('1', 'one', 'two');
    const first = startSender();
    const stopped = first.stop();
    release();
    await stopped;
    platform.gates.delete('1');
    const delivered = platform.delivered.length;
    const second = startSender();
    await second.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(['one', 'two']);
    expect(delivered).toBeLessThanOrEqual(1);
  });

  it('delivers documents from private storage', async () => {
    const notifier = new OutboxNotifier(h.outbox, h.documents, h.clock);
    const bytes = new TextEncoder().encode('%PDF-1.4 invoice');
    expect(await notifier.send({ channel: 'telegram', chatId: '9' }, [{ kind: 'document', fileName: 'invoice.pdf', mime: 'application/pdf', bytes, caption: 'Your invoice' }])).toBe(true);
    const received: Outbound[] = [];
    const sender = startSender({ transport: { channel: 'telegram', deliver: async (_chat, message) => void received.push(message) } });
    await sender.idle();
    expect(received).toEqual([{ kind: 'document', fileName: 'invoice.pdf', mime: 'application/pdf', bytes: expect.any(Uint8Array), caption: 'Your invoice' }]);
    expect(Buffer.from((received[0] as { bytes: Uint8Array }).bytes).toString()).toBe('%PDF-1.4 invoice');
  });
});

describe('OutboxNotifier and OutboxAdminAlerts', () => {
  it('pushes a deduplicated message once, however often it is sent', async () => {
    const notifier = new OutboxNotifier(h.outbox, h.documents, h.clock);
    const to = { channel: 'whatsapp', chatId: '919876543210@c.us' } as const;
    const results = await Promise.all(Array.from({ length: 5 }, () => notifier.send(to, [{ kind: 'text', text: 'Payment received' }], { dedupeKey: 'paid:APT-1' })));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await h.outbox.pendingHeads('whatsapp', 10)).toHaveLength(1);
  });

  it('alerts every admin chat, once per key', async () => {
    const alerts = new OutboxAdminAlerts({ outbox: h.outbox, clock: h.clock, logger: pino({ level: 'silent' }), channel: 'telegram-admin', adminChatIds: ['11', '12'] });
    await alerts.alert('New booking APT-1', { dedupeKey: 'booked:APT-1' });
    await alerts.alert('New booking APT-1', { dedupeKey: 'booked:APT-1' });
    const heads = await h.outbox.pendingHeads('telegram-admin', 10);
    expect(heads.map((e) => e.route.chatId).sort()).toEqual(['11', '12']);
  });
});

describe('OutboxSender under load', () => {
  it('keeps every chat in order, chats in parallel up to the limit, with many pushes to many chats', async () => {
    const overlapping = new OverlappingPlatform(sentInDatabase);
    platform = overlapping;
    const chats = Array.from({ length: 24 }, (_, i) => `c${i}`);
    // Longer than one read of a chat's entries.
    await push('long', ...Array.from({ length: 45 }, (_, i) => `long-${i}`));
    for (const chat of chats) await push(chat, `${chat}-1`, `${chat}-2`);
    const sender = startSender({ concurrency: 4 });
    for (let round = 3; round <= 8; round += 2) {
      for (const chat of chats) await push(chat, `${chat}-${round}`, `${chat}-${round + 1}`);
      // Let some deliveries happen between the rounds of pushes.
      await overlapping.acceptedCount(platform.delivered.length + 10);
    }
    await sender.idle();
    expect(textsOf('long')).toEqual(Array.from({ length: 45 }, (_, i) => `long-${i}`));
    for (const chat of chats) expect(textsOf(chat)).toEqual(Array.from({ length: 8 }, (_, i) => `${chat}-${i + 1}`));
    expect(overlapping.maxInFlightPerChat).toBe(1);
    expect(overlapping.maxInFlight).toBe(4);
    // A crash repeats at most one message per chat and at most `concurrency` in all.
    expect(overlapping.maxUnmarkedInChat).toBe(0);
    expect(overlapping.maxUnmarked).toBeLessThanOrEqual(4);
    expect(await h.outbox.backlog('telegram')).toMatchObject({ pending: 0, undeliverable: 0 });
  });

  it('leaves at most `concurrency` messages unmarked, however long marks may wait', async () => {
    const overlapping = new OverlappingPlatform(sentInDatabase);
    platform = overlapping;
    for (let i = 0; i < 30; i += 1) await push(`c${i}`, `only message ${i}`);
    const sender = startSender({ concurrency: 4, markDelayMs: 3_600_000 });
    await overlapping.acceptedCount(30);
    expect(overlapping.maxUnmarked).toBeLessThanOrEqual(4);
    expect(30 - sentInDatabase()).toBeLessThanOrEqual(4);
    await sender.idle();
    expect(sentInDatabase()).toBe(30);
  });

  it('delivers a message pushed to a chat while that chat is being drained', async () => {
    let release!: () => void;
    platform.gates.set('1', new Promise<void>((resolve) => (release = resolve)));
    await push('1', 'first');
    // No poll within the test: only the push itself can bring the second message out.
    startSender({ pollIntervalMs: 3_600_000 });
    await platform.starting('first');
    await push('1', 'pushed meanwhile');
    release();
    await platform.acceptedCount(2);
    expect(platform.delivered.map((d) => d.text)).toEqual(['first', 'pushed meanwhile']);
  });

  it('finds entries written by another process on its periodic poll', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const other = openClinicDatabase(path.join(h.dir, 'clinic.db'));
    try {
      const sender = startSender({ pollIntervalMs: 5_000 });
      await sender.idle();
      // The other process's outbox has no listener of this sender.
      await new SqliteOutbox(other).push({ channel: 'telegram', chatId: '7' }, [{ kind: 'text', text: 'from the reminder job' }], h.clock.now());
      await Promise.resolve();
      expect(platform.delivered).toEqual([]);
      const delivered = platform.acceptedCount(1);
      vi.advanceTimersByTime(5_000);
      await delivered;
      expect(platform.delivered).toEqual([{ chatId: '7', text: 'from the reminder job' }]);
    } finally {
      other.close();
      vi.useRealTimers();
    }
  });

  it('has written every "sent" mark when stop resolves', async () => {
    for (const chat of ['1', '2', '3']) await push(chat, `${chat}a`, `${chat}b`, `${chat}c`);
    const sender = startSender();
    await platform.acceptedCount(9);
    // Straight after the last acceptance, before the end-of-turn write of the marks.
    await sender.stop();
    h.db.close();
    const reopened = openClinicDatabase(path.join(h.dir, 'clinic.db'));
    try {
      const outbox = new SqliteOutbox(reopened);
      expect(await outbox.pendingHeads('telegram', 10)).toEqual([]);
      expect(await outbox.backlog('telegram')).toMatchObject({ pending: 0, undeliverable: 0 });
    } finally {
      reopened.close();
    }
  });

  it('delivers nothing twice when writing the "sent" marks fails for a while', async () => {
    // More than one read of the chat, with writes due while it is being delivered.
    const texts = Array.from({ length: 25 }, (_, i) => `m${i + 1}`);
    await push('1', ...texts);
    const writes = vi.spyOn(h.outbox, 'markSentMany').mockRejectedValueOnce(new Error('disk I/O error'));
    const sender = startSender();
    await sender.idle();
    expect(platform.delivered.map((d) => d.text)).toEqual(texts);
    expect(writes.mock.calls.length).toBeGreaterThan(1);
    expect(await h.outbox.backlog('telegram')).toMatchObject({ pending: 0, undeliverable: 0 });
  });

  it('does not look through the whole channel per message, and writes the marks in batches', async () => {
    platform = new OverlappingPlatform(sentInDatabase);
    const heads = vi.spyOn(h.outbox, 'pendingHeads');
    const reads = vi.spyOn(h.outbox, 'pendingInChat');
    const batches = vi.spyOn(h.outbox, 'markSentMany');
    const sender = startSender();
    await sender.idle();
    const chats = Array.from({ length: 10 }, (_, i) => `c${i}`);
    let pushes = 0;
    for (let round = 1; round <= 5; round += 1) {
      for (const chat of chats) {
        await push(chat, `${chat}-${round}a`, `${chat}-${round}b`, `${chat}-${round}c`);
        pushes += 1;
      }
      await platform.acceptedCount(pushes * 3);
    }
    await sender.idle();
    const messages = platform.delivered.length;
    expect(messages).toBe(150);
    for (const chat of chats) expect(textsOf(chat)).toHaveLength(15);
    // The look at start, and one per idle() to confirm nothing is left.
    expect(heads.mock.calls.length).toBeLessThanOrEqual(3);
    // One read per push at most (each push was one turn of a chat), not one per message.
    expect(reads.mock.calls.length).toBeLessThanOrEqual(pushes);
    // Every mark went through a batch write (the outbox has no other way to mark one sent).
    const marked = batches.mock.calls.reduce((sum, [marks]) => sum + marks.length, 0);
    expect(marked).toBe(messages);
    expect(batches.mock.calls.length).toBeLessThanOrEqual(messages / 3);
  });
});
