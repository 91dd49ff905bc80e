/**
 * A patient who books by answering whatever the bot last showed, the same on every channel: the
 * channel drivers turn what they received into a {@link ShownMessage} and carry the {@link Answer}
 * back (a button press, typed text, a shared contact card).
 */

/** What the bot showed last, whatever the channel. */
export interface ShownMessage {
  kind: 'text' | 'menu' | 'link' | 'document' | 'ask-contact';
  text: string;
  /** Option ids of the menu's buttons ('' for buttons this patient cannot read). */
  optionIds: string[];
}

export type Answer =
  | { kind: 'text'; text: string }
  | { kind: 'choice'; optionId: string }
  /** Shares the patient's own phone number (the web chat types it instead). */
  | { kind: 'contact' }
  /** Nothing to answer yet: more of the turn is coming. */
  | { kind: 'wait' }
  /** The patient has what they came for. */
  | { kind: 'done' };

export interface BookingPatient {
  index: number;
  name: string;
  /** A distinct Indian mobile number, as typed ("98000 00012"). */
  phone: string;
  /** Confirmation ids the patient was shown ("ID: APT-…"). */
  confirmationIds: Set<string>;
  /** Slot choices made so far (a taken slot makes the patient pick the next one). */
  slotAttempts: number;
  /** Doctor choices made so far (a doctor without free times makes the patient pick the next one). */
  doctorAttempts: number;
}

/**
 * How the patient answers the payment menus: `ids` are the menu's options. Returns the option to pick,
 * or 'stop' to end the booking there (waiting for an online payment).
 */
export type PaymentChoice = (patient: BookingPatient, ids: readonly string[], text: string) => string | 'stop';

export const payAtClinic: PaymentChoice = (_patient, ids) => (ids.includes('pay-at-clinic') ? 'pay-at-clinic' : 'stop');

function letters(n: number): string {
  return String.fromCharCode(65 + (n % 26)) + String.fromCharCode(97 + (Math.floor(n / 26) % 26));
}

/** Patient number `index` of a run; `prefix` keeps the phone numbers of groups in one run apart. */
export function newBookingPatient(index: number, prefix = 0): BookingPatient {
  return {
    index,
    name: `Patient ${letters(index)}${prefix > 0 ? ` ${letters(prefix)}` : ''}`,
    phone: `98${String(prefix).padStart(3, '0')} ${String(index).padStart(5, '0')}`,
    confirmationIds: new Set(),
    slotAttempts: 0,
    doctorAttempts: 0,
  };
}

/** Remembers a confirmation id the bot showed. */
export function noteConfirmation(patient: BookingPatient, text: string): void {
  const id = /ID: (APT-[A-Za-z0-9]+)/.exec(text)?.[1];
  if (id && /confirmed/i.test(text)) patient.confirmationIds.add(id);
}

/** The patient's answer to the last message the bot showed. */
export function answerTo(patient: BookingPatient, shown: ShownMessage, choosePayment: PaymentChoice = payAtClinic): Answer {
  const ids = shown.optionIds;
  if (shown.kind === 'document') return { kind: 'wait' };
  if (ids.includes('book')) return patient.confirmationIds.size > 0 ? { kind: 'done' } : { kind: 'choice', optionId: 'book' };
  if (ids.includes('FEMALE')) return { kind: 'choice', optionId: 'FEMALE' };
  if (ids.includes('pay-at-clinic') || ids.includes('pay-online')) {
    const choice = choosePayment(patient, ids, shown.text);
    return choice === 'stop' ? { kind: 'done' } : { kind: 'choice', optionId: choice };
  }
  if (ids.includes('no-report')) return { kind: 'choice', optionId: 'no-report' };
  const slots = ids.filter((id) => id.startsWith('slot:'));
  if (slots.length > 0) return { kind: 'choice', optionId: slots[(patient.index + patient.slotAttempts++) % slots.length]! };
  if (shown.kind === 'menu' && ids.length > 0 && ids.every((id) => id.startsWith('SAMPLE-'))) {
    return { kind: 'choice', optionId: ids[(patient.index + patient.doctorAttempts++) % ids.length]! };
  }
  if (shown.kind === 'ask-contact') return { kind: 'contact' };
  if (/full name/i.test(shown.text)) return { kind: 'text', text: patient.name };
  if (/how old/i.test(shown.text)) return { kind: 'text', text: '34' };
  if (/what is the visit for/i.test(shown.text)) return { kind: 'text', text: `check-up number ${patient.index}` };
  return { kind: 'wait' };
}
