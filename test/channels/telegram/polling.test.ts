/**
 * The getUpdates loop on its own, through the real telegraf: confirming offsets, stepping aside for
 * another poller and resuming once it has gone.
 */
import { pino } from 'pino';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { UpdatePoller } from '../../../src/channels/telegram/polling.js';
import { EngineClosedError } from '../../../src/core/engine.js';
import { TelegramEmulator } from '../../support/telegramEmulator.js';

let emulator: TelegramEmulator;
let token: string;
const pollers: UpdatePoller[] = [];

beforeEach(async () => {
  emulator = await TelegramEmulator.start({ conflictPolicy: 'reject-newer' });
  token = emulator.addBot();
});

afterEach(async () => {
  for (const poller of pollers.splice(0)) await poller.stop();
  await emulator.close();
});

/** A poller that reports each update it handles. */
function startPoller(name: string, conflictRecheckMs?: number) {
  const handled: number[] = [];
  const waiters: (() => void)[] = [];
  const poller = new UpdatePoller({
    telegram: new Telegraf(token, { telegram: { apiRoot: emulator.apiRoot } }).telegram,
    logger: pino({ level: 'silent' }),
    name,
    handle: async (update: Update) => {
      handled.push(update.update_id);
      for (const wake of waiters.splice(0)) wake();
    },
    ...(conflictRecheckMs !== undefined ? { conflictRecheckMs } : {}),
  });
  pollers.push(poller);
  poller.start();
  const next = () => new Promise<void>((resolve) => waiters.push(resolve));
  return { poller, handled, next };
}

const text = (userId: number, body: string) => ({
  message: { message_id: 1, date: 1, chat: { id: userId, type: 'private', first_name: 'A' }, from: { id: userId, is_bot: false, first_name: 'A' }, text: body },
});

it('confirms updates only by asking for the next offset, after handling them', async () => {
  const a = startPoller('a');
  const handled = a.next();
  const id = emulator.injectUpdate(token, text(1, 'hi'));
  await handled;
  const confirm = await emulator.waitFor((c) => c.method === 'getUpdates' && Number(c.params.offset) === id + 1, { arrived: true });
  expect(confirm.params.timeout).toBe(30);
  expect(emulator.pendingUpdates(token)).toEqual([]);
});

it('steps aside when another process polls, and resumes once it has gone', async () => {
  const first = startPoller('first');
  const handledByFirst = first.next();
  emulator.injectUpdate(token, text(1, 'hi'));
  await handledByFirst;
  await emulator.waitForPoll(token);

  const second = startPoller('second', 20);
  const conflict = await emulator.waitFor((c) => c.method === 'getUpdates' && c.status === 409);
  // Its next look (the first poller is still waiting, so it is the second's) comes after it stepped aside.
  await emulator.waitFor((c) => c.method === 'getUpdates', { afterSeq: conflict.seq, arrived: true });
  expect(second.poller.stoppedBy).toMatchObject({ reason: 'conflict', message: expect.stringMatching(/another process is polling/) });

  // The first process stops; the second looks again and takes over.
  await first.poller.stop();
  const handledBySecond = second.next();
  const id = emulator.injectUpdate(token, text(2, 'anyone there?'));
  await handledBySecond;
  expect(second.handled).toEqual([id]);
  expect(second.poller.stoppedBy).toBeUndefined();
});

it('leaves updates unconfirmed when the service is shutting down, so they come again after the restart', async () => {
  let refused!: () => void;
  const refusedOnce = new Promise<void>((resolve) => (refused = resolve));
  const poller = new UpdatePoller({
    telegram: new Telegraf(token, { telegram: { apiRoot: emulator.apiRoot } }).telegram,
    logger: pino({ level: 'silent' }),
    name: 'closing',
    handle: async () => {
      refused();
      throw new EngineClosedError();
    },
  });
  pollers.push(poller);
  poller.start();
  const id = emulator.injectUpdate(token, text(1, 'hi'));
  await refusedOnce;
  await poller.stop();
  expect(emulator.pendingUpdates(token).map((u) => u.update_id)).toEqual([id]);
  expect(emulator.callsOf('getUpdates').some((c) => Number(c.params.offset) > id)).toBe(false);
});

it('fetches and handles new updates beside a slow one, and confirms the slow one only once it is done', async () => {
  let finishSlow!: () => void;
  const slowGate = new Promise<void>((resolve) => (finishSlow = resolve));
  const handled: number[] = [];
  const waiters: (() => void)[] = [];
  const poller = new UpdatePoller({
    telegram: new Telegraf(token, { telegram: { apiRoot: emulator.apiRoot } }).telegram,
    logger: pino({ level: 'silent' }),
    name: 'busy',
    busyRecheckMs: 5,
    handle: async (update: Update) => {
      if ((update as { message?: { text?: string } }).message?.text === 'slow') await slowGate;
      handled.push(update.update_id);
      for (const wake of waiters.splice(0)) wake();
    },
  });
  pollers.push(poller);
  poller.start();
  const next = () => new Promise<void>((resolve) => waiters.push(resolve));

  const slow = emulator.injectUpdate(token, text(1, 'slow'));
  await emulator.waitFor((c) => c.method === 'getUpdates' && Number(c.params.offset) === slow && Number(c.params.timeout) === 0, { arrived: true });
  const quickHandled = next();
  const quick = emulator.injectUpdate(token, text(2, 'quick'));
  await quickHandled;
  expect(handled).toEqual([quick]);
  // Still asked from the slow update on: neither it nor the quick one after it is confirmed.
  expect(emulator.callsOf('getUpdates').every((c) => Number(c.params.offset) <= slow)).toBe(true);

  const slowHandled = next();
  finishSlow();
  await slowHandled;
  await emulator.waitFor((c) => c.method === 'getUpdates' && Number(c.params.offset) === quick + 1, { arrived: true });
  expect(handled).toEqual([quick, slow]);
  expect(emulator.pendingUpdates(token)).toEqual([]);
});
