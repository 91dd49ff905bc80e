/**
 * The daily agenda for an admin who had not opened the admin bot when it fell due: Telegram answers
 * "chat not found" then, so the chat gets the day's agenda, as it stands, once its admin first
 * writes; and with ADMIN_PASSWORD only through the login, like every other admin push. The real app,
 * the admin bot and the Telegram emulator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteAdminLogins } from '../../../src/store/sqlite/auditLog.js';
import { TelegramEmulator, type RecordedCall } from '../../support/telegramEmulator.js';
import { bookAsAsha, startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';
import type { TestClock } from '../../support/clock.js';

const PASSWORD = 'correct horse battery';
/** Has not opened the admin bot when the agenda falls due. */
const LATE = 9001;
/** Opened it long ago. */
const EARLY = 9002;

let emulator: TelegramEmulator;
let token: string;
let adminToken: string;
const apps: TelegramTestApp[] = [];

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
  adminToken = emulator.addBot('clinic_admin_bot');
  emulator.openChat(adminToken, EARLY);
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.dispose();
  await emulator.close();
});

async function start(env: Record<string, string> = {}, restart?: { dataDir: string; clock: TestClock }): Promise<TelegramTestApp> {
  const running = await startTelegramApp(emulator, token, {
    ...(restart ?? {}),
    env: {
      TELEGRAM_ADMIN_BOT_TOKEN: adminToken,
      TELEGRAM_ADMIN_IDS: `${LATE},${EARLY}`,
      // The clock starts at 09:30: the agenda is due after a restart half an hour later.
      AGENDA_TIME: '10:00',
      ...env,
    },
  });
  apps.push(running);
  return running;
}

/** Everything the admin bot delivered to a chat, in order. */
function deliveredTo(chatId: number): string[] {
  return emulator.delivered(chatId, adminToken).map((c) => String(c.params.text));
}

const agendasTo = (chatId: number) => deliveredTo(chatId).filter((text) => text.startsWith('📋 Agenda for'));

/** A send of the admin bot to the late admin's chat that Telegram refused, with `text` in it. */
function refusedToLate(text: string) {
  return emulator.waitForCall(
    'sendMessage',
    (c: RecordedCall) => c.token === adminToken && Number(c.params.chat_id) === LATE && String(c.params.text).includes(text) && c.response?.ok === false,
  );
}

/**
 * Books Asha, restarts at 10:01 (the agenda goes out at start, and Telegram refuses it for the late
 * admin), then books Ravi: his alert is refused too, which happens only once the agenda's refusal is
 * recorded (one chat's messages are sent in order).
 */
async function agendaRefusedForLate(env: Record<string, string> = {}, started?: (app: TelegramTestApp) => Promise<void>) {
  const first = await start(env);
  await started?.(first);
  const early = emulator.user(adminToken, { id: EARLY, first_name: 'Desk' });
  if (env.ADMIN_PASSWORD) {
    early.say(`/login ${PASSWORD}`);
    await early.reply(/Logged in until/);
  }
  const asha = await bookAsAsha(emulator.user(token, { id: 5001, first_name: 'Asha' }));
  await early.reply(/🆕 New booking/);
  await first.close();
  first.clock.advanceMinutes(31);
  const second = await start(env, { dataDir: first.dataDir, clock: first.clock });
  const agenda = String((await early.reply(/📋 Agenda for/)).params.text);
  const refused = await refusedToLate('📋 Agenda for');
  expect(refused.response).toEqual({ ok: false, error_code: 400, description: 'Bad Request: chat not found' });
  const ravi = await bookAsAsha(emulator.user(token, { id: 5002, first_name: 'Ravi' }));
  await refusedToLate(ravi);
  return { first, second, early, agenda, asha, ravi };
}

describe('the daily agenda for an admin who opens the admin bot late', () => {
  it("is sent as the day stands when the admin first writes, once, also across a restart", async () => {
    const { second, agenda, asha, ravi } = await agendaRefusedForLate();
    expect(agenda).toContain(asha);
    expect(agenda).not.toContain(ravi);
    expect(deliveredTo(LATE)).toEqual([]);

    // An hour later the admin opens the bot: the agenda comes first, then the reply.
    second.clock.advanceMinutes(60);
    const late = emulator.user(adminToken, { id: LATE, first_name: 'Lead' });
    late.say('/start');
    const caughtUp = String((await late.reply(/📋 Agenda for/)).params.text);
    expect(caughtUp).toMatch(/^📋 Agenda for Mon, 2 Mar 2026: 2 appointments\n/);
    expect(caughtUp).toContain(asha);
    expect(caughtUp).toContain(ravi);
    late.say('/today');
    await late.reply(/Appointments on/);
    expect(deliveredTo(LATE)).toHaveLength(3);
    expect(deliveredTo(LATE)[0]).toBe(caughtUp);
    expect(agendasTo(LATE)).toEqual([caughtUp]);
    expect(agendasTo(EARLY)).toEqual([agenda]);

    // The README's example: the sample GP by part of the id.
    late.say('/slots GP tomorrow');
    expect(String((await late.reply(/SAMPLE-GP/)).params.text)).toMatch(/^Dr\. Asha Verma \(sample\) \(SAMPLE-GP\) on Tue, 3 Mar 2026, \d+ slots:/);

    // A restart later that day: the admin's first message then brings nothing again.
    await second.close();
    second.clock.advanceMinutes(10);
    await start({}, { dataDir: second.dataDir, clock: second.clock });
    late.say('/today');
    await late.reply(/Appointments on/);
    expect(agendasTo(LATE)).toEqual([caughtUp]);
  });

  it('with ADMIN_PASSWORD, goes to a chat not logged in only at its /login', async () => {
    const logins = { channel: 'telegram-admin' as const, chatId: String(LATE) };
    // The late admin's login (kept from before) lasts until 10:05: what is pushed until then is sent, and refused.
    const { second, asha, ravi } = await agendaRefusedForLate({ ADMIN_PASSWORD: PASSWORD }, async (app) => {
      const until = new Date(app.clock.now().getTime() + 35 * 60_000).toISOString();
      await new SqliteAdminLogins(app.app.context.db).put(logins, String(LATE), { loggedInUntil: until, failedAttempts: 0, lockedUntil: null }, app.clock.now());
    });

    // At 10:10 the login has lapsed: the agenda the admin missed is held, not pushed.
    second.clock.advanceMinutes(9);
    const late = emulator.user(adminToken, { id: LATE, first_name: 'Lead' });
    late.say('/today');
    await late.reply(/Please \/login first/);
    expect(deliveredTo(LATE)).toEqual(['Please /login first.']);
    const held = second.app.context.db.prepare<[string], { text: string }>('SELECT text FROM held_admin_alerts WHERE chat_id = ?').all(String(LATE));
    expect(held.map((h) => h.text.split('\n')[0])).toEqual(['📋 Agenda for Mon, 2 Mar 2026: 2 appointments']);

    late.say(`/login ${PASSWORD}`);
    const caughtUp = String((await late.reply(/📋 Agenda for/)).params.text);
    expect(caughtUp).toContain(asha);
    expect(caughtUp).toContain(ravi);
    expect(deliveredTo(LATE).slice(1)).toEqual([expect.stringMatching(/^Logged in until/), 'While you were logged out: 1 alert, oldest first.', caughtUp]);
    late.say('/today');
    await late.reply(/Appointments on/);
    expect(agendasTo(LATE)).toEqual([caughtUp]);
  });
});
