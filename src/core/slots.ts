/**
 * Slot rules. Slots are wall-clock times in the clinic's time zone, never the server's; a slot is
 * offered only while it is OPEN, in the future and has a free place.
 */
import { DateTime } from 'luxon';
import type { Appointment, Slot, SlotUsage } from './domain.js';
import { ClinicError } from './errors.js';

/** Today's date in the clinic, `YYYY-MM-DD`, or the date `plusDays` calendar days on. */
export function clinicDate(now: Date, timezone: string, plusDays = 0): string {
  const today = clinicWallClock(now, timezone).slice(0, 10);
  return plusDays === 0 ? today : calendarDaysAfter(today, plusDays);
}

/**
 * The clinic's wall-clock minute, `YYYY-MM-DDTHH:mm`. Slot dates and times compare with it as plain
 * text, so filtering hundreds of slots needs one time-zone conversion instead of one per slot.
 */
export function clinicWallClock(now: Date, timezone: string): string {
  return wallClockOfMinute(`${Math.floor(now.getTime() / MINUTE_MS)} ${timezone}`);
}

const MINUTE_MS = 60_000;

/** `YYYY-MM-DD` plus whole calendar days (no time zone involved: a date has none). */
export function calendarDaysAfter(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** An appointment's date or time cannot be read (a hand-edited row); it is skipped, not guessed. */
export class UnreadableAppointmentTimeError extends ClinicError {
  constructor(
    readonly appointmentId: string,
    readonly value: string,
  ) {
    super(`Appointment ${appointmentId} has an unreadable date or time "${value}"; correct it to YYYY-MM-DD and HH:mm.`);
  }
}

/** The instant an appointment starts: its wall-clock date and time read in the clinic's zone. */
export function appointmentStart(appointment: Pick<Appointment, 'id' | 'date' | 'time'>, timezone: string): Date {
  const start = DateTime.fromISO(`${appointment.date}T${appointment.time}`, { zone: timezone });
  if (!start.isValid) throw new UnreadableAppointmentTimeError(appointment.id, `${appointment.date} ${appointment.time}`);
  return start.toJSDate();
}

/**
 * The zone's short name at the appointment's time, as Indian readers write it ("IST"; "GST", "GMT",
 * "GMT-5" elsewhere), for patients to whom an IANA id like "Asia/Kolkata" means nothing.
 */
export function zoneAbbreviation(appointment: Pick<Appointment, 'date' | 'time'>, timezone: string): string {
  const at = DateTime.fromISO(`${appointment.date}T${appointment.time}`, { zone: timezone, locale: 'en-IN' });
  return (at.isValid ? at.offsetNameShort : null) ?? timezone;
}

/** Whether a slot (or appointment) starting at `date` + `start` lies after the clinic minute `wallClock`. */
export function startsAfter(item: Pick<Slot, 'date' | 'start'>, wallClock: string): boolean {
  return `${item.date}T${item.start}` > wallClock;
}

/** Whether the appointment's time has come at `now` (read as text, so a malformed time never throws). */
export function hasStarted(appointment: Pick<Appointment, 'date' | 'time'>, now: Date, timezone: string): boolean {
  return !startsAfter({ date: appointment.date, start: appointment.time }, clinicWallClock(now, timezone));
}

export function freePlaces(usage: SlotUsage): number {
  return Math.max(0, usage.slot.capacity - usage.taken);
}

/** Whether a patient may book this slot at the clinic minute `wallClock` (see {@link clinicWallClock}). */
function bookableAt(usage: SlotUsage, wallClock: string): boolean {
  return usage.slot.status === 'OPEN' && freePlaces(usage) > 0 && startsAfter(usage.slot, wallClock);
}

/** Whether a patient may book this slot at `now`: open, a place free, and not yet started. */
export function isBookable(usage: SlotUsage, now: Date, timezone: string): boolean {
  return bookableAt(usage, clinicWallClock(now, timezone));
}

/** Bookable slots, in date and time order. */
export function bookableSlots(usages: SlotUsage[], now: Date, timezone: string): SlotUsage[] {
  const wallClock = clinicWallClock(now, timezone);
  return usages
    .filter((usage) => bookableAt(usage, wallClock))
    .sort((a, b) => compareText(a.slot.date, b.slot.date) || compareText(a.slot.start, b.slot.start));
}

/** Code-unit order: dates and times are fixed-width ASCII, and locale collation costs far more. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One screen of slots: always a single date, so a page reads "Saturday 21 Nov: 10:00, 10:30, …". */
export interface SlotPage {
  date: string;
  slots: SlotUsage[];
}

/** Groups slots by date and splits long days into pages of at most `pageSize`. */
export function pageSlotsByDate(slots: SlotUsage[], pageSize: number): SlotPage[] {
  const pages: SlotPage[] = [];
  for (const usage of slots) {
    const last = pages[pages.length - 1];
    if (last && last.date === usage.slot.date && last.slots.length < pageSize) last.slots.push(usage);
    else pages.push({ date: usage.slot.date, slots: [usage] });
  }
  return pages;
}

/**
 * Remembers the results of a pure formatter of short strings. Menus and messages format the same few
 * hundred dates and times over and over, and a luxon parse and format costs far more than a lookup.
 */
function remembered(format: (value: string) => string, capacity = 2_000): (value: string) => string {
  const known = new Map<string, string>();
  return (value) => {
    let formatted = known.get(value);
    if (formatted === undefined) {
      formatted = format(value);
      // Bounded: odd inputs (typed by staff in a sheet) cannot grow it without limit.
      if (known.size >= capacity) known.clear();
      known.set(value, formatted);
    }
    return formatted;
  };
}

/**
 * The clinic's wall clock for a whole minute (key: minutes since the epoch, a space, the time zone).
 * Every turn asks for it, often several times, and a time-zone conversion costs tens of microseconds;
 * zones differ from UTC by whole minutes, so one conversion holds for the minute.
 */
const wallClockOfMinute: (key: string) => string = remembered((key) => {
  const space = key.indexOf(' ');
  return DateTime.fromMillis(Number(key.slice(0, space)) * MINUTE_MS, { zone: key.slice(space + 1) }).toFormat("yyyy-LL-dd'T'HH:mm");
}, 64);

/** "Sat, 21 Nov 2026". */
export const formatDate: (date: string) => string = remembered((date) => DateTime.fromISO(date).setLocale('en-IN').toFormat('ccc, d LLL yyyy'));

/** "10:30 AM". */
export const formatTime: (time: string) => string = remembered((time) => DateTime.fromISO(`2000-01-01T${time}`).setLocale('en-US').toFormat('h:mm a'));
