/**
 * The conversation engine: the one entry point every channel calls with an {@link Inbound} message.
 * It loads the chat's stored session, drops duplicate deliveries, runs global commands or the current
 * step, and saves the session only when the whole turn succeeded, so nothing is half-written.
 */
import { performance } from 'node:perf_hooks';
import { toStoredMessage, type DocumentFiles, type StoredMessage } from './delivery.js';
import { ClinicError } from './errors.js';
import { appointmentActionLabel, appointmentActionOf, runAppointmentAction } from './flow/appointmentActions.js';
import { runGlobalCommand, globalCommandOf } from './flow/commands.js';
import { mainMenuTaskLabel, mainMenuTaskOf, startMainMenuTaskAnywhere } from './flow/mainMenu.js';
import { STEPS } from './flow/steps.js';
import { Turn, type FlowDeps } from './flow/turn.js';
import { answerUnreadable, unreadableTranscript } from './flow/unreadable.js';
import { listenToVoiceNote } from './flow/voiceNotes.js';
import { KeyedLock } from './keyedLock.js';
import { conversationKey, type ConversationRef, type Inbound, type MenuOption, type Outbound } from './messages.js';
import type { Clock, FloodGuard, Outbox, SessionStore } from './ports.js';
import { newSession, type Session } from './session.js';

/** Thrown by {@link ConversationEngine.handle} once shutdown has begun; channels answer "try again". */
export class EngineClosedError extends ClinicError {
  constructor() {
    super('The service is shutting down and takes no new messages; the client should retry shortly.');
  }
}

export interface EngineOptions {
  deps: FlowDeps;
  sessions: SessionStore;
  /** Where the "sorry" of a failed turn goes (the turn itself is committed through `sessions`). */
  outbox: Outbox;
  /** Private storage for documents in replies (the outbox keeps their ids). */
  files: DocumentFiles;
  clock: Clock;
  /** Sessions idle for longer start afresh. */
  sessionTtlHours: number;
  /** Slows down a chat that floods, before any work is done for it. */
  floodGuard?: FloodGuard;
  /** Told of every message handled (metrics). */
  onTurn?: (event: TurnEvent) => void;
}

/** What happened to one inbound message, for metrics. */
export interface TurnEvent {
  channel: ConversationRef['channel'];
  outcome: 'handled' | 'duplicate' | 'failed' | 'flood';
  durationMs: number;
}

export const SLOW_DOWN_TEXT = 'You are sending messages very quickly. Please wait a few seconds, then send your answer again.';

/** How many recent message ids a session remembers for de-duplication. */
const REMEMBERED_MESSAGE_IDS = 30;
/** Longest patient text kept in the stored transcript. */
const TRANSCRIPT_TEXT_LIMIT = 4000;

export const SORRY_TEXT = 'Sorry, something went wrong on our side. Please send your message again in a moment.';

export class ConversationEngine {
  private readonly lock = new KeyedLock();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly options: EngineOptions) {}

  /**
   * Handles one message and returns the replies for it. Messages of one chat are processed strictly
   * in order; different chats run concurrently. A duplicate delivery returns no replies.
   */
  handle(inbound: Inbound): Promise<Outbound[]> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    const task = this.lock.run(conversationKey(inbound), () => this.measured(inbound));
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task)).catch(() => undefined);
    return task;
  }

  /**
   * Runs `task` while no message of that chat is being handled, e.g. a reminder push that also
   * changes the chat's stored session, so neither overwrites the other.
   */
  withConversation<T>(ref: ConversationRef, task: () => Promise<T>): Promise<T> {
    return this.lock.run(conversationKey(ref), task);
  }

  /** Stops taking messages and waits for the ones in progress. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }

  private async measured(inbound: Inbound): Promise<Outbound[]> {
    const started = performance.now();
    let outcome: TurnEvent['outcome'] = 'failed';
    try {
      const result = await this.process(inbound);
      outcome = result.outcome;
      return result.replies;
    } finally {
      this.options.onTurn?.({ channel: inbound.channel, outcome, durationMs: performance.now() - started });
    }
  }

  private async process(inbound: Inbound): Promise<{ replies: Outbound[]; outcome: TurnEvent['outcome'] }> {
    const { sessions, outbox, files, clock, deps, sessionTtlHours, floodGuard } = this.options;
    const now = clock.now();
    const ref: ConversationRef = { channel: inbound.channel, chatId: inbound.chatId };

    const verdict = floodGuard ? await floodGuard.check(conversationKey(ref)) : 'ok';
    if (verdict !== 'ok') {
      // Told once per flood; the rest is dropped unread, so a flood costs no store work at all.
      if (verdict === 'drop') return { replies: [], outcome: 'flood' };
      const slowDown: Outbound = { kind: 'text', text: SLOW_DOWN_TEXT };
      await outbox.push(ref, [slowDown], now, { inReplyTo: inbound.messageId });
      return { replies: [slowDown], outcome: 'flood' };
    }

    const stored = await sessions.load(ref);
    if (stored?.recentMessageIds.includes(inbound.messageId)) return { replies: [], outcome: 'duplicate' };
    const expired = stored !== undefined && now.getTime() - Date.parse(stored.updatedAt) > sessionTtlHours * 3_600_000;
    const session: Session = stored && !expired ? structuredClone(stored) : newSession(now);
    const patient = transcriptEntry(inbound, session.menu);

    const turn = new Turn(session, inbound, now, deps, STEPS);
    try {
      if (expired && !standsAlone(inbound.content)) {
        turn.text('Welcome back! Your earlier conversation had timed out, so we are starting again.');
        await turn.askAgain();
      } else {
        await this.dispatch(turn);
      }
    } catch (error) {
      deps.logger.error({ err: error, channel: ref.channel, chatId: ref.chatId, state: session.state }, 'message handling failed');
      // Nothing of the turn is kept, so the patient can send the same message again.
      await outbox.push(ref, [{ kind: 'text', text: SORRY_TEXT }], now, { inReplyTo: inbound.messageId });
      return { replies: [{ kind: 'text', text: SORRY_TEXT }], outcome: 'failed' };
    }

    session.recentMessageIds = [...session.recentMessageIds, inbound.messageId].slice(-REMEMBERED_MESSAGE_IDS);
    session.updatedAt = now.toISOString();
    const replies: StoredMessage[] = [];
    for (const reply of turn.replies) replies.push(await toStoredMessage(reply, files));
    // The session and the replies are stored together: a crash keeps both or neither.
    await sessions.commitTurn(ref, session, { messageId: inbound.messageId, patient, replies, now });
    for (const task of turn.afterCommitTasks) {
      // Not awaited: the patient's replies are on their way; this work follows them.
      void task().catch((error: unknown) => deps.logger.error({ err: error, channel: ref.channel, chatId: ref.chatId }, 'work after a turn failed'));
    }
    deps.logger.debug(
      { channel: ref.channel, chatId: ref.chatId, content: inbound.content.kind, state: session.state, replies: turn.replies.length },
      'message handled',
    );
    return { replies: turn.replies, outcome: 'handled' };
  }

  private async dispatch(turn: Turn): Promise<void> {
    const step = STEPS[turn.state];
    let content = turn.inbound.content;

    if (content.kind === 'voice') {
      // "I heard: …", then the words are handled as if typed at this step.
      if (!(await listenToVoiceNote(turn, content))) return turn.askAgain();
      content = turn.inbound.content;
    }

    const appointmentAction = appointmentActionOf(content);
    if (appointmentAction) return runAppointmentAction(turn, appointmentAction);

    const mainMenuTask = mainMenuTaskOf(content);
    if (mainMenuTask) return startMainMenuTaskAnywhere(turn, mainMenuTask);

    const command = globalCommandOf(content, turn.session.menu.length > 0);
    if (command) return runGlobalCommand(turn, command);

    if (content.kind === 'file' && !step.acceptsFiles) {
      turn.notice('I was not expecting a file here. You can send a report after booking, or choose "Upload a report" in the main menu.');
      return turn.askAgain();
    }
    if (content.kind === 'contact' && !step.acceptsContact) {
      turn.notice('Thanks, but I did not ask for a contact here.');
      return turn.askAgain();
    }
    if (content.kind === 'unreadable') return answerUnreadable(turn, content.what, step);
    await step.handle(turn);
  }
}

/**
 * Whether a message says all by itself what to do, so it still works after the chat timed out: a
 * reminder's button names its appointment, a main-menu shortcut (Telegram's /book) names its task.
 */
function standsAlone(content: Inbound['content']): boolean {
  return appointmentActionOf(content) !== undefined || mainMenuTaskOf(content) !== undefined;
}

/** The patient's message as the stored transcript shows it. */
function transcriptEntry(inbound: Inbound, menuOnScreen: readonly MenuOption[]): StoredMessage {
  const content = inbound.content;
  switch (content.kind) {
    case 'text':
      return { kind: 'text', text: content.text.slice(0, TRANSCRIPT_TEXT_LIMIT) };
    case 'choice':
      return {
        kind: 'text',
        text:
          menuOnScreen.find((option) => option.id === content.optionId)?.label ??
          appointmentActionLabel(content.optionId) ??
          mainMenuTaskLabel(content.optionId) ??
          '(tapped an older button)',
      };
    case 'contact':
      return { kind: 'text', text: '(shared a contact)' };
    case 'voice':
      return { kind: 'text', text: '(voice note)' };
    case 'file':
      return { kind: 'text', text: `(sent a file: ${content.fileName.slice(0, 200)})` };
    case 'unreadable':
      return { kind: 'text', text: unreadableTranscript(content.what) };
  }
}
