/**
 * Environment -> configuration: defaults, empty values, every kind of bad value named in the error,
 * checks across variables, and secrets kept out of error messages.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

/** The ConfigError loadConfig throws for `env` (fails the test if it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env, '/srv/clinic');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected loadConfig(${JSON.stringify(env)}) to throw a ConfigError`);
}

describe('defaults', () => {
  it('gives a working configuration for an empty environment', () => {
    const config = loadConfig({}, '/srv/clinic');
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe(path.resolve('/srv/clinic', 'data'));
    expect(path.isAbsolute(config.dataDir)).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.clinic.timezone).toBe('Asia/Kolkata');
    expect(config.clinic.currency).toBe('INR');
    expect(config.clinic.name).toBe('Sample Clinic');
    expect(config.phoneRegion).toBe('IN');
    expect(config.holdMinutes).toBe(20);
    expect(config.sessionTtlHours).toBe(24);
    expect(config.maxUploadBytes).toBe(10 * 1024 * 1024);
    expect(config.reminderOffsetsMinutes).toEqual([24 * 60, 2 * 60]);
    expect(config.publicBaseUrl).toBeUndefined();
    expect(config.google).toBeNull();
    expect(config.razorpay).toBeNull();
    expect(config.gemini).toBeNull();
    expect(config.telegram).toMatchObject({ adminIds: [] });
    expect(config.telegram.botToken).toBeUndefined();
    expect(config.whatsapp).toEqual({ enabled: false, sessionDir: path.resolve('/srv/clinic', 'whatsapp-session'), chromePath: undefined, sendPerSecond: 1 });
  });

  it('resolves DATA_DIR against the working directory by default', () => {
    expect(loadConfig({}).dataDir).toBe(path.resolve(process.cwd(), 'data'));
    expect(loadConfig({ DATA_DIR: '/var/lib/clinic' }, '/srv/clinic').dataDir).toBe('/var/lib/clinic');
    expect(loadConfig({ DATA_DIR: 'state/db' }, '/srv/clinic').dataDir).toBe('/srv/clinic/state/db');
  });

  it('treats empty and blank values as unset', () => {
    const config = loadConfig(
      {
        PORT: '',
        DATA_DIR: '  ',
        CLINIC_TIMEZONE: '',
        CURRENCY: ' ',
        HOLD_MINUTES: '',
        LOG_LEVEL: '',
        PUBLIC_BASE_URL: '',
        GOOGLE_SHEET_ID: '',
        RAZORPAY_KEY_ID: '',
        TELEGRAM_WEBHOOK_URL: '',
        WHATSAPP_ENABLED: '',
        MAX_UPLOAD_MB: '',
        REMINDER_OFFSETS: '',
        TELEGRAM_BOT_TOKEN: '',
        UNRELATED: undefined,
      },
      '/srv/clinic',
    );
    expect(config.port).toBe(3000);
    expect(config.dataDir).toBe('/srv/clinic/data');
    expect(config.clinic.timezone).toBe('Asia/Kolkata');
    expect(config.clinic.currency).toBe('INR');
    expect(config.holdMinutes).toBe(20);
    expect(config.logLevel).toBe('info');
    expect(config.publicBaseUrl).toBeUndefined();
    expect(config.google).toBeNull();
    expect(config.razorpay).toBeNull();
    expect(config.whatsapp.enabled).toBe(false);
    expect(config.maxUploadBytes).toBe(10 * 1024 * 1024);
    expect(config.reminderOffsetsMinutes).toEqual([1440, 120]);
    expect(config.telegram.botToken).toBeUndefined();
  });

  it('reads good values', () => {
    const config = loadConfig(
      {
        PORT: '8080',
        PUBLIC_BASE_URL: 'https://clinic.example.com/',
        CLINIC_TIMEZONE: 'Europe/London',
        CURRENCY: 'gbp',
        HOLD_MINUTES: '15',
        SESSION_TTL_HOURS: '48',
        MAX_UPLOAD_MB: '3',
        LOG_LEVEL: 'debug',
        TELEGRAM_ADMIN_IDS: ' 12, -100345 ,',
        REMINDER_OFFSETS: '30m, 1d,2h,24h',
        WHATSAPP_ENABLED: 'Yes',
        RAZORPAY_KEY_ID: 'rzp_test_1',
        RAZORPAY_KEY_SECRET: 's',
        RAZORPAY_WEBHOOK_SECRET: 'w',
      },
      '/srv/clinic',
    );
    expect(config.port).toBe(8080);
    expect(config.publicBaseUrl).toBe('https://clinic.example.com');
    expect(config.clinic.timezone).toBe('Europe/London');
    expect(config.clinic.currency).toBe('GBP');
    expect(config.holdMinutes).toBe(15);
    expect(config.sessionTtlHours).toBe(48);
    expect(config.maxUploadBytes).toBe(3 * 1024 * 1024);
    expect(config.logLevel).toBe('debug');
    expect(config.telegram.adminIds).toEqual(['12', '-100345']);
    expect(config.reminderOffsetsMinutes).toEqual([1440, 120, 30]);
    expect(config.whatsapp.enabled).toBe(true);
    expect(config.razorpay).toEqual({ keyId: 'rzp_test_1', keySecret: 's', webhookSecret: 'w', apiUrl: undefined });
  });

  it('accepts PORT 0 (any free port)', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });
});

describe('bad values', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'abc' }, 'PORT', /number/],
    [{ PORT: '70000' }, 'PORT', /at most 65535/],
    [{ PORT: '80.5' }, 'PORT', /whole number/],
    [{ CLINIC_TIMEZONE: 'Mars/Base' }, 'CLINIC_TIMEZONE', /time zone/],
    [{ CURRENCY: 'rupees' }, 'CURRENCY', /3-letter/],
    [{ HOLD_MINUTES: '0' }, 'HOLD_MINUTES', /at least 1/],
    [{ SESSION_TTL_HOURS: '-2' }, 'SESSION_TTL_HOURS', /at least 1/],
    [{ MAX_UPLOAD_MB: '0' }, 'MAX_UPLOAD_MB', /at least 1/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /one of .*info/],
    [{ PUBLIC_BASE_URL: 'ftp://x' }, 'PUBLIC_BASE_URL', /http\(s\) URL/],
    [{ TELEGRAM_API_ROOT: 'not a url' }, 'TELEGRAM_API_ROOT', /http\(s\) URL/],
    [{ TELEGRAM_ADMIN_IDS: '12,abc' }, 'TELEGRAM_ADMIN_IDS', /"abc" is not a numeric/],
    [{ REMINDER_OFFSETS: '24h,soon' }, 'REMINDER_OFFSETS', /"soon" is not a duration/],
    [{ WHATSAPP_ENABLED: 'maybe' }, 'WHATSAPP_ENABLED', /true or false/],
    [{ PHONE_DEFAULT_REGION: 'ZZ' }, 'PHONE_DEFAULT_REGION', /country code/],
  ];

  for (const [env, name, why] of cases) {
    it(`names ${name} when it is ${JSON.stringify(Object.values(env)[0])}`, () => {
      const error = configError(env);
      expect(error.name).toBe('ConfigError');
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(new RegExp(`^${name} `));
      expect(error.problems[0]).toMatch(why);
      expect(error.message).toContain(name);
      expect(error.message).toContain('.env.example');
    });
  }

  it('lists every bad variable at once', () => {
    const error = configError({ PORT: 'abc', CURRENCY: 'rupees', LOG_LEVEL: 'loud', WHATSAPP_ENABLED: 'maybe', HOLD_MINUTES: '0' });
    expect(error.problems).toHaveLength(5);
    for (const name of ['PORT', 'CURRENCY', 'LOG_LEVEL', 'WHATSAPP_ENABLED', 'HOLD_MINUTES']) {
      expect(error.problems.filter((p) => p.startsWith(`${name} `)), name).toHaveLength(1);
      expect(error.message).toContain(name);
    }
  });

  it('lists problems across variables together with single bad values', () => {
    const error = configError({ PORT: 'abc', GOOGLE_SHEET_ID: 'sheet-1' });
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('GOOGLE_SHEET_ID');
  });
});

describe('checks across variables', () => {
  it('refuses GOOGLE_SHEET_ID without service account credentials', () => {
    const error = configError({ GOOGLE_SHEET_ID: 'sheet-1' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/GOOGLE_SHEET_ID.*GOOGLE_SERVICE_ACCOUNT_FILE.*GOOGLE_SERVICE_ACCOUNT_JSON/);
    expect(loadConfig({ GOOGLE_SHEET_ID: 'sheet-1', GOOGLE_SERVICE_ACCOUNT_FILE: './sa.json' }).google).toMatchObject({ sheetId: 'sheet-1' });
    expect(loadConfig({ GOOGLE_SHEET_ID: 'sheet-1', GOOGLE_SERVICE_ACCOUNT_JSON: '{}' }).google).toMatchObject({ sheetId: 'sheet-1' });
  });

  for (const partial of [
    { RAZORPAY_KEY_ID: 'rzp_test_1' },
    { RAZORPAY_KEY_ID: 'rzp_test_1', RAZORPAY_KEY_SECRET: 's' },
    { RAZORPAY_WEBHOOK_SECRET: 'w' },
  ]) {
    it(`refuses only ${Object.keys(partial).join(' + ')} of the Razorpay settings`, () => {
      const error = configError(partial);
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/RAZORPAY_KEY_ID, RAZORPAY_KEY_SECRET and RAZORPAY_WEBHOOK_SECRET must be set together/);
    });
  }

  it('refuses TELEGRAM_WEBHOOK_URL without TELEGRAM_WEBHOOK_SECRET', () => {
    const error = configError({ TELEGRAM_WEBHOOK_URL: 'https://clinic.example.com/telegram' });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/TELEGRAM_WEBHOOK_URL.*TELEGRAM_WEBHOOK_SECRET/);
    const config = loadConfig({ TELEGRAM_WEBHOOK_URL: 'https://clinic.example.com/telegram', TELEGRAM_WEBHOOK_SECRET: 'x' });
    expect(config.telegram.webhookSecret).toBe('x');
  });

  it("refuses a TELEGRAM_WEBHOOK_URL Telegram's own Bot API would refuse, but not for a local Bot API server", () => {
    const secret = { TELEGRAM_WEBHOOK_SECRET: 'x' };
    expect(configError({ ...secret, TELEGRAM_WEBHOOK_URL: 'http://clinic.example.com/telegram' }).problems).toEqual([
      expect.stringMatching(/TELEGRAM_WEBHOOK_URL must start with https:\/\//),
    ]);
    expect(configError({ ...secret, TELEGRAM_WEBHOOK_URL: 'https://clinic.example.com:3000/telegram' }).problems).toEqual([
      expect.stringMatching(/TELEGRAM_WEBHOOK_URL uses port 3000; .*443, 80, 88 or 8443/),
    ]);
    for (const url of ['https://clinic.example.com/telegram', 'https://clinic.example.com:8443/telegram', 'https://clinic.example.com:88/t']) {
      expect(loadConfig({ ...secret, TELEGRAM_WEBHOOK_URL: url }).telegram.webhookUrl).toBe(url);
    }
    const local = { ...secret, TELEGRAM_API_ROOT: 'http://127.0.0.1:8081', TELEGRAM_WEBHOOK_URL: 'http://127.0.0.1:3000/telegram' };
    expect(loadConfig(local).telegram.webhookUrl).toBe(local.TELEGRAM_WEBHOOK_URL);
  });
});

describe('secrets', () => {
  const SECRET = 'rzp-secret-VALUE-9f8e7d';
  const WEBHOOK = 'whsec-VALUE-1a2b3c';
  const TOKEN = '123456:telegram-TOKEN-value';

  it('never appear in the error of a cross-variable check', () => {
    const error = configError({ RAZORPAY_KEY_SECRET: SECRET, RAZORPAY_WEBHOOK_SECRET: WEBHOOK, TELEGRAM_BOT_TOKEN: TOKEN });
    expect(error.message).toContain('RAZORPAY_KEY_ID');
    for (const secret of [SECRET, WEBHOOK, TOKEN]) {
      expect(error.message).not.toContain(secret);
      expect(error.problems.join('\n')).not.toContain(secret);
      expect(String(error.stack)).not.toContain(secret);
    }
  });

  it('never appear in the error about another bad value', () => {
    const error = configError({
      PORT: 'abc',
      RAZORPAY_KEY_ID: 'rzp_test_1',
      RAZORPAY_KEY_SECRET: SECRET,
      RAZORPAY_WEBHOOK_SECRET: WEBHOOK,
      TELEGRAM_BOT_TOKEN: TOKEN,
      ADMIN_PASSWORD: 'admin-PASSWORD-value',
      GEMINI_API_KEY: 'gemini-KEY-value',
    });
    expect(error.message).toContain('PORT');
    for (const secret of [SECRET, WEBHOOK, TOKEN, 'admin-PASSWORD-value', 'gemini-KEY-value']) {
      expect(error.message).not.toContain(secret);
    }
  });
});
