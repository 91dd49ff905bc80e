/**
 * Environment -> typed, validated configuration. Read once at start-up; a bad value stops the service
 * with a message naming the variable and what is wrong with it.
 */
import path from 'node:path';
import { IANAZone } from 'luxon';
import { getCountries, type CountryCode } from 'libphonenumber-js';
import { z } from 'zod';

/** Thrown when the environment is unusable; the message lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}\nFix these variables (see .env.example) and start again.`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** json: one JSON object per line (production); pretty: readable lines; auto: pretty on a terminal. */
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const COUNTRIES = new Set<string>(getCountries());

/** Optional string: unset and empty are the same thing (an empty line in .env means "not set"). */
const optionalText = z.string().trim().optional();

function wholeNumber(min: number, max: number, fallback: number) {
  return z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);
}

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(v), { error: 'must be true or false' })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v))
  .optional();

/** Shortest hold with online payment: Razorpay needs a payment link to stay payable 15 minutes. */
export const RAZORPAY_MIN_HOLD_MINUTES = 15;

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/** "24h,2h,30m" -> minutes before the appointment, largest first. */
const reminderOffsets = z
  .string()
  .default('24h,2h')
  .transform((value, ctx) => {
    const minutes: number[] = [];
    for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
      const match = /^(\d+)\s*(m|h|d)$/i.exec(part);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `"${part}" is not a duration like 24h, 2h or 30m` });
        return z.NEVER;
      }
      const unit = match[2]!.toLowerCase();
      minutes.push(Number(match[1]) * (unit === 'd' ? 1440 : unit === 'h' ? 60 : 1));
    }
    if (minutes.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'needs at least one duration, e.g. 24h,2h' });
      return z.NEVER;
    }
    return [...new Set(minutes)].sort((a, b) => b - a);
  });

const telegramAdminIds = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const ids = (value ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    for (const id of ids) {
      if (!/^-?\d+$/.test(id)) {
        ctx.addIssue({ code: 'custom', message: `"${id}" is not a numeric Telegram user id` });
        return z.NEVER;
      }
    }
    return ids;
  });

const envSchema = z.object({
  PORT: wholeNumber(0, 65535, 3000),
  PUBLIC_BASE_URL: httpUrl.optional(),
  DATA_DIR: z.string().trim().default('./data'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).default('auto'),

  CLINIC_NAME: z.string().trim().max(100).default('Sample Clinic'),
  CLINIC_ADDRESS: z.string().trim().max(300).default('12 Example Road, Bengaluru'),
  CLINIC_PHONE: z.string().trim().max(40).default('+91 80 0000 0000'),
  CLINIC_TIMEZONE: z
    .string()
    .trim()
    .default('Asia/Kolkata')
    .refine((zone) => IANAZone.isValidZone(zone), { error: 'must be an IANA time zone such as Asia/Kolkata' }),
  CURRENCY: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, { error: 'must be a 3-letter ISO currency code such as INR' })
    .default('INR'),
  PHONE_DEFAULT_REGION: z
    .string()
    .trim()
    .toUpperCase()
    .refine((code) => COUNTRIES.has(code), { error: 'must be a 2-letter country code such as IN' })
    .default('IN'),

  GOOGLE_SHEET_ID: optionalText,
  GOOGLE_SERVICE_ACCOUNT_FILE: optionalText,
  GOOGLE_SERVICE_ACCOUNT_JSON: optionalText,
  SHEETS_CACHE_SECONDS: wholeNumber(0, 3600, 30),
  GOOGLE_SHEETS_API_URL: httpUrl.optional(),

  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_ADMIN_BOT_TOKEN: optionalText,
  TELEGRAM_ADMIN_IDS: telegramAdminIds,
  ADMIN_PASSWORD: optionalText,
  TELEGRAM_API_ROOT: httpUrl.optional(),
  TELEGRAM_WEBHOOK_URL: httpUrl.optional(),
  TELEGRAM_WEBHOOK_SECRET: optionalText,

  WHATSAPP_ENABLED: booleanFlag,
  WHATSAPP_SESSION_DIR: z.string().trim().default('./whatsapp-session'),
  CHROME_PATH: optionalText,
  WHATSAPP_SEND_PER_SECOND: z.coerce
    .number({ error: 'must be a number' })
    .positive({ error: 'must be more than 0' })
    .max(20, { error: 'must be at most 20' })
    .default(1),

  RAZORPAY_KEY_ID: optionalText,
  RAZORPAY_KEY_SECRET: optionalText,
  RAZORPAY_WEBHOOK_SECRET: optionalText,
  RAZORPAY_API_URL: httpUrl.optional(),

  GEMINI_API_KEY: optionalText,
  GEMINI_MODEL: z.string().trim().default('gemini-2.5-flash'),
  GEMINI_API_URL: httpUrl.optional(),
  GEMINI_TIMEOUT_MS: wholeNumber(200, 60_000, 4000),
  GEMINI_VOICE_TIMEOUT_MS: wholeNumber(1000, 120_000, 20_000),

  HOLD_MINUTES: wholeNumber(1, 24 * 60, 20),
  SESSION_TTL_HOURS: wholeNumber(1, 24 * 30, 24),
  REMINDER_OFFSETS: reminderOffsets,
  AGENDA_TIME: z
    .string()
    .trim()
    .default('08:00')
    .refine((time) => /^([01]\d|2[0-3]):[0-5]\d$/.test(time), { error: 'must be a 24-hour time HH:mm such as 08:00' }),
  NO_SHOW_GRACE_MINUTES: wholeNumber(0, 7 * 24 * 60, 120),
  MAX_UPLOAD_MB: wholeNumber(1, 50, 10),
  RATE_LIMIT_PER_MINUTE: wholeNumber(0, 1_000_000, 600),
  METRICS_TOKEN: optionalText,
});

/** The validated configuration every part of the service reads. */
export interface AppConfig {
  port: number;
  /**
   * Public base of links the service hands out (signed downloads); unset: the local URL. Razorpay sends
   * patients back to `<base>/payments/done` after paying only when it is set.
   */
  publicBaseUrl?: string;
  /** Absolute directory for the SQLite file, private reports and generated documents. */
  dataDir: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  clinic: { name: string; address: string; phone: string; timezone: string; currency: string };
  /** Region assumed for phone numbers typed without a country code. */
  phoneRegion: CountryCode;
  holdMinutes: number;
  sessionTtlHours: number;
  /** Minutes before an appointment at which reminders go out, largest first. */
  reminderOffsetsMinutes: number[];
  /** Clinic-local time (`HH:mm`) at which admins get the day's agenda. */
  agendaTime: string;
  /** Minutes after its start at which a confirmed appointment nobody marked done becomes NO_SHOW. */
  noShowGraceMinutes: number;
  maxUploadBytes: number;
  /** Requests per minute one client address may make to the API and webhooks (0: unlimited). */
  rateLimitPerMinute: number;
  /** Bearer token GET /metrics requires, when set. */
  metricsToken?: string;
  /** Replaces https://sheets.googleapis.com/ when `apiUrl` is set (a proxy or a test emulator). */
  google: { sheetId: string; serviceAccountFile?: string; serviceAccountJson?: string; cacheSeconds: number; apiUrl?: string } | null;
  telegram: {
    botToken?: string;
    adminBotToken?: string;
    adminIds: string[];
    adminPassword?: string;
    apiRoot?: string;
    webhookUrl?: string;
    webhookSecret?: string;
  };
  /** WhatsApp Web; `sendPerSecond` paces messages across all chats so the number does not look like spam. */
  whatsapp: { enabled: boolean; sessionDir: string; chromePath?: string; sendPerSecond: number };
  razorpay: {
    keyId: string;
    keySecret: string;
    webhookSecret: string;
    apiUrl?: string;
    /** HOLD_MINUTES as configured when it was below what payment links need (it is raised, with a start-up note). */
    holdMinutesRaisedFrom?: number;
  } | null;
  /** Gemini for free text and voice notes; the rule-based detector works without it. */
  gemini: { apiKey: string; model: string; apiUrl?: string; timeoutMs: number; voiceTimeoutMs: number } | null;
}

/** Treats empty values as unset, as dotenv files and shells commonly produce them. */
function withoutEmptyValues(env: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== '') result[key] = value;
  }
  return result;
}

/** Checks that belong to several variables together (on the raw values, so they run alongside the others). */
function crossCheck(env: Record<string, string>): string[] {
  const problems: string[] = [];
  if (env.GOOGLE_SHEET_ID && !env.GOOGLE_SERVICE_ACCOUNT_FILE && !env.GOOGLE_SERVICE_ACCOUNT_JSON) {
    problems.push('GOOGLE_SHEET_ID is set but neither GOOGLE_SERVICE_ACCOUNT_FILE nor GOOGLE_SERVICE_ACCOUNT_JSON is: the sheet cannot be opened.');
  }
  const razorpay = [env.RAZORPAY_KEY_ID, env.RAZORPAY_KEY_SECRET, env.RAZORPAY_WEBHOOK_SECRET];
  if (razorpay.some(Boolean) && !razorpay.every(Boolean)) {
    problems.push('RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET and RAZORPAY_WEBHOOK_SECRET must be set together (online payments need all three).');
  }
  if (env.TELEGRAM_WEBHOOK_URL && !env.TELEGRAM_WEBHOOK_SECRET) {
    problems.push('TELEGRAM_WEBHOOK_URL is set without TELEGRAM_WEBHOOK_SECRET: webhook calls could not be authenticated.');
  }
  // A local Bot API server (TELEGRAM_API_ROOT) takes any URL; Telegram's own takes only these.
  if (env.TELEGRAM_WEBHOOK_URL && !env.TELEGRAM_API_ROOT) {
    const problem = officialWebhookProblem(env.TELEGRAM_WEBHOOK_URL);
    if (problem) problems.push(`TELEGRAM_WEBHOOK_URL ${problem}`);
  }
  return problems;
}

/** Ports Telegram's Bot API delivers webhooks to (https://core.telegram.org/bots/api#setwebhook). */
const TELEGRAM_WEBHOOK_PORTS = new Set(['443', '80', '88', '8443']);

/** Why Telegram's own Bot API would refuse `url` as a webhook, or undefined when it would not. */
function officialWebhookProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // reported by the variable's own check
  }
  if (parsed.protocol !== 'https:') return 'must start with https:// (Telegram delivers webhooks over HTTPS only; put a TLS proxy in front of the service).';
  const port = parsed.port || '443';
  if (!TELEGRAM_WEBHOOK_PORTS.has(port)) return `uses port ${port}; Telegram delivers webhooks only to ports 443, 80, 88 or 8443.`;
  return undefined;
}

/**
 * Reads and validates the environment. Throws {@link ConfigError} naming every bad variable.
 * @param env usually `process.env`; tests pass their own object.
 * @param cwd directory relative paths (DATA_DIR, WHATSAPP_SESSION_DIR) are resolved against.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): AppConfig {
  const given = withoutEmptyValues(env);
  const parsed = envSchema.safeParse(given);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        const value = given[name];
        const shown = value === undefined || /SECRET|TOKEN|KEY|PASSWORD|JSON/.test(name) ? '' : ` (got "${value}")`;
        return `${name} ${issue.message}${shown}`;
      });
  problems.push(...crossCheck(given));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const razorpayOn = Boolean(e.RAZORPAY_KEY_ID && e.RAZORPAY_KEY_SECRET && e.RAZORPAY_WEBHOOK_SECRET);

  return {
    port: e.PORT,
    publicBaseUrl: e.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    dataDir: path.resolve(cwd, e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    clinic: {
      name: e.CLINIC_NAME,
      address: e.CLINIC_ADDRESS,
      phone: e.CLINIC_PHONE,
      timezone: e.CLINIC_TIMEZONE,
      currency: e.CURRENCY,
    },
    phoneRegion: e.PHONE_DEFAULT_REGION as CountryCode,
    // A payment link lives as long as the hold, and Razorpay refuses links expiring within 15 minutes.
    holdMinutes: razorpayOn ? Math.max(e.HOLD_MINUTES, RAZORPAY_MIN_HOLD_MINUTES) : e.HOLD_MINUTES,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    reminderOffsetsMinutes: e.REMINDER_OFFSETS,
    agendaTime: e.AGENDA_TIME,
    noShowGraceMinutes: e.NO_SHOW_GRACE_MINUTES,
    maxUploadBytes: e.MAX_UPLOAD_MB * 1024 * 1024,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    metricsToken: e.METRICS_TOKEN,
    google: e.GOOGLE_SHEET_ID
      ? {
          sheetId: e.GOOGLE_SHEET_ID,
          serviceAccountFile: e.GOOGLE_SERVICE_ACCOUNT_FILE,
          serviceAccountJson: e.GOOGLE_SERVICE_ACCOUNT_JSON,
          cacheSeconds: e.SHEETS_CACHE_SECONDS,
          apiUrl: e.GOOGLE_SHEETS_API_URL,
        }
      : null,
    telegram: {
      botToken: e.TELEGRAM_BOT_TOKEN,
      adminBotToken: e.TELEGRAM_ADMIN_BOT_TOKEN,
      adminIds: e.TELEGRAM_ADMIN_IDS,
      adminPassword: e.ADMIN_PASSWORD,
      apiRoot: e.TELEGRAM_API_ROOT,
      webhookUrl: e.TELEGRAM_WEBHOOK_URL,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    },
    whatsapp: {
      enabled: e.WHATSAPP_ENABLED ?? false,
      sessionDir: path.resolve(cwd, e.WHATSAPP_SESSION_DIR),
      chromePath: e.CHROME_PATH,
      sendPerSecond: e.WHATSAPP_SEND_PER_SECOND,
    },
    razorpay:
      e.RAZORPAY_KEY_ID && e.RAZORPAY_KEY_SECRET && e.RAZORPAY_WEBHOOK_SECRET
        ? {
            keyId: e.RAZORPAY_KEY_ID,
            keySecret: e.RAZORPAY_KEY_SECRET,
            webhookSecret: e.RAZORPAY_WEBHOOK_SECRET,
            apiUrl: e.RAZORPAY_API_URL,
            holdMinutesRaisedFrom: e.HOLD_MINUTES < RAZORPAY_MIN_HOLD_MINUTES ? e.HOLD_MINUTES : undefined,
          }
        : null,
    gemini: e.GEMINI_API_KEY
      ? {
          apiKey: e.GEMINI_API_KEY,
          model: e.GEMINI_MODEL,
          apiUrl: e.GEMINI_API_URL,
          timeoutMs: e.GEMINI_TIMEOUT_MS,
          voiceTimeoutMs: e.GEMINI_VOICE_TIMEOUT_MS,
        }
      : null,
  };
}
