/**
 * Delivers outbox entries to WhatsApp through the linked client, paced. While the link is down a
 * delivery waits for it (bounded), then fails as transient, so the message stays in the outbox and
 * goes out, in order, once the link is back. A number is given up on only once WhatsApp confirms it
 * has no account, and a send the page never answers is let go at shutdown.
 */
import wwebjs from 'whatsapp-web.js';
import { PermanentDeliveryError, TransientDeliveryError, type ChannelTransport } from '../../core/delivery.js';
import type { Outbound } from '../../core/messages.js';
import { renderOutbound, type WhatsAppOutgoing } from './render.js';
import type { SendPacer } from './sendPacer.js';
import type { WhatsAppClient } from './whatsAppClient.js';
import type { WhatsAppLink } from './whatsAppLink.js';

export interface WhatsAppTransportOptions {
  link: Pick<WhatsAppLink, 'whenReady' | 'status' | 'readyClient'>;
  pacer: SendPacer;
  /**
   * Aborted at shutdown: a paced wait ends at once, and a send WhatsApp Web has not answered yet is
   * let go as a transient failure (a frozen page never answers, and would hold the shutdown).
   */
  signal: AbortSignal;
  /** How long one delivery waits for a link that is down before it is retried later. */
  linkWaitMs?: number;
}

/** Errors of a client whose page or browser went away: the link is being rebuilt, try again later. */
const BROWSER_GONE = /Session closed|Evaluation failed|Target closed|Protocol error|Execution context was destroyed|detached Frame|Navigating frame was detached|browser has disconnected|Connection closed/i;
/** Errors WhatsApp Web raises for an address that cannot be a WhatsApp account. */
const NOT_ON_WHATSAPP = /invalid wid|wid error|not a valid whatsapp|isn't on whatsapp/i;
/**
 * WhatsApp Web found no LID (its private id) for the chat. It says so for numbers without an account,
 * but also, when WhatsApp Web itself is at fault, for contacts who just wrote in, often for every chat
 * at once; so on its own it proves nothing and is retried (the number is looked up first).
 */
const NO_LID = /No LID for user/i;

export const NOT_ON_WHATSAPP_REASON = 'this number is not on WhatsApp';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Sorts a send failure into the outbox's two kinds, from the error alone. */
export function classifySendError(error: unknown): TransientDeliveryError | PermanentDeliveryError {
  if (error instanceof TransientDeliveryError || error instanceof PermanentDeliveryError) return error;
  const message = messageOf(error);
  if (NO_LID.test(message)) return new TransientDeliveryError('WhatsApp Web could not look up the chat (No LID for user)');
  if (NOT_ON_WHATSAPP.test(message)) return new PermanentDeliveryError(NOT_ON_WHATSAPP_REASON);
  if (BROWSER_GONE.test(message)) return new TransientDeliveryError(`WhatsApp Web is restarting (${message.slice(0, 120)})`, 1_000);
  return new TransientDeliveryError(message.slice(0, 200) || 'WhatsApp refused the message');
}

/**
 * `task`, or a transient failure as soon as `signal` aborts. The task is not stopped (closing the
 * browser ends it); its outcome is then ignored. Its message may still have gone out: the entry stays
 * pending and is sent again after the next start, as after a crash between WhatsApp's OK and the
 * "sent" mark, so a chat sees it at most twice.
 */
function unlessShutDown<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const letGo = () => reject(new TransientDeliveryError('shutting down before WhatsApp confirmed the message; it is sent again after the next start'));
    if (signal.aborted) letGo();
    signal.addEventListener('abort', letGo, { once: true });
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', letGo));
  });
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

    if (signal.aborted) throw new TransientDeliveryError('shutting down; the message is sent after the next start');
    await unlessShutDown(this.send(client, chatId, outgoing), signal);
  }

  private async send(client: WhatsAppClient, chatId: string, outgoing: WhatsAppOutgoing): Promise<void> {
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
      if (NO_LID.test(messageOf(error)) && (await this.confirmedNotOnWhatsApp(client, chatId))) throw new PermanentDeliveryError(NOT_ON_WHATSAPP_REASON);
      throw classifySendError(error);
    }
    // whatsapp-web.js resolves null when it could not find or open the chat.
    if (sent === null) {
      if (await this.confirmedNotOnWhatsApp(client, chatId)) throw new PermanentDeliveryError(NOT_ON_WHATSAPP_REASON);
      throw new TransientDeliveryError('WhatsApp could not open the chat');
    }
  }

  private linkDown(): TransientDeliveryError {
    const { state, reason } = this.options.link.status;
    return new TransientDeliveryError(`WhatsApp is not linked right now (${state}${reason ? `: ${reason}` : ''})`);
  }

  /**
   * Whether WhatsApp says the chat's number has no account. Only a person chat ("…@c.us") carries a
   * number: whatsapp-web.js looks an address up as "<address>@c.us", so an "…@lid" chat would always
   * read as unregistered. A lookup that fails proves nothing either.
   */
  private async confirmedNotOnWhatsApp(client: WhatsAppClient, chatId: string): Promise<boolean> {
    if (!/^\d+@c\.us$/.test(chatId)) return false;
    return (await client.isRegisteredUser(chatId).catch(() => true)) === false;
  }
}
