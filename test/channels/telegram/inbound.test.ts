/**
 * Updates sorted into what the service does with them (pure: no Telegram needed).
 */
import type { Update } from 'telegraf/types';
import { describe, expect, it } from 'vitest';
import { decodeCallbackData, encodeOptionId, resolveHashed } from '../../../src/channels/telegram/callbackData.js';
import { parseCommand } from '../../../src/channels/telegram/commands.js';
import { translateUpdate } from '../../../src/channels/telegram/inbound.js';
import { sameSecret } from '../../../src/core/secrets.js';

const loads: string[] = [];
const options = { maxUploadBytes: 1000, loadFile: async (fileId: string) => (loads.push(fileId), new Uint8Array([1])) };
const from = { id: 42, is_bot: false, first_name: 'Asha', last_name: 'Rao' };
const chat = { id: 42, type: 'private' as const, first_name: 'Asha' };
const message = (fields: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({ update_id: 7, message: { message_id: 3, date: 1, chat, from, ...fields }, ...extra }) as unknown as Update;

describe('translateUpdate', () => {
  it('turns text into a message with the update id as message id and the sender name', () => {
    expect(translateUpdate(message({ text: 'hi' }), options)).toMatchObject({
      kind: 'message',
      messageId: 'u7',
      sender: { chatId: '42', userId: '42', displayName: 'Asha Rao' },
      content: { kind: 'text', text: 'hi' },
    });
  });

  it("accepts the sender's own contact with a + added, and sorts out anyone else's", () => {
    expect(translateUpdate(message({ contact: { phone_number: '919876543210', first_name: 'A', user_id: 42 } }), options)).toMatchObject({
      content: { kind: 'contact', phone: '+919876543210' },
    });
    expect(translateUpdate(message({ contact: { phone_number: '919876543210', first_name: 'B', user_id: 43 } }), options).kind).toBe('foreign-contact');
    expect(translateUpdate(message({ contact: { phone_number: '919876543210', first_name: 'C' } }), options).kind).toBe('foreign-contact');
  });

  it('loads files only when asked, once', async () => {
    const translated = translateUpdate(message({ document: { file_id: 'doc1', file_unique_id: 'u', file_name: 'r.pdf', mime_type: 'application/pdf', file_size: 10 } }), options);
    expect(translated).toMatchObject({ kind: 'message', content: { kind: 'file', fileName: 'r.pdf', mime: 'application/pdf', size: 10 } });
    expect(loads).toEqual([]);
    if (translated.kind !== 'message' || translated.content.kind !== 'file') throw new Error('not a file');
    await translated.content.load();
    await translated.content.load();
    expect(loads).toEqual(['doc1']);
  });

  it("passes a voice note's length on, so an overlong one is refused without downloading it", () => {
    const translated = translateUpdate(message({ voice: { file_id: 'v1', file_unique_id: 'v', duration: 150, mime_type: 'audio/ogg' } }), options);
    expect(translated).toMatchObject({ kind: 'message', content: { kind: 'voice', mime: 'audio/ogg', seconds: 150 } });
  });

  it('ignores groups, bots, edited messages and channel posts', () => {
    expect(translateUpdate(message({ text: 'hi', chat: { id: -100, type: 'group', title: 'G' } }), options).kind).toBe('ignored');
    expect(translateUpdate(message({ text: 'hi', from: { ...from, is_bot: true } }), options).kind).toBe('ignored');
    expect(translateUpdate({ update_id: 8, edited_message: { message_id: 3, date: 1, edit_date: 2, chat, from, text: 'x' } } as unknown as Update, options).kind).toBe('ignored');
  });

  it('hands stickers, locations and GIFs to the flow as unreadable, and ignores service messages', () => {
    expect(translateUpdate(message({ location: { latitude: 1, longitude: 2 } }), options)).toMatchObject({
      kind: 'message',
      content: { kind: 'unreadable', what: 'location' },
    });
    const venue = { location: { latitude: 1, longitude: 2 }, title: 'Clinic', address: '1 Test Road' };
    expect(translateUpdate(message({ venue, location: venue.location }), options)).toMatchObject({ content: { kind: 'unreadable', what: 'location' } });
    const sticker = { file_id: 's', file_unique_id: 's', type: 'regular', width: 512, height: 512, is_animated: false, is_video: false };
    expect(translateUpdate(message({ sticker }), options)).toMatchObject({ content: { kind: 'unreadable', what: 'sticker' } });
    // A GIF also carries a document: it is not fetched as a report.
    const gif = { file_id: 'g', file_unique_id: 'g', width: 1, height: 1, duration: 1, mime_type: 'video/mp4' };
    expect(translateUpdate(message({ animation: gif, document: gif }), options)).toMatchObject({ content: { kind: 'unreadable', what: 'gif' } });
    expect(translateUpdate(message({ dice: { emoji: '🎲', value: 3 } }), options)).toMatchObject({ content: { kind: 'unreadable', what: 'other' } });
    expect(translateUpdate(message({ pinned_message: { message_id: 1, date: 1, chat } }), options).kind).toBe('ignored');
    expect(translateUpdate(message({ new_chat_members: [from] }), options).kind).toBe('ignored');
  });
});

describe('commands', () => {
  it('parses commands with arguments and a bot mention', () => {
    expect(parseCommand('/start deep-link', 'clinic_bot')).toEqual({ name: 'start', args: 'deep-link', forAnotherBot: false });
    expect(parseCommand('/Book@clinic_bot', 'clinic_bot')).toEqual({ name: 'book', args: '', forAnotherBot: false });
    expect(parseCommand('/book@other_bot', 'clinic_bot')).toEqual({ name: 'book', args: '', forAnotherBot: true });
    // Our own username unknown (Telegram unreachable at start): the mention is taken as ours.
    expect(parseCommand('/book@clinic_bot')).toMatchObject({ name: 'book', forAnotherBot: false });
    expect(parseCommand('/today')).toMatchObject({ name: 'today', forAnotherBot: false });
    // Text that only starts with a slash is an answer, not a command.
    expect(parseCommand('/ hello')).toBeUndefined();
    expect(parseCommand('/ 5 pm')).toBeUndefined();
    expect(parseCommand('/21/11')).toBeUndefined();
  });
});

describe('callback data', () => {
  it('keeps short ids readable and hashes long ones, resolvable against the menu on screen', () => {
    expect(encodeOptionId('pay-at-clinic')).toBe('o:pay-at-clinic');
    const longId = `slot:${'x'.repeat(80)}`;
    const encoded = encodeOptionId(longId);
    expect(Buffer.byteLength(encoded)).toBeLessThanOrEqual(64);
    const decoded = decodeCallbackData(encoded);
    expect(decoded.kind).toBe('hashed');
    if (decoded.kind !== 'hashed') return;
    expect(resolveHashed(decoded.hash, [{ id: 'other', label: 'O' }, { id: longId, label: 'L' }])?.id).toBe(longId);
    expect(resolveHashed(decoded.hash, [{ id: 'other', label: 'O' }])).toBeUndefined();
    expect(decodeCallbackData('something else').kind).toBe('unknown');
    // Multi-byte ids count in bytes, not characters.
    expect(Buffer.byteLength(encodeOptionId('डॉक्टर'.repeat(5)))).toBeLessThanOrEqual(64);
  });
});

describe('webhook secret', () => {
  it('compares whole secrets only', () => {
    expect(sameSecret('abc', 'abc')).toBe(true);
    expect(sameSecret('abc', 'abcd')).toBe(false);
    expect(sameSecret('', 'abc')).toBe(false);
  });
});
