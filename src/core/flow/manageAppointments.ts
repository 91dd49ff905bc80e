/**
 * Cancelling an appointment from the chat. The slot is freed at once for other patients.
 */
import { patientCancelledAlert, refundDueAlert } from '../admin/alerts.js';
import { appointmentChoiceStep, ownAppointment } from './appointments.js';
import { appointmentWhen } from './describe.js';
import type { Step } from './turn.js';

const YES = 'yes-cancel';
const NO = 'no-keep';

export const selectingAppointmentToCancelStep = appointmentChoiceStep({
  question: 'Which appointment do you want to cancel?',
  noneText: 'You have no upcoming appointments to cancel.',
  next: 'CONFIRMING_CANCELLATION',
});

export const confirmingCancellationStep: Step = {
  async enter(turn) {
    const appointment = await ownAppointment(turn, turn.session.targetAppointmentId);
    if (!appointment || appointment.status !== 'CONFIRMED') {
      turn.notice('That appointment cannot be cancelled any more.');
      return turn.backToMainMenu();
    }
    turn.menu(`Cancel your appointment with ${appointment.doctorName} on ${appointmentWhen(appointment)}?`, [
      { id: YES, label: 'Yes, cancel it' },
      { id: NO, label: 'No, keep it' },
    ]);
  },
  async handle(turn) {
    const option = await turn.chosenOption({ [YES]: ['yes', 'y', 'haan', 'cancel'], [NO]: ['no', 'n', 'nahi', 'keep'] });
    if (!option) return;
    const appointment = await ownAppointment(turn, turn.session.targetAppointmentId);
    if (option.id === NO || !appointment || appointment.status !== 'CONFIRMED') {
      turn.text(option.id === NO ? 'Okay, your appointment is kept.' : 'That appointment cannot be cancelled any more.');
      return turn.backToMainMenu();
    }
    const refund = appointment.paymentStatus === 'PAID';
    await turn.deps.store.updateAppointment(
      appointment.id,
      { status: 'CANCELLED', ...(refund ? { paymentStatus: 'REFUND_DUE' as const } : {}) },
      turn.now,
    );
    const cancelledAlert = patientCancelledAlert(appointment);
    await turn.deps.alerts?.alert(cancelledAlert.text, { dedupeKey: cancelledAlert.dedupeKey });
    if (refund) {
      const refundAlert = refundDueAlert(appointment);
      await turn.deps.alerts?.alert(refundAlert.text, { dedupeKey: refundAlert.dedupeKey });
    }
    turn.text(
      `Your appointment ${appointment.id} (${appointmentWhen(appointment)}) is cancelled.` +
        (refund ? ' Your payment will be refunded to the original payment method.' : ''),
    );
    await turn.backToMainMenu();
  },
};
