/**
 * The channel-neutral message model. Channel adapters translate platform updates into {@link Inbound}
 * and render {@link Outbound} back; the conversation engine only ever sees these shapes.
 */

/** A messaging platform the clinic is reachable on. */
export type Channel = 'telegram' | 'whatsapp' | 'web';

/**
 * Channels that show a menu as a numbered list answered by typing (WhatsApp Web has no buttons): a
 * typed "2" answers the chat's one open question, so a message pushed meanwhile must not offer numbers.
 */
export const MENUS_ANSWERED_BY_TYPING: ReadonlySet<Channel> = new Set(['whatsapp']);

/** Where a conversation lives: enough to message the patient again later (reminders, payment pushes). */
export interface ConversationRef {
  channel: Channel;
  /** Channel-scoped address: Telegram chat id, WhatsApp JID, web chat session id. */
  chatId: string;
}

/** Bytes that are only fetched when the flow actually needs them (media can be large and slow). */
export type LoadBytes = () => Promise<Uint8Array>;

/** What the patient sent. */
export type InboundContent =
  | { kind: 'text'; text: string }
  /** A tapped button: the id of one of the options of the last menu. */
  | { kind: 'choice'; optionId: string }
  /** A shared contact card (phone as the platform gives it; validated by the flow). */
  | { kind: 'contact'; phone: string }
  /** A voice note; `seconds` when the platform tells its length (Telegram, WhatsApp), so a long one is refused unread. */
  | { kind: 'voice'; mime: string; load: LoadBytes; seconds?: number }
  | { kind: 'file'; mime: string; fileName: string; size: number; load: LoadBytes }
  /**
   * Something the patient sent on purpose that the bot cannot read (a sticker, a location, a poll…).
   * The flow says what it can read at this step and asks its question again.
   */
  | { kind: 'unreadable'; what: UnreadableKind };

/**
 * What an unreadable message was, as far as the patient is concerned; `other` for the rarer kinds
 * (a group invite, a product, a game) that need no words of their own.
 */
export type UnreadableKind = 'sticker' | 'gif' | 'video' | 'location' | 'poll' | 'contact-card' | 'audio-file' | 'other';

/** One message from a patient, as every channel delivers it to the core. */
export interface Inbound {
  channel: Channel;
  chatId: string;
  /** Platform message id, used to drop duplicate deliveries. */
  messageId: string;
  receivedAt: Date;
  /** Name the platform shows for the sender, if any. */
  displayName?: string;
  /** Sender's phone in E.164 when the platform knows it (WhatsApp does). */
  phone?: string;
  content: InboundContent;
}

/** One choice of a menu. `id` is stable across channels; `label` is what the patient reads. */
export interface MenuOption {
  id: string;
  label: string;
}

/** What the core says back. Adapters decide how each kind looks on their platform. */
export type Outbound =
  | { kind: 'text'; text: string }
  | { kind: 'menu'; text: string; options: MenuOption[] }
  | { kind: 'link'; text: string; url: string; label: string }
  /** `fileId`: these bytes are kept in the document vault already, so delivery stores only the reference. */
  | { kind: 'document'; fileName: string; mime: string; bytes: Uint8Array; caption: string; fileId?: string }
  /** Ask for the patient's phone; platforms that can share a contact show a button for it. */
  | { kind: 'ask-contact'; text: string };

export function conversationKey(ref: ConversationRef): string {
  return `${ref.channel}:${ref.chatId}`;
}
