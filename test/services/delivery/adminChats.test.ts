import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { adminChats, adminRoutes } from '../../../src/services/delivery/adminChats.js';

const telegramOf = (env: Record<string, string>) => loadConfig({ LOG_LEVEL: 'silent', ...env }).telegram;

describe('adminChats', () => {
  it('uses the admin bot when there is one, else the patient bot', () => {
    expect(adminChats(telegramOf({ TELEGRAM_BOT_TOKEN: '1:patient', TELEGRAM_ADMIN_BOT_TOKEN: '2:admin', TELEGRAM_ADMIN_IDS: '11,12' }))).toEqual({
      channel: 'telegram-admin',
      chatIds: ['11', '12'],
    });
    expect(adminRoutes(telegramOf({ TELEGRAM_BOT_TOKEN: '1:patient', TELEGRAM_ADMIN_IDS: '11' }))).toEqual([{ channel: 'telegram', chatId: '11' }]);
  });

  it('reaches nobody without a Telegram bot or without admin ids', () => {
    expect(adminRoutes(telegramOf({ TELEGRAM_ADMIN_IDS: '11' }))).toEqual([]);
    expect(adminRoutes(telegramOf({ TELEGRAM_BOT_TOKEN: '1:patient' }))).toEqual([]);
  });
});
