import { describe, expect, it } from 'vitest';
import { SLOW_DOWN_TEXT } from '../../src/core/engine.js';
import { messagesUrl, newSessionId, postJson, say, startAppsClosedAfterEach, type ApiError, type ChatMessage } from './helpers.js';

const startApp = startAppsClosedAfterEach();

describe('rate limits', () => {
  it('answers 429 with Retry-After once a client address used up its requests', async () => {
    const t = await startApp({ RATE_LIMIT_PER_MINUTE: '5' });
    const id = newSessionId();
    for (let i = 0; i < 5; i++) expect((await fetch(messagesUrl(t.base, id))).status).toBe(200);
    const refused = await fetch(messagesUrl(t.base, id));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as ApiError).error.code).toBe('RATE_LIMITED');
    // The page and health are not behind the API limit.
    expect((await fetch(`${t.base}/health`)).status).toBe(200);
  });

  it('limits one web chat session without touching another', async () => {
    const t = await startApp({ RATE_LIMIT_PER_MINUTE: '0' });
    const noisy = newSessionId();
    const statuses = await Promise.all(Array.from({ length: 125 }, () => fetch(messagesUrl(t.base, noisy)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    expect((await fetch(messagesUrl(t.base, newSessionId()))).status).toBe(200);
  });

  it('tells a flooding patient once to slow down, drops the rest, and keeps serving others', async () => {
    const t = await startApp({ RATE_LIMIT_PER_MINUTE: '0' });
    const flooder = newSessionId();
    const replies: ChatMessage[][] = [];
    for (let i = 0; i < 33; i++) replies.push(await say(t.base, flooder, { text: `spam ${i}` }));
    expect(replies[29]!.length).toBeGreaterThan(0);
    expect(replies[30]!.map((m) => m.text)).toEqual([SLOW_DOWN_TEXT]);
    expect(replies[31]).toEqual([]);
    expect(replies[32]).toEqual([]);
    const other = await postJson(t.base, newSessionId(), { text: 'hi' });
    expect(((await other.json()) as { messages: ChatMessage[] }).messages[0]?.kind).toBe('menu');
  });
});
