/**
 * The Telegram transport and the outbox sender together, through the real telegraf against the
 * emulator: how each outbound message looks, and how Telegram's refusals become retries or
 * undeliverable entries.
 */
import { pino } from 'pino';
import { Telegraf } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PermanentDeliveryError, TransientDeliveryError, type OutboxEntry } from '../../../src/core/delivery.js';
import { encodeOptionId } from '../../../src/channels/telegram/callbackData.js';
import { TelegramTransport } from '../../../src/channels/telegram/transport.js';
import { OutboxSender } from '../../../src/services/delivery/outboxSender.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';
import { SMALL_PDF } from '../../support/files.js';
import { TelegramEmulator } from '../../support/telegramEmulator.js';

let emulator: TelegramEmulator;
let token: string;
let transport: TelegramTransport;
let h: Harness;

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot();
  transport = new TelegramTransport('telegram', new Telegraf(token, { telegram: { apiRoot: emulator.apiRoot } }).telegram);
  for (const chat of [11, 12, 13]) emulator.openChat(token, chat);
  h = createHarness();
});

afterEach(async () => {
  await h.close();
  await emulator.close();
});

describe('rendering', () => {
  it('sends text as plain text, exactly as written', async () => {
    const text = '<b>Asha</b> & "=HYPERLINK(\\"x\\")" 🙂 आशा';
    await transport.deliver('11', { kind: 'text', text });
    const [call] = emulator.delivered(11);
    expect(call!.params.text).toBe(text);
    expect(call!.params.parse_mode).toBeUndefined();
  });

  it('splits text over 4096 characters on line breaks, never inside an emoji', async () => {
    const line = `${'🙂'.repeat(30)} ${'x'.repeat(40)}\n`; // 101 UTF-16 units
    const text = line.repeat(100);
    await transport.deliver('11', { kind: 'text', text });
    const parts = emulator.delivered(11).map((c) => String(c.params.text));
    expect(parts.length).toBe(3);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join('\n')).toBe(text.trimEnd());
  });

  it('never sends an empty piece, even for a run of blanks longer than a message', async () => {
    await transport.deliver('11', { kind: 'text', text: `${' '.repeat(5000)}x` });
    expect(emulator.delivered(11).map((c) => c.params.text)).toEqual(['x']);
  });

  it('keeps callback data within 64 bytes, whatever the option id', async () => {
    const longId = `slot:${'S-VERY-LONG-SHEET-SLOT-ID-'.repeat(4)}`;
    await transport.deliver('11', { kind: 'menu', text: 'Pick', options: [{ id: 'short', label: 'Short' }, { id: longId, label: 'Long' }] });
    const buttons = (emulator.delivered(11)[0]!.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat();
    expect(buttons.map((b) => b.callback_data)).toEqual([encodeOptionId('short'), encodeOptionId(longId)]);
    expect(buttons.every((b) => Buffer.byteLength(b.callback_data) <= 64)).toBe(true);
  });

  it('shows links as URL buttons, and local links as text', async () => {
    await transport.deliver('11', { kind: 'link', text: 'Pay here', url: 'https://rzp.io/i/abc', label: 'Pay ₹500' });
    await transport.deliver('11', { kind: 'link', text: 'Your invoice', url: 'http://localhost:3000/files/x', label: 'Download' });
    const [button, local] = emulator.delivered(11);
    expect(button!.params.reply_markup).toEqual({ inline_keyboard: [[{ text: 'Pay ₹500', url: 'https://rzp.io/i/abc' }]] });
    expect(local!.params.text).toBe('Your invoice\nDownload: http://localhost:3000/files/x');
  });

  it('sends documents as files with their caption; a long caption follows as text', async () => {
    await transport.deliver('11', { kind: 'document', fileName: 'confirmation.pdf', mime: 'application/pdf', bytes: SMALL_PDF, caption: 'Your confirmation' });
    await transport.deliver('11', { kind: 'document', fileName: 'invoice.pdf', mime: 'application/pdf', bytes: SMALL_PDF, caption: 'y'.repeat(1500) });
    const [first, second, tail] = emulator.delivered(11);
    expect(first).toMatchObject({ method: 'sendDocument', params: { caption: 'Your confirmation' } });
    expect(first!.files.document).toMatchObject({ fileName: 'confirmation.pdf' });
    expect(first!.files.document!.bytes.equals(SMALL_PDF)).toBe(true);
    expect(second!.params.caption).toBeUndefined();
    expect(tail).toMatchObject({ method: 'sendMessage', params: { text: 'y'.repeat(1500) } });
  });
});

describe('refusals', () => {
  it('maps 429 to a transient error with retry_after in ms', async () => {
    emulator.failNext('sendMessage', { kind: 'too-many-requests', retryAfter: 7 });
    const error = await transport.deliver('11', { kind: 'text', text: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error).toMatchObject({ retryAfterMs: 7000, reason: '429: Too Many Requests: retry after 7' });
  });

  it('maps 5xx and a cut connection to transient errors', async () => {
    emulator.failNext('sendMessage', { kind: 'server-error', status: 502 });
    emulator.failNext('sendMessage', { kind: 'network' });
    for (let i = 0; i < 2; i += 1) {
      const error = await transport.deliver('11', { kind: 'text', text: 'hi' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientDeliveryError);
    }
  });

  it('maps a blocked bot and an unknown chat to permanent errors', async () => {
    emulator.block(12);
    await expect(transport.deliver('12', { kind: 'text', text: 'hi' })).rejects.toThrow(PermanentDeliveryError);
    const unknown = await transport.deliver('99', { kind: 'text', text: 'hi' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(PermanentDeliveryError);
    expect(unknown).toMatchObject({ reason: '400: Bad Request: chat not found' });
  });
});

describe('the outbox sender on Telegram', () => {
  it('keeps every chat in order through a burst with 429s, honouring retry_after', async () => {
    const waits: number[] = [];
    const sender = new OutboxSender({
      outbox: h.outbox,
      transport,
      files: h.documents,
      clock: h.clock,
      logger: pino({ level: 'silent' }),
      wait: async (ms) => void waits.push(ms),
    });
    const texts = (chat: number) => Array.from({ length: 15 }, (_, i) => `chat ${chat} message ${i + 1}`);
    // Telegram throttles the bot part-way through the burst.
    emulator.failNext('sendMessage', { kind: 'too-many-requests', retryAfter: 3 }, 4);
    sender.start();
    for (const chat of [11, 12, 13]) {
      await h.outbox.push({ channel: 'telegram', chatId: String(chat) }, texts(chat).map((text) => ({ kind: 'text', text })), h.clock.now());
    }
    await sender.idle();
    await sender.stop();
    for (const chat of [11, 12, 13]) {
      expect(emulator.delivered(chat).map((c) => c.params.text)).toEqual(texts(chat));
    }
    expect(emulator.callsOf('sendMessage').filter((c) => c.status === 429)).toHaveLength(4);
    expect(waits).toEqual([3000, 3000, 3000, 3000]);
  });

  it('marks messages to a user who blocked the bot undeliverable and reports them', async () => {
    const reported: { entry: OutboxEntry; reason: string }[] = [];
    const sender = new OutboxSender({
      outbox: h.outbox,
      transport,
      files: h.documents,
      clock: h.clock,
      logger: pino({ level: 'silent' }),
      wait: async () => {},
      onUndeliverable: (entry, reason) => void reported.push({ entry, reason }),
    });
    emulator.block(12);
    sender.start();
    await h.outbox.push({ channel: 'telegram', chatId: '12' }, [{ kind: 'text', text: 'Reminder' }], h.clock.now());
    await h.outbox.push({ channel: 'telegram', chatId: '11' }, [{ kind: 'text', text: 'Hello' }], h.clock.now());
    await sender.idle();
    await sender.stop();
    expect(reported.map((r) => r.reason)).toEqual(['403: Forbidden: bot was blocked by the user']);
    expect(await h.outbox.listUndeliverable(10)).toMatchObject([{ route: { chatId: '12' }, state: 'undeliverable' }]);
    expect(emulator.delivered(11)).toHaveLength(1);
  });
});
