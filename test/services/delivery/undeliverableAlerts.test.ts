/**
 * The admins are told once a day per chat that a patient cannot be reached: "a day" is the clinic's,
 * so the alert does not come again at 05:30 in India (midnight UTC).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertUndeliverable } from '../../../src/services/delivery/undeliverableAlerts.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';
import { adminAlerts, book, entriesOf, ist, seedDays, setClock, slotId } from '../scheduler/support.js';

let h: Harness;
beforeEach(async () => {
  h = createHarness({ now: ist('2026-11-21T22:00') });
  await seedDays(h);
});
afterEach(async () => h.close());

describe('a patient who cannot be reached', () => {
  it('is reported once per clinic day, with their name and appointment', async () => {
    const appointment = await book(h, slotId('2026-11-23', '10:00'), { channel: 'telegram', chatId: '1001' });
    const onUndeliverable = alertUndeliverable({ store: h.store, alerts: adminAlerts(h), clock: h.clock, timezone: 'Asia/Kolkata' }, 'Telegram');
    const [entry] = await h.outbox.push({ channel: 'telegram', chatId: '1001' }, [{ kind: 'text', text: 'Reminder' }], h.clock.now());
    const alertsTo111 = async () =>
      (await entriesOf(h, { channel: 'telegram-admin', chatId: '111' })).map((e) => ('text' in e.message ? e.message.text : ''));

    await onUndeliverable(entry!, 'Forbidden: bot was blocked by the user');
    expect(await alertsTo111()).toEqual([
      `⚠️ Asha Rao (${appointment.id}) cannot be reached on Telegram: a message could not be delivered (Forbidden: bot was blocked by the user). Please contact them another way.`,
    ]);
    // Midnight IST starts a new clinic day, so the alert comes again then; midnight UTC (05:30 IST) does not.
    setClock(h, ist('2026-11-21T23:59'));
    await onUndeliverable(entry!, 'Forbidden: bot was blocked by the user');
    expect(await alertsTo111()).toHaveLength(1);
    setClock(h, ist('2026-11-22T00:01'));
    await onUndeliverable(entry!, 'Forbidden: bot was blocked by the user');
    expect(await alertsTo111()).toHaveLength(2);
    setClock(h, ist('2026-11-22T05:31'));
    await onUndeliverable(entry!, 'Forbidden: bot was blocked by the user');
    expect(await alertsTo111()).toHaveLength(2);
  });
});
