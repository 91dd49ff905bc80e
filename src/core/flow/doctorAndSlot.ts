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
  appointmentStart,
  clinicDate,
  clinicWallClock,
  formatDate,
  formatTime,
  startsAfter,
} from '../slots.js';
import { matchMenuAnswer } from '../menuMatching.js';
import { releaseChatHolds } from './appointments.js';
import { mainMenuOptions, TASKS_OF_INTENT, upcomingAppointmentsText } from './mainMenu.js';
import type { IntentName } from '../ports.js';
import { applyIntent, describeWish, detectIntent, forgetTimeWish, hasTimeWish, suggestSlots, wishesOnlyEarliest, wishOf } from './wishedSlots.js';
import { doctorLabel } from './describe.js';
import { bookableSlotsInWindow, doctorSlotPages, slotPageMenu, turnedPage } from './slotMenu.js';
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
    const { draft } = turn.session;
    // A doctor named in free text ("book Dr Rajiv …") is taken once; "back" then shows the whole list.
    const wished = draft.wishedDoctorId ? await turn.deps.store.getDoctor(draft.wishedDoctorId) : undefined;
    delete draft.wishedDoctorId;
    if (wished?.active) {
      draft.doctorId = wished.id;
      draft.slotPage = 0;
      return turn.goTo('SELECTING_SLOT');
    }
    if (hasTimeWish(draft)) {
      const chosen = draft.doctorId ? await turn.deps.store.getDoctor(draft.doctorId) : undefined;
      if (await offerWishedSlots(turn, chosen)) return;
    }
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
    if (await refineWishFromText(turn)) return turn.askAgain();
    const option = await turn.chosenOption();
    if (!option) return;
    if (option.id === ALL_DOCTORS) {
      forgetTimeWish(turn.session.draft);
      return turn.askAgain();
    }
    if (option.id.startsWith(SLOT_PREFIX)) return holdChosenSlot(turn, option.id.slice(SLOT_PREFIX.length), { anyDoctor: true });
    turn.session.draft.doctorId = option.id;
    turn.session.draft.slotPage = 0;
    await turn.goTo('SELECTING_SLOT');
  },
};

const ALL_DOCTORS = 'doctors:all';
const ALL_TIMES = 'slots:all';

/**
 * Free text that is no option of the menu on screen ("skin", "tomorrow evening", "dr rajiv") goes to the
 * intent detector; what it finds refines the booking. Returns whether anything changed.
 */
async function refineWishFromText(turn: Turn): Promise<boolean> {
  const content = turn.inbound.content;
  if (content.kind !== 'text' || matchMenuAnswer(content, turn.session.menu).kind !== 'no-match') return false;
  const intent = await detectIntent(turn, content.text);
  if (intent && intent.intent !== 'book') return answerAsideFromBooking(turn, intent.intent);
  if (!intent) return false;
  const { draft } = turn.session;
  if (intent.doctorId && intent.doctorId !== draft.doctorId) {
    // A doctor by name: choose them, keeping any day or time that came with it.
    applyIntent(draft, { ...intent, specialty: null });
    if (turn.state === 'SELECTING_SLOT') {
      draft.doctorId = intent.doctorId;
      delete draft.wishedDoctorId;
      draft.slotPage = 0;
    }
    return true;
  }
  if (intent.specialty && turn.state === 'SELECTING_DOCTOR') return applyIntent(draft, { ...intent, doctorId: null });
  return applyIntent(draft, { ...intent, specialty: null, doctorId: null });
}

/**
 * Free text asking for something else in the middle of a booking ("what time is my appointment",
 * "cancel my appointment"): answered or pointed to, as a notice above the same question, so the booking
 * is not lost to a guess. Returns whether it answered (anything else is left to the menu's "did not get
 * that").
 */
async function answerAsideFromBooking(turn: Turn, intent: IntentName): Promise<boolean> {
  if (intent === 'my_appointments') {
    turn.notice(await upcomingAppointmentsText(turn));
    return true;
  }
  // Help is a word of its own at every step; it needs no pointing to.
  if (intent === 'help') return false;
  const task = mainMenuOptions(turn).find((option) => (TASKS_OF_INTENT[intent] ?? []).includes(option.id));
  if (!task) return false;
  turn.notice(`To ${task.label.charAt(0).toLowerCase()}${task.label.slice(1)}, type "menu" (this booking stops there) and choose "${task.label}".`);
  return true;
}

/**
 * Offers the slots that fit the patient's wish: with a chosen doctor, theirs nearest the wished time,
 * then colleagues of the same specialty at that time; without one, every candidate doctor's. Returns
 * false (and forgets the wish) when there is nothing to offer, so the usual menu is shown instead.
 * @param primary the doctor already chosen (the draft's), if any
 */
async function offerWishedSlots(turn: Turn, primary: Doctor | undefined): Promise<boolean> {
  const { draft } = turn.session;
  const { settings } = turn.deps;
  const candidates = primary
    ? (await turn.deps.store.listDoctors()).filter((d) => d.id === primary.id || comparable(d.specialty) === comparable(primary.specialty))
    : (await doctorsToOffer(turn)).doctors;
  const doctorsById = new Map(candidates.map((d) => [d.id, d]));
  const wish = wishOf(draft);
  const { met, slots } = suggestSlots({
    pool: (await bookableSlotsInWindow(turn)).filter((usage) => doctorsById.has(usage.slot.doctorId)),
    wish,
    ...(primary ? { primaryDoctorId: primary.id } : {}),
    limit: settings.slotPageSize,
    today: clinicDate(turn.now, settings.clinic.timezone),
  });
  if (slots.length === 0) {
    forgetTimeWish(draft);
    return false;
  }
  const oneDate = slots.every((u) => u.slot.date === slots[0]!.slot.date);
  const oneDoctor = slots.every((u) => u.slot.doctorId === slots[0]!.slot.doctorId) && primary !== undefined;
  const options: MenuOption[] = slots.map((usage) => {
    const when = oneDate ? formatTime(usage.slot.start) : `${formatDate(usage.slot.date)}, ${formatTime(usage.slot.start)}`;
    const who = oneDoctor ? '' : ` · ${doctorsById.get(usage.slot.doctorId)?.name ?? ''}`;
    return { id: `${SLOT_PREFIX}${usage.slot.id}`, label: `${when}${who}` };
  });
  options.push(primary ? { id: ALL_TIMES, label: `All free times of ${primary.name}` } : { id: ALL_DOCTORS, label: 'Choose a doctor instead' });
  const wished = describeWish(wish);
  // The day goes in the heading when all slots share it and the wish did not already name it (the
  // nearest free times may be on another day than the one wished for: their labels then have no date).
  const day = oneDate && (!wish.date || wishesOnlyEarliest(wish) || slots[0]!.slot.date !== wish.date) ? ` (${formatDate(slots[0]!.slot.date)})` : '';
  const group = draft.specialty && !primary ? ` with ${draft.specialty} doctors` : '';
  let text: string;
  if (met) {
    text = primary ? `${primary.name}: free times ${wished}${day}. Pick a time:` : `Free times${group} ${wished}${day}. Pick a time:`;
  } else {
    const colleagues = primary && slots.some((u) => u.slot.doctorId !== primary.id) ? `, and other ${primary.specialty} doctors free then` : '';
    text = `Sorry, ${primary ? `${primary.name} has` : 'there is'} no free time ${wished}. The nearest free times${colleagues}${day}:`;
  }
  turn.menu(text, options);
  return true;
}

const SLOT_PREFIX = 'slot:';

export const selectingSlotStep: Step = {
  async enter(turn) {
    const { draft } = turn.session;
    const doctor = draft.doctorId ? await turn.deps.store.getDoctor(draft.doctorId) : undefined;
    if (!doctor || !doctor.active) {
      turn.notice('That doctor is no longer available for booking. Please choose another doctor.');
      return turn.replaceWith('SELECTING_DOCTOR');
    }
    if (hasTimeWish(draft) && (await offerWishedSlots(turn, doctor))) return;
    const pages = await doctorSlotPages(turn, doctor.id);
    if (pages.length === 0) {
      turn.notice(`Sorry, ${doctor.name} has no free times in the next ${turn.settings.bookingWindowDays} days. Please choose another doctor.`);
      return turn.replaceWith('SELECTING_DOCTOR');
    }
    const { page, options } = slotPageMenu(turn, pages, SLOT_PREFIX);
    turn.menu(`${doctor.name}: free times on ${formatDate(page.date)}. Pick a time:`, options);
  },

  async handle(turn) {
    if (await refineWishFromText(turn)) return turn.askAgain();
    const option = await turn.chosenOption();
    if (!option) return;
    const { draft } = turn.session;
    if (option.id === ALL_TIMES) {
      forgetTimeWish(draft);
      draft.slotPage = 0;
      return turn.askAgain();
    }
    if (option.id.startsWith(SLOT_PREFIX) && hasTimeWish(draft)) return holdChosenSlot(turn, option.id.slice(SLOT_PREFIX.length), { anyDoctor: true });
    if (turnedPage(turn, option.id)) return turn.askAgain();
    await holdChosenSlot(turn, option.id.slice(SLOT_PREFIX.length));
  },
};

function earlier(a: Date, b: Date): Date {
  return a.getTime() <= b.getTime() ? a : b;
}

/**
 * Holds the picked slot for this booking.
 * @param options.anyDoctor the slot came from the wished-slot menu, which may offer another doctor's
 *   times than the one chosen: picking one chooses its doctor
 */
async function holdChosenSlot(turn: Turn, slotId: string, options: { anyDoctor?: boolean } = {}): Promise<void> {
  const { store, settings } = turn.deps;
  const { draft } = turn.session;
  const { name, phone, age, gender, purpose } = draft;
  if (!name || !phone || age === undefined || !gender || !purpose) {
    // Only reachable if a stored session was edited by hand; start the details again rather than guess.
    turn.notice("Some of the patient's details are missing. Let's start again.");
    return turn.replaceWith('AWAITING_NAME');
  }
  const slot = await store.getSlot(slotId);
  if (slot && options.anyDoctor) draft.doctorId = slot.doctorId;
  // The store checks status and capacity under its lock; whether the time has passed is the core's rule.
  const inFuture = slot !== undefined && startsAfter(slot, clinicWallClock(turn.now, settings.clinic.timezone));
  await releaseChatHolds(turn);
  try {
    if (!slot || slot.doctorId !== draft.doctorId || !inFuture) throw new SlotUnavailableError(slotId, 'past');
    const appointment = await store.holdSlot(
      {
        conversation: { channel: turn.inbound.channel, chatId: turn.inbound.chatId },
        patient: { name, phone, age, gender },
        purpose,
        slotId,
        // A hold never outlasts the slot's start: what is held (and paid) after that is a missed time.
        holdExpiresAt: earlier(addMinutes(turn.now, settings.holdMinutes), appointmentStart({ id: slot.id, date: slot.date, time: slot.start }, settings.clinic.timezone)),
      },
      turn.now,
    );
    draft.appointmentId = appointment.id;
    await turn.goTo('SELECTING_PAYMENT_MODE');
  } catch (error) {
    if (!(error instanceof SlotUnavailableError)) throw error;
    turn.notice('Sorry, that time was just taken. Please pick another one.');
    await turn.askAgain();
  }
}
