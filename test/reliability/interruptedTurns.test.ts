/**
 * The worst moment to crash: after the store has taken a hold or confirmed a booking, before the
 * conversation and its replies are saved. SIGKILL hits that window only by luck, so here SQLite itself
 * refuses the turn's commit (a trigger raises an error, as a full disk would), the channel sees the
 * failure, and the same message is delivered again with the same id (a web chat retry with its
 * Idempotency-Key, a platform's redelivery).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { InboundContent } from '../../src/core/messages.js';
import { createHarness, textOf, type Harness } from '../support/engineHarness.js';
import { seedClinic, stateOf, walkTo, type Patient } from '../support/clinicFixture.js';

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** Makes every commit that stores a reply containing `text` fail, until the returned function is called. */
function failCommitsOfReplies(harness: Harness, text: string): () => void {
  harness.db.exec(`CREATE TRIGGER interrupt_turn BEFORE INSERT ON outbox WHEN NEW.body LIKE '%${text}%'
    BEGIN SELECT RAISE(ABORT, 'disk I/O error (injected)'); END;`);
  return () => harness.db.exec('DROP TRIGGER interrupt_turn');
}

/** The tap on the option of the menu on screen whose label contains `label`. */
function tapOf(p: Patient, label: string): InboundContent {
  const option = p.lastMenu?.options.find((o) => o.label.includes(label));
  if (!option) throw new Error(`no option ${label}`);
  return { kind: 'choice', optionId: option.id };
}

describe('a turn interrupted after the store write', () => {
  it('lets the patient take the same slot again: the lost turn\'s hold does not block them', async () => {
    h = createHarness();
    await seedClinic(h);
    const p = h.patient('interrupted-hold');
    await walkTo(p, 'SELECTING_SLOT');

    const tap = tapOf(p, '11:00 AM');
    const restore = failCommitsOfReplies(h, 'How would you like to pay');
    await expect(p.send(tap, 'tap-slot')).rejects.toThrow(/injected/);
    restore();
    expect(await stateOf(h, p)).toBe('SELECTING_SLOT');

    const retry = await p.send(tap, 'tap-slot');
    expect(textOf(retry)).not.toMatch(/just taken/i);
    expect(await stateOf(h, p)).toBe('SELECTING_PAYMENT_MODE');
    const live = (await h.store.listAppointments({ statuses: ['HELD'] })).filter((a) => a.slotId === 's1100');
    expect(live).toHaveLength(1);
  });

  it('tells a patient paying at the clinic that the booking is confirmed, not that a payment arrived', async () => {
    h = createHarness();
    await seedClinic(h);
    const p = h.patient('interrupted-confirmation');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');

    const tap = tapOf(p, 'Pay at the clinic');
    const restore = failCommitsOfReplies(h, 'Appointment confirmed');
    await expect(p.send(tap, 'tap-pay')).rejects.toThrow(/injected/);
    restore();
    expect(await stateOf(h, p)).toBe('SELECTING_PAYMENT_MODE');

    const retry = textOf(await p.send(tap, 'tap-pay'));
    expect(retry).toContain('Appointment confirmed');
    expect(retry).not.toMatch(/payment has arrived/i);
    expect(await stateOf(h, p)).toBe('AWAITING_REPORT_CHOICE');
    const confirmed = await h.store.listAppointments({ conversation: p.ref, statuses: ['CONFIRMED'] });
    expect(confirmed).toHaveLength(1);
    expect(confirmed[0]!.paymentMode).toBe('CLINIC');
  });
});
