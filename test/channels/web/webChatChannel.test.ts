/**
 * The web chat's view of the outbox: a GET returns at most a page of messages and says when there
 * are more, so a client reading a long chat knows to ask again. Real SQLite outbox and engine.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HISTORY_PAGE, WebChatChannel } from '../../../src/channels/web/webChatChannel.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';

let h: Harness;
let channel: WebChatChannel;
beforeEach(() => {
  h = createHarness();
  channel = new WebChatChannel({ engine: h.engine, outbox: h.outbox, documents: h.documents, clock: h.clock, downloadBaseUrl: '', downloadLinkMinutes: 60 });
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
