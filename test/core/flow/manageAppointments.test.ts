import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, menuLabels, textOf, type Harness } from '../../support/engineHarness.js';
import { seedClinic, stateOf, walkTo } from '../../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

describe('my appointments', () => {
  it('lists upcoming confirmed appointments of this chat only', async () => {
    const p = h.patient('me');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    const other = h.patient('someone-else');
    await walkTo(other, 'SELECTING_SLOT');
    await other.tap('11:30 AM');
    await other.tap('Pay at the clinic');
    await p.say('menu');
    const replies = await p.tap('My appointments');
    const listing = textOf(replies);
    expect(listing).toContain('Sat, 21 Nov 2026 at 11:00 AM · Dr. Meera Iyer');
    expect(listing).not.toContain('11:30 AM');
    expect(menuLabels(replies)[0]).toBe('Book an appointment');
  });

  it('does not list appointments that have already started', async () => {
    const p = h.patient('past');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    h.clock.advanceMinutes(90);
    await p.say('menu');
    expect(textOf(await p.tap('My appointments'))).toContain('no upcoming appointments');
  });
});

describe('cancelling an appointment', () => {
  it('cancels after confirmation and frees the slot for others', async () => {
    const p = h.patient('canceller');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    await p.say('menu');
    const list = await p.tap('Cancel an appointment');
    expect(menuLabels(list)).toHaveLength(1);
    const confirm = await p.tap('11:00 AM');
    expect(textOf(confirm)).toContain('Cancel your appointment with Dr. Meera Iyer on Sat, 21 Nov 2026 at 11:00 AM?');
    const done = await p.tap('Yes, cancel it');
    expect(textOf(done)).toContain('is cancelled');
    const [appointment] = await h.store.listAppointments({ conversation: p.ref });
    expect(appointment?.status).toBe('CANCELLED');

    const next = h.patient('next');
    await walkTo(next, 'SELECTING_DOCTOR');
    await next.tap('Meera');
    expect(next.lastMenu?.options[0]?.label).toBe('11:00 AM');
  });

  it('keeps the appointment when the patient says no', async () => {
    const p = h.patient('keeper');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    await p.say('menu');
    await p.tap('Cancel an appointment');
    await p.say('1');
    expect(textOf(await p.say('no'))).toContain('kept');
    expect((await h.store.listAppointments({ conversation: p.ref }))[0]?.status).toBe('CONFIRMED');
  });

  it('a stale "yes" for an appointment cancelled meanwhile does nothing harmful', async () => {
    const p = h.patient('twice');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    await p.say('menu');
    await p.tap('Cancel an appointment');
    await p.say('1');
    const [appointment] = await h.store.listAppointments({ conversation: p.ref });
    await h.store.updateAppointment(appointment!.id, { status: 'CANCELLED' }, h.clock.now()); // e.g. by the clinic
    expect(textOf(await p.tap('Yes, cancel it'))).toContain('cannot be cancelled any more');
    expect(await stateOf(h, p)).toBe('IDLE');
  });
});

describe('returning patients', () => {
  it('offers the last details and skips straight to the purpose', async () => {
    const p = h.patient('regular');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    await p.say('menu');
    const offer = await p.tap('Book an appointment');
    expect(textOf(offer)).toContain('Welcome back');
    expect(textOf(offer)).toContain('Asha Rao, 34, Female');
    await p.tap('Yes, book for Asha Rao');
    expect(await stateOf(h, p)).toBe('AWAITING_PURPOSE');
    await p.say('follow-up');
    await p.tap('Meera');
    await p.tap('11:30 AM');
    await p.tap('Pay at the clinic');
    const appointments = await h.store.listAppointments({ conversation: p.ref, statuses: ['CONFIRMED'] });
    expect(appointments.map((a) => [a.patient.name, a.purpose])).toEqual([
      ['Asha Rao', 'follow-up'],
      ['Asha Rao', 'Fever for 3 days'],
    ]);
  });

  it('lets a returning patient book for someone else', async () => {
    const p = h.patient('family');
    await walkTo(p, 'AWAITING_REPORT_CHOICE');
    await p.say('menu');
    await p.tap('Book an appointment');
    await p.tap('No, enter new details');
    expect(await stateOf(h, p)).toBe('AWAITING_NAME');
  });
});

describe('contact and help', () => {
  it('shows the clinic contact details and returns to the menu', async () => {
    const p = h.patient('contact');
    await p.say('hi');
    const replies = await p.tap('Contact the clinic');
    expect(textOf(replies)).toContain('Test Clinic\n1 Test Road\nPhone: +91 80 1234 5678');
    expect(await stateOf(h, p)).toBe('IDLE');
  });
});
