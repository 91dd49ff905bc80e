/**
 * Reading cells the way staff type them. Values are read with UNFORMATTED_VALUE and serial date-times,
 * so a cell Google recognised as a date or time arrives as a number (days since 1899-12-30, the time
 * as a fraction of a day) whatever the sheet's locale; anything typed as text arrives as text and is
 * read here (21/11/2026 and 2026-11-21, 10:00, 10 AM and 10:30 pm). Day-first wins over month-first,
 * as in India and most of the world.
 */
import { DateTime } from 'luxon';
import type { CellValue } from './layout.js';

/** Day 0 of the spreadsheet serial calendar. */
const SERIAL_EPOCH = DateTime.fromISO('1899-12-30', { zone: 'UTC' });

const DATE_FORMATS = [
  'yyyy-M-d',
  'yyyy/M/d',
  'd/M/yyyy',
  'd-M-yyyy',
  'd.M.yyyy',
  'd/M/yy',
  'd-M-yy',
  'd MMM yyyy',
  'd MMMM yyyy',
  'd-MMM-yyyy',
  'd MMM, yyyy',
  'MMM d, yyyy',
  'MMMM d, yyyy',
  'MMM d yyyy',
  'EEE, d MMM yyyy',
  'EEE d MMM yyyy',
];

/** A clinic-local date `YYYY-MM-DD`, or undefined when the cell is not one. */
export function readDate(value: CellValue | undefined): string | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 1 || value > 2_958_465) return undefined; // 1900-01-01 … 9999-12-31
    return SERIAL_EPOCH.plus({ days: Math.floor(value) }).toFormat('yyyy-MM-dd');
  }
  const text = value.trim().replace(/\s+/g, ' ');
  if (text === '') return undefined;
  // "2026-11-21T10:00:00Z" or "2026-11-21 10:00": the date part is what matters.
  const isoPrefix = /^(\d{4}-\d{1,2}-\d{1,2})[T ]/.exec(text);
  const candidate = isoPrefix ? isoPrefix[1]! : text;
  for (const format of DATE_FORMATS) {
    const parsed = DateTime.fromFormat(candidate, format, { locale: 'en-GB', zone: 'UTC' });
    if (parsed.isValid && parsed.year >= 1900 && parsed.year <= 9999) return parsed.toFormat('yyyy-MM-dd');
  }
  return undefined;
}

/** A wall-clock time `HH:mm`, or undefined when the cell is not one. */
export function readTime(value: CellValue | undefined): string | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    // "10.30" or "10" typed into a Time cell becomes the number 10.3 or 10: hours and minutes, as
    // typed. Below 1 it is a time of day (a time cell's serial); from 24 on, a date and time.
    if (value >= 1 && value < 24) {
      const hours = Math.floor(value);
      const minutes = Math.round((value - hours) * 100);
      return minutes > 59 ? undefined : hhmm(hours * 60 + minutes);
    }
    const minutes = Math.round((value - Math.floor(value)) * 24 * 60) % (24 * 60);
    return hhmm(minutes);
  }
  const text = value.trim().toLowerCase().replace(/\s+/g, ' ');
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})? ?(a\.?m\.?|p\.?m\.?)?$/.exec(text);
  if (!match) return undefined;
  let hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  const meridiem = match[3]?.replaceAll('.', '');
  if (meridiem === undefined && match[2] === undefined) return undefined; // "10" alone is a number, not a time
  if (minutes > 59) return undefined;
  if (meridiem !== undefined) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (meridiem === 'pm' ? 12 : 0);
  } else if (hours > 23) {
    return undefined;
  }
  return hhmm(hours * 60 + minutes);
}

/** A number typed as a number or as text ("₹ 1,500", "500.00"), or undefined. */
export function readNumber(value: CellValue | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const cleaned = value.replace(/[,\s]/g, '').replace(/^[^\d.-]+/, '');
  if (!/^-?\d+(\.\d+)?$/.test(cleaned)) return undefined;
  return Number(cleaned);
}

/** TRUE/FALSE as a checkbox or typed (yes, no, y, n, 1, 0, active, inactive); undefined otherwise. */
export function readBoolean(value: CellValue | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const text = value.trim().toLowerCase();
  if (['true', 'yes', 'y', '1', 'active', 'on'].includes(text)) return true;
  if (['false', 'no', 'n', '0', 'inactive', 'off'].includes(text)) return false;
  return undefined;
}

/** Text of a cell, trimmed ('' when blank). Numbers keep their digits (a phone typed as a number). */
export function readText(value: CellValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  return String(value).trim();
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** ISO weekday (1 = Monday … 7 = Sunday) from "Mon", "monday", "1"; undefined otherwise. */
export function readWeekday(value: CellValue | undefined): number | undefined {
  if (value === undefined || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 1 && value <= 7 ? value : undefined;
  const text = value.trim().toLowerCase();
  if (/^[1-7]$/.test(text)) return Number(text);
  if (text.length < 2) return undefined;
  const index = WEEKDAYS.findIndex((day) => day.startsWith(text.replace(/\.$/, '')));
  return index === -1 ? undefined : index + 1;
}

/** `HH:mm` of minutes since midnight. */
export function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Minutes since midnight of `HH:mm`. */
export function minutesOf(time: string): number {
  const [hours = 0, minutes = 0] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Compares a sheet cell with a value the bot would write, as the sheet shows them. */
export function sameCell(cell: CellValue | undefined, value: string | number | null): boolean {
  const left = cell === undefined ? '' : typeof cell === 'boolean' ? String(cell).toUpperCase() : String(cell);
  const right = value === null ? '' : String(value);
  return left === right;
}
