/**
 * The web chat channel: turns API requests into {@link Inbound} messages for the engine and shows the
 * web chat's view of the durable outbox, so the page can fetch replies and later pushes
 * (GET ?after=SEQ) even after a server restart.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { OutboxEntry } from '../../core/delivery.js';
import { KeyedLock } from '../../core/keyedLock.js';
import type { Inbound, InboundContent, MenuOption, Outbound } from '../../core/messages.js';
import type { Clock, Outbox, RequestKeys } from '../../core/ports.js';
import type { DocumentVault } from '../../services/files/documentVault.js';

/** A web chat session id: chosen by the client, at least 128 bits of URL-safe randomness. */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;

/** What a browser sent: typed text, a tapped option, a file, or a recorded voice clip. */
export type WebInput =
  | { kind: 'text'; text: string }
  | { kind: 'choice'; optionId: string }
  | { kind: 'file'; bytes: Uint8Array; mime: string; fileName: string }
  | { kind: 'voice'; bytes: Uint8Array; mime: string };

/** A message as the web chat API returns it (DESIGN.md "Web chat API"). */
export interface WebMessage {
  seq: number;
  kind: 'text' | 'menu' | 'link' | 'document' | 'ask-contact';
  text: string;
  options?: MenuOption[];
  url?: string;
  label?: string;
  fileName?: string;
  /** Only in a transcript (`?transcript=true`): who wrote it. */
  from?: 'patient' | 'bot';
}

export interface WebChatOptions {
  /** The conversation engine (or anything with its `handle`). */
  engine: { handle(inbound: Inbound): Promise<Outbound[]> };
  outbox: Outbox;
  documents: DocumentVault;
  clock: Clock;
  /** Base URL of download links ('' for links relative to the page's origin). */
  downloadBaseUrl: string;
  /** How long a download link stays valid. */
  downloadLinkMinutes: number;
  /** Where Idempotency-Keys are remembered with their message, so a key reused for another is refused. */
  requestKeys?: RequestKeys;
}

/** An Idempotency-Key sent again with a different message: not a retry, so not answered as one. */
export class IdempotencyKeyReusedError extends Error {
  constructor() {
    super('This Idempotency-Key was already used for a different message; send a new key with a new message.');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** What identifies a message's content, so a retry can be told from another message under the same key. */
function fingerprintOf(input: WebInput): string {
  const hash = createHash('sha256').update(input.kind).update('\0');
  switch (input.kind) {
    case 'text':
      return hash.update(input.text).digest('base64url');
    case 'choice':
      return hash.update(input.optionId).digest('base64url');
    case 'file':
      return hash.update(`${input.mime}\0${input.fileName}\0`).update(input.bytes).digest('base64url');
    case 'voice':
      return hash.update(`${input.mime}\0`).update(input.bytes).digest('base64url');
  }
}

/** Messages one GET returns at most; `more` then says to ask again after the last seq. */
export const HISTORY_PAGE = 1000;

/** A page of a chat's messages. */
export interface WebHistory {
  messages: WebMessage[];
  /** True when there are messages after these: ask again with `after` = the last seq. */
  more: boolean;
}

export class WebChatChannel {
  /** Serialises one session's requests, so a retry sees the replies of the first delivery. */
  private readonly lock = new KeyedLock();

  constructor(private readonly options: WebChatOptions) {}

  /**
   * Handles a message from a browser and returns the replies. A retry with the same client message id
   * returns the replies of the first delivery instead of acting twice; that id with another message
   * throws {@link IdempotencyKeyReusedError}.
   */
  async receive(sessionId: string, input: WebInput, clientMessageId?: string): Promise<WebMessage[]> {
    const messageId = clientMessageId ?? randomUUID();
    const route = { channel: 'web', chatId: sessionId } as const;
    const { requestKeys, clock } = this.options;
    return this.lock.run(sessionId, async () => {
      if (clientMessageId !== undefined && requestKeys && !(await requestKeys.claim(sessionId, clientMessageId, fingerprintOf(input), clock.now()))) {
        throw new IdempotencyKeyReusedError();
      }
      const earlier = await this.options.outbox.listReplies(route, messageId);
      if (earlier.length > 0) return this.present(earlier, false);
      await this.options.engine.handle(this.toInbound(sessionId, messageId, input));
      return this.present(await this.options.outbox.listReplies(route, messageId), false);
    });
  }

  /**
   * What was sent to the session after `afterSeq` (with `transcript`, the patient's side too), up to
   * {@link HISTORY_PAGE} messages.
   */
  async history(sessionId: string, afterSeq: number, transcript = false): Promise<WebHistory> {
    // One more than a page is read, to tell whether there is more without a second query.
    const entries = await this.options.outbox.listAfter({ channel: 'web', chatId: sessionId }, afterSeq, HISTORY_PAGE + 1, { includePatient: transcript });
    return { messages: this.present(entries.slice(0, HISTORY_PAGE), transcript), more: entries.length > HISTORY_PAGE };
  }

  private toInbound(sessionId: string, messageId: string, input: WebInput): Inbound {
    let content: InboundContent;
    if (input.kind === 'file') {
      const { bytes } = input;
      content = { kind: 'file', mime: input.mime, fileName: input.fileName, size: bytes.byteLength, load: async () => bytes };
    } else if (input.kind === 'voice') {
      const { bytes } = input;
      content = { kind: 'voice', mime: input.mime, load: async () => bytes };
    } else {
      content = input;
    }
    return { channel: 'web', chatId: sessionId, messageId, receivedAt: this.options.clock.now(), content };
  }

  /** Entries as API messages; document ids become download links signed now, so a link read later is still valid. */
  private present(entries: OutboxEntry[], withAuthor: boolean): WebMessage[] {
    const { documents, clock, downloadLinkMinutes, downloadBaseUrl } = this.options;
    const expiresAt = new Date(clock.now().getTime() + downloadLinkMinutes * 60_000);
    return entries.map(({ seq, message, author }): WebMessage => {
      const from = withAuthor ? { from: author } : {};
      switch (message.kind) {
        case 'document': {
          const { expires, signature } = documents.sign(message.fileId, expiresAt);
          const url = `${downloadBaseUrl}/files/${message.fileId}?expires=${expires}&signature=${signature}`;
          return { seq, kind: 'document', text: message.text, fileName: message.fileName, url, ...from };
        }
        case 'menu':
          return { seq, kind: 'menu', text: message.text, options: message.options, ...from };
        case 'link':
          return { seq, kind: 'link', text: message.text, url: message.url, label: message.label, ...from };
        default:
          return { seq, kind: message.kind, text: message.text, ...from };
      }
    });
  }
}
