/**
 * Slot rules. Slots are wall-clock times in the clinic's time zone, never the server's; a slot is
 * offered only while it is OPEN, in the future and has a free place.
 */
import { DateTime } from 'luxon';
import type { Slot, SlotUsage } from './domain.js';

/** The instant a slot starts. */
export function slotStart(slot: Pick<Slot, 'date' | 'start'>, timezone: string): DateTime {
  return DateTime.fromISO(`${slot.date}T${slot.start}`, { zone: timezone });
}

/** Today's date in the clinic, `YYYY-MM-DD`. */
export function clinicDate(now: Date, timezone: string, plusDays = 0): string {
  return DateTime.fromJSDate(now, { zone: timezone }).plus({ days: plusDays }).toISODate()!;
}

export function freePlaces(usage: SlotUsage): number {
  return Math.max(0, usage.slot.capacity - usage.taken);
}

/** Whether a patient may book this slot at `now`. */
export function isBookable(usage: SlotUsage, now: Date, timezone: string): boolean {
  return (
    usage.slot.status === 'OPEN' &&
    freePlaces(usage) > 0 &&
    slotStart(usage.slot, timezone).toMillis() > now.getTime()
  );
}

/** Bookable slots, in date and time order. */
export function bookableSlots(usages: SlotUsage[], now: Date, timezone: string): SlotUsage[] {
  return usages
    .filter((usage) => isBookable(usage, now, timezone))
    .sort((a, b) => a.slot.date.localeCompare(b.slot.date) || a.slot.start.localeCompare(b.slot.start));
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

/** "Sat, 21 Nov 2026". */
export function formatDate(date: string): string {
  return DateTime.fromISO(date).setLocale('en-IN').toFormat('ccc, d LLL yyyy');
}

/** "10:30 AM". */
export function formatTime(time: string): string {
  return DateTime.fromISO(`2000-01-01T${time}`).setLocale('en-US').toFormat('h:mm a');
}
