/**
 * Choosing a doctor and a time. Picking a time places a hold on the slot, so nobody else can take it
 * while the patient chooses how to pay.
 */
import { addMinutes } from './time.js';
import type { Doctor } from '../domain.js';
import { SlotUnavailableError } from '../errors.js';
import type { MenuOption } from '../messages.js';
import { comparable } from '../text.js';
import {
  bookableSlots,
  clinicDate,
  clinicWallClock,
  formatDate,
  formatTime,
  freePlaces,
  pageSlotsByDate,
  startsAfter,
  type SlotPage,
} from '../slots.js';
import { releaseHold } from './appointments.js';
import { doctorLabel } from './describe.js';
import type { Step, Turn } from './turn.js';

async function doctorsToOffer(turn: Turn): Promise<{ doctors: Doctor[]; filtered: boolean }> {
  const doctors = await turn.deps.store.listDoctors();
  const specialty = turn.session.draft.specialty;
  if (specialty) {
    const matching = doctors.filter((d) => comparable(d.specialty).includes(comparable(specialty)));
    if (matching.length > 0) return { doctors: matching, filtered: true };
  }
  return { doctors, filtered: false };
}

export const selectingDoctorStep: Step = {
  async enter(turn) {
    const { doctors, filtered } = await doctorsToOffer(turn);
    if (doctors.length === 0) {
      turn.text(`Sorry, no doctor can be booked online right now. Please call us on ${turn.settings.clinic.phone}.`);
      return turn.backToMainMenu();
    }
    const currency = turn.settings.clinic.currency;
    turn.menu(
      filtered ? `Which ${turn.session.draft.specialty} doctor would you like to see?` : 'Which doctor would you like to see?',
      doctors.map((doctor) => ({ id: doctor.id, label: doctorLabel(doctor, currency) })),
    );
  },
  async handle(turn) {
    const option = await turn.chosenOption();
    if (!option) return;
    turn.session.draft.doctorId = option.id;
    turn.session.draft.slotPage = 0;
    await turn.goTo('SELECTING_SLOT');
  },
};

const PREVIOUS_PAGE = 'page:previous';
const NEXT_PAGE = 'page:next';
const SLOT_PREFIX = 'slot:';

/** The pages of bookable slots of the chosen doctor, as of this turn. */
async function slotPages(turn: Turn, doctorId: string): Promise<SlotPage[]> {
  const { store, settings } = turn.deps;
  const timezone = settings.clinic.timezone;
  const usage = await store.listSlotUsage({
    doctorId,
    fromDate: clinicDate(turn.now, timezone),
    toDate: clinicDate(turn.now, timezone, settings.bookingWindowDays),
    now: turn.now,
  });
  return pageSlotsByDate(bookableSlots(usage, turn.now, timezone), settings.slotPageSize);
}

export const selectingSlotStep: Step = {
  async enter(turn) {
    const { draft } = turn.session;
    const doctor = draft.doctorId ? await turn.deps.store.getDoctor(draft.doctorId) : undefined;
    if (!doctor || !doctor.active) {
      turn.text('That doctor is no longer available for booking. Please choose another doctor.');
      return turn.replaceWith('SELECTING_DOCTOR');
    }
    const pages = await slotPages(turn, doctor.id);
    if (pages.length === 0) {
      turn.text(`Sorry, ${doctor.name} has no free times in the next ${turn.settings.bookingWindowDays} days. Please choose another doctor.`);
      return turn.replaceWith('SELECTING_DOCTOR');
    }
    const index = Math.min(Math.max(draft.slotPage ?? 0, 0), pages.length - 1);
    draft.slotPage = index;
    const page = pages[index]!;
    const options: MenuOption[] = page.slots.map((usage) => {
      const left = freePlaces(usage);
      const extra = usage.slot.capacity > 1 ? ` (${left} ${left === 1 ? 'place' : 'places'} left)` : '';
      return { id: `${SLOT_PREFIX}${usage.slot.id}`, label: `${formatTime(usage.slot.start)}${extra}` };
    });
    if (index > 0) options.push({ id: PREVIOUS_PAGE, label: '‹ Earlier times' });
    if (index < pages.length - 1) options.push({ id: NEXT_PAGE, label: 'Later times ›' });
    turn.menu(`${doctor.name}: free times on ${formatDate(page.date)}. Pick a time:`, options);
  },

  async handle(turn) {
    const option = await turn.chosenOption();
    if (!option) return;
    const { draft } = turn.session;
    if (option.id === PREVIOUS_PAGE || option.id === NEXT_PAGE) {
      draft.slotPage = (draft.slotPage ?? 0) + (option.id === NEXT_PAGE ? 1 : -1);
      return turn.askAgain();
    }
    await holdChosenSlot(turn, option.id.slice(SLOT_PREFIX.length));
  },
};

async function holdChosenSlot(turn: Turn, slotId: string): Promise<void> {
  const { store, settings } = turn.deps;
  const { draft } = turn.session;
  const { name, phone, age, gender, purpose } = draft;
  if (!name || !phone || age === undefined || !gender || !purpose) {
    // Only reachable if a stored session was edited by hand; start the details again rather than guess.
    turn.text("Some of the patient's details are missing. Let's start again.");
    return turn.replaceWith('AWAITING_NAME');
  }
  const slot = await store.getSlot(slotId);
  // The store checks status and capacity under its lock; whether the time has passed is the core's rule.
  const inFuture = slot !== undefined && startsAfter(slot, clinicWallClock(turn.now, settings.clinic.timezone));
  await releaseHold(turn);
  try {
    if (!slot || slot.doctorId !== draft.doctorId || !inFuture) throw new SlotUnavailableError(slotId, 'past');
    const appointment = await store.holdSlot(
      {
        conversation: { channel: turn.inbound.channel, chatId: turn.inbound.chatId },
        patient: { name, phone, age, gender },
        purpose,
        slotId,
        holdExpiresAt: addMinutes(turn.now, settings.holdMinutes),
      },
      turn.now,
    );
    draft.appointmentId = appointment.id;
    await turn.goTo('SELECTING_PAYMENT_MODE');
  } catch (error) {
    if (!(error instanceof SlotUnavailableError)) throw error;
    turn.text('Sorry, that time was just taken. Please pick another one.');
    await turn.askAgain();
  }
}
