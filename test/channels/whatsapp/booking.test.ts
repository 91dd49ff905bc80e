/**
 * Patients booking on WhatsApp through the adapter: numbered replies, typed labels, reports, voice
 * notes, media WhatsApp lost, and what is ignored.
 */
import { describe, expect, it } from 'vitest';
import { PATIENT, startAfterEach, type WhatsAppTestbed } from './helpers.js';
import { SMALL_PDF, TINY_PNG } from '../../support/files.js';
import type { SentMessage } from '../../support/fakeWhatsAppClient.js';
import { MEDIA_UNAVAILABLE_TEXT } from '../../../src/channels/whatsapp/whatsAppInbox.js';

const start = startAfterEach();

/** Links the number: the phone scans the first QR code. */
async function linked(options: Parameters<typeof start>[0] = {}): Promise<WhatsAppTestbed> {
  const bed = await start(options);
  bed.whatsapp.client.scan();
  await bed.settle();
  return bed;
}

/** The label of option `n` of the last numbered menu sent, without a trailing "(2 places left)". */
function label(sent: SentMessage[], n: number): string {
  const menu = [...sent].reverse().find((m) => /\n\nReply 1/.test(m.text));
  const line = menu?.text.split('\n').find((l) => l.startsWith(`${n}. `));
  if (!line) throw new Error(`no option ${n} in ${JSON.stringify(menu?.text)}`);
  return line.slice(`${n}. `.length).replace(/\s*\(.*\)$/, '');
}

function texts(sent: { text: string }[]): string {
  return sent.map((m) => m.text).join('\n---\n');
}

/** Books from "hi" to the confirmation by answering every menu with its number. */
async function bookByNumbers(bed: WhatsAppTestbed, chatId = PATIENT): Promise<string> {
  const menu = await bed.say('hi', chatId);
  expect(texts(menu)).toMatch(/1\. Book an appointment\n2\. /);
  expect(texts(menu)).toMatch(/Reply 1-\d+, or 0 to go back\.$/);
  expect(texts(await bed.choose('Book an appointment', chatId))).toMatch(/full name/i);
  const phone = await bed.say('Asha Rao', chatId);
  // WhatsApp knows the number: it is confirmed, not asked for.
  expect(texts(phone)).toContain('+919876543210');
  expect(texts(await bed.choose('Use +919876543210', chatId))).toMatch(/How old/);
  expect(texts(await bed.say('34', chatId))).toMatch(/gender/);
  expect(texts(await bed.choose('Female', chatId))).toMatch(/what is the visit for/i);
  expect(texts(await bed.say('Fever for 3 days', chatId))).toMatch(/doctor/i);
  const slots = await bed.say('1', chatId);
  expect(texts(slots)).toMatch(/\n1\. /);
  const payment = await bed.say('1', chatId);
  expect(texts(payment)).toContain('Pay at the clinic');
  const confirmation = await bed.choose('Pay at the clinic', chatId);
  expect(texts(confirmation)).toContain('Appointment confirmed');
  const id = /(APT-[A-Za-z0-9]+)/.exec(texts(confirmation))?.[1];
  expect(id).toBeDefined();
  return id!;
}

describe('booking on WhatsApp', () => {
  it('books from "hi" to the confirmation with numbered replies, with the phone from the WhatsApp id', async () => {
    const bed = await linked();
    const id = await bookByNumbers(bed);

    const appointment = await bed.context.store.getAppointment(id);
    expect(appointment).toMatchObject({
      status: 'CONFIRMED',
      conversation: { channel: 'whatsapp', chatId: PATIENT },
      patient: { name: 'Asha Rao', phone: '+919876543210', age: 34, gender: 'FEMALE' },
    });
    // Every reply went out exactly once, each entry marked sent.
    const backlog = await bed.context.outbox.backlog('whatsapp');
    expect(backlog.pending).toBe(0);
    expect(backlog.undeliverable).toBe(0);
  });
});

describe('booking on WhatsApp by typing', () => {
  it('books by typing the labels instead of numbers', async () => {
    const bed = await linked();
    await bed.say('hello');
    expect(texts(await bed.say('Book an appointment'))).toMatch(/full name/i);
    await bed.say('Ravi Kumar');
    expect(texts(await bed.say('yes'))).toMatch(/How old/);
    await bed.say('41');
    await bed.say('male');
    const doctors = await bed.say('Skin rash');
    const doctor = label(doctors, 1);
    const slots = await bed.say(doctor);
    expect(texts(slots)).toMatch(/Pick a time/i);
    const time = label(slots, 1);
    expect(texts(await bed.say(time))).toContain('Pay at the clinic');
    const confirmation = await bed.say('Pay at the clinic');
    expect(texts(confirmation)).toContain('Appointment confirmed');
    expect(texts(confirmation)).toContain(time);
    const [appointment] = await bed.context.store.listAppointments({ conversation: { channel: 'whatsapp', chatId: PATIENT } });
    expect(appointment).toMatchObject({ status: 'CONFIRMED', patient: { name: 'Ravi Kumar', phone: '+919876543210', gender: 'MALE' } });
  });

  it('asks for the number in a chat that hides it, and takes a shared contact card', async () => {
    const bed = await linked();
    const hidden = '201234567890123@lid';
    await bed.say('hi', hidden);
    await bed.choose('Book an appointment', hidden);
    const ask = await bed.say('Meena Das', hidden);
    expect(texts(ask)).toMatch(/mobile number/i);
    const before = bed.whatsapp.sent.length;
    bed.whatsapp.deliver(
      bed.whatsapp.message({ from: hidden, type: 'vcard', body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Meena\nTEL;type=CELL;waid=919812345678:+91 98123 45678\nEND:VCARD' }),
    );
    await bed.settle();
    expect(texts(bed.whatsapp.sent.slice(before))).toMatch(/How old/);
    const session = await bed.context.sessions.load({ channel: 'whatsapp', chatId: hidden });
    expect(session?.draft.phone).toBe('+919812345678');
  });
});

describe('files and voice notes on WhatsApp', () => {
  it('attaches a PDF report sent after booking, kept privately', async () => {
    const bed = await linked();
    const id = await bookByNumbers(bed);
    expect(texts(await bed.choose('Upload a report'))).toMatch(/send the report/i);
    const before = bed.whatsapp.sent.length;
    bed.whatsapp.deliver(
      bed.whatsapp.message({
        from: PATIENT,
        type: 'document',
        size: SMALL_PDF.byteLength,
        mimetype: 'application/pdf',
        filename: 'blood-test.pdf',
        media: { mimetype: 'application/pdf', data: SMALL_PDF.toString('base64'), filename: 'blood-test.pdf' },
      }),
    );
    await bed.settle();
    expect(texts(bed.whatsapp.sent.slice(before))).toContain(`the report is attached to your appointment ${id}`);
    const appointment = await bed.context.store.getAppointment(id);
    expect(appointment?.reports).toHaveLength(1);
    expect(appointment?.reports[0]).toMatchObject({ mime: 'application/pdf' });
  });

  it('takes a photo of a report whose size WhatsApp did not announce', async () => {
    const bed = await linked();
    const id = await bookByNumbers(bed);
    await bed.choose('Upload a report');
    const before = bed.whatsapp.sent.length;
    bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, type: 'image', media: { mimetype: 'image/png', data: TINY_PNG.toString('base64') } }));
    await bed.settle();
    expect(texts(bed.whatsapp.sent.slice(before))).toContain('the report is attached');
    expect((await bed.context.store.getAppointment(id))?.reports[0]).toMatchObject({ mime: 'image/png' });
  });

  it('tells the patient to send again when WhatsApp no longer has the media', async () => {
    const bed = await linked();
    const id = await bookByNumbers(bed);
    await bed.choose('Upload a report');

    // Size announced: the flow asks for the bytes, the download fails, the patient is told.
    let before = bed.whatsapp.sent.length;
    const announced = bed.whatsapp.deliver(
      bed.whatsapp.message({ from: PATIENT, type: 'document', size: 2048, mimetype: 'application/pdf', filename: 'scan.pdf', hasMedia: true }),
    );
    await bed.settle();
    expect(announced.downloads).toBe(1);
    expect(texts(bed.whatsapp.sent.slice(before))).toMatch(/could not receive that file\. Please send it again/);

    // Size unknown: the same, once the flow asks for the bytes.
    before = bed.whatsapp.sent.length;
    const unannounced = bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, type: 'image', hasMedia: true }));
    await bed.settle();
    expect(unannounced.downloads).toBe(1);
    expect(texts(bed.whatsapp.sent.slice(before))).toMatch(/could not receive that file\. Please send it again/);

    // No media key at all: nothing to download; the adapter says so itself and the flow is untouched.
    const state = (await bed.context.sessions.load({ channel: 'whatsapp', chatId: PATIENT }))?.state;
    before = bed.whatsapp.sent.length;
    const lost = bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, type: 'image', hasMedia: false }));
    await bed.settle();
    expect(lost.downloads).toBe(0);
    expect(bed.whatsapp.sent.slice(before).map((m) => m.text)).toEqual([MEDIA_UNAVAILABLE_TEXT]);
    expect((await bed.context.sessions.load({ channel: 'whatsapp', chatId: PATIENT }))?.state).toBe(state);
    // WhatsApp delivering the same message again does not repeat the notice.
    bed.whatsapp.deliver(lost);
    await bed.settle();
    expect(bed.whatsapp.sent.slice(before)).toHaveLength(1);
    expect((await bed.context.store.getAppointment(id))?.reports).toHaveLength(0);
  });

  it('downloads a file of unannounced size only where a file is wanted, and refuses one too large politely', async () => {
    const bed = await linked({ env: { MAX_UPLOAD_MB: '1' } });
    await bed.say('hi');
    // At the main menu: no file is expected, so nothing is fetched.
    let before = bed.whatsapp.sent.length;
    const stray = bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, type: 'image', media: { mimetype: 'image/png', data: TINY_PNG.toString('base64') } }));
    await bed.settle();
    expect(stray.downloads).toBe(0);
    expect(texts(bed.whatsapp.sent.slice(before))).toMatch(/not expecting a file/);

    // At the report step: fetched, found larger than MAX_UPLOAD_MB, refused, and the question asked again.
    const id = await bookByNumbers(bed);
    await bed.choose('Upload a report');
    before = bed.whatsapp.sent.length;
    const big = Buffer.concat([SMALL_PDF, Buffer.alloc(1024 * 1024 + 1, 0x20)]);
    const huge = bed.whatsapp.deliver(
      bed.whatsapp.message({ from: PATIENT, type: 'document', media: { mimetype: 'application/pdf', data: big.toString('base64'), filename: 'scan.pdf' } }),
    );
    await bed.settle();
    expect(huge.downloads).toBe(1);
    const reply = texts(bed.whatsapp.sent.slice(before));
    expect(reply).toMatch(/too large\. Reports can be at most 1 MB/);
    expect(reply).toMatch(/Please send the report/);
    expect((await bed.context.store.getAppointment(id))?.reports).toHaveLength(0);
  });

  it('answers a voice note without downloading it when no AI can listen', async () => {
    const bed = await linked();
    await bed.say('hi');
    const before = bed.whatsapp.sent.length;
    const voice = bed.whatsapp.deliver(
      bed.whatsapp.message({ from: PATIENT, type: 'ptt', mimetype: 'audio/ogg; codecs=opus', media: { mimetype: 'audio/ogg; codecs=opus', data: 'T2dnUw==' } }),
    );
    await bed.settle();
    const reply = texts(bed.whatsapp.sent.slice(before));
    expect(reply).toMatch(/voice notes/i);
    expect(reply).toMatch(/type/i);
    expect(voice.downloads).toBe(0);
  });
});

describe('what the WhatsApp adapter leaves alone', () => {
  it('ignores groups, status updates, broadcasts, its own messages and history from before the link', async () => {
    const bed = await linked();
    const linkedAt = Math.floor(bed.context.clock.now().getTime() / 1000);
    const { whatsapp } = bed;
    whatsapp.deliver(whatsapp.message({ from: '120363025246125486@g.us', author: PATIENT, body: 'hi' }));
    whatsapp.deliver(whatsapp.message({ from: 'status@broadcast', author: PATIENT, body: 'hi', isStatus: true }));
    whatsapp.deliver(whatsapp.message({ from: '1700000000@broadcast', body: 'hi' }));
    whatsapp.deliver(whatsapp.message({ from: PATIENT, body: 'hi', fromMe: true }));
    whatsapp.deliver(whatsapp.message({ from: PATIENT, body: 'hi', timestamp: linkedAt - 3600 }));
    whatsapp.deliver(whatsapp.message({ from: PATIENT, type: 'e2e_notification' }));
    await bed.settle();
    expect(whatsapp.sent).toEqual([]);
    expect(await bed.context.sessions.load({ channel: 'whatsapp', chatId: PATIENT })).toBeUndefined();
    expect(await bed.context.sessions.load({ channel: 'whatsapp', chatId: '120363025246125486@g.us' })).toBeUndefined();
  });

  it('answers a patient who writes the moment the number is linked', async () => {
    const bed = await start();
    bed.whatsapp.client.scan();
    await bed.settle();
    // WhatsApp stamps whole seconds by its own clock, here two seconds behind the server's.
    const linkedAt = Math.floor(bed.context.clock.now().getTime() / 1000);
    bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, body: 'hi', timestamp: linkedAt - 2 }));
    await bed.settle();
    expect(texts(bed.whatsapp.sentTo(PATIENT))).toMatch(/Book an appointment/);
  });

  it('answers a message WhatsApp delivers twice only once, and says what it cannot read', async () => {
    const bed = await linked();
    const hi = bed.whatsapp.say(PATIENT, 'hi');
    await bed.settle();
    const answered = bed.whatsapp.sent.length;
    expect(answered).toBeGreaterThan(0);
    bed.whatsapp.deliver(hi);
    await bed.settle();
    expect(bed.whatsapp.sent).toHaveLength(answered);

    const sticker = bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, type: 'sticker', media: { mimetype: 'image/webp', data: 'UklGRg==' } }));
    await bed.settle();
    bed.whatsapp.deliver(sticker);
    await bed.settle();
    // One answer: what the bot can read, with the main menu again.
    const notice = bed.whatsapp.sent.slice(answered).map((m) => m.text);
    expect(notice).toHaveLength(1);
    expect(notice[0]).toMatch(/^Sorry, I can't read stickers\. Here I can only read text messages\.\n\n[^]*1\. Book an appointment/);
  });
});
