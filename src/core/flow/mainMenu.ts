/**
 * IDLE: the main menu, and the tasks that start from it.
 */
import type { MenuOption } from '../messages.js';
import { matchMenuAnswer, type OptionAliases } from '../menuMatching.js';
import type { BookingIntent } from '../ports.js';
import { appointmentLine } from './describe.js';
import { lastBooking, upcomingAppointments } from './appointments.js';
import type { Step, Turn } from './turn.js';

export const MAIN_MENU: MenuOption[] = [
  { id: 'book', label: 'Book an appointment' },
  { id: 'mine', label: 'My appointments' },
  { id: 'cancel-appointment', label: 'Cancel an appointment' },
  { id: 'report', label: 'Upload a report' },
  { id: 'contact', label: 'Contact the clinic' },
  { id: 'help', label: 'Help' },
];

const MAIN_MENU_ALIASES: OptionAliases = {
  book: ['book', 'booking', 'appointment', 'new appointment', 'doctor', 'appointment chahiye', 'book karna hai'],
  mine: ['my bookings', 'appointments', 'mere appointment'],
  'cancel-appointment': ['cancel appointment', 'cancel booking'],
  report: ['report', 'upload', 'reports'],
  contact: ['contact', 'call', 'address', 'phone number'],
};

export function helpText(clinicName: string): string {
  return [
    `I can book a doctor's appointment at ${clinicName} for you, show your appointments, cancel one, or take a medical report for the doctor.`,
    'Tap a button or reply with its number. At any time you can type:',
    '• menu – back to the main menu',
    '• back – go to the previous question',
    '• cancel – stop what you are doing',
    '• help – this message',
  ].join('\n');
}

/** Starts a booking: returning patients may reuse their last details. */
export async function startBooking(turn: Turn, intent?: BookingIntent): Promise<void> {
  turn.session.draft = intent?.specialty ? { specialty: intent.specialty } : {};
  await turn.goTo((await lastBooking(turn)) ? 'CONFIRMING_RETURNING_PATIENT' : 'AWAITING_NAME');
}

async function showMyAppointments(turn: Turn): Promise<void> {
  const upcoming = await upcomingAppointments(turn);
  turn.text(
    upcoming.length === 0
      ? 'You have no upcoming appointments.'
      : ['Your upcoming appointments:', ...upcoming.map((a, i) => `${i + 1}. ${appointmentLine(a)}`)].join('\n'),
  );
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
    case 'report':
      return turn.goTo('SELECTING_APPOINTMENT_FOR_REPORT');
    case 'contact':
      return showContact(turn);
    default:
      turn.text(helpText(turn.settings.clinic.name));
      return turn.backToMainMenu();
  }
}

/** Free text at the main menu: ask the intent detector, when there is one. */
async function detectIntent(turn: Turn, text: string): Promise<BookingIntent | undefined> {
  const { intents, store, settings, logger } = turn.deps;
  if (!intents) return undefined;
  try {
    const doctors = await store.listDoctors();
    return await intents.detect(text, {
      now: turn.now,
      timezone: settings.clinic.timezone,
      specialties: [...new Set(doctors.map((d) => d.specialty))],
    });
  } catch (error) {
    logger.warn({ err: error }, 'intent detection failed; showing the menu');
    return undefined;
  }
}

export const idleStep: Step = {
  async enter(turn) {
    turn.menu(`Welcome to ${turn.settings.clinic.name}! How can I help you today?`, MAIN_MENU);
  },

  async handle(turn) {
    const content = turn.inbound.content;
    if (content.kind === 'text' || content.kind === 'choice') {
      // Main-menu buttons stay valid forever, so an old one is not "stale" here.
      const answer = matchMenuAnswer(content, MAIN_MENU, MAIN_MENU_ALIASES);
      if (answer.kind === 'option') return runMainMenuTask(turn, answer.option.id);
      if (content.kind === 'text') {
        const intent = await detectIntent(turn, content.text);
        if (intent?.action === 'book') return startBooking(turn, intent);
        if (intent?.action === 'my-appointments') return runMainMenuTask(turn, 'mine');
        if (intent?.action === 'cancel-appointment') return runMainMenuTask(turn, 'cancel-appointment');
        if (intent?.action === 'help') return runMainMenuTask(turn, 'help');
      }
    }
    await turn.askAgain();
  },
};
