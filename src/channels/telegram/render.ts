/**
 * How each {@link Outbound} looks in Telegram, as Bot API calls. Pure: the transport performs them.
 *
 * Everything is sent as plain text (no parse_mode), so whatever a patient or a staff member typed —
 * names, "<b>", "=HYPERLINK(...)", emoji, other scripts — is shown exactly as written and can never
 * be read as markup.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove } from 'telegraf/types';
import type { MenuOption, Outbound } from '../../core/messages.js';
import { encodeOptionId } from './callbackData.js';

/** Telegram's limits (https://core.telegram.org/bots/api#sendmessage, #senddocument). */
export const MESSAGE_MAX_CHARS = 4096;
export const CAPTION_MAX_CHARS = 1024;
/** Longest button label we show; Telegram cuts longer ones off on a phone anyway. */
const BUTTON_LABEL_MAX_CHARS = 60;
/** Telegram accepts at most 100 buttons per keyboard. */
const MAX_BUTTONS = 100;
/** Menus whose labels are all this short are laid out two buttons per row. */
const SHORT_LABEL_CHARS = 20;

export const SHARE_CONTACT_LABEL = '📱 Share my phone number';

export type TelegramReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove;

/** One Bot API call that delivers (part of) a message. */
export type TelegramSend =
  | { method: 'sendMessage'; text: string; replyMarkup?: TelegramReplyMarkup }
  | { method: 'sendDocument'; fileName: string; bytes: Uint8Array; caption?: string };

/** Characters Telegram counts: UTF-16 code units. */
function length(text: string): number {
  return text.length;
}

/**
 * Splits text into pieces of at most `max` UTF-16 code units, preferring paragraph, line and word
 * boundaries and never cutting a surrogate pair (an emoji) in half.
 */
export function splitText(text: string, max = MESSAGE_MAX_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (length(rest) > max) {
    const window = rest.slice(0, max);
    let cut = Math.max(window.lastIndexOf('\n\n'), window.lastIndexOf('\n'));
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // keep a surrogate pair together
    }
    const piece = rest.slice(0, cut).trimEnd();
    // A run of blanks longer than a message would leave nothing: Telegram refuses an empty text.
    if (piece.length > 0) pieces.push(piece);
    rest = rest.slice(cut).replace(/^\s+/, '');
  }
  if (rest.trim().length > 0 || pieces.length === 0) pieces.push(rest.trimEnd());
  return pieces;
}

function buttonLabel(label: string): string {
  const trimmed = label.trim() || '…';
  if (length(trimmed) <= BUTTON_LABEL_MAX_CHARS) return trimmed;
  const cut = trimmed.slice(0, BUTTON_LABEL_MAX_CHARS - 1);
  const code = cut.charCodeAt(cut.length - 1);
  return `${code >= 0xd800 && code <= 0xdbff ? cut.slice(0, -1) : cut}…`;
}

/**
 * Inline keyboard of a menu. Long menus (doctors, time slots) and long labels get one button per row
 * so they stay readable on a phone; a few short choices (gender, yes/no) share rows.
 */
export function menuKeyboard(options: readonly MenuOption[]): InlineKeyboardMarkup {
  const buttons: InlineKeyboardButton[] = options
    .slice(0, MAX_BUTTONS)
    .map((option) => ({ text: buttonLabel(option.label), callback_data: encodeOptionId(option.id) }));
  const perRow = options.length <= 6 && options.every((o) => length(o.label) <= SHORT_LABEL_CHARS) ? 2 : 1;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return { inline_keyboard: rows };
}

/** A one-time keyboard with a button that shares the sender's own contact. */
export function contactKeyboard(): ReplyKeyboardMarkup {
  return {
    keyboard: [[{ text: SHARE_CONTACT_LABEL, request_contact: true }]],
    one_time_keyboard: true,
    resize_keyboard: true,
    input_field_placeholder: 'Or type the number',
  };
}

/**
 * Plain messages remove a contact keyboard shown earlier: after the phone step it is of no use.
 * Telegram ignores the removal when no such keyboard is shown, so no per-chat state is needed.
 */
const REMOVE_KEYBOARD: ReplyKeyboardRemove = { remove_keyboard: true };

/** Only http(s) URLs make URL buttons; Telegram refuses local addresses in buttons. */
export function canBeUrlButton(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
    const host = parsed.hostname;
    return host !== 'localhost' && !/^\d+\.\d+\.\d+\.\d+$/.test(host) && !host.startsWith('[');
  } catch {
    return false;
  }
}

/** Sends `text` (split when too long), the last piece carrying `replyMarkup`. */
function textWithMarkup(text: string, replyMarkup: TelegramReplyMarkup): TelegramSend[] {
  const pieces = splitText(text.trim() === '' ? '…' : text);
  return pieces.map((piece, index) =>
    index === pieces.length - 1 ? { method: 'sendMessage', text: piece, replyMarkup } : { method: 'sendMessage', text: piece, replyMarkup: REMOVE_KEYBOARD },
  );
}

/** The Bot API calls that deliver one outbound message, in order. */
export function renderOutbound(message: Outbound): TelegramSend[] {
  switch (message.kind) {
    case 'text':
      return textWithMarkup(message.text, REMOVE_KEYBOARD);
    case 'menu':
      return textWithMarkup(message.text, menuKeyboard(message.options));
    case 'ask-contact':
      return textWithMarkup(message.text, contactKeyboard());
    case 'link':
      if (canBeUrlButton(message.url)) {
        return textWithMarkup(message.text, { inline_keyboard: [[{ text: buttonLabel(message.label), url: message.url }]] });
      }
      return textWithMarkup(`${message.text}\n${message.label}: ${message.url}`, REMOVE_KEYBOARD);
    case 'document': {
      const caption = message.caption.trim();
      if (length(caption) <= CAPTION_MAX_CHARS) {
        return [{ method: 'sendDocument', fileName: message.fileName, bytes: message.bytes, ...(caption ? { caption } : {}) }];
      }
      // A caption Telegram would refuse goes after the file as ordinary text.
      return [{ method: 'sendDocument', fileName: message.fileName, bytes: message.bytes }, ...textWithMarkup(caption, REMOVE_KEYBOARD)];
    }
  }
}
