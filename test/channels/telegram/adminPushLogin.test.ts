/**
 * With ADMIN_PASSWORD, what the bot pushes to admins (new-booking alerts, the daily agenda, lockout
 * alerts) reaches only admin chats logged in at that moment; the others get it, oldest first, right
 * after their next /login's reply, even across a restart. The real app, the admin bot and the
 * Telegram emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramEmulator } from '../../support/telegramEmulator.js';
import { bookAsAsha, startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';
import type { TestClock } from '../../support/clock.js';

const PASSWORD = 'correct horse battery';
const LOGGED_IN = 9001;
const LOGGED_OUT = 9002;
const LOCKED = 9003;

let emulator: TelegramEmulator;
let token: string;
let adminToken: string;
const apps: TelegramTestApp[] = [];

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
  adminToken = emulator.addBot('clinic_admin_bot');
  for (const id of [LOGGED_IN, LOGGED_OUT, LOCKED]) emulator.openChat(adminToken, id);
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.dispose();
  await emulator.close();
});

async function start(options: { dataDir?: string; clock?: TestClock } = {}): Promise<TelegramTestApp> {
  const running = await startTelegramApp(emulator, token, {
    ...options,
    env: {
      TELEGRAM_ADMIN_BOT_TOKEN: adminToken,
      TELEGRAM_ADMIN_IDS: `${LOGGED_IN},${LOGGED_OUT},${LOCKED}`,
      ADMIN_PASSWORD: PASSWORD,
      // The clock starts at 09:30: the agenda is due after the restart.
      AGENDA_TIME: '10:00',
    },
  });
  apps.push(running);
  return running;
}

/** Everything the admin bot delivered to a chat, in order. */
function deliveredTo(chatId: number): string[] {
  return emulator.delivered(chatId, adminToken).map((c) => String(c.params.text));
}

describe('admin pushes behind ADMIN_PASSWORD', () => {
  it('reach only logged-in chats; the others get them after /login, in order, across a restart; a locked chat gets none', async () => {
    const first = await start();
    const loggedIn = emulator.user(adminToken, { id: LOGGED_IN, first_name: 'Lead' });
    const loggedOut = emulator.user(adminToken, { id: LOGGED_OUT, first_name: 'Desk' });
    const locked = emulator.user(adminToken, { id: LOCKED, first_name: 'Lost phone' });
    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });

    loggedIn.say(`/login ${PASSWORD}`);
    await loggedIn.reply(/Logged in until/);
    loggedOut.say('/today');
    await loggedOut.reply(/Please \/login first/);

    const appointmentId = await bookAsAsha(asha);
    await loggedIn.reply(`🆕 New booking`);
    expect(deliveredTo(LOGGED_IN).at(-1)).toContain(appointmentId);

    // Twenty minutes later someone guesses in the third chat until it is locked (until 10:05).
    first.clock.advanceMinutes(20);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      locked.say('/login guess');
      await locked.reply(attempt < 5 ? /Wrong password/ : /locked until/);
    }
    await loggedIn.reply(/^⚠️ Admin chat 9003 is locked until/);

    // Restart at 10:01: the agenda, due at 10:00, goes out at start.
    await first.close();
    first.clock.advanceMinutes(11);
    const second = await start({ dataDir: first.dataDir, clock: first.clock });
    const agenda = await loggedIn.reply(/📋 Agenda for/);
    expect(String(agenda.params.text)).toContain('Asha Rao');

    // The locked chat got nothing pushed: the reply to a later command comes after anything queued.
    locked.say('/today');
    await locked.reply(/Please \/login first|locked/);
    expect(deliveredTo(LOCKED).join('\n')).not.toMatch(/New booking|Agenda|Asha|Admin chat/);

    // Nor did the chat that never logged in, until it does.
    loggedOut.say('/today');
    await loggedOut.reply(/Please \/login first/);
    expect(deliveredTo(LOGGED_OUT)).toEqual(['Please /login first.', 'Please /login first.']);

    loggedOut.say(`/login ${PASSWORD}`);
    await loggedOut.reply(/📋 Agenda for/);
    const afterLogin = deliveredTo(LOGGED_OUT).slice(2);
    expect(afterLogin).toHaveLength(5);
    expect(afterLogin[0]).toMatch(/^Logged in until/);
    expect(afterLogin[1]).toBe('While you were logged out: 3 alerts, oldest first.');
    expect(afterLogin[2]).toMatch(new RegExp(`^🆕 New booking: .*${appointmentId}`));
    expect(afterLogin[3]).toMatch(/^⚠️ Admin chat .* is locked until/);
    expect(afterLogin[4]).toBe(String(agenda.params.text));

    // Released once: nothing is left held for that chat; the locked chat's alerts wait for its own login.
    const heldFor = second.app.context.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM held_admin_alerts WHERE chat_id = ?');
    expect(heldFor.get(String(LOGGED_OUT))).toEqual({ n: 0 });
    expect(heldFor.get(String(LOCKED))).toEqual({ n: 3 });
    loggedOut.say('/today');
    await loggedOut.reply(/Appointments on/);
    expect(deliveredTo(LOGGED_OUT).filter((t) => t.startsWith('📋 Agenda for'))).toHaveLength(1);
  });
});
