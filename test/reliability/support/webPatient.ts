/**
 * A {@link BookingPatient} on the web chat: every answer is one POST whose reply carries the whole
 * turn, so the last message of each reply is what the patient answers.
 */
import type { ChatMessage } from '../../http/helpers.js';
import { answerTo, noteConfirmation, payAtClinic, type BookingPatient, type PaymentChoice, type ShownMessage } from './bookingPatient.js';
import type { SupervisedService } from './supervisedService.js';

export type WebBody = { text: string } | { choice: string };

/** Sends one message with an Idempotency-Key and returns the turn's replies. */
export type WebSend = (body: WebBody, idempotencyKey: string) => Promise<ChatMessage[]>;

export function shownOnWeb(message: ChatMessage): ShownMessage {
  return { kind: message.kind, text: message.text, optionIds: message.options?.map((o) => o.id) ?? [] };
}

/** One POST to the web chat API; rejects only when no answer came (a connection refused or reset). */
async function postOnce(base: string, sessionId: string, body: WebBody, idempotencyKey: string): Promise<{ status: number; json: { messages?: ChatMessage[] } }> {
  const response = await fetch(`${base}/api/chat/${sessionId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { messages?: ChatMessage[] } };
}

function repliesOf(answer: { status: number; json: { messages?: ChatMessage[] } }, sessionId: string, idempotencyKey: string): ChatMessage[] {
  const { status, json } = answer;
  if (status !== 200 || !json.messages) throw new Error(`${sessionId} ${idempotencyKey}: HTTP ${status} ${JSON.stringify(json)}`);
  return json.messages;
}

/** A POST to the web chat API that must be answered 200 with messages. */
export async function postWebMessage(base: string, sessionId: string, body: WebBody, idempotencyKey: string): Promise<ChatMessage[]> {
  return repliesOf(await postOnce(base, sessionId, body, idempotencyKey), sessionId, idempotencyKey);
}

/**
 * A POST to the supervised service's process of the moment; when that process was killed under the
 * request, the same message goes again, with the same Idempotency-Key, to the next one (as the page
 * does). `onAttempt` is told of every sending.
 */
export async function postThroughCrashes(
  service: SupervisedService,
  sessionId: string,
  body: WebBody,
  idempotencyKey: string,
  onAttempt: () => void = () => {},
): Promise<ChatMessage[]> {
  for (;;) {
    const { generation, url } = await service.target();
    onAttempt();
    let answer;
    try {
      answer = await postOnce(url, sessionId, body, idempotencyKey);
    } catch (error) {
      await service.recover(generation, error);
      continue;
    }
    return repliesOf(answer, sessionId, idempotencyKey);
  }
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
