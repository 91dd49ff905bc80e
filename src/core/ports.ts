/**
 * Interfaces the core needs from the outside world. The core declares them; store/, services/ and
 * channels/ implement them; only src/app.ts wires concrete implementations together.
 */
import type {
  Appointment,
  AppointmentPatch,
  AppointmentStatus,
  Doctor,
  NewHold,
  PaymentMode,
  PaymentStatus,
  ReportRef,
  Slot,
  SlotUsage,
} from './domain.js';
import type { DeliveryChannel, DeliveryRoute, OutboxEntry, StoredMessage } from './delivery.js';
import type { ConversationRef, Outbound } from './messages.js';
import type { Session } from './session.js';

/** Source of the current instant; injected so tests control time. */
export interface Clock {
  now(): Date;
}

/** Query for {@link ClinicStore.listSlotUsage}. */
export interface SlotQuery {
  doctorId?: string;
  /** First clinic-local date to include, `YYYY-MM-DD`. */
  fromDate: string;
  /** Last clinic-local date to include, `YYYY-MM-DD`. */
  toDate: string;
  /** Instant at which holds are judged live or lapsed. */
  now: Date;
}

/** Query for {@link ClinicStore.listAppointments}; every given field must match. */
export interface AppointmentQuery {
  conversation?: ConversationRef;
  /** E.164. */
  phone?: string;
  statuses?: readonly AppointmentStatus[];
  /** Only appointments dated on or after this clinic-local date. */
  fromDate?: string;
  /** Only appointments dated on or before this clinic-local date. */
  toDate?: string;
}

/**
 * Doctors, slots and appointments. Implemented by SQLite (embedded default) and Google Sheets.
 * Every method that checks capacity and writes does both under one lock, so no race can overbook.
 */
export interface ClinicStore {
  /** Resolves when the store can be read; rejects with the reason otherwise (used by /health). */
  ping(): Promise<void>;
  listDoctors(options?: { includeInactive?: boolean }): Promise<Doctor[]>;
  getDoctor(id: string): Promise<Doctor | undefined>;
  getSlot(id: string): Promise<Slot | undefined>;
  /** Slots dated within [fromDate, toDate] (any status), ordered by date and start, with places taken at `now`. */
  listSlotUsage(query: SlotQuery): Promise<SlotUsage[]>;
  /**
   * Places a hold: checks that the slot is OPEN and has a free place at `now`, then creates a HELD
   * appointment, atomically. Throws SlotUnavailableError when it is full, blocked or unknown.
   */
  holdSlot(hold: NewHold, now: Date): Promise<Appointment>;
  /**
   * Turns a HELD appointment into CONFIRMED with the given payment fields, only while its slot is
   * OPEN (an admin may have blocked it since the hold). A hold that has lapsed is confirmed only if
   * the slot still has a free place (checked under the same lock). Throws
   * AppointmentNotFoundError, SlotUnavailableError, or InvalidTransitionError for other statuses.
   */
  confirmAppointment(
    id: string,
    payment: { paymentMode: PaymentMode; paymentStatus: PaymentStatus },
    now: Date,
  ): Promise<Appointment>;
  /** Applies a patch and stamps updatedAt. Throws AppointmentNotFoundError. */
  updateAppointment(id: string, patch: AppointmentPatch, now: Date): Promise<Appointment>;
  /**
   * Moves a CONFIRMED appointment to another free, OPEN slot of the same doctor, atomically under the
   * store's lock: the old place is freed only together with taking the new one. Everything else
   * (patient, fee, payment) stays; reminders are re-armed for the new time and an earlier patient
   * confirmation is cleared. Throws AppointmentNotFoundError, InvalidTransitionError (not CONFIRMED)
   * or SlotUnavailableError (unknown, another doctor's, blocked or full).
   */
  rescheduleAppointment(id: string, newSlotId: string, now: Date): Promise<Appointment>;
  getAppointment(id: string): Promise<Appointment | undefined>;
  /** Matching appointments, newest first (by createdAt). */
  listAppointments(query: AppointmentQuery): Promise<Appointment[]>;
  /** Records a received report on the appointment. Throws AppointmentNotFoundError. */
  addReport(appointmentId: string, report: ReportRef, now: Date): Promise<Appointment>;
  /** Marks HELD appointments whose hold lapsed at `now` as EXPIRED and returns them. */
  expireHolds(now: Date): Promise<Appointment[]>;
  /** Adds or replaces a doctor (staff tooling, scripts, sample data; the flow never writes doctors). */
  upsertDoctor(doctor: Doctor): Promise<void>;
  /** Adds or replaces a slot (staff tooling, sample data). */
  upsertSlot(slot: Slot): Promise<void>;
  /**
   * Adds or replaces several slots in one go (slot generation, /block and /unblock of a day). All are
   * checked first: one malformed slot throws RangeError and none is written.
   */
  upsertSlots(slots: readonly Slot[]): Promise<void>;
  close(): Promise<void>;
}

/** What one handled message adds to the stored conversation. */
export interface TurnRecord {
  /** Platform message id of the patient's message; the replies are stored as answering it. */
  messageId: string;
  /** The patient's message as the transcript shows it (files and voice notes as a placeholder). */
  patient: StoredMessage | null;
  replies: StoredMessage[];
  now: Date;
}

/**
 * Idempotency-Keys a client sent with its messages (the web chat API), each with a fingerprint of the
 * message it first came with.
 */
export interface RequestKeys {
  /**
   * Records `key` for the session with `fingerprint` unless it is known. Resolves true when the key is
   * new or came with the same fingerprint (a retry), false when it came with another message.
   */
  claim(sessionId: string, key: string, fingerprint: string, now: Date): Promise<boolean>;
  /** Forgets keys first sent before `cutoff` (their replies are pruned with the transcripts); resolves how many. */
  forgetOlderThan(cutoff: Date): Promise<number>;
}

/** Conversation state, kept outside the process so a restart resumes every conversation. */
export interface SessionStore {
  load(ref: ConversationRef): Promise<Session | undefined>;
  save(ref: ConversationRef, session: Session): Promise<void>;
  /**
   * Saves the session a turn produced and appends the turn to the outbox, in one transaction: after a
   * crash both are stored or neither is.
   */
  commitTurn(ref: ConversationRef, session: Session, turn: TurnRecord): Promise<void>;
  delete(ref: ConversationRef): Promise<void>;
  /** Deletes sessions last updated before `cutoff`; returns how many. */
  deleteIdle(cutoff: Date): Promise<number>;
}

/** Options of one push through the {@link Notifier} or the {@link Outbox}. */
export interface PushOptions {
  /**
   * Makes the push happen at most once: a second push with the same key (a duplicate webhook, a
   * reminder job racing another) is skipped. E.g. `reminder:APT-123:1440`.
   */
  dedupeKey?: string;
}

/**
 * Sends messages to a patient outside a reply (payment confirmed, reminder, cancelled by clinic). The
 * messages are stored in the durable outbox and delivered by the channel's sender; resolves true once
 * stored, false when `dedupeKey` had already been used.
 */
export interface Notifier {
  send(to: ConversationRef, messages: Outbound[], options?: PushOptions): Promise<boolean>;
}

/** Tells the clinic's admins something (new booking, undeliverable patient, payment); never throws. */
export interface AdminAlerts {
  alert(text: string, options?: PushOptions): Promise<void>;
  /**
   * Like {@link alert}, to one admin chat only (e.g. what an earlier alert could not bring it); a chat
   * that is not an admin's gets nothing.
   */
  alertChat(chatId: string, text: string, options?: PushOptions): Promise<void>;
}

/** Backlog of undelivered entries of one channel. */
export interface OutboxBacklog {
  pending: number;
  /** Creation instant of the oldest pending entry, or null. */
  oldestPendingAt: string | null;
  undeliverable: number;
}

/**
 * The durable outbox of every channel: the stored conversation (both sides) and the delivery queue of
 * the bot's messages. Channels that are pulled rather than pushed (the web chat) have their entries
 * marked sent when written.
 */
export interface Outbox {
  /** Appends bot messages for one chat, in order; [] when `dedupeKey` was used before. */
  push(route: DeliveryRoute, messages: StoredMessage[], now: Date, options?: PushOptions & { inReplyTo?: string }): Promise<OutboxEntry[]>;
  /** Entries of a chat with seq > afterSeq, oldest first; patient entries only when asked for. */
  listAfter(route: DeliveryRoute, afterSeq: number, limit: number, options?: { includePatient?: boolean }): Promise<OutboxEntry[]>;
  /** The bot's entries answering one platform message id, oldest first. */
  listReplies(route: DeliveryRoute, inReplyTo: string): Promise<OutboxEntry[]>;
  /** The oldest pending entry of each chat of a channel (chats ordered by that entry), at most `limit`. */
  pendingHeads(channel: DeliveryChannel, limit: number): Promise<OutboxEntry[]>;
  /** The oldest pending entries of one chat with an id above `afterId` (default 0), oldest first, at most `limit`. */
  pendingInChat(route: DeliveryRoute, limit: number, afterId?: number): Promise<OutboxEntry[]>;
  /** Marks several entries sent in one write; each with the instant the platform accepted it. */
  markSentMany(marks: readonly { id: number; at: Date }[]): Promise<void>;
  /** Records a failed attempt that will be retried. */
  markAttemptFailed(id: number, error: string, now: Date): Promise<void>;
  markUndeliverable(id: number, reason: string, now: Date): Promise<void>;
  /** Undeliverable entries, newest first (shown to admins). */
  listUndeliverable(limit: number): Promise<OutboxEntry[]>;
  backlog(channel: DeliveryChannel): Promise<OutboxBacklog>;
  /** Deletes delivered and undeliverable entries created before `cutoff`; pending ones stay. */
  deleteOlderThan(cutoff: Date): Promise<number>;
  /** Called after entries for a chat are written, so its channel's sender can wake up at once. */
  onPush(listener: (channel: DeliveryChannel, chatId: string) => void): () => void;
}

/** An online payment link for an appointment (Razorpay). */
export interface PaymentLink {
  linkId: string;
  url: string;
}

/** Creates payment links; confirmation arrives later through a signed webhook. */
export interface PaymentGateway {
  /**
   * Shortest time a link may stay payable (Razorpay refuses links expiring sooner than 15 minutes
   * ahead); the flow extends the hold to at least this before asking for a link.
   */
  readonly minimumLinkMinutes: number;
  /** Creates a link for the appointment's fee (major units, e.g. rupees) that expires at `expiresAt`. */
  createPaymentLink(input: {
    appointment: Appointment;
    amount: number;
    currency: string;
    description: string;
    expiresAt: Date;
  }): Promise<PaymentLink>;
  /**
   * Closes the appointment's open link (the patient chose to pay at the clinic or cancelled), so it
   * cannot be paid any more. Never throws: a link that cannot be closed is left to expire, and a
   * payment on it is still caught by the webhook and reconciliation.
   */
  cancelPaymentLink(appointmentId: string): Promise<void>;
}

/** Clinic identity printed on documents and shown to patients. */
export interface ClinicInfo {
  name: string;
  address: string;
  phone: string;
  timezone: string;
  currency: string;
}

/** What a document shows beyond the appointment itself. */
export interface DocumentDetails {
  /** The doctor's specialty ('' when the doctor is no longer listed). */
  specialty: string;
  /** When the document was issued. */
  issuedAt: Date;
}

/** Renders patient documents (jsPDF). */
export interface DocumentRenderer {
  renderConfirmation(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails): Promise<Uint8Array>;
  renderInvoice(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails & { invoiceNo: string }): Promise<Uint8Array>;
}

/** A PDF ready to send to a patient. */
export type DocumentMessage = Extract<Outbound, { kind: 'document' }>;

/**
 * A patient's confirmation and invoice PDFs. Each is generated once and kept; asking again returns
 * the same document (an invoice keeps its number).
 */
export interface PatientDocuments {
  /** The confirmation PDF of a confirmed appointment. */
  confirmation(appointment: Appointment): Promise<DocumentMessage>;
  /** The invoice PDF of a paid appointment (numbered the first time). */
  invoice(appointment: Appointment): Promise<DocumentMessage>;
  /**
   * Promises the patient the confirmation PDF of an appointment just confirmed. Only the promise is
   * written (durably, at once); {@link sendOwed} makes and pushes the PDF after the turn, so a patient's
   * reply never waits for rendering and a crash in between only delays the document.
   */
  oweConfirmation(appointment: Appointment): Promise<void>;
  /** Makes and pushes every owed document; resolves once none is left or the rest failed for now. */
  sendOwed(): Promise<void>;
}

/** What a patient can ask for in free text; each opens its part of the menu. */
export const INTENTS = ['book', 'my_appointments', 'cancel', 'reschedule', 'upload_report', 'invoice', 'help', 'greeting', 'other'] as const;
export type IntentName = (typeof INTENTS)[number];

/** Parts of the day a patient may wish for ("kal subah" = tomorrow morning). */
export const PARTS_OF_DAY = ['morning', 'afternoon', 'evening'] as const;
export type PartOfDay = (typeof PARTS_OF_DAY)[number];

/** What a patient's free text asks for, as far as a detector can tell; null where the text says nothing. */
export interface BookingIntent {
  intent: IntentName;
  /** One of the clinic's own specialties, exactly as the clinic spells it (e.g. "Dermatology"). */
  specialty: string | null;
  /** Id of one of the clinic's doctors the patient named. */
  doctorId: string | null;
  /** Clinic-local date, `YYYY-MM-DD` ("asap" gives today, with `earliest`). */
  date: string | null;
  timeOfDay: PartOfDay | null;
  /** Clinic-local wall-clock time, `HH:mm`. */
  time: string | null;
  /** The patient wants the earliest free time ("asap", "jaldi"). */
  earliest: boolean;
  /** Which detector answered (never shown to patients). */
  source: 'gemini' | 'rules';
}

/** A doctor as the detectors see it: nothing but what the clinic publishes. */
export interface DoctorDirectoryEntry {
  id: string;
  name: string;
  specialty: string;
}

/** What a detector may know besides the patient's words: never the patient's name, phone or history. */
export interface IntentContext {
  now: Date;
  /** The clinic's IANA time zone; dates are resolved in it. */
  timezone: string;
  /** The clinic's active doctors (their specialties are the clinic's specialties). */
  doctors: readonly DoctorDirectoryEntry[];
}

/** Understands free text (Gemini, with a rule-based fallback) and, where available, transcribes voice notes. */
export interface IntentDetector {
  detect(text: string, context: IntentContext): Promise<BookingIntent>;
  /** Present only when a speech-capable service is configured; resolves to the words heard. */
  transcribe?(audio: Uint8Array, mime: string): Promise<string>;
}

/** Private storage for medical reports: never under a web-served directory. */
export interface ReportStorage {
  save(appointmentId: string, bytes: Uint8Array, type: { ext: string; mime: string }, now: Date): Promise<ReportRef>;
  read(ref: ReportRef): Promise<Uint8Array>;
}

/** A command typed in an admin chat. */
export interface AdminRequest {
  /** Where replies go (the admin bot, or the patient bot when there is no separate admin bot). */
  channel: DeliveryChannel;
  /** The chat the command came from. */
  chatId: string;
  /** The sender's platform user id (Telegram user id; the same as chatId in a private chat). */
  userId: string;
  text: string;
  now: Date;
}

/**
 * The clinic's admin commands, channel-neutral: a channel passes the typed text and renders the
 * replies, so a web dashboard can reuse it.
 */
export interface AdminConsole {
  /**
   * The replies to an admin command, or undefined when the message is not for the console (the sender
   * is not an authorised admin, or it is not an admin command): the patient flow then takes it, and a
   * non-admin gets no hint that admin commands exist. [] when the answer is already in the chat's
   * outbox (a /login that released the alerts held for the chat after its reply).
   */
  handle(request: AdminRequest): Promise<Outbound[] | undefined>;
  /** Commands to register in an admin chat's command menu. */
  commands(): { command: string; description: string }[];
}

/** One admin action (or failed login) as the audit log keeps it. */
export interface AuditEntry {
  /** ISO instant of the action. */
  at: string;
  channel: DeliveryChannel;
  chatId: string;
  /** Who acted: the admin's platform user id. */
  userId: string;
  /** Command name without the slash, e.g. "cancel". */
  command: string;
  /** Arguments as typed, with phone numbers masked and passwords left out. */
  args: string;
  result: 'ok' | 'error';
  /** What happened, in a few words ("cancelled APT-7K3Q9XMD", "wrong password (2 of 5)"). */
  summary: string;
}

/** Append-only record of what admins did, kept in the local SQLite file. */
export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  /** The latest entries, newest first. */
  recent(limit: number): Promise<AuditEntry[]>;
}

/** Password login state of one admin chat (ADMIN_PASSWORD); kept so a restart keeps logins and lockouts. */
export interface AdminLoginState {
  /** ISO instant the login ends; null when not logged in. */
  loggedInUntil: string | null;
  /** Wrong passwords in a row since the last login or lockout. */
  failedAttempts: number;
  /** ISO instant a lockout ends; null when not locked. */
  lockedUntil: string | null;
}

/** Where admin login states live. */
export interface AdminLoginStore {
  get(route: DeliveryRoute): Promise<AdminLoginState | undefined>;
  put(route: DeliveryRoute, userId: string, state: AdminLoginState, now: Date): Promise<void>;
}

/** An admin alert held back from a chat that was not logged in when it was raised (ADMIN_PASSWORD). */
export interface HeldAdminAlert {
  text: string;
  /** ISO instant the alert was raised. */
  heldAt: string;
}

/**
 * Admin alerts waiting for their chat's next login. Kept per chat, so only that chat ever gets them,
 * and stored, so a restart keeps them. Their text names patients: never log it.
 */
export interface HeldAdminAlertStore {
  /**
   * Holds an alert for one chat, and forgets the chat's alerts held before `forgetBefore`. Resolves
   * false when `dedupeKey` was used before (this alert was already held or sent to the chat).
   */
  hold(route: DeliveryRoute, text: string, now: Date, options: { dedupeKey?: string; forgetBefore: Date }): Promise<boolean>;
  /**
   * Takes the chat's held alerts (oldest first), appends the messages `compose` makes of them to the
   * chat's outbox and deletes them, in one transaction: a crash neither loses nor doubles one. Resolves
   * with the entries written ([] when nothing was held).
   */
  release(route: DeliveryRoute, now: Date, compose: (held: readonly HeldAdminAlert[]) => StoredMessage[]): Promise<OutboxEntry[]>;
}

/**
 * Decides whether a chat is flooding. Checked before any work is done for a message, so a flood in
 * one chat cannot starve the others.
 */
export interface FloodGuard {
  /** 'ok' to handle; 'slow-down' for the first message over the limit (the patient is told); 'drop' after that. */
  check(chatKey: string): Promise<'ok' | 'slow-down' | 'drop'>;
}
