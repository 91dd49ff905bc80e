/**
 * Reading what an admin typed: "/slots@ClinicAdminBot meera tomorrow" -> command "slots", arguments
 * "meera tomorrow".
 */
import { cleanText } from '../text.js';

/** A typed admin command. */
export interface CommandLine {
  /** Lower-case name without the slash or a "@botname" suffix. */
  name: string;
  /** Everything after the name, cleaned (control characters removed, spaces collapsed). */
  args: string;
  /** Everything after the name exactly as typed, only trimmed (a password must not be "cleaned"). */
  rawArgs: string;
}

/** Longest command an admin may type; anything longer is refused before it is looked at. */
export const MAX_COMMAND_LENGTH = 600;

const COMMAND_PATTERN = /^\/([A-Za-z][A-Za-z0-9_]{0,31})(?:@[A-Za-z0-9_]{1,64})?(?:\s+([\s\S]*))?$/;

/** The command in `text`, or undefined when the text is not a slash command at all. */
export function parseCommandLine(text: string): CommandLine | undefined {
  const trimmed = text.trim();
  const match = COMMAND_PATTERN.exec(trimmed.slice(0, 200 + MAX_COMMAND_LENGTH));
  if (!match) return undefined;
  return { name: match[1]!.toLowerCase(), args: cleanText(match[2] ?? '').replace(/\n/g, ' '), rawArgs: (match[2] ?? '').trim() };
}

/** Splits arguments into words, and gives the rest of the line after `count` words. */
export function words(args: string): string[] {
  return args.split(' ').filter(Boolean);
}
