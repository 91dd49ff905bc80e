/**
 * What the flow does with the words of a voice note (transcribed by Gemini: the real SDK against the
 * emulator): an answer that cannot be undone is not taken from a recording, and a long transcript is
 * echoed shortened.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_VOICE_BYTES_OF_UNKNOWN_LENGTH, VOICE_TOO_LONG_TEXT } from '../../../src/core/flow/voiceNotes.js';
import { createIntentDetector } from '../../../src/services/ai/index.js';
import { silentWav } from '../../support/audioClips.js';
import { stateOf, TOMORROW } from '../../support/clinicFixture.js';
import { createHarness, doctor, slot, textOf, type Harness } from '../../support/engineHarness.js';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';

let gemini: GeminiEmulator;
let h: Harness;
/** What the emulated Gemini hears in the next voice note. */
let spoken = '';

beforeAll(async () => {
  gemini = await startGeminiEmulator();
});
afterAll(async () => {
  await gemini.close();
});

beforeEach(async () => {
  gemini.calls.length = 0;
  gemini.handle((call) => (call.audio ? { json: { text: spoken } } : intentAnswer({ intent: 'other' })));
  const config = { gemini: { apiKey: gemini.apiKey, model: 'gemini-2.5-flash', apiUrl: gemini.url, timeoutMs: 2000, voiceTimeoutMs: 2000 } };
  h = createHarness({ intents: createIntentDetector(config, { clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) }) });
  await h.store.upsertDoctor(doctor('GP', { name: 'Dr. Asha Verma' }));
  await h.store.upsertSlot(slot('gp-11:00', 'GP', TOMORROW, '11:00'));
});
afterEach(async () => {
  await h.close();
});

const voiceNote = () => ({ kind: 'voice' as const, mime: 'audio/wav', load: async () => silentWav(2) });

describe('the words of a voice note', () => {
  it('do not cancel an appointment: the patient is asked to tap or type that answer', async () => {
    const p = h.patient('voice-cancel', { channel: 'telegram' });
    const now = h.clock.now();
    const held = await h.store.holdSlot(
      { conversation: p.ref, patient: { name: 'Asha Rao', phone: '+919876543210', age: 34, gender: 'FEMALE' }, purpose: 'Fever', slotId: 'gp-11:00', holdExpiresAt: new Date(now.getTime() + 20 * 60_000) },
      now,
    );
    await h.store.confirmAppointment(held.id, { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' }, now);
    await p.say('hi');
    await p.tap('Cancel an appointment');
    expect(await stateOf(h, p)).toBe('SELECTING_APPOINTMENT_TO_CANCEL');
    await p.choose((await h.sessions.load(p.ref))!.menu[0]!.id);
    expect(await stateOf(h, p)).toBe('CONFIRMING_CANCELLATION');

    spoken = 'yes';
    const replies = await p.send(voiceNote());
    expect(textOf(replies)).toContain('I heard: "yes"');
    expect(textOf(replies)).toContain('A cancellation cannot be undone, so please tap or type your answer');
    expect(await stateOf(h, p)).toBe('CONFIRMING_CANCELLATION');
    expect((await h.store.getAppointment(held.id))?.status).toBe('CONFIRMED');

    await p.say('yes');
    expect((await h.store.getAppointment(held.id))?.status).toBe('CANCELLED');
  });

  it('are not listened to when a clip whose length cannot be read is larger than two minutes of speech', async () => {
    const p = h.patient('voice-webm', { channel: 'web' });
    const big = new Uint8Array(MAX_VOICE_BYTES_OF_UNKNOWN_LENGTH + 1);
    const replies = await p.send({ kind: 'voice', mime: 'audio/webm', load: async () => big });
    expect(textOf(replies)).toContain(VOICE_TOO_LONG_TEXT);
    expect(gemini.calls.filter((call) => call.audio)).toEqual([]);
  });

  it('are echoed shortened when long', async () => {
    const p = h.patient('voice-long', { channel: 'web' });
    spoken = 'word '.repeat(400).trim();
    const [heard] = await p.send(voiceNote());
    const text = heard?.kind === 'text' ? heard.text : '';
    expect(text.startsWith('I heard: "word word')).toBe(true);
    expect(text.endsWith('…"')).toBe(true);
    expect([...text].length).toBeLessThanOrEqual(320);
  });
});
