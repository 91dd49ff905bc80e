/**
 * Booking from one sentence through the real engine on real SQLite, with the detector the service uses
 * when no key is set (the rules): every channel, the wished doctor, specialty, day and time, the
 * alternatives when the wished time is taken, refining mid-flow, and the other intents.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../../src/core/messages.js';
import { createIntentDetector } from '../../../src/services/ai/index.js';
import { stateOf, TODAY, TOMORROW, type Patient } from '../../support/clinicFixture.js';
import { createHarness, doctor, menuLabels, slot, textOf, type Harness } from '../../support/engineHarness.js';

let h: Harness;

/**
 * Saturday 21 Nov 2026, 10:00 in Kolkata. Cardiology: Dr. Rajiv Sharma (tomorrow 09:00-11:00 every half
 * hour) and Dr. Meena Kapoor (tomorrow 10:00). Dermatology: Dr. Rohan Mehta (today 15:00; tomorrow 09:30,
 * 11:00, 17:00). General Physician: Dr. Asha Verma (today 11:00 and 12:00).
 */
beforeEach(async () => {
  h = createHarness({ intents: createIntentDetector({ gemini: null }, { clock: { now: () => new Date() }, logger: pino({ level: 'silent' }) }) });
  await h.store.upsertDoctor(doctor('CARD1', { name: 'Dr. Rajiv Sharma', specialty: 'Cardiology' }));
  await h.store.upsertDoctor(doctor('CARD2', { name: 'Dr. Meena Kapoor', specialty: 'Cardiology' }));
  await h.store.upsertDoctor(doctor('DERM', { name: 'Dr. Rohan Mehta', specialty: 'Dermatology' }));
  await h.store.upsertDoctor(doctor('GP', { name: 'Dr. Asha Verma', specialty: 'General Physician' }));
  for (const start of ['09:00', '09:30', '10:00', '10:30', '11:00']) await h.store.upsertSlot(slot(`card1-${start}`, 'CARD1', TOMORROW, start));
  await h.store.upsertSlot(slot('card2-10:00', 'CARD2', TOMORROW, '10:00'));
  await h.store.upsertSlot(slot('derm-today-15:00', 'DERM', TODAY, '15:00'));
  for (const start of ['09:30', '11:00', '17:00']) await h.store.upsertSlot(slot(`derm-${start}`, 'DERM', TOMORROW, start));
  await h.store.upsertSlot(slot('gp-11:00', 'GP', TODAY, '11:00'));
  await h.store.upsertSlot(slot('gp-12:00', 'GP', TODAY, '12:00'));
});
afterEach(async () => {
  await h.close();
});

/** Answers the patient-detail questions; returns the replies to the last answer. */
async function giveDetails(p: Patient, channel: Channel = 'web') {
  await p.say('Asha Rao');
  if (channel === 'whatsapp') await p.tap('Use +91');
  else await p.say('98765 43210');
  await p.say('34');
  await p.tap('Female');
  return p.say('check-up');
}

describe('booking from one sentence', () => {
  for (const channel of ['web', 'telegram', 'whatsapp'] as const) {
    it(`"book Dr Rajiv tomorrow 10am" on ${channel} goes to his slots nearest 10:00 once the details are known`, async () => {
      const p = h.patient(`one-sentence-${channel}`, { channel, ...(channel === 'whatsapp' ? { phone: '+919876543210' } : {}) });
      const first = await p.say('book Dr Rajiv tomorrow 10am');
      expect(textOf(first)).toContain('with Dr. Rajiv Sharma on Sun, 22 Nov 2026 at 10:00 AM');
      expect(await stateOf(h, p)).toBe('AWAITING_NAME');

      const offer = await giveDetails(p, channel);
      expect(await stateOf(h, p)).toBe('SELECTING_SLOT');
      expect(textOf(offer)).toContain('Dr. Rajiv Sharma: free times on Sun, 22 Nov 2026 at 10:00 AM');
      const labels = menuLabels(offer);
      expect(labels[0]).toBe('10:00 AM');
      expect(labels.slice(1, 3).sort()).toEqual(['10:30 AM', '9:30 AM']);
      expect(labels).toContain('All free times of Dr. Rajiv Sharma');

      await p.tap('10:00 AM');
      expect(await stateOf(h, p)).toBe('SELECTING_PAYMENT_MODE');
      const [held] = await h.store.listAppointments({ conversation: p.ref });
      expect(held).toMatchObject({ status: 'HELD', doctorId: 'CARD1', slotId: 'card1-10:00' });
    });
  }

  it('"I need a heart doctor" offers the cardiologists only', async () => {
    const p = h.patient('heart');
    await p.say('I need a heart doctor');
    const offer = await giveDetails(p);
    expect(await stateOf(h, p)).toBe('SELECTING_DOCTOR');
    const labels = menuLabels(offer);
    expect(labels).toHaveLength(2);
    expect(labels.join()).toContain('Dr. Rajiv Sharma');
    expect(labels.join()).toContain('Dr. Meena Kapoor');
  });

  it('"asap" offers the earliest free slots of any doctor', async () => {
    const p = h.patient('asap');
    await p.say('asap');
    const offer = await giveDetails(p);
    expect(textOf(offer)).toContain('Free times as early as possible');
    expect(menuLabels(offer).slice(0, 3)).toEqual(['Sat, 21 Nov 2026, 11:00 AM · Dr. Asha Verma', 'Sat, 21 Nov 2026, 12:00 PM · Dr. Asha Verma', 'Sat, 21 Nov 2026, 3:00 PM · Dr. Rohan Mehta']);
    // With a page of 4, the fourth place goes to tomorrow's first slot.
    expect(menuLabels(offer)[3]).toBe('Sun, 22 Nov 2026, 9:00 AM · Dr. Rajiv Sharma');
  });

  it('"skin doctor kal subah" offers the dermatology slots of tomorrow morning', async () => {
    const p = h.patient('skin');
    await p.say('skin doctor kal subah');
    const offer = await giveDetails(p);
    expect(textOf(offer)).toContain('Free times with Dermatology doctors on Sun, 22 Nov 2026 in the morning');
    expect(menuLabels(offer)).toEqual(['9:30 AM · Dr. Rohan Mehta', '11:00 AM · Dr. Rohan Mehta', 'Choose a doctor instead']);
    await p.tap('11:00 AM');
    const [held] = await h.store.listAppointments({ conversation: p.ref });
    expect(held).toMatchObject({ status: 'HELD', doctorId: 'DERM', slotId: 'derm-11:00' });
  });

  it('when the wished time is taken, offers the same doctor nearest, then colleagues at that time', async () => {
    await h.store.holdSlot(
      { conversation: { channel: 'web', chatId: 'someone-else' }, patient: { name: 'Other', phone: '+919000000000', age: 40, gender: 'MALE' }, purpose: 'x', slotId: 'card1-10:00', holdExpiresAt: new Date(h.clock.now().getTime() + 3_600_000) },
      h.clock.now(),
    );
    const p = h.patient('taken');
    await p.say('book Dr Rajiv tomorrow 10am');
    const offer = await giveDetails(p);
    expect(textOf(offer)).toContain('Sorry, Dr. Rajiv Sharma has no free time on Sun, 22 Nov 2026 at 10:00 AM');
    const labels = menuLabels(offer);
    expect(labels.slice(0, 2).sort()).toEqual(['10:30 AM · Dr. Rajiv Sharma', '9:30 AM · Dr. Rajiv Sharma']);
    expect(labels).toContain('10:00 AM · Dr. Meena Kapoor');
    expect(labels).not.toContain('10:00 AM · Dr. Rajiv Sharma');

    await p.tap('10:00 AM · Dr. Meena Kapoor');
    expect(await stateOf(h, p)).toBe('SELECTING_PAYMENT_MODE');
    const [held] = await h.store.listAppointments({ conversation: p.ref });
    expect(held).toMatchObject({ status: 'HELD', doctorId: 'CARD2', slotId: 'card2-10:00' });
  });

  it('"All free times" leaves the wish and pages through the doctor\'s slots as usual', async () => {
    const p = h.patient('all-times');
    await p.say('dr rajiv tomorrow 10am');
    await giveDetails(p);
    const all = await p.tap('All free times');
    expect(textOf(all)).toContain('Dr. Rajiv Sharma: free times on Sun, 22 Nov 2026');
    expect(menuLabels(all)[0]).toBe('9:00 AM');
  });
});

describe('free text in the middle of a booking', () => {
  it('narrows the doctors by a specialty and the slots by a day and part of day', async () => {
    const p = h.patient('mid-flow');
    await p.say('hi');
    await p.tap('Book an appointment');
    await giveDetails(p);
    expect(await stateOf(h, p)).toBe('SELECTING_DOCTOR');

    const skin = await p.say('skin');
    expect(menuLabels(skin)).toHaveLength(1);
    expect(menuLabels(skin)[0]).toContain('Dr. Rohan Mehta');

    const evening = await p.say('tomorrow evening');
    expect(menuLabels(evening)).toEqual(['5:00 PM · Dr. Rohan Mehta', 'Choose a doctor instead']);
  });

  it('moves the slots of the chosen doctor to the day asked for', async () => {
    const p = h.patient('slot-day');
    await p.say('hi');
    await p.tap('Book an appointment');
    await giveDetails(p);
    await p.tap('Dr. Rohan Mehta');
    expect(await stateOf(h, p)).toBe('SELECTING_SLOT');
    const replies = await p.say('kal shaam');
    expect(textOf(replies)).toContain('Dr. Rohan Mehta: free times on Sun, 22 Nov 2026 in the evening');
    expect(menuLabels(replies)[0]).toBe('5:00 PM');
  });

  it('still says it did not understand text that is neither an option nor a wish', async () => {
    const p = h.patient('gibberish');
    await p.say('hi');
    await p.tap('Book an appointment');
    await giveDetails(p);
    expect(textOf(await p.say('qwzx'))).toContain('Sorry, I did not get that');
  });
});

describe('other intents at the main menu', () => {
  it('opens the part of the menu the patient asks for', async () => {
    const p = h.patient('intents');
    expect(textOf(await p.say('mera appointment kab hai'))).toContain('You have no upcoming appointments');
    expect(textOf(await p.say('I want to cancel my appointment'))).toMatch(/no upcoming appointments|Which appointment/i);
    expect(textOf(await p.say('how does this work'))).toContain('At any time you can type');
    const other = await p.say('what is the weather like');
    expect(textOf(other)).toContain('I can only help with appointments');
    expect(menuLabels(other)).toContain('Book an appointment');
    const hello = await p.say('namaste');
    expect(hello).toHaveLength(1);
    expect(textOf(hello)).toContain('Welcome to Test Clinic');
    expect(await stateOf(h, p)).toBe('IDLE');
  });

  it('keeps short menu answers working ("2", "my appointments")', async () => {
    const p = h.patient('menu-words');
    await p.say('hi');
    expect(textOf(await p.say('2'))).toContain('You have no upcoming appointments');
    expect(textOf(await p.say('my appointments'))).toContain('You have no upcoming appointments');
  });
});
