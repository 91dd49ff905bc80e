/**
 * The menu of free times, a page (one date) at a time, shared by booking and rescheduling: the same
 * labels ("11:00 AM (2 places left)"), the same paging buttons, the same rules for which slots show.
 */
import type { SlotUsage } from '../domain.js';
import type { MenuOption } from '../messages.js';
import { bookableSlots, clinicDate, formatTime, freePlaces, pageSlotsByDate, type SlotPage } from '../slots.js';
import type { Turn } from './turn.js';

export const PREVIOUS_PAGE = 'page:previous';
export const NEXT_PAGE = 'page:next';

/** Bookable slots of the booking window as of this turn, in date and time order: one doctor's, or every doctor's. */
export async function bookableSlotsInWindow(turn: Turn, doctorId?: string): Promise<SlotUsage[]> {
  return bookableSlotsOnDays(turn, 0, turn.deps.settings.bookingWindowDays, doctorId);
}

/** Bookable slots from `fromDay` to `toDay` days after the clinic's today (both included). */
async function bookableSlotsOnDays(turn: Turn, fromDay: number, toDay: number, doctorId?: string): Promise<SlotUsage[]> {
  const { store, settings } = turn.deps;
  const timezone = settings.clinic.timezone;
  const usage = await store.listSlotUsage({
    ...(doctorId !== undefined ? { doctorId } : {}),
    fromDate: clinicDate(turn.now, timezone, fromDay),
    toDate: clinicDate(turn.now, timezone, toDay),
    now: turn.now,
  });
  return bookableSlots(usage, turn.now, timezone);
}

/**
 * Days a slot menu reads first. They nearly always hold the page shown and the one after it, at a
 * fraction of the rows of the whole booking window; the rest is read only when they do not.
 */
const FIRST_READ_DAYS = 3;

/**
 * Pages of a doctor's bookable slots as of this turn; `keep` filters them further. Enough pages to
 * show the session's page and to know whether a later one exists: all of them, or a leading part.
 */
export async function doctorSlotPages(turn: Turn, doctorId: string, keep: (usage: SlotUsage) => boolean = () => true): Promise<SlotPage[]> {
  const { bookingWindowDays, slotPageSize } = turn.settings;
  const lastFirstDay = Math.min(FIRST_READ_DAYS - 1, bookingWindowDays);
  const first = (await bookableSlotsOnDays(turn, 0, lastFirstDay, doctorId)).filter(keep);
  const firstPages = pageSlotsByDate(first, slotPageSize);
  // Pages never straddle a date, so the first days' pages are exactly the leading pages of the window.
  const needed = Math.max(turn.session.draft.slotPage ?? 0, 0) + 2;
  if (firstPages.length >= needed || lastFirstDay >= bookingWindowDays) return firstPages;
  const rest = (await bookableSlotsOnDays(turn, lastFirstDay + 1, bookingWindowDays, doctorId)).filter(keep);
  return pageSlotsByDate([...first, ...rest], slotPageSize);
}

/**
 * The page the session is on (clamped to the pages that exist now) and its options: one per slot,
 * ids `${slotPrefix}<slot id>`, then the paging buttons.
 */
export function slotPageMenu(turn: Turn, pages: SlotPage[], slotPrefix: string): { page: SlotPage; options: MenuOption[] } {
  const { draft } = turn.session;
  const index = Math.min(Math.max(draft.slotPage ?? 0, 0), pages.length - 1);
  draft.slotPage = index;
  const page = pages[index]!;
  const options: MenuOption[] = page.slots.map((usage) => {
    const left = freePlaces(usage);
    const extra = usage.slot.capacity > 1 ? ` (${left} ${left === 1 ? 'place' : 'places'} left)` : '';
    return { id: `${slotPrefix}${usage.slot.id}`, label: `${formatTime(usage.slot.start)}${extra}` };
  });
  if (index > 0) options.push({ id: PREVIOUS_PAGE, label: '‹ Earlier times' });
  if (index < pages.length - 1) options.push({ id: NEXT_PAGE, label: 'Later times ›' });
  return { page, options };
}

/** Moves the session to the previous or next page when the option is a paging button. */
export function turnedPage(turn: Turn, optionId: string): boolean {
  if (optionId !== PREVIOUS_PAGE && optionId !== NEXT_PAGE) return false;
  const { draft } = turn.session;
  draft.slotPage = (draft.slotPage ?? 0) + (optionId === NEXT_PAGE ? 1 : -1);
  return true;
}
