import path from 'node:path';
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteClinicStore } from '../../../src/store/sqlite/clinicStore.js';
import { getMeta, openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SAMPLE_DATA_SEEDED_KEY, seedSampleData } from '../../../src/store/sqlite/sampleData.js';
import { doctor, makeTempDir } from './helpers.js';

const TZ = 'Asia/Kolkata';
/** Saturday 21 Nov 2026, 10:00 in Kolkata. */
const NOW = new Date('2026-11-21T04:30:00.000Z');

let db: Database.Database;
let store: SqliteClinicStore;
let cleanup: () => void;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  db = openClinicDatabase(path.join(temp.dir, 'clinic.db'));
  store = new SqliteClinicStore(db);
});

afterEach(async () => {
  await store.close();
  cleanup();
});

function dates(from: string, count: number): string[] {
  const first = DateTime.fromISO(from);
  return Array.from({ length: count }, (_, i) => first.plus({ days: i }).toISODate() ?? '');
}

describe('seedSampleData', () => {
  it('seeds three labelled sample doctors of different specialties', async () => {
    expect(seedSampleData(db, { now: NOW, timezone: TZ })).toBe(true);
    const doctors = await store.listDoctors();
    expect(doctors).toHaveLength(3);
    expect(new Set(doctors.map((d) => d.specialty)).size).toBe(3);
    for (const d of doctors) {
      expect(d.name).toMatch(/\(sample\)$/);
      expect(d.notes).toBe("Sample doctor – replace with your clinic's doctors");
      expect(d.active).toBe(true);
      expect(d.languages.length).toBeGreaterThan(0);
    }
    expect(doctors.find((d) => d.name.startsWith('Dr. Asha Verma'))).toMatchObject({
      specialty: 'General Physician',
      fee: 500,
      languages: ['English', 'Hindi'],
    });
    expect(getMeta(db, SAMPLE_DATA_SEEDED_KEY)).toBe(NOW.toISOString());
  });

  it('creates open 30-minute slots for 14 days from today, Monday to Saturday (plus one Sunday clinic)', async () => {
    seedSampleData(db, { now: NOW, timezone: TZ });
    const all = await store.listSlotUsage({ fromDate: '2000-01-01', toDate: '2100-01-01', now: NOW });
    const days = dates('2026-11-21', 14);
    expect(all[0]?.slot.date).toBe('2026-11-21');
    expect(all.at(-1)?.slot.date).toBe('2026-12-04');
    expect(new Set(all.map((u) => u.slot.date))).toEqual(new Set(days));

    for (const { slot, taken } of all) {
      expect(taken).toBe(0);
      expect(slot.status).toBe('OPEN');
      expect(slot.notes).toBe('sample');
      expect(slot.id).toBe(`S-${slot.doctorId}-${slot.date.replaceAll('-', '')}-${slot.start.replace(':', '')}`);
      const start = DateTime.fromISO(`${slot.date}T${slot.start}`);
      expect(DateTime.fromISO(`${slot.date}T${slot.end}`).diff(start, 'minutes').minutes).toBe(30);
      const weekday = start.weekday;
      if (weekday === 7) expect(slot.start < '12:00').toBe(true);
    }
    // Sundays: only one doctor, mornings only.
    const sundays = all.filter((u) => DateTime.fromISO(u.slot.date).weekday === 7);
    expect(sundays.length).toBeGreaterThan(0);
    expect(new Set(sundays.map((u) => u.slot.doctorId)).size).toBe(1);
    // Every doctor works every Monday to Saturday.
    for (const d of await store.listDoctors()) {
      const worked = new Set(all.filter((u) => u.slot.doctorId === d.id).map((u) => u.slot.date));
      for (const date of days) {
        if (DateTime.fromISO(date).weekday !== 7) expect(worked.has(date)).toBe(true);
      }
    }
    expect(all.some((u) => u.slot.capacity === 2)).toBe(true);
  });

  it('honours a custom number of days', async () => {
    seedSampleData(db, { now: NOW, timezone: TZ, days: 3 });
    const all = await store.listSlotUsage({ fromDate: '2000-01-01', toDate: '2100-01-01', now: NOW });
    expect([...new Set(all.map((u) => u.slot.date))]).toEqual(dates('2026-11-21', 3));
  });

  it('uses the clinic time zone for "today"', async () => {
    // 20:00 UTC on the 21st is 01:30 on the 22nd in Kolkata.
    seedSampleData(db, { now: new Date('2026-11-21T20:00:00Z'), timezone: TZ });
    const all = await store.listSlotUsage({ fromDate: '2000-01-01', toDate: '2100-01-01', now: NOW });
    expect(all[0]?.slot.date).toBe('2026-11-22');
    expect(all.at(-1)?.slot.date).toBe('2026-12-05');
  });

  it('is not repeated, and not redone after staff delete the samples', async () => {
    expect(seedSampleData(db, { now: NOW, timezone: TZ })).toBe(true);
    const count = (): number | undefined => db.prepare<[], number>('SELECT COUNT(*) FROM slots').pluck().get();
    const slotsAfterFirst = count();
    expect(seedSampleData(db, { now: NOW, timezone: TZ })).toBe(false);
    expect(count()).toBe(slotsAfterFirst);

    db.prepare('DELETE FROM doctors').run();
    expect(count()).toBe(0); // slots go with their doctor
    expect(seedSampleData(db, { now: NOW, timezone: TZ })).toBe(false);
    expect(await store.listDoctors({ includeInactive: true })).toEqual([]);
  });

  it('does not seed a clinic that already has doctors', async () => {
    await store.upsertDoctor(doctor());
    expect(seedSampleData(db, { now: NOW, timezone: TZ })).toBe(false);
    expect((await store.listDoctors()).map((d) => d.id)).toEqual(['D1']);
    expect(getMeta(db, SAMPLE_DATA_SEEDED_KEY)).toBeUndefined();
  });

  it('rejects an unknown time zone', () => {
    expect(() => seedSampleData(db, { now: NOW, timezone: 'Mars/Olympus' })).toThrow(/time zone/);
  });
});
