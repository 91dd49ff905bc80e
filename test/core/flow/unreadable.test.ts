/**
 * A message the bot cannot read (a sticker, a location, a poll…): one reply saying what the bot can
 * read at this step, followed by the open question or menu again; the session is left as it was and
 * the turn is stored like any other.
 */
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UnreadableKind } from '../../../src/core/messages.js';
import type { Session } from '../../../src/core/session.js';
import { createIntentDetector } from '../../../src/services/ai/index.js';
import { seedClinic, stateOf, walkTo, type Patient } from '../../support/clinicFixture.js';
import { createHarness, menuLabels, textOf, type Harness, type HarnessOptions } from '../../support/engineHarness.js';
import { intentAnswer, startGeminiEmulator, type GeminiEmulator } from '../../support/geminiEmulator.js';

let h: Harness;
afterEach(async () => h.close());

async function clinic(options: HarnessOptions = {}): Promise<Harness> {
  h = createHarness(options);
  await seedClinic(h);
  return h;
}

const unreadable = (p: Patient, what: UnreadableKind) => p.send({ kind: 'unreadable', what });

/** The stored session without what every handled message changes. */
async function flowOf(p: Patient): Promise<Omit<Session, 'recentMessageIds' | 'updatedAt'> | undefined> {
  const stored = await h.sessions.load(p.ref);
  if (!stored) return undefined;
  const { recentMessageIds: _ids, updatedAt: _at, ...flow } = stored;
  return flow;
}

describe('a message the bot cannot read', () => {
  it('at the age question gets one reply: what the bot reads, then "How old" again, with nothing changed', async () => {
    await clinic();
    const p = h.patient('wa-age', { channel: 'whatsapp' });
    await walkTo(p, 'AWAITING_AGE');
    const before = await flowOf(p);

    const replies = await unreadable(p, 'sticker');
    expect(replies).toHaveLength(1);
    expect(textOf(replies)).toMatch(/^Sorry, I can't read stickers\. Here I can only read text messages\.\n\nHow old is the patient/);
    expect(await flowOf(p)).toEqual(before);

    expect(menuLabels(await p.say('34'))).toEqual(['Male', 'Female', 'Other', 'Prefer not to say']);
    expect((await h.sessions.load(p.ref))?.draft.age).toBe(34);
  });

  it('at a menu shows the same options again, and a typed number still answers that menu', async () => {
    await clinic();
    const p = h.patient('wa-gender', { channel: 'whatsapp' });
    await walkTo(p, 'AWAITING_GENDER');
    const before = await flowOf(p);

    const replies = await unreadable(p, 'location');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'menu', text: expect.stringMatching(/^Sorry, I can't read locations\. Here I can only read text messages\.\n\n/) });
    expect(menuLabels(replies)).toEqual(['Male', 'Female', 'Other', 'Prefer not to say']);
    expect(await flowOf(p)).toEqual(before);

    expect(textOf(await p.say('1'))).toContain('what is the visit for');
    expect(await stateOf(h, p)).toBe('AWAITING_PURPOSE');
    expect((await h.sessions.load(p.ref))?.draft.gender).toBe('MALE');
  });

  it('with no question open gets the main menu, as a new chat does', async () => {
    await clinic();
    const fresh = h.patient('tg-new', { channel: 'telegram' });
    const replies = await unreadable(fresh, 'poll');
    expect(replies).toHaveLength(1);
    expect(textOf(replies)).toMatch(/^Sorry, I can't read polls\. Here I can only read text messages\.\n\nWelcome to Test Clinic!/);
    expect(menuLabels(replies)).toContain('Book an appointment');
    expect(await stateOf(h, fresh)).toBe('IDLE');

    const idle = h.patient('tg-idle', { channel: 'telegram' });
    await idle.say('hi');
    const again = await unreadable(idle, 'other');
    expect(textOf(again)).toMatch(/^Sorry, I can't read that kind of message\./);
    expect(menuLabels(again)).toContain('Book an appointment');
    // The main menu answers as before.
    expect(textOf(await idle.tap('Book an appointment'))).toContain("patient's full name");
  });

  it('at the report step names photos and PDF files too', async () => {
    await clinic();
    const p = h.patient('reporter');
    await walkTo(p, 'AWAITING_REPORT_UPLOAD');
    const replies = await unreadable(p, 'video');
    expect(textOf(replies)).toMatch(/^Sorry, I can't read videos\. Here I can only read text messages, photos and PDF files\.\n\nPlease send the report/);
    expect(menuLabels(replies)).toEqual(['Done']);
    expect(await stateOf(h, p)).toBe('AWAITING_REPORT_UPLOAD');
  });

  it('is stored in the transcript as what was sent, followed by the reply', async () => {
    await clinic();
    const p = h.patient('transcript', { channel: 'whatsapp' });
    await walkTo(p, 'AWAITING_AGE');
    await unreadable(p, 'sticker');
    const entries = await h.outbox.listAfter(p.ref, 0, 100, { includePatient: true });
    const last = entries.slice(-2).map((e) => [e.author, e.message.kind === 'text' || e.message.kind === 'menu' ? e.message.text : e.message.kind]);
    expect(last[0]).toEqual(['patient', '(sent a sticker)']);
    expect(last[1]?.[1]).toMatch(/^Sorry, I can't read stickers\.[^]*How old/);
  });

  it('delivered twice is answered once', async () => {
    await clinic();
    const p = h.patient('twice', { channel: 'whatsapp' });
    await walkTo(p, 'AWAITING_AGE');
    expect(textOf(await p.send({ kind: 'unreadable', what: 'sticker' }, 'same-id'))).toMatch(/^Sorry, I can't read stickers\.[^]*How old/);
    expect(await p.send({ kind: 'unreadable', what: 'sticker' }, 'same-id')).toEqual([]);
  });
});

describe('where voice notes are listened to', () => {
  let gemini: GeminiEmulator;
  beforeAll(async () => {
    gemini = await startGeminiEmulator();
    gemini.handle(() => intentAnswer({ intent: 'other' }));
  });
  afterAll(async () => gemini.close());

  const listening = () => {
    const config = { gemini: { apiKey: gemini.apiKey, model: 'gemini-2.5-flash', apiUrl: gemini.url, timeoutMs: 2000, voiceTimeoutMs: 2000 } };
    return clinic({ intents: createIntentDetector(config, { clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) }) });
  };

  it('names voice notes among what the bot can read', async () => {
    await listening();
    const p = h.patient('voice-age', { channel: 'telegram' });
    await walkTo(p, 'AWAITING_AGE');
    expect(textOf(await unreadable(p, 'gif'))).toMatch(/^Sorry, I can't read GIFs\. Here I can only read text messages and voice notes\.\n\nHow old/);
  });
});
