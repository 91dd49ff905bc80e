/**
 * Moving a booked appointment to another time with the same doctor. Everything else stays as booked,
 * including an online payment already made. The store moves it in one step under its lock, so the old
 * time is given up only when the new one is taken.
 */
import { patientMovedAlert } from '../admin/alerts.js';
import type { Appointment } from '../domain.js';
import { InvalidTransitionError, SlotUnavailableError } from '../errors.js';
import { clinicWallClock, formatDate, startsAfter } from '../slots.js';
import { appointmentChoiceStep, isStillAhead, ownAppointment } from './appointments.js';
import { appointmentWhen } from './describe.js';
import { doctorSlotPages, slotPageMenu, turnedPage } from './slotMenu.js';
import type { Step, Turn } from './turn.js';

const SLOT_PREFIX = 'new-slot:';

export const selectingAppointmentToRescheduleStep = appointmentChoiceStep({
  question: 'Which appointment do you want to move to another time?',
  noneText: 'You have no upcoming appointments to reschedule.',
  next: 'SELECTING_NEW_SLOT',
  skipWhenOnlyOne: true,
});

/** The appointment being moved, if it can still be moved; otherwise says so and returns to the menu. */
async function appointmentToMove(turn: Turn): Promise<Appointment | undefined> {
  const appointment = await ownAppointment(turn, turn.session.targetAppointmentId);
  if (appointment && isStillAhead(turn, appointment)) return appointment;
  turn.notice('That appointment cannot be rescheduled any more.');
  await turn.backToMainMenu();
  return undefined;
}

export const selectingNewSlotStep: Step = {
  async enter(turn) {
    const appointment = await appointmentToMove(turn);
    if (!appointment) return;
    // The doctor's bookable times, without the appointment's own.
    const pages = await doctorSlotPages(turn, appointment.doctorId, (usage) => usage.slot.id !== appointment.slotId);
    if (pages.length === 0) {
      turn.text(
        `Sorry, ${appointment.doctorName} has no other free times in the next ${turn.settings.bookingWindowDays} days. ` +
          `Your appointment stays on ${appointmentWhen(appointment)}.`,
      );
      return turn.backToMainMenu();
    }
    const { page, options } = slotPageMenu(turn, pages, SLOT_PREFIX);
    turn.menu(
      `Your appointment with ${appointment.doctorName} is on ${appointmentWhen(appointment)}.\n` +
        `Free times on ${formatDate(page.date)}. Pick the new time:`,
      options,
    );
  },

  async handle(turn) {
    const option = await turn.chosenOption();
    if (!option) return;
    if (turnedPage(turn, option.id)) return turn.askAgain();
    const appointment = await appointmentToMove(turn);
    if (appointment) await moveTo(turn, appointment, option.id.slice(SLOT_PREFIX.length));
  },
};

async function moveTo(turn: Turn, appointment: Appointment, slotId: string): Promise<void> {
  const { store, settings, alerts } = turn.deps;
  const slot = await store.getSlot(slotId);
  const inFuture = slot !== undefined && startsAfter(slot, clinicWallClock(turn.now, settings.clinic.timezone));
  try {
    if (!slot || !inFuture) throw new SlotUnavailableError(slotId, 'past');
    const moved = await store.rescheduleAppointment(appointment.id, slotId, turn.now);
    turn.text(
      `✅ Done: your appointment ${moved.id} with ${moved.doctorName} is now on ${appointmentWhen(moved)}. ` +
        'Everything else, including any payment, stays as it was.',
    );
    const movedAlert = patientMovedAlert(appointment, moved);
    await alerts?.alert(movedAlert.text, { dedupeKey: movedAlert.dedupeKey });
    await turn.backToMainMenu();
  } catch (error) {
    if (error instanceof InvalidTransitionError) {
      turn.notice('That appointment cannot be rescheduled any more.');
      return turn.backToMainMenu();
    }
    if (!(error instanceof SlotUnavailableError)) throw error;
    turn.notice('Sorry, that time was just taken. Please pick another one.');
    await turn.askAgain();
  }
}
