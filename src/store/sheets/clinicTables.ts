/**
 * Doctors, Slots and Schedule rows as staff keep them -> domain objects. A row that cannot be read is
 * skipped with one warning naming its tab and row; the rest of the tab still counts.
 */
import type { Doctor, Slot } from '../../core/domain.js';
import { hhmm, minutesOf, readBoolean, readDate, readNumber, readText, readTime, readWeekday } from './cells.js';
import {
  DOCTORS_TAB,
  HeaderMap,
  isBlankRow,
  SCHEDULE_TAB,
  SLOTS_TAB,
  type CellValue,
  type DoctorColumn,
  type ScheduleColumn,
  type SlotColumn,
} from './layout.js';

/** Reports a row that was skipped or read with a default; called once per problem. */
export type RowWarning = (tab: string, rowNumber: number, problem: string) => void;

/** A weekly working block of a doctor (the Schedule tab); weekday 1 = Monday … 7 = Sunday. */
export interface ScheduleEntry {
  doctorId: string;
  weekday: number;
  start: string;
  end: string;
  slotMinutes: number;
}

const DEFAULT_SLOT_MINUTES = 30;

/** The id staff did not type: the same row always gets the same id, so it can be booked and found again. */
export function derivedSlotId(doctorId: string, date: string, start: string): string {
  return `S-${doctorId}-${date.replaceAll('-', '')}-${start.replace(':', '')}`;
}

export function readDoctors(rows: readonly CellValue[][], warn: RowWarning): Doctor[] {
  const [header, ...body] = rows;
  const columns = new HeaderMap<DoctorColumn>(DOCTORS_TAB, header);
  const doctors = new Map<string, Doctor>();
  // Without the column every visit is free: said once, so staff who meant to charge can add it.
  if (!columns.has('Fee') && body.some((row) => !isBlankRow(row))) {
    warn(DOCTORS_TAB.title, 1, 'has no Fee column, so every visit is offered with no fee; add a Fee column (0 for a free visit)');
  }
  body.forEach((row, index) => {
    const rowNumber = index + 2;
    if (isBlankRow(row)) return;
    const id = readText(columns.cell(row, 'Doctor ID'));
    const name = readText(columns.cell(row, 'Name'));
    if (!id || !name) return warn(DOCTORS_TAB.title, rowNumber, 'needs a Doctor ID and a Name; skipped');
    if (doctors.has(id)) return warn(DOCTORS_TAB.title, rowNumber, `Doctor ID ${id} appears twice; this row is skipped`);
    const feeCell = columns.cell(row, 'Fee');
    // A blank Fee is more likely forgotten than free: patients would be shown (and charged) nothing.
    if (feeCell === undefined && columns.has('Fee')) return warn(DOCTORS_TAB.title, rowNumber, 'Fee is empty; type the fee (0 for a free visit); skipped');
    const fee = feeCell === undefined ? 0 : readNumber(feeCell);
    if (fee === undefined || fee < 0) return warn(DOCTORS_TAB.title, rowNumber, `Fee "${String(feeCell)}" is not an amount; skipped`);
    const activeCell = columns.cell(row, 'Active');
    const active = activeCell === undefined ? true : readBoolean(activeCell);
    if (active === undefined) return warn(DOCTORS_TAB.title, rowNumber, `Active "${String(activeCell)}" is not TRUE or FALSE; skipped`);
    doctors.set(id, {
      id,
      name,
      specialty: readText(columns.cell(row, 'Specialty')),
      fee,
      active,
      languages: readText(columns.cell(row, 'Languages'))
        .split(/[,;/]/)
        .map((language) => language.trim())
        .filter(Boolean),
      notes: readText(columns.cell(row, 'Notes')),
    });
  });
  return [...doctors.values()];
}

export function readSlots(rows: readonly CellValue[][], doctorIds: ReadonlySet<string>, warn: RowWarning): Slot[] {
  const [header, ...body] = rows;
  const columns = new HeaderMap<SlotColumn>(SLOTS_TAB, header);
  const slots = new Map<string, Slot>();
  body.forEach((row, index) => {
    const rowNumber = index + 2;
    if (isBlankRow(row)) return;
    const doctorId = readText(columns.cell(row, 'Doctor ID'));
    const date = readDate(columns.cell(row, 'Date'));
    const start = readTime(columns.cell(row, 'Start'));
    if (!doctorId) return warn(SLOTS_TAB.title, rowNumber, 'has no Doctor ID; skipped');
    if (!date) return warn(SLOTS_TAB.title, rowNumber, `Date "${String(columns.cell(row, 'Date') ?? '')}" is not a date like 21/11/2026 or 2026-11-21; skipped`);
    if (!start) return warn(SLOTS_TAB.title, rowNumber, `Start "${String(columns.cell(row, 'Start') ?? '')}" is not a time like 10:00 or 10 AM; skipped`);
    if (!doctorIds.has(doctorId)) return warn(SLOTS_TAB.title, rowNumber, `Doctor ID ${doctorId} is not on the Doctors tab; skipped`);
    const endCell = columns.cell(row, 'End');
    const end = endCell === undefined ? hhmm(Math.min(minutesOf(start) + DEFAULT_SLOT_MINUTES, 24 * 60 - 1)) : readTime(endCell);
    if (!end) return warn(SLOTS_TAB.title, rowNumber, `End "${String(endCell)}" is not a time; skipped`);
    const capacityCell = columns.cell(row, 'Capacity');
    const capacity = capacityCell === undefined ? 1 : readNumber(capacityCell);
    if (capacity === undefined || !Number.isInteger(capacity) || capacity < 0) {
      return warn(SLOTS_TAB.title, rowNumber, `Capacity "${String(capacityCell)}" is not a whole number; skipped`);
    }
    const statusText = readText(columns.cell(row, 'Status')).toUpperCase();
    if (statusText !== '' && statusText !== 'OPEN' && statusText !== 'BLOCKED') {
      return warn(SLOTS_TAB.title, rowNumber, `Status "${statusText}" is not OPEN or BLOCKED; skipped`);
    }
    const id = readText(columns.cell(row, 'Slot ID')) || derivedSlotId(doctorId, date, start);
    if (slots.has(id)) return warn(SLOTS_TAB.title, rowNumber, `Slot ${id} appears twice; this row is skipped`);
    slots.set(id, {
      id,
      doctorId,
      date,
      start,
      end,
      capacity,
      status: statusText === 'BLOCKED' ? 'BLOCKED' : 'OPEN',
      notes: readText(columns.cell(row, 'Notes')),
    });
  });
  return [...slots.values()];
}

export function readSchedule(rows: readonly CellValue[][], warn: RowWarning): ScheduleEntry[] {
  const [header, ...body] = rows;
  const columns = new HeaderMap<ScheduleColumn>(SCHEDULE_TAB, header);
  const entries: ScheduleEntry[] = [];
  body.forEach((row, index) => {
    const rowNumber = index + 2;
    if (isBlankRow(row)) return;
    const doctorId = readText(columns.cell(row, 'Doctor ID'));
    const weekday = readWeekday(columns.cell(row, 'Weekday'));
    const start = readTime(columns.cell(row, 'Start'));
    const end = readTime(columns.cell(row, 'End'));
    const minutesCell = columns.cell(row, 'Slot Minutes');
    const slotMinutes = minutesCell === undefined ? DEFAULT_SLOT_MINUTES : readNumber(minutesCell);
    if (!doctorId || weekday === undefined || !start || !end) {
      return warn(SCHEDULE_TAB.title, rowNumber, 'needs Doctor ID, Weekday (Mon…Sun), Start and End times; skipped');
    }
    if (slotMinutes === undefined || !Number.isInteger(slotMinutes) || slotMinutes < 5 || slotMinutes > 480) {
      return warn(SCHEDULE_TAB.title, rowNumber, `Slot Minutes "${String(minutesCell)}" must be a whole number from 5 to 480; skipped`);
    }
    if (minutesOf(end) <= minutesOf(start)) return warn(SCHEDULE_TAB.title, rowNumber, 'End is not after Start; skipped');
    entries.push({ doctorId, weekday, start, end, slotMinutes });
  });
  return entries;
}
