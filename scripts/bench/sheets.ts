/**
 * N patients booking at once through the web chat API over loopback, on the real service with the
 * Google Sheets store, against the loopback Sheets emulator enforcing Google's per-user quotas (60 reads
 * and 60 writes a minute) with 150 ms added to every answer. Measures what a patient feels (turn
 * latency: the booking is made in the local ledger, so it should be as on SQLite) and what the sheet
 * gets: how long until the Appointments tab holds every confirmed booking exactly once, Sheets requests
 * per booking (everything the service sent, start-up and refreshes included), 429s, lost and doubled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { SheetsApi } from '../../src/store/sheets/sheetsApi.js';
import { setupSheet } from '../../src/store/sheets/setup.js';
import { typeTomorrowsClinic } from '../../test/support/sheetClinic.js';
import { makeServiceAccount, SheetsEmulator } from '../../test/support/sheetsEmulator.js';
import { percentile, round, since, type BenchOptions, type Figure } from './common.js';
import { lettersOf, PageLikeClient } from './webChatPatient.js';

const QUOTA = { readsPerMinute: 60, writesPerMinute: 60 };
const LATENCY_MS = 150;
const DOCTORS = 3;
const SLOTS_PER_DOCTOR = 8; // one page of the slot menu
/** How often the sheet is looked at, during the rush and while waiting for it to catch up. */
const POLL_MS = 250;

export async function sheets(options: BenchOptions): Promise<Figure[]> {
  if (options.quick) return bookOnSheet(100, 60_000);
  // 200 is the size the store was designed against; 1000 the size of the SQLite run beside it.
  return [...(await bookOnSheet(200, 300_000)), ...(await bookOnSheet(1000, 300_000))];
}

async function bookOnSheet(patients: number, sheetTimeoutMs: number): Promise<Figure[]> {
  const scenario =
    `${patients} patients booking at once, web chat API over loopback, Google Sheets store against the emulator ` +
    `(${QUOTA.readsPerMinute} reads + ${QUOTA.writesPerMinute} writes a minute, ${LATENCY_MS} ms latency); the client resends as the web page does`;
  const account = makeServiceAccount();
  const emulator = new SheetsEmulator({ accounts: [account], latencyMs: LATENCY_MS, quota: QUOTA });
  await emulator.start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-sheets-'));
  let app: Awaited<ReturnType<typeof startApp>> | undefined;
  try {
    const config = loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_PER_MINUTE: '0',
      GOOGLE_SHEET_ID: emulator.spreadsheetId,
      GOOGLE_SERVICE_ACCOUNT_JSON: account.keyJson,
      GOOGLE_SHEETS_API_URL: emulator.url,
    });
    await setupSheet(new SheetsApi({ sheetId: emulator.spreadsheetId, serviceAccountJson: account.keyJson, apiUrl: emulator.url }));
    seedClinic(emulator, patients, config.clinic.timezone);
    // Everything from here on is the service's own traffic.
    const firstRequest = emulator.requests.length;

    app = await startApp(config, { host: '127.0.0.1' });
    const base = app.url.replace('localhost', '127.0.0.1');

    const client = new PageLikeClient(base);
    let completed = 0;
    let failures = 0;
    /** When each patient (by name) was told the booking is confirmed. */
    const confirmedAt = new Map<string, number>();

    // The sheet is watched as staff would watch it, from the first message on.
    const watcher = new SheetWatcher(emulator);
    const watching = setInterval(() => watcher.look(), POLL_MS);
    await Promise.all(
      Array.from({ length: patients }, async (_, i) => {
        const name = `Patient ${lettersOf(i)}`;
        const booked = await client.book(`bench-sheet-${String(i).padStart(12, '0')}`, i, DOCTORS, name).catch(() => false);
        if (!booked) return void (failures += 1);
        completed += 1;
        confirmedAt.set(name, performance.now());
      }),
    );

    // The ledger's confirmed bookings; the sheet must hold each exactly once, with its status.
    const db = app.context.db;
    const confirmed = new Set(
      (db.prepare(`SELECT id FROM appointments WHERE status = 'CONFIRMED'`).all() as { id: string }[]).map((row) => row.id),
    );
    const waitStarted = performance.now();
    clearInterval(watching);
    let sheet = watcher.look(confirmed);
    while (!sheet.complete && since(waitStarted) < sheetTimeoutMs) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      sheet = watcher.look(confirmed);
    }
    const caughtUpAt = performance.now();
    const lags = [...confirmedAt].map(([name, at]) => Math.max(0, (watcher.confirmedRowSeenAt.get(name) ?? caughtUpAt) - at) / 1000);
    const bookingTimes = [...confirmedAt.values()];
    const served = emulator.requests.slice(firstRequest);
    const reads = served.filter((r) => r.kind === 'read').length;
    const writes = served.filter((r) => r.kind === 'write').length;
    const throttled = served.filter((r) => r.status === 429).length;
    const doubles = db
      .prepare(`SELECT COUNT(*) AS n FROM (SELECT chat_id FROM appointments WHERE status = 'CONFIRMED' GROUP BY chat_id HAVING COUNT(*) > 1)`)
      .get() as { n: number };

    const unit = sheet.complete ? 's' : `s (gave up: ${sheet.missing} not in the sheet)`;
    const first = bookingTimes.length > 0 ? Math.min(...bookingTimes) : waitStarted;
    const last = bookingTimes.length > 0 ? Math.max(...bookingTimes) : waitStarted;
    return [
      { scenario, measure: 'turn latency p50', value: round(percentile(client.latencies, 50)), unit: 'ms' },
      { scenario, measure: 'turn latency p99', value: round(percentile(client.latencies, 99)), unit: 'ms' },
      { scenario, measure: 'bookings completed', value: completed, unit: `of ${patients}` },
      { scenario, measure: 'patients who could not book', value: failures, unit: 'patients' },
      { scenario, measure: 'messages the client had to resend (connection reset or 5xx)', value: client.resends, unit: 'resends' },
      { scenario, measure: 'first booking until the sheet holds every booking', value: round((caughtUpAt - first) / 1000, 1), unit },
      { scenario, measure: 'last booking until the sheet holds every booking', value: round((caughtUpAt - last) / 1000, 1), unit },
      { scenario, measure: `one booking until its row is in the sheet, p50 (sheet read every ${POLL_MS} ms)`, value: round(percentile(lags, 50), 1), unit: 's' },
      { scenario, measure: `one booking until its row is in the sheet, max (sheet read every ${POLL_MS} ms)`, value: round(Math.max(0, ...lags), 1), unit: 's' },
      { scenario, measure: 'Sheets requests per completed booking (reads + writes)', value: round((reads + writes) / Math.max(completed, 1), 3), unit: `requests (${reads} reads + ${writes} writes)` },
      { scenario, measure: 'Sheets answers 429 (quota)', value: throttled, unit: 'answers' },
      { scenario, measure: 'lost (confirmed in the ledger, missing from the sheet)', value: sheet.missing, unit: 'bookings' },
      { scenario, measure: 'doubled (in the sheet twice, or booked twice by a patient)', value: sheet.doubled + doubles.n, unit: 'bookings' },
    ];
  } finally {
    await app?.close();
    await emulator.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Doctors and tomorrow's slots typed into the sheet as staff would: one page of slots per doctor, with
 * places enough that every patient fits on that page even when several pick the same time.
 */
function seedClinic(emulator: SheetsEmulator, patients: number, timezone: string): void {
  const perSlot = Math.ceil(patients / (DOCTORS * (SLOTS_PER_DOCTOR - 2))) + 1;
  const doctors = Array.from({ length: DOCTORS }, (_, d) => ({ id: `BENCH-${d + 1}`, name: `Dr. Bench ${lettersOf(d)}` }));
  typeTomorrowsClinic(emulator, { doctors, slotsPerDoctor: SLOTS_PER_DOCTOR, capacity: perSlot, timezone });
}

/** Reads the emulator's Appointments tab directly, as staff looking at the sheet would. */
class SheetWatcher {
  /** When a CONFIRMED row of each patient (by name) was first seen. */
  readonly confirmedRowSeenAt = new Map<string, number>();

  constructor(private readonly emulator: SheetsEmulator) {}

  /**
   * Notes the confirmed rows now in the sheet; with the ledger's confirmed ids, also which of them the
   * sheet lacks (or shows with another status) and how many ids it holds on more than one row.
   */
  look(confirmed: ReadonlySet<string> = new Set()): { complete: boolean; missing: number; doubled: number } {
    const now = performance.now();
    const rows = new Map<string, number>();
    const shownConfirmed = new Set<string>();
    for (const record of this.emulator.records('Appointments')) {
      const id = String(record['Appointment ID'] ?? '');
      if (!id) continue;
      rows.set(id, (rows.get(id) ?? 0) + 1);
      if (record.Status !== 'CONFIRMED') continue;
      shownConfirmed.add(id);
      const name = String(record['Patient Name'] ?? '');
      if (!this.confirmedRowSeenAt.has(name)) this.confirmedRowSeenAt.set(name, now);
    }
    let missing = 0;
    for (const id of confirmed) if (!shownConfirmed.has(id)) missing += 1;
    const doubled = [...rows.values()].filter((count) => count > 1).length;
    return { complete: missing === 0 && doubled === 0, missing, doubled };
  }
}
