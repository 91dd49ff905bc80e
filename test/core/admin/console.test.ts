import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN_ID, book, createAdminSetup, OTHER_ADMIN_ID, PASSWORD, said, type AdminSetup } from './adminHarness.js';

let s: AdminSetup;
afterEach(async () => s.close());

/** Every admin command, with arguments that would be valid. */
const EVERY_COMMAND = [
  '/today',
  '/appointments tomorrow',
  '/find 98765 43210',
  '/cancel APT-XXXX no doctor',
  '/paid APT-XXXX',
  '/done APT-XXXX',
  '/doctors',
  '/slots meera today',
  '/block GP today',
  '/unblock GP today',
  '/report APT-XXXX',
  '/stats 7',
  '/refunds',
  '/refunded APT-XXXX',
  '/undelivered',
  '/help',
  '/login whatever',
  `/login ${PASSWORD}`,
  '/logout',
  '/nonsense',
];

describe('who may use the console', () => {
  it('gives nobody but an admin any answer, not even to /login or /help', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    const appointment = await book(s.h, 'patient-1');
    for (const text of [...EVERY_COMMAND, `/cancel ${appointment.id}`]) {
      expect(await s.stranger(text), text).toBeUndefined();
    }
    expect((await s.h.store.getAppointment(appointment.id))?.status).toBe('CONFIRMED');
    expect(await s.audit.recent(10)).toEqual([]);
  });

  it('without a password too, a non-admin gets nothing for every command', async () => {
    s = await createAdminSetup();
    for (const text of EVERY_COMMAND) expect(await s.stranger(text), text).toBeUndefined();
    expect(s.console.commands().map((c) => c.command)).not.toContain('login');
  });

  it('does not answer an admin in a group chat, where others would read patient data', async () => {
    s = await createAdminSetup();
    expect(await s.as(ADMIN_ID, '/today', '-100123456')).toBeUndefined();
    expect(said(await s.as(ADMIN_ID, '/today'))).toContain('Appointments on Sat, 21 Nov 2026');
  });

  it('leaves plain text and the patient commands to the booking flow', async () => {
    s = await createAdminSetup();
    for (const text of ['hello', 'today', '/start', '/menu', '/book', '']) expect(await s.admin(text), text).toBeUndefined();
  });

  it('answers every admin listed, and lists its commands for the command menu', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    expect(said(await s.as(OTHER_ADMIN_ID, '/doctors'))).toBe('Please /login first.');
    const names = s.console.commands().map((c) => c.command);
    for (const name of ['today', 'appointments', 'find', 'cancel', 'paid', 'done', 'doctors', 'slots', 'block', 'unblock', 'report', 'stats', 'refunds', 'refunded', 'undelivered', 'help', 'login', 'logout']) {
      expect(names).toContain(name);
    }
    for (const command of s.console.commands()) expect(command.description.length).toBeLessThanOrEqual(256);
  });
});

describe('password login', () => {
  it('asks for /login before admin commands, logs in for 12 hours, and /logout ends it', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    expect(said(await s.admin('/today'))).toBe('Please /login first.');
    expect(said(await s.admin('/help'))).toBe('Please /login first.');
    // Not an admin command: the booking flow may take it.
    expect(await s.admin('/nonsense')).toBeUndefined();

    expect(said(await s.admin(`/login ${PASSWORD}`))).toMatch(/^Logged in until 21 Nov 2026, 10:00 PM\./);
    expect(said(await s.admin('/today'))).toContain('Appointments on Sat, 21 Nov 2026');
    expect(said(await s.admin('/nonsense'))).toContain('There is no /nonsense command. Send /help');
    // Logins are per chat: the other admin still has to log in.
    expect(said(await s.as(OTHER_ADMIN_ID, '/today'))).toBe('Please /login first.');

    s.h.clock.advanceMinutes(12 * 60 - 1);
    expect(said(await s.admin('/today'))).toContain('Appointments on');
    s.h.clock.advanceMinutes(1);
    expect(said(await s.admin('/today'))).toBe('Please /login first.');

    await s.admin(`/login ${PASSWORD}`);
    expect(said(await s.admin('/logout'))).toContain('Logged out');
    expect(said(await s.admin('/today'))).toBe('Please /login first.');
  });

  it('compares the password exactly: spaces inside count, a prefix or another case does not pass', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    for (const attempt of ['correct horse battery', 'correct horse  batter', 'Correct horse  battery']) {
      expect(said(await s.admin(`/login ${attempt}`))).toContain('Wrong password');
    }
    expect(said(await s.admin('/login'))).toBe('Send /login followed by the admin password.');
  });

  it('locks the chat for 15 minutes after 5 wrong passwords, even for the right one, then lets it in', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      expect(said(await s.admin('/login guess'))).toBe(`Wrong password. ${5 - attempt} attempt${5 - attempt === 1 ? '' : 's'} left before this chat is locked.`);
    }
    expect(said(await s.admin('/login guess'))).toBe('Wrong password. This chat is locked until 21 Nov 2026, 10:15 AM.');
    expect(said(await s.admin(`/login ${PASSWORD}`))).toContain('This chat is locked until 21 Nov 2026, 10:15 AM');
    expect(said(await s.admin('/today'))).toBe('Please /login first.');

    // The lockout survives a restart.
    s.restart();
    s.h.clock.advanceMinutes(14);
    expect(said(await s.admin(`/login ${PASSWORD}`))).toContain('is locked');
    // Another admin chat is not locked by it.
    expect(said(await s.as(OTHER_ADMIN_ID, `/login ${PASSWORD}`))).toContain('Logged in');

    s.h.clock.advanceMinutes(1);
    expect(said(await s.admin(`/login ${PASSWORD}`))).toContain('Logged in');
    expect(said(await s.admin('/doctors'))).toContain('Dr. Meera Iyer');

    // The other admins were told of the lockout, once, on the admin bot.
    const alerts = await s.h.outbox.listAfter({ channel: 'telegram-admin', chatId: OTHER_ADMIN_ID }, 0, 10);
    expect(alerts.map((e) => ('text' in e.message ? e.message.text : ''))).toEqual([
      '⚠️ Admin chat 111222333 is locked until 21 Nov 2026, 10:15 AM after 5 wrong passwords.',
    ]);
  });

  it('starts counting afresh after a lockout ends and after a good login', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    for (let i = 0; i < 4; i += 1) await s.admin('/login nope');
    await s.admin(`/login ${PASSWORD}`);
    expect(said(await s.admin('/login nope'))).toContain('4 attempts left');
    for (let i = 0; i < 4; i += 1) await s.admin('/login nope');
    s.h.clock.advanceMinutes(15);
    expect(said(await s.admin('/login nope'))).toContain('4 attempts left');
  });

  it('a burst of guesses at once is still stopped after 5', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    const guesses = Array.from({ length: 20 }, (_, i) => s.admin(`/login guess-${i}`));
    const last = s.admin(`/login ${PASSWORD}`);
    const replies = await Promise.all([...guesses, last]);
    expect(replies.filter((r) => said(r).includes('attempts left') || said(r).includes('1 attempt left'))).toHaveLength(4);
    expect(said(await last)).toContain('is locked');
    expect(said(await s.admin('/today'))).toBe('Please /login first.');
  });

  it('keeps a login across a restart', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    await s.admin(`/login ${PASSWORD}`);
    s.restart();
    expect(said(await s.admin('/doctors'))).toContain('Dr. Meera Iyer');
  });

  it('without a password, /login and /logout explain there is nothing to do', async () => {
    s = await createAdminSetup();
    expect(said(await s.admin('/login x'))).toContain('No admin password is set');
    expect(said(await s.admin('/logout'))).toContain('nothing to log out of');
  });
});

describe('the audit log', () => {
  it('records who did what, when and how it went, with phones masked and never the password', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    const appointment = await book(s.h, 'patient-1');
    await s.admin('/login wrong-one');
    await s.admin(`/login ${PASSWORD}`);
    await s.admin('/find +91 98765 43210');
    await s.admin(`/cancel ${appointment.id} patient called from 9876543210`);
    await s.admin('/paid APT-NOPE');
    await s.admin('/slots');
    await s.admin('/nonsense');

    const entries = (await s.audit.recent(20)).reverse();
    expect(entries.map((e) => [e.command, e.result])).toEqual([
      ['login', 'error'],
      ['login', 'ok'],
      ['find', 'ok'],
      ['cancel', 'ok'],
      ['paid', 'error'],
      ['slots', 'error'],
      ['nonsense', 'error'],
    ]);
    expect(entries[0]).toMatchObject({ userId: ADMIN_ID, chatId: ADMIN_ID, channel: 'telegram-admin', args: '', summary: 'wrong password (1 of 5)' });
    expect(entries[0]!.at).toBe('2026-11-21T04:30:00.000Z');
    expect(entries[2]).toMatchObject({ args: '+91******3210', summary: '1 found' });
    expect(entries[3]).toMatchObject({ args: `${appointment.id} patient called from 98****3210`, summary: `cancelled ${appointment.id}` });
    expect(entries[4]!.summary).toContain('No appointment APT-NOPE');
    const everything = JSON.stringify(entries);
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('wrong-one');
    expect(everything).not.toContain('9876543210');
  });

  it('records refused commands of an admin who is not logged in, and lockouts', async () => {
    s = await createAdminSetup({ password: PASSWORD });
    await s.admin('/today');
    for (let i = 0; i < 6; i += 1) await s.admin('/login nope');
    const summaries = (await s.audit.recent(20)).reverse().map((e) => e.summary);
    expect(summaries[0]).toBe('refused: not logged in');
    expect(summaries[5]).toBe('locked until 2026-11-21T04:45:00.000Z after 5 wrong passwords');
    expect(summaries[6]).toBe('refused: chat locked');
  });
});

describe('bad input from an admin', () => {
  it('answers unknown and malformed commands with a usage line', async () => {
    s = await createAdminSetup();
    expect(said(await s.admin('/cancel'))).toBe('Give the appointment id, e.g. APT-7K3Q9XMD.\nUsage: /cancel <appointment id> [reason]');
    expect(said(await s.admin('/slots'))).toContain('Usage: /slots <doctor> [date]');
    expect(said(await s.admin('/appointments 31/02'))).toContain('"31/02" is not a date');
    expect(said(await s.admin('/appointments 31/02'))).toContain('Usage: /appointments [date]');
    expect(said(await s.admin('/stats lots'))).toContain('Give a number of days from 1 to 366');
    expect(said(await s.admin('/stats 0'))).toContain('Usage: /stats [days]');
    expect(said(await s.admin('/today extra'))).toContain('Usage: /today');
    expect(said(await s.admin('/paid APT-1 APT-2'))).toContain('Give one appointment id and nothing else.');
    expect(said(await s.admin('/report a/../../etc/passwd'))).toContain('is not an appointment id');
    expect(said(await s.admin('/find x'))).toContain('at least 2 letters');
  });

  it('treats formula-looking text as plain text', async () => {
    s = await createAdminSetup();
    const appointment = await book(s.h, 'patient-1');
    const formula = '=HYPERLINK("http://evil.example","click")';
    expect(said(await s.admin(`/find ${formula}`))).toBe('No appointments match.');
    expect(said(await s.admin(`/slots ${formula}`))).toContain('No doctor matches "=HYPERLINK');
    expect(said(await s.admin(`/paid ${formula}`))).toContain('is not an appointment id');
    expect(said(await s.admin(`/cancel ${appointment.id} ${formula}`))).toContain(`Cancelled ${appointment.id}`);
    const stored = await s.h.store.getAppointment(appointment.id);
    expect(stored?.notes).toBe(`Cancelled by the clinic: ${formula}`);
  });

  it('refuses overlong commands and reasons before doing anything', async () => {
    s = await createAdminSetup();
    const appointment = await book(s.h, 'patient-1');
    expect(said(await s.admin(`/find ${'a'.repeat(5000)}`))).toContain('That is too long for a command');
    expect(said(await s.admin(`/cancel ${appointment.id} ${'because '.repeat(30)}`))).toContain('Keep the reason under 200 characters');
    expect((await s.h.store.getAppointment(appointment.id))?.status).toBe('CONFIRMED');
    const [entry] = await s.audit.recent(1);
    expect(entry!.args.length).toBeLessThanOrEqual(300);
  });

  it('takes emoji and other scripts without breaking', async () => {
    s = await createAdminSetup();
    await book(s.h, 'patient-1', { name: 'आशा राव' });
    expect(said(await s.admin('/find आशा'))).toContain('आशा राव');
    expect(said(await s.admin('/find 🙂🙂'))).toBe('No appointments match.');
  });
});
