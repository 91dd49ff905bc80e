/**
 * Sample doctors and slots so a fresh clone can book an appointment at once, with no accounts and no
 * data entry. Everything is labelled "(sample)" so staff know to replace it.
 */
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import type { Doctor, Slot } from '../../core/domain.js';
import { getMeta, setMeta } from './database.js';
import { doctorParams, slotParams } from './rows.js';

/** Meta key recording that samples were seeded once; staff who delete them do not get them back. */
export const SAMPLE_DATA_SEEDED_KEY = 'sample_data_seeded';

const SLOT_MINUTES = 30;
const SAMPLE_NOTE = "Sample doctor – replace with your clinic's doctors";

/** A weekly working block; weekdays are ISO (1 = Monday … 7 = Sunday). */
interface SampleSession {
  weekdays: readonly number[];
  start: string;
  end: string;
  capacity: number;
}

const MON_TO_SAT = [1, 2, 3, 4, 5, 6] as const;

const SAMPLE_DOCTORS: readonly { doctor: Doctor; sessions: readonly SampleSession[] }[] = [
  {
    doctor: {
      id: 'SAMPLE-GP',
      name: 'Dr. Asha Verma (sample)',
      specialty: 'General Physician',
      fee: 500,
      active: true,
      languages: ['English', 'Hindi'],
      notes: SAMPLE_NOTE,
    },
    sessions: [
      // Busy morning clinic: two patients per slot shows capacity above one.
      { weekdays: MON_TO_SAT, start: '10:00', end: '13:00', capacity: 2 },
      { weekdays: MON_TO_SAT, start: '17:00', end: '19:00', capacity: 1 },
      { weekdays: [7], start: '10:00', end: '12:00', capacity: 1 },
    ],
  },
  {
    doctor: {
      id: 'SAMPLE-DERM',
      name: 'Dr. Rohan Mehta (sample)',
      specialty: 'Dermatology',
      fee: 700,
      active: true,
      languages: ['English', 'Hindi', 'Marathi'],
      notes: SAMPLE_NOTE,
    },
    sessions: [
      { weekdays: MON_TO_SAT, start: '11:00', end: '13:30', capacity: 1 },
      { weekdays: MON_TO_SAT, start: '17:00', end: '19:00', capacity: 1 },
    ],
  },
  {
    doctor: {
      id: 'SAMPLE-PED',
      name: 'Dr. Priya Nair (sample)',
      specialty: 'Pediatrics',
      fee: 600,
      active: true,
      languages: ['English', 'Malayalam', 'Tamil'],
      notes: SAMPLE_NOTE,
    },
    sessions: [
      { weekdays: MON_TO_SAT, start: '09:30', end: '12:30', capacity: 1 },
      { weekdays: MON_TO_SAT, start: '16:30', end: '18:30', capacity: 1 },
    ],
  },
];

/** Options of {@link seedSampleData}. */
export interface SeedOptions {
  /** The current instant; "today" is its date in the clinic's time zone. */
  now: Date;
  /** IANA zone of the clinic, e.g. `Asia/Kolkata`. */
  timezone: string;
  /** How many days of slots to create, starting today (default 14). */
  days?: number;
}

/**
 * Seeds the sample doctors and their slots, in one transaction, if the clinic has no doctors and was
 * never seeded before. Returns whether it seeded. Dates follow the clinic's time zone, not the
 * server's: at 20:00 UTC it is already tomorrow in India.
 */
export function seedSampleData(db: Database.Database, options: SeedOptions): boolean {
  const today = DateTime.fromJSDate(options.now).setZone(options.timezone).startOf('day');
  if (!today.isValid) {
    throw new RangeError(`Cannot seed sample data: invalid time zone "${options.timezone}" or date.`);
  }
  const days = options.days ?? 14;
  const insertDoctor = db.prepare(
    `INSERT INTO doctors (id, name, specialty, fee, active, languages, notes)
     VALUES (@id, @name, @specialty, @fee, @active, @languages, @notes)`,
  );
  const insertSlot = db.prepare(
    `INSERT INTO slots (id, doctor_id, date, start, "end", capacity, status, notes)
     VALUES (@id, @doctor_id, @date, @start, @end, @capacity, @status, @notes)`,
  );
  const doctorCount = db.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM doctors');

  return db
    .transaction((): boolean => {
      if (getMeta(db, SAMPLE_DATA_SEEDED_KEY) !== undefined) return false;
      if ((doctorCount.get()?.count ?? 0) > 0) return false;
      for (const { doctor, sessions } of SAMPLE_DOCTORS) {
        insertDoctor.run(doctorParams(doctor));
        for (const slot of sampleSlots(doctor.id, sessions, today, days)) insertSlot.run(slotParams(slot));
      }
      setMeta(db, SAMPLE_DATA_SEEDED_KEY, options.now.toISOString());
      return true;
    })
    .immediate();
}

function* sampleSlots(
  doctorId: string,
  sessions: readonly SampleSession[],
  today: DateTime,
  days: number,
): Generator<Slot> {
  for (let offset = 0; offset < days; offset += 1) {
    const day = today.plus({ days: offset });
    const date = day.toFormat('yyyy-MM-dd');
    for (const session of sessions) {
      if (!session.weekdays.includes(day.weekday)) continue;
      const end = minutesOf(session.end);
      for (let start = minutesOf(session.start); start + SLOT_MINUTES <= end; start += SLOT_MINUTES) {
        const from = hhmm(start);
        yield {
          id: `S-${doctorId}-${date.replaceAll('-', '')}-${from.replace(':', '')}`,
          doctorId,
          date,
          start: from,
          end: hhmm(start + SLOT_MINUTES),
          capacity: session.capacity,
          status: 'OPEN',
          notes: 'sample',
        };
      }
    }
  }
}

function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
