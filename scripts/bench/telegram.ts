/**
 * Time per Telegram update of a booking conversation: the service against a bare telegraf bot that
 * only echoes, on the same Bot API emulator and the same stream of messages.
 *
 * Both bots first run a short unmeasured warm-up (the figure is the steady state, not the JIT
 * compiling each code path once), then take turns over several rounds, each with a fresh bot and
 * fresh patients; the figures are the medians of the rounds. Patients spread over the doctors and
 * times as a clinic's do, so both bots get exactly the same updates.
 */
import { percentile } from '../../src/stats.js';
import { driveTelegramBookings, startEchoBot, type BenchResult } from '../../test/support/telegramBench.js';
import { startTelegramApp } from '../../test/support/telegramApp.js';
import { TelegramEmulator } from '../../test/support/telegramEmulator.js';
import { round, type BenchOptions, type Figure } from './common.js';
import { makeRoom } from './webChatLoad.js';

const WARM_UP_CONVERSATIONS = 10;

export async function telegram(options: BenchOptions): Promise<Figure[]> {
  const conversations = options.quick ? 5 : 50;
  const rounds = options.quick ? 1 : 5;
  const scenario = `${conversations} Telegram booking conversations at once (10 updates each), Bot API emulator on loopback, median of ${rounds} round(s) after a warm-up`;
  const emulator = await TelegramEmulator.start();
  let nextUserId = 100_000;
  const patients = (count: number) => {
    const first = nextUserId;
    nextUserId += count;
    return first;
  };

  const runOurs = async (count: number): Promise<BenchResult> => {
    const token = emulator.addBot(`clinic_bot_${nextUserId}`);
    const running = await startTelegramApp(emulator, token);
    // Room for everyone on the first page of times: the figure is the channel's cost, not a race.
    await makeRoom(running.app, count * 3);
    try {
      return await driveTelegramBookings(emulator, token, { conversations: count, firstUserId: patients(count), timeoutMs: 120_000 });
    } finally {
      await running.dispose();
    }
  };
  const runEcho = async (count: number): Promise<BenchResult> => {
    const token = emulator.addBot(`echo_bot_${nextUserId}`);
    const bot = await startEchoBot(emulator, token);
    try {
      return await driveTelegramBookings(emulator, token, { conversations: count, expect: 'echo', firstUserId: patients(count), timeoutMs: 120_000 });
    } finally {
      await bot.stop();
    }
  };

  try {
    await runOurs(WARM_UP_CONVERSATIONS);
    await runEcho(WARM_UP_CONVERSATIONS);
    const ours: BenchResult[] = [];
    const echo: BenchResult[] = [];
    for (let i = 0; i < rounds; i++) {
      ours.push(await runOurs(conversations));
      echo.push(await runEcho(conversations));
    }
    const median = (results: BenchResult[], pick: (r: BenchResult) => number) => percentile(results.map(pick), 50);
    const oursMs = median(ours, (r) => r.msPerUpdate);
    const echoMs = median(echo, (r) => r.msPerUpdate);
    return [
      { scenario, measure: 'time per update, the service', value: round(oursMs), unit: 'ms' },
      { scenario, measure: 'time per update, bare telegraf echo bot', value: round(echoMs), unit: 'ms' },
      { scenario, measure: 'ratio service / echo bot', value: round(oursMs / echoMs), unit: '×' },
      // The PDFs follow the confirmation texts; this says how long the last one took to arrive.
      { scenario, measure: 'all confirmation PDFs delivered after', value: round(median(ours, (r) => r.documentsMs ?? Number.NaN) / 1000), unit: 's' },
      { scenario, measure: 'all confirmation texts delivered after', value: round(median(ours, (r) => r.elapsedMs) / 1000), unit: 's' },
    ];
  } finally {
    await emulator.close();
  }
}
