import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, menuLabels, slot, textOf, type Harness } from '../../support/engineHarness.js';
import { seedClinic, stateOf, TODAY, walkTo } from '../../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

describe('a first booking, start to finish', () => {
  it('books with buttons and stores a confirmed appointment', async () => {
    const p = h.patient('chat-1');
    expect(menuLabels(await p.say('hello'))).toEqual([
      'Book an appointment',
      'My appointments',
      'Cancel an appointment',
      'Reschedule an appointment',
      'Upload a report',
      'Contact the clinic',
      'Help',
    ]);
    expect(textOf(await p.tap('Book an appointment'))).toContain("patient's full name");
    const phoneAsk = await p.say('Asha Rao');
    expect(phoneAsk[0]?.kind).toBe('ask-contact');
    expect(textOf(await p.say('98765 43210'))).toContain('How old');
    expect(menuLabels(await p.say('34'))).toEqual(['Male', 'Female', 'Other', 'Prefer not to say']);
    expect(textOf(await p.tap('Female'))).toContain('what is the visit for');

    const doctors = menuLabels(await p.say('Fever for 3 days 🤒'));
    expect(doctors).toEqual(['Dr. Karan Shah · Dermatology · ₹800', 'Dr. Meera Iyer · General Physician · ₹500']);

    const slots = await p.tap('Meera');
    expect(textOf(slots)).toContain('Sat, 21 Nov 2026');
    // Past (09:30) and blocked (12:00) slots are never offered; 4 per page.
    expect(menuLabels(slots)).toEqual(['11:00 AM', '11:30 AM', '12:30 PM', '1:00 PM', 'Later times ›']);

    const payment = await p.tap('11:30 AM');
    expect(textOf(payment)).toContain('held for you for 20 minutes');
    expect(menuLabels(payment)).toEqual(['Pay at the clinic']);

    const confirmed = await p.tap('Pay at the clinic');
    const confirmation = textOf(confirmed);
    expect(confirmation).toContain('Appointment confirmed');
    expect(confirmation).toContain('Sat, 21 Nov 2026 at 11:30 AM');
    expect(confirmation).toContain('₹500, to be paid at the clinic');
    expect(menuLabels(confirmed)).toEqual(['Upload a report', 'No report, finish']);

    const [appointment] = await h.store.listAppointments({ conversation: p.ref });
    expect(appointment).toMatchObject({
      status: 'CONFIRMED',
      patient: { name: 'Asha Rao', phone: '+919876543210', age: 34, gender: 'FEMALE' },
      purpose: 'Fever for 3 days 🤒',
      doctorId: 'GP',
      slotId: 's1130',
      date: TODAY,
      time: '11:30',
      paymentMode: 'CLINIC',
      paymentStatus: 'PAY_AT_CLINIC',
      conversation: { channel: 'web', chatId: 'chat-1' },
      holdExpiresAt: null,
    });
    expect(confirmation).toContain(appointment!.id);

    const done = await p.tap('No report, finish');
    expect(textOf(done)).toContain('All set');
    expect(await stateOf(h, p)).toBe('IDLE');
  });

  it('books by typing numbers and labels instead of tapping', async () => {
    const p = h.patient('typist');
    await p.say('hi');
    await p.say('1');
    await p.say('Ravi Kumar');
    await p.say('+91 98765-43210');
    await p.say('61 years');
    await p.say('m');
    await p.say('knee pain');
    await p.say('meera');
    await p.say('2');
    const confirmed = await p.say('pay at the clinic');
    expect(textOf(confirmed)).toContain('Appointment confirmed');
    const [appointment] = await h.store.listAppointments({ conversation: p.ref });
    expect(appointment).toMatchObject({ slotId: 's1130', patient: { gender: 'MALE', age: 61 } });
  });

  it('pages through slots and across dates', async () => {
    const p = h.patient('pager');
    await walkTo(p, 'SELECTING_SLOT');
    const second = await p.tap('Later times');
    expect(menuLabels(second)).toEqual(['1:30 PM', '‹ Earlier times', 'Later times ›']);
    const third = await p.tap('Later times');
    expect(textOf(third)).toContain('Sun, 22 Nov 2026');
    expect(menuLabels(third)).toEqual(['10:00 AM (2 places left)', '‹ Earlier times']);
    const back = await p.tap('Earlier times');
    expect(menuLabels(back)[0]).toBe('1:30 PM');
  });

  it('offers times far into the booking window, and pages on to them from the first days', async () => {
    // Dermatology has nothing in the first days: its first time is 10 days out, its last on the window's last day (30).
    await h.store.upsertSlot(slot('derm-10', 'DERM', '2026-12-01', '10:00'));
    await h.store.upsertSlot(slot('derm-last', 'DERM', '2026-12-21', '16:00'));
    const p = h.patient('far');
    await walkTo(p, 'SELECTING_DOCTOR');
    const first = await p.tap('Karan');
    expect(textOf(first)).toContain('Tue, 1 Dec 2026');
    expect(menuLabels(first)).toEqual(['10:00 AM', 'Later times ›']);
    const last = await p.tap('Later times');
    expect(textOf(last)).toContain('Mon, 21 Dec 2026');
    expect(menuLabels(last)).toEqual(['4:00 PM', '‹ Earlier times']);

    // Meera: today's two pages and tomorrow's, then one more a week out, reached page by page.
    await h.store.upsertSlot(slot('week', 'GP', '2026-11-28', '09:00'));
    const q = h.patient('week');
    await walkTo(q, 'SELECTING_SLOT');
    await q.tap('Later times');
    const tomorrow = await q.tap('Later times');
    expect(menuLabels(tomorrow)).toEqual(['10:00 AM (2 places left)', '‹ Earlier times', 'Later times ›']);
    const week = await q.tap('Later times');
    expect(textOf(week)).toContain('Sat, 28 Nov 2026');
    expect(menuLabels(week)).toEqual(['9:00 AM', '‹ Earlier times']);
  });
});

describe('wrong answers get a clear reply and the same question again', () => {
  it.each([
    ['AWAITING_NAME', '12345', 'only have letters'],
    ['AWAITING_NAME', 'x'.repeat(80), 'too long'],
    ['AWAITING_PHONE', '12345', 'valid phone number'],
    ['AWAITING_AGE', 'old', 'number of years'],
    ['AWAITING_AGE', '150', 'between 0 and 120'],
    ['AWAITING_GENDER', 'banana', 'did not get that'],
    ['AWAITING_PURPOSE', 'p'.repeat(501), 'at most 500'],
    ['SELECTING_DOCTOR', 'cardiologist please', 'did not get that'],
    ['SELECTING_SLOT', '9', 'did not get that'],
    ['SELECTING_PAYMENT_MODE', 'bitcoin', 'did not get that'],
  ] as const)('%s: %j', async (state, answer, reason) => {
    const p = h.patient(`wrong-${state}`);
    await walkTo(p, state);
    const replies = await p.say(answer);
    expect(textOf(replies)).toContain(reason);
    // The reason and the question again come as one message.
    expect(replies).toHaveLength(1);
    expect(await stateOf(h, p)).toBe(state);
  });

  it('answers a stale button by showing the current options', async () => {
    const p = h.patient('stale');
    await walkTo(p, 'AWAITING_GENDER');
    const replies = await p.choose('GP');
    expect(textOf(replies)).toContain('earlier message');
    expect(menuLabels(replies)).toEqual(['Male', 'Female', 'Other', 'Prefer not to say']);
    expect(await stateOf(h, p)).toBe('AWAITING_GENDER');
  });

  it('says so when an old button is tapped at the main menu, with the menu in the same message', async () => {
    const p = h.patient('stale-at-menu');
    await p.say('hi');
    const replies = await p.choose('slot:s1130');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'menu', text: expect.stringMatching(/^That button belongs to an earlier message\.\n\nWelcome/) });
    expect(menuLabels(replies)).toContain('Book an appointment');
    expect(await h.store.listAppointments({ conversation: p.ref })).toEqual([]);
    // A main-menu button stays valid at any time.
    expect(textOf(await p.choose('book'))).toContain("patient's full name");
  });

  it('asks to type when a button is tapped at a question that wants text', async () => {
    const p = h.patient('button-at-text');
    await walkTo(p, 'AWAITING_AGE');
    const replies = await p.choose('FEMALE');
    // One message: the nudge and the question again.
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'text' });
    expect(textOf(replies)).toMatch(/^That button belongs to an earlier question\. Please type your answer\.\n\nHow old/);
    expect(await stateOf(h, p)).toBe('AWAITING_AGE');
  });

  it('refuses a file where none is expected, and a voice note when nothing can transcribe it', async () => {
    const p = h.patient('media');
    await walkTo(p, 'AWAITING_NAME');
    expect(textOf(await p.sendFile(new Uint8Array([1, 2, 3]), 'x.pdf'))).toContain('not expecting a file');
    const voice = await p.send({ kind: 'voice', mime: 'audio/ogg', load: async () => new Uint8Array([1]) });
    expect(voice).toHaveLength(1);
    expect(textOf(voice)).toMatch(/can't listen to voice notes[^]*\n\nWhat is the patient's full name\?$/);
    expect(await stateOf(h, p)).toBe('AWAITING_NAME');
  });
});

describe('platform knowledge', () => {
  it('offers the phone the platform already knows, and accepts a shared contact', async () => {
    const known = h.patient('wa-1', { channel: 'whatsapp', phone: '+919812345678' });
    await walkTo(known, 'AWAITING_PHONE');
    expect(known.lastMenu?.options.map((o) => o.label)).toEqual(['Use +919812345678']);
    await known.tap('Use +919812345678');
    expect(await stateOf(h, known)).toBe('AWAITING_AGE');
    expect((await h.sessions.load(known.ref))?.draft.phone).toBe('+919812345678');

    const sharer = h.patient('tg-1', { channel: 'telegram' });
    await walkTo(sharer, 'AWAITING_PHONE');
    await sharer.send({ kind: 'contact', phone: '919876543210' });
    expect(await stateOf(h, sharer)).toBe('AWAITING_AGE');
  });
});
