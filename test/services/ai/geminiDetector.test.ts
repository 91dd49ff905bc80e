/**
 * Gemini through the real @google/genai SDK against the loopback emulator: what is sent (structured
 * output, only the patient's words and the clinic's doctor list), what comes back, and the fallback to
 * the rules when Gemini times out, fails or answers something that does not validate.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { INTENTS } from '../../../src/core/ports.js';
import { GeminiError, GeminiIntentDetector, ResilientIntentDetector, RuleBasedIntentDetector } from '../../../src/services/ai/index.js';
import { TestClock } from '../../support/clock.js';
import { SMALL_PDF } from '../../support/files.js';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';
import { fixtureContext, REFERENCE_NOW } from './fixtureSet.js';
import { oggOpus, silentWav } from '../../support/audioClips.js';

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

function geminiDetector(timeoutMs = 2000, settings: { model?: string; apiKey?: string } = {}): GeminiIntentDetector {
  return new GeminiIntentDetector({ apiKey: settings.apiKey ?? gemini.apiKey, model: settings.model ?? 'gemini-2.5-flash', apiUrl: gemini.url, timeoutMs, voiceTimeoutMs: timeoutMs });
}

function resilient(timeoutMs = 2000, clock = new TestClock(REFERENCE_NOW), logger = pino({ level: 'silent' }), primary = geminiDetector(timeoutMs)) {
  return new ResilientIntentDetector({ primary, fallback: new RuleBasedIntentDetector(), clock, logger });
}

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: { level: number; msg: string; [field: string]: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  return { logger, lines, errors: () => lines.filter((l) => l.level >= 50) };
}

/** A Chrome voice recording's start: the EBML header of a WebM file. */
const WEBM_HEADER = new Uint8Array([
  0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81, 0x01, 0x42, 0xf2, 0x81, 0x04, 0x42, 0xf3, 0x81, 0x08, 0x42, 0x82, 0x84,
  0x77, 0x65, 0x62, 0x6d, 0x42, 0x87, 0x81, 0x04, 0x42, 0x85, 0x81, 0x02,
]);

function webm(totalBytes: number): Uint8Array {
  const bytes = new Uint8Array(totalBytes);
  bytes.set(WEBM_HEADER);
  return bytes;
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

  it('takes a specialty or doctor the clinic does not have as an invalid answer', async () => {
    gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Neurology', doctorId: null }));
    await expect(geminiDetector().detect('need a skin doctor', context)).rejects.toMatchObject({ kind: 'invalid-answer' });
    gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Dermatology', doctorId: 'DR-GHOST' }));
    await expect(geminiDetector().detect('need a skin doctor', context)).rejects.toMatchObject({ kind: 'invalid-answer' });
  });

  it('takes a date before today, or more than a year ahead, in the clinic\'s zone as an invalid answer', async () => {
    // REFERENCE_NOW is Saturday 21 Nov 2026, 10:00 in Kolkata.
    for (const date of ['2025-01-10', '2026-11-20', '2027-11-22']) {
      gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Dermatology', date }));
      await expect(geminiDetector().detect('skin doctor', context), date).rejects.toMatchObject({ kind: 'invalid-answer' });
    }
    for (const date of ['2026-11-21', '2027-11-21']) {
      gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Dermatology', date }));
      expect(await geminiDetector().detect('skin doctor', context)).toMatchObject({ date, source: 'gemini' });
    }
    // 19:00 UTC on the 21st is 00:30 on the 22nd in Kolkata: the 21st is already past there.
    const afterMidnight = { ...context, now: new Date('2026-11-21T19:00:00Z') };
    gemini.handle(() => intentAnswer({ intent: 'book', date: '2026-11-21' }));
    await expect(geminiDetector().detect('aaj', afterMidnight)).rejects.toMatchObject({ kind: 'invalid-answer' });
    gemini.handle(() => intentAnswer({ intent: 'book', date: '2026-11-22' }));
    expect(await geminiDetector().detect('aaj', afterMidnight)).toMatchObject({ date: '2026-11-22' });
  });

  it('sends phone numbers and other long numbers as placeholders, dates and times as typed', async () => {
    gemini.handle(() => intentAnswer({ intent: 'book', specialty: 'Dermatology' }));
    await geminiDetector().detect('I am Ramesh Gupta, 9876543210, need skin doctor tomorrow', context);
    await geminiDetector().detect('call +91 98765-43210 or ९८७६५४३२१०, aadhaar 1234 5678 9012, on 24-11-2026 at 10:30', context);
    await geminiDetector().detect('policy 12345678901234, 2026-11-24 10am or 25 11 2026 4 baje', context);
    expect(gemini.calls.map((c) => c.userText)).toEqual([
      'I am Ramesh Gupta, [phone], need skin doctor tomorrow',
      'call [phone] or [number], aadhaar [phone], on 24-11-2026 at 10:30',
      'policy [number], 2026-11-24 10am or 25 11 2026 4 baje',
    ]);
    const sent = JSON.stringify(gemini.calls.map((c) => c.body));
    for (const digits of ['9876543210', '98765', '43210', '९८७६५४३२१०', '5678']) expect(sent).not.toContain(digits);
  });

  it('asks 2.5 Flash not to think, and every other model for its least thinking, for text and voice alike', async () => {
    gemini.handle((call) => (call.audio ? { json: { text: 'hello' } } : intentAnswer({ intent: 'greeting' })));
    await geminiDetector().detect('hi', context);
    await geminiDetector().transcribe(oggOpus(2), 'audio/ogg');
    for (const model of ['gemini-2.5-flash-lite', 'gemini-2.5-pro', 'gemini-3-flash-preview', 'gemini-2.0-flash']) {
      await geminiDetector(2000, { model }).detect('hi', context);
    }
    expect(gemini.calls.map((c) => [c.model, c.body.generationConfig?.thinkingConfig])).toEqual([
      ['gemini-2.5-flash', { thinkingBudget: 0 }],
      ['gemini-2.5-flash', { thinkingBudget: 0 }],
      ['gemini-2.5-flash-lite', { thinkingBudget: 0 }],
      // 2.5 Pro cannot stop thinking: 128 tokens is its least.
      ['gemini-2.5-pro', { thinkingBudget: 128 }],
      ['gemini-3-flash-preview', { thinkingLevel: 'LOW' }],
      // A model that does not think would refuse the setting.
      ['gemini-2.0-flash', undefined],
    ]);
  });

  it('reads the text parts of the answer itself, leaving out thoughts and other parts, without writing to the console', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      const json = JSON.stringify({ intent: 'book', specialty: 'Dermatology', doctorId: null, date: null, timeOfDay: null, time: null, earliest: false });
      gemini.handle(() => ({
        response: {
          candidates: [
            {
              content: {
                role: 'model',
                parts: [{ text: 'The patient wants a dermatologist.', thought: true }, { functionCall: { name: 'lookup', args: {} } }, { text: json.slice(0, 20) }, { text: json.slice(20) }],
              },
              finishReason: 'STOP',
              index: 0,
            },
          ],
        },
      }));
      expect(await geminiDetector().detect('skin doctor', context)).toMatchObject({ intent: 'book', specialty: 'Dermatology', source: 'gemini' });
      expect(warn).not.toHaveBeenCalled();
      gemini.handle(() => ({ response: { promptFeedback: { blockReason: 'SAFETY' } } }));
      await expect(geminiDetector().detect('skin doctor', context)).rejects.toMatchObject({ kind: 'invalid-answer', message: expect.stringContaining('SAFETY') });
    } finally {
      warn.mockRestore();
    }
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
    const audio = oggOpus(3);
    expect(await geminiDetector().transcribe(audio, 'audio/ogg; codecs=opus')).toBe('need a skin doctor tomorrow morning');
    expect(gemini.calls[0]?.audio?.mimeType).toBe('audio/ogg');
    expect([...(gemini.calls[0]?.audio?.bytes ?? [])]).toEqual([...audio]);

    await geminiDetector().transcribe(webm(4000), 'audio/webm;codecs=opus');
    expect(gemini.calls[1]?.audio?.mimeType).toBe('audio/webm');
    // The bytes decide the type sent: a WAV clip labelled as Ogg goes as WAV.
    await geminiDetector().transcribe(silentWav(1), 'audio/ogg');
    expect(gemini.calls[2]?.audio?.mimeType).toBe('audio/wav');
    await expect(geminiDetector().transcribe(audio, 'application/pdf')).rejects.toMatchObject({ kind: 'unsupported-audio' });
    expect(gemini.calls).toHaveLength(3);
  });

  it('sends nothing when the clip\'s bytes are not audio, or too many for two minutes of speech', async () => {
    gemini.handle(() => ({ json: { text: 'should not be asked' } }));
    const random = new Uint8Array(64 * 1024).map((_, i) => (i * 7919 + 13) % 251);
    await expect(geminiDetector().transcribe(SMALL_PDF, 'audio/ogg')).rejects.toMatchObject({ kind: 'unsupported-audio' });
    await expect(geminiDetector().transcribe(random, 'audio/mpeg')).rejects.toMatchObject({ kind: 'unsupported-audio' });
    // Two minutes at 320 kbit/s, the most any voice recording uses, is 4.8 MB.
    await expect(geminiDetector().transcribe(webm(4_800_001), 'audio/webm')).rejects.toMatchObject({ kind: 'unsupported-audio' });
    expect(gemini.calls).toHaveLength(0);
    gemini.handle(() => ({ json: { text: 'two minutes of talk' } }));
    expect(await geminiDetector().transcribe(webm(4_800_000), 'audio/webm')).toBe('two minutes of talk');
  });

  it('says which setting to fix when Google refuses the key or the model', async () => {
    await expect(geminiDetector(2000, { apiKey: 'AIza-wrong' }).detect('hi', context)).rejects.toMatchObject({
      kind: 'refused',
      setting: 'GEMINI_API_KEY',
      message: expect.stringMatching(/^Gemini refused GEMINI_API_KEY \(HTTP 400 API_KEY_INVALID\): create a key in Google AI Studio/),
    });
    gemini.handle(() => ({ status: 403, message: 'Generative Language API has not been used in project 123 before or it is disabled.' }));
    await expect(geminiDetector().detect('hi', context)).rejects.toMatchObject({ kind: 'refused', setting: 'GEMINI_API_KEY', message: expect.stringContaining('HTTP 403 PERMISSION_DENIED') });
    gemini.handle(() => ({ status: 404, message: 'models/gemini-9-ultra is not found for API version v1beta.' }));
    await expect(geminiDetector(2000, { model: 'gemini-9-ultra' }).detect('hi', context)).rejects.toMatchObject({
      kind: 'refused',
      setting: 'GEMINI_MODEL',
      message: expect.stringContaining('GEMINI_MODEL "gemini-9-ultra"'),
    });
    // A 400 about the request itself, a 429 or a 5xx may pass.
    for (const status of [400, 429, 500]) {
      gemini.handle(() => ({ status, message: 'Request payload size exceeds the limit.' }));
      await expect(geminiDetector().detect('hi', context)).rejects.toMatchObject({ kind: 'unavailable' });
    }
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

  it('answers from the rules when Gemini names a specialty or doctor the clinic lacks, or a day already past', async () => {
    for (const wrong of [{ specialty: 'Neurology' }, { doctorId: 'DR-GHOST' }, { specialty: 'Dermatology', date: '2025-11-22' }]) {
      gemini.handle(() => intentAnswer({ intent: 'book', date: '2026-11-22', timeOfDay: 'morning', ...wrong }));
      expect(await resilient().detect('need a skin doctor tomorrow morning', context)).toMatchObject(rulesAnswer);
    }
  });

  it('counts failed voice notes toward the pause, and fails a voice note at once while Gemini is paused', async () => {
    gemini.handle(() => ({ status: 503 }));
    const clock = new TestClock(REFERENCE_NOW);
    const detector = resilient(2000, clock);
    for (let i = 0; i < 3; i++) await expect(detector.transcribe!(oggOpus(2), 'audio/ogg')).rejects.toMatchObject({ kind: 'unavailable' });
    expect(gemini.calls).toHaveLength(3);
    // Paused: text goes to the rules and a voice note fails, neither calling Gemini (which would now hang).
    let release!: () => void;
    gemini.handle(() => ({ after: new Promise<void>((resolve) => (release = resolve)), then: { json: { text: 'late' } } }));
    expect(await detector.detect('skin doctor kal subah', context)).toMatchObject(rulesAnswer);
    await expect(detector.transcribe!(oggOpus(2), 'audio/ogg')).rejects.toMatchObject({ kind: 'unavailable' });
    expect(gemini.calls).toHaveLength(3);
    expect(detector.health()).toEqual({ ok: true, gemini: 'paused' });
    release?.();
    clock.advanceMinutes(2);
    gemini.handle(() => ({ json: { text: 'kal subah' } }));
    expect(await detector.transcribe!(oggOpus(2), 'audio/ogg')).toBe('kal subah');
    expect(detector.health()).toEqual({ ok: true, gemini: 'on' });
  });

  it('does not count a clip that is not audio as a Gemini failure', async () => {
    const detector = resilient();
    for (let i = 0; i < 4; i++) await expect(detector.transcribe!(SMALL_PDF, 'audio/ogg')).rejects.toMatchObject({ kind: 'unsupported-audio' });
    gemini.handle(() => intentAnswer({ intent: 'help' }));
    expect(await detector.detect('help', context)).toMatchObject({ source: 'gemini' });
  });

  it('logs a refused key once, as an error saying what to do, shows it in its health, and clears it when Gemini answers again', async () => {
    const clock = new TestClock(REFERENCE_NOW);
    const { logger, lines, errors } = recordingLogger();
    gemini.handle(() => ({ status: 400, message: 'API key expired. Please renew the API key.', reason: 'API_KEY_INVALID' }));
    const detector = resilient(2000, clock, logger);
    expect(await detector.detect('skin doctor kal subah', context)).toMatchObject(rulesAnswer);
    // A refusal pauses Gemini at once: it will not pass by itself.
    expect(await detector.detect('skin doctor kal subah', context)).toMatchObject(rulesAnswer);
    await expect(detector.transcribe!(oggOpus(2), 'audio/ogg')).rejects.toBeInstanceOf(GeminiError);
    expect(gemini.calls).toHaveLength(1);
    clock.advanceMinutes(2);
    expect(await detector.detect('skin doctor kal subah', context)).toMatchObject(rulesAnswer);
    expect(gemini.calls).toHaveLength(2);

    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toMatchObject({ setting: 'GEMINI_API_KEY', msg: expect.stringMatching(/^Gemini refused GEMINI_API_KEY \(HTTP 400 API_KEY_INVALID\): .*set it as GEMINI_API_KEY and restart\. Until then the rules read free text/) });
    // Neither the key nor the patient's words are logged; no warning per message either.
    expect(JSON.stringify(lines)).not.toContain(gemini.apiKey);
    expect(JSON.stringify(lines)).not.toContain('skin doctor');
    expect(lines.filter((l) => l.level === 40)).toHaveLength(0);
    expect(detector.health()).toEqual({ ok: false, gemini: 'refused', problem: expect.stringContaining('GEMINI_API_KEY') });

    // Once the key works (the API enabled in the key's project, say), the problem clears.
    gemini.handle(() => ({ status: 403, message: 'Generative Language API is disabled.' }));
    const recovering = resilient(2000, clock, logger);
    await recovering.detect('hi', context);
    expect(recovering.health()).toMatchObject({ ok: false, gemini: 'refused' });
    clock.advanceMinutes(2);
    gemini.handle(() => intentAnswer({ intent: 'greeting' }));
    expect(await recovering.detect('hi', context)).toMatchObject({ source: 'gemini' });
    expect(recovering.health()).toEqual({ ok: true, gemini: 'on' });
    expect(lines.at(-1)).toMatchObject({ level: 30, msg: 'Gemini answers again: it reads free text and voice notes' });
  });
});
