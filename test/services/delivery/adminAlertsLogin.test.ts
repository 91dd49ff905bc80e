/**
 * OutboxAdminAlerts with ADMIN_PASSWORD: the daily agenda and other alerts are pushed only to admin
 * chats logged in at that moment and held for the others, without their text in the logs; one chat's
 * failure never keeps the alert from the other chats.
 */
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdminLoginGate } from '../../../src/core/admin/login.js';
import { createLogger } from '../../../src/logging.js';
import { OutboxAdminAlerts } from '../../../src/services/delivery/notifier.js';
import { sendDailyAgenda } from '../../../src/services/scheduler/jobs/agenda.js';
import { SqliteAdminLogins } from '../../../src/store/sqlite/auditLog.js';
import { SqliteHeldAdminAlerts } from '../../../src/store/sqlite/heldAdminAlerts.js';
import { createHarness, type Harness } from '../../support/engineHarness.js';
import { book, ist, seedDays, setClock } from '../scheduler/support.js';

const PASSWORD = 'correct horse battery';
const LOGGED_IN = '900100001';
const LOGGED_OUT = '900200002';
const route = (chatId: string) => ({ channel: 'telegram-admin', chatId }) as const;

let h: Harness;
let logLines: Record<string, unknown>[];
let rawLogs: string;

beforeEach(async () => {
  h = createHarness({ now: ist('2026-11-22T06:00') });
  await seedDays(h);
  logLines = [];
  rawLogs = '';
});
afterEach(async () => h.close());

function logger() {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      rawLogs += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return createLogger('info', sink);
}

function alertsFor(options: { gated: boolean; chats?: string[] }) {
  const logins = new SqliteAdminLogins(h.db);
  const gate = new AdminLoginGate(PASSWORD, logins, {}, new SqliteHeldAdminAlerts(h.db, h.outbox));
  const alerts = new OutboxAdminAlerts({
    outbox: h.outbox,
    clock: h.clock,
    logger: logger(),
    channel: 'telegram-admin',
    adminChatIds: options.chats ?? [LOGGED_IN, LOGGED_OUT],
    ...(options.gated ? { loginGate: gate } : {}),
  });
  return { alerts, gate };
}

const texts = async (chatId: string) =>
  (await h.outbox.listAfter(route(chatId), 0, 100)).map((e) => (e.message.kind === 'text' ? e.message.text : e.message.kind));
const heldTexts = (chatId: string) =>
  h.db.prepare<[string], { text: string }>('SELECT text FROM held_admin_alerts WHERE chat_id = ? ORDER BY id').all(chatId).map((r) => r.text);

describe('OutboxAdminAlerts behind the admin login', () => {
  it('sends the daily agenda only to the logged-in chat and holds it for the other, logging no patient data', async () => {
    const { alerts, gate } = alertsFor({ gated: true });
    await gate.login(route(LOGGED_IN), LOGGED_IN, PASSWORD, h.clock.now());
    await book(h, 'gp-2026-11-22-0900', { channel: 'telegram', chatId: '42' });

    setClock(h, ist('2026-11-22T08:00'));
    const deps = { store: h.store, alerts, clinic: h.settings.clinic, agendaTime: '08:00' };
    expect(await sendDailyAgenda(h.clock.now(), deps)).toEqual({ date: '2026-11-22', appointments: 1 });

    const [agenda] = await texts(LOGGED_IN);
    expect(agenda).toMatch(/^📋 Agenda for Sun, 22 Nov 2026: 1 appointment\n[\s\S]*Asha Rao/);
    expect(await texts(LOGGED_OUT)).toEqual([]);
    expect(heldTexts(LOGGED_OUT)).toEqual([agenda]);
    expect(heldTexts(LOGGED_IN)).toEqual([]);

    // Run again later that day (a restart): neither held twice nor sent twice.
    setClock(h, ist('2026-11-22T09:00'));
    await sendDailyAgenda(h.clock.now(), deps);
    expect(await texts(LOGGED_IN)).toHaveLength(1);
    expect(heldTexts(LOGGED_OUT)).toHaveLength(1);

    // The hold is logged with the chat id masked, never with the alert's text.
    expect(logLines.filter((l) => l.msg === 'admin alert held until the chat logs in').map((l) => l.chatId)).toEqual(['9002…']);
    expect(rawLogs).not.toContain('Asha');
    expect(rawLogs).not.toContain(LOGGED_OUT);
  });

  it('without a login gate (no ADMIN_PASSWORD) pushes to every admin chat, logged in or not', async () => {
    const { alerts } = alertsFor({ gated: false });
    await alerts.alert('🆕 New booking', { dedupeKey: 'booked:APT-1' });
    expect(await texts(LOGGED_IN)).toEqual(['🆕 New booking']);
    expect(await texts(LOGGED_OUT)).toEqual(['🆕 New booking']);
  });

  it("still reaches the other chats when storing the alert for one chat fails, and logs that chat masked", async () => {
    const failing = '700300003';
    h.db.exec(`CREATE TRIGGER fail_one BEFORE INSERT ON outbox WHEN NEW.chat_id = '${failing}' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    const { alerts } = alertsFor({ gated: false, chats: [failing, LOGGED_IN] });
    await alerts.alert('🆕 New booking');
    expect(await texts(LOGGED_IN)).toEqual(['🆕 New booking']);
    const failure = logLines.find((l) => l.msg === 'admin alert could not be stored');
    expect(failure?.chatId).toBe('7003…');

    // The same when holding fails for a chat that is not logged in.
    h.db.exec(`CREATE TRIGGER fail_hold BEFORE INSERT ON held_admin_alerts WHEN NEW.chat_id = '${failing}' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    const gated = alertsFor({ gated: true, chats: [failing, LOGGED_OUT] });
    await gated.alerts.alert('📋 Agenda');
    expect(heldTexts(LOGGED_OUT)).toEqual(['📋 Agenda']);
  });
});
