/**
 * Which channels and services are on, and why — printed one line each at start-up and reported by
 * /health. A feature whose settings are absent is off; one that is configured but not available in
 * this version says so instead of pretending.
 */
import { RAZORPAY_MIN_HOLD_MINUTES, type AppConfig } from './config.js';
import { offsetLabel } from './services/scheduler/timing.js';
import { describeAi } from './services/ai/index.js';

export interface FeatureStatus {
  name: string;
  kind: 'channel' | 'service';
  on: boolean;
  /** Why it is on or off, in words an operator can act on (printed at start-up). */
  detail: string;
  /**
   * The detail as the public /health tells it, when {@link detail} names things of this machine or
   * account (a file path, the sheet's id, the browser's path) that strangers have no business knowing.
   */
  publicDetail?: string;
}

const NOT_YET = 'is set, but this version does not include it yet';

export function describeFeatures(config: AppConfig, url: string): FeatureStatus[] {
  const { telegram, whatsapp } = config;
  return [
    config.google
      ? { name: 'store', kind: 'service', on: true, detail: `Google Sheet ${config.google.sheetId}, with bookings kept in ${config.dataDir}/clinic.db first`, publicDetail: 'Google Sheet, with bookings kept in SQLite first' }
      : { name: 'store', kind: 'service', on: true, detail: `SQLite at ${config.dataDir}/clinic.db (GOOGLE_SHEET_ID not set)`, publicDetail: 'SQLite (GOOGLE_SHEET_ID not set)' },
    { name: 'web chat', kind: 'channel', on: true, detail: `served at ${url}/` },
    { name: 'telegram', kind: 'channel', on: false, detail: telegram.botToken ? `TELEGRAM_BOT_TOKEN ${NOT_YET}` : 'TELEGRAM_BOT_TOKEN not set' },
    { name: 'telegram admin', kind: 'channel', on: false, detail: telegram.adminBotToken ? `TELEGRAM_ADMIN_BOT_TOKEN ${NOT_YET}` : 'TELEGRAM_ADMIN_BOT_TOKEN not set' },
    { name: 'whatsapp', kind: 'channel', on: whatsapp.enabled, detail: whatsapp.enabled ? 'starting WhatsApp Web' : 'WHATSAPP_ENABLED is not true' },
    { name: 'payments', kind: 'service', on: config.razorpay !== null, detail: config.razorpay ? paymentsDetail(config.razorpay, url) : 'RAZORPAY_KEY_ID not set; patients pay at the clinic' },
    { name: 'ai', kind: 'service', on: true, detail: describeAi(config) },
    {
      name: 'reminders',
      kind: 'service',
      on: true,
      detail: `${config.reminderOffsetsMinutes.map(offsetLabel).join(', ')} before, ${config.clinic.timezone}`,
    },
  ];
}

/** The payments line: where Razorpay must send webhooks, and a raised HOLD_MINUTES. */
function paymentsDetail(razorpay: NonNullable<AppConfig['razorpay']>, url: string): string {
  const raised = razorpay.holdMinutesRaisedFrom;
  return (
    `Razorpay payment links; webhook at ${url}/webhooks/razorpay` +
    (raised === undefined ? '' : `; HOLD_MINUTES raised from ${raised} to ${RAZORPAY_MIN_HOLD_MINUTES}, as payment links must stay payable 15 minutes`)
  );
}

/** "telegram: off (TELEGRAM_BOT_TOKEN not set)". */
export function featureLine(feature: FeatureStatus): string {
  return `${feature.name}: ${feature.on ? 'on' : 'off'} (${feature.detail})`;
}
