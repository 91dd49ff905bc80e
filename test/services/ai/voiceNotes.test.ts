/**
 * Voice notes through the real engine, for every channel: transcribed by Gemini (the real SDK against
 * the emulator), echoed as "I heard: …" and then handled as typed text at the current step. Without a
 * key, too long, too large, not audio, not understood or while Gemini is down: a polite request to type.
 * Also checks that Gemini never receives the patient's name or phone.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, InboundContent } from '../../../src/core/messages.js';
import { createIntentDetector } from '../../../src/services/ai/index.js';
import { stateOf, TOMORROW } from '../../support/clinicFixture.js';
import { createHarness, doctor, menuLabels, slot, textOf, type Harness } from '../../support/engineHarness.js';
import { SMALL_PDF } from '../../support/files.js';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';
import { oggOpus, silentWav } from '../../support/audioClips.js';

let gemini: GeminiEmulator;
let h: Harness;
/** What the emulated Gemini "hears" in the next voice note. */
let spoken = '';

beforeAll(async () => {
  gemini = await startGeminiEmulator();
});
afterAll(async () => {
  await gemini.close();
});

function withGemini(): Harness {
  const logger = pino({ level: 'silent' });
  const config = { gemini: { apiKey: gemini.apiKey, model: 'gemini-2.5-flash', apiUrl: gemini.url, timeoutMs: 2000, voiceTimeoutMs: 2000 } };
  const harness = createHarness({ intents: createIntentDetector(config, { clock: { now: () => new Date() }, logger }) });
  return harness;
}

beforeEach(async () => {
  gemini.calls.length = 0;
  spoken = 'need a skin doctor tomorrow morning';
  gemini.handle((call) => {
    if (call.audio) return { json: { text: spoken } };
    // The intent answer depends on the words only, as a real model's would.
    return /skin/.test(call.userText) ? intentAnswer({ intent: 'book', specialty: 'Dermatology', date: TOMORROW, timeOfDay: 'morning' }) : intentAnswer({ intent: 'other' });
  });
  h = withGemini();
  await h.store.upsertDoctor(doctor('DERM', { name: 'Dr. Rohan Mehta', specialty: 'Dermatology' }));
  await h.store.upsertDoctor(doctor('GP', { name: 'Dr. Asha Verma', specialty: 'General Physician' }));
  for (const start of ['09:30', '11:00', '17:00']) await h.store.upsertSlot(slot(`derm-${start}`, 'DERM', TOMORROW, start));
});
afterEach(async () => {
  await h.close();
});

/** How each channel delivers a voice note: Telegram voice (ogg), WhatsApp ptt (ogg; codecs=opus), a web clip (wav). */
const VOICE: Record<Channel, (bytes: Uint8Array, seconds?: number) => InboundContent> = {
  telegram: (bytes, seconds) => ({ kind: 'voice', mime: 'audio/ogg', load: async () => bytes, ...(seconds ? { seconds } : {}) }),
  whatsapp: (bytes, seconds) => ({ kind: 'voice', mime: 'audio/ogg; codecs=opus', load: async () => bytes, ...(seconds ? { seconds } : {}) }),
  web: (bytes) => ({ kind: 'voice', mime: 'audio/wav', load: async () => bytes }),
};

describe('voice notes', () => {
  for (const channel of ['web', 'telegram', 'whatsapp'] as const) {
    it(`on ${channel}: "I heard: …", then the words start the booking they ask for`, async () => {
      const p = h.patient(`voice-${channel}`, { channel });
      const replies = await p.send(VOICE[channel](channel === 'web' ? silentWav(3) : oggOpus(3)));
      expect(textOf(replies)).toContain('I heard: "need a skin doctor tomorrow morning"');
      // What was heard stands alone; the booking's lead-in comes with its first question.
      expect(replies.map((r) => (r.kind === 'document' ? '' : r.text))).toEqual([
        'I heard: "need a skin doctor tomorrow morning"',
        "Sure, let's book an appointment with a Dermatology doctor on Sun, 22 Nov 2026 in the morning. First a few details.\n\nWhat is the patient's full name?",
      ]);
      expect(await stateOf(h, p)).toBe('AWAITING_NAME');
      const audioCall = gemini.calls.find((c) => c.audio);
      expect(audioCall?.audio?.mimeType).toBe(channel === 'web' ? 'audio/wav' : 'audio/ogg');
    });
  }

  it('answers the current step with the words heard, and shows the wished slots in the end', async () => {
    const p = h.patient('voice-steps', { channel: 'telegram' });
    await p.send(VOICE.telegram(oggOpus(2)));
    spoken = 'Asha Rao';
    const name = await p.send(VOICE.telegram(oggOpus(1)));
    expect(textOf(name)).toContain('I heard: "Asha Rao"');
    expect(await stateOf(h, p)).toBe('AWAITING_PHONE');
    await p.say('98765 43210');
    await p.say('34');
    await p.tap('Female');
    const offer = await p.say('rash on my arm');
    expect(menuLabels(offer)).toEqual(['9:30 AM · Dr. Rohan Mehta', '11:00 AM · Dr. Rohan Mehta', 'Choose a doctor instead']);
    // Gemini heard and read the patient's words, but never their name or phone.
    const sent = JSON.stringify(gemini.calls.filter((c) => !c.audio).map((c) => c.body));
    expect(sent).not.toContain('98765');
    expect(sent).not.toContain('Asha Rao');
  });

  it('refuses politely a note longer than two minutes, by the platform\'s length or the recording\'s own', async () => {
    const p = h.patient('voice-long', { channel: 'telegram' });
    expect(textOf(await p.send(VOICE.telegram(oggOpus(1), 150)))).toContain('under 2 minutes');
    expect(textOf(await p.send(VOICE.web(silentWav(121))))).toContain('under 2 minutes');
    expect(gemini.calls).toHaveLength(0);
    expect(await stateOf(h, p)).toBe('IDLE');
  });

  it('refuses a note larger than the upload limit', async () => {
    const p = h.patient('voice-big', { channel: 'whatsapp' });
    const big = new Uint8Array(h.settings.maxUploadBytes + 1);
    expect(textOf(await p.send(VOICE.whatsapp(big)))).toContain('too long');
    expect(gemini.calls).toHaveLength(0);
  });

  it('asks to type when the transcription fails or hears nothing, and keeps the step', async () => {
    const p = h.patient('voice-fail', { channel: 'web' });
    await p.say('hi');
    await p.tap('Book an appointment');
    gemini.handle(() => ({ status: 500 }));
    const failed = await p.send(VOICE.web(silentWav(2)));
    expect(textOf(failed)).toContain('could not make out that voice note');
    expect(textOf(failed)).toContain("patient's full name");
    gemini.handle(() => ({ json: { text: '  ' } }));
    expect(textOf(await p.send(VOICE.web(silentWav(2))))).toContain('could not hear any words');
    expect(await stateOf(h, p)).toBe('AWAITING_NAME');
  });

  it('refuses a document or random bytes sent as a voice note, without sending them to Gemini', async () => {
    const p = h.patient('voice-not-audio', { channel: 'whatsapp' });
    const random = new Uint8Array(32 * 1024).map((_, i) => (i * 7919 + 13) % 251);
    expect(textOf(await p.send(VOICE.whatsapp(SMALL_PDF)))).toContain('could not make out that voice note');
    expect(textOf(await p.send({ kind: 'voice', mime: 'audio/mpeg', load: async () => random }))).toContain('could not make out that voice note');
    expect(gemini.calls).toHaveLength(0);
  });

  it('while Gemini is down, a voice note gets "please type" at once instead of waiting for it', async () => {
    const p = h.patient('voice-outage', { channel: 'telegram' });
    gemini.handle(() => ({ status: 503 }));
    for (let i = 0; i < 3; i++) expect(textOf(await p.send(VOICE.telegram(oggOpus(2))))).toContain('could not make out that voice note');
    expect(gemini.calls).toHaveLength(3);
    // Gemini would now not answer at all; after three failures the note must not wait for it.
    gemini.handle(() => ({ after: new Promise<void>(() => undefined), then: { json: { text: 'too late' } } }));
    expect(textOf(await p.send(VOICE.telegram(oggOpus(2))))).toContain('could not make out that voice note. Please type your message instead.');
    expect(gemini.calls).toHaveLength(3);
  });

  it('without a Gemini key asks the patient to type instead', async () => {
    const rulesOnly = createHarness({ intents: createIntentDetector({ gemini: null }, { clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) }) });
    try {
      const p = rulesOnly.patient('voice-no-key', { channel: 'whatsapp' });
      const replies = await p.send(VOICE.whatsapp(oggOpus(2)));
      expect(textOf(replies)).toContain("can't listen to voice notes");
      expect(textOf(replies)).toContain('Please type your message');
      expect(menuLabels(replies)).toContain('Book an appointment');
    } finally {
      await rulesOnly.close();
    }
  });
});
