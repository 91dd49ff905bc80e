/**
 * Pushes to patients and admins outside a reply. Both only write to the durable outbox; the channel's
 * sender delivers, so a push survives a crash and keeps its place in the chat's order.
 */
import { toStoredMessage, type DeliveryChannel, type DocumentFiles, type StoredMessage } from '../../core/delivery.js';
import type { ConversationRef, Outbound } from '../../core/messages.js';
import type { AdminAlerts, Clock, Notifier, Outbox, PushOptions } from '../../core/ports.js';
import type { Logger } from '../../logging.js';

/** {@link Notifier} writing to the outbox, routed by the appointment's ConversationRef. */
export class OutboxNotifier implements Notifier {
  constructor(
    private readonly outbox: Outbox,
    private readonly files: DocumentFiles,
    private readonly clock: Clock,
  ) {}

  async send(to: ConversationRef, messages: Outbound[], options: PushOptions = {}): Promise<boolean> {
    const stored: StoredMessage[] = [];
    for (const message of messages) stored.push(await toStoredMessage(message, this.files));
    const written = await this.outbox.push(to, stored, this.clock.now(), options);
    return written.length > 0;
  }
}

export interface OutboxAdminAlertsOptions {
  outbox: Outbox;
  clock: Clock;
  logger: Logger;
  /** The channel admin chats are reached on (the admin bot, or the patient bot when there is none). */
  channel: DeliveryChannel;
  /** Chat ids of the admins (TELEGRAM_ADMIN_IDS). */
  adminChatIds: readonly string[];
}

/** {@link AdminAlerts} to every admin chat through the outbox; logged only when no admin is configured. */
export class OutboxAdminAlerts implements AdminAlerts {
  constructor(private readonly options: OutboxAdminAlertsOptions) {}

  async alert(text: string, options: PushOptions = {}): Promise<void> {
    const { outbox, clock, logger, channel, adminChatIds } = this.options;
    if (adminChatIds.length === 0) {
      logger.debug('admin alert not sent: no admin chats are configured (TELEGRAM_ADMIN_IDS)');
      return;
    }
    try {
      for (const chatId of adminChatIds) {
        const dedupeKey = options.dedupeKey === undefined ? undefined : `${options.dedupeKey}@${chatId}`;
        await outbox.push({ channel, chatId }, [{ kind: 'text', text }], clock.now(), { dedupeKey });
      }
    } catch (error) {
      logger.error({ err: error }, 'admin alert could not be stored');
    }
  }
}
