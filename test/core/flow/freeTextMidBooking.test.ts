/**
 * Free text the patient types in the middle of a booking, through the real engine on real SQLite with
 * the rule-based detector (the one the service uses without a key): the nearest times on another day
 * say that day, a time typed with a name is never swapped for another, requests that are not a
 * booking are answered without losing it, and sentences are not taken for the patient's name.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIntentDetector } from '../../../src/services/ai/index.js';
import { stateOf, TOMORROW, type Patient } from '../../support/clinicFixture.js';
import { createHarness, doctor, menuLabels, slot, textOf, type Harness } from '../../support/engineHarness.js';

let h: Harness;

/** Saturday 21 Nov 2026, 10:00 in Kolkata; two cardiologists with times tomorrow only. */
beforeEach(async () => {
  h = createHarness({ intents: createIntentDetector({ gemini: null }, { clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) }) });
  await h.store.upsertDoctor(doctor('CARD1', { name: 'Dr. Rajiv Sharma', specialty: 'Cardiology' }));
  await h.store.upsertDoctor(doctor('CARD2', { name: 'Dr. Neha Sharma', specialty: 'Cardiology' }));
  for (const start of ['09:00', '17:00']) await h.store.upsertSlot(slot(`card1-${start}`, 'CARD1', TOMORROW, start));
  for (const start of ['17:00', '18:00']) await h.store.upsertSlot(slot(`card2-${start}`, 'CARD2', TOMORROW, start));
});
afterEach(async () => {
  await h.close();
});

async function giveDetails(p: Patient) {
  await p.say('Asha Rao');
  await p.say('98765 43210');
  await p.say('34');
  await p.tap('Female');
  return p.say('check-up');
}

describe('free text in the middle of a booking', () => {
  it('names the day of the nearest free times when it is not the day wished for', async () => {
    const p = h.patient('other-day');
    await p.say('heart doctor on 25 november morning');
    const offer = await giveDetails(p);
    expect(textOf(offer)).toContain('no free time on Wed, 25 Nov 2026 in the morning');
    expect(textOf(offer)).toContain('(Sun, 22 Nov 2026)');
    expect(menuLabels(offer)[0]).toBe('9:00 AM · Dr. Rajiv Sharma');
  });

  it('does not take "neha sharma 6pm" for her 5 PM time: it looks for 6 PM instead', async () => {
    // Enough colleagues at 5 PM that her 6 PM time is not on the first menu.
    await h.store.upsertDoctor(doctor('CARD3', { name: 'Dr. Meena Kapoor', specialty: 'Cardiology' }));
    await h.store.upsertDoctor(doctor('CARD4', { name: 'Dr. Arjun Rao', specialty: 'Cardiology' }));
    await h.store.upsertSlot(slot('card3-17:00', 'CARD3', TOMORROW, '17:00'));
    await h.store.upsertSlot(slot('card4-17:00', 'CARD4', TOMORROW, '17:00'));
    const p = h.patient('typed-time');
    await p.say('heart doctor tomorrow 5pm');
    const offer = await giveDetails(p);
    expect(menuLabels(offer)).toContain('5:00 PM · Dr. Neha Sharma');
    expect(menuLabels(offer)).not.toContain('6:00 PM · Dr. Neha Sharma');
    const refined = await p.say('neha sharma 6pm');
    expect(await h.store.listAppointments({ conversation: p.ref })).toEqual([]);
    expect(menuLabels(refined)[0]).toBe('6:00 PM');
    await p.tap('6:00 PM');
    const [held] = await h.store.listAppointments({ conversation: p.ref });
    expect(held).toMatchObject({ status: 'HELD', slotId: 'card2-18:00' });
  });

  it('answers "what time is my appointment" and points "cancel my appointment" to the menu, keeping the booking', async () => {
    const p = h.patient('aside');
    await p.say('heart doctor');
    await giveDetails(p);
    expect(await stateOf(h, p)).toBe('SELECTING_DOCTOR');

    const mine = await p.say('what time is my appointment');
    expect(textOf(mine)).toContain('You have no upcoming appointments.');
    expect(menuLabels(mine).join()).toContain('Dr. Neha Sharma');
    expect(await stateOf(h, p)).toBe('SELECTING_DOCTOR');

    const cancel = await p.say('I want to cancel my appointment');
    expect(textOf(cancel)).toContain('To cancel an appointment, type "menu"');
    expect(await stateOf(h, p)).toBe('SELECTING_DOCTOR');
    expect((await h.sessions.load(p.ref))?.draft.name).toBe('Asha Rao');
  });
});

describe('the name step', () => {
  it('refuses a request typed as the name and keeps the name from "my name is …"', async () => {
    const p = h.patient('name');
    await p.say('hi');
    await p.tap('Book an appointment');
    const refused = await p.say('cancel my appointment');
    expect(textOf(refused)).toContain('rather than a name');
    expect(await stateOf(h, p)).toBe('AWAITING_NAME');

    await p.say('mera naam Ramesh Kumar hai');
    expect(await stateOf(h, p)).toBe('AWAITING_PHONE');
    expect((await h.sessions.load(p.ref))?.draft.name).toBe('Ramesh Kumar');
  });
});
