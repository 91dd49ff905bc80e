/**
 * The delivery model shared by every channel: how a message waits in the durable outbox, where it
 * goes, and how a channel's transport reports success or failure. The core declares it; the SQLite
 * outbox stores it and services/delivery sends it.
 */
import { ClinicError } from './errors.js';
import type { Channel, MenuOption, Outbound } from './messages.js';

/**
 * Where an outbox entry goes. Patients are reached on their booking channel; 'telegram-admin' is the
 * separate admin bot, when one is configured.
 */
export type DeliveryChannel = Channel | 'telegram-admin';

/** A chat on a delivery channel. Every ConversationRef is one. */
export interface DeliveryRoute {
  channel: DeliveryChannel;
  chatId: string;
}

/**
 * A message as the outbox keeps it: plain JSON, documents by private file id (bytes live in the
 * document vault). The shape is also what the web chat API shows, minus `fileId`.
 */
export type StoredMessage =
  | { kind: 'text'; text: string }
  | { kind: 'menu'; text: string; options: MenuOption[] }
  | { kind: 'link'; text: string; url: string; label: string }
  | { kind: 'document'; text: string; fileName: string; mime: string; fileId: string }
  | { kind: 'ask-contact'; text: string };

/** Who wrote an entry of the stored conversation. Only the bot's entries are ever delivered. */
export type EntryAuthor = 'bot' | 'patient';

/** Delivery state of an outbox entry. */
export type EntryState = 'pending' | 'sent' | 'undeliverable';

/** One stored message of a conversation. */
export interface OutboxEntry {
  /** Global, increasing: the order entries were written in. */
  id: number;
  route: DeliveryRoute;
  /** Per-chat number, 1, 2, 3… (the web chat API's `seq`). */
  seq: number;
  author: EntryAuthor;
  message: StoredMessage;
  /** Platform message id this entry answers; null for pushes. */
  inReplyTo: string | null;
  createdAt: string;
  state: EntryState;
  attempts: number;
  /** Why the last attempt failed, or why the entry is undeliverable. */
  lastError: string | null;
}

/** Private generated files (confirmations, invoices): the outbox stores their ids, not bytes. */
export interface DocumentFiles {
  put(document: { fileName: string; mime: string; bytes: Uint8Array }): Promise<string>;
  get(id: string): Promise<{ fileName: string; mime: string; bytes: Uint8Array } | undefined>;
}

/**
 * Sends one message to one chat on a platform. Resolves once the platform accepted it. Throws
 * {@link PermanentDeliveryError} when it never will (blocked, chat not found) and
 * {@link TransientDeliveryError} (or anything else) when a later try may succeed.
 */
export interface ChannelTransport {
  readonly channel: DeliveryChannel;
  deliver(chatId: string, message: Outbound): Promise<void>;
}

/** A later try may succeed (network error, 5xx, 429, link down). */
export class TransientDeliveryError extends ClinicError {
  constructor(
    readonly reason: string,
    /** How long the platform asked us to wait (Telegram's retry_after), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(`Delivery failed for now (${reason}); it will be retried.`);
  }
}

/** The platform will never take this message (bot blocked by the user, chat not found). */
export class PermanentDeliveryError extends ClinicError {
  constructor(readonly reason: string) {
    super(`Delivery is impossible (${reason}); the message is kept as undeliverable for the admins.`);
  }
}

/** Converts an outbound message into its stored form, putting document bytes into private storage. */
export async function toStoredMessage(message: Outbound, files: DocumentFiles): Promise<StoredMessage> {
  switch (message.kind) {
    case 'text':
    case 'ask-contact':
      return { kind: message.kind, text: message.text };
    case 'menu':
      return { kind: 'menu', text: message.text, options: message.options.map(({ id, label }) => ({ id, label })) };
    case 'link':
      return { kind: 'link', text: message.text, url: message.url, label: message.label };
    case 'document': {
      const fileId = message.fileId ?? (await files.put({ fileName: message.fileName, mime: message.mime, bytes: message.bytes }));
      return { kind: 'document', text: message.caption, fileName: message.fileName, mime: message.mime, fileId };
    }
  }
}

/** The outbound message back from its stored form (document bytes read from private storage). */
export async function toOutbound(message: StoredMessage, files: DocumentFiles): Promise<Outbound> {
  if (message.kind !== 'document') return message;
  const document = await files.get(message.fileId);
  if (!document) throw new PermanentDeliveryError(`document ${message.fileId} is no longer stored`);
  return { kind: 'document', fileName: message.fileName, mime: message.mime, bytes: document.bytes, caption: message.text };
}
