/**
 * Patients booking in Telegram: the real app, the real telegraf, the emulated Bot API, real SQLite.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramEmulator, type TelegramUser } from '../../support/telegramEmulator.js';
import { startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';

let emulator: TelegramEmulator;
let token: string;
let running: TelegramTestApp;
let asha: TelegramUser;

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
  running = await startTelegramApp(emulator, token);
  asha = emulator.user(token, { id: 5001, first_name: 'Asha', last_name: 'Rao' });
});

afterEach(async () => {
  await running.dispose();
  await emulator.close();
});

/** Texts the bot sent Asha after `seq`, oldest first. */
function textsSince(seq: number): string[] {
  return emulator
    .delivered(asha.id, token)
    .filter((c) => c.seq > seq)
    .map((c) => String(c.params.text ?? c.params.caption ?? ''));
}

/** The inline keyboard of a sendMessage call, as button texts per row. */
function keyboardOf(call: { params: Record<string, unknown> }): string[][] {
  const markup = call.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).map((row) => row.map((b) => b.text));
}

describe('Telegram patient bot', () => {
  it('starts with the bot named, long polling, and the command list registered', async () => {
    expect(running.app.features.find((f) => f.name === 'telegram')).toMatchObject({ on: true, detail: '@sample_clinic_bot, polling' });
    await emulator.waitForPoll(token);
    expect(emulator.commandsOf(token)).toEqual([
      { command: 'start', description: 'Main menu' },
      { command: 'book', description: 'Book an appointment' },
      { command: 'appointments', description: 'My appointments' },
      { command: 'cancel', description: 'Stop what you are doing, or cancel an appointment' },
      { command: 'help', description: 'What this bot can do' },
    ]);
    const health = (await (await fetch(`${running.base}/health`)).json()) as Record<string, unknown>;
    expect(health.telegram).toEqual({ ok: true, mode: 'polling', username: 'sample_clinic_bot' });
  });

  it('books from /start to the confirmation with buttons (and the contact button for the phone)', async () => {
    asha.say('/start');
    const menu = await asha.reply(/How can I help you/);
    // The main menu's long labels: one per row, readable on a phone.
    expect(keyboardOf(menu).length).toBeGreaterThanOrEqual(5);
    expect(keyboardOf(menu).every((row) => row.length === 1)).toBe(true);
    expect(keyboardOf(menu)[0]).toEqual(['Book an appointment']);
    const menuId = (menu.response as { result: { message_id: number } }).result.message_id;

    asha.tap('Book an appointment');
    await asha.reply("What is the patient's full name?");
    // The press was answered and the pressed menu lost its buttons, showing the choice instead.
    const edit = await emulator.waitForCall('editMessageText', (c) => c.params.message_id === menuId);
    expect(edit.params.text).toMatch(/How can I help you[\s\S]*✓ Book an appointment$/);
    expect(emulator.callsOf('answerCallbackQuery').filter((c) => c.response?.ok)).toHaveLength(1);
    expect(emulator.chat(token, asha.id).find((m) => m.message_id === menuId)?.reply_markup).toBeUndefined();

    asha.say('Asha Rao');
    const askPhone = await asha.reply(/mobile number/);
    expect(askPhone.params.reply_markup).toMatchObject({
      keyboard: [[{ request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });

    asha.shareContact('919876543210');
    const askAge = await asha.reply(/How old/);
    // The contact keyboard goes away once the phone is known.
    expect(askAge.params.reply_markup).toEqual({ remove_keyboard: true });

    asha.say('34');
    const gender = await asha.reply(/gender/);
    expect(keyboardOf(gender)).toEqual([
      ['Male', 'Female'],
      ['Other', 'Prefer not to say'],
    ]);
    asha.tap('Female');
    await asha.reply(/what is the visit for/);
    asha.say('Fever for 3 days');
    const doctors = await asha.reply(/doctor/i);
    expect(keyboardOf(doctors).every((row) => row.length === 1)).toBe(true);
    asha.tap('Asha Verma');
    const times = await asha.reply(/Pick a time/);
    expect(keyboardOf(times).every((row) => row.length <= 2)).toBe(true);
    asha.tap('10:00 AM');
    await asha.reply(/pay/i);
    asha.tap('Pay at the clinic');
    const confirmation = await asha.reply(/Appointment confirmed/);
    expect(confirmation.params.text).toMatch(/Patient: Asha Rao \(34, Female\)/);
    expect(confirmation.params.parse_mode).toBeUndefined();

    const [appointment] = await running.app.context.store.listAppointments({ conversation: { channel: 'telegram', chatId: '5001' } });
    expect(appointment).toMatchObject({ status: 'CONFIRMED', patient: { name: 'Asha Rao', phone: '+919876543210' } });
    // Every button press was answered.
    const presses = emulator.callsOf('answerCallbackQuery');
    expect(presses.length).toBeGreaterThanOrEqual(5);
    expect(presses.every((c) => c.response?.ok)).toBe(true);
  });

  it('books with typed answers only, numbers for the menus', async () => {
    for (const [text, expected] of [
      ['hi', /How can I help you/],
      ['1', /full name/],
      ['Ravi Kumar', /mobile number/],
      ['98765 43210', /How old/],
      ['52', /gender/],
      ['male', /visit for/],
      ['Knee pain <b>&amp;</b> swelling', /doctor/i],
      ['1', /Pick a time/],
      ['1', /pay/i],
      ['1', /Appointment confirmed/],
    ] as const) {
      asha.say(text);
      await asha.reply(expected);
    }
    const [appointment] = await running.app.context.store.listAppointments({ conversation: { channel: 'telegram', chatId: '5001' } });
    expect(appointment).toMatchObject({ status: 'CONFIRMED', purpose: 'Knee pain <b>&amp;</b> swelling' });
  });

  it('maps /book, /appointments, /help and /cancel to the flow from any step', async () => {
    asha.say('/book');
    await asha.reply(/full name/);
    asha.say('/help');
    await asha.reply(/I can book a doctor's appointment/);
    asha.say('/appointments');
    await asha.reply(/no upcoming appointments/);
    asha.say('/cancel');
    await asha.reply(/no upcoming appointments|Which appointment/);
  });

  it('answers /book and /appointments in the middle of a task with the task alone, not the main menu first', async () => {
    asha.say('/book');
    await asha.reply(/full name/);
    asha.say('Asha Rao');
    await asha.reply(/mobile number/);

    let before = emulator.lastSeq;
    asha.say('/book');
    await asha.reply(/full name/);
    // The next answer's reply comes after everything the command produced (one chat is sent in order).
    asha.say('Asha Rao');
    await asha.reply(/mobile number/);
    expect(textsSince(before)).toEqual([expect.stringMatching(/full name/), expect.stringMatching(/mobile number/)]);

    before = emulator.lastSeq;
    asha.say('/appointments');
    await asha.reply(/no upcoming appointments/);
    asha.say('/help');
    await asha.reply(/I can book/);
    expect(textsSince(before)).toEqual([
      'You have no upcoming appointments.',
      expect.stringMatching(/How can I help you/),
      expect.stringMatching(/I can book/),
    ]);
    // Only the main menu that ends "My appointments" is live; no earlier one was sent.
    expect(emulator.chat(token, asha.id).filter((m) => m.from.is_bot && /How can I help you/.test(m.text ?? ''))).toHaveLength(1);
  });

  it('answers a command that is not a patient command with the commands, and leaves the question open', async () => {
    asha.say('/book');
    await asha.reply(/full name/);
    asha.say('Asha Rao');
    await asha.reply(/mobile number/);

    for (const text of ['/today', '/book@other_bot', '/start@other_bot', '/login secret']) {
      asha.say(text);
      const answer = String((await asha.reply(/do not know that command/)).params.text);
      for (const command of ['/start', '/book', '/appointments', '/cancel', '/help']) expect(answer).toContain(command);
      // Nothing hints at admin commands, and the command typed is not repeated.
      expect(answer).not.toMatch(/admin|\/today|\/login|other_bot/i);
    }
    const session = await running.app.context.sessions.load({ channel: 'telegram', chatId: '5001' });
    expect(session).toMatchObject({ state: 'AWAITING_PHONE', draft: { name: 'Asha Rao' } });

    // The patient goes on answering the question on screen.
    asha.say('9876543210');
    await asha.reply(/How old/);
    asha.say('34');
    await asha.reply(/gender/);
    asha.tap('Female');
    await asha.reply(/visit for/);
    // Text that only starts with a slash is an answer like any other.
    asha.say('/ sore throat');
    await asha.reply(/doctor/i);
    expect((await running.app.context.sessions.load({ channel: 'telegram', chatId: '5001' }))?.draft.purpose).toBe('/ sore throat');
    // Our own bot's name is ours.
    asha.say('/book@sample_clinic_bot');
    await asha.reply(/full name|details/);
  });

  it('answers an old button politely and a double tap once', async () => {
    asha.say('/start');
    await asha.reply(/How can I help you/);
    asha.tap('Book an appointment');
    await asha.reply(/full name/);
    asha.say('Asha Rao');
    await asha.reply(/mobile number/);
    asha.say('9876543210');
    await asha.reply(/How old/);
    asha.say('34');
    const genderCall = await asha.reply(/gender/);
    const genderMenu = asha.findMessage(/gender/)!;
    const femaleData = (genderCall.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard
      .flat()
      .find((b) => b.text === 'Female')!.callback_data;

    // The patient types the answer instead, then presses the old menu's button.
    asha.say('female');
    await asha.reply(/visit for/);
    const stale = asha.press(genderMenu, femaleData);
    await asha.reply(/belongs to an earlier (message|question)/);
    await emulator.waitForCall('answerCallbackQuery', (c) => c.response?.ok === true);
    expect(stale).toBeGreaterThan(0);
    // The old menu loses its buttons but is not marked as answered by the press the flow turned down.
    await emulator.waitForCall('editMessageReplyMarkup', (c) => Number(c.params.message_id) === genderMenu.message_id);
    expect(asha.findMessage(/gender/)).toMatchObject({ text: genderMenu.text });
    expect(emulator.callsOf('editMessageText').filter((c) => Number(c.params.message_id) === genderMenu.message_id)).toEqual([]);

    // A double tap on a fresh menu: the second press is answered, but acted on once.
    asha.say('Cough');
    const doctorsCall = await asha.reply(/doctor/i);
    const doctorsMenu = asha.findMessage(/doctor/i)!;
    const firstDoctor = (doctorsCall.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
    const before = emulator.lastSeq;
    asha.press(doctorsMenu, firstDoctor);
    asha.press(doctorsMenu, firstDoctor);
    await asha.reply(/Pick a time/);
    const second = await emulator.waitForCall('answerCallbackQuery', (c) => c.params.text === 'You have already answered this.', { afterSeq: before });
    expect(second.response?.ok).toBe(true);
    // A press the flow took shows the choice on its menu.
    const edited = await emulator.waitForCall('editMessageText', (c) => Number(c.params.message_id) === doctorsMenu.message_id);
    expect(String(edited.params.text)).toMatch(/\n\n✓ Dr\. /);
    const session = await running.app.context.sessions.load({ channel: 'telegram', chatId: '5001' });
    expect(session?.state).toBe('SELECTING_SLOT');
  });

  it('resolves buttons whose option ids are longer than Telegram allows, and answers them as stale once the menu moved on', async () => {
    // A slot id as long as a spreadsheet might make it: "slot:<id>" no longer fits in 64 bytes.
    const longId = `SHEET-ROW-${'0123456789'.repeat(7)}`;
    const { store } = running.app.context;
    await store.upsertDoctor({ id: 'LONG', name: 'Dr. Long Id', specialty: 'Dermatology', fee: 400, active: true, languages: ['English'], notes: '' });
    await store.upsertSlot({ id: longId, doctorId: 'LONG', date: '2026-03-02', start: '15:00', end: '15:30', capacity: 1, status: 'OPEN', notes: '' });

    for (const [text, expected] of [
      ['/book', /full name/],
      ['Asha Rao', /mobile number/],
      ['9876543210', /How old/],
      ['34', /gender/],
      ['Female', /visit for/],
      ['Rash', /doctor/i],
    ] as const) {
      asha.say(text);
      await asha.reply(expected);
    }
    asha.tap('Long Id');
    const times = await asha.reply(/Pick a time/);
    const button = (times.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard
      .flat()
      .find((b) => b.text.startsWith('3:00 PM'))!;
    expect(button.callback_data).toMatch(/^h:/);
    expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
    const timesMenu = asha.findMessage(/Pick a time/)!;

    asha.press(timesMenu, button.callback_data);
    await asha.reply(/pay/i);
    const [held] = await store.listAppointments({ conversation: { channel: 'telegram', chatId: '5001' } });
    expect(held).toMatchObject({ slotId: longId, status: 'HELD' });

    // Pressed twice: the second press is only acknowledged.
    asha.press(timesMenu, button.callback_data);
    const answered = await emulator.waitForCall('answerCallbackQuery', (c) => c.params.text === 'You have already answered this.');
    expect(answered.response?.ok).toBe(true);

    // The same keyboard on a message this process does not remember (as after a restart): the hash no
    // longer matches the menu on screen, and the flow answers it as an old button.
    asha.press({ ...timesMenu, message_id: 9_999 }, button.callback_data);
    await asha.reply(/belongs to an earlier/);
    const [still] = await store.listAppointments({ conversation: { channel: 'telegram', chatId: '5001' } });
    expect(still).toMatchObject({ id: held!.id, status: 'HELD' });
  });
});
