/**
 * A {@link BookingPatient} on the web chat: every answer is one POST whose reply carries the whole
 * turn, so the last message of each reply is what the patient answers.
 */
import type { ChatMessage } from '../../http/helpers.js';
import { answerTo, noteConfirmation, payAtClinic, type BookingPatient, type PaymentChoice, type ShownMessage } from './bookingPatient.js';

export type WebBody = { text: string } | { choice: string };

/** Sends one message with an Idempotency-Key and returns the turn's replies. */
export type WebSend = (body: WebBody, idempotencyKey: string) => Promise<ChatMessage[]>;

export function shownOnWeb(message: ChatMessage): ShownMessage {
  return { kind: message.kind, text: message.text, optionIds: message.options?.map((o) => o.id) ?? [] };
}

/** A POST to the web chat API that must be answered 200 with messages. */
export async function postWebMessage(base: string, sessionId: string, body: WebBody, idempotencyKey: string): Promise<ChatMessage[]> {
  const response = await fetch(`${base}/api/chat/${sessionId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { messages?: ChatMessage[] };
  if (response.status !== 200 || !json.messages) throw new Error(`${sessionId} ${idempotencyKey}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json.messages;
}

/**
 * Books from "hi" until the patient is done (confirmed and back at the main menu, or stopped by
 * `choosePayment`). `onTurn` sees every turn's replies. Returns every message the patient was shown.
 */
export async function bookOnWeb(options: {
  patient: BookingPatient;
  sessionId: string;
  send: WebSend;
  choosePayment?: PaymentChoice;
  onTurn?: (replies: ChatMessage[]) => void;
}): Promise<ChatMessage[]> {
  const { patient, sessionId, send, choosePayment = payAtClinic, onTurn } = options;
  const seen: ChatMessage[] = [];
  let body: WebBody | undefined = { text: 'hi' };
  for (let turn = 0; body; turn++) {
    if (turn > 40) throw new Error(`${sessionId} is going round in circles: ${JSON.stringify(seen.slice(-3))}`);
    const replies = await send(body, `${sessionId}-turn-${turn}`);
    seen.push(...replies);
    for (const reply of replies) noteConfirmation(patient, reply.text);
    onTurn?.(replies);
    const last = replies.at(-1);
    if (!last) throw new Error(`${sessionId}: no reply to ${JSON.stringify(body)}`);
    const answer = answerTo(patient, shownOnWeb(last), choosePayment);
    switch (answer.kind) {
      case 'done':
        body = undefined;
        break;
      case 'text':
        body = { text: answer.text };
        break;
      case 'choice':
        body = { choice: answer.optionId };
        break;
      case 'contact':
        body = { text: patient.phone };
        break;
      case 'wait':
        throw new Error(`${sessionId} does not know how to answer ${JSON.stringify(last)}; before it: ${JSON.stringify(seen.slice(-8, -1).map((m) => m.text.slice(0, 120)))}`);
    }
  }
  return seen;
}
