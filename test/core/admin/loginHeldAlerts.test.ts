/**
 * With ADMIN_PASSWORD, the login also guards what is pushed: alerts reach only chats logged in when
 * they are raised, the others get them after their next /login's reply. The real console, login gate,
 * alert sender and SQLite stores, on the engine harness.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminLoginGate, DEFAULT_LOGIN_POLICY } from '../../../src/core/admin/login.js';
import type { LoginPolicy } from '../../../src/core/admin/login.js';
import type { DeliveryRoute } from '../../../src/core/delivery.js';
import { OutboxAdminAlerts } from '../../../src/services/delivery/notifier.js';
import { SqliteAdminLogins } from '../../../src/store/sqlite/auditLog.js';
import { SqliteHeldAdminAlerts } from '../../../src/store/sqlite/heldAdminAlerts.js';
import { ADMIN_ID, createAdminSetup, OTHER_ADMIN_ID, PASSWORD, said, type AdminSetup } from './adminHarness.js';

const ADMIN: DeliveryRoute = { channel: 'telegram-admin', chatId: ADMIN_ID };
const OTHER: DeliveryRoute = { channel: 'telegram-admin', chatId: OTHER_ADMIN_ID };

let s: AdminSetup | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** The console, its login gate and the admin alerts wired as the app wires them. */
async function gated(policy: Partial<LoginPolicy> = {}) {
  s = await createAdminSetup({ password: PASSWORD, loginPolicy: policy });
  const { h } = s;
  const logins = new SqliteAdminLogins(h.db);
  const gate = new AdminLoginGate(PASSWORD, logins, policy, new SqliteHeldAdminAlerts(h.db, h.outbox));
  const alerts = new OutboxAdminAlerts({
    outbox: h.outbox,
    clock: h.clock,
    logger: pino({ level: 'silent' }),
    channel: 'telegram-admin',
    adminChatIds: [ADMIN_ID, OTHER_ADMIN_ID],
    loginGate: gate,
  });
  s.restart({ loginGate: gate, alerts, logins });
  const texts = async (route: DeliveryRoute) =>
    (await h.outbox.listAfter(route, 0, 500)).map((e) => (e.message.kind === 'text' ? e.message.text : e.message.kind));
  return { s, h, gate, alerts, logins, texts };
}

describe('alerts behind the admin login', () => {
  it('pushes to the logged-in chat only, and the other chat gets its held alerts after its login reply, in order', async () => {
    const { s, h, alerts, texts } = await gated();
    expect(said(await s.admin(`/login ${PASSWORD}`))).toMatch(/^Logged in until/);
    const loginReplies = await texts(ADMIN);

    await alerts.alert('🆕 New booking: Asha Rao, APT-1', { dedupeKey: 'booking:APT-1' });
    h.clock.advanceMinutes(5);
    await alerts.alert('📋 Agenda for Sat, 21 Nov 2026: 1 appointment', { dedupeKey: 'agenda:2026-11-21' });
    expect(await texts(ADMIN)).toEqual([...loginReplies, '🆕 New booking: Asha Rao, APT-1', '📋 Agenda for Sat, 21 Nov 2026: 1 appointment']);
    expect(await texts(OTHER)).toEqual([]);

    // A command refused for not being logged in shows nothing held either.
    expect(said(await s.as(OTHER_ADMIN_ID, '/today'))).toBe('Please /login first.');
    expect(await texts(OTHER)).toEqual([]);

    // The same alert raised again (a retried job) is held once only.
    await alerts.alert('📋 Agenda for Sat, 21 Nov 2026: 1 appointment', { dedupeKey: 'agenda:2026-11-21' });

    h.clock.advanceMinutes(5);
    // The reply is already in the outbox, ahead of the alerts: nothing more for the channel to send.
    expect(await s.as(OTHER_ADMIN_ID, `/login ${PASSWORD}`)).toEqual([]);
    const other = await texts(OTHER);
    expect(other).toHaveLength(4);
    expect(other[0]).toMatch(/^Logged in until 21 Nov 2026, 10:10 PM\./);
    expect(other.slice(1)).toEqual([
      'While you were logged out: 2 alerts, oldest first.',
      '🆕 New booking: Asha Rao, APT-1',
      '📋 Agenda for Sat, 21 Nov 2026: 1 appointment',
    ]);
    const [audit] = await s.audit.recent(1);
    expect(audit).toMatchObject({ chatId: OTHER_ADMIN_ID, command: 'login', result: 'ok', summary: 'logged in; held alerts: 2 released, 0 stale, 0 over the cap' });

    // Logged in now: later alerts go straight out, earlier ones are not repeated.
    await alerts.alert('📋 Agenda for Sat, 21 Nov 2026: 1 appointment', { dedupeKey: 'agenda:2026-11-21' });
    await alerts.alert('💳 Payment received for APT-1', { dedupeKey: 'paid:APT-1' });
    expect((await texts(OTHER)).slice(4)).toEqual(['💳 Payment received for APT-1']);
    // A second login has nothing to release and answers as usual.
    expect(said(await s.as(OTHER_ADMIN_ID, `/login ${PASSWORD}`))).toMatch(/^Logged in until/);
    expect(await texts(OTHER)).toHaveLength(5);
  });

  it('holds alerts again once the chat logs out or its login runs out', async () => {
    const { s, h, alerts, texts } = await gated({ loginHours: 1 });
    await s.admin(`/login ${PASSWORD}`);
    await s.as(OTHER_ADMIN_ID, `/login ${PASSWORD}`);
    await s.as(OTHER_ADMIN_ID, '/logout');
    const before = { admin: (await texts(ADMIN)).length, other: (await texts(OTHER)).length };

    await alerts.alert('first');
    expect((await texts(ADMIN)).slice(before.admin)).toEqual(['first']);
    h.clock.advanceMinutes(61);
    await alerts.alert('second');
    expect((await texts(ADMIN)).slice(before.admin)).toEqual(['first']);
    expect((await texts(OTHER)).slice(before.other)).toEqual([]);
  });

  it('drops alerts held over a day and sends at most the most recent ones, saying so', async () => {
    const { s, h, alerts, texts } = await gated({ maxReleasedAlerts: 3 });
    await alerts.alert('day-old alert');
    h.clock.advanceMinutes(60 * 23);
    for (const n of [1, 2, 3, 4, 5]) await alerts.alert(`alert ${n}`);
    // The first is over a day old when the chat logs in.
    h.clock.advanceMinutes(61);

    expect(await s.as(OTHER_ADMIN_ID, `/login ${PASSWORD}`)).toEqual([]);
    expect((await texts(OTHER)).slice(1)).toEqual([
      'While you were logged out: 3 alerts, oldest first. 2 earlier alerts are not shown. 1 alert older than 24 hours was dropped. /today and /appointments show the current state.',
      'alert 3',
      'alert 4',
      'alert 5',
    ]);
    // Nothing stays held for that chat; the other admin, never logged in, still has its six.
    const heldFor = h.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM held_admin_alerts WHERE chat_id = ?');
    expect(heldFor.get(OTHER_ADMIN_ID)).toEqual({ n: 0 });
    expect(heldFor.get(ADMIN_ID)).toEqual({ n: 6 });
  });

  it('gives a locked chat nothing, and releases its alerts (its own lockout alert too) at its next login', async () => {
    const { s, h, alerts, texts } = await gated();
    await s.admin(`/login ${PASSWORD}`);
    for (let i = 0; i < DEFAULT_LOGIN_POLICY.maxFailures; i += 1) await s.as(OTHER_ADMIN_ID, '/login wrong');
    await alerts.alert('📋 Agenda while locked');
    const toOther = await texts(OTHER);
    expect(toOther.join('\n')).not.toMatch(/Agenda|is locked until/);
    // The logged-in admin heard of the lockout and got the agenda.
    expect((await texts(ADMIN)).slice(-2)).toEqual([expect.stringMatching(/^⚠️ Admin chat 444555666 is locked until/), '📋 Agenda while locked']);

    h.clock.advanceMinutes(DEFAULT_LOGIN_POLICY.lockMinutes + 1);
    expect(await s.as(OTHER_ADMIN_ID, `/login ${PASSWORD}`)).toEqual([]);
    expect((await texts(OTHER)).slice(toOther.length + 1)).toEqual([
      'While you were logged out: 2 alerts, oldest first.',
      expect.stringMatching(/^⚠️ Admin chat 444555666 is locked until/),
      '📋 Agenda while locked',
    ]);
  });

  it('never counts a locked chat as logged in, whatever its stored login says', async () => {
    const { h, gate, logins } = await gated();
    const now = h.clock.now();
    const inMinutes = (minutes: number) => new Date(now.getTime() + minutes * 60_000).toISOString();
    await logins.put(OTHER, OTHER_ADMIN_ID, { loggedInUntil: inMinutes(600), failedAttempts: 5, lockedUntil: inMinutes(10) }, now);
    expect(await gate.loggedInUntil(OTHER, now)).toBeUndefined();
    let pushed = false;
    expect(await gate.deliverAlert(OTHER, 'agenda', now, {}, async () => (pushed = true))).toBe('held');
    expect(pushed).toBe(false);
    // Once the lockout has passed, the login counts again.
    expect(await gate.loggedInUntil(OTHER, new Date(now.getTime() + 11 * 60_000))).toEqual(new Date(inMinutes(600)));
  });

  it('takes turns with a login in progress: an alert raised meanwhile is sent after the login, not left held', async () => {
    const { h, gate, texts } = await gated();
    const now = h.clock.now();
    const push = async () => (await h.outbox.push(OTHER, [{ kind: 'text', text: 'raised during login' }], now)).length > 0;
    const login = gate.login(OTHER, OTHER_ADMIN_ID, PASSWORD, now, () => 'Logged in.');
    const delivery = gate.deliverAlert(OTHER, 'raised during login', now, {}, push);
    expect((await login).kind).toBe('logged-in');
    expect(await delivery).toBe('pushed');
    expect(await texts(OTHER)).toEqual(['raised during login']);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM held_admin_alerts').get()).toEqual({ n: 0 });
  });

  it('without a store for held alerts, pushes to every chat as before', async () => {
    const { h } = await gated();
    const gate = new AdminLoginGate(PASSWORD, new SqliteAdminLogins(h.db));
    let pushed = 0;
    expect(await gate.deliverAlert(OTHER, 'x', h.clock.now(), {}, async () => ((pushed += 1), true))).toBe('pushed');
    expect(pushed).toBe(1);
  });
});
