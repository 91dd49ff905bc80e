/**
 * Buttons that act on one appointment from a message sent outside a reply (a reminder): Confirm,
 * Reschedule, Cancel. Their option ids carry the appointment id (`appt:confirm:APT-7K3Q9XMD`), so a
 * tap works whatever the chat is doing at the time, and only for an appointment of that same chat.
 */
import type { Appointment } from '../domain.js';
import { matchMenuAnswer, type OptionAliases } from '../menuMatching.js';
import { MENUS_ANSWERED_BY_TYPING, type Channel, type InboundContent, type MenuOption, type Outbound } from '../messages.js';
import type { ClinicInfo } from '../ports.js';
import { newSession, type FlowState, type Session } from '../session.js';
import { isStillAhead, ownAppointment, releaseHold } from './appointments.js';
import { appointmentWhen } from './describe.js';
import { zoneAbbreviation } from '../slots.js';
import { idleStep } from './mainMenu.js';
import type { Step, Turn } from './turn.js';

export const APPOINTMENT_ACTIONS = ['confirm', 'reschedule', 'cancel'] as const;
export type AppointmentActionVerb = (typeof APPOINTMENT_ACTIONS)[number];

/** A tapped appointment button. */
export interface AppointmentAction {
  verb: AppointmentActionVerb;
  appointmentId: string;
}

const PREFIX = 'appt';
const LABELS: Record<AppointmentActionVerb, string> = { confirm: 'Confirm', reschedule: 'Reschedule', cancel: 'Cancel' };
/** Typed answers to the reminder's menu besides its labels and numbers ("cancel" is a global word). */
const ALIASES: Record<AppointmentActionVerb, readonly string[]> = {
  confirm: ['yes', 'ok', 'okay', 'i will come', 'coming', 'haan', 'ha', 'theek hai', 'confirmed'],
  reschedule: ['change', 'change time', 'another time', 'move', 'postpone', 'time badlo'],
  cancel: [],
};

/** The option id of an appointment button, e.g. `appt:reschedule:APT-7K3Q9XMD`. */
export function appointmentActionId(verb: AppointmentActionVerb, appointmentId: string): string {
  return `${PREFIX}:${verb}:${appointmentId}`;
}

/** The appointment button a message is, if it is one. */
export function appointmentActionOf(content: InboundContent): AppointmentAction | undefined {
  if (content.kind !== 'choice') return undefined;
  const [prefix, verb, appointmentId, ...rest] = content.optionId.split(':');
  if (prefix !== PREFIX || rest.length > 0 || !appointmentId) return undefined;
  return (APPOINTMENT_ACTIONS as readonly string[]).includes(verb ?? '') ? { verb: verb as AppointmentActionVerb, appointmentId } : undefined;
}

/** The label of an appointment button (for the stored transcript), if the id is one. */
export function appointmentActionLabel(optionId: string): string | undefined {
  const action = appointmentActionOf({ kind: 'choice', optionId });
  return action && LABELS[action.verb];
}

/** Confirm, Reschedule and Cancel for one appointment. */
export function appointmentActionOptions(appointmentId: string): MenuOption[] {
  return APPOINTMENT_ACTIONS.map((verb) => ({ id: appointmentActionId(verb, appointmentId), label: LABELS[verb] }));
}

const REMINDER_HEADING = '⏰ Reminder of your appointment';

/** The appointment a reminder is about: heading, doctor, date and time in the clinic's zone, where, id. */
function reminderFacts(appointment: Appointment, clinic: ClinicInfo, heading: string): string[] {
  return [
    heading,
    `Doctor: ${appointment.doctorName}`,
    `When: ${appointmentWhen(appointment)} ${zoneAbbreviation(appointment, clinic.timezone)}`,
    `Where: ${clinic.name}, ${clinic.address}`,
    `Appointment ID: ${appointment.id}`,
  ];
}

/** What a reminder says: the appointment, and which button to choose. */
export function appointmentReminderText(appointment: Appointment, clinic: ClinicInfo, heading = REMINDER_HEADING): string {
  return [...reminderFacts(appointment, clinic, heading), 'Please choose Confirm if you are coming, or Reschedule or Cancel if your plans have changed.'].join('\n');
}

/** The reminder message: its text with the Confirm, Reschedule and Cancel buttons. */
export function appointmentReminder(appointment: Appointment, clinic: ClinicInfo): Extract<Outbound, { kind: 'menu' }> {
  return { kind: 'menu', text: appointmentReminderText(appointment, clinic), options: appointmentActionOptions(appointment.id) };
}

/**
 * The reminder for a chat in the middle of a task (its session is left as it is, see
 * {@link sessionAfterReminder}): with buttons where they can be tapped, which works whatever the chat
 * is doing; where menus are answered by typing a number, without a menu, since the number would answer
 * the question still open. It then says how to reschedule or cancel from the main menu.
 */
export function reminderDuringTask(appointment: Appointment, clinic: ClinicInfo, channel: Channel): Outbound {
  if (!MENUS_ANSWERED_BY_TYPING.has(channel)) return appointmentReminder(appointment, clinic);
  const howTo = 'If your plans have changed, type "menu" and choose "Reschedule an appointment" or "Cancel an appointment".';
  return { kind: 'text', text: [...reminderFacts(appointment, clinic, REMINDER_HEADING), howTo].join('\n') };
}

/**
 * The session a chat should have once a reminder was pushed to it, so that a typed "1" or "confirm"
 * (WhatsApp has no buttons) answers the reminder. Only a chat that is not in the middle of a task is
 * changed; undefined means "leave the stored session as it is" (its buttons still work).
 */
export function sessionAfterReminder(
  stored: Session | undefined,
  appointment: Appointment,
  now: Date,
  sessionTtlHours: number,
): Session | undefined {
  const expired = stored !== undefined && now.getTime() - Date.parse(stored.updatedAt) > sessionTtlHours * 3_600_000;
  if (stored && !expired && stored.state !== 'IDLE' && stored.state !== 'ANSWERING_REMINDER') return undefined;
  const base = stored && !expired ? stored : newSession(now);
  return {
    ...base,
    state: 'ANSWERING_REMINDER',
    history: [],
    draft: {},
    menu: appointmentActionOptions(appointment.id),
    targetAppointmentId: appointment.id,
    updatedAt: now.toISOString(),
  };
}

function notActiveText(appointment: Appointment): string {
  switch (appointment.status) {
    case 'CANCELLED':
      return `Your appointment ${appointment.id} was cancelled, so there is nothing to change.`;
    case 'CONFIRMED':
    case 'COMPLETED':
    case 'NO_SHOW':
      return `Your appointment ${appointment.id} (${appointmentWhen(appointment)}) has already taken place.`;
    default:
      return `The appointment ${appointment.id} was not booked, so there is nothing to change.`;
  }
}

/** After a one-off answer: back to the main menu from a reminder, otherwise on with the task at hand. */
async function carryOn(turn: Turn): Promise<void> {
  if (turn.state === 'IDLE' || turn.state === 'ANSWERING_REMINDER') return turn.backToMainMenu();
  await turn.askAgain();
}

/** Leaves whatever the chat was doing (giving back a held slot) and starts a task about one appointment. */
async function startTask(turn: Turn, appointmentId: string, state: FlowState): Promise<void> {
  await releaseHold(turn);
  turn.session.history = [];
  turn.session.draft = {};
  turn.session.targetAppointmentId = appointmentId;
  turn.session.state = 'IDLE';
  await turn.goTo(state);
}

/** Runs a tapped appointment button, in whatever state the chat is. */
export async function runAppointmentAction(turn: Turn, action: AppointmentAction): Promise<void> {
  const appointment = await ownAppointment(turn, action.appointmentId);
  if (!appointment) {
    turn.notice('That button is for an appointment I cannot find in this chat.');
    return carryOn(turn);
  }
  if (!isStillAhead(turn, appointment)) {
    turn.notice(notActiveText(appointment));
    return carryOn(turn);
  }
  switch (action.verb) {
    case 'confirm':
      if (!appointment.patientConfirmedAt) {
        await turn.deps.store.updateAppointment(appointment.id, { patientConfirmedAt: turn.now.toISOString() }, turn.now);
      }
      turn.text(`Thank you! ${appointment.doctorName} expects you on ${appointmentWhen(appointment)}. Please arrive 10 minutes early.`);
      return carryOn(turn);
    case 'reschedule':
      return startTask(turn, appointment.id, 'SELECTING_NEW_SLOT');
    case 'cancel':
      return startTask(turn, appointment.id, 'CONFIRMING_CANCELLATION');
  }
}

function reminderAliases(menu: readonly MenuOption[]): OptionAliases {
  const aliases: Record<string, readonly string[]> = {};
  for (const option of menu) {
    const action = appointmentActionOf({ kind: 'choice', optionId: option.id });
    if (action) aliases[option.id] = ALIASES[action.verb];
  }
  return aliases;
}

/**
 * ANSWERING_REMINDER: a reminder was the last thing the chat was shown. Its options answer by number
 * or word; anything else is taken as a fresh start at the main menu.
 */
export const answeringReminderStep: Step = {
  async enter(turn) {
    const appointment = await ownAppointment(turn, turn.session.targetAppointmentId);
    if (!appointment || !isStillAhead(turn, appointment)) return turn.backToMainMenu();
    turn.menu(appointmentReminderText(appointment, turn.settings.clinic, 'Your appointment'), appointmentActionOptions(appointment.id));
  },
  async handle(turn) {
    const answer = matchMenuAnswer(turn.inbound.content, turn.session.menu, reminderAliases(turn.session.menu));
    const action = answer.kind === 'option' ? appointmentActionOf({ kind: 'choice', optionId: answer.option.id }) : undefined;
    if (action) return runAppointmentAction(turn, action);
    turn.session.state = 'IDLE';
    turn.session.menu = [];
    delete turn.session.targetAppointmentId;
    await idleStep.handle(turn);
  },
};
