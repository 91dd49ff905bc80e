/**
 * The whole service over HTTP on the web chat: with no key at all the rules understand "need a skin
 * doctor tomorrow morning"; with a key (emulated) the same goes through Gemini; a recorded voice clip
 * uploaded as multipart "voice" is transcribed and handled the same way. A key Google refuses shows in
 * /health while the rules answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';
import { messagesUrl, newSessionId, say, SMALL_PDF, startAppsClosedAfterEach, type ChatMessage } from '../../http/helpers.js';
import { silentWav } from '../../support/audioClips.js';

const start = startAppsClosedAfterEach();
let gemini: GeminiEmulator;

beforeAll(async () => {
  gemini = await startGeminiEmulator();
});
afterAll(async () => {
  await gemini.close();
});

/** The helpers' clock is Monday 2 Mar 2026, 09:30 in Kolkata: "tomorrow" is Tuesday 3 March. */
const TOMORROW_HEADING = 'Free times with Dermatology doctors on Tue, 3 Mar 2026 in the morning';

async function details(base: string, sessionId: string): Promise<ChatMessage[]> {
  for (const text of ['Asha Rao', '98765 43210', '34', 'Female']) await say(base, sessionId, { text });
  return say(base, sessionId, { text: 'itchy rash' });
}

function lastMenu(messages: ChatMessage[]): ChatMessage | undefined {
  return messages.filter((m) => m.kind === 'menu').at(-1);
}

async function postVoice(base: string, sessionId: string, bytes: Uint8Array, mime: string): Promise<Response> {
  const form = new FormData();
  form.append('voice', new Blob([bytes], { type: mime }), 'voice.wav');
  return fetch(messagesUrl(base, sessionId), { method: 'POST', body: form });
}

function expectMorningDermatologySlots(menu: ChatMessage | undefined): void {
  expect(menu?.text).toContain(TOMORROW_HEADING);
  const labels = (menu?.options ?? []).map((o) => o.label);
  expect(labels.slice(0, 2)).toEqual(['11:00 AM · Dr. Rohan Mehta (sample)', '11:30 AM · Dr. Rohan Mehta (sample)']);
  expect(labels.filter((l) => /PM/.test(l))).toEqual([]);
}

describe('free text on the web chat', () => {
  it('with no key, "need a skin doctor tomorrow morning" offers the dermatologists\' free slots for tomorrow morning', async () => {
    const { base, app } = await start();
    expect(app.features.find((f) => f.name === 'ai')).toMatchObject({ on: true, detail: expect.stringContaining('GEMINI_API_KEY not set') });
    const sessionId = newSessionId();
    const first = await say(base, sessionId, { text: 'need a skin doctor tomorrow morning' });
    expect(first.map((m) => m.text).join('\n')).toContain('with a Dermatology doctor');
    expectMorningDermatologySlots(lastMenu(await details(base, sessionId)));
  });

  it('with a key, the same goes through Gemini', async () => {
    gemini.calls.length = 0;
    gemini.handle((call) => (call.userText.includes('skin') ? intentAnswer({ intent: 'book', specialty: 'Dermatology', date: '2026-03-03', timeOfDay: 'morning' }) : intentAnswer({ intent: 'other' })));
    const { base, app } = await start({ GEMINI_API_KEY: gemini.apiKey, GEMINI_API_URL: gemini.url });
    expect(app.features.find((f) => f.name === 'ai')?.detail).toContain('Gemini gemini-2.5-flash');
    const sessionId = newSessionId();
    await say(base, sessionId, { text: 'need a skin doctor tomorrow morning' });
    expect(gemini.calls.map((c) => c.userText)).toEqual(['need a skin doctor tomorrow morning']);
    expectMorningDermatologySlots(lastMenu(await details(base, sessionId)));
  });

  it('a voice clip says the same: "I heard: …", then the same slots', async () => {
    gemini.handle((call) =>
      call.audio ? { json: { text: 'need a skin doctor tomorrow morning' } } : intentAnswer({ intent: 'book', specialty: 'Dermatology', date: '2026-03-03', timeOfDay: 'morning' }),
    );
    const { base } = await start({ GEMINI_API_KEY: gemini.apiKey, GEMINI_API_URL: gemini.url });
    const sessionId = newSessionId();
    const response = await postVoice(base, sessionId, silentWav(1), 'audio/wav');
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: ChatMessage[] };
    expect(messages[0]?.text).toBe('I heard: "need a skin doctor tomorrow morning"');
    expect(gemini.calls.at(-2)?.audio?.mimeType).toBe('audio/wav');
    expectMorningDermatologySlots(lastMenu(await details(base, sessionId)));
  });

  it('without a key a voice clip gets a polite request to type; a clip that is not audio is refused', async () => {
    const { base } = await start();
    const sessionId = newSessionId();
    const response = await postVoice(base, sessionId, new Uint8Array([1, 2, 3]), 'audio/webm');
    const { messages } = (await response.json()) as { messages: ChatMessage[] };
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ kind: 'menu', text: expect.stringMatching(/^Sorry, I can't listen to voice notes here yet\.[^]*\n\nWelcome/) });
    const wrong = await postVoice(base, sessionId, new Uint8Array([1, 2, 3]), 'application/pdf');
    expect(wrong.status).toBe(415);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('NOT_AUDIO');
  });

  it('a document uploaded as a voice note labelled audio is not sent to Google', async () => {
    gemini.calls.length = 0;
    gemini.handle(() => ({ json: { text: 'should not be asked' } }));
    const { base } = await start({ GEMINI_API_KEY: gemini.apiKey, GEMINI_API_URL: gemini.url });
    const response = await postVoice(base, newSessionId(), SMALL_PDF, 'audio/ogg');
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: ChatMessage[] };
    expect(messages[0]?.text).toMatch(/^Sorry, I could not make out that voice note\. Please type your message instead\./);
    expect(gemini.calls).toHaveLength(0);
  });

  it('a key Google refuses shows in /health, while the rules keep answering', async () => {
    const { base } = await start({ GEMINI_API_KEY: 'AIza-not-a-valid-key', GEMINI_API_URL: gemini.url });
    const healthy = (await (await fetch(`${base}/health`)).json()) as { ai: unknown };
    expect(healthy.ai).toEqual({ ok: true, gemini: 'on' });

    const sessionId = newSessionId();
    const first = await say(base, sessionId, { text: 'need a skin doctor tomorrow morning' });
    expect(first.map((m) => m.text).join('\n')).toContain('with a Dermatology doctor');

    const response = await fetch(`${base}/health`);
    expect(response.status).toBe(503);
    const health = (await response.json()) as { status: string; ai: { ok: boolean; gemini: string; problem: string }; features: Record<string, { detail: string }> };
    expect(health.status).toBe('degraded');
    expect(health.ai).toMatchObject({ ok: false, gemini: 'refused', problem: expect.stringMatching(/^Gemini refused GEMINI_API_KEY \(HTTP 400 API_KEY_INVALID\)/) });
    expect(health.features.ai?.detail).toContain('set it as GEMINI_API_KEY and restart');
    expect(JSON.stringify(health)).not.toContain('AIza-not-a-valid-key');
    expectMorningDermatologySlots(lastMenu(await details(base, sessionId)));
  });
});
