/**
 * How the patient pays: at the clinic (confirms at once) or online through a payment link (confirmed
 * when the payment webhook arrives).
 */
import { bookingConfirmedAlert } from '../admin/alerts.js';
import type { Appointment } from '../domain.js';
import { AppointmentNotFoundError, InvalidTransitionError, SlotUnavailableError } from '../errors.js';
import type { MenuOption } from '../messages.js';
import type { PaymentGateway } from '../ports.js';
import { appointmentStart, hasStarted } from '../slots.js';
import { ownAppointment, releaseHold } from './appointments.js';
import { appointmentWhen, confirmationText, formatMoney } from './describe.js';
import type { Step, Turn } from './turn.js';

const PAY_AT_CLINIC = 'pay-at-clinic';
const PAY_ONLINE = 'pay-online';
const CANCEL_BOOKING = 'cancel-booking';

/** The HELD appointment of this booking, or undefined after moving the patient on. */
async function heldAppointment(turn: Turn): Promise<Appointment | undefined> {
  const appointment = await ownAppointment(turn, turn.session.draft.appointmentId);
  // A hold ends at the latest when its time starts, even before the expiry sweep has marked it.
  if (appointment?.status === 'HELD' && !hasStarted(appointment, turn.now, turn.settings.clinic.timezone)) return appointment;
  // The payment webhook confirmed it while the patient was away: they were told by a push already.
  // Paying at the clinic, it was confirmed by an earlier delivery of this answer whose turn was lost
  // (a crash before it was saved): confirm it again in the same words.
  if (appointment?.status === 'CONFIRMED') {
    if (appointment.paymentMode === 'CLINIC') await completeBooking(turn, appointment);
    else await paidMeanwhile(turn, appointment);
    return undefined;
  }
  await holdEnded(turn);
  return undefined;
}

/** Leaves the booking steps once the appointment is confirmed (only the optional report remains). */
async function leaveBooking(turn: Turn, appointment: Appointment): Promise<void> {
  turn.session.history = [];
  turn.session.draft = {};
  turn.session.targetAppointmentId = appointment.id;
  await turn.replaceWith('AWAITING_REPORT_CHOICE');
}

async function paidMeanwhile(turn: Turn, appointment: Appointment): Promise<void> {
  turn.text(`Your payment has arrived: your appointment with ${appointment.doctorName} on ${appointmentWhen(appointment)} is confirmed (ID: ${appointment.id}).`);
  await leaveBooking(turn, appointment);
}

/** After a booking is confirmed there is no "back" into it: only the optional report remains. */
async function completeBooking(turn: Turn, appointment: Appointment): Promise<void> {
  turn.text(confirmationText(appointment, turn.settings.clinic));
  const alert = bookingConfirmedAlert(appointment);
  await turn.deps.alerts?.alert(alert.text, { dedupeKey: alert.dedupeKey });
  const { documents, logger } = turn.deps;
  if (documents) {
    // The PDF follows the text after the turn: rendering it must not hold up the patient's reply.
    // The booking is stored already, so a document that cannot be promised must not undo the turn.
    try {
      await documents.oweConfirmation(appointment);
      turn.afterCommit(() => documents.sendOwed());
    } catch (error) {
      logger.error({ err: error, appointmentId: appointment.id }, 'confirmation document could not be promised');
    }
  }
  await leaveBooking(turn, appointment);
}

async function confirmPayAtClinic(turn: Turn, appointment: Appointment): Promise<void> {
  try {
    const confirmed = await turn.deps.store.confirmAppointment(
      appointment.id,
      { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' },
      turn.now,
    );
    // Confirmed first, then the link closed: a payment landing in between still counts (the webhook
    // turns the appointment into a paid one), and the link's "cancelled" event finds it confirmed.
    if (appointment.paymentLink) await turn.deps.payments?.cancelPaymentLink(appointment.id);
    await completeBooking(turn, confirmed);
  } catch (error) {
    if (error instanceof SlotUnavailableError && error.reason === 'blocked') return slotClosed(turn);
    const lost = error instanceof SlotUnavailableError || error instanceof InvalidTransitionError || error instanceof AppointmentNotFoundError;
    if (!lost) throw error;
    delete turn.session.draft.appointmentId;
    turn.notice('Sorry, your hold on that time ran out and it was booked by someone else. Please pick another time.');
    await turn.replaceWith('SELECTING_SLOT');
  }
}

/**
 * The clinic closed the held time for bookings (a doctor's leave) before the patient confirmed it: the
 * hold and any payment link are given up, so nothing can be paid for a time that cannot be booked.
 */
async function slotClosed(turn: Turn): Promise<void> {
  await releaseHold(turn);
  turn.notice('Sorry, the clinic has just closed that time for bookings. Please pick another time.');
  await turn.replaceWith('SELECTING_SLOT');
}

async function holdEnded(turn: Turn): Promise<void> {
  delete turn.session.draft.appointmentId;
  turn.notice('Your hold on that time has ended. Please pick a time again.');
  await turn.replaceWith('SELECTING_SLOT');
}

/**
 * Whether a payment link can be valid for the provider's minimum time and still end before the
 * appointment starts: a payment must never land for a time that has begun.
 */
function payableOnline(turn: Turn, appointment: Appointment): boolean {
  const { payments } = turn.deps;
  // A free visit has nothing to pay (and a payment link cannot be made for nothing).
  if (!payments || appointment.fee <= 0) return false;
  return earliestLinkEnd(turn, payments) <= appointmentStart(appointment, turn.settings.clinic.timezone).getTime();
}

/** The soonest a link made now may end: the payment provider needs some minutes of validity. */
function earliestLinkEnd(turn: Turn, payments: PaymentGateway): number {
  return turn.now.getTime() + payments.minimumLinkMinutes * 60_000;
}

async function startOnlinePayment(turn: Turn, appointment: Appointment): Promise<void> {
  const { payments, store, settings, logger } = turn.deps;
  if (!payments) return turn.askAgain();
  // Back from the payment step: the link made a moment ago is still open, so show it again.
  if (appointment.paymentStatus === 'PENDING' && appointment.paymentLink) return turn.goTo('AWAITING_PAYMENT');
  const holdEnds = Date.parse(appointment.holdExpiresAt ?? '');
  if (!(holdEnds > turn.now.getTime())) return holdEnded(turn);
  if ((await store.getSlot(appointment.slotId))?.status !== 'OPEN') return slotClosed(turn);
  if (!payableOnline(turn, appointment)) {
    turn.notice('This time starts too soon to pay online. Please pay at the clinic: your time is still held.');
    return turn.askAgain();
  }
  // The hold is stretched to match the link, which still ends before the appointment starts.
  const expiresAt = new Date(Math.max(holdEnds, earliestLinkEnd(turn, payments)));
  let link;
  try {
    link = await payments.createPaymentLink({
      appointment,
      amount: appointment.fee,
      currency: settings.clinic.currency,
      description: `${appointment.doctorName}, ${appointmentWhen(appointment)}`,
      expiresAt,
    });
  } catch (error) {
    logger.error({ err: error, appointmentId: appointment.id }, 'payment link could not be created');
    turn.notice('Sorry, online payment is not available right now, and nothing was charged. You can pay at the clinic instead: your time is still held.');
    return turn.askAgain();
  }
  let updated: Appointment;
  try {
    updated = await store.updateAppointment(
      appointment.id,
      { paymentMode: 'ONLINE', paymentStatus: 'PENDING', paymentLink: link.url, holdExpiresAt: expiresAt.toISOString() },
      turn.now,
    );
  } catch (error) {
    // Nothing half-made: a link the appointment does not know of must not stay payable.
    await payments.cancelPaymentLink(appointment.id);
    throw error;
  }
  if (updated.status !== 'HELD') {
    await payments.cancelPaymentLink(appointment.id);
    return holdEnded(turn);
  }
  await turn.goTo('AWAITING_PAYMENT');
}

/** Whole minutes the hold has left (it may be shorter than HOLD_MINUTES when the time starts soon). */
function heldMinutes(turn: Turn, appointment: Appointment): number {
  const left = Date.parse(appointment.holdExpiresAt ?? '') - turn.now.getTime();
  return Number.isFinite(left) ? Math.max(1, Math.ceil(left / 60_000)) : turn.settings.holdMinutes;
}

export const selectingPaymentModeStep: Step = {
  async enter(turn) {
    const appointment = await heldAppointment(turn);
    if (!appointment) return;
    const { clinic } = turn.settings;
    const held = `${appointment.doctorName}, ${appointmentWhen(appointment)}.\nThis time is held for you for ${heldMinutes(turn, appointment)} minutes.`;
    if (appointment.fee <= 0) {
      return turn.menu(`${held} There is no fee for this visit.`, [{ id: PAY_AT_CLINIC, label: 'Confirm the booking' }]);
    }
    const options: MenuOption[] = [{ id: PAY_AT_CLINIC, label: 'Pay at the clinic' }];
    const online = payableOnline(turn, appointment);
    if (online) options.push({ id: PAY_ONLINE, label: 'Pay online now' });
    const tooSoon = turn.deps.payments && !online ? ' It starts too soon to pay online.' : '';
    turn.menu(`${held}${tooSoon} How would you like to pay the fee of ${formatMoney(appointment.fee, clinic.currency)}?`, options);
  },
  async handle(turn) {
    const option = await turn.chosenOption({ [PAY_AT_CLINIC]: ['clinic', 'cash', 'later'], [PAY_ONLINE]: ['online', 'upi', 'card'] });
    if (!option) return;
    const appointment = await heldAppointment(turn);
    if (!appointment) return;
    if (option.id === PAY_ONLINE) return startOnlinePayment(turn, appointment);
    await confirmPayAtClinic(turn, appointment);
  },
};

export const awaitingPaymentStep: Step = {
  async enter(turn) {
    const appointment = await heldAppointment(turn);
    if (!appointment) return;
    const fee = formatMoney(appointment.fee, turn.settings.clinic.currency);
    if (appointment.paymentLink) {
      turn.say({ kind: 'link', text: `Please pay ${fee} to confirm your appointment.`, url: appointment.paymentLink, label: `Pay ${fee}` });
    }
    turn.menu("I'll confirm your appointment here as soon as the payment arrives.", [
      { id: PAY_AT_CLINIC, label: 'Pay at the clinic instead' },
      { id: CANCEL_BOOKING, label: 'Cancel this booking' },
    ]);
  },
  async handle(turn) {
    // Whatever the patient says, a payment that arrived meanwhile comes first.
    const current = await ownAppointment(turn, turn.session.draft.appointmentId);
    if (current?.status === 'CONFIRMED' && current.paymentMode === 'ONLINE') return paidMeanwhile(turn, current);
    const option = await turn.chosenOption();
    if (!option) return;
    if (option.id === CANCEL_BOOKING) {
      await releaseHold(turn);
      turn.text('Okay, the booking is cancelled and the time is free again.');
      return turn.backToMainMenu();
    }
    const appointment = await heldAppointment(turn);
    if (appointment) await confirmPayAtClinic(turn, appointment);
  },
};
