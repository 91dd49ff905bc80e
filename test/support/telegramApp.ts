/**
 * The real app with the Telegram channel on, talking to a {@link TelegramEmulator} over loopback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { TestClock } from './clock.js';
import { TelegramEmulator, type TelegramUser } from './telegramEmulator.js';

/** A Monday morning in the clinic's time zone (09:30 IST): sample slots later that day are bookable. */
export const MONDAY_MORNING = new Date('2026-03-02T04:00:00Z');

export interface TelegramTestApp {
  app: RunningApp;
  base: string;
  dataDir: string;
  clock: TestClock;
  /** Closes the app (once); the data directory stays until {@link dispose}. */
  close(): Promise<void>;
  /** Closes the app and removes the data directory. */
  dispose(): Promise<void>;
}

/**
 * Starts the real app on 127.0.0.1 with PORT 0 and silent logs, the patient bot pointed at the
 * emulator. `dataDir` reuses a directory (a restart); `env` adds or overrides variables.
 */
export async function startTelegramApp(
  emulator: TelegramEmulator,
  token: string,
  options: { env?: Record<string, string>; dataDir?: string; clock?: TestClock } = {},
): Promise<TelegramTestApp> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'clinic-telegram-')));
  const clock = options.clock ?? new TestClock(MONDAY_MORNING);
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    TELEGRAM_BOT_TOKEN: token,
    TELEGRAM_API_ROOT: emulator.apiRoot,
    ...options.env,
  });
  let app: RunningApp;
  try {
    app = await startApp(config, { host: '127.0.0.1', clock });
  } catch (error) {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const base = `http://127.0.0.1:${new URL(app.url).port}`;
  let closed: Promise<void> | undefined;
  const close = () => (closed ??= app.close());
  return {
    app,
    base,
    dataDir,
    clock,
    close,
    dispose: async () => {
      try {
        await close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Books the first time of the first doctor for Asha Rao, paying at the clinic; returns the appointment id. */
export async function bookAsAsha(user: TelegramUser): Promise<string> {
  for (const [text, expected] of [
    ['/book', /full name/],
    ['Asha Rao', /mobile number/],
    ['9876543210', /How old/],
    ['34', /gender/],
    ['Female', /visit for/],
    ['Fever', /doctor/i],
    ['1', /Pick a time/],
    ['1', /pay/i],
  ] as const) {
    user.say(text);
    await user.reply(expected);
  }
  user.say('1');
  const confirmation = await user.reply(/Appointment confirmed/);
  return /ID: (\S+)/.exec(String(confirmation.params.text))![1]!;
}
