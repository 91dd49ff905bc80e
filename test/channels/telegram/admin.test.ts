/**
 * Admin commands in Telegram: on the patient bot for the chats in TELEGRAM_ADMIN_IDS, or on a
 * separate admin bot. Telegram only parses and renders; the console decides.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramEmulator, type RecordedCall } from '../../support/telegramEmulator.js';
import { bookAsAsha, startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';

const ADMIN_ID = 9001;
let emulator: TelegramEmulator;
let token: string;
const apps: TelegramTestApp[] = [];

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.dispose();
  await emulator.close();
});

async function start(env: Record<string, string>): Promise<TelegramTestApp> {
  const running = await startTelegramApp(emulator, token, { env: { TELEGRAM_ADMIN_IDS: String(ADMIN_ID), ...env } });
  apps.push(running);
  return running;
}

describe('admin commands on the patient bot', () => {
  it('answers admins from the console and gives everyone else the patient experience', async () => {
    emulator.openChat(token, ADMIN_ID);
    await start({});
    const admin = emulator.user(token, { id: ADMIN_ID, first_name: 'Admin' });
    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
    const appointmentId = await bookAsAsha(asha);
    await admin.reply(/New booking/);

    admin.say('/find Asha');
    const found = await admin.reply(appointmentId);
    expect(String(found.params.text)).toContain('Asha Rao');
    admin.say('/today');
    await admin.reply(appointmentId);
    // Admins still get the patient bot's own commands.
    admin.say('/start');
    await admin.reply(/How can I help you/);

    // A patient typing an admin command learns nothing about it.
    const before = emulator.lastSeq;
    asha.say('/find Asha');
    asha.say('/today');
    asha.say('/help');
    await asha.reply(/I can book/);
    const toAsha = emulator.delivered(5001).filter((c) => c.seq > before).map((c) => String(c.params.text));
    expect(toAsha.join('\n')).not.toContain(appointmentId);
    expect(toAsha.join('\n')).not.toMatch(/\/find|\/today|admin/i);

    // The command menu: patients see theirs; the admin's chat also lists the admin commands.
    expect(emulator.commandsOf(token)?.map((c) => c.command)).toEqual(['start', 'book', 'appointments', 'cancel', 'help']);
    const adminMenu = emulator.commandsOf(token, `chat:${ADMIN_ID}`)?.map((c) => c.command) ?? [];
    expect(adminMenu).toEqual(expect.arrayContaining(['start', 'book', 'today', 'find', 'cancel', 'help']));
    expect(new Set(adminMenu).size).toBe(adminMenu.length);
  });

  it("sets an admin's command menu once the admin first writes, when Telegram did not know the chat at start", async () => {
    // The admin has never opened the bot: Telegram refuses a menu for their chat.
    await start({});
    await emulator.waitForPoll(token);
    const adminScope = (c: RecordedCall) => JSON.stringify(c.params.scope) === JSON.stringify({ type: 'chat', chat_id: ADMIN_ID });
    expect(emulator.callsOf('setMyCommands').filter(adminScope).map((c) => c.response)).toEqual([
      { ok: false, error_code: 400, description: 'Bad Request: chat not found' },
    ]);
    expect(emulator.commandsOf(token, `chat:${ADMIN_ID}`)).toBeUndefined();

    const admin = emulator.user(token, { id: ADMIN_ID, first_name: 'Admin' });
    admin.say('/start');
    await admin.reply(/How can I help you/);
    const set = await emulator.waitForCall('setMyCommands', (c) => adminScope(c) && c.response?.ok === true);
    expect(set.response).toEqual({ ok: true, result: true });
    expect(emulator.commandsOf(token, `chat:${ADMIN_ID}`)?.map((c) => c.command)).toEqual(expect.arrayContaining(['start', 'book', 'today', 'find']));

    // Once per chat: later updates do not set it again.
    admin.say('/today');
    await admin.reply(/Appointments on/);
    expect(emulator.callsOf('setMyCommands').filter(adminScope)).toHaveLength(2);
  });

  it('asks for /login when ADMIN_PASSWORD is set', async () => {
    emulator.openChat(token, ADMIN_ID);
    await start({ ADMIN_PASSWORD: 'correct horse battery' });
    const admin = emulator.user(token, { id: ADMIN_ID, first_name: 'Admin' });
    admin.say('/today');
    await admin.reply(/Please \/login first/);
    admin.say('/login wrong');
    await admin.reply(/Wrong password/);
    admin.say('/login correct horse battery');
    const loginMessage = emulator.chat(token, ADMIN_ID).find((m) => m.text === '/login correct horse battery')!;
    await admin.reply(/Logged in until/);
    // The message with the password is removed from the chat.
    const removed = await emulator.waitForCall('deleteMessage', (c) => Number(c.params.message_id) === loginMessage.message_id);
    expect(removed.response?.ok).toBe(true);
    expect(emulator.chat(token, ADMIN_ID).some((m) => m.text?.startsWith('/login'))).toBe(false);
    admin.say('/today');
    await admin.reply(/Appointments on/);
  });
});

describe('the separate admin bot', () => {
  it('takes admin commands and new-booking alerts; the patient bot stays for patients', async () => {
    const adminToken = emulator.addBot('clinic_admin_bot');
    emulator.openChat(adminToken, ADMIN_ID);
    const running = await start({ TELEGRAM_ADMIN_BOT_TOKEN: adminToken });
    expect(running.app.features.find((f) => f.name === 'telegram admin')).toMatchObject({ on: true, detail: '@clinic_admin_bot, polling' });
    await emulator.waitForPoll(adminToken);
    expect(emulator.commandsOf(adminToken, `chat:${ADMIN_ID}`)?.map((c) => c.command)).toEqual(expect.arrayContaining(['today', 'find', 'help']));

    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
    const appointmentId = await bookAsAsha(asha);
    // The admins hear of the booking on the admin bot.
    await emulator.waitForCall('sendMessage', (c) => c.token === adminToken && String(c.params.text).includes(appointmentId));

    const admin = emulator.user(adminToken, { id: ADMIN_ID, first_name: 'Admin' });
    admin.say('/find Asha');
    await admin.reply(appointmentId);
    // Start, or a greeting, gives an admin the command list rather than "for staff".
    admin.say('/start');
    await admin.reply(/\/today/);
    admin.say('hello');
    await admin.reply(/\/find/);

    // On the patient bot, the admin is a patient like any other.
    const onPatientBot = emulator.user(token, { id: ADMIN_ID, first_name: 'Admin' });
    onPatientBot.say('/today');
    await onPatientBot.reply(/./);
    expect(onPatientBot.received().join('\n')).not.toContain(appointmentId);

    // Anyone else on the admin bot learns only that it is for staff.
    const stranger = emulator.user(adminToken, { id: 5002, first_name: 'Stranger' });
    stranger.say('/today');
    await stranger.reply("This bot is for the clinic's staff.");
    stranger.say('hello');
    await stranger.reply("This bot is for the clinic's staff.");
    expect(stranger.received()).toEqual(["This bot is for the clinic's staff.", "This bot is for the clinic's staff."]);
  });
});
