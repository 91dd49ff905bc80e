/**
 * Which channels and services are on, and why — printed one line each at start-up and reported by
 * /health. A feature whose settings are absent is off; one that is configured but not available in
 * this version says so instead of pretending.
 */
import type { AppConfig } from './config.js';

export interface FeatureStatus {
  name: string;
  kind: 'channel' | 'service';
  on: boolean;
  /** Why it is on or off, in words an operator can act on. */
  detail: string;
}

const NOT_YET = 'is set, but this version does not include it yet';

export function describeFeatures(config: AppConfig, url: string): FeatureStatus[] {
  const { telegram, whatsapp } = config;
  return [
    { name: 'store', kind: 'service', on: true, detail: config.google ? `GOOGLE_SHEET_ID ${NOT_YET}; using SQLite` : `SQLite at ${config.dataDir}/clinic.db (GOOGLE_SHEET_ID not set)` },
    { name: 'web chat', kind: 'channel', on: true, detail: `served at ${url}/` },
    { name: 'telegram', kind: 'channel', on: false, detail: telegram.botToken ? `TELEGRAM_BOT_TOKEN ${NOT_YET}` : 'TELEGRAM_BOT_TOKEN not set' },
    { name: 'telegram admin', kind: 'channel', on: false, detail: telegram.adminBotToken ? `TELEGRAM_ADMIN_BOT_TOKEN ${NOT_YET}` : 'TELEGRAM_ADMIN_BOT_TOKEN not set' },
    { name: 'whatsapp', kind: 'channel', on: false, detail: whatsapp.enabled ? `WHATSAPP_ENABLED ${NOT_YET}` : 'WHATSAPP_ENABLED is not true' },
    { name: 'payments', kind: 'service', on: false, detail: config.razorpay ? `RAZORPAY_KEY_ID ${NOT_YET}; patients pay at the clinic` : 'RAZORPAY_KEY_ID not set; patients pay at the clinic' },
    { name: 'ai', kind: 'service', on: false, detail: config.gemini ? `GEMINI_API_KEY ${NOT_YET}; menus only` : 'GEMINI_API_KEY not set; menus only' },
    { name: 'reminders', kind: 'service', on: false, detail: 'not included in this version yet' },
  ];
}

/** "telegram: off (TELEGRAM_BOT_TOKEN not set)". */
export function featureLine(feature: FeatureStatus): string {
  return `${feature.name}: ${feature.on ? 'on' : 'off'} (${feature.detail})`;
}
