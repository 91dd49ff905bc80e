/**
 * Gemini through the real @google/genai SDK against the loopback emulator: what is sent (structured
 * output, only the patient's words and the clinic's doctor list), what comes back, and the fallback to
 * the rules when Gemini times out, fails or answers something that does not validate.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INTENTS } from '../../../src/core/ports.js';
import { GeminiError, GeminiIntentDetector, ResilientIntentDetector, RuleBasedIntentDetector } from '../../../src/services/ai/index.js';
import { TestClock } from '../../support/clock.js';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';
import { fixtureContext, REFERENCE_NOW } from './fixtureSet.js';

let gemini: GeminiEmulator;
beforeAll(async () => {
  gemini = await startGeminiEmulator();
});
afterAll(async () => {
  await gemini.close();
});
afterEach(() => {
  gemini.calls.length = 0;
});

const context = fixtureContext();

function geminiDetector(timeoutMs = 2000): GeminiIntentDetector {
  return new GeminiIntentDetector({ apiKey: gemini.apiKey, model: 'gemini-2.5-flash', apiUrl: gemini.url, timeoutMs, voiceTimeoutMs: timeoutMs });
}

function resilient(timeoutMs = 2000, clock = new TestClock(REFERENCE_NOW)) {
  return new ResilientIntentDetector({ primary: geminiDetector(timeoutMs), fallback: new RuleBasedIntentDetector(), clock, logger: pino({ level: 'silent' }) });
}

describe('GeminiIntentDetector', () => {
  it('asks for structured JSON with only the words, the date, the time zone and the clinic doctors', async () => {
    gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Dermatology', date: '2026-11-22', timeOfDay: 'morning' }));
    const intent = await geminiDetector().detect('skin doctor kal subah', context);
    expect(intent).toEqual({ intent: 'book', specialty: 'Dermatology', doctorId: null, date: '2026-11-22', timeOfDay: 'morning', time: null, earliest: false, source: 'gemini' });

    const [call] = gemini.calls;
    expect(call?.model).toBe('gemini-2.5-flash');
    expect(call?.userText).toBe('skin doctor kal subah');
    expect(call?.responseMimeType).toBe('application/json');
    const schema = call?.responseSchema as { properties: Record<string, { enum?: string[] }>; required: string[] };
    expect(schema.properties.intent?.enum).toEqual([...INTENTS]);
    expect(schema.properties.specialty?.enum).toEqual(expect.arrayContaining(['Cardiology', 'Dermatology', 'ENT']));
    expect(schema.properties.doctorId?.enum).toContain('D-CARD');
    expect(schema.required).toContain('intent');
    expect(call?.system).toContain('2026-11-21');
    expect(call?.system).toContain('Asia/Kolkata');
    expect(call?.system).toContain('Dr. Rajiv Sharma');
    // An inactive doctor is not offered to the model.
    expect(call?.system).not.toContain('Neha Gupta');
  });

  it('drops a specialty or doctor the clinic does not have', async () => {
    gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Dentistry', doctorId: 'D-NOBODY' }));
    const intent = await geminiDetector().detect('tooth ache', context);
    expect(intent).toMatchObject({ intent: 'book', specialty: null, doctorId: null, source: 'gemini' });
  });

  it('throws typed errors for HTTP failures, malformed JSON and answers that break the schema', async () => {
    gemini.handle(() => ({ status: 503, message: 'overloaded' }));
    await expect(geminiDetector().detect('hi', context)).rejects.toMatchObject({ kind: 'unavailable' });
    gemini.handle(() => ({ text: '{"intent": "book", ' }));
    await expect(geminiDetector().detect('hi', context)).rejects.toMatchObject({ kind: 'invalid-answer' });
    gemini.handle(() => intentAnswer({ intent: 'book_now' }));
    await expect(geminiDetector().detect('hi', context)).rejects.toBeInstanceOf(GeminiError);
    gemini.handle(() => intentAnswer({ intent: 'book', date: '22/11/2026' }));
    await expect(geminiDetector().detect('hi', context)).rejects.toMatchObject({ kind: 'invalid-answer' });
  });

  it('transcribes a voice note sent as an inline audio part', async () => {
    gemini.handle((call) => ({ json: { text: call.audio ? 'need a skin doctor tomorrow morning' : '' } }));
    const audio = new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1, 2, 3]);
    expect(await geminiDetector().transcribe(audio, 'audio/ogg; codecs=opus')).toBe('need a skin doctor tomorrow morning');
    expect(gemini.calls[0]?.audio?.mimeType).toBe('audio/ogg');
    expect([...(gemini.calls[0]?.audio?.bytes ?? [])]).toEqual([...audio]);

    await geminiDetector().transcribe(audio, 'audio/webm;codecs=opus');
    expect(gemini.calls[1]?.audio?.mimeType).toBe('audio/webm');
    await expect(geminiDetector().transcribe(audio, 'application/pdf')).rejects.toMatchObject({ kind: 'unsupported-audio' });
    expect(gemini.calls).toHaveLength(2);
  });
});

describe('ResilientIntentDetector (Gemini, then the rules)', () => {
  it('answers from Gemini when it answers well', async () => {
    gemini.handle(() => intentAnswer({ intent: 'book', doctorId: 'D-CARD', date: '2026-11-22', time: '10:00' }));
    expect(await resilient().detect('book Dr Rajiv tomorrow 10am', context)).toMatchObject({ source: 'gemini', doctorId: 'D-CARD' });
  });

  const rulesAnswer = { intent: 'book', specialty: 'Dermatology', date: '2026-11-22', timeOfDay: 'morning', source: 'rules' };

  it('falls back to the rules when Gemini does not answer in time', async () => {
    let release!: () => void;
    const never = new Promise<void>((resolve) => (release = resolve));
    gemini.handle(() => ({ after: never, then: intentAnswer({ intent: 'greeting' }) }));
    expect(await resilient(150).detect('skin doctor kal subah', context)).toMatchObject(rulesAnswer);
    release();
  });

  it('falls back to the rules on an HTTP error, malformed JSON or an invalid answer', async () => {
    for (const reply of [{ status: 500 }, { text: 'Sure! Here is the JSON: {intent: book}' }, intentAnswer({ intent: 'book', timeOfDay: 'night' })]) {
      gemini.handle(() => reply);
      expect(await resilient().detect('skin doctor kal subah', context)).toMatchObject(rulesAnswer);
    }
  });

  it('leaves Gemini alone for a minute after three failures in a row, then tries again', async () => {
    gemini.handle(() => ({ status: 500 }));
    const clock = new TestClock(REFERENCE_NOW);
    const detector = resilient(2000, clock);
    for (let i = 0; i < 5; i++) await detector.detect('kal subah', context);
    expect(gemini.calls).toHaveLength(3);
    clock.advanceMinutes(2);
    gemini.handle(() => intentAnswer({ intent: 'help' }));
    expect(await detector.detect('kal subah', context)).toMatchObject({ source: 'gemini', intent: 'help' });
  });

  it('transcribes only when Gemini is configured', () => {
    expect(resilient().transcribe).toBeTypeOf('function');
    const rulesOnly = new ResilientIntentDetector({ fallback: new RuleBasedIntentDetector(), clock: new TestClock(REFERENCE_NOW), logger: pino({ level: 'silent' }) });
    expect(rulesOnly.transcribe).toBeUndefined();
  });
});
