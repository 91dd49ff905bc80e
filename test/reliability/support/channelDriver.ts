/**
 * What the reliability suite needs from a channel: open a conversation at a given step, deliver one
 * (possibly hostile) input the way that channel would, and look at the conversation and the clinic's
 * data afterwards. One driver per way in (the web chat over HTTP, the engine as each channel calls
 * it); a new channel adds a driver and the whole corpus runs through it.
 */
import type { ClinicStore } from '../../../src/core/ports.js';
import type { Channel } from '../../../src/core/messages.js';
import type { BookingDraft, FlowState } from '../../../src/core/session.js';
import type { CorpusStep, HostilePayload } from '../../fixtures/hostile-inputs.js';

/** One message the patient saw, whatever the channel. */
export interface DriverReply {
  kind: string;
  text: string;
  options?: { id: string; label: string }[];
}

/** How the service answered one input. */
export type DriverOutcome =
  | { kind: 'replies'; replies: DriverReply[]; contentType?: string }
  | { kind: 'http-error'; status: number; code: unknown; message: unknown; contentType?: string };

/** A conversation a driver opened; drivers keep their own details behind it. */
export interface DriverConversation {
  readonly chatId: string;
  /** Messages sent on it so far (the walk included), so a conversation is retired before a flood guard would slow it. */
  messagesSent: number;
}

/** The stored side of a conversation. */
export interface ConversationSnapshot {
  state: FlowState | undefined;
  draft: BookingDraft;
  menuIds: string[];
  /** The appointment the conversation is about (a booking's hold or a confirmed one), if any. */
  appointmentId: string | undefined;
  /** Reports stored for that appointment. */
  reports: number;
  appointmentStatus: string | undefined;
}

/** Where a driver's service keeps the clinic's data, for the suite's invariants. */
export interface DriverWorld {
  store: ClinicStore;
  /** DATA_DIR/reports of the service. */
  reportsDir: string;
  /** The service's upload limit in bytes. */
  maxUploadBytes: number;
  /** The service's clock (holds are judged at this instant). */
  now(): Date;
}

export interface ChannelDriver {
  /** e.g. "web over HTTP", "engine (telegram)". */
  readonly name: string;
  readonly channel: Channel;
  /** Whether inputs travel as HTTP requests (and can be refused by HTTP before the conversation sees them). */
  readonly overHttp: boolean;
  /** Retire a conversation after this many messages (the service slows down faster chats). */
  readonly messagesPerConversation: number;
  readonly world: DriverWorld;
  /** Whether this way in can carry the payload at all (raw HTTP bodies only over HTTP, …). */
  supports(payload: HostilePayload): boolean;
  /** A new patient whose conversation has reached `step`. */
  open(step: CorpusStep): Promise<DriverConversation>;
  send(conversation: DriverConversation, payload: HostilePayload): Promise<DriverOutcome>;
  snapshot(conversation: DriverConversation): Promise<ConversationSnapshot>;
  /** The service still answers (GET /health, or the store can be read). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The typed answers that walk a new patient along the booking, by the step they answer. */
const WALK_ANSWERS: Partial<Record<FlowState, string>> = {
  AWAITING_NAME: 'Asha Rao',
  AWAITING_AGE: '34',
  AWAITING_GENDER: 'Female',
  AWAITING_PURPOSE: 'fever for 3 days',
  SELECTING_DOCTOR: '1',
  SELECTING_SLOT: '1',
  SELECTING_PAYMENT_MODE: 'Pay at the clinic',
  AWAITING_REPORT_CHOICE: 'Upload a report',
};

/**
 * Walks a conversation to `target` by answering whatever the stored state asks, the way a patient
 * would. `phone` answers the phone step (unique per patient, so nobody is taken for a returning one).
 */
export async function walkTo(
  target: FlowState,
  phone: string,
  say: (text: string) => Promise<void>,
  state: () => Promise<FlowState | undefined>,
): Promise<void> {
  await say('hi');
  for (let steps = 0; steps < 15; steps++) {
    const current = await state();
    if (current === target) return;
    const answer = current === 'IDLE' ? 'Book an appointment' : current === 'AWAITING_PHONE' ? phone : current ? WALK_ANSWERS[current] : undefined;
    if (answer === undefined) break;
    await say(answer);
  }
  throw new Error(`could not walk a conversation to ${target} (stuck at ${await state()})`);
}

let phoneCounter = 0;

/** A valid, distinct Indian mobile number for each walked patient. */
export function nextWalkPhone(): string {
  phoneCounter += 1;
  return `+9198${String(10_000_000 + ((phoneCounter * 7919) % 89_999_999)).padStart(8, '0')}`;
}
