/**
 * The benchmark's Telegram driver works against both the service and a bare echo bot.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { driveTelegramBookings, startEchoBot } from '../../support/telegramBench.js';
import { TelegramEmulator } from '../../support/telegramEmulator.js';
import { startTelegramApp } from '../../support/telegramApp.js';

let emulator: TelegramEmulator;

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
});

afterEach(async () => {
  await emulator.close();
});

it('drives booking conversations through the service', async () => {
  const token = emulator.addBot();
  const running = await startTelegramApp(emulator, token);
  try {
    const result = await driveTelegramBookings(emulator, token, { conversations: 3, timeoutMs: 5000 });
    // Patients spread over the doctors: nobody loses a time to another, so ten updates each.
    expect(result.updates).toBe(30);
    const confirmed = await running.app.context.store.listAppointments({ statuses: ['CONFIRMED'] });
    expect(confirmed).toHaveLength(3);
  } finally {
    await running.dispose();
  }
});

it('drives the same stream through a bare telegraf echo bot', async () => {
  const token = emulator.addBot('echo_bot');
  const echo = await startEchoBot(emulator, token);
  try {
    const result = await driveTelegramBookings(emulator, token, { conversations: 3, expect: 'echo' });
    expect(result.updates).toBe(30);
    expect(result.msPerUpdate).toBeGreaterThan(0);
  } finally {
    await echo.stop();
  }
});
