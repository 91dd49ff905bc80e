/**
 * Receiving: each WhatsApp message is translated and handed to the engine, one at a time per chat in
 * arrival order. The engine stores the replies in the outbox (the sender delivers them) and drops a
 * message id it has already handled, so a message WhatsApp delivers again is never answered twice.
 */
import { EngineClosedError, type ConversationEngine } from '../../core/engine.js';
import { KeyedLock } from '../../core/keyedLock.js';
import type { Clock, Outbox } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { translateMessage } from './inboundMessage.js';
import type { WhatsAppMessage } from './whatsAppClient.js';

export const MEDIA_UNAVAILABLE_TEXT = 'Sorry, I could not download that file from WhatsApp. Please send it again.';

export interface WhatsAppInboxOptions {
  engine: Pick<ConversationEngine, 'handle'>;
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  /** When the number was linked (ms), or undefined. */
  linkedAt: () => number | undefined;
}

export class WhatsAppInbox {
  private readonly lock = new KeyedLock();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly options: WhatsAppInboxOptions) {}

  /** Takes one message from the client; never throws (failures are logged and told to the patient). */
  receive(message: WhatsAppMessage): void {
    if (this.closed) return;
    const task = this.lock.run(message.from, () => this.process(message));
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  /** Resolves when every message received so far has been handled. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Takes no more messages and waits for the ones in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
  }

  private async process(message: WhatsAppMessage): Promise<void> {
    const { engine, clock, logger } = this.options;
    const chatId = message.from;
    try {
      const translation = await translateMessage(message, this.options.linkedAt(), clock.now());
      switch (translation.kind) {
        case 'ignored':
          logger.debug({ because: translation.because, type: message.type }, 'whatsapp message ignored');
          return;
        case 'media-unavailable':
          logger.warn({ chatId, type: translation.messageType }, 'whatsapp media could not be downloaded');
          return await this.notice(chatId, message.id._serialized, MEDIA_UNAVAILABLE_TEXT);
        case 'inbound':
          await engine.handle(translation.inbound);
      }
    } catch (error) {
      if (error instanceof EngineClosedError) {
        logger.warn({ chatId }, 'whatsapp message arrived during shutdown; not handled');
        return;
      }
      logger.error({ err: error, chatId }, 'whatsapp message could not be handled');
    }
  }

  /** A reply outside the flow, stored at most once per message (WhatsApp may deliver it again). */
  private async notice(chatId: string, messageId: string, text: string): Promise<void> {
    const { outbox, clock } = this.options;
    await outbox.push({ channel: 'whatsapp', chatId }, [{ kind: 'text', text }], clock.now(), {
      dedupeKey: `whatsapp-notice:${messageId}`,
      inReplyTo: messageId,
    });
  }
}
