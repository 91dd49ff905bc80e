/**
 * A received WhatsApp message -> what the core understands, or why it is left alone. Pure: media is
 * downloaded only when the flow asks for the bytes, so a file sent where none is expected, or one
 * announced as too large, is never fetched.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { Inbound, InboundContent, UnreadableKind } from '../../core/messages.js';
import { MediaUnavailableError } from './errors.js';
import type { WhatsAppMessage } from './whatsAppClient.js';

/** Why a message is not handed to the core. */
export type IgnoredBecause = 'own-message' | 'group' | 'status' | 'broadcast' | 'before-link' | 'system';

/** The translation of one message. */
export type Translation =
  | { kind: 'inbound'; inbound: Inbound }
  | { kind: 'ignored'; because: IgnoredBecause }
  /** A photo or document whose bytes WhatsApp no longer has. */
  | { kind: 'media-unavailable'; messageType: string };

/** What voice notes are when WhatsApp does not say. */
export const VOICE_NOTE_MIME = 'audio/ogg; codecs=opus';

/**
 * Types a patient sends on purpose but the bot cannot read, by what the flow calls them: it tells the
 * patient what it can read and asks its question again. Other types (notifications, reactions,
 * revoked messages) are WhatsApp's own and go unanswered.
 */
const UNREADABLE_TYPES: ReadonlyMap<string, UnreadableKind> = new Map<string, UnreadableKind>([
  ['video', 'video'],
  ['sticker', 'sticker'],
  ['location', 'location'],
  ['multi_vcard', 'contact-card'],
  ['poll_creation', 'poll'],
  ['album', 'other'],
  ['groups_v4_invite', 'other'],
  ['product', 'other'],
  ['order', 'other'],
]);

/**
 * "919876543210@c.us" -> "+919876543210". Only person chats carry the number; "@lid" chats hide it,
 * so the flow asks for it instead.
 */
export function phoneFromWhatsAppId(id: string): string | undefined {
  const match = /^(\d{6,15})@c\.us$/.exec(id);
  if (!match) return undefined;
  const phone = parsePhoneNumberFromString(`+${match[1]}`);
  return phone?.isValid() ? phone.number : undefined;
}

/** The first phone number of a shared contact card (vCard TEL line). */
export function phoneFromVCard(vcard: string): string | undefined {
  for (const line of vcard.split(/\r?\n/)) {
    if (!/^(item\d+\.)?TEL\b/i.test(line)) continue;
    const waid = /waid=(\d{6,15})/i.exec(line)?.[1];
    if (waid) return `+${waid}`;
    const value = line.slice(line.indexOf(':') + 1).trim();
    if (value) return value;
  }
  return undefined;
}

/**
 * How much older than the link moment a message may look and still be answered. WhatsApp stamps a
 * message in whole seconds by its own clock, the link moment is the server's (to the millisecond): a
 * patient writing right after the scan must not look older than it. The history WhatsApp replays to a
 * newly linked device is older than this.
 */
export const LINK_CLOCK_SKEW_SECONDS = 5;

/** Whether WhatsApp stamped the message (whole seconds) before the number was linked (ms). */
function writtenBeforeLink(timestampSeconds: number, linkedAtMs: number): boolean {
  return timestampSeconds < Math.floor(linkedAtMs / 1000) - LINK_CLOCK_SKEW_SECONDS;
}

function ignoredBecause(message: WhatsAppMessage, linkedAtMs: number | undefined): IgnoredBecause | undefined {
  if (message.fromMe) return 'own-message';
  if (message.isStatus || message.from === 'status@broadcast') return 'status';
  if (message.from.endsWith('@g.us')) return 'group';
  // Broadcast lists and channels ("@broadcast", "@newsletter") are not conversations with a patient.
  if (!/@(c\.us|lid)$/.test(message.from)) return 'broadcast';
  if (linkedAtMs !== undefined && writtenBeforeLink(message.timestamp, linkedAtMs)) return 'before-link';
  return undefined;
}

/** Lazy bytes that fail with a typed error when WhatsApp has lost the media. */
function loader(message: WhatsAppMessage): () => Promise<Uint8Array> {
  return async () => {
    const media = message.hasMedia ? await message.downloadMedia() : undefined;
    if (!media?.data) throw new MediaUnavailableError(message.type);
    return Buffer.from(media.data, 'base64');
  };
}

function defaultFileName(message: WhatsAppMessage, mime: string): string {
  const ext = mime.includes('pdf') ? 'pdf' : mime.includes('png') ? 'png' : mime.includes('jpeg') || mime.includes('jpg') ? 'jpg' : 'bin';
  return `${message.type === 'image' ? 'photo' : 'file'}.${ext}`;
}

/**
 * The size the core is given when WhatsApp announced none. It passes the announced-size check, and
 * the core checks the real size once it has downloaded the bytes (only at a step that takes a file).
 */
const SIZE_NOT_ANNOUNCED = 1;

function fileContent(message: WhatsAppMessage): InboundContent | undefined {
  // No media key: WhatsApp no longer has the bytes, there is nothing to download.
  if (!message.hasMedia) return undefined;
  const announced = message._data?.size;
  const mime = message._data?.mimetype ?? (message.type === 'image' ? 'image/jpeg' : 'application/octet-stream');
  const fileName = message._data?.filename || defaultFileName(message, mime);
  const size = typeof announced === 'number' && announced > 0 ? announced : SIZE_NOT_ANNOUNCED;
  return { kind: 'file', mime, fileName, size, load: loader(message) };
}

async function contentOf(message: WhatsAppMessage): Promise<InboundContent | 'media-unavailable' | 'system'> {
  switch (message.type) {
    case 'chat':
    // Replies to old interactive messages carry the chosen label as text.
    case 'buttons_response':
    case 'list_response':
    case 'template_button_reply':
      return message.body.trim() === '' ? 'system' : { kind: 'text', text: message.body };
    case 'image':
    case 'document':
      return fileContent(message) ?? 'media-unavailable';
    case 'ptt':
    case 'audio':
      return { kind: 'voice', mime: message._data?.mimetype ?? VOICE_NOTE_MIME, load: loader(message) };
    case 'vcard': {
      const phone = phoneFromVCard(message.body);
      return phone ? { kind: 'contact', phone } : { kind: 'unreadable', what: 'contact-card' };
    }
    default: {
      const what = UNREADABLE_TYPES.get(message.type);
      return what ? { kind: 'unreadable', what } : 'system';
    }
  }
}

/**
 * Translates a received message.
 * @param linkedAtMs when the number was linked: anything older is history, never answered.
 */
export async function translateMessage(message: WhatsAppMessage, linkedAtMs: number | undefined, receivedAt: Date): Promise<Translation> {
  const because = ignoredBecause(message, linkedAtMs);
  if (because) return { kind: 'ignored', because };
  const content = await contentOf(message);
  if (content === 'system') return { kind: 'ignored', because: 'system' };
  if (content === 'media-unavailable') return { kind: 'media-unavailable', messageType: message.type };
  const phone = phoneFromWhatsAppId(message.from);
  const displayName = message._data?.notifyName?.trim();
  return {
    kind: 'inbound',
    inbound: {
      channel: 'whatsapp',
      chatId: message.from,
      messageId: message.id._serialized,
      receivedAt,
      ...(displayName ? { displayName: displayName.slice(0, 100) } : {}),
      ...(phone ? { phone } : {}),
      content,
    },
  };
}
