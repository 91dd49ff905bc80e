/**
 * WhatsApp messages the bot cannot read (stickers, locations, polls, contact cards without a number):
 * the flow answers them with what it can read and the open question again, numbered options included,
 * in one message; a burst of them is slowed down like text; what the adapter ignores stays ignored.
 */
import { describe, expect, it } from 'vitest';
import { SLOW_DOWN_TEXT } from '../../../src/core/engine.js';
import { DEFAULT_FLOOD_LIMIT } from '../../../src/services/rateLimits.js';
import type { FakeMessageFields, SentMessage } from '../../support/fakeWhatsAppClient.js';
import { PATIENT, startAfterEach, type WhatsAppTestbed } from './helpers.js';

const start = startAfterEach();
const CHAT = { channel: 'whatsapp', chatId: PATIENT } as const;

async function linked(): Promise<WhatsAppTestbed> {
  const bed = await start();
  bed.whatsapp.client.scan();
  await bed.settle();
  return bed;
}

/** The patient sends something other than text; returns what the bot sent back to them. */
async function send(bed: WhatsAppTestbed, fields: Omit<FakeMessageFields, 'from'>): Promise<SentMessage[]> {
  const before = bed.whatsapp.sent.length;
  bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, ...fields }));
  await bed.settle();
  return bed.whatsapp.sent.slice(before).filter((m) => m.chatId === PATIENT);
}

const sticker = { type: 'sticker', media: { mimetype: 'image/webp', data: 'UklGRg==' } } as const;

/** Books as far as the age question (the phone comes from the WhatsApp id). */
async function atAgeQuestion(bed: WhatsAppTestbed): Promise<void> {
  await bed.say('hi');
  await bed.choose('Book an appointment');
  await bed.say('Asha Rao');
  const age = await bed.choose('Use +919876543210');
  expect(age.map((m) => m.text).join('\n')).toMatch(/How old/);
}

describe('a message the bot cannot read, on WhatsApp', () => {
  it('at the age question gets one message: what the bot reads, then "How old" again; nothing changes', async () => {
    const bed = await linked();
    await atAgeQuestion(bed);
    const before = await bed.context.sessions.load(CHAT);

    const sent = await send(bed, sticker);
    expect(sent.map((m) => m.text)).toEqual([expect.stringMatching(/^Sorry, I can't read stickers\. Here I can only read text messages\.\n\nHow old is the patient/)]);
    const after = await bed.context.sessions.load(CHAT);
    expect(after).toMatchObject({ state: 'AWAITING_AGE', draft: before!.draft, history: before!.history });

    expect((await bed.say('34')).map((m) => m.text).join('\n')).toMatch(/gender/);
  });

  it('at a numbered menu repeats the numbered options, and the next "1" still answers that menu', async () => {
    const bed = await linked();
    await atAgeQuestion(bed);
    await bed.say('34');

    const sent = await send(bed, { type: 'location', hasMedia: false });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^Sorry, I can't read locations\. Here I can only read text messages\.\n\n/);
    expect(sent[0]!.text).toMatch(/\n1\. Male\n2\. Female\n3\. Other\n4\. Prefer not to say\n\nReply 1-4/);
    expect((await bed.context.sessions.load(CHAT))?.state).toBe('AWAITING_GENDER');

    expect((await bed.say('1')).map((m) => m.text).join('\n')).toMatch(/what is the visit for/i);
    expect((await bed.context.sessions.load(CHAT))?.draft.gender).toBe('MALE');
  });

  it('with no question open shows the main menu, numbered', async () => {
    const bed = await linked();
    const sent = await send(bed, { type: 'poll_creation', hasMedia: false });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toMatch(/^Sorry, I can't read polls\. Here I can only read text messages\.\n\nWelcome to /);
    expect(sent[0]!.text).toMatch(/\n1\. Book an appointment\n2\. /);
    expect((await bed.choose('Book an appointment')).map((m) => m.text).join('\n')).toMatch(/full name/i);
  });

  it('a contact card without a number is named as such', async () => {
    const bed = await linked();
    await bed.say('hi');
    const sent = await send(bed, { type: 'vcard', body: 'BEGIN:VCARD\nVERSION:3.0\nFN:Meena\nEND:VCARD' });
    expect(sent.map((m) => m.text)).toEqual([expect.stringMatching(/^Sorry, I can't read that contact card\.[^]*1\. Book an appointment/)]);
  });

  it('is kept in the conversation record, as what was sent and the reply', async () => {
    const bed = await linked();
    await atAgeQuestion(bed);
    await send(bed, { type: 'video', mimetype: 'video/mp4', media: { mimetype: 'video/mp4', data: 'AAAA' } });
    const entries = await bed.context.outbox.listAfter(CHAT, 0, 100, { includePatient: true });
    const [patient, reply] = entries.slice(-2);
    expect(patient).toMatchObject({ author: 'patient', message: { kind: 'text', text: '(sent a video)' } });
    expect(reply?.message.text).toMatch(/^Sorry, I can't read videos\.[^]*How old/);
  });

  it('sent in a burst is slowed down like text', async () => {
    const bed = await linked();
    const burst = DEFAULT_FLOOD_LIMIT.messages + 3;
    const before = bed.whatsapp.sent.length;
    for (let i = 0; i < burst; i++) bed.whatsapp.deliver(bed.whatsapp.message({ from: PATIENT, ...sticker }));
    await bed.settle();
    const texts = bed.whatsapp.sent.slice(before).map((m) => m.text);
    expect(texts.filter((text) => text === SLOW_DOWN_TEXT)).toHaveLength(1);
    expect(texts.filter((text) => text.startsWith("Sorry, I can't read stickers."))).toHaveLength(DEFAULT_FLOOD_LIMIT.messages);
    expect(texts).toHaveLength(DEFAULT_FLOOD_LIMIT.messages + 1);
  });

  it('from groups, status updates, its own number or before the link is still ignored; the patient\'s own is answered', async () => {
    const bed = await linked();
    const { whatsapp } = bed;
    const linkedAt = Math.floor(bed.context.clock.now().getTime() / 1000);
    whatsapp.deliver(whatsapp.message({ from: '120363025246125486@g.us', author: PATIENT, ...sticker }));
    whatsapp.deliver(whatsapp.message({ from: 'status@broadcast', author: PATIENT, isStatus: true, ...sticker }));
    whatsapp.deliver(whatsapp.message({ from: PATIENT, fromMe: true, ...sticker }));
    whatsapp.deliver(whatsapp.message({ from: PATIENT, timestamp: linkedAt - 3600, ...sticker }));
    whatsapp.deliver(whatsapp.message({ from: PATIENT, type: 'reaction', hasMedia: false }));
    await bed.settle();
    expect(whatsapp.sent).toEqual([]);
    expect(await bed.context.sessions.load(CHAT)).toBeUndefined();

    expect((await send(bed, sticker)).map((m) => m.text)).toEqual([expect.stringMatching(/^Sorry, I can't read stickers\.[^]*1\. Book an appointment/)]);
  });
});
