/**
 * OutboxAdminAlerts.alertChat: an alert for one admin chat only (what an earlier alert could not bring
 * it), never for a chat that is not an admin's, once per key and chat.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../support/engineHarness.js';
import { adminAlerts, entriesOf, ist } from '../scheduler/support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness({ now: ist('2026-11-22T06:00') });
});
afterEach(async () => h.close());

const textsOf = async (chatId: string) =>
  (await entriesOf(h, { channel: 'telegram-admin', chatId })).map((e) => (e.message.kind === 'text' ? e.message.text : ''));

describe('OutboxAdminAlerts.alertChat', () => {
  it('writes to that admin chat alone, once per key, and to no chat outside the admins', async () => {
    const alerts = adminAlerts(h);
    await alerts.alertChat('111', 'for one', { dedupeKey: 'k' });
    await alerts.alertChat('111', 'for one again', { dedupeKey: 'k' });
    await alerts.alertChat('333', 'for a stranger');
    expect(await textsOf('111')).toEqual(['for one']);
    expect(await textsOf('222')).toEqual([]);
    expect(await textsOf('333')).toEqual([]);
    // The same key is the other chat's own: alert() after alertChat() still reaches it.
    await alerts.alert('for all', { dedupeKey: 'k' });
    expect(await textsOf('111')).toEqual(['for one']);
    expect(await textsOf('222')).toEqual(['for all']);
  });
});
