/**
 * The bot's slash commands: the patient list registered with Telegram, and what each one means to
 * the booking flow (the flow's own words, so every channel behaves the same).
 */
import { mainMenuTaskChoice } from '../../core/flow/mainMenu.js';
import type { InboundContent } from '../../core/messages.js';

/** What a patient command hands to the flow. */
export type PatientCommandContent = Extract<InboundContent, { kind: 'text' | 'choice' }>;

/** The flow's global words (menu, cancel, help) work at every step as typed text. */
const typed = (text: string): PatientCommandContent => ({ kind: 'text', text });
/** A main-menu task starts from any step at once, without the main menu before its first question. */
const mainMenuTask = (taskId: string): PatientCommandContent => ({ kind: 'choice', optionId: mainMenuTaskChoice(taskId) });

/** Registered with setMyCommands, in this order. */
export const PATIENT_COMMANDS: readonly { command: string; description: string; content: PatientCommandContent }[] = [
  { command: 'start', description: 'Main menu', content: typed('menu') },
  { command: 'book', description: 'Book an appointment', content: mainMenuTask('book') },
  { command: 'appointments', description: 'My appointments', content: mainMenuTask('mine') },
  { command: 'cancel', description: 'Stop what you are doing, or cancel an appointment', content: typed('cancel') },
  { command: 'help', description: 'What this bot can do', content: typed('help') },
];

/** A slash command as typed. */
export interface ParsedCommand {
  /** Lower-case name without the slash. */
  name: string;
  args: string;
  /** Typed as "/name@some_other_bot": meant for another bot, so none of ours. */
  forAnotherBot: boolean;
}

/**
 * "/start@clinic_bot payload" -> { name: "start", args: "payload", forAnotherBot: false }; undefined
 * when the text does not have a command's shape ("/ 5 pm", "/21/11"): such text is an answer.
 */
export function parseCommand(text: string, botUsername?: string): ParsedCommand | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, name, mention, args] = match;
  // While our own username is unknown (Telegram unreachable at start), every mention counts as ours.
  const forAnotherBot = mention !== undefined && botUsername !== undefined && mention.toLowerCase() !== botUsername.toLowerCase();
  return { name: name!.toLowerCase(), args: (args ?? '').trim(), forAnotherBot };
}

/** What a patient command hands to the flow, if it is one of ours. */
export function patientCommandContent(name: string): PatientCommandContent | undefined {
  return PATIENT_COMMANDS.find((c) => c.command === name)?.content;
}

/**
 * The answer to a slash command that is not one of the patient commands: the list of those. It names
 * no admin command (a patient must not learn they exist) nor the command typed.
 */
export const UNKNOWN_COMMAND_TEXT = [
  'Sorry, I do not know that command. These are the ones I understand:',
  ...PATIENT_COMMANDS.map((c) => `/${c.command} – ${c.description}`),
  'Or just answer my last message.',
].join('\n');
