import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FlowState } from '../../../src/core/session.js';
import { createHarness, menuLabels, textOf, type Harness } from '../../support/engineHarness.js';
import { BOOKING_PATH, seedClinic, stateOf, walkTo } from '../../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

const MAIN_MENU_FIRST = 'Book an appointment';
const STATES = BOOKING_PATH.map((step) => step.reaches);
/** Where "back" leads from each booking state (IDLE means the main menu). */
const BACK_TO: Partial<Record<FlowState, FlowState>> = {
  AWAITING_NAME: 'IDLE',
  AWAITING_PHONE: 'AWAITING_NAME',
  AWAITING_AGE: 'AWAITING_PHONE',
  AWAITING_GENDER: 'AWAITING_AGE',
  AWAITING_PURPOSE: 'AWAITING_GENDER',
  SELECTING_DOCTOR: 'AWAITING_PURPOSE',
  SELECTING_SLOT: 'SELECTING_DOCTOR',
  SELECTING_PAYMENT_MODE: 'SELECTING_SLOT',
  // Once booked there is nothing to go back into: back leads to the main menu.
  AWAITING_REPORT_CHOICE: 'IDLE',
  AWAITING_REPORT_UPLOAD: 'AWAITING_REPORT_CHOICE',
};

async function heldCount(): Promise<number> {
  return (await h.store.listAppointments({ statuses: ['HELD'] })).length;
}

describe.each(STATES)('global commands at %s', (state) => {
  it('help explains the commands and asks the same question again', async () => {
    const p = h.patient(`help-${state}`);
    await walkTo(p, state);
    const replies = await p.say('help');
    expect(textOf(replies)).toContain('back – go to the previous question');
    expect(await stateOf(h, p)).toBe(state);
  });

  it('menu goes to the main menu and frees any held slot', async () => {
    const p = h.patient(`menu-${state}`);
    await walkTo(p, state);
    const replies = await p.say('Menu');
    expect(menuLabels(replies)[0]).toBe(MAIN_MENU_FIRST);
    expect(await stateOf(h, p)).toBe('IDLE');
    expect(await heldCount()).toBe(0);
  });

  it('cancel stops the task, frees any held slot, and never undoes a confirmed booking', async () => {
    const p = h.patient(`cancel-${state}`);
    await walkTo(p, state);
    const replies = await p.say('cancel');
    expect(await heldCount()).toBe(0);
    if (state === 'IDLE') {
      // At the main menu "cancel" means "cancel an appointment".
      expect(textOf(replies)).toContain('no upcoming appointments to cancel');
      return;
    }
    expect(menuLabels(replies)[0]).toBe(MAIN_MENU_FIRST);
    expect(await stateOf(h, p)).toBe('IDLE');
    const confirmed = await h.store.listAppointments({ conversation: p.ref, statuses: ['CONFIRMED'] });
    const booked = state === 'AWAITING_REPORT_CHOICE' || state === 'AWAITING_REPORT_UPLOAD';
    expect(confirmed).toHaveLength(booked ? 1 : 0);
    expect(textOf(replies)).toContain(booked ? 'stays booked' : 'Nothing was booked');
  });

  it('back returns to the previous question', async () => {
    const p = h.patient(`back-${state}`);
    await walkTo(p, state);
    await p.say('back');
    expect(await stateOf(h, p)).toBe(BACK_TO[state] ?? 'IDLE');
  });
});

describe('back keeps what the patient already answered', () => {
  it('goes back from the slot to the doctor, releasing the hold, and books another time', async () => {
    const p = h.patient('back-and-forth');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    expect(await heldCount()).toBe(1);
    await p.say('back');
    expect(await heldCount()).toBe(0);
    await p.tap('12:30 PM');
    await p.tap('Pay at the clinic');
    const [appointment] = await h.store.listAppointments({ conversation: p.ref, statuses: ['CONFIRMED'] });
    expect(appointment).toMatchObject({ slotId: 's1230', patient: { name: 'Asha Rao' } });
  });

  it('"0" means back while a menu is on screen', async () => {
    const p = h.patient('zero');
    await walkTo(p, 'AWAITING_GENDER');
    await p.say('0');
    expect(await stateOf(h, p)).toBe('AWAITING_AGE');
  });

  it('understands Hindi command words', async () => {
    const p = h.patient('hindi');
    await walkTo(p, 'AWAITING_AGE');
    await p.say('पीछे');
    expect(await stateOf(h, p)).toBe('AWAITING_PHONE');
    await p.say('मेनू');
    expect(await stateOf(h, p)).toBe('IDLE');
  });
});
