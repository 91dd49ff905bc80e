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
import { CAPACITY_STATUSES } from '../../src/core/domain.js';
import { openClinicDatabase, SqliteClinicStore, SqliteOutbox, SqliteSessionStore } from '../../src/store/sqlite/index.js';
import type { ChatMessage } from '../http/helpers.js';
import { seededRandom, startServiceProcess, type ServiceProcess } from './support/serviceProcess.js';

const SEED = 20_261_123;
const PATIENTS = 50;
const KILLS = 3;
const HOLD_MINUTES = 20;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-crash-'));
const started: ServiceProcess[] = [];

afterAll(() => {
  for (const service of started) service.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * The one service process of the moment. Killing it starts the next on the same data directory;
 * patients whose request died wait for that next one instead of sleeping.
 */
class RestartingService {
  private generation = 0;
  private current: ServiceProcess;
  private readonly killed = new Set<number>();
  private nextReady!: { promise: Promise<void>; resolve: () => void };
  restarting = false;

  constructor(private readonly env: Record<string, string>) {
    this.current = this.spawn();
    this.armNextReady();
  }

  private spawn(): ServiceProcess {
    const service = startServiceProcess(this.env);
    started.push(service);
    return service;
  }

  private armNextReady(): void {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.nextReady = { promise, resolve };
  }

  /** The generation and URL to send to now. */
  async target(): Promise<{ generation: number; url: string }> {
    const generation = this.generation;
    return { generation, url: await this.current.ready };
  }

  /**
   * Called after a request to `generation` failed. Waits for the next process if we killed that one;
   * a process that died on its own is a failure of the service, reported as such.
   */
  async recover(generation: number, error: unknown): Promise<void> {
    if (!this.killed.has(generation)) throw new Error(`request failed while nobody killed the service: ${String(error)}\n${this.current.output()}`);
    if (this.generation > generation) return void (await this.current.ready);
    await this.nextReady.promise;
  }

  async killAndRestart(): Promise<void> {
    this.restarting = true;
    this.killed.add(this.generation);
    const dying = this.current;
    dying.child.kill('SIGKILL');
    await dying.exited;
    this.current = this.spawn();
    this.generation += 1;
    await this.current.ready;
    const waiting = this.nextReady;
    this.armNextReady();
    waiting.resolve();
    this.restarting = false;
  }

  async stop(): Promise<number | null> {
    this.current.child.kill('SIGTERM');
    await this.current.exited;
    return this.current.child.exitCode;
  }

  get url(): Promise<string> {
    return this.current.ready;
  }
}

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

type Body = { text: string } | { choice: string };

/** A message without the parts signed afresh on every read (a document link's expiry and signature). */
function comparable(message: ChatMessage | undefined): ChatMessage | undefined {
  return message?.url ? { ...message, url: message.url.replace(/\?.*$/, '') } : message;
}

/** What a patient answers to the last thing the bot said; undefined once the booking is done. */
function answer(patient: PatientRun, replies: ChatMessage[]): Body | undefined {
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
    const service = new RestartingService({ DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0', HOLD_MINUTES: String(HOLD_MINUTES) });
    await service.url;

    // Kill after these many completed turns (of about 50 × 12), while the other patients' requests are in flight.
    const killPoints = Array.from({ length: KILLS }, () => 25 + Math.floor(random() * 450)).sort((a, b) => a - b);
    let completedTurns = 0;
    let kills = 0;
    const restarts: Promise<void>[] = [];
    const onTurnCompleted = () => {
      completedTurns += 1;
      if (kills < killPoints.length && completedTurns >= killPoints[kills]! && !service.restarting) {
        kills += 1;
        restarts.push(service.killAndRestart());
      }
    };

    async function deliver(patient: PatientRun, body: Body, key: string): Promise<ChatMessage[]> {
      for (;;) {
        const { generation, url } = await service.target();
        patient.sends.set(key, (patient.sends.get(key) ?? 0) + 1);
        let response: Response;
        let json: { messages?: ChatMessage[] };
        try {
          response = await fetch(`${url}/api/chat/${patient.sessionId}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify(body),
          });
          json = (await response.json()) as typeof json;
        } catch (error) {
          await service.recover(generation, error);
          continue;
        }
        if (response.status === 200 && json.messages) return json.messages;
        throw new Error(`${patient.sessionId} ${key}: HTTP ${response.status} ${JSON.stringify(json)}`);
      }
    }

    async function book(patient: PatientRun): Promise<void> {
      let body: Body | undefined = { text: 'hi' };
      for (let turn = 0; body; turn++) {
        if (turn > 40) throw new Error(`${patient.sessionId} is going round in circles`);
        const replies = await deliver(patient, body, `${patient.sessionId}-turn-${turn}`);
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
    const url = await service.url;
    for (const patient of patients) {
      expect(patient.confirmationId, patient.sessionId).toMatch(/^APT-/);
      const response = await fetch(`${url}/api/chat/${patient.sessionId}/messages?after=0`);
      const { messages } = (await response.json()) as { messages: ChatMessage[] };
      const stored = new Map(messages.map((m) => [m.seq, m]));
      for (const [seq, message] of patient.seen) expect(comparable(stored.get(seq)), `${patient.sessionId} #${seq}`).toEqual(comparable(message));
      expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    }
    expect(await service.stop()).toBe(0);

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

      // No slot over capacity, counting every hold still alive now.
      const now = new Date();
      const taken = new Map<string, number>();
      for (const a of all) {
        const live = a.status !== 'HELD' || (a.holdExpiresAt !== null && Date.parse(a.holdExpiresAt) > now.getTime());
        if (CAPACITY_STATUSES.includes(a.status) && live) taken.set(a.slotId, (taken.get(a.slotId) ?? 0) + 1);
      }
      for (const [slotId, count] of taken) expect(count, slotId).toBeLessThanOrEqual((await store.getSlot(slotId))!.capacity);

      // Holds a crash left behind end when they should: the sweep after their expiry leaves none.
      const held = all.filter((a) => a.status === 'HELD');
      for (const a of held) expect(Date.parse(a.holdExpiresAt!) - Date.parse(a.createdAt)).toBeLessThanOrEqual(HOLD_MINUTES * 60_000);
      await store.expireHolds(new Date(now.getTime() + (HOLD_MINUTES + 1) * 60_000));
      expect((await store.listAppointments({ statuses: ['HELD'] })).length).toBe(0);

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
