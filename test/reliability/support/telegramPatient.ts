/**
 * A {@link BookingPatient} on Telegram, against the Bot API emulator: it reacts to each message the
 * bot delivers to its chat (pressing buttons, typing, sharing its contact card) and waits, without
 * sleeping, for the next one. A turn's replies arrive one by one, so the patient answers only what
 * asks for an answer and waits through the rest (a confirmation text, its PDF).
 *
 * Telegram keeps an update until the bot confirms it, so a reply lost to a crash comes later by
 * itself; the patient sends its answer again only when nothing at all arrives for `quietMs`, and
 * counts that, so a test can require that it never had to.
 */
import { decodeCallbackData } from '../../../src/channels/telegram/callbackData.js';
import type { RecordedCall, StoredMessage, TelegramEmulator, TelegramUser } from '../../support/telegramEmulator.js';
import { answerTo, noteConfirmation, type BookingPatient, type ShownMessage } from './bookingPatient.js';

export interface TelegramPatient extends BookingPatient {
  user: TelegramUser;
  /** Every successful send to this chat the patient read, in order. */
  received: RecordedCall[];
  /** Messages skipped as copies of the one just answered (re-sent after a crash). */
  repeatsIgnored: number;
  /** Answers sent again because nothing came back for a long time. */
  resends: number;
  /** Answers given (updates injected), re-sends included. */
  answers: number;
}

type Markup = { inline_keyboard?: { text: string; callback_data?: string }[][]; keyboard?: { request_contact?: boolean }[][] } | undefined;

/** What the patient sees in a delivered sendMessage/sendDocument call. */
export function shownOnTelegram(call: RecordedCall): ShownMessage {
  if (call.method === 'sendDocument') return { kind: 'document', text: String(call.params.caption ?? ''), optionIds: [] };
  const markup = call.params.reply_markup as Markup;
  const text = String(call.params.text ?? '');
  const buttons = (markup?.inline_keyboard ?? []).flat();
  if (buttons.some((b) => b.callback_data !== undefined)) {
    const optionIds = buttons.map((b) => {
      const decoded = b.callback_data === undefined ? undefined : decodeCallbackData(b.callback_data);
      return decoded?.kind === 'option' ? decoded.optionId : '';
    });
    return { kind: 'menu', text, optionIds };
  }
  if (buttons.length > 0) return { kind: 'link', text, optionIds: [] };
  if ((markup?.keyboard ?? []).flat().some((b) => b.request_contact)) return { kind: 'ask-contact', text, optionIds: [] };
  return { kind: 'text', text, optionIds: [] };
}

/** A delivered message as one comparable string (method, text or file name, buttons). */
export function deliveredKey(call: RecordedCall): string {
  if (call.method === 'sendDocument') return `document:${call.files.document?.fileName ?? String(call.params.document)}`;
  return `message:${String(call.params.text ?? '')}`;
}

export function newTelegramPatient(emulator: TelegramEmulator, token: string, base: BookingPatient, userId: number): TelegramPatient {
  const user = emulator.user(token, { id: userId, first_name: base.name.split(' ')[0]!, last_name: base.name.split(' ').slice(1).join(' ') });
  return { ...base, user, received: [], repeatsIgnored: 0, resends: 0, answers: 0 };
}

/**
 * Books from /start until the patient is confirmed and back at the main menu. `onAnswer` is told of
 * every answer given (after it was injected).
 */
export async function bookOnTelegram(
  emulator: TelegramEmulator,
  patient: TelegramPatient,
  options: { quietMs: number; maxResends?: number; onAnswer?: () => void },
): Promise<void> {
  const { user } = patient;
  const token = user.token;
  const mine = (c: RecordedCall) =>
    (c.method === 'sendMessage' || c.method === 'sendDocument') && c.response?.ok === true && c.token === token && Number(c.params.chat_id) === user.id;

  let repeatLast: () => number = () => user.say('/start');
  const act = (send: () => number) => {
    repeatLast = send;
    send();
    patient.answers += 1;
    options.onAnswer?.();
  };

  act(() => user.say('/start'));
  let cursor = 0;
  let answered: string | undefined;
  let nothingSinceAnswer = true;
  for (let read = 0; ; read++) {
    if (read > 200) throw new Error(`${patient.name} is going round in circles`);
    let call: RecordedCall;
    try {
      call = await emulator.waitFor(mine, { afterSeq: cursor, timeoutMs: options.quietMs, what: `a message to ${patient.name}` });
    } catch (error) {
      if (patient.resends >= (options.maxResends ?? 2)) throw error;
      patient.resends += 1;
      act(repeatLast);
      continue;
    }
    cursor = call.seq;
    patient.received.push(call);
    noteConfirmation(patient, String(call.params.text ?? ''));
    const key = `${deliveredKey(call)} ${JSON.stringify(call.params.reply_markup ?? null)}`;
    // The message just answered, delivered again (its "sent" mark was lost to a crash): read once.
    if (nothingSinceAnswer && key === answered) {
      patient.repeatsIgnored += 1;
      continue;
    }
    nothingSinceAnswer = false;
    const answer = answerTo(patient, shownOnTelegram(call));
    if (answer.kind === 'wait') continue;
    if (answer.kind === 'done') return;
    answered = key;
    nothingSinceAnswer = true;
    const message = (call.response as { result: StoredMessage }).result;
    switch (answer.kind) {
      case 'text':
        act(() => user.say(answer.text));
        break;
      case 'contact':
        act(() => user.shareContact(`91${patient.phone.replace(/\D/g, '')}`));
        break;
      case 'choice': {
        const markup = call.params.reply_markup as Markup;
        const button = (markup?.inline_keyboard ?? []).flat().find((b) => {
          const decoded = b.callback_data === undefined ? undefined : decodeCallbackData(b.callback_data);
          return decoded?.kind === 'option' && decoded.optionId === answer.optionId;
        });
        if (!button?.callback_data) throw new Error(`${patient.name}: no button for ${answer.optionId}`);
        const data = button.callback_data;
        act(() => user.press(message, data));
        break;
      }
    }
  }
}
