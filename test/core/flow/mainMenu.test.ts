/**
 * Main-menu tasks started from any step in one reply (the choice channels send for shortcuts such as
 * Telegram's /book), instead of "menu" followed by the task's button.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mainMenuTaskChoice } from '../../../src/core/flow/mainMenu.js';
import type { Outbound } from '../../../src/core/messages.js';
import type { FlowState } from '../../../src/core/session.js';
import { createHarness, menuLabels, textOf, type Harness } from '../../support/engineHarness.js';
import { BOOKING_PATH, seedClinic, stateOf, walkTo } from '../../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

const STATES = BOOKING_PATH.map((step) => step.reaches);

async function heldCount(): Promise<number> {
  return (await h.store.listAppointments({ statuses: ['HELD'] })).length;
}

/**
 * What "menu" and then the main menu's Book button give at `state`, on a clinic of its own (so both
 * chats of a test can book the same time).
 */
async function bookViaMainMenu(state: FlowState): Promise<{ reply: Outbound | undefined; state: FlowState | undefined }> {
  const reference = createHarness();
  try {
    await seedClinic(reference);
    const p = reference.patient(`book-${state}`);
    await walkTo(p, state);
    await p.say('menu');
    const [reply] = await p.tap('Book an appointment');
    return { reply, state: await stateOf(reference, p) };
  } finally {
    await reference.close();
  }
}

describe.each(STATES)('a main-menu task choice at %s', (state) => {
  it('starts the booking with its first question only, as "menu" and the Book button would, freeing any held slot', async () => {
    const { reply: expected, state: expectedState } = await bookViaMainMenu(state);

    const p = h.patient(`book-${state}`);
    await walkTo(p, state);
    const replies = await p.choose(mainMenuTaskChoice('book'));
    // One reply, and it is not the main menu: the patient asked for the booking, not for the menu.
    expect(replies).toEqual([expected]);
    expect(textOf(replies)).not.toContain('How can I help you');
    expect(await stateOf(h, p)).toBe(expectedState);
    expect(await heldCount()).toBe(0);
    // The way back leads to the main menu, not into the task that was left.
    await p.say('back');
    expect(await stateOf(h, p)).toBe('IDLE');
  });
});

describe('main-menu task choices', () => {
  it('shows the appointments and then the main menu, as the main menu button does', async () => {
    const p = h.patient('mine');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    const replies = await p.choose(mainMenuTaskChoice('mine'));
    expect(textOf(replies)).toContain('You have no upcoming appointments.');
    expect(replies.filter((reply) => reply.kind === 'menu')).toHaveLength(1);
    expect(menuLabels(replies)[0]).toBe('Book an appointment');
    expect(await stateOf(h, p)).toBe('IDLE');
    expect(await heldCount()).toBe(0);
  });

  it('shows the main menu for a task this service does not offer', async () => {
    const p = h.patient('no-invoices');
    await walkTo(p, 'AWAITING_AGE');
    const replies = await p.choose(mainMenuTaskChoice('invoice'));
    expect(replies).toHaveLength(1);
    expect(menuLabels(replies)).not.toContain('Resend invoice');
    expect(await stateOf(h, p)).toBe('IDLE');
  });

  it('starts the task after the chat timed out, without the "welcome back" restart', async () => {
    const p = h.patient('sleepy');
    await walkTo(p, 'AWAITING_AGE');
    h.clock.advanceMinutes(24 * 60 + 1);
    const replies = await p.choose(mainMenuTaskChoice('book'));
    expect(textOf(replies)).not.toContain('timed out');
    expect(await stateOf(h, p)).toBe('AWAITING_NAME');
  });

  it('leaves plain option ids alone: "book" at a question is an earlier button', async () => {
    const p = h.patient('plain');
    await walkTo(p, 'AWAITING_GENDER');
    const replies = await p.choose('book');
    expect(textOf(replies)).toContain('belongs to an earlier');
    expect(await stateOf(h, p)).toBe('AWAITING_GENDER');
  });
});
