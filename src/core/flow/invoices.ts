/**
 * "Resend invoice": the patient picks one of their paid appointments and gets its invoice PDF again,
 * the same document with the same number (it is never regenerated or renumbered).
 */
import type { Appointment } from '../domain.js';
import { ownAppointment } from './appointments.js';
import { appointmentLine } from './describe.js';
import type { Step, Turn } from './turn.js';

/** Most appointments offered in the menu (the newest). */
const MAX_CHOICES = 8;

/** This chat's appointments that were paid (and so have, or get, an invoice), newest first. */
async function paidAppointments(turn: Turn): Promise<Appointment[]> {
  const appointments = await turn.deps.store.listAppointments({ conversation: { channel: turn.inbound.channel, chatId: turn.inbound.chatId } });
  return appointments.filter((a) => a.paymentStatus === 'PAID' || a.invoiceNo !== null).slice(0, MAX_CHOICES);
}

async function sendInvoice(turn: Turn, appointment: Appointment): Promise<void> {
  const { documents, logger } = turn.deps;
  try {
    if (!documents) throw new Error('documents are not available');
    turn.say(await documents.invoice(appointment));
    turn.text(`Here is the invoice for ${appointmentLine(appointment)}.`);
  } catch (error) {
    logger.error({ err: error, appointmentId: appointment.id }, 'invoice could not be sent');
    turn.text('Sorry, I could not get that invoice right now. Please try again in a little while, or ask at the clinic.');
  }
  await turn.backToMainMenu();
}

/** Starts "Resend invoice" from the main menu. */
export async function startInvoiceResend(turn: Turn): Promise<void> {
  const paid = await paidAppointments(turn);
  if (paid.length === 0) {
    turn.text('You have no paid appointments yet, so there is no invoice to send. An invoice is made once a fee is paid, online or at the clinic.');
    return turn.backToMainMenu();
  }
  if (paid.length === 1) return sendInvoice(turn, paid[0]!);
  await turn.goTo('SELECTING_APPOINTMENT_FOR_INVOICE');
}

export const selectingAppointmentForInvoiceStep: Step = {
  async enter(turn) {
    const paid = await paidAppointments(turn);
    if (paid.length === 0) {
      turn.text('You have no paid appointments yet, so there is no invoice to send.');
      return turn.backToMainMenu();
    }
    turn.menu('Which appointment is the invoice for?', paid.map((a) => ({ id: a.id, label: appointmentLine(a) })));
  },
  async handle(turn) {
    const option = await turn.chosenOption();
    if (!option) return;
    const appointment = await ownAppointment(turn, option.id);
    if (!appointment || (appointment.paymentStatus !== 'PAID' && appointment.invoiceNo === null)) {
      turn.notice('That appointment has no invoice.');
      return turn.askAgain();
    }
    await sendInvoice(turn, appointment);
  },
};
