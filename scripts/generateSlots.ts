/**
 * `npm run slots:generate -- --days 14 [--schedule schedule.json]`: turns the weekly schedule into
 * slots for the coming days, skipping slots that exist (same doctor, date and start). With a Google
 * Sheet the schedule is its Schedule tab and the slots go to its Slots tab; on SQLite the schedule is
 * a JSON file of {doctorId, weekday (1 = Monday … 7 = Sunday), start, end, slotMinutes}.
 * Works through the ClinicStore port (listSlotUsage, upsertSlots), so both stores behave the same.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import type { ClinicStore } from '../src/core/ports.js';
import { calendarDaysAfter, clinicDate, clinicWallClock } from '../src/core/slots.js';
import { readSchedule, type ScheduleEntry } from '../src/store/sheets/clinicTables.js';
import { createSheetsClinicStore } from '../src/store/sheets/index.js';
import { SCHEDULE_TAB, type CellValue } from '../src/store/sheets/layout.js';
import { generateSlots } from '../src/store/sheets/slotGeneration.js';
import { openClinicDatabase, SqliteClinicStore } from '../src/store/sqlite/index.js';
import { loadDotEnv } from './setupSheet.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** Generates and stores the slots (none that has begun at `now`); returns how many were added. */
export async function generateSlotsInto(
  store: ClinicStore,
  schedule: readonly ScheduleEntry[],
  fromDate: string,
  days: number,
  now: Date,
  timezone: string,
): Promise<number> {
  const toDate = calendarDaysAfter(fromDate, days - 1);
  const existing = (await store.listSlotUsage({ fromDate, toDate, now })).map((usage) => usage.slot);
  const fresh = generateSlots(schedule, fromDate, days, existing, clinicWallClock(now, timezone));
  await store.upsertSlots(fresh);
  return fresh.length;
}

function scheduleFromFile(file: string): ScheduleEntry[] {
  const entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  const rows: CellValue[][] = [[...SCHEDULE_TAB.columns], ...entries.map((e) => [e.doctorId, e.weekday, e.start, e.end, e.slotMinutes ?? 30].map((v) => (v ?? '') as CellValue))];
  return readSchedule(rows, (_tab, row, problem) => console.warn(`${file} entry ${row - 1}: ${problem}`));
}

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);
  const days = Number(option('days') ?? 14);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('--days must be a whole number from 1 to 366');
  const now = new Date();
  const today = clinicDate(now, config.clinic.timezone);
  const db = openClinicDatabase(path.join(config.dataDir, 'clinic.db'));
  const logger = pino({ level: 'warn' });
  let store: ClinicStore;
  let schedule: ScheduleEntry[];
  if (config.google) {
    const sheets = createSheetsClinicStore(db, config.google, { clock: { now: () => new Date() }, logger, timezone: config.clinic.timezone });
    await sheets.open();
    store = sheets;
    schedule = sheets.schedule();
  } else {
    const file = option('schedule');
    if (!file) throw new Error('On SQLite, pass the weekly schedule as --schedule schedule.json (see the README, "Google Sheets").');
    store = new SqliteClinicStore(db);
    schedule = scheduleFromFile(file);
  }
  try {
    const added = await generateSlotsInto(store, schedule, today, days, now, config.clinic.timezone);
    console.log(`Added ${added} slot${added === 1 ? '' : 's'} for ${today} and the ${days - 1} days after.`);
  } finally {
    await store.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
