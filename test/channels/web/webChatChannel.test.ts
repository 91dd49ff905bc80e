/**
 * The web chat's view of the outbox: a GET returns at most a page of messages and says when there
 * are more, so a client reading a long chat knows to ask again; an Idempotency-Key retried with
 * another message is refused. Real SQLite outbox and engine.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_PAGE, IdempotencyKeyReusedError, WebChatChannel } from '../../../src/channels/web/webChatChannel.js';
import { SqliteRequestKeys } from '../../../src/store/sqlite/index.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';

let h: Harness;
let channel: WebChatChannel;
beforeEach(() => {
  h = createHarness();
  channel = new WebChatChannel({
    engine: h.engine,
    outbox: h.outbox,
    documents: h.documents,
    clock: h.clock,
    downloadBaseUrl: '',
    downloadLinkMinutes: 60,
    requestKeys: new SqliteRequestKeys(h.db),
  });
});
afterEach(async () => h.close());

describe('reading a long chat', () => {
  it('returns a page, says there is more, and the rest from the last seq', async () => {
    const sessionId = 'long-chat-000000000000001';
    const route = { channel: 'web', chatId: sessionId } as const;
    const texts = Array.from({ length: HISTORY_PAGE + 5 }, (_, index) => ({ kind: 'text' as const, text: `push ${index + 1}` }));
    await h.outbox.push(route, texts, h.clock.now());

    const first = await channel.history(sessionId, 0);
    expect(first.messages).toHaveLength(HISTORY_PAGE);
    expect(first.more).toBe(true);
    const last = first.messages.at(-1)!.seq;
    const rest = await channel.history(sessionId, last);
    expect(rest.messages.map((m) => m.text)).toEqual(texts.slice(HISTORY_PAGE).map((t) => t.text));
    expect(rest.more).toBe(false);
  });
});

describe('an Idempotency-Key with a file', () => {
  it('is a retry with the same bytes and another message with other bytes', async () => {
    const sessionId = 'file-chat-000000000000001';
    await channel.receive(sessionId, { kind: 'text', text: 'hi' });
    const pdf = (body: string) => ({ kind: 'file' as const, bytes: new TextEncoder().encode(`%PDF-1.4 ${body}`), mime: 'application/pdf', fileName: 'report.pdf' });
    const first = await channel.receive(sessionId, pdf('one'), 'upload-1');
    expect(await channel.receive(sessionId, pdf('one'), 'upload-1')).toEqual(first);
    await expect(channel.receive(sessionId, pdf('two'), 'upload-1')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(channel.receive(sessionId, { kind: 'voice', bytes: pdf('one').bytes, mime: 'audio/ogg' }, 'upload-1')).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });
});
