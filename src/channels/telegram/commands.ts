/**
 * The bot's slash commands: the patient list registered with Telegram, and what each one means to
 * the booking flow (the flow's own words, so every channel behaves the same).
 */

/** What a patient command asks the flow for. */
export type PatientCommandAction =
  /** Sent to the flow as typed text (its global commands: menu, cancel, help). */
  | { kind: 'text'; text: string }
  /** A main-menu task (book, my appointments), reached from any step. */
  | { kind: 'main-menu-task'; optionId: string };

/** Registered with setMyCommands, in this order. */
export const PATIENT_COMMANDS: readonly { command: string; description: string; action: PatientCommandAction }[] = [
  { command: 'start', description: 'Main menu', action: { kind: 'text', text: 'menu' } },
  { command: 'book', description: 'Book an appointment', action: { kind: 'main-menu-task', optionId: 'book' } },
  { command: 'appointments', description: 'My appointments', action: { kind: 'main-menu-task', optionId: 'mine' } },
  { command: 'cancel', description: 'Stop what you are doing, or cancel an appointment', action: { kind: 'text', text: 'cancel' } },
  { command: 'help', description: 'What this bot can do', action: { kind: 'text', text: 'help' } },
];

/** "/start@clinic_bot payload" -> { name: "start", args: "payload" }; undefined when not a command. */
export function parseCommand(text: string, botUsername?: string): { name: string; args: string } | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, name, mention, args] = match;
  // A command addressed to another bot in a group is not ours.
  if (mention && botUsername && mention.toLowerCase() !== botUsername.toLowerCase()) return undefined;
  return { name: name!.toLowerCase(), args: (args ?? '').trim() };
}

/** The flow action of a patient command, if it is one of ours. */
export function patientCommandAction(name: string): PatientCommandAction | undefined {
  return PATIENT_COMMANDS.find((c) => c.command === name)?.action;
}
