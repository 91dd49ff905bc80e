/**
 * Delivers outbox entries to WhatsApp through the linked client, paced. While the link is down a
 * delivery waits for it (bounded), then fails as transient, so the message stays in the outbox and
 * goes out, in order, once the link is back.
 */
import wwebjs from 'whatsapp-web.js';
import { PermanentDeliveryError, TransientDeliveryError, type ChannelTransport } from '../../core/delivery.js';
import type { Outbound } from '../../core/messages.js';
import { renderOutbound } from './render.js';
import type { SendPacer } from './sendPacer.js';
import type { WhatsAppClient } from './whatsAppClient.js';
import type { WhatsAppLink } from './whatsAppLink.js';

export interface WhatsAppTransportOptions {
  link: Pick<WhatsAppLink, 'whenReady' | 'status' | 'readyClient'>;
  pacer: SendPacer;
  /** Aborted at shutdown: a paced wait ends at once. */
  signal: AbortSignal;
  /** How long one delivery waits for a link that is down before it is retried later. */
  linkWaitMs?: number;
}

/** Errors of a client whose page or browser went away: the link is being rebuilt, try again later. */
const BROWSER_GONE = /Session closed|Evaluation failed|Target closed|Protocol error|Execution context was destroyed|detached Frame|Navigating frame was detached|browser has disconnected|Connection closed/i;
/** Errors WhatsApp Web raises for an address that is not a WhatsApp account. */
const NOT_ON_WHATSAPP = /No LID for user|invalid wid|wid error|not a valid whatsapp|isn't on whatsapp/i;

/** Sorts a send failure into the outbox's two kinds. */
export function classifySendError(error: unknown): TransientDeliveryError | PermanentDeliveryError {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (NOT_ON_WHATSAPP.test(message)) return new PermanentDeliveryError('this number is not on WhatsApp');
  if (BROWSER_GONE.test(message)) return new TransientDeliveryError(`WhatsApp Web is restarting (${message.slice(0, 120)})`, 1_000);
  return new TransientDeliveryError(message.slice(0, 200) || 'WhatsApp refused the message');
}

export class WhatsAppTransport implements ChannelTransport {
  readonly channel = 'whatsapp' as const;

  constructor(private readonly options: WhatsAppTransportOptions) {}

  async deliver(chatId: string, message: Outbound): Promise<void> {
    const outgoing = renderOutbound(message);
    const { link, pacer, signal } = this.options;
    if (!(await link.whenReady(this.options.linkWaitMs ?? 60_000))) throw this.linkDown();
    await pacer.take(signal);
    // The link may have dropped while this message waited for its turn.
    const client = link.readyClient;
    if (!client) throw this.linkDown();

    let sent: unknown;
    try {
      sent =
        outgoing.kind === 'text'
          ? await client.sendMessage(chatId, outgoing.text, { sendSeen: false })
          : await client.sendMessage(chatId, new wwebjs.MessageMedia(outgoing.mime, outgoing.base64, outgoing.fileName), {
              caption: outgoing.caption,
              sendMediaAsDocument: true,
              sendSeen: false,
            });
    } catch (error) {
      throw classifySendError(error);
    }
    // whatsapp-web.js resolves null when it could not find or open the chat.
    if (sent === null) throw await this.chatNotFound(client, chatId);
  }

  private linkDown(): TransientDeliveryError {
    const { state, reason } = this.options.link.status;
    return new TransientDeliveryError(`WhatsApp is not linked right now (${state}${reason ? `: ${reason}` : ''})`);
  }

  private async chatNotFound(client: WhatsAppClient, chatId: string): Promise<Error> {
    const registered = await client.isRegisteredUser(chatId).catch(() => true);
    return registered ? new TransientDeliveryError('WhatsApp could not open the chat') : new PermanentDeliveryError('this number is not on WhatsApp');
  }
}
