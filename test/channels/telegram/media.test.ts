/**
 * What patients send besides text: contacts, documents, photos, voice notes, other things; and the
 * same update delivered twice.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SMALL_PDF, TINY_PNG } from '../../support/files.js';
import { TelegramEmulator, type TelegramUser } from '../../support/telegramEmulator.js';
import { startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';

let emulator: TelegramEmulator;
let token: string;
let running: TelegramTestApp;
let asha: TelegramUser;

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
  running = await startTelegramApp(emulator, token, { env: { MAX_UPLOAD_MB: '1' } });
  asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
});

afterEach(async () => {
  await running.dispose();
  await emulator.close();
});

async function reachPhoneStep(user: TelegramUser): Promise<void> {
  user.say('/book');
  await user.reply(/full name/);
  user.say('Asha Rao');
  await user.reply(/mobile number/);
}

/** Books with typed answers and chooses to upload a report; returns the appointment id. */
async function bookAndAskToUpload(user: TelegramUser): Promise<string> {
  await reachPhoneStep(user);
  for (const [text, expected] of [
    ['9876543210', /How old/],
    ['34', /gender/],
    ['Female', /visit for/],
    ['Fever', /doctor/i],
    ['1', /Pick a time/],
    ['1', /pay/i],
  ] as const) {
    user.say(text);
    await user.reply(expected);
  }
  user.tap('Pay at the clinic');
  const confirmation = await user.reply(/Appointment confirmed/);
  await user.reply(/share a medical report/);
  user.tap('Upload a report');
  await user.reply(/Please send the report/);
  return /ID: (\S+)/.exec(String(confirmation.params.text))![1]!;
}

async function session() {
  return running.app.context.sessions.load({ channel: 'telegram', chatId: String(asha.id) });
}

describe('contacts', () => {
  it("accepts the patient's own contact card as the phone", async () => {
    await reachPhoneStep(asha);
    asha.shareContact('+91 98765 43210');
    await asha.reply(/How old/);
    expect((await session())?.draft.phone).toBe('+919876543210');
  });

  it("refuses someone else's contact card politely and keeps asking", async () => {
    await reachPhoneStep(asha);
    asha.shareContact('919812345678', 777);
    // The share button stays for the patient's own card.
    const refusal = await asha.reply(/only take your own contact card/);
    expect(JSON.stringify(refusal.params.reply_markup)).toContain('"request_contact":true');
    asha.shareContact('919812345678', 'no-account');
    await asha.reply(/only take your own contact card/);
    expect((await session())?.state).toBe('AWAITING_PHONE');
    expect((await session())?.draft.phone).toBeUndefined();
  });
});

describe('files', () => {
  it('takes a PDF report after booking, downloaded through getFile', async () => {
    const appointmentId = await bookAndAskToUpload(asha);
    asha.sendDocument(SMALL_PDF, 'blood-test.pdf', 'application/pdf');
    await asha.reply(/the report is attached to your appointment/);
    const downloads = emulator.callsOf('getFile');
    expect(downloads).toHaveLength(1);
    const appointment = await running.app.context.store.getAppointment(appointmentId);
    expect(appointment?.reports).toHaveLength(1);
  });

  it("a slow file download holds up neither other patients nor the answer to the sender's next button press", async () => {
    const appointmentId = await bookAndAskToUpload(asha);
    const slowFiles = emulator.holdDownloads();
    asha.sendDocument(SMALL_PDF, 'blood-test.pdf', 'application/pdf');
    await slowFiles.held;

    const ravi = emulator.user(token, { id: 5002, first_name: 'Ravi' });
    ravi.say('/start');
    await ravi.reply(/How can I help/);
    // Asha's press waits for her file to be acted on, but its spinner is answered at once.
    const before = emulator.lastSeq;
    asha.tap('Done');
    await emulator.waitForCall('answerCallbackQuery', (c) => c.response?.ok === true, { afterSeq: before });
    // Her document is not confirmed to Telegram before it has been handled.
    expect(emulator.pendingUpdates(token).some((u) => 'message' in u && 'document' in (u.message as object))).toBe(true);

    slowFiles.release();
    await asha.reply(/the report is attached to your appointment/);
    expect((await running.app.context.store.getAppointment(appointmentId))?.reports).toHaveLength(1);
  });

  it('takes the largest size of a photo', async () => {
    const appointmentId = await bookAndAskToUpload(asha);
    asha.sendPhoto(Buffer.concat([TINY_PNG, Buffer.alloc(64)]));
    await asha.reply(/the report is attached/);
    const sent = emulator.chat(token, asha.id).find((m) => 'photo' in m) as unknown as { photo: { file_id: string; width: number }[] };
    const largest = sent.photo.find((size) => size.width === 1280)!;
    expect(emulator.callsOf('getFile').map((c) => c.params.file_id)).toEqual([largest.file_id]);
    expect((await running.app.context.store.getAppointment(appointmentId))?.reports).toHaveLength(1);
  });

  it('refuses a file over MAX_UPLOAD_MB without downloading it', async () => {
    await bookAndAskToUpload(asha);
    asha.sendDocument(SMALL_PDF, 'huge.pdf', 'application/pdf', { announcedSize: 5 * 1024 * 1024 });
    await asha.reply(/too large/);
    expect(emulator.callsOf('getFile')).toHaveLength(0);
  });

  it('refuses a file that is not a PDF, JPG or PNG, whatever its name', async () => {
    await bookAndAskToUpload(asha);
    asha.sendDocument(Buffer.from('MZ this is not a pdf'), 'report.pdf', 'application/pdf');
    await asha.reply(/PDF, JPG or PNG/);
  });

  it('hands voice notes to the flow as voice', async () => {
    asha.say('/start');
    await asha.reply(/How can I help/);
    asha.sendVoice(Buffer.from('OggS fake voice'));
    await asha.reply(/voice notes|type/i);
  });

  it('answers a sticker with what the bot can read', async () => {
    asha.sendSticker();
    await asha.reply(/I can only read text/);
  });
});

describe('duplicates', () => {
  it('processes an update delivered twice once', async () => {
    asha.say('/start');
    await asha.reply(/How can I help/);
    const updateId = asha.say('/book');
    await asha.reply(/full name/);
    const update = emulator.callsOf('getUpdates').flatMap((c) => ((c.response as { result?: { update_id: number }[] })?.result ?? [])).find((u) => u.update_id === updateId);
    expect(update).toBeDefined();

    // Telegram delivers the same update again, then the patient answers.
    emulator.redeliver(token, update as unknown as Record<string, unknown>);
    asha.say('Asha Rao');
    await asha.reply(/mobile number/);
    expect(asha.received().filter((text) => /full name/.test(text))).toHaveLength(1);
    expect((await session())?.draft.name).toBe('Asha Rao');
  });
});
