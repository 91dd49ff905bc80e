/**
 * Delivery in the running app: a patient who blocked the bot shows up for the admins, and replies
 * that could not be sent before a crash are sent once after the restart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramEmulator } from '../../support/telegramEmulator.js';
import { bookAsAsha, startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';

let emulator: TelegramEmulator;
let token: string;
const apps: TelegramTestApp[] = [];
let dataDir: string;

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
  dataDir = await mkdtemp(path.join(tmpdir(), 'clinic-telegram-delivery-'));
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
  await rm(dataDir, { recursive: true, force: true });
  await emulator.close();
});

async function start(env: Record<string, string> = {}): Promise<TelegramTestApp> {
  const running = await startTelegramApp(emulator, token, { dataDir, env });
  apps.push(running);
  return running;
}

describe('a patient who blocked the bot', () => {
  it('has the message marked undeliverable and the admins told who it was', async () => {
    const running = await start({ TELEGRAM_ADMIN_IDS: '9001' });
    emulator.openChat(token, 9001); // the admin started the bot earlier
    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
    await bookAsAsha(asha);
    await asha.reply(/share a medical report/);
    const [appointment] = await running.app.context.store.listAppointments({ conversation: { channel: 'telegram', chatId: '5001' } });

    emulator.block(5001);
    await running.app.context.notifier.send({ channel: 'telegram', chatId: '5001' }, [{ kind: 'text', text: 'Reminder: your appointment is tomorrow.' }]);
    const alert = await emulator.waitForCall('sendMessage', (c) => Number(c.params.chat_id) === 9001 && /cannot be reached/.test(String(c.params.text)));
    expect(alert.params.text).toContain(`Asha Rao (${appointment!.id})`);
    expect(alert.params.text).toContain('bot was blocked by the user');
    const undeliverable = await running.app.context.outbox.listUndeliverable(10);
    expect(undeliverable.map((e) => [e.route.chatId, e.message.kind === 'text' ? e.message.text : ''])).toEqual([['5001', 'Reminder: your appointment is tomorrow.']]);
  });
});

describe('a crash with replies not yet sent', () => {
  it('sends them exactly once after the restart', async () => {
    const first = await start();
    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
    emulator.refuseSends({ kind: 'server-error', status: 502 });
    const startUpdate = asha.say('/start');
    // The turn is stored; Telegram refuses the reply.
    await emulator.waitForCall('sendMessage', (c) => c.status === 502);
    await first.close();
    expect(emulator.delivered(5001)).toHaveLength(0);

    emulator.refuseSends(undefined);
    await start();
    await asha.reply(/How can I help you/);
    asha.say('/help');
    await asha.reply(/I can book/);
    // The help text comes with the menu again; the /start reply itself was sent once.
    expect(asha.received().filter((t) => /How can I help you/.test(t) && !/I can book/.test(t))).toHaveLength(1);
    // The update was handled before the crash and confirmed at the stop: it was not handled again.
    expect(emulator.pendingUpdates(token).map((u) => u.update_id)).not.toContain(startUpdate);
  });
});
