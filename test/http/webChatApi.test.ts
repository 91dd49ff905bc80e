/**
 * The web chat API (DESIGN.md "Web chat API") over real HTTP against the real app: session ids,
 * replies and their numbering, the transcript, request validation, idempotent retries, stale buttons
 * and isolation between sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH } from '../../src/http/webChatRoutes.js';
import { history, messagesUrl, newSessionId, postJson, say, startTestApp, type ApiError, type ChatMessage, type TestApp } from './helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t?.dispose();
});

async function errorOf(response: Response): Promise<ApiError['error']> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ApiError;
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

describe('session ids', () => {
  const bad = [
    ['21 characters', 'a'.repeat(21)],
    ['a dot', `${'a'.repeat(22)}.x`],
    ['a space', `${'a'.repeat(22)}%20x`],
    ['a plus sign', `${'a'.repeat(22)}+`],
    ['a tilde', `${'a'.repeat(22)}~`],
    ['129 characters', 'a'.repeat(129)],
  ] as const;

  for (const [what, id] of bad) {
    it(`refuses an id with ${what} on POST and GET`, async () => {
      const post = await postJson(t.base, id, { text: 'hi' });
      expect(post.status).toBe(400);
      expect((await errorOf(post)).code).toBe('BAD_SESSION_ID');

      const get = await fetch(`${messagesUrl(t.base, id)}?after=0`);
      expect(get.status).toBe(400);
      expect((await errorOf(get)).code).toBe('BAD_SESSION_ID');
    });
  }

  it('accepts exactly 22 URL-safe characters including - and _', async () => {
    const id = 'Ab-_0123456789abcdefXY';
    expect(id).toHaveLength(22);
    const replies = await say(t.base, id, { text: 'hi' });
    expect(replies[0]?.kind).toBe('menu');
  });
});

describe('messages and the transcript', () => {
  it('answers "hi" with the main menu as seq 1', async () => {
    const id = newSessionId();
    const response = await postJson(t.base, id, { text: 'hi' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { messages: ChatMessage[] };
    expect(body.messages).toHaveLength(1);
    const [menu] = body.messages;
    expect(menu).toMatchObject({ seq: 1, kind: 'menu' });
    expect(menu!.text).toMatch(/Welcome to Sample Clinic/);
    expect(menu!.options!.length).toBeGreaterThan(1);
    for (const option of menu!.options!) {
      expect(Object.keys(option).sort()).toEqual(['id', 'label']);
      expect(option.id).toEqual(expect.any(String));
      expect(option.label).toEqual(expect.any(String));
    }
    expect(menu!.options!.map((o) => o.id)).toContain('book');
  });

  it('numbers replies 1, 2, 3, … and GET ?after returns the whole transcript or only later ones', async () => {
    const id = newSessionId();
    const first = await say(t.base, id, { text: 'hi' });
    const second = await say(t.base, id, { choice: 'book' });
    const third = await say(t.base, id, { text: 'Asha Rao' });
    const sent = [...first, ...second, ...third];
    expect(sent.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(second[0]?.text).toMatch(/full name/i);
    expect(third[0]?.kind).toBe('ask-contact');

    expect(await history(t.base, id, 0)).toEqual(sent);
    expect(await history(t.base, id, 1)).toEqual(sent.slice(1));
    expect(await history(t.base, id, 2)).toEqual(sent.slice(2));
    expect(await history(t.base, id, 3)).toEqual([]);
    expect(await history(t.base, id, 1000)).toEqual([]);
  });

  it('returns both sides of the conversation with ?transcript=true, files as a placeholder', async () => {
    const id = newSessionId();
    await say(t.base, id, { text: 'hi' });
    await say(t.base, id, { choice: 'book' });
    const response = await fetch(`${messagesUrl(t.base, id)}?after=0&transcript=true`);
    const { messages } = (await response.json()) as { messages: (ChatMessage & { from?: string })[] };
    expect(messages.map((m) => [m.from, m.seq])).toEqual([
      ['patient', 0],
      ['bot', 1],
      ['patient', 1],
      ['bot', 2],
    ]);
    expect(messages[0]?.text).toBe('hi');
    // A tapped button shows as the label the patient saw.
    expect(messages[2]?.text).toBe('Book an appointment');
    // Without the flag, only the bot's messages, as before.
    expect((await history(t.base, id, 0)).every((m) => !('from' in m))).toBe(true);
  });

  it('treats a missing "after" as 0', async () => {
    const id = newSessionId();
    const sent = await say(t.base, id, { text: 'hi' });
    const response = await fetch(messagesUrl(t.base, id));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { messages: ChatMessage[] }).messages).toEqual(sent);
  });

  for (const after of ['abc', '-1', '1.5', '1e400', '1e3', '0x10', '%201', '']) {
    it(`refuses after=${after} with 400`, async () => {
      const response = await fetch(`${messagesUrl(t.base, newSessionId())}?after=${after}`);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('BAD_AFTER');
    });
  }

  it('returns an empty transcript for a session that never wrote', async () => {
    expect(await history(t.base, newSessionId(), 0)).toEqual([]);
  });
});

describe('request validation', () => {
  it('refuses a body that is not JSON with 400 BAD_JSON', async () => {
    const response = await fetch(messagesUrl(t.base, newSessionId()), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text": "hi"',
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('BAD_JSON');
  });

  const badBodies: [string, unknown][] = [
    ['both text and choice', { text: 'hi', choice: 'book' }],
    ['neither text nor choice', {}],
    ['an extra key', { text: 'hi', extra: 1 }],
    ['a number as text', { text: 42 }],
    ['an empty choice', { choice: '' }],
    ['empty text', { text: '' }],
    ['text of only spaces', { text: ' \n\t ' }],
    ['an array', [{ text: 'hi' }]],
  ];
  for (const [what, body] of badBodies) {
    it(`refuses a body with ${what} with 400 BAD_MESSAGE`, async () => {
      const id = newSessionId();
      const response = await postJson(t.base, id, body);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('BAD_MESSAGE');
      expect(await history(t.base, id, 0)).toEqual([]);
    });
  }

  it('refuses a body that is not JSON or multipart with 415, and takes JSON under a +json type', async () => {
    const id = newSessionId();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await fetch(messagesUrl(t.base, id), { method: 'POST', headers: { 'content-type': type }, body: '{"text":"hi"}' });
      expect(response.status, type).toBe(415);
      expect((await errorOf(response)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const latin1 = await fetch(messagesUrl(t.base, id), { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{"text":"hi"}' });
    expect(latin1.status).toBe(415);
    expect((await errorOf(latin1)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await history(t.base, id, 0)).toEqual([]);
    const vendorJson = await fetch(messagesUrl(t.base, id), { method: 'POST', headers: { 'content-type': 'application/vnd.clinic+json' }, body: '{"text":"hi"}' });
    expect(vendorJson.status).toBe(200);
  });

  it('answers another method with 405 and the methods allowed', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(messagesUrl(t.base, newSessionId()), { method });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
      expect((await errorOf(response)).code).toBe('METHOD_NOT_ALLOWED');
    }
  });

  it(`accepts ${MAX_TEXT_LENGTH} characters and refuses one more with 413`, async () => {
    expect(MAX_TEXT_LENGTH).toBe(2000);
    const id = newSessionId();
    const atLimit = await postJson(t.base, id, { text: 'a'.repeat(MAX_TEXT_LENGTH) });
    expect(atLimit.status).toBe(200);

    const over = await postJson(t.base, id, { text: 'a'.repeat(MAX_TEXT_LENGTH + 1) });
    expect(over.status).toBe(413);
    expect((await errorOf(over)).code).toBe('TEXT_TOO_LONG');
    // The refused message left no trace in the transcript.
    expect((await history(t.base, id, 0)).map((m) => m.seq)).toEqual([1]);
  });

  it('refuses a JSON body far beyond the limit with 413', async () => {
    const response = await postJson(t.base, newSessionId(), { text: 'a'.repeat(100_000) });
    expect(response.status).toBe(413);
    await errorOf(response);
  });
});

describe('Idempotency-Key', () => {
  it('returns the identical replies for a retry and does not act twice', async () => {
    const id = newSessionId();
    await say(t.base, id, { text: 'hi' });
    const key = { 'Idempotency-Key': 'msg-0001-book' };
    const first = await say(t.base, id, { text: 'book' }, key);
    const retry = await say(t.base, id, { text: 'book' }, key);
    expect(first.length).toBeGreaterThan(0);
    expect(retry).toEqual(first);
    expect((await history(t.base, id, 0)).map((m) => m.seq)).toEqual([1, 2]);

    // Acted once: the chat is waiting for the name (had "book" run twice, it would have become the name).
    const next = await say(t.base, id, { text: 'Asha Rao' });
    expect(next).toHaveLength(1);
    expect(next[0]).toMatchObject({ seq: 3, kind: 'ask-contact' });
  });

  it('refuses the key with another message with 422, acting on nothing, and still answers the real retry', async () => {
    const id = newSessionId();
    const key = { 'Idempotency-Key': 'abcdefgh12345678' };
    const first = await say(t.base, id, { text: 'hi' }, key);
    for (const other of [{ choice: 'contact' }, { text: 'hi!' }, { text: 'book' }]) {
      const reused = await postJson(t.base, id, other, key);
      expect(reused.status, JSON.stringify(other)).toBe(422);
      expect((await errorOf(reused)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect(await history(t.base, id, 0)).toEqual(first);
    expect(await say(t.base, id, { text: 'hi' }, key)).toEqual(first);
    // The same key in another session is that session's own.
    expect(await say(t.base, newSessionId(), { text: 'book' }, key)).toHaveLength(1);
  });

  it('handles two simultaneous deliveries of one message once', async () => {
    const id = newSessionId();
    await say(t.base, id, { text: 'hi' });
    const key = { 'Idempotency-Key': 'concurrent_duplicate_1' };
    const [a, b] = await Promise.all([say(t.base, id, { text: 'book' }, key), say(t.base, id, { text: 'book' }, key)]);
    expect(a).toEqual(b);
    expect((await history(t.base, id, 0)).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('keeps keys per session: the same key in another session is a new message', async () => {
    const key = { 'Idempotency-Key': 'shared-key-123' };
    const one = newSessionId();
    const two = newSessionId();
    await say(t.base, one, { text: 'hi' }, key);
    const other = await say(t.base, two, { text: 'hi' }, key);
    expect(other).toHaveLength(1);
    expect(other[0]).toMatchObject({ seq: 1, kind: 'menu' });
  });

  it('takes any key a client may send: a counter, a UUID in the quotes of the IETF draft', async () => {
    const id = newSessionId();
    const counter = { 'Idempotency-Key': '1' };
    const first = await say(t.base, id, { text: 'hi' }, counter);
    expect(await say(t.base, id, { text: 'hi' }, counter)).toEqual(first);
    const uuid = '8e03978e-40d5-43e8-bc93-6894a57f9324';
    const booked = await say(t.base, id, { choice: 'book' }, { 'Idempotency-Key': `"${uuid}"` });
    expect(booked[0]).toMatchObject({ seq: 2, text: expect.stringContaining("patient's full name") });
    // The quoted and the bare form are the same key.
    expect(await say(t.base, id, { choice: 'book' }, { 'Idempotency-Key': uuid })).toEqual(booked);
    expect((await history(t.base, id, 0)).map((m) => m.seq)).toEqual([1, 2]);
  });

  for (const [what, key] of [
    ['that is empty', ''],
    ['with a space', 'abc def ghi'],
    ['with a stray quote', '"abcdefgh'],
    ['with a letter outside ASCII', 'clé-12345'],
    ['too long', 'k'.repeat(256)],
  ] as const) {
    it(`refuses a key ${what} with 400 and records nothing`, async () => {
      const id = newSessionId();
      const response = await postJson(t.base, id, { text: 'hi' }, { 'Idempotency-Key': key });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe('BAD_IDEMPOTENCY_KEY');
      expect(await history(t.base, id, 0)).toEqual([]);
    });
  }
});

describe('stale buttons and unknown paths', () => {
  it('answers a button that is no longer on screen with a friendly reply and the current options', async () => {
    const id = newSessionId();
    for (const text of ['hi', 'book', 'Asha Rao', '98765 43210']) await say(t.base, id, { text });
    const gender = await say(t.base, id, { text: '34' });
    expect(gender[0]?.options?.map((o) => o.id)).toContain('FEMALE');

    // "contact" was a main-menu button, long gone from the screen.
    const response = await postJson(t.base, id, { choice: 'contact' });
    expect(response.status).toBe(200);
    const replies = ((await response.json()) as { messages: ChatMessage[] }).messages;
    // One message: the explanation over the current options.
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'menu', text: expect.stringMatching(/earlier message/i) });
    expect(replies[0]!.options).toEqual(gender[0]?.options);

    // And the conversation carries on from where it was.
    const next = await say(t.base, id, { choice: 'FEMALE' });
    expect(next[0]?.text).toMatch(/what is the visit for/i);
  });

  it('answers a made-up option id at the main menu with the menu again, not an error', async () => {
    const id = newSessionId();
    await say(t.base, id, { text: 'hi' });
    const replies = await say(t.base, id, { choice: 'no-such-option' });
    expect(replies.some((m) => m.kind === 'menu' && m.options?.some((o) => o.id === 'book'))).toBe(true);
  });

  for (const [method, path] of [
    ['GET', '/api/nothing-here'],
    ['POST', '/api/chat'],
    ['GET', `/api/chat/${'a'.repeat(22)}/messages/extra`],
    ['GET', '/no-such-page'],
    ['POST', '/'],
  ] as const) {
    it(`answers ${method} ${path.slice(0, 40)} with 404 JSON`, async () => {
      const response = await fetch(`${t.base}${path}`, { method });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe('NOT_FOUND');
    });
  }
});

describe('sessions are isolated', () => {
  it('never shows one session the messages of another', async () => {
    const alice = newSessionId();
    const bob = newSessionId();
    for (const text of ['hi', 'book', 'Alice Secretname']) await say(t.base, alice, { text });
    expect(await history(t.base, bob, 0)).toEqual([]);

    const bobReplies = await say(t.base, bob, { text: 'hi' });
    expect(bobReplies.map((m) => m.seq)).toEqual([1]);
    const bobTranscript = await history(t.base, bob, 0);
    expect(bobTranscript).toEqual(bobReplies);
    expect(JSON.stringify(bobTranscript)).not.toContain('full name');

    // Alice's conversation is where she left it, untouched by Bob's "hi".
    expect((await history(t.base, alice, 0)).map((m) => m.seq)).toEqual([1, 2, 3]);
    const aliceNext = await say(t.base, alice, { text: '98765 43210' });
    expect(aliceNext[0]?.text).toMatch(/how old/i);
  });

  it('keeps a session id prefix from reaching a longer id', async () => {
    const long = newSessionId() + 'XYZ';
    const prefix = long.slice(0, 22);
    await say(t.base, long, { text: 'hi' });
    expect(await history(t.base, prefix, 0)).toEqual([]);
  });
});
