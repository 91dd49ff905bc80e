/**
 * Translating between WhatsApp and the core, message by message: numbered menus and plain links out,
 * phone numbers and contact cards in, and which send failures are worth retrying.
 */
import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError, TransientDeliveryError } from '../../../src/core/delivery.js';
import { LINK_CLOCK_SKEW_SECONDS, phoneFromVCard, phoneFromWhatsAppId, translateMessage } from '../../../src/channels/whatsapp/inboundMessage.js';
import { renderMenu, renderOutbound } from '../../../src/channels/whatsapp/render.js';
import { classifySendError } from '../../../src/channels/whatsapp/whatsAppTransport.js';
import { loadConfig } from '../../../src/config.js';
import { FakeWhatsApp } from '../../support/fakeWhatsAppClient.js';

const NOW = new Date('2026-03-02T04:00:00Z');
const whatsapp = new FakeWhatsApp(() => NOW);

describe('rendering for WhatsApp', () => {
  it('numbers menu options and says how to answer', () => {
    const options = ['Book an appointment', 'My appointments', 'Help'].map((label, i) => ({ id: `o${i}`, label }));
    expect(renderMenu('How can I help?', options)).toBe('How can I help?\n\n1. Book an appointment\n2. My appointments\n3. Help\n\nReply 1-3, or 0 to go back.');
    expect(renderMenu('Use this number?', [{ id: 'x', label: 'Use +919876543210' }])).toMatch(/Reply 1, or 0 to go back\.$/);
  });

  it('keeps emoji and other scripts, writes links as text, and asks for a contact in words', () => {
    expect(renderOutbound({ kind: 'text', text: 'नमस्ते 🙏' })).toEqual({ kind: 'text', text: 'नमस्ते 🙏' });
    expect(renderOutbound({ kind: 'link', text: 'Pay to confirm.', url: 'https://rzp.io/l/x', label: 'Pay ₹500' })).toEqual({
      kind: 'text',
      text: 'Pay to confirm.\n\nPay ₹500: https://rzp.io/l/x',
    });
    expect(renderOutbound({ kind: 'ask-contact', text: 'Your mobile number?' })).toEqual({ kind: 'text', text: 'Your mobile number?' });
    expect(renderOutbound({ kind: 'menu', text: 'Nothing to choose', options: [] })).toEqual({ kind: 'text', text: 'Nothing to choose' });
  });
});

describe('reading WhatsApp messages', () => {
  it('takes the patient phone from a person chat id only when it is a real number', () => {
    expect(phoneFromWhatsAppId('919876543210@c.us')).toBe('+919876543210');
    expect(phoneFromWhatsAppId('14155552671@c.us')).toBe('+14155552671');
    expect(phoneFromWhatsAppId('201234567890123@lid')).toBeUndefined();
    expect(phoneFromWhatsAppId('120363025246125486@g.us')).toBeUndefined();
    expect(phoneFromWhatsAppId('123@c.us')).toBeUndefined();
  });

  it('reads the number of a shared contact card', () => {
    expect(phoneFromVCard('BEGIN:VCARD\nTEL;type=CELL;waid=919812345678:+91 98123 45678\nEND:VCARD')).toBe('+919812345678');
    expect(phoneFromVCard('BEGIN:VCARD\r\nitem1.TEL:+91 98123 45678\r\nEND:VCARD')).toBe('+91 98123 45678');
    expect(phoneFromVCard('BEGIN:VCARD\nFN:No number\nEND:VCARD')).toBeUndefined();
  });

  it('hands text, voice notes and files to the core with the message id, name and phone', async () => {
    const text = await translateMessage(whatsapp.message({ from: '919876543210@c.us', body: '  2 ', notifyName: 'Asha' }), undefined, NOW);
    expect(text).toMatchObject({
      kind: 'inbound',
      inbound: { channel: 'whatsapp', chatId: '919876543210@c.us', phone: '+919876543210', displayName: 'Asha', content: { kind: 'text', text: '  2 ' } },
    });
    expect(text.kind === 'inbound' && text.inbound.messageId).toMatch(/^false_919876543210@c\.us_/);

    const voice = await translateMessage(whatsapp.message({ from: '919876543210@c.us', type: 'audio' }), undefined, NOW);
    expect(voice).toMatchObject({ kind: 'inbound', inbound: { content: { kind: 'voice', mime: 'audio/ogg; codecs=opus' } } });

    const huge = whatsapp.message({ from: '919876543210@c.us', type: 'document', size: 80 * 1024 * 1024, mimetype: 'application/pdf', filename: 'scan.pdf' });
    const file = await translateMessage(huge, undefined, NOW);
    // The announced size reaches the core before anything is downloaded, so a huge file is refused cheaply.
    expect(file).toMatchObject({ kind: 'inbound', inbound: { content: { kind: 'file', size: 80 * 1024 * 1024, fileName: 'scan.pdf', mime: 'application/pdf' } } });
    expect(huge.downloads).toBe(0);
  });

  it('leaves alone what is not a patient writing now', async () => {
    const linkedAt = NOW.getTime();
    const cases: [Parameters<typeof whatsapp.message>[0], string][] = [
      [{ from: '919876543210@c.us', fromMe: true, body: 'hi' }, 'own-message'],
      [{ from: '120363025246125486@g.us', author: '919876543210@c.us', body: 'hi' }, 'group'],
      [{ from: 'status@broadcast', body: 'hi' }, 'status'],
      [{ from: '919876543210@c.us', isStatus: true, body: 'hi' }, 'status'],
      [{ from: '1700000000@broadcast', body: 'hi' }, 'broadcast'],
      [{ from: '120363999@newsletter', body: 'hi' }, 'broadcast'],
      [{ from: '919876543210@c.us', body: 'hi', timestamp: linkedAt / 1000 - 60 }, 'before-link'],
      [{ from: '919876543210@c.us', type: 'revoked' }, 'system'],
      [{ from: '919876543210@c.us', body: '   ' }, 'system'],
    ];
    for (const [fields, because] of cases) {
      expect(await translateMessage(whatsapp.message(fields), linkedAt, NOW), because).toEqual({ kind: 'ignored', because });
    }
    // What a patient sends on purpose but the bot cannot read goes to the core, which answers it.
    expect(await translateMessage(whatsapp.message({ from: '919876543210@c.us', type: 'location' }), linkedAt, NOW)).toMatchObject({
      kind: 'inbound',
      inbound: { content: { kind: 'unreadable', what: 'location' } },
    });
  });

  it('answers a message written right after the scan, though WhatsApp stamps whole seconds by its own clock', async () => {
    // Linked 700 ms into a second; WhatsApp stamps the patient's "hi" 100 ms later with that second.
    const linkedAt = NOW.getTime() + 700;
    const second = Math.floor(linkedAt / 1000);
    const sameSecond = await translateMessage(whatsapp.message({ from: '919876543210@c.us', body: 'hi', timestamp: second }), linkedAt, NOW);
    expect(sameSecond.kind).toBe('inbound');
    // The server's clock runs a few seconds ahead of WhatsApp's.
    const skewed = await translateMessage(whatsapp.message({ from: '919876543210@c.us', body: 'hi', timestamp: second - LINK_CLOCK_SKEW_SECONDS }), linkedAt, NOW);
    expect(skewed.kind).toBe('inbound');
    // What WhatsApp replays from before the link is still history.
    const history = await translateMessage(whatsapp.message({ from: '919876543210@c.us', body: 'hi', timestamp: second - LINK_CLOCK_SKEW_SECONDS - 1 }), linkedAt, NOW);
    expect(history).toEqual({ kind: 'ignored', because: 'before-link' });
  });

  it('does not download a photo whose size WhatsApp did not announce until the flow asks for it', async () => {
    const photo = whatsapp.message({ from: '919876543210@c.us', type: 'image', media: { mimetype: 'image/png', data: Buffer.from('png bytes').toString('base64') } });
    const translation = await translateMessage(photo, undefined, NOW);
    expect(translation).toMatchObject({ kind: 'inbound', inbound: { content: { kind: 'file', fileName: 'photo.jpg' } } });
    expect(photo.downloads).toBe(0);
    const content = translation.kind === 'inbound' ? translation.inbound.content : undefined;
    expect(content?.kind === 'file' && Buffer.from(await content.load()).toString()).toBe('png bytes');
    expect(photo.downloads).toBe(1);
  });
});

describe('send failures', () => {
  it('retries what a restarting browser caused, and gives up on addresses that cannot be on WhatsApp', () => {
    for (const message of ['Protocol error (Runtime.callFunctionOn): Session closed.', 'Evaluation failed: TypeError: x is undefined', 'Target closed']) {
      expect(classifySendError(new Error(message)), message).toBeInstanceOf(TransientDeliveryError);
    }
    expect(classifySendError(new Error('Evaluation failed: Error: invalid wid'))).toEqual(new PermanentDeliveryError('this number is not on WhatsApp'));
    expect(classifySendError(new Error('something odd'))).toBeInstanceOf(TransientDeliveryError);
  });

  it('retries "No LID for user": WhatsApp Web also says it of contacts who just wrote in', () => {
    const error = classifySendError(new Error('Evaluation failed: Error: No LID for user'));
    expect(error).toBeInstanceOf(TransientDeliveryError);
    expect(error.reason).toMatch(/No LID for user/);
  });
});

describe('WHATSAPP_SEND_PER_SECOND', () => {
  it('defaults to one message a second and refuses nonsense', () => {
    expect(loadConfig({}).whatsapp.sendPerSecond).toBe(1);
    expect(loadConfig({ WHATSAPP_SEND_PER_SECOND: '0.5' }).whatsapp.sendPerSecond).toBe(0.5);
    expect(() => loadConfig({ WHATSAPP_SEND_PER_SECOND: '0' })).toThrow(/WHATSAPP_SEND_PER_SECOND must be more than 0/);
    expect(() => loadConfig({ WHATSAPP_SEND_PER_SECOND: 'fast' })).toThrow(/WHATSAPP_SEND_PER_SECOND must be a number/);
  });
});
