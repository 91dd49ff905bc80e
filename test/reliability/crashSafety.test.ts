/**
 * Crash safety of the real service process: 50 patients book through the web chat at once while the
 * process is killed with SIGKILL at seeded pseudo-random points and started again on the same data
 * directory. A patient whose reply was lost sends the same message again with the same
 * Idempotency-Key, as the page does. Afterwards every booking exists exactly once, no slot is over
 * capacity, no hold outlives its expiry, every reply a patient saw is still in the chat, and no
 * message was stored twice for one key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox, SqliteSessionStore } from '../../src/store/sqlite/index.js';
import type { ChatMessage } from '../http/helpers.js';
import { capacityProblems, lingeringHoldProblems } from './support/invariants.js';
import { seededRandom } from './support/serviceProcess.js';
import { SupervisedService } from './support/supervisedService.js';
import { postThroughCrashes, type WebBody } from './support/webPatient.js';

const SEED = 20_261_123;
const PATIENTS = 50;
const KILLS = 3;
const HOLD_MINUTES = 20;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-crash-'));
let service: SupervisedService | undefined;

afterAll(() => {
  service?.killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

interface PatientRun {
  index: number;
  sessionId: string;
  name: string;
  phone: string;
  /** Every message the patient was shown, by seq. */
  seen: Map<number, ChatMessage>;
  confirmationId?: string;
  /** Idempotency keys sent, with how many times each was sent. */
  sends: Map<string, number>;
  slotAttempts: number;
}

function letters(n: number): string {
  return String.fromCharCode(65 + (n % 26)) + String.fromCharCode(97 + Math.floor(n / 26));
}

function newPatient(index: number): PatientRun {
  return {
    index,
    // 22+ URL-safe characters, as the page makes them.
    sessionId: `crash-patient-${String(index).padStart(3, '0')}-aaaaaaaa`,
    name: `Patient ${letters(index)}`,
    phone: `98000 000${String(index).padStart(2, '0')}`,
    seen: new Map(),
    sends: new Map(),
    slotAttempts: 0,
  };
}

/** A message without the parts signed afresh on every read (a document link's expiry and signature). */
function comparable(message: ChatMessage | undefined): ChatMessage | undefined {
  return message?.url ? { ...message, url: message.url.replace(/\?.*$/, '') } : message;
}

/** What a patient answers to the last thing the bot said; undefined once the booking is done. */
function answer(patient: PatientRun, replies: ChatMessage[]): WebBody | undefined {
  const last = replies.at(-1);
  if (!last) throw new Error(`no reply for ${patient.sessionId}`);
  const ids = last.options?.map((o) => o.id) ?? [];
  if (ids.includes('book')) return patient.confirmationId ? undefined : { choice: 'book' };
  if (ids.includes('FEMALE')) return { choice: 'FEMALE' };
  if (ids.includes('pay-at-clinic')) return { choice: 'pay-at-clinic' };
  if (ids.includes('no-report')) return { choice: 'no-report' };
  const slots = ids.filter((id) => id.startsWith('slot:'));
  if (slots.length > 0) return { choice: slots[(patient.index + patient.slotAttempts++) % slots.length]! };
  if (last.kind === 'menu' && ids.length > 0 && ids.every((id) => id.startsWith('SAMPLE-'))) return { choice: ids[patient.index % ids.length]! };
  if (last.kind === 'ask-contact') return { text: patient.phone };
  if (/full name/i.test(last.text)) return { text: patient.name };
  if (/how old/i.test(last.text)) return { text: '34' };
  if (/what is the visit for/i.test(last.text)) return { text: `check-up number ${patient.index}` };
  throw new Error(`${patient.sessionId} does not know how to answer ${JSON.stringify(last)}`);
}

describe('crash safety of the service process', () => {
  it('keeps every booking exactly once through repeated SIGKILLs with 50 bookings in flight', async () => {
    const random = seededRandom(SEED);
    const supervised = new SupervisedService({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0', HOLD_MINUTES: String(HOLD_MINUTES) });
    service = supervised;
    await supervised.target();

    // Kill after these many completed turns (of about 50 × 12), while the other patients' requests are in flight.
    const killPoints = Array.from({ length: KILLS }, () => 25 + Math.floor(random() * 450)).sort((a, b) => a - b);
    let completedTurns = 0;
    let kills = 0;
    const restarts: Promise<void>[] = [];
    const onTurnCompleted = () => {
      completedTurns += 1;
      if (kills < killPoints.length && completedTurns >= killPoints[kills]! && !supervised.isRestarting) {
        kills += 1;
        restarts.push(supervised.killAndRestart());
      }
    };

    async function book(patient: PatientRun): Promise<void> {
      let body: WebBody | undefined = { text: 'hi' };
      for (let turn = 0; body; turn++) {
        if (turn > 40) throw new Error(`${patient.sessionId} is going round in circles`);
        const key = `${patient.sessionId}-turn-${turn}`;
        const replies = await postThroughCrashes(supervised, patient.sessionId, body, key, () => patient.sends.set(key, (patient.sends.get(key) ?? 0) + 1));
        for (const message of replies) {
          patient.seen.set(message.seq, message);
          const id = /ID: (APT-[A-Za-z0-9]+)/.exec(message.text)?.[1];
          if (id) patient.confirmationId = id;
        }
        onTurnCompleted();
        body = answer(patient, replies);
      }
    }

    const patients = Array.from({ length: PATIENTS }, (_, i) => newPatient(i));
    await Promise.all(patients.map(book));
    await Promise.all(restarts);
    expect(kills).toBe(KILLS);
    // Some replies really were lost and fetched again with the same key.
    const resent = patients.reduce((n, p) => n + [...p.sends.values()].filter((count) => count > 1).length, 0);
    expect(resent).toBeGreaterThan(0);

    // Every reply of a completed turn is still in the chat, under the same number.
    const { url } = await supervised.target();
    for (const patient of patients) {
      expect(patient.confirmationId, patient.sessionId).toMatch(/^APT-/);
      const response = await fetch(`${url}/api/chat/${patient.sessionId}/messages?after=0`);
      const { messages } = (await response.json()) as { messages: ChatMessage[] };
      const stored = new Map(messages.map((m) => [m.seq, m]));
      for (const [seq, message] of patient.seen) expect(comparable(stored.get(seq)), `${patient.sessionId} #${seq}`).toEqual(comparable(message));
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    }
    expect(await supervised.stop()).toBe(0);

    const db = openClinicDatabase(path.join(dataDir, 'clinic.db'));
    const store = new SqliteClinicStore(db);
    try {
      const outbox = new SqliteOutbox(db);
      const sessions = new SqliteSessionStore(db, outbox);
      const all = await store.listAppointments({});
      for (const patient of patients) {
        const mine = all.filter((a) => a.conversation.chatId === patient.sessionId);
        const confirmed = mine.filter((a) => a.status === 'CONFIRMED');
        expect(confirmed.map((a) => a.id), patient.sessionId).toEqual([patient.confirmationId]);
        expect(confirmed[0]!.patient.name).toBe(patient.name);
        // Every patient finished and is back at the main menu.
        expect((await sessions.load({ channel: 'web', chatId: patient.sessionId }))?.state).toBe('IDLE');
      }

      // No slot over capacity, counting every hold still alive now; holds a crash left behind end when they should.
      const now = new Date();
      expect(await capacityProblems(store, all, now)).toEqual([]);
      const held = all.filter((a) => a.status === 'HELD');
      expect(await lingeringHoldProblems(store, all, HOLD_MINUTES, now)).toEqual([]);

      // Per Idempotency-Key: one stored patient message and one unbroken run of replies, never two.
      const runsOf = db.prepare(
        `SELECT in_reply_to AS key, COUNT(*) AS n, MIN(seq) AS first, MAX(seq) AS last FROM outbox
         WHERE channel = 'web' AND chat_id = ? AND author = 'bot' AND in_reply_to IS NOT NULL GROUP BY in_reply_to`,
      );
      const patientEntries = db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE channel = 'web' AND chat_id = ? AND author = 'patient'`);
      for (const patient of patients) {
        const runs = runsOf.all(patient.sessionId) as { key: string; n: number; first: number; last: number }[];
        expect(runs.map((r) => r.key).sort(), patient.sessionId).toEqual([...patient.sends.keys()].sort());
        for (const run of runs) expect(run.last - run.first + 1, `${patient.sessionId} ${run.key}`).toBe(run.n);
        expect((patientEntries.get(patient.sessionId) as { n: number }).n, patient.sessionId).toBe(patient.sends.size);
      }
      console.info(`crash safety: seed ${SEED}, kills after turns ${killPoints.join(', ')}, ${resent} requests re-sent, ${held.length} holds left by crashes`);
    } finally {
      await store.close();
    }
  }, 110_000);
});
