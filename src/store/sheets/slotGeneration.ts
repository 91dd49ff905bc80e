/**
 * Turning a weekly schedule into dated slots, without duplicating slots that exist: a slot is the
 * same slot when its doctor, date and start match, whatever its id.
 */
import { DateTime } from 'luxon';
import type { Slot } from '../../core/domain.js';
import { startsAfter } from '../../core/slots.js';
import { hhmm, minutesOf } from './cells.js';
import { derivedSlotId, type ScheduleEntry } from './clinicTables.js';

/**
 * Slots for `days` days from `fromDate` (clinic-local `YYYY-MM-DD`) that `existing` lacks. Ids are
 * derived from doctor, date and start, as for a row staff type without an id.
 * @param after the clinic's wall clock now (`YYYY-MM-DDTHH:mm`): a slot that has begun by then is
 *   not added, as no patient could book it and it would only clutter the sheet
 */
export function generateSlots(
  schedule: readonly ScheduleEntry[],
  fromDate: string,
  days: number,
  existing: readonly Pick<Slot, 'doctorId' | 'date' | 'start'>[],
  after: string,
): Slot[] {
  const taken = new Set(existing.map((slot) => `${slot.doctorId}|${slot.date}|${slot.start}`));
  const first = DateTime.fromISO(fromDate);
  if (!first.isValid) throw new RangeError(`Not a date: ${fromDate}`);
  const slots: Slot[] = [];
  for (let offset = 0; offset < days; offset += 1) {
    const day = first.plus({ days: offset });
    const date = day.toFormat('yyyy-MM-dd');
    for (const entry of schedule) {
      if (entry.weekday !== day.weekday) continue;
      for (let start = minutesOf(entry.start); start + entry.slotMinutes <= minutesOf(entry.end); start += entry.slotMinutes) {
        const from = hhmm(start);
        if (!startsAfter({ date, start: from }, after)) continue;
        const key = `${entry.doctorId}|${date}|${from}`;
        if (taken.has(key)) continue;
        taken.add(key);
        slots.push({ id: derivedSlotId(entry.doctorId, date, from), doctorId: entry.doctorId, date, start: from, end: hhmm(start + entry.slotMinutes), capacity: 1, status: 'OPEN', notes: '' });
      }
    }
  }
  return slots;
}
