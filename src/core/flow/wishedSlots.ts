/**
 * Booking from one sentence: what the patient wished for ("Dr Rajiv tomorrow 10am", "skin doctor kal
 * subah", "asap") is kept in the booking draft and used to offer the matching free slots first. When
 * the wished time is not free, the alternatives are the same doctor's nearest times, then other doctors
 * of the same specialty at that time. Nothing is booked until the patient picks a slot.
 */
import type { SlotUsage } from '../domain.js';
import type { BookingIntent, DoctorDirectoryEntry, IntentContext, PartOfDay } from '../ports.js';
import type { BookingDraft } from '../session.js';
import { formatDate, formatTime } from '../slots.js';
import type { Turn } from './turn.js';

/** When the patient wants to come, as far as they said. */
export interface SlotWish {
  date?: string;
  time?: string;
  timeOfDay?: PartOfDay;
  earliest?: boolean;
}

/** Start (inclusive) and end (exclusive) minute of each part of the day. */
const PART_OF_DAY_MINUTES: Record<PartOfDay, [number, number]> = {
  morning: [5 * 60, 12 * 60],
  afternoon: [12 * 60, 16 * 60],
  evening: [16 * 60, 24 * 60],
};

export function wishOf(draft: BookingDraft): SlotWish {
  return {
    ...(draft.wishedDate ? { date: draft.wishedDate } : {}),
    ...(draft.wishedTime ? { time: draft.wishedTime } : {}),
    ...(draft.wishedTimeOfDay ? { timeOfDay: draft.wishedTimeOfDay } : {}),
    ...(draft.wishedEarliest ? { earliest: true } : {}),
  };
}

export function hasTimeWish(draft: BookingDraft): boolean {
  return Boolean(draft.wishedDate || draft.wishedTime || draft.wishedTimeOfDay || draft.wishedEarliest);
}

export function forgetTimeWish(draft: BookingDraft): void {
  delete draft.wishedDate;
  delete draft.wishedTime;
  delete draft.wishedTimeOfDay;
  delete draft.wishedEarliest;
}

/** Copies what a detected intent says about the booking into the draft. Returns whether it said anything. */
export function applyIntent(draft: BookingDraft, intent: BookingIntent): boolean {
  const hasWhen = intent.date !== null || intent.time !== null || intent.timeOfDay !== null || intent.earliest;
  if (hasWhen) forgetTimeWish(draft);
  if (intent.specialty) draft.specialty = intent.specialty;
  if (intent.doctorId) draft.wishedDoctorId = intent.doctorId;
  if (intent.date) draft.wishedDate = intent.date;
  if (intent.time) draft.wishedTime = intent.time;
  if (intent.timeOfDay) draft.wishedTimeOfDay = intent.timeOfDay;
  if (intent.earliest) draft.wishedEarliest = true;
  return hasWhen || intent.specialty !== null || intent.doctorId !== null;
}

/** "asap" with no time or part of day: the day does not matter. */
export function wishesOnlyEarliest(wish: SlotWish): boolean {
  return Boolean(wish.earliest && !wish.time && !wish.timeOfDay);
}

/** "on Sun, 22 Nov 2026 in the morning", "at 10:00 AM", "as early as possible". */
export function describeWish(wish: SlotWish): string {
  if (wishesOnlyEarliest(wish)) return 'as early as possible';
  return [
    wish.date ? `on ${formatDate(wish.date)}` : '',
    wish.timeOfDay ? `in the ${wish.timeOfDay}` : '',
    wish.time ? `at ${formatTime(wish.time)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

function minuteOf(time: string): number {
  const [h = 0, m = 0] = time.split(':').map(Number);
  return h * 60 + m;
}

function daysBetween(a: string, b: string): number {
  return Math.round(Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000);
}

function inWindow(usage: SlotUsage, wish: SlotWish): boolean {
  const { slot } = usage;
  // "asap" means from now on, whatever the day.
  if (wish.date && !wish.earliest && slot.date !== wish.date) return false;
  if (wish.timeOfDay) {
    const [from, to] = PART_OF_DAY_MINUTES[wish.timeOfDay];
    const start = minuteOf(slot.start);
    if (start < from || start >= to) return false;
  }
  return true;
}

function isExact(usage: SlotUsage, wish: SlotWish): boolean {
  return inWindow(usage, wish) && (!wish.time || usage.slot.start === wish.time);
}

/** How far a slot is from the wish, in minutes; chronological when no time of day was wished. */
function distance(usage: SlotUsage, wish: SlotWish, today: string): number {
  const { slot } = usage;
  const target = wish.time ? minuteOf(wish.time) : wish.timeOfDay ? PART_OF_DAY_MINUTES[wish.timeOfDay][0] : undefined;
  const days = daysBetween(slot.date, wish.date ?? today);
  return days * 1440 + (target === undefined ? minuteOf(slot.start) : Math.abs(minuteOf(slot.start) - target));
}

export interface SlotSuggestions {
  /** Whether the wish itself can be met (the wished time, or something in the wished day and part of day). */
  met: boolean;
  slots: SlotUsage[];
}

/**
 * The slots to offer for a wish, best first.
 * @param pool bookable slots of the candidate doctors (with a primary doctor: theirs and their specialty colleagues')
 * @param primaryDoctorId the doctor the patient asked for or chose, if any
 */
export function suggestSlots(input: { pool: SlotUsage[]; wish: SlotWish; primaryDoctorId?: string; limit: number; today: string }): SlotSuggestions {
  const { pool, wish, primaryDoctorId, limit, today } = input;
  const nearestFirst = (list: SlotUsage[]) =>
    [...list].sort(
      (a, b) =>
        distance(a, wish, today) - distance(b, wish, today) ||
        a.slot.date.localeCompare(b.slot.date) ||
        a.slot.start.localeCompare(b.slot.start) ||
        a.slot.doctorId.localeCompare(b.slot.doctorId),
    );
  if (primaryDoctorId === undefined) {
    const window = pool.filter((usage) => inWindow(usage, wish));
    return window.length > 0 ? { met: true, slots: nearestFirst(window).slice(0, limit) } : { met: false, slots: nearestFirst(pool).slice(0, limit) };
  }
  const own = pool.filter((usage) => usage.slot.doctorId === primaryDoctorId);
  if (own.some((usage) => isExact(usage, wish))) {
    return { met: true, slots: nearestFirst(own.filter((usage) => inWindow(usage, wish) || !wish.date)).slice(0, limit) };
  }
  const others = nearestFirst(pool.filter((usage) => usage.slot.doctorId !== primaryDoctorId && isExact(usage, wish)));
  const reservedForOthers = Math.min(others.length, Math.max(1, Math.floor(limit / 3)));
  const nearestOwn = nearestFirst(own).slice(0, limit - reservedForOthers);
  return { met: false, slots: [...nearestOwn, ...others.slice(0, limit - nearestOwn.length)] };
}

/** The clinic's active doctors as the intent detector sees them: no patient data. */
export async function doctorDirectory(turn: Turn): Promise<DoctorDirectoryEntry[]> {
  const doctors = await turn.deps.store.listDoctors();
  return doctors.filter((d) => d.active).map(({ id, name, specialty }) => ({ id, name, specialty }));
}

/** Asks the intent detector about free text; undefined when there is none or it failed. */
export async function detectIntent(turn: Turn, text: string): Promise<BookingIntent | undefined> {
  const { intents, settings, logger } = turn.deps;
  if (!intents) return undefined;
  try {
    const context: IntentContext = { now: turn.now, timezone: settings.clinic.timezone, doctors: await doctorDirectory(turn) };
    return await intents.detect(text, context);
  } catch (error) {
    logger.warn({ err: error }, 'intent detection failed; showing the menu');
    return undefined;
  }
}
