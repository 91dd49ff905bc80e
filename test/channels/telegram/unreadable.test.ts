/**
 * Telegram messages the bot cannot read (stickers, locations): the flow answers each with what it can
 * read and the open question again, its inline keyboard included, in one message; service messages
 * stay unanswered.
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
  asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
});

afterEach(async () => {
  await running.dispose();
  await emulator.close();
});

/** Asha shares a location; returns the update id. */
function sendLocation(user: TelegramUser): number {
  const message = emulator.userMessage(token, user.identity, { location: { latitude: 12.97, longitude: 77.59 } });
  return emulator.injectUpdate(token, { message });
}

/** The inline keyboard of a sendMessage call, as button texts. */
function buttonsOf(call: { params: Record<string, unknown> }): string[] {
  const markup = call.params.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.text);
}

/** Texts the bot sent Asha after update call `seq`, oldest first. */
function textsSince(seq: number): string[] {
  return emulator
    .delivered(asha.id, token)
    .filter((c) => c.seq > seq)
    .map((c) => String(c.params.text ?? ''));
}

async function session() {
  return running.app.context.sessions.load({ channel: 'telegram', chatId: String(asha.id) });
}

async function atGenderQuestion(): Promise<number> {
  asha.say('/book');
  await asha.reply(/full name/);
  asha.say('Asha Rao');
  await asha.reply(/mobile number/);
  asha.say('9876543210');
  await asha.reply(/How old/);
  asha.say('34');
  return (await asha.reply(/gender/)).seq;
}

describe('a message the bot cannot read, on Telegram', () => {
  it('at a menu gets the notice with the same buttons again, and the buttons still answer', async () => {
    const shown = await atGenderQuestion();
    const before = await session();

    asha.sendSticker();
    const sticker = await asha.reply(/can't read stickers/);
    expect(String(sticker.params.text)).toMatch(/^Sorry, I can't read stickers\. Here I can only read text messages\.\n\n[^]*gender/);
    expect(buttonsOf(sticker)).toEqual(['Male', 'Female', 'Other', 'Prefer not to say']);

    sendLocation(asha);
    const location = await asha.reply(/can't read locations/);
    expect(String(location.params.text)).toMatch(/gender/);
    expect(buttonsOf(location)).toEqual(['Male', 'Female', 'Other', 'Prefer not to say']);
    expect(await session()).toMatchObject({ state: 'AWAITING_GENDER', draft: before!.draft });

    asha.tap('Female');
    await asha.reply(/visit for/);
    // One message per unreadable one: nothing else was sent in between.
    expect(textsSince(shown)).toHaveLength(3);
    expect((await session())?.draft.gender).toBe('FEMALE');
  });

  it('with no question open shows the main menu', async () => {
    asha.sendSticker();
    const reply = await asha.reply(/can't read stickers/);
    expect(String(reply.params.text)).toMatch(/How can I help/);
    expect(buttonsOf(reply)).toContain('Book an appointment');
    expect((await session())?.state).toBe('IDLE');
  });

  it('leaves service messages unanswered, and answers the sticker after one', async () => {
    const pinned = emulator.userMessage(token, asha.identity, { pinned_message: { message_id: 1, date: 1, chat: { id: asha.id, type: 'private' } } });
    emulator.injectUpdate(token, { message: pinned });
    asha.sendSticker();
    await asha.reply(/can't read stickers/);
    expect(asha.received()).toHaveLength(1);
  });
});
