/**
 * Words that work at every step: menu, cancel, back, help (with common Hindi/Hinglish forms).
 */
import type { InboundContent } from '../messages.js';
import type { FlowState } from '../session.js';
import { comparable } from '../text.js';
import { ownAppointment, releaseHold } from './appointments.js';
import { runAppointmentAction } from './appointmentActions.js';
import { helpText, runMainMenuTask } from './mainMenu.js';
import type { Turn } from './turn.js';

export type GlobalCommand = 'menu' | 'cancel' | 'back' | 'help';

const WORDS: Record<GlobalCommand, readonly string[]> = {
  menu: ['menu', 'start', 'main menu', 'home', 'restart', 'मेनू'],
  cancel: ['cancel', 'stop', 'exit', 'quit', 'radd', 'रद्द'],
  back: ['back', 'go back', 'previous', 'wapas', 'peeche', 'वापस', 'पीछे'],
  help: ['help', 'madad', 'मदद'],
};

const LOOKUP = new Map<string, GlobalCommand>(
  (Object.entries(WORDS) as [GlobalCommand, readonly string[]][]).flatMap(([command, words]) =>
    words.map((word) => [comparable(word), command] as const),
  ),
);

/** States after which the appointment is already booked: "cancel" there must not sound like it undid it. */
const BOOKED_STATES: readonly FlowState[] = ['AWAITING_REPORT_CHOICE', 'AWAITING_REPORT_UPLOAD'];
/** States that keep the slot held when the patient goes back to them. */
const HOLDING_STATES: readonly FlowState[] = ['SELECTING_PAYMENT_MODE', 'AWAITING_PAYMENT'];

/**
 * The global command a message is, if any. "0" means back while a menu is on screen
 * (WhatsApp-style "reply 0 to go back").
 */
export function globalCommandOf(content: InboundContent, menuShown: boolean): GlobalCommand | undefined {
  if (content.kind !== 'text') return undefined;
  const typed = comparable(content.text);
  if (typed === '0' && menuShown) return 'back';
  return LOOKUP.get(typed);
}

export async function runGlobalCommand(turn: Turn, command: GlobalCommand): Promise<void> {
  switch (command) {
    case 'menu':
      await releaseHold(turn);
      return turn.backToMainMenu();
    case 'cancel': {
      if (turn.state === 'IDLE') return runMainMenuTask(turn, 'cancel-appointment');
      // "cancel" in answer to a reminder means that appointment (the patient is still asked to confirm).
      const reminded = turn.session.targetAppointmentId;
      if (turn.state === 'ANSWERING_REMINDER' && reminded) return runAppointmentAction(turn, { verb: 'cancel', appointmentId: reminded });
      // An online payment may have confirmed the booking while the patient was still on the payment step.
      const booked =
        BOOKED_STATES.includes(turn.state) || (await ownAppointment(turn, turn.session.draft.appointmentId))?.status === 'CONFIRMED';
      await releaseHold(turn);
      turn.text(booked ? 'Okay. Your appointment stays booked.' : 'Okay, stopped. Nothing was booked.');
      return turn.backToMainMenu();
    }
    case 'back': {
      const previous = turn.session.history.pop();
      if (!previous || previous === 'IDLE') {
        await releaseHold(turn);
        return turn.backToMainMenu();
      }
      if (!HOLDING_STATES.includes(previous)) await releaseHold(turn);
      return turn.replaceWith(previous);
    }
    case 'help':
      turn.text(helpText(turn.settings.clinic.name));
      return turn.askAgain();
  }
}
