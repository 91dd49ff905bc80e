/**
 * Time per Telegram update of a booking conversation: the service against a bare telegraf bot that
 * only echoes, on the same Bot API emulator and the same stream of messages.
 */
import { driveTelegramBookings, startEchoBot } from '../../test/support/telegramBench.js';
import { startTelegramApp } from '../../test/support/telegramApp.js';
import { TelegramEmulator } from '../../test/support/telegramEmulator.js';
import { round, type BenchOptions, type Figure } from './common.js';
import { makeRoom } from './webChatLoad.js';

export async function telegram(options: BenchOptions): Promise<Figure[]> {
  const conversations = options.quick ? 5 : 50;
  const scenario = `${conversations} Telegram booking conversations at once (10 updates each), Bot API emulator on loopback`;
  const emulator = await TelegramEmulator.start();
  try {
    const ours = await (async () => {
      const token = emulator.addBot();
      const running = await startTelegramApp(emulator, token);
      // Room for everyone on the first page of times: the figure is the channel's cost, not a race.
      await makeRoom(running.app, conversations * 3);
      try {
        return await driveTelegramBookings(emulator, token, { conversations, timeoutMs: 120_000 });
      } finally {
        await running.dispose();
      }
    })();
    const echo = await (async () => {
      const token = emulator.addBot('echo_bot');
      const bot = await startEchoBot(emulator, token);
      try {
        return await driveTelegramBookings(emulator, token, { conversations, expect: 'echo', firstUserId: 900_000, timeoutMs: 120_000 });
      } finally {
        await bot.stop();
      }
    })();
    return [
      { scenario, measure: 'time per update, the service', value: round(ours.msPerUpdate), unit: 'ms' },
      { scenario, measure: 'time per update, bare telegraf echo bot', value: round(echo.msPerUpdate), unit: 'ms' },
      { scenario, measure: 'ratio service / echo bot', value: round(ours.msPerUpdate / echo.msPerUpdate), unit: '×' },
      // The PDFs follow the confirmation texts; this says how long the last one took to arrive.
      { scenario, measure: 'all confirmation PDFs delivered after', value: round((ours.documentsMs ?? Number.NaN) / 1000), unit: 's' },
      { scenario, measure: 'all confirmation texts delivered after', value: round(ours.elapsedMs / 1000), unit: 's' },
    ];
  } finally {
    await emulator.close();
  }
}
