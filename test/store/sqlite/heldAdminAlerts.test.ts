/**
 * Admin alerts held for chats that are not logged in: kept per chat across restarts, each dedupe key
 * spent once (held or sent), and released into the outbox in one transaction with their deletion.
 */
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryRoute, StoredMessage } from '../../../src/core/delivery.js';
import type { HeldAdminAlert } from '../../../src/core/ports.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteHeldAdminAlerts } from '../../../src/store/sqlite/heldAdminAlerts.js';
import { SqliteOutbox } from '../../../src/store/sqlite/outbox.js';
import { makeTempDir } from './helpers.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const CHAT_A: DeliveryRoute = { channel: 'telegram-admin', chatId: '9001' };
const CHAT_B: DeliveryRoute = { channel: 'telegram-admin', chatId: '9002' };
const LONG_AGO = new Date('2026-11-20T04:30:00.000Z');

let db: Database.Database;
let file: string;
let cleanup: () => void;
let outbox: SqliteOutbox;
let held: SqliteHeldAdminAlerts;

function open(): void {
  db = openClinicDatabase(file);
  outbox = new SqliteOutbox(db);
  held = new SqliteHeldAdminAlerts(db, outbox);
}

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  file = path.join(temp.dir, 'clinic.db');
  open();
});

afterEach(() => {
  if (db.open) db.close();
  cleanup();
});

const minutesLater = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
const asText = (held: readonly HeldAdminAlert[]): StoredMessage[] => held.map((alert) => ({ kind: 'text', text: alert.text }));
const texts = async (route: DeliveryRoute) =>
  (await outbox.listAfter(route, 0, 100)).map((entry) => (entry.message.kind === 'text' ? entry.message.text : entry.message.kind));
const heldRows = () => db.prepare('SELECT channel, chat_id, text, dedupe_key, held_at FROM held_admin_alerts ORDER BY id').all();

describe('SqliteHeldAdminAlerts', () => {
  it('keeps alerts per chat, through a restart, and releases only that chat’s, oldest first', async () => {
    expect(await held.hold(CHAT_A, '🆕 New booking: Asha Rao', NOW, { dedupeKey: 'booking:1@9001', forgetBefore: LONG_AGO })).toBe(true);
    expect(await held.hold(CHAT_B, '🆕 New booking: Asha Rao', NOW, { dedupeKey: 'booking:1@9002', forgetBefore: LONG_AGO })).toBe(true);
    expect(await held.hold(CHAT_A, '📋 Agenda', minutesLater(5), { dedupeKey: 'agenda:2026-11-21@9001', forgetBefore: LONG_AGO })).toBe(true);
    expect(await held.hold(CHAT_A, 'Patient blocked the bot', minutesLater(6), { forgetBefore: LONG_AGO })).toBe(true);
    // Nothing is in the outbox while held.
    expect(await texts(CHAT_A)).toEqual([]);

    db.close();
    open();

    const seen: HeldAdminAlert[][] = [];
    const written = await held.release(CHAT_A, minutesLater(10), (alerts) => {
      seen.push([...alerts]);
      return [{ kind: 'text', text: 'Logged in' }, ...asText(alerts)];
    });
    expect(seen).toEqual([
      [
        { text: '🆕 New booking: Asha Rao', heldAt: NOW.toISOString() },
        { text: '📋 Agenda', heldAt: minutesLater(5).toISOString() },
        { text: 'Patient blocked the bot', heldAt: minutesLater(6).toISOString() },
      ],
    ]);
    expect(written.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(written.every((e) => e.state === 'pending' && e.author === 'bot')).toBe(true);
    expect(await texts(CHAT_A)).toEqual(['Logged in', '🆕 New booking: Asha Rao', '📋 Agenda', 'Patient blocked the bot']);
    // The other chat's alert stays held for it, and nothing of it reached chat A.
    expect(heldRows()).toEqual([
      { channel: 'telegram-admin', chat_id: '9002', text: '🆕 New booking: Asha Rao', dedupe_key: 'booking:1@9002', held_at: NOW.toISOString() },
    ]);
    expect(await texts(CHAT_B)).toEqual([]);

    // Released once: a second login finds nothing and writes nothing.
    let called = false;
    expect(await held.release(CHAT_A, minutesLater(11), (alerts) => ((called = true), asText(alerts)))).toEqual([]);
    expect(called).toBe(false);
    expect(await texts(CHAT_A)).toHaveLength(4);
  });

  it('spends the dedupe key once: an alert held is neither held again nor pushed later', async () => {
    expect(await held.hold(CHAT_A, 'Agenda', NOW, { dedupeKey: 'agenda:2026-11-21@9001', forgetBefore: LONG_AGO })).toBe(true);
    expect(await held.hold(CHAT_A, 'Agenda', minutesLater(1), { dedupeKey: 'agenda:2026-11-21@9001', forgetBefore: LONG_AGO })).toBe(false);
    expect(heldRows()).toHaveLength(1);

    await held.release(CHAT_A, minutesLater(2), asText);
    // The chat is logged in now: the same alert raised again is not pushed a second time.
    expect(await outbox.push(CHAT_A, [{ kind: 'text', text: 'Agenda' }], minutesLater(3), { dedupeKey: 'agenda:2026-11-21@9001' })).toEqual([]);
    expect(await texts(CHAT_A)).toEqual(['Agenda']);

    // And an alert already pushed is not held afterwards (the chat logged out since).
    await outbox.push(CHAT_B, [{ kind: 'text', text: 'Booking' }], NOW, { dedupeKey: 'booking:7@9002' });
    expect(await held.hold(CHAT_B, 'Booking', minutesLater(4), { dedupeKey: 'booking:7@9002', forgetBefore: LONG_AGO })).toBe(false);
    expect(heldRows()).toEqual([]);
  });

  it('forgets a chat’s alerts held before the cutoff when it holds a new one, and only that chat’s', async () => {
    await held.hold(CHAT_A, 'old A', NOW, { forgetBefore: LONG_AGO });
    await held.hold(CHAT_B, 'old B', NOW, { forgetBefore: LONG_AGO });
    await held.hold(CHAT_A, 'new A', minutesLater(60 * 25), { forgetBefore: minutesLater(60) });
    expect(heldRows().map((row) => (row as { text: string }).text)).toEqual(['old B', 'new A']);
  });

  it('writes nothing and keeps every alert held when the outbox write fails (one transaction)', async () => {
    await held.hold(CHAT_A, 'first', NOW, { forgetBefore: LONG_AGO });
    await held.hold(CHAT_A, 'second', minutesLater(1), { forgetBefore: LONG_AGO });
    // The second outbox row of the release fails, as a full disk would.
    db.exec(`CREATE TRIGGER fail_second BEFORE INSERT ON outbox WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    await expect(held.release(CHAT_A, minutesLater(2), asText)).rejects.toThrow(/disk full/);
    expect(await texts(CHAT_A)).toEqual([]);
    expect(heldRows()).toHaveLength(2);

    // A failure while composing the messages also leaves everything held.
    db.exec('DROP TRIGGER fail_second');
    await expect(
      held.release(CHAT_A, minutesLater(3), () => {
        throw new Error('compose failed');
      }),
    ).rejects.toThrow(/compose failed/);
    expect(heldRows()).toHaveLength(2);

    await held.release(CHAT_A, minutesLater(4), asText);
    expect(await texts(CHAT_A)).toEqual(['first', 'second']);
    expect(heldRows()).toEqual([]);
  });

  it('wakes the chat’s sender once the release is written, not when nothing was held', async () => {
    const woken: string[] = [];
    outbox.onPush((channel, chatId) => woken.push(`${channel}:${chatId}`));
    await held.release(CHAT_A, NOW, asText);
    expect(woken).toEqual([]);
    await held.hold(CHAT_A, 'x', NOW, { forgetBefore: LONG_AGO });
    await held.release(CHAT_A, minutesLater(1), asText);
    expect(woken).toEqual(['telegram-admin:9001']);
  });

  it('deletes every held alert of the chat even when the composed release leaves some out', async () => {
    await held.hold(CHAT_A, 'stale', NOW, { forgetBefore: LONG_AGO });
    await held.hold(CHAT_A, 'fresh', minutesLater(1), { forgetBefore: LONG_AGO });
    await held.release(CHAT_A, minutesLater(2), (alerts) => asText(alerts.slice(-1)));
    expect(await texts(CHAT_A)).toEqual(['fresh']);
    expect(heldRows()).toEqual([]);
  });
});
