/**
 * The web chat channel: turns API requests into {@link Inbound} messages for the engine and keeps
 * every message sent to a browser session in a persistent, numbered outbox, so the page can fetch
 * replies and later pushes (GET ?after=SEQ) even after a server restart.
 */
import { randomUUID } from 'node:crypto';
import { KeyedLock } from '../../core/keyedLock.js';
import type { ConversationRef, Inbound, InboundContent, Outbound } from '../../core/messages.js';
import type { Clock, Notifier } from '../../core/ports.js';
import type { DocumentVault } from '../../services/files/documentVault.js';
import type { StoredWebMessage, WebMessageBody, WebOutbox } from './outbox.js';

/** A web chat session id: chosen by the client, at least 128 bits of URL-safe randomness. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/** What a browser sent: typed text, a tapped option, or a file. */
export type WebInput =
  | { kind: 'text'; text: string }
  | { kind: 'choice'; optionId: string }
  | { kind: 'file'; bytes: Uint8Array; mime: string; fileName: string };

/** A message as the web chat API returns it. */
export type WebMessage = Omit<StoredWebMessage, 'fileId'>;

export interface WebChatOptions {
  /** The conversation engine (or anything with its `handle`). */
  engine: { handle(inbound: Inbound): Promise<Outbound[]> };
  outbox: WebOutbox;
  documents: DocumentVault;
  clock: Clock;
  /** Base URL of download links ('' for links relative to the page's origin). */
  downloadBaseUrl: string;
  /** How long a download link stays valid. */
  downloadLinkMinutes: number;
}

const HISTORY_PAGE = 200;

export class WebChatChannel implements Notifier {
  /** Serialises the handling and recording of one session's messages, so retries see earlier replies. */
  private readonly lock = new KeyedLock();

  constructor(private readonly options: WebChatOptions) {}

  /**
   * Handles a message from a browser and returns the replies. A retry with the same client message id
   * returns the replies of the first delivery instead of acting twice.
   */
  async receive(sessionId: string, input: WebInput, clientMessageId?: string): Promise<WebMessage[]> {
    const messageId = clientMessageId ?? randomUUID();
    return this.lock.run(sessionId, async () => {
      const earlier = await this.options.outbox.listReplies(sessionId, messageId);
      if (earlier.length > 0) return this.present(earlier);
      const replies = await this.options.engine.handle(this.toInbound(sessionId, messageId, input));
      return this.record(sessionId, replies, messageId);
    });
  }

  /** Everything sent to the session after `afterSeq`. */
  async history(sessionId: string, afterSeq: number): Promise<WebMessage[]> {
    return this.present(await this.options.outbox.listAfter(sessionId, afterSeq, HISTORY_PAGE));
  }

  /** Pushes messages to a web chat (payment confirmed, reminders); the page picks them up by polling. */
  async send(to: ConversationRef, messages: Outbound[]): Promise<void> {
    await this.lock.run(to.chatId, () => this.record(to.chatId, messages, null));
  }

  private toInbound(sessionId: string, messageId: string, input: WebInput): Inbound {
    let content: InboundContent;
    if (input.kind === 'file') {
      const { bytes } = input;
      content = { kind: 'file', mime: input.mime, fileName: input.fileName, size: bytes.byteLength, load: async () => bytes };
    } else {
      content = input;
    }
    return { channel: 'web', chatId: sessionId, messageId, receivedAt: this.options.clock.now(), content };
  }

  private async record(sessionId: string, messages: Outbound[], inReplyTo: string | null): Promise<WebMessage[]> {
    const bodies: WebMessageBody[] = [];
    for (const message of messages) bodies.push(await this.toBody(message));
    const stored = await this.options.outbox.append(sessionId, bodies, inReplyTo, this.options.clock.now());
    return this.present(stored);
  }

  private async toBody(message: Outbound): Promise<WebMessageBody> {
    switch (message.kind) {
      case 'text':
      case 'ask-contact':
        return { kind: message.kind, text: message.text };
      case 'menu':
        return { kind: 'menu', text: message.text, options: message.options };
      case 'link':
        return { kind: 'link', text: message.text, url: message.url, label: message.label };
      case 'document': {
        const fileId = await this.options.documents.put({ fileName: message.fileName, mime: message.mime, bytes: message.bytes });
        return { kind: 'document', text: message.caption, fileName: message.fileName, fileId };
      }
    }
  }

  /** Replaces private file ids by download links signed now, so a link read later is still valid. */
  private present(messages: StoredWebMessage[]): WebMessage[] {
    const { documents, clock, downloadLinkMinutes, downloadBaseUrl } = this.options;
    const expiresAt = new Date(clock.now().getTime() + downloadLinkMinutes * 60_000);
    return messages.map(({ fileId, ...message }) => {
      if (!fileId) return message;
      const { expires, signature } = documents.sign(fileId, expiresAt);
      return { ...message, url: `${downloadBaseUrl}/files/${fileId}?expires=${expires}&signature=${signature}` };
    });
  }
}
