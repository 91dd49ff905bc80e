/**
 * IDLE: the main menu, and the tasks that start from it.
 */
import type { InboundContent, MenuOption } from '../messages.js';
import { matchMenuAnswer, type OptionAliases } from '../menuMatching.js';
import type { BookingIntent, IntentName } from '../ports.js';
import { applyIntent, describeWish, detectIntent, hasTimeWish, wishOf } from './wishedSlots.js';
import { appointmentLine } from './describe.js';
import { lastBooking, releaseHold, upcomingAppointments } from './appointments.js';
import { EARLIER_BUTTON, type Step, type Turn } from './turn.js';
import { startInvoiceResend } from './invoices.js';

export const MAIN_MENU: MenuOption[] = [
  { id: 'book', label: 'Book an appointment' },
  { id: 'mine', label: 'My appointments' },
  { id: 'cancel-appointment', label: 'Cancel an appointment' },
  { id: 'reschedule-appointment', label: 'Reschedule an appointment' },
  { id: 'report', label: 'Upload a report' },
  { id: 'contact', label: 'Contact the clinic' },
  { id: 'help', label: 'Help' },
];

/** Offered when the service makes documents (invoices), just before "Contact the clinic". */
const RESEND_INVOICE: MenuOption = { id: 'invoice', label: 'Resend invoice' };

/** The main menu as this service offers it. */
export function mainMenuOptions(turn: Turn): MenuOption[] {
  if (!turn.deps.documents) return MAIN_MENU;
  const at = MAIN_MENU.findIndex((option) => option.id === 'contact');
  return at < 0 ? [...MAIN_MENU, RESEND_INVOICE] : [...MAIN_MENU.slice(0, at), RESEND_INVOICE, ...MAIN_MENU.slice(at)];
}

const MAIN_MENU_ALIASES: OptionAliases = {
  book: ['book', 'booking', 'appointment', 'new appointment', 'doctor', 'appointment chahiye', 'book karna hai'],
  mine: ['my bookings', 'appointments', 'mere appointment'],
  'cancel-appointment': ['cancel appointment', 'cancel booking'],
  'reschedule-appointment': ['reschedule', 'change time', 'change appointment', 'move appointment', 'postpone'],
  report: ['report', 'upload', 'reports'],
  contact: ['contact', 'call', 'address', 'phone number'],
  invoice: ['invoice', 'resend invoice', 'bill', 'receipt'],
};

export function helpText(clinicName: string): string {
  return [
    `I can book a doctor's appointment at ${clinicName} for you, show your appointments, move one to another time, cancel one, or take a medical report for the doctor.`,
    'Tap a button or reply with its number. At any time you can type:',
    '• menu – back to the main menu',
    '• back – go to the previous question',
    '• cancel – stop what you are doing',
    '• help – this message',
  ].join('\n');
}

/** Starts a booking: returning patients may reuse their last details. A detected intent's wishes are kept. */
export async function startBooking(turn: Turn, intent?: BookingIntent): Promise<void> {
  turn.session.draft = {};
  if (intent && applyIntent(turn.session.draft, intent)) {
    const { draft } = turn.session;
    const doctor = draft.wishedDoctorId ? await turn.deps.store.getDoctor(draft.wishedDoctorId) : undefined;
    const who = doctor ? ` with ${doctor.name}` : draft.specialty ? ` with a ${draft.specialty} doctor` : '';
    const when = hasTimeWish(draft) ? ` ${describeWish(wishOf(draft))}` : '';
    turn.notice(`Sure, let's book an appointment${who}${when}. First a few details.`);
  }
  await turn.goTo((await lastBooking(turn)) ? 'CONFIRMING_RETURNING_PATIENT' : 'AWAITING_NAME');
}

/** The chat's upcoming appointments, one per line, or that there are none. */
export async function upcomingAppointmentsText(turn: Turn): Promise<string> {
  const upcoming = await upcomingAppointments(turn);
  return upcoming.length === 0
    ? 'You have no upcoming appointments.'
    : ['Your upcoming appointments:', ...upcoming.map((a, i) => `${i + 1}. ${appointmentLine(a)}`)].join('\n');
}

async function showMyAppointments(turn: Turn): Promise<void> {
  turn.text(await upcomingAppointmentsText(turn));
  await turn.backToMainMenu();
}

async function showContact(turn: Turn): Promise<void> {
  const { clinic } = turn.settings;
  turn.text(`${clinic.name}\n${clinic.address}\nPhone: ${clinic.phone}`);
  await turn.backToMainMenu();
}

/** Runs a main-menu task by its option id. */
export async function runMainMenuTask(turn: Turn, taskId: string): Promise<void> {
  switch (taskId) {
    case 'book':
      return startBooking(turn);
    case 'mine':
      return showMyAppointments(turn);
    case 'cancel-appointment':
      return turn.goTo('SELECTING_APPOINTMENT_TO_CANCEL');
    case 'reschedule-appointment':
      return turn.goTo('SELECTING_APPOINTMENT_TO_RESCHEDULE');
    case 'report':
      return turn.goTo('SELECTING_APPOINTMENT_FOR_REPORT');
    case 'contact':
      return showContact(turn);
    case 'invoice':
      return startInvoiceResend(turn);
    default:
      turn.text(helpText(turn.settings.clinic.name));
      return turn.backToMainMenu();
  }
}

/** Marks an option id as a main-menu task to start from any step (`task:book`). */
const TASK_CHOICE_PREFIX = 'task:';

/**
 * The option id that starts main-menu task `taskId` (e.g. "book") from whatever the chat is doing,
 * as "menu" and then the task's button would, but in one reply: the task's first question, without
 * the main menu before it. For channels that offer tasks as shortcuts (Telegram's /book).
 */
export function mainMenuTaskChoice(taskId: string): string {
  return `${TASK_CHOICE_PREFIX}${taskId}`;
}

/** The main-menu task a message asks to start from any step, if it is such a choice. */
export function mainMenuTaskOf(content: InboundContent): string | undefined {
  if (content.kind !== 'choice' || !content.optionId.startsWith(TASK_CHOICE_PREFIX)) return undefined;
  return content.optionId.slice(TASK_CHOICE_PREFIX.length) || undefined;
}

/** The label of the task a {@link mainMenuTaskChoice} starts (for the stored transcript), if the id is one. */
export function mainMenuTaskLabel(optionId: string): string | undefined {
  const taskId = mainMenuTaskOf({ kind: 'choice', optionId });
  return [...MAIN_MENU, RESEND_INVOICE].find((option) => option.id === taskId)?.label;
}

/**
 * Leaves the current task (freeing a held slot, as "menu" does) and starts a main-menu task. A task
 * this service does not offer (invoices without documents, an unknown id) shows the main menu instead.
 */
export async function startMainMenuTaskAnywhere(turn: Turn, taskId: string): Promise<void> {
  await releaseHold(turn);
  if (!mainMenuOptions(turn).some((option) => option.id === taskId)) return turn.backToMainMenu();
  turn.leaveTask();
  return runMainMenuTask(turn, taskId);
}

/** Main-menu tasks an intent opens, by the option ids the menu may offer. */
export const TASKS_OF_INTENT: Partial<Record<IntentName, readonly string[]>> = {
  my_appointments: ['mine'],
  cancel: ['cancel-appointment'],
  reschedule: ['reschedule-appointment'],
  upload_report: ['report'],
  invoice: ['invoice'],
  help: ['help'],
};

/** Opens the part of the menu a patient's free text asks for. */
async function followIntent(turn: Turn, intent: BookingIntent): Promise<void> {
  if (intent.intent === 'book') return startBooking(turn, intent);
  const offered = mainMenuOptions(turn).map((option) => option.id);
  const task = (TASKS_OF_INTENT[intent.intent] ?? []).find((id) => offered.includes(id));
  if (task) return runMainMenuTask(turn, task);
  // The menu itself greets; anything else gets its short answer in the same message as the menu.
  if (intent.intent === 'greeting') return turn.askAgain();
  // Resend invoice is on the menu only when the service makes documents.
  const answer =
    intent.intent === 'invoice'
      ? `For a copy of your invoice, please ask at the clinic's desk or call ${turn.settings.clinic.phone}.`
      : 'Sorry, I can only help with appointments: booking one, showing or cancelling yours, or sending a report. Tell me e.g. "skin doctor tomorrow morning", or pick from the menu.';
  turn.menu(answer, mainMenuOptions(turn));
}

/** Short typed answers are tried against the menu first ("2", "my appointments"); sentences go to the detector first. */
const MENU_FIRST_MAX_WORDS = 3;

export const idleStep: Step = {
  async enter(turn) {
    turn.menu(`Welcome to ${turn.settings.clinic.name}! How can I help you today?`, mainMenuOptions(turn));
  },

  async handle(turn) {
    const content = turn.inbound.content;
    if (content.kind === 'text' || content.kind === 'choice') {
      // Main-menu buttons stay valid forever, so an old one is not "stale" here.
      const answer = matchMenuAnswer(content, mainMenuOptions(turn), MAIN_MENU_ALIASES);
      const sentence = content.kind === 'text' && content.text.trim().split(/\s+/).length > MENU_FIRST_MAX_WORDS;
      if (answer.kind === 'option' && !sentence) return runMainMenuTask(turn, answer.option.id);
      if (content.kind === 'text') {
        const intent = await detectIntent(turn, content.text);
        if (intent && (intent.intent !== 'other' || answer.kind !== 'option')) return followIntent(turn, intent);
        if (answer.kind === 'option') return runMainMenuTask(turn, answer.option.id);
      }
      // A button of a menu answered or left earlier (a slot, a doctor) that means nothing here now.
      if (content.kind === 'choice') turn.notice(EARLIER_BUTTON);
    }
    await turn.askAgain();
  },
};
