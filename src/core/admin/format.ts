/**
 * How admin replies read: one line per appointment or slot, masked addresses, and long lists split
 * into messages that fit a chat message (Telegram takes at most 4096 characters).
 */
import type { DeliveryChannel } from '../delivery.js';
import type { Appointment, AppointmentStatus, PaymentStatus } from '../domain.js';
import { formatMoney } from '../flow/describe.js';
import type { Outbound } from '../messages.js';
import { maskChatId, maskPhone } from '../masking.js';
import { formatTime } from '../slots.js';

export { maskChatId };

/** Characters per reply message, under Telegram's 4096 with room for a "continued" note. */
export const MESSAGE_LIMIT = 3800;
/** Messages one reply may take; longer lists are trimmed with a note on how to narrow them. */
export const MAX_MESSAGES = 4;

/** Runs of 7 or more digits, with the spaces, dots, dashes and brackets people put in phone numbers. */
const PHONE_LIKE = /\+?\d[\d\s().-]{5,}\d/g;
/** Dates (2026-11-21, 21/11/2026, 21-11-26, 21/11), kept as they are: they are not phone numbers. */
const DATE_LIKE = /(?<!\d)(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}\/\d{1,2})(?!\d)/g;
/**
 * Ids that start with a letter and join parts with dashes or underscores (slot ids such as
 * S-DERM-20261123-1510, INV-2026-000001): their digits are dates and serials, never a phone number,
 * and the audit log must still tell which slot or invoice a command touched.
 */
const IDENTIFIER_LIKE = /(?<![\p{L}\p{M}\d])\p{L}[\p{L}\p{M}\d]*(?:[-_][\p{L}\p{M}\d]+)+/gu;
const PLACEHOLDER = /\u0000(\d+)\u0000/g;

/** The text with every phone-like number masked (for the audit log). */
export function maskPhonesIn(text: string): string {
  const kept: string[] = [];
  const setAside = (part: string) => `\u0000${kept.push(part) - 1}\u0000`;
  // Ids and dates are set aside first, so "2026 2026-11-21" is never read as one long number.
  const rest = text.replace(PLACEHOLDER, '').replace(IDENTIFIER_LIKE, setAside).replace(DATE_LIKE, setAside);
  const masked = rest.replace(PHONE_LIKE, (run) => (run.replace(/\D/g, '').length >= 7 ? maskPhone(run) : run));
  return masked.replace(PLACEHOLDER, (_, index: string) => kept[Number(index)] ?? '');
}

const CHANNEL_LABELS: Record<DeliveryChannel, string> = {
  web: 'web chat',
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  'telegram-admin': 'admin bot',
};

/** "web chat", "Telegram", "WhatsApp", "admin bot". */
export function channelLabel(channel: DeliveryChannel): string {
  return CHANNEL_LABELS[channel];
}

const STATUS_LABELS: Record<AppointmentStatus, string> = {
  HELD: 'held (awaiting payment)',
  CONFIRMED: 'confirmed',
  COMPLETED: 'done',
  NO_SHOW: 'no-show',
  CANCELLED: 'cancelled',
  EXPIRED: 'hold expired',
};

const PAYMENT_LABELS: Record<PaymentStatus, string> = {
  PAY_AT_CLINIC: 'to pay at clinic',
  PENDING: 'online payment pending',
  PAID: 'paid',
  REFUND_DUE: 'REFUND DUE',
  REFUNDED: 'refunded',
};

export function statusLabel(status: AppointmentStatus): string {
  return STATUS_LABELS[status];
}

/** "paid online ₹500", "to pay at clinic ₹800". */
export function paymentLabel(appointment: Appointment, currency: string): string {
  const fee = formatMoney(appointment.fee, currency);
  if (appointment.paymentStatus === null) return `no payment yet, ${fee}`;
  const mode = appointment.paymentStatus === 'PAID' ? (appointment.paymentMode === 'ONLINE' ? ' online' : ' at clinic') : '';
  return `${PAYMENT_LABELS[appointment.paymentStatus]}${mode} ${fee}`;
}

export interface LineOptions {
  currency: string;
  /** Full phone numbers for staff who call patients; masked otherwise. */
  fullPhones: boolean;
  /** Prefix the line with the date (lists across days). */
  withDate?: boolean;
  /** Include the doctor (lists not grouped by doctor). */
  withDoctor?: boolean;
}

/** "11:00 AM · APT-7K3Q9XMD · Asha Rao · +919876543210 · confirmed · to pay at clinic ₹500". */
export function appointmentLine(appointment: Appointment, options: LineOptions): string {
  const phone = options.fullPhones ? appointment.patient.phone : maskPhone(appointment.patient.phone);
  return [
    options.withDate ? `${appointment.date} ${formatTime(appointment.time)}` : formatTime(appointment.time),
    appointment.id,
    appointment.patient.name,
    phone,
    ...(options.withDoctor ? [appointment.doctorName] : []),
    statusLabel(appointment.status),
    // The patient answered a reminder's Confirm: staff see during the day who said they are coming.
    ...(appointment.status === 'CONFIRMED' && appointment.patientConfirmedAt ? ['✓ patient confirmed'] : []),
    paymentLabel(appointment, options.currency),
  ].join(' · ');
}

/** Room kept in the last message for the "… and N more" note. */
const NOTE_ROOM = 200;

/**
 * Text messages holding `header` and then `lines`, split at line ends so none exceeds
 * {@link MESSAGE_LIMIT}; after {@link MAX_MESSAGES} the rest is replaced by `trimmedHint`.
 */
export function pagedText(header: string, lines: string[], trimmedHint = 'Narrow the list to see the rest.'): Outbound[] {
  const messages: string[] = [];
  let current = header;
  let shown = 0;
  for (const rawLine of lines) {
    const line = rawLine.length > MESSAGE_LIMIT - NOTE_ROOM ? `${rawLine.slice(0, MESSAGE_LIMIT - NOTE_ROOM - 1)}…` : rawLine;
    const last = messages.length + 1 >= MAX_MESSAGES;
    const room = last ? MESSAGE_LIMIT - NOTE_ROOM : MESSAGE_LIMIT;
    if (current.length + 1 + line.length > room) {
      if (last) break;
      messages.push(current);
      current = '(continued)';
    }
    current = current.length > 0 ? `${current}\n${line}` : line;
    shown += 1;
  }
  const rest = lines.length - shown;
  if (rest > 0) current += `\n… and ${rest} more line${rest === 1 ? '' : 's'}. ${trimmedHint.slice(0, NOTE_ROOM - 40)}`;
  messages.push(current);
  return messages.map((text) => ({ kind: 'text', text }));
}

/** One short text reply. */
export function reply(text: string): Outbound[] {
  return [{ kind: 'text', text }];
}
