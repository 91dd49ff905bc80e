/**
 * Dates as clinic staff type them, read in the clinic's time zone: today, tomorrow, yesterday,
 * 21/11, 21/11/2026, 21-11-26, 2026-11-21, monday, "25 Nov", "next friday".
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { comparable } from '../text.js';

const RELATIVE_DAYS: Record<string, number> = {
  today: 0,
  tod: 0,
  aaj: 0,
  tomorrow: 1,
  tmrw: 1,
  tmr: 1,
  kal: 1,
  yesterday: -1,
  'day after tomorrow': 2,
};

/** Day first, as written in India and most of the world: 21/11, 21.11.2026, 21-11-26. */
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?$/;
const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

function isoDate(year: number, month: number, day: number): string | undefined {
  const date = DateTime.fromObject({ year, month, day });
  return date.isValid ? date.toISODate()! : undefined;
}

/**
 * The day and month in the year that puts them nearest to today: in late December "2/1" is the
 * coming January, in early January "28/12" the December just gone. One rule for "2/1" and "2 jan",
 * whether the admin looks back (/appointments) or ahead (/block).
 */
function nearestDate(today: DateTime, month: number, day: number): string | undefined {
  const candidates = [today.year - 1, today.year, today.year + 1]
    .map((year) => DateTime.fromObject({ year, month, day }, { zone: today.zone }))
    .filter((date) => date.isValid);
  const distance = (date: DateTime) => Math.abs(date.diff(today, 'days').days);
  const nearest = candidates.sort((a, b) => distance(a) - distance(b))[0];
  return nearest?.toISODate() ?? undefined;
}

/**
 * The clinic-local date `YYYY-MM-DD` that `text` names, or undefined when it is not a date (or not a
 * real one, like 31/02). A day and month without a year is the nearest such date ({@link nearestDate}).
 */
export function parseAdminDate(text: string, now: Date, timezone: string): string | undefined {
  const today = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
  const typed = text.trim().toLowerCase();
  if (typed.length === 0 || typed.length > 40) return undefined;

  const relative = RELATIVE_DAYS[comparable(typed)];
  if (relative !== undefined) return today.plus({ days: relative }).toISODate()!;

  const iso = ISO.exec(typed);
  if (iso) return isoDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));

  const dayFirst = DAY_FIRST.exec(typed);
  if (dayFirst) {
    const yearText = dayFirst[3];
    if (yearText === undefined) return nearestDate(today, Number(dayFirst[2]), Number(dayFirst[1]));
    return isoDate(yearText.length === 2 ? 2000 + Number(yearText) : Number(yearText), Number(dayFirst[2]), Number(dayFirst[1]));
  }
  if (/^[\d/.\s-]+$/.test(typed)) return undefined; // digits chrono might read some other way

  // Words ("monday", "25 nov", "next friday"): chrono reads wall-clock components relative to a
  // reference whose local fields are the clinic's, so the server's own zone never matters.
  const reference = new Date(today.year, today.month - 1, today.day, 12, 0, 0);
  const results = chrono.en.GB.parse(typed, reference, { forwardDate: true });
  const result = results[0];
  if (!result || results.length !== 1 || result.index !== 0 || result.text.length !== typed.length) return undefined;
  const start = result.start;
  // "25 nov" names a day and month but no year; weekdays ("next friday") are left to chrono.
  if (!start.isCertain('year') && start.isCertain('month') && start.isCertain('day')) {
    return nearestDate(today, start.get('month')!, start.get('day')!);
  }
  return isoDate(start.get('year')!, start.get('month')!, start.get('day')!);
}
