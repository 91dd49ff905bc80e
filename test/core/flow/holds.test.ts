import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlotUnavailableError } from '../../../src/core/errors.js';
import { createHarness, textOf, type Harness } from '../../support/engineHarness.js';
import { seedClinic, stateOf, walkTo } from '../../support/clinicFixture.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness();
  await seedClinic(h);
});
afterEach(async () => h.close());

describe('holds', () => {
  it('a held slot is not offered to anyone else', async () => {
    const first = h.patient('first');
    await walkTo(first, 'SELECTING_PAYMENT_MODE'); // holds 11:00
    const second = h.patient('second');
    await walkTo(second, 'SELECTING_DOCTOR');
    const offered = await second.tap('Meera');
    expect(second.lastMenu?.options.map((o) => o.label)).not.toContain('11:00 AM');
    expect(textOf(offered)).toContain('Pick a time');
  });

  it('a slot taken between showing and choosing gets "just taken" and fresh times', async () => {
    const slow = h.patient('slow');
    await walkTo(slow, 'SELECTING_SLOT');
    const fast = h.patient('fast');
    await walkTo(fast, 'SELECTING_PAYMENT_MODE'); // takes 11:00, which "slow" still sees
    const replies = await slow.tap('11:00 AM');
    // One message: the notice, then the fresh times under it.
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ kind: 'menu', text: expect.stringMatching(/^Sorry, that time was just taken\. Please pick another one\.\n\n.*Pick a time:$/s) });
    expect(slow.lastMenu?.options.map((o) => o.label)).not.toContain('11:00 AM');
    expect(await stateOf(h, slow)).toBe('SELECTING_SLOT');
  });

  it('after the hold lapses, the slot can go to someone else and the late patient picks again', async () => {
    const late = h.patient('late');
    await walkTo(late, 'SELECTING_PAYMENT_MODE');
    h.clock.advanceMinutes(21);
    const other = h.patient('other');
    await walkTo(other, 'AWAITING_REPORT_CHOICE'); // books 11:00 after the lapse
    const replies = await late.tap('Pay at the clinic');
    expect(textOf(replies)).toContain('hold on that time ran out');
    expect(await stateOf(h, late)).toBe('SELECTING_SLOT');
    const confirmed = await h.store.listAppointments({ statuses: ['CONFIRMED'] });
    expect(confirmed.map((a) => a.conversation.chatId)).toEqual(['other']);
  });

  it('a lapsed hold still confirms when nobody took the slot', async () => {
    const p = h.patient('lucky');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    h.clock.advanceMinutes(45);
    expect(textOf(await p.tap('Pay at the clinic'))).toContain('Appointment confirmed');
  });

  it('housekeeping marks lapsed holds EXPIRED', async () => {
    const p = h.patient('abandoned');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    expect(await h.store.expireHolds(h.clock.now())).toHaveLength(0);
    h.clock.advanceMinutes(20);
    const expired = await h.store.expireHolds(h.clock.now());
    expect(expired.map((a) => a.status)).toEqual(['EXPIRED']);
  });

  it('a slot that started while the patient was choosing is refused', async () => {
    const p = h.patient('dawdler');
    await walkTo(p, 'SELECTING_SLOT');
    h.clock.advanceMinutes(61); // 11:01: the 11:00 slot has started
    const replies = await p.tap('11:00 AM');
    expect(textOf(replies)).toContain('just taken');
    expect(await h.store.listAppointments({ statuses: ['HELD'] })).toHaveLength(0);
  });
});

describe('the race for one slot', () => {
  it('100 patients choosing the same slot at once give exactly one booking', async () => {
    const patients = Array.from({ length: 100 }, (_, i) => h.patient(`racer-${i}`));
    for (const p of patients) await walkTo(p, 'SELECTING_SLOT');
    const results = await Promise.all(patients.map((p) => p.tap('11:00 AM')));
    const won = results.filter((replies) => textOf(replies).includes('held for you'));
    const lost = results.filter((replies) => textOf(replies).includes('just taken'));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(99);
    const holds = await h.store.listAppointments({ statuses: ['HELD'] });
    expect(holds).toHaveLength(1);
    expect(holds[0]!.slotId).toBe('s1100');
    // The store itself agrees: no place is left.
    await expect(
      h.store.holdSlot(
        {
          conversation: { channel: 'web', chatId: 'x' },
          patient: { name: 'X', phone: '+919876543210', age: 1, gender: 'OTHER' },
          purpose: 'x',
          slotId: 's1100',
          holdExpiresAt: new Date(h.clock.now().getTime() + 60_000),
        },
        h.clock.now(),
      ),
    ).rejects.toBeInstanceOf(SlotUnavailableError);
  });
});
