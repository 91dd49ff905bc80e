/**
 * The {@link ChannelTransport} of a Telegram bot: performs the Bot API calls that render an outbound
 * message, and reports failures as transient or permanent for the outbox sender.
 */
import { createHash } from 'node:crypto';
import type { Telegram } from 'telegraf';
import { TransientDeliveryError, type ChannelTransport, type DeliveryChannel } from '../../core/delivery.js';
import type { Outbound } from '../../core/messages.js';
import { toDeliveryError } from './errors.js';
import { renderOutbound, type TelegramSend } from './render.js';

export class TelegramTransport implements ChannelTransport {
  /**
   * A message split into several Bot API calls may fail half-way; the retry then skips the pieces
   * Telegram already accepted, so the patient does not read them twice. Keyed by chat and content.
   */
  private readonly partlySent = new Map<string, number>();

  constructor(
    readonly channel: DeliveryChannel,
    private readonly telegram: Telegram,
  ) {}

  async deliver(chatId: string, message: Outbound): Promise<void> {
    const sends = renderOutbound(message);
    const key = sends.length > 1 ? `${chatId}:${fingerprint(message)}` : undefined;
    const done = key ? (this.partlySent.get(key) ?? 0) : 0;
    for (let index = done; index < sends.length; index += 1) {
      try {
        await this.perform(chatId, sends[index]!);
      } catch (error) {
        const failure = toDeliveryError(error);
        if (key && index > 0 && failure instanceof TransientDeliveryError) this.partlySent.set(key, index);
        else if (key) this.partlySent.delete(key);
        throw failure;
      }
    }
    if (key) this.partlySent.delete(key);
  }

  private async perform(chatId: string, send: TelegramSend): Promise<void> {
    if (send.method === 'sendMessage') {
      await this.telegram.sendMessage(chatId, send.text, {
        ...(send.replyMarkup ? { reply_markup: send.replyMarkup } : {}),
        link_preview_options: { is_disabled: true },
      });
      return;
    }
    await this.telegram.sendDocument(
      chatId,
      { source: Buffer.from(send.bytes), filename: send.fileName },
      send.caption ? { caption: send.caption } : {},
    );
  }
}

function fingerprint(message: Outbound): string {
  const hash = createHash('sha256');
  if (message.kind === 'document') hash.update(message.fileName).update(message.caption).update(message.bytes);
  else hash.update(JSON.stringify(message));
  return hash.digest('base64url');
}
