/**
 * One turn of a conversation: the patient's message, the session it changes, and the replies it
 * produces. Steps use it to answer, move to another step or go back to the main menu.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { Inbound, MenuOption, Outbound } from '../messages.js';
import { matchMenuAnswer, type OptionAliases } from '../menuMatching.js';
import type { AdminAlerts, ClinicInfo, ClinicStore, IntentDetector, PatientDocuments, PaymentGateway, ReportStorage } from '../ports.js';
import type { FlowState, Session } from '../session.js';

/** The few logger methods the core uses; pino's logger satisfies it. */
export interface CoreLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Settings of the booking flow, taken from the service configuration. */
export interface FlowSettings {
  clinic: ClinicInfo;
  phoneRegion: CountryCode;
  holdMinutes: number;
  maxUploadBytes: number;
  /** Slots shown on one page of the slot menu. */
  slotPageSize: number;
  /** How many days ahead slots are offered. */
  bookingWindowDays: number;
  /** Reports one appointment may collect, so a loop cannot fill the disk. */
  maxReportsPerAppointment: number;
}

/** What the flow needs from outside the core. Optional parts are off when not configured. */
export interface FlowDeps {
  store: ClinicStore;
  reports: ReportStorage;
  settings: FlowSettings;
  logger: CoreLogger;
  /** Tells the clinic's admins of new bookings and cancellations. */
  alerts?: AdminAlerts;
  payments?: PaymentGateway;
  intents?: IntentDetector;
  /** Confirmation and invoice PDFs; without it, confirmations are text only. */
  documents?: PatientDocuments;
}

/** One state of the conversation. */
export interface Step {
  /** Asks for this step's answer (text prompt or menu). Called on arrival and to ask again. */
  enter(turn: Turn): Promise<void>;
  /** Handles the patient's answer while in this step. */
  handle(turn: Turn): Promise<void>;
  /** Whether a file is a meaningful answer here (reports); elsewhere files are politely refused. */
  acceptsFiles?: boolean;
  /** Whether a shared contact card is a meaningful answer here. */
  acceptsContact?: boolean;
}

export type StepRegistry = Readonly<Record<FlowState, Step>>;

/** Said when a button of an earlier message is tapped, before what the chat shows now. */
export const EARLIER_BUTTON = 'That button belongs to an earlier message.';

export class Turn {
  private readonly said: Outbound[] = [];
  /** Remarks waiting for the reply they introduce (see {@link notice}). */
  private notices: string[] = [];
  private readonly committed: (() => Promise<void>)[] = [];

  constructor(
    readonly session: Session,
    private message: Inbound,
    readonly now: Date,
    readonly deps: FlowDeps,
    private readonly steps: StepRegistry,
  ) {}

  /** The patient's message being handled. */
  get inbound(): Inbound {
    return this.message;
  }

  /** Continues the turn with the text form of what was sent (a transcribed voice note). */
  useText(text: string): void {
    this.message = { ...this.message, content: { kind: 'text', text } };
  }

  get state(): FlowState {
    return this.session.state;
  }

  get settings(): FlowSettings {
    return this.deps.settings;
  }

  /** The turn's replies; a notice that nothing followed is a message of its own, last. */
  get replies(): Outbound[] {
    this.sayNotices();
    return this.said;
  }

  say(...messages: Outbound[]): void {
    for (const message of messages) {
      if (this.notices.length > 0 && message.kind !== 'document') {
        this.said.push({ ...message, text: `${this.notices.join('\n\n')}\n\n${message.text}` });
        this.notices = [];
      } else {
        this.sayNotices();
        this.said.push(message);
      }
    }
  }

  text(text: string): void {
    this.say({ kind: 'text', text });
  }

  /**
   * A remark about the patient's last answer, or about a change they could not see, that leads into
   * the question asked again: a typing mistake, a stale button, a time taken meanwhile, a hold that
   * ended. It goes out in the same message as the next text, question or menu, so the patient gets
   * one message instead of two, and on WhatsApp, where messages are paced, the question is not held
   * up behind the remark. Results and information (a booking confirmed, a report received, the help
   * text) are {@link text}s: they stand on their own.
   */
  notice(text: string): void {
    this.notices.push(text);
  }

  private sayNotices(): void {
    if (this.notices.length === 0) return;
    this.said.push({ kind: 'text', text: this.notices.join('\n\n') });
    this.notices = [];
  }

  /**
   * Work to start once the turn is stored (its replies in the outbox first), e.g. pushing a document
   * that should follow the turn's text. Not run when the turn fails; whatever must not be lost then
   * is recorded durably before this is called.
   */
  afterCommit(task: () => Promise<void>): void {
    this.committed.push(task);
  }

  /** The tasks {@link afterCommit} collected, for the engine to start after the commit. */
  get afterCommitTasks(): readonly (() => Promise<void>)[] {
    return this.committed;
  }

  /** Shows a menu and remembers its options, so numbers and labels typed next refer to them. */
  menu(text: string, options: MenuOption[]): void {
    this.session.menu = options;
    this.say({ kind: 'menu', text, options });
  }

  /** Moves forward to `state`, remembering the current one for "back". */
  async goTo(state: FlowState): Promise<void> {
    if (state !== this.session.state) this.session.history.push(this.session.state);
    await this.enterState(state);
  }

  /** Moves to `state` without a way back to the current one (e.g. after a booking is confirmed). */
  async replaceWith(state: FlowState): Promise<void> {
    await this.enterState(state);
  }

  /** Asks the current step's question again. */
  async askAgain(): Promise<void> {
    await this.enterState(this.session.state);
  }

  /** Ends the current task: forgets the draft and shows the main menu. */
  async backToMainMenu(): Promise<void> {
    this.leaveTask();
    await this.enterState('IDLE');
  }

  /**
   * Ends the current task without showing the main menu: forgets the draft, the way back and the
   * appointment it was about, and stands at IDLE, for a main-menu task that starts at once.
   */
  leaveTask(): void {
    this.session.history = [];
    this.session.draft = {};
    delete this.session.targetAppointmentId;
    this.session.state = 'IDLE';
    this.session.menu = [];
  }

  /** The typed answer, or undefined (and a nudge to type) when the patient sent something else. */
  async typedAnswer(hint = 'Please type your answer.'): Promise<string | undefined> {
    const content = this.inbound.content;
    if (content.kind === 'text') return content.text;
    this.notice(content.kind === 'choice' ? `That button belongs to an earlier question. ${hint}` : hint);
    await this.askAgain();
    return undefined;
  }

  /**
   * The option the patient picked from the menu on screen, or undefined after telling them what went
   * wrong and showing the menu again.
   */
  async chosenOption(aliases?: OptionAliases): Promise<MenuOption | undefined> {
    const answer = matchMenuAnswer(this.inbound.content, this.session.menu, aliases);
    if (answer.kind === 'option') return answer.option;
    this.notice(
      answer.kind === 'stale'
        ? `${EARLIER_BUTTON} Here are the current options:`
        : 'Sorry, I did not get that. Please tap one of the options or reply with its number.',
    );
    await this.askAgain();
    return undefined;
  }

  private async enterState(state: FlowState): Promise<void> {
    this.session.state = state;
    this.session.menu = [];
    await this.steps[state].enter(this);
  }
}
