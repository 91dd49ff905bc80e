/**
 * Pushes to patients and admins outside a reply. Both only write to the durable outbox; the channel's
 * sender delivers, so a push survives a crash and keeps its place in the chat's order.
 */
import { toStoredMessage, type DeliveryChannel, type DocumentFiles, type StoredMessage } from '../../core/delivery.js';
import type { ConversationRef, Outbound } from '../../core/messages.js';
import type { AdminLoginGate } from '../../core/admin/login.js';
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
  /**
   * With ADMIN_PASSWORD: alerts reach only the chats logged in when they are raised; the gate holds
   * them for the others until their /login. Without it every admin chat gets every alert.
   */
  loginGate?: Pick<AdminLoginGate, 'deliverAlert'>;
}

/** {@link AdminAlerts} to every admin chat through the outbox; logged only when no admin is configured. */
export class OutboxAdminAlerts implements AdminAlerts {
  constructor(private readonly options: OutboxAdminAlertsOptions) {}

  async alert(text: string, options: PushOptions = {}): Promise<void> {
    const { logger, adminChatIds } = this.options;
    if (adminChatIds.length === 0) {
      logger.debug('admin alert not sent: no admin chats are configured (TELEGRAM_ADMIN_IDS)');
      return;
    }
    // Each chat on its own: one chat's failure must not keep the alert from the others.
    for (const chatId of adminChatIds) await this.alertChat(chatId, text, options);
  }

  async alertChat(chatId: string, text: string, options: PushOptions = {}): Promise<void> {
    const { outbox, clock, logger, channel, adminChatIds, loginGate } = this.options;
    if (!adminChatIds.includes(chatId)) {
      logger.warn({ chatId }, 'admin alert not sent: the chat is not an admin chat');
      return;
    }
    const now = clock.now();
    const route = { channel, chatId };
    const dedupeKey = options.dedupeKey === undefined ? undefined : `${options.dedupeKey}@${chatId}`;
    const push = async () => (await outbox.push(route, [{ kind: 'text', text }], now, { dedupeKey })).length > 0;
    try {
      if (!loginGate) {
        await push();
        return;
      }
      // The text names patients: only the fact is logged.
      if ((await loginGate.deliverAlert(route, text, now, { dedupeKey }, push)) === 'held') {
        logger.info({ chatId }, 'admin alert held until the chat logs in');
      }
    } catch (error) {
      logger.error({ err: error, chatId }, 'admin alert could not be stored');
    }
  }
}
