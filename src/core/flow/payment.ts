/**
 * How the patient pays: at the clinic (confirms at once) or online through a payment link (confirmed
 * when the payment webhook arrives).
 */
import type { Appointment } from '../domain.js';
import { AppointmentNotFoundError, InvalidTransitionError, SlotUnavailableError } from '../errors.js';
import type { MenuOption } from '../messages.js';
import { ownAppointment, releaseHold } from './appointments.js';
import { appointmentWhen, confirmationText, formatMoney } from './describe.js';
import type { Step, Turn } from './turn.js';

const PAY_AT_CLINIC = 'pay-at-clinic';
const PAY_ONLINE = 'pay-online';
const CANCEL_BOOKING = 'cancel-booking';

/** The HELD appointment of this booking, or undefined after sending the patient back to pick a time. */
async function heldAppointment(turn: Turn): Promise<Appointment | undefined> {
  const appointment = await ownAppointment(turn, turn.session.draft.appointmentId);
  if (appointment?.status === 'HELD') return appointment;
  delete turn.session.draft.appointmentId;
  turn.text('Your hold on that time has ended. Please pick a time again.');
  await turn.replaceWith('SELECTING_SLOT');
  return undefined;
}

/** After a booking is confirmed there is no "back" into it: only the optional report remains. */
async function completeBooking(turn: Turn, appointment: Appointment): Promise<void> {
  turn.text(confirmationText(appointment, turn.settings.clinic));
  turn.session.history = [];
  turn.session.draft = {};
  turn.session.targetAppointmentId = appointment.id;
  await turn.replaceWith('AWAITING_REPORT_CHOICE');
}

async function confirmPayAtClinic(turn: Turn, appointment: Appointment): Promise<void> {
  try {
    const confirmed = await turn.deps.store.confirmAppointment(
      appointment.id,
      { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' },
      turn.now,
    );
    await completeBooking(turn, confirmed);
  } catch (error) {
    const lost = error instanceof SlotUnavailableError || error instanceof InvalidTransitionError || error instanceof AppointmentNotFoundError;
    if (!lost) throw error;
    delete turn.session.draft.appointmentId;
    turn.text('Sorry, your hold on that time ran out and it was booked by someone else. Please pick another time.');
    await turn.replaceWith('SELECTING_SLOT');
  }
}

async function startOnlinePayment(turn: Turn, appointment: Appointment): Promise<void> {
  const { payments, store, settings, logger } = turn.deps;
  if (!payments) return turn.askAgain();
  try {
    const link = await payments.createPaymentLink({
      appointment,
      amount: appointment.fee,
      currency: settings.clinic.currency,
      description: `${appointment.doctorName}, ${appointmentWhen(appointment)}`,
      expiresAt: new Date(appointment.holdExpiresAt ?? turn.now),
    });
    await store.updateAppointment(
      appointment.id,
      { paymentMode: 'ONLINE', paymentStatus: 'PENDING', paymentLink: link.url, paymentId: link.linkId },
      turn.now,
    );
    await turn.goTo('AWAITING_PAYMENT');
  } catch (error) {
    logger.error({ err: error, appointmentId: appointment.id }, 'payment link could not be created');
    turn.text('Sorry, online payment is not available right now. You can pay at the clinic instead.');
    await turn.askAgain();
  }
}

export const selectingPaymentModeStep: Step = {
  async enter(turn) {
    const appointment = await heldAppointment(turn);
    if (!appointment) return;
    const { clinic, holdMinutes } = turn.settings;
    const options: MenuOption[] = [{ id: PAY_AT_CLINIC, label: 'Pay at the clinic' }];
    if (turn.deps.payments) options.push({ id: PAY_ONLINE, label: 'Pay online now' });
    turn.menu(
      `${appointment.doctorName}, ${appointmentWhen(appointment)}.\n` +
        `This time is held for you for ${holdMinutes} minutes. How would you like to pay the fee of ${formatMoney(appointment.fee, clinic.currency)}?`,
      options,
    );
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
