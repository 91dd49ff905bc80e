/**
 * Telegram updates -> what the service does with them. Pure apart from the lazy file loader: the
 * bytes of voice notes, documents and photos are only fetched when the flow asks for them.
 */
import type { Message, Update, User } from 'telegraf/types';
import type { InboundContent, LoadBytes, UnreadableKind } from '../../core/messages.js';

/** Who sent an update and where to answer. */
export interface TelegramSender {
  chatId: string;
  userId: string;
  displayName?: string;
}

/** An update, sorted by what it asks of the service. */
export type TelegramInput =
  /** A message for the booking flow (or, when it is a command, maybe for the admin console). */
  | { kind: 'message'; sender: TelegramSender; messageId: string; content: InboundContent; telegramMessageId: number }
  /** A pressed inline button. */
  | { kind: 'button'; sender: TelegramSender; messageId: string; queryId: string; data: string; menu?: PressedMenu }
  /** Someone else's contact card: refused politely, never used as the patient's phone. */
  | { kind: 'foreign-contact'; sender: TelegramSender; messageId: string }
  /** Nothing to answer (edited messages, channel posts, bots, service messages). */
  | { kind: 'ignored' };

/** The bot message whose button was pressed, so it can be edited to show the choice. */
export interface PressedMenu {
  chatId: string;
  messageId: number;
  text: string;
  /** The label of the pressed button. */
  label?: string;
}

/** Fetches a file the patient sent, refusing more than `maxBytes` (checked before and while downloading). */
export type FileLoader = (fileId: string, maxBytes: number) => Promise<Uint8Array>;

export interface TranslateOptions {
  loadFile: FileLoader;
  maxUploadBytes: number;
}

/** The update's id as a message id: Telegram never reuses it, so a redelivered update is recognised. */
export function updateMessageId(update: Update): string {
  return `u${update.update_id}`;
}

function senderOf(chatId: number, from: User | undefined): TelegramSender | undefined {
  if (!from || from.is_bot) return undefined;
  const displayName = [from.first_name, from.last_name].filter(Boolean).join(' ').trim();
  return { chatId: String(chatId), userId: String(from.id), ...(displayName ? { displayName } : {}) };
}

/** Telegram gives contact numbers in international form, usually without the "+". */
function internationalPhone(phone: string): string {
  const trimmed = phone.trim();
  return /^\d{8,15}$/.test(trimmed) ? `+${trimmed}` : trimmed;
}

function lazy(loadFile: FileLoader, fileId: string, maxBytes: number): LoadBytes {
  let loading: Promise<Uint8Array> | undefined;
  return () => (loading ??= loadFile(fileId, maxBytes));
}

/**
 * Message fields of things a patient sends on purpose that the bot cannot read, by what the flow
 * calls them, in the order they are looked for: a GIF also carries a `document` and a venue a
 * `location`, so the more specific field comes first.
 */
const UNREADABLE_FIELDS: readonly (readonly [string, UnreadableKind])[] = [
  ['sticker', 'sticker'],
  ['animation', 'gif'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['venue', 'location'],
  ['location', 'location'],
  ['poll', 'poll'],
  ['audio', 'audio-file'],
];

/** Service messages (someone joined, a message was pinned): nothing the patient said. */
const SERVICE_FIELDS = ['new_chat_members', 'pinned_message'];

function messageContent(message: Message, options: TranslateOptions): InboundContent | 'foreign-contact' | 'service' {
  const { loadFile, maxUploadBytes } = options;
  if ('text' in message) return { kind: 'text', text: message.text };
  const unreadable = UNREADABLE_FIELDS.find(([field]) => field in message)?.[1];
  if (unreadable) return { kind: 'unreadable', what: unreadable };
  if ('contact' in message) {
    const own = message.contact.user_id !== undefined && message.from !== undefined && message.contact.user_id === message.from.id;
    return own ? { kind: 'contact', phone: internationalPhone(message.contact.phone_number) } : 'foreign-contact';
  }
  if ('voice' in message) {
    const { voice } = message;
    // Telegram tells the length, so a note too long to transcribe is refused without downloading it.
    return { kind: 'voice', mime: voice.mime_type ?? 'audio/ogg', seconds: voice.duration, load: lazy(loadFile, voice.file_id, maxUploadBytes) };
  }
  if ('document' in message) {
    const { document } = message;
    return {
      kind: 'file',
      mime: document.mime_type ?? 'application/octet-stream',
      fileName: document.file_name ?? 'document',
      // Size unknown (rare): the download itself enforces the limit.
      size: document.file_size ?? 1,
      load: lazy(loadFile, document.file_id, maxUploadBytes),
    };
  }
  if ('photo' in message && message.photo.length > 0) {
    // Telegram lists the sizes of a photo smallest first; the largest is the readable one.
    const largest = [...message.photo].sort((a, b) => (a.file_size ?? a.width * a.height) - (b.file_size ?? b.width * b.height)).at(-1)!;
    return {
      kind: 'file',
      mime: 'image/jpeg',
      fileName: `photo-${largest.file_unique_id}.jpg`,
      size: largest.file_size ?? 1,
      load: lazy(loadFile, largest.file_id, maxUploadBytes),
    };
  }
  if (SERVICE_FIELDS.some((field) => field in message)) return 'service';
  // A dice, a game, a story, or a kind newer than this code: the patient still gets an answer.
  return { kind: 'unreadable', what: 'other' };
}

/** The chat an update comes from: a message's chat, or the chat of a pressed button; undefined for others. */
export function chatIdOf(update: Update): number | undefined {
  if ('message' in update) return update.message.chat.id;
  if ('callback_query' in update) return pressedInChat(update.callback_query);
  return undefined;
}

/** The chat of a button press: its message's, or (a message too old for Telegram to include) the presser's own. */
function pressedInChat(query: Update.CallbackQueryUpdate['callback_query']): number {
  return query.message?.chat.id ?? query.from.id;
}

/** Sorts one update; only private-chat messages and button presses are acted on. */
export function translateUpdate(update: Update, options: TranslateOptions): TelegramInput {
  const messageId = updateMessageId(update);
  if ('callback_query' in update) {
    const query = update.callback_query;
    const message = query.message;
    const sender = senderOf(pressedInChat(query), query.from);
    if (!sender || !('data' in query)) return { kind: 'ignored' };
    let menu: PressedMenu | undefined;
    if (message && 'text' in message && typeof message.text === 'string') {
      const buttons = 'reply_markup' in message ? (message.reply_markup?.inline_keyboard ?? []).flat() : [];
      const label = buttons.find((b) => 'callback_data' in b && b.callback_data === query.data)?.text;
      menu = { chatId: String(message.chat.id), messageId: message.message_id, text: message.text, ...(label ? { label } : {}) };
    }
    return { kind: 'button', sender, messageId, queryId: query.id, data: query.data, ...(menu ? { menu } : {}) };
  }
  if (!('message' in update)) return { kind: 'ignored' };
  const message = update.message;
  // Groups and channels: the clinic's bot talks to patients one to one.
  if (message.chat.type !== 'private') return { kind: 'ignored' };
  const sender = senderOf(message.chat.id, message.from);
  if (!sender) return { kind: 'ignored' };
  const content = messageContent(message, options);
  if (content === 'foreign-contact') return { kind: 'foreign-contact', sender, messageId };
  if (content === 'service') return { kind: 'ignored' };
  return { kind: 'message', sender, messageId, content, telegramMessageId: message.message_id };
}
