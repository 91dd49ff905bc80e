import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  PermanentDeliveryError,
  TransientDeliveryError,
  type ChannelTransport,
  type OutboxEntry,
} from '../../../src/core/delivery.js';
import type { Outbound } from '../../../src/core/messages.js';
import { OutboxSender, type OutboxSenderOptions } from '../../../src/services/delivery/outboxSender.js';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
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

  async deliver(chatId: string, message: Outbound): Promise<void> {
    await this.gates.get(chatId);
    const failure = this.failures.get(chatId)?.shift();
    if (failure) throw failure;
    this.delivered.push({ chatId, text: message.kind === 'document' ? message.caption : message.text });
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
