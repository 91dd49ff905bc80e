/**
 * Turns a patient's answer to a menu into one of its options. A menu accepts the option id (a tapped
 * button), its number (WhatsApp-style "reply 1-5") or text that matches a label, so typed answers work
 * on every channel.
 */
import Fuse from 'fuse.js';
import type { InboundContent, MenuOption } from './messages.js';
import { comparable, toAsciiDigits } from './text.js';

export type MenuAnswer =
  | { kind: 'option'; option: MenuOption }
  /** A button from an older message whose menu is no longer on screen. */
  | { kind: 'stale' }
  | { kind: 'no-match' };

/** Extra words that also select an option, by option id (e.g. Hindi or short forms). */
export type OptionAliases = Readonly<Record<string, readonly string[]>>;

function matchText(text: string, options: MenuOption[], aliases: OptionAliases): MenuOption | undefined {
  const typed = comparable(text);
  if (typed === '') return undefined;

  const number = /^\d{1,3}$/.test(typed) ? Number(toAsciiDigits(typed)) : NaN;
  if (Number.isInteger(number)) return options[number - 1];

  const exact = options.find(
    (option) => comparable(option.label) === typed || (aliases[option.id] ?? []).some((alias) => comparable(alias) === typed),
  );
  if (exact) return exact;

  // "asha" for "Dr. Asha Verma · General Physician": a unique word-prefix match is safe to accept.
  if (typed.length >= 3) {
    const containing = options.filter((option) => ` ${comparable(option.label)}`.includes(` ${typed}`));
    if (containing.length === 1) return containing[0];
  }

  // Typos ("dermatolgy", "femal"): accept the best fuzzy match only when it clearly wins, and never
  // one that disagrees with a number typed ("neha sharma 6pm" is not "5:00 PM · Dr. Neha Sharma").
  if (typed.length >= 4) {
    const fuse = new Fuse(
      options.map((option) => ({ option, label: comparable(option.label), aliases: (aliases[option.id] ?? []).map(comparable) })),
      { keys: ['label', 'aliases'], includeScore: true, threshold: 0.35, ignoreLocation: true },
    );
    const [best, second] = fuse.search(typed);
    if (best && (!second || (second.score ?? 1) - (best.score ?? 0) > 0.1) && numbersAgree(typed, best.item)) return best.item.option;
  }
  return undefined;
}

/** The numbers in a text, by value ("05" and "5" are the same). */
function numbersIn(text: string): number[] {
  return (toAsciiDigits(text).match(/\d+/g) ?? []).map(Number);
}

/** Whether every number typed appears in the option's label or one of its aliases. */
function numbersAgree(typed: string, candidate: { label: string; aliases: readonly string[] }): boolean {
  const wanted = numbersIn(typed);
  if (wanted.length === 0) return true;
  const offered = new Set([candidate.label, ...candidate.aliases].flatMap(numbersIn));
  return wanted.every((number) => offered.has(number));
}

/** Resolves an answer against the options that were on screen. */
export function matchMenuAnswer(content: InboundContent, options: MenuOption[], aliases: OptionAliases = {}): MenuAnswer {
  if (content.kind === 'choice') {
    const option = options.find((o) => o.id === content.optionId);
    return option ? { kind: 'option', option } : { kind: 'stale' };
  }
  if (content.kind !== 'text') return { kind: 'no-match' };
  const option = matchText(content.text, options, aliases);
  return option ? { kind: 'option', option } : { kind: 'no-match' };
}
