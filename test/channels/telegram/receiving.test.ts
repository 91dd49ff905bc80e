/**
 * How updates arrive: by webhook (the secret checked on every call) or by long polling (one poller
 * per token: a second one stops instead of fighting).
 */
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TelegramEmulator, type ConflictPolicy } from '../../support/telegramEmulator.js';
import { startTelegramApp, type TelegramTestApp } from '../../support/telegramApp.js';

let emulator: TelegramEmulator;
let token: string;
const apps: TelegramTestApp[] = [];

beforeEach(async () => {
  emulator = await TelegramEmulator.start();
  token = emulator.addBot('sample_clinic_bot');
});

afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.dispose();
  await emulator.close();
});

async function start(env: Record<string, string> = {}): Promise<TelegramTestApp> {
  const running = await startTelegramApp(emulator, token, { env });
  apps.push(running);
  return running;
}

/** A free port on 127.0.0.1, so the webhook URL can name the port before the app listens. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function healthOf(running: TelegramTestApp): Promise<{ ok: boolean; mode: string; username: string; problem?: string }> {
  const body = (await (await fetch(`${running.base}/health`)).json()) as Record<string, unknown>;
  return body.telegram as { ok: boolean; mode: string; username: string; problem?: string };
}

describe('webhook mode', () => {
  const SECRET = 'webhook-secret_0123456789';

  async function startWithWebhook() {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/telegram/webhook`;
    const running = await start({ PORT: String(port), TELEGRAM_WEBHOOK_URL: url, TELEGRAM_WEBHOOK_SECRET: SECRET });
    return { running, url };
  }

  const update = (updateId: number, text: string) => ({
    update_id: updateId,
    message: { message_id: 1, date: 1, chat: { id: 5001, type: 'private', first_name: 'Asha' }, from: { id: 5001, is_bot: false, first_name: 'Asha' }, text },
  });

  it('registers the webhook with the secret and handles what Telegram posts', async () => {
    const { running, url } = await startWithWebhook();
    expect(running.app.features.find((f) => f.name === 'telegram')).toMatchObject({ on: true, detail: '@sample_clinic_bot, webhook' });
    expect(emulator.webhookOf(token)).toEqual({ url, secret: SECRET, allowedUpdates: ['message', 'callback_query'] });

    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
    asha.say('/start');
    await asha.reply(/How can I help you/);
    expect(emulator.callsOf('getUpdates')).toHaveLength(0);
    expect(await healthOf(running)).toEqual({ ok: true, mode: 'webhook', username: 'sample_clinic_bot' });
  });

  it('keeps trying to set the webhook when Telegram fails at start, and is healthy once it is set', async () => {
    emulator.failNext('setWebhook', { kind: 'server-error', status: 502 });
    const { running, url } = await startWithWebhook();
    expect(await healthOf(running)).toMatchObject({ ok: false, problem: expect.stringMatching(/^setWebhook failed \(502/) });
    await emulator.waitForCall('setWebhook', (c) => c.response?.ok === true);
    expect(emulator.webhookOf(token)).toEqual({ url, secret: SECRET, allowedUpdates: ['message', 'callback_query'] });
    expect(await healthOf(running)).toEqual({ ok: true, mode: 'webhook', username: 'sample_clinic_bot' });
  });

  it('refuses calls with a wrong or missing secret with 401 and changes nothing', async () => {
    const { running, url } = await startWithWebhook();
    emulator.openChat(token, 5001);
    for (const headers of [{ 'x-telegram-bot-api-secret-token': 'wrong' }, { 'x-telegram-bot-api-secret-token': `${SECRET}x` }, {}] as Record<string, string>[]) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(update(900, '/start')) });
      expect(response.status).toBe(401);
    }
    expect(await running.app.context.sessions.load({ channel: 'telegram', chatId: '5001' })).toBeUndefined();
    expect(await running.app.context.outbox.listAfter({ channel: 'telegram', chatId: '5001' }, 0, 10, { includePatient: true })).toEqual([]);

    // The same update with the right secret is handled.
    const accepted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: JSON.stringify(update(900, '/start')) });
    expect(accepted.status).toBe(200);
    await emulator.waitForCall('sendMessage', (c) => /How can I help you/.test(String(c.params.text)));
    expect((await running.app.context.sessions.load({ channel: 'telegram', chatId: '5001' }))?.state).toBe('IDLE');
  });

  it('answers a body that is not an update with 400', async () => {
    const { url } = await startWithWebhook();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET }, body: '{"hello":1}' });
    expect(response.status).toBe(400);
  });
});

describe('long polling', () => {
  it('refuses to start with a token Telegram does not accept', async () => {
    await expect(startTelegramApp(emulator, '123:not-a-real-token')).rejects.toThrow(/Telegram refused TELEGRAM_BOT_TOKEN \(401: Unauthorized\)/);
  });

  for (const policy of ['terminate-older', 'reject-newer'] as ConflictPolicy[]) {
    it(`stops a second process polling with the same token (${policy})`, async () => {
      emulator.conflictPolicy = policy;
      const first = await start();
      const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
      asha.say('/start');
      await asha.reply(/How can I help you/);
      await emulator.waitForPoll(token);

      const conflictsBefore = emulator.callsOf('getUpdates').filter((c) => c.status === 409).length;
      const second = await start();
      await emulator.waitFor((c) => c.method === 'getUpdates' && c.status === 409 && c.seq > 0, { what: 'a 409 conflict' });
      // The second process says why it stopped; the first keeps serving.
      let health = await healthOf(second);
      for (let i = 0; i < 200 && health.ok; i += 1) health = await healthOf(second);
      expect(health).toMatchObject({ ok: false, mode: 'polling', problem: expect.stringMatching(/another process is polling with this bot token/) });
      expect(second.app.context).toBeDefined();
      expect((await healthOf(first)).ok).toBe(true);
      expect(emulator.callsOf('getUpdates').filter((c) => c.status === 409).length).toBeGreaterThan(conflictsBefore);

      asha.say('/help');
      await asha.reply(/I can book/);
      const firstSession = await first.app.context.sessions.load({ channel: 'telegram', chatId: '5001' });
      expect(firstSession?.recentMessageIds).toHaveLength(2);
      expect(await second.app.context.sessions.load({ channel: 'telegram', chatId: '5001' })).toBeUndefined();
    });
  }

  it('stops polling cleanly: the waiting getUpdates is abandoned, so a restart meets no conflict', async () => {
    const running = await start();
    const waiting = await emulator.waitForPoll(token);
    await running.close();
    await start();
    const asha = emulator.user(token, { id: 5001, first_name: 'Asha' });
    asha.say('/start');
    await asha.reply(/How can I help you/);
    expect(waiting.status).toBeUndefined(); // never answered: the first process hung up
    expect(emulator.callsOf('getUpdates').filter((c) => c.status === 409)).toEqual([]);
  });
});
