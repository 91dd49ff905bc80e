/**
 * Changing appointments from the admin chat: /cancel, /paid, /done, /refunds and /refunded.
 */
import type { Appointment } from '../../domain.js';
import { appointmentWhen, formatMoney } from '../../flow/describe.js';
import type { Channel } from '../../messages.js';
import { hasStarted } from '../../slots.js';
import { visibleLength } from '../../text.js';
import { words } from '../commandLine.js';
import { AdminCommandError, AdminUsageError } from '../errors.js';
import { appointmentLine, pagedText, reply, statusLabel } from '../format.js';
import { requireAppointment } from '../lookups.js';
import { lineOptions, type AdminCommand, type CommandContext } from './types.js';

/** Longest cancellation reason; it is sent to the patient and kept in the appointment's notes. */
export const REASON_MAX = 200;

const CHANNEL_NAMES: Record<Channel, string> = { telegram: 'Telegram', whatsapp: 'WhatsApp', web: 'the web chat' };

/** The id and the rest of the line ("APT-1 patient asked" -> ["APT-1", "patient asked"]). */
function idAndRest(args: string): [string | undefined, string] {
  const [id, ...rest] = words(args);
  return [id, rest.join(' ')];
}

/** The id, refusing anything typed after it (e.g. "/paid APT-1 APT-2" would otherwise skip APT-2). */
function onlyId(context: CommandContext): string | undefined {
  const [id, rest] = idAndRest(context.args);
  if (rest) throw new AdminUsageError('Give one appointment id and nothing else.');
  return id;
}

function withNote(appointment: Appointment, note: string): string {
  return appointment.notes ? `${appointment.notes}\n${note}` : note;
}

function cancellationMessage(appointment: Appointment, reason: string, refund: boolean, context: CommandContext): string {
  const { clinic } = context.deps;
  return [
    `Your appointment ${appointment.id} with ${appointment.doctorName} on ${appointmentWhen(appointment)} has been cancelled by ${clinic.name}.`,
    ...(reason ? [`Reason: ${reason}`] : []),
    ...(refund ? [`Your payment of ${formatMoney(appointment.fee, clinic.currency)} will be refunded to the original payment method.`] : []),
    `We are sorry for the trouble. To book another time, send "menu". Questions: ${clinic.phone}.`,
  ].join('\n');
}

export const cancelCommand: AdminCommand = {
  name: 'cancel',
  usage: '<appointment id> [reason]',
  description: 'Cancel an appointment, free its slot and tell the patient',
  async run(context) {
    const [id, reason] = idAndRest(context.args);
    if (visibleLength(reason) > REASON_MAX) throw new AdminUsageError(`Keep the reason under ${REASON_MAX} characters (it is sent to the patient).`);
    const { store, notifier, clinic, logger } = context.deps;
    const appointment = await requireAppointment(store, id);
    if (appointment.status !== 'CONFIRMED' && appointment.status !== 'HELD') {
      throw new AdminCommandError(`${appointment.id} is ${statusLabel(appointment.status)}; nothing was changed.`);
    }
    const refund = appointment.paymentStatus === 'PAID';
    const cancelled = await store.updateAppointment(
      appointment.id,
      {
        status: 'CANCELLED',
        holdExpiresAt: null,
        ...(refund ? { paymentStatus: 'REFUND_DUE' as const } : {}),
        notes: withNote(appointment, `Cancelled by the clinic${reason ? `: ${reason}` : ''}`),
      },
      context.request.now,
    );
    const lines = [`Cancelled ${cancelled.id} (${cancelled.patient.name}, ${cancelled.doctorName}, ${appointmentWhen(cancelled)}). The slot is free again.`];
    try {
      await notifier.send(
        cancelled.conversation,
        [{ kind: 'text', text: cancellationMessage(cancelled, reason, refund, context) }],
        { dedupeKey: `admin-cancel:${cancelled.id}` },
      );
      lines.push(`The patient is told on ${CHANNEL_NAMES[cancelled.conversation.channel]}.`);
    } catch (error) {
      logger?.error({ err: error, appointmentId: cancelled.id }, 'cancellation message to the patient could not be stored');
      lines.push(`The message to the patient could not be queued: please call them on ${cancelled.patient.phone}.`);
    }
    if (refund) lines.push(`It was paid (${formatMoney(cancelled.fee, clinic.currency)}): a refund is now due. See /refunds; mark it with /refunded ${cancelled.id}.`);
    return { replies: reply(lines.join('\n')), summary: `cancelled ${cancelled.id}${refund ? ', refund due' : ''}` };
  },
};

export const paidCommand: AdminCommand = {
  name: 'paid',
  usage: '<appointment id>',
  description: 'Record the fee paid in cash at the clinic',
  async run(context) {
    const { store, clinic, onPaidAtClinic, logger } = context.deps;
    const appointment = await requireAppointment(store, onlyId(context));
    if (appointment.paymentStatus === 'PAID') throw new AdminCommandError(`${appointment.id} is already paid; nothing was changed.`);
    if (appointment.paymentStatus === 'REFUND_DUE' || appointment.paymentStatus === 'REFUNDED') {
      throw new AdminCommandError(`${appointment.id} has a refund (${appointment.paymentStatus}); nothing was changed.`);
    }
    const now = context.request.now;
    let paid: Appointment;
    if (appointment.status === 'HELD') {
      // Cash for a booking still waiting for online payment: it is confirmed as paid at the clinic.
      paid = await store.confirmAppointment(appointment.id, { paymentMode: 'CLINIC', paymentStatus: 'PAID' }, now);
    } else if (appointment.status === 'CONFIRMED' || appointment.status === 'COMPLETED') {
      paid = await store.updateAppointment(appointment.id, { paymentMode: 'CLINIC', paymentStatus: 'PAID' }, now);
    } else {
      throw new AdminCommandError(`${appointment.id} is ${statusLabel(appointment.status)}; nothing was changed.`);
    }
    const lines = [`${paid.id} (${paid.patient.name}) is marked paid at the clinic: ${formatMoney(paid.fee, clinic.currency)}.`];
    if (onPaidAtClinic) {
      try {
        await onPaidAtClinic(paid);
        lines.push('The invoice is on its way to the patient.');
      } catch (error) {
        logger?.error({ err: error, appointmentId: paid.id }, 'invoice for a cash payment could not be issued');
        lines.push('The payment is recorded, but the invoice could not be issued just now (see the service log); the patient can get it later with "Resend invoice".');
      }
    }
    return { replies: reply(lines.join('\n')), summary: `paid at clinic ${paid.id}` };
  },
};

export const doneCommand: AdminCommand = {
  name: 'done',
  usage: '<appointment id>',
  description: 'Mark an appointment as attended (completed)',
  async run(context) {
    const { store } = context.deps;
    const appointment = await requireAppointment(store, onlyId(context));
    if (appointment.status !== 'CONFIRMED' && appointment.status !== 'NO_SHOW') {
      throw new AdminCommandError(`${appointment.id} is ${statusLabel(appointment.status)}; nothing was changed.`);
    }
    // A typo of one id must not close a later appointment: marked done, it gets no reminders and
    // can never become a no-show.
    if (appointment.status === 'CONFIRMED' && !hasStarted(appointment, context.request.now, context.deps.clinic.timezone)) {
      throw new AdminCommandError(
        `${appointment.id} (${appointment.patient.name}) is on ${appointmentWhen(appointment)}: it can be marked done once it has started. Nothing was changed.`,
      );
    }
    const done = await store.updateAppointment(appointment.id, { status: 'COMPLETED' }, context.request.now);
    return { replies: reply(`${done.id} (${done.patient.name}, ${appointmentWhen(done)}) is marked done.`), summary: `done ${done.id}` };
  },
};

export const refundsCommand: AdminCommand = {
  name: 'refunds',
  usage: '',
  description: 'Payments waiting to be refunded',
  async run(context) {
    if (context.args) throw new AdminUsageError('/refunds takes nothing after it.');
    const { store, clinic } = context.deps;
    const due = (await store.listAppointments({})).filter((a) => a.paymentStatus === 'REFUND_DUE');
    if (due.length === 0) return { replies: reply('No refunds are due.'), summary: 'none due' };
    const total = due.reduce((sum, a) => sum + a.fee, 0);
    const lines = due.map(
      (a) => `${appointmentLine(a, lineOptions(context, { withDate: true, withDoctor: true }))}${a.paymentId ? ` · payment ${a.paymentId}` : ''}`,
    );
    lines.push('', 'After refunding, send /refunded <appointment id>.');
    return {
      replies: pagedText(`${due.length} refund${due.length === 1 ? '' : 's'} due, ${formatMoney(total, clinic.currency)} in all:`, lines),
      summary: `${due.length} due`,
    };
  },
};

export const refundedCommand: AdminCommand = {
  name: 'refunded',
  usage: '<appointment id>',
  description: 'Record that a due refund was made',
  async run(context) {
    const { store, clinic } = context.deps;
    const appointment = await requireAppointment(store, onlyId(context));
    if (appointment.paymentStatus !== 'REFUND_DUE') {
      throw new AdminCommandError(`${appointment.id} has no refund due (payment: ${appointment.paymentStatus ?? 'none'}); nothing was changed.`);
    }
    const refunded = await store.updateAppointment(appointment.id, { paymentStatus: 'REFUNDED' }, context.request.now);
    return {
      replies: reply(`${refunded.id} (${refunded.patient.name}): refund of ${formatMoney(refunded.fee, clinic.currency)} recorded.`),
      summary: `refunded ${refunded.id}`,
    };
  },
};
