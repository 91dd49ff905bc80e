/**
 * Messages the bot cannot read (a sticker, a location, a poll…): the patient learns what it can read
 * at this step, with the open question (or the main menu) asked again in the same message, so on
 * WhatsApp, where menus are numbered text, the options are right there again. Nothing else changes.
 */
import type { UnreadableKind } from '../messages.js';
import type { Step, Turn } from './turn.js';

/** How each kind is named in the reply ("I can't read stickers") and in the stored transcript. */
const NAMES: Record<UnreadableKind, { cannotRead: string; sent: string }> = {
  sticker: { cannotRead: 'stickers', sent: 'a sticker' },
  gif: { cannotRead: 'GIFs', sent: 'a GIF' },
  video: { cannotRead: 'videos', sent: 'a video' },
  location: { cannotRead: 'locations', sent: 'a location' },
  poll: { cannotRead: 'polls', sent: 'a poll' },
  // A card without a number, or several cards at once: a card with one number is read.
  'contact-card': { cannotRead: 'that contact card', sent: 'a contact card' },
  'audio-file': { cannotRead: 'audio files', sent: 'an audio file' },
  other: { cannotRead: 'that kind of message', sent: 'a message the bot cannot read' },
};

/** The patient's message as the stored transcript shows it, like "(voice note)" for a voice note. */
export function unreadableTranscript(what: UnreadableKind): string {
  return `(sent ${NAMES[what].sent})`;
}

/** Whether a voice note sent now would be heard and taken as the answer. */
function takesVoiceNotes(turn: Turn): boolean {
  // A cancellation is never taken from a recording (see voiceNotes.ts).
  return turn.deps.intents?.transcribe !== undefined && turn.state !== 'CONFIRMING_CANCELLATION';
}

/** "a", "a and b", "a, b and c". */
function listed(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

/** What the patient is told: what was not read, and what can be read at `step`. */
export function unreadableNotice(turn: Turn, what: UnreadableKind, step: Step): string {
  const readable = ['text messages'];
  if (takesVoiceNotes(turn)) readable.push('voice notes');
  if (step.acceptsFiles) readable.push('photos', 'PDF files');
  return `Sorry, I can't read ${NAMES[what].cannotRead}. Here I can only read ${listed(readable)}.`;
}

/** Answers an unreadable message: the notice, then the current question again, in one reply. */
export async function answerUnreadable(turn: Turn, what: UnreadableKind, step: Step): Promise<void> {
  turn.notice(unreadableNotice(turn, what, step));
  await turn.askAgain();
}
