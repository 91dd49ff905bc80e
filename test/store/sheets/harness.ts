/**
 * The Sheets store on a temp SQLite ledger, talking through the real client to the loopback Sheets
 * emulator, on a sheet prepared by setupSheet. Background loops are not started: tests call refresh()
 * and flush() and move the clock themselves.
 */
import path from 'node:path';
import { pino } from 'pino';
import { SheetsApi } from '../../../src/store/sheets/sheetsApi.js';
import { SheetsClinicStore, type SheetsClinicStoreOptions } from '../../../src/store/sheets/sheetsClinicStore.js';
import { setupSheet } from '../../../src/store/sheets/setup.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { TestClock } from '../../support/clock.js';
import { makeServiceAccount, SheetsEmulator, type Cell, type SheetsEmulatorOptions, type TestServiceAccount } from '../../support/sheetsEmulator.js';
import { makeTempDir } from '../sqlite/helpers.js';

let sharedAccount: TestServiceAccount | undefined;
/** One RSA key per test file: generating one takes a moment. */
export function testAccount(): TestServiceAccount {
  return (sharedAccount ??= makeServiceAccount());
}

export interface SheetsFixture {
  emulator: SheetsEmulator;
  store: SheetsClinicStore;
  clock: TestClock;
  file: string;
  dir: string;
  logs: { level: number; msg: string; [key: string]: unknown }[];
  /** Another store on the same ledger file (a restart, a second connection). */
  openStore(extra?: Partial<SheetsClinicStoreOptions>): SheetsClinicStore;
  api(): SheetsApi;
  dispose(): Promise<void>;
}

export async function openSheetsFixture(
  options: { now?: Date; emulator?: Partial<SheetsEmulatorOptions>; store?: Partial<SheetsClinicStoreOptions> } = {},
): Promise<SheetsFixture> {
  const account = testAccount();
  const clock = new TestClock(options.now ?? new Date('2026-11-21T04:30:00.000Z'));
  const emulator = new SheetsEmulator({ accounts: [account], ...options.emulator });
  await emulator.start();
  const { dir, cleanup } = makeTempDir();
  const file = path.join(dir, 'clinic.db');
  const logs: SheetsFixture['logs'] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as SheetsFixture['logs'][number]) });
  const api = () => new SheetsApi({ sheetId: emulator.spreadsheetId, serviceAccountJson: account.keyJson, apiUrl: emulator.url });
  await setupSheet(api());
  const stores: SheetsClinicStore[] = [];
  const openStore = (extra: Partial<SheetsClinicStoreOptions> = {}) => {
    const store = new SheetsClinicStore(openClinicDatabase(file), {
      api: api(),
      clock,
      logger,
      timezone: 'Asia/Kolkata',
      cacheSeconds: 30,
      holdWriteDelayMs: 0,
      retry: { wait: async () => {}, random: () => 0.5 },
      ...options.store,
      ...extra,
    });
    stores.push(store);
    return store;
  };
  const store = openStore();
  await store.open();
  return {
    emulator,
    store,
    clock,
    file,
    dir,
    logs,
    openStore,
    api,
    dispose: async () => {
      for (const s of stores) await s.close();
      await emulator.close();
      cleanup();
    },
  };
}

/** The Appointments tab as objects keyed by header, blank rows left out. */
export function appointmentRecords(emulator: SheetsEmulator): Record<string, Cell>[] {
  return emulator.records('Appointments');
}

/** How many rows of the Appointments tab carry each Appointment ID. */
export function idCounts(emulator: SheetsEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of appointmentRecords(emulator)) {
    const id = String(record['Appointment ID'] ?? '');
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}
