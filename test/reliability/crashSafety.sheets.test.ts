/**
 * Crash safety of the Google Sheets writer: the real service process on the Sheets store (the
 * loopback Sheets emulator runs in this test) while web chat patients book, killed with SIGKILL while
 * their rows are still on the way to the Appointments tab, and started again on the same data
 * directory.
 *
 * 1. The emulator holds the writer's append (Google slow to answer); a first group of patients books
 *    meanwhile. SIGKILL; the held append dies with the process, unapplied.
 * 2. The next process appends the first group again and the emulator holds that append too; a second
 *    group books meanwhile. SIGKILL; the emulator then applies the append whose answer nobody reads.
 * 3. The next process runs against a healthy emulator, except that its first write is applied and
 *    answered 500. It drains its queue (seen on /health), then stops cleanly.
 *
 * Afterwards the Appointments tab holds every confirmed appointment of the SQLite ledger exactly once,
 * with Status CONFIRMED and nothing else, and each row says what its patient was told.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appointmentWhen } from '../../src/core/flow/describe.js';
import { maskChatId } from '../../src/logging.js';
import { SheetsApi } from '../../src/store/sheets/sheetsApi.js';
import { setupSheet } from '../../src/store/sheets/setup.js';
import { openClinicDatabase, SqliteClinicStore } from '../../src/store/sqlite/index.js';
import type { ChatMessage } from '../http/helpers.js';
import { typeTomorrowsClinic } from '../support/sheetClinic.js';
import { makeServiceAccount, SheetsEmulator, type RecordedRequest } from '../support/sheetsEmulator.js';
import { newBookingPatient, type BookingPatient } from './support/bookingPatient.js';
import { seededRandom } from './support/serviceProcess.js';
import { SupervisedService } from './support/supervisedService.js';
import { bookOnWeb, postWebMessage } from './support/webPatient.js';

const SEED = 20_261_125;
const PATIENTS = 20;
const TIMEZONE = 'Asia/Kolkata';
const DOCTORS = ['SAMPLE-CRASH-1', 'SAMPLE-CRASH-2'];
const SLOTS_PER_DOCTOR = 6;
const CAPACITY = 3;
/** How long the last process may take to carry its queue to the sheet (it needs a few seconds). */
const DRAIN_DEADLINE_MS = 20_000;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-crash-sheets-'));
const dbFile = path.join(dataDir, 'clinic.db');
let emulator: SheetsEmulator | undefined;
let service: SupervisedService | undefined;

afterAll(async () => {
  service?.killAll();
  await emulator?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The emulator's answers as events: `next()` resolves at the next request it answers. */
class SheetTraffic {
  private waiting: (() => void)[] = [];

  constructor(emulator: SheetsEmulator) {
    emulator.onAnswer = () => {
      const waiting = this.waiting;
      this.waiting = [];
      for (const resolve of waiting) resolve();
    };
  }

  next(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

interface HeldWrite {
  request: RecordedRequest;
  /** The process that sent it. */
  generation: number;
  decide: (apply: boolean) => void;
}

/**
 * Holds every write the service sends (Google taking its time to answer) until the test decides:
 * applied, or dropped (it never took effect). The service's writer waits for its answer meanwhile.
 */
class WriteGate {
  holding = true;
  private readonly held: HeldWrite[] = [];
  private arrived: (() => void)[] = [];

  constructor(
    private readonly emulator: SheetsEmulator,
    private readonly traffic: SheetTraffic,
    private readonly generation: () => number,
  ) {
    emulator.beforeWrite = (request) => this.hold(request);
  }

  /** The first write of `generation` the gate is holding, once it arrives. */
  async heldFrom(generation: number): Promise<HeldWrite> {
    for (;;) {
      const found = this.held.find((write) => write.generation === generation);
      if (found) return found;
      await new Promise<void>((resolve) => this.arrived.push(resolve));
    }
  }

  /** Lets every held write through (applied or not) and resolves once the emulator has answered them. */
  async release(apply: boolean): Promise<HeldWrite[]> {
    const released = this.held.splice(0);
    for (const write of released) write.decide(apply);
    while (released.some((write) => !this.emulator.requests.includes(write.request))) await this.traffic.next();
    return released;
  }

  private async hold(request: RecordedRequest): Promise<void> {
    if (!this.holding) return;
    const apply = await new Promise<boolean>((decide) => {
      this.held.push({ request, generation: this.generation(), decide });
      const arrived = this.arrived;
      this.arrived = [];
      for (const resolve of arrived) resolve();
    });
    // Answered to a closed connection: what matters is that the sheet did not change.
    if (!apply) throw new Error('not applied: the service that sent this write died before it took effect');
  }
}

interface SheetsHealth {
  ok: boolean;
  pendingWrites: number;
  oldestPendingSeconds: number | null;
}

async function sheetsHealth(url: string): Promise<SheetsHealth> {
  const response = await fetch(`${url}/health`);
  const report = (await response.json()) as { sheets?: SheetsHealth };
  if (!report.sheets) throw new Error(`/health has no sheets part: ${JSON.stringify(report)}`);
  return report.sheets;
}

/** Doctors and tomorrow's slots typed into the prepared sheet, as staff would. */
function seedClinic(sheet: SheetsEmulator): void {
  const doctors = DOCTORS.map((id, d) => ({ id, name: `Dr. Crash ${String.fromCharCode(65 + d)}` }));
  typeTomorrowsClinic(sheet, { doctors, slotsPerDoctor: SLOTS_PER_DOCTOR, capacity: CAPACITY, timezone: TIMEZONE });
}

interface WebRun extends BookingPatient {
  sessionId: string;
  /** The confirmation the patient was shown. */
  confirmation?: string;
}

/** Books on the web chat of the process at `url`; no process dies while a patient is talking. */
async function book(patient: WebRun, url: string): Promise<void> {
  const seen: ChatMessage[] = await bookOnWeb({ patient, sessionId: patient.sessionId, send: (body, key) => postWebMessage(url, patient.sessionId, body, key) });
  patient.confirmation = seen.find((message) => /Appointment confirmed/.test(message.text))?.text;
}

describe('crash safety of the Google Sheets writer', () => {
  it('writes every confirmed booking to the sheet exactly once through SIGKILLs with writes pending', async () => {
    const started = Date.now();
    const account = makeServiceAccount();
    const sheet = new SheetsEmulator({ accounts: [account] });
    emulator = sheet;
    await sheet.start();
    await setupSheet(new SheetsApi({ sheetId: sheet.spreadsheetId, serviceAccountJson: account.keyJson, apiUrl: sheet.url }));
    seedClinic(sheet);
    const setupWrites = sheet.count('write');
    const traffic = new SheetTraffic(sheet);
    let generation = 0;
    const gate = new WriteGate(sheet, traffic, () => generation);
    const appointmentRows = () => sheet.records('Appointments');

    const random = seededRandom(SEED);
    const patients: WebRun[] = Array.from({ length: PATIENTS }, (_, i) => ({ ...newBookingPatient(i, 7), sessionId: `sheet-crash-${String(i).padStart(3, '0')}-aaaaaaaa` }));
    // A seeded shuffle and split: who books before the first crash and who between the two.
    const order = patients.map((patient) => ({ patient, key: random() })).sort((a, b) => a.key - b.key).map((entry) => entry.patient);
    const firstCount = 6 + Math.floor(random() * (PATIENTS - 11));
    const firstGroup = order.slice(0, firstCount);
    const secondGroup = order.slice(firstCount);

    const released: { generation: number; applied: boolean; writes: HeldWrite[] }[] = [];
    const idsInSheetBetweenCrashes = new Map<number, string[]>();
    const supervised = new SupervisedService(
      {
        DATA_DIR: dataDir,
        RATE_LIMIT_PER_MINUTE: '0',
        GOOGLE_SHEET_ID: sheet.spreadsheetId,
        GOOGLE_SERVICE_ACCOUNT_JSON: account.keyJson,
        GOOGLE_SHEETS_API_URL: sheet.url,
        SHEETS_CACHE_SECONDS: '1',
      },
      // Between a death and the next start: what became of the write the dead process was waiting on.
      async (dead) => {
        const applied = dead === 1;
        released.push({ generation: dead, applied, writes: await gate.release(applied) });
        // Seen before the next process starts, which may write at once.
        idsInSheetBetweenCrashes.set(dead, appointmentRows().map((row) => String(row['Appointment ID'])).sort());
        if (dead === 1) {
          // The last process meets a healthy sheet, but its first write is applied and answered 500.
          gate.holding = false;
          sheet.failNext(1, 500, { afterApply: true, only: 'write' });
        }
        generation = dead + 1;
      },
    );
    service = supervised;
    const failed = (what: string) => `${what}\n${supervised.process.output()}`;

    // ---- generation 0: the writer's append hangs while the first group books ----
    const first = await supervised.target();
    await Promise.all(firstGroup.map((patient) => book(patient, first.url)));
    const hung = await gate.heldFrom(0);
    expect(hung.request.path).toMatch(/:append$/);
    expect((await sheetsHealth(first.url)).pendingWrites, failed('queued before the first crash')).toBe(firstGroup.length);
    expect(appointmentRows()).toEqual([]);
    await supervised.killAndRestart();

    // ---- generation 1: the first group's append hangs again while the second group books ----
    const second = await supervised.target();
    expect(second.generation).toBe(1);
    // The retried append is held before the second group books, so it carries the first group alone.
    const hungAgain = await gate.heldFrom(1);
    expect(hungAgain.request.path).toMatch(/:append$/);
    await Promise.all(secondGroup.map((patient) => book(patient, second.url)));
    expect((await sheetsHealth(second.url)).pendingWrites, failed('queued before the second crash')).toBe(PATIENTS);
    expect(appointmentRows()).toEqual([]);
    await supervised.killAndRestart();
    // The append that died with the process took effect: the first group is in the sheet, unacknowledged.
    const confirmedFirst = firstGroup.map((patient) => [...patient.confirmationIds][0]).sort();
    expect(idsInSheetBetweenCrashes.get(0)).toEqual([]);
    expect(idsInSheetBetweenCrashes.get(1)).toEqual(confirmedFirst);

    // ---- generation 2: the writer drains its queue ----
    const last = await supervised.target();
    expect(last.generation).toBe(2);
    const deadline = Date.now() + DRAIN_DEADLINE_MS;
    let health = await sheetsHealth(last.url);
    while (health.pendingWrites > 0) {
      if (Date.now() > deadline) throw new Error(failed(`the writer did not drain its queue: ${JSON.stringify(health)}`));
      await traffic.next();
      health = await sheetsHealth(last.url);
    }
    expect(health.oldestPendingSeconds).toBeNull();
    expect(await supervised.stop(), supervised.process.output()).toBe(0);

    // What the emulator went through: one write dropped, one applied unanswered, one applied and answered 500.
    expect(released.map((r) => ({ generation: r.generation, applied: r.applied, writes: r.writes.length }))).toEqual([
      { generation: 0, applied: false, writes: 1 },
      { generation: 1, applied: true, writes: 1 },
    ]);
    expect(sheet.count('write', 500)).toBe(1);

    const db = openClinicDatabase(dbFile);
    const store = new SqliteClinicStore(db);
    try {
      const all = await store.listAppointments({});
      const confirmed = all.filter((a) => a.status === 'CONFIRMED');
      expect((db.prepare('SELECT COUNT(*) AS n FROM sheet_writes').get() as { n: number }).n).toBe(0);

      // Every confirmed appointment of the ledger is in the sheet exactly once, CONFIRMED, and nothing else is.
      const rows = appointmentRows();
      const ids = rows.map((row) => String(row['Appointment ID']));
      expect(ids.filter((id, i) => ids.indexOf(id) !== i), 'ids on more than one row').toEqual([]);
      expect([...ids].sort()).toEqual(confirmed.map((a) => a.id).sort());
      expect(rows.map((row) => row.Status)).toEqual(rows.map(() => 'CONFIRMED'));
      expect(all.length, 'appointments besides the confirmed ones (holds a crash left behind)').toBe(confirmed.length);

      // One booking per patient, and its row says what the patient was told.
      for (const patient of patients) {
        const label = `${patient.name} (${patient.sessionId})`;
        expect(patient.confirmationIds.size, label).toBe(1);
        const [id] = [...patient.confirmationIds];
        const mine = confirmed.filter((a) => a.conversation.channel === 'web' && a.conversation.chatId === patient.sessionId);
        expect(mine.map((a) => a.id), label).toEqual([id]);
        const appointment = mine[0]!;
        const row = rows.find((r) => r['Appointment ID'] === id)!;
        expect(row, label).toMatchObject({
          'Patient Name': patient.name,
          Phone: `+91${patient.phone.replace(/\D/g, '')}`,
          Channel: 'web',
          'Chat ID': maskChatId(patient.sessionId),
          'Doctor ID': appointment.doctorId,
          Doctor: appointment.doctorName,
          Date: appointment.date,
          Time: appointment.time,
        });
        const told = patient.confirmation ?? '';
        expect(told, label).toContain(`ID: ${id}`);
        expect(told, label).toContain(`Patient: ${String(row['Patient Name'])} (`);
        expect(told, label).toContain(`Doctor: ${String(row.Doctor)}`);
        expect(told, label).toContain(`When: ${appointmentWhen({ date: String(row.Date), time: String(row.Time) })}`);
      }
      console.info(
        `crash safety (sheets): seed ${SEED}, ${firstGroup.length} booked before the first SIGKILL and ${secondGroup.length} before the second, ` +
          `${sheet.count('write') - setupWrites} writes by the service (${sheet.count('write', 400)} dropped, ${sheet.count('write', 500)} answered 500), ${Date.now() - started} ms`,
      );
    } finally {
      await store.close();
    }
  }, 60_000);
});
