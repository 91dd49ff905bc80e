/**
 * Crash safety with Telegram: the real service process (long polling the Bot API emulator that runs
 * in this test) while 50 Telegram patients and 10 web chat patients book at once, killed with SIGKILL
 * as the bot's requests arrive at seeded pseudo-random points and started again on the same data
 * directory.
 *
 * Afterwards: every patient finished without having to repeat themselves (Telegram keeps an update
 * until the bot confirms it); every confirmed appointment exists exactly once, one per patient, and no
 * slot is over capacity; every update was handled exactly once; every reply of every turn reached
 * Telegram in order, and the only repeats are the messages a crash caught between Telegram's OK and
 * the "sent" mark; no hold outlives its expiry after the sweep.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox, SqliteSessionStore } from '../../src/store/sqlite/index.js';
import type { ChatMessage } from '../http/helpers.js';
import { TelegramEmulator } from '../support/telegramEmulator.js';
import { newBookingPatient, type BookingPatient } from './support/bookingPatient.js';
import { DeliveryLedger } from './support/deliveryLedger.js';
import { capacityProblems, lingeringHoldProblems } from './support/invariants.js';
import { seededRandom } from './support/serviceProcess.js';
import { SupervisedService } from './support/supervisedService.js';
import { bookOnTelegram, deliveredKey, newTelegramPatient, type TelegramPatient } from './support/telegramPatient.js';
import { bookOnWeb, postThroughCrashes } from './support/webPatient.js';

const SEED = 20_261_124;
const TELEGRAM_PATIENTS = 50;
const WEB_PATIENTS = 10;
const KILLS = 3;
const HOLD_MINUTES = 20;
/** Kills happen as the bot's request number N arrives, N seeded in this range (a run makes about 1,700). */
const KILL_RANGE = { from: 100, span: 1_100 };
/**
 * A patient who hears nothing for this long sends the answer again. Only a lost turn would cause that
 * (a restart takes a few seconds), and the test requires that none was lost.
 */
const QUIET_MS = 20_000;
const FIRST_USER_ID = 700_001;
/** Chats the outbox sender delivers to at the same time (its default). */
const SENDER_CONCURRENCY = 16;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-crash-telegram-'));
const dbFile = path.join(dataDir, 'clinic.db');
let emulator: TelegramEmulator | undefined;
let service: SupervisedService | undefined;

afterAll(async () => {
  service?.killAll();
  await emulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Lets the emulator finish reading what a dead process had already written to its sockets. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface WebRun extends BookingPatient {
  sessionId: string;
  seen: ChatMessage[];
}

describe('crash safety with Telegram', () => {
  it('keeps every booking and every message exactly once through SIGKILLs with 60 bookings in flight', async () => {
    const started = Date.now();
    emulator = await TelegramEmulator.start();
    const bot = emulator;
    const token = bot.addBot('crash_clinic_bot');
    const ledger = new DeliveryLedger('telegram', (chatId) => bot.delivered(Number(chatId), token).map(deliveredKey));
    const supervised = new SupervisedService(
      {
        DATA_DIR: dataDir,
        RATE_LIMIT_PER_MINUTE: '0',
        HOLD_MINUTES: String(HOLD_MINUTES),
        TELEGRAM_BOT_TOKEN: token,
        TELEGRAM_API_ROOT: bot.apiRoot,
      },
      async () => {
        await settle();
        ledger.atCrash(dbFile);
      },
    );
    service = supervised;
    await supervised.target();

    const random = seededRandom(SEED);
    const killAt = Array.from({ length: KILLS }, () => KILL_RANGE.from + Math.floor(random() * KILL_RANGE.span)).sort((a, b) => a - b);
    const killedOn: string[] = [];
    const restarts: Promise<void>[] = [];
    // As the bot's request arrives, before the emulator answers it: the process dies mid-request.
    const stopWatching = bot.onCall((call) => {
      if (call.status !== undefined || killedOn.length >= killAt.length || call.seq < killAt[killedOn.length]! || supervised.isRestarting) return;
      killedOn.push(`${call.method} #${call.seq}`);
      restarts.push(supervised.killAndRestart());
    });

    const telegramPatients: TelegramPatient[] = Array.from({ length: TELEGRAM_PATIENTS }, (_, i) =>
      newTelegramPatient(bot, token, newBookingPatient(i, 1), FIRST_USER_ID + i),
    );
    const webPatients: WebRun[] = Array.from({ length: WEB_PATIENTS }, (_, i) => ({
      ...newBookingPatient(i, 2),
      sessionId: `crash-telegram-web-${String(i).padStart(3, '0')}-aaaa`,
      seen: [],
    }));


    await Promise.all([
      ...telegramPatients.map((patient) => bookOnTelegram(bot, patient, { quietMs: QUIET_MS })),
      ...webPatients.map(async (patient) => {
        patient.seen = await bookOnWeb({ patient, sessionId: patient.sessionId, send: (body, key) => postThroughCrashes(supervised, patient.sessionId, body, key) });
      }),
    ]);
    stopWatching();
    await Promise.all(restarts);
    expect(killedOn, `${bot.lastSeq} Bot API calls`).toHaveLength(KILLS);
    expect(supervised.kills).toBe(KILLS);
    // Each confirmation PDF follows its booking's turn: all of them are out before the service stops.
    await Promise.all(
      telegramPatients.map((patient) =>
        bot.waitFor(
          (c) => c.method === 'sendDocument' && c.response?.ok === true && c.token === token && Number(c.params.chat_id) === patient.user.id,
          { timeoutMs: QUIET_MS, what: `the confirmation PDF of ${patient.name}` },
        ),
      ),
    );

    // Nobody had to say anything twice: every update a crash interrupted came again by itself.
    expect(telegramPatients.map((p) => p.resends)).toEqual(telegramPatients.map(() => 0));
    expect(await supervised.stop(), supervised.process.output()).toBe(0);

    // Every reply of every turn reached Telegram, in order; the only repeats are those the crashes
    // caught between Telegram's OK and the "sent" mark.
    const delivery = ledger.verify(dbFile);
    expect(delivery.problems).toEqual([]);
    expect(delivery.repeats).toBe(ledger.repeatsOwed);
    // The window is one message per chat (checked at each crash), so a crash repeats at most as many
    // messages as the sender had in flight at once: the Bot API answers sends faster than a busy
    // process reads the answers, so a few chats usually are in it.
    for (const window of ledger.windows) expect(window).toBeLessThanOrEqual(SENDER_CONCURRENCY);

    const db = openClinicDatabase(dbFile);
    const store = new SqliteClinicStore(db);
    try {
      const sessions = new SqliteSessionStore(db, new SqliteOutbox(db));
      const all = await store.listAppointments({});
      const patientEntries = db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE channel = ? AND chat_id = ? AND author = 'patient'`);
      const chats: { channel: 'telegram' | 'web'; chatId: string; patient: BookingPatient }[] = [
        ...telegramPatients.map((patient) => ({ channel: 'telegram' as const, chatId: String(patient.user.id), patient })),
        ...webPatients.map((patient) => ({ channel: 'web' as const, chatId: patient.sessionId, patient })),
      ];
      for (const { channel, chatId, patient } of chats) {
        const label = `${channel} ${patient.name}`;
        // One confirmation shown (maybe twice, if a crash repeated it) and one confirmed appointment.
        expect(patient.confirmationIds.size, label).toBe(1);
        const confirmed = all.filter((a) => a.conversation.channel === channel && a.conversation.chatId === chatId && a.status === 'CONFIRMED');
        expect(confirmed.map((a) => a.id), label).toEqual([...patient.confirmationIds]);
        expect(confirmed[0]!.patient).toMatchObject({ name: patient.name, phone: `+91${patient.phone.replace(/\D/g, '')}` });
        expect((await sessions.load({ channel, chatId }))?.state, label).toBe('IDLE');
      }
      // Every Telegram update was handled exactly once: one stored patient message per answer given.
      for (const patient of telegramPatients) {
        expect((patientEntries.get('telegram', String(patient.user.id)) as { n: number }).n, patient.name).toBe(patient.answers);
      }

      // No slot over capacity, counting every hold still alive now; holds a crash left behind end when they should.
      const now = new Date();
      expect(await capacityProblems(store, all, now)).toEqual([]);
      const held = all.filter((a) => a.status === 'HELD');
      expect(await lingeringHoldProblems(store, all, HOLD_MINUTES, now)).toEqual([]);

      const ignored = telegramPatients.reduce((n, p) => n + p.repeatsIgnored, 0);
      console.info(
        `crash safety (telegram): seed ${SEED}, killed on ${killedOn.join(', ')}, ${bot.lastSeq} Bot API calls, ` +
          `${delivery.entries} messages, windows ${ledger.windows.join('/')}, ${delivery.repeats} repeated (${ignored} noticed by patients), ` +
          `${held.length} holds left by crashes, ${Date.now() - started} ms`,
      );
    } finally {
      await store.close();
    }
  }, 110_000);
});
