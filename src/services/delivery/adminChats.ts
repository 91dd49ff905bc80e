/**
 * Where messages for the clinic's admins go, decided in one place for every sender of them (alerts,
 * the WhatsApp QR code): the admin bot when there is one, else the patient bot; nowhere without a
 * Telegram bot or without TELEGRAM_ADMIN_IDS.
 */
import type { DeliveryRoute } from '../../core/delivery.js';
import type { AppConfig } from '../../config.js';

export interface AdminChats {
  channel: 'telegram' | 'telegram-admin';
  /** Empty when admins cannot be reached. */
  chatIds: readonly string[];
}

export function adminChats(telegram: AppConfig['telegram']): AdminChats {
  const channel = telegram.adminBotToken ? 'telegram-admin' : 'telegram';
  const reachable = Boolean(telegram.botToken || telegram.adminBotToken);
  return { channel, chatIds: reachable ? telegram.adminIds : [] };
}

/** The admin chats as delivery routes. */
export function adminRoutes(telegram: AppConfig['telegram']): DeliveryRoute[] {
  const { channel, chatIds } = adminChats(telegram);
  return chatIds.map((chatId) => ({ channel, chatId }));
}
