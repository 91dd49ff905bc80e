/**
 * The clinic's doctors, slots and appointments in the embedded SQLite file (the default store when no
 * Google Sheet is configured).
 *
 * Every check-then-write runs inside one BEGIN IMMEDIATE transaction: SQLite grants one writer at a
 * time per file, so the capacity check and the insert cannot interleave with another booking, whether
 * it comes from this process, another connection, or another process sharing the file.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import {
  CAPACITY_STATUSES,
  type Appointment,
  type AppointmentPatch,
  type Doctor,
  type NewHold,
  type PaymentMode,
  type PaymentStatus,
  type ReportRef,
  type Slot,
  type SlotUsage,
} from '../../core/domain.js';
import { AppointmentNotFoundError, InvalidTransitionError, SlotUnavailableError } from '../../core/errors.js';
import type { AppointmentQuery, ClinicStore, SlotQuery } from '../../core/ports.js';
import {
  appointmentParams,
  doctorParams,
  slotParams,
  toAppointment,
  toDoctor,
  toIsoInstant,
  toSlot,
  type AppointmentRow,
  type DoctorRow,
  type SlotRow,
} from './rows.js';

/** Crockford base32 without I, L, O, U: ids staff read aloud or type cannot be misread. */
const ID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ID_ATTEMPTS = 8;

/**
 * A fresh appointment id such as `APT-7K3Q9XMD` (40 random bits). 256 is a multiple of 32, so taking
 * each byte modulo 32 keeps every character equally likely.
 */
export function newAppointmentId(): string {
  const bytes = randomBytes(8);
  let id = 'APT-';
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** Statuses that hold a place for good; a HELD appointment only holds one until its hold lapses. */
const FIRM_STATUSES = CAPACITY_STATUSES.filter((status) => status !== 'HELD');
const HELD_COUNTS = CAPACITY_STATUSES.includes('HELD');

/**
 * SQL counting the places of slot `s` taken at `@now`, ignoring appointment `@excludeId`. A HELD row
 * without an expiry counts (never under-count: overbooking is the failure that matters).
 */
const TAKEN_SQL = `(
  SELECT COUNT(*) FROM appointments a
  WHERE a.slot_id = s.id AND a.id <> @excludeId
    AND (a.status IN (${FIRM_STATUSES.map((status) => `'${status}'`).join(', ')})
      ${HELD_COUNTS ? `OR (a.status = 'HELD' AND (a.hold_expires_at IS NULL OR a.hold_expires_at > @now))` : ''})
)`;

const SLOT_COLUMNS = 's.id, s.doctor_id, s.date, s.start, s."end", s.capacity, s.status, s.notes';

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const TIME_PATTERN = /^\d{2}:\d{2}$/;

/** Keys of {@link AppointmentPatch}; anything else a caller slips in is ignored, not written. */
const PATCH_KEYS = [
  'status',
  'paymentMode',
  'paymentStatus',
  'paymentLink',
  'paymentId',
  'invoiceNo',
  'holdExpiresAt',
  'remindersSent',
  'notes',
  'patientConfirmedAt',
] as const satisfies readonly (keyof AppointmentPatch)[];

interface UsageRow extends SlotRow {
  taken: number;
}

/** Adds or replaces a doctor row ({@link doctorParams}); the Sheets store's mirror writes with it too. */
export const UPSERT_DOCTOR_SQL = `INSERT INTO doctors (id, name, specialty, fee, active, languages, notes)
  VALUES (@id, @name, @specialty, @fee, @active, @languages, @notes)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, specialty = excluded.specialty, fee = excluded.fee,
    active = excluded.active, languages = excluded.languages, notes = excluded.notes`;

/** Adds or replaces a slot row ({@link slotParams}); the Sheets store's mirror writes with it too. */
export const UPSERT_SLOT_SQL = `INSERT INTO slots (id, doctor_id, date, start, "end", capacity, status, notes)
  VALUES (@id, @doctor_id, @date, @start, @end, @capacity, @status, @notes)
  ON CONFLICT(id) DO UPDATE SET doctor_id = excluded.doctor_id, date = excluded.date,
    start = excluded.start, "end" = excluded."end", capacity = excluded.capacity,
    status = excluded.status, notes = excluded.notes`;

/** Inserts an appointment row ({@link appointmentParams}); the Sheets store takes in hand-typed rows with it. */
export const INSERT_APPOINTMENT_SQL = `INSERT INTO appointments (id, created_at, updated_at, status, channel, chat_id,
    patient_name, phone, age, gender, purpose, doctor_id, doctor_name, slot_id, date, time, fee, payment_mode,
    payment_status, payment_link, payment_id, invoice_no, reports, hold_expires_at, reminders_sent, notes,
    patient_confirmed_at, rescheduled_at, confirmed_at)
  VALUES (@id, @created_at, @updated_at, @status, @channel, @chat_id, @patient_name, @phone, @age,
    @gender, @purpose, @doctor_id, @doctor_name, @slot_id, @date, @time, @fee, @payment_mode,
    @payment_status, @payment_link, @payment_id, @invoice_no, @reports, @hold_expires_at,
    @reminders_sent, @notes, @patient_confirmed_at, @rescheduled_at, @confirmed_at)`;

/**
 * Throws a RangeError unless the slot's date and times are `YYYY-MM-DD` / `HH:mm` and its capacity a
 * whole number: slots are compared and ordered as text, so any other shape would silently sort and
 * filter wrongly.
 */
export function assertSlotShape(slot: Slot): void {
  if (!DATE_PATTERN.test(slot.date)) throw new RangeError(`Slot ${slot.id}: date must be YYYY-MM-DD, got ${slot.date}`);
  if (!TIME_PATTERN.test(slot.start) || !TIME_PATTERN.test(slot.end)) {
    throw new RangeError(`Slot ${slot.id}: start and end must be HH:mm, got ${slot.start}-${slot.end}`);
  }
  if (!Number.isInteger(slot.capacity) || slot.capacity < 0) {
    throw new RangeError(`Slot ${slot.id}: capacity must be a whole number >= 0, got ${slot.capacity}`);
  }
}

/** Statements prepared once per connection; SQLite reuses their compiled plans on every call. */
function prepareStatements(db: Database.Database) {
  return {
    doctor: db.prepare<[string], DoctorRow>('SELECT * FROM doctors WHERE id = ?'),
    activeDoctors: db.prepare<[], DoctorRow>('SELECT * FROM doctors WHERE active = 1 ORDER BY name, id'),
    allDoctors: db.prepare<[], DoctorRow>('SELECT * FROM doctors ORDER BY name, id'),
    upsertDoctor: db.prepare<[DoctorRow]>(UPSERT_DOCTOR_SQL),
    slot: db.prepare<[string], SlotRow>(`SELECT ${SLOT_COLUMNS} FROM slots s WHERE s.id = ?`),
    upsertSlot: db.prepare<[SlotRow]>(UPSERT_SLOT_SQL),
    taken: db.prepare<[{ slotId: string; now: string; excludeId: string }], { taken: number }>(
      `SELECT ${TAKEN_SQL} AS taken FROM slots s WHERE s.id = @slotId`,
    ),
    usage: db.prepare<[{ fromDate: string; toDate: string; now: string; excludeId: string }], UsageRow>(
      `SELECT ${SLOT_COLUMNS}, ${TAKEN_SQL} AS taken FROM slots s
       WHERE s.date BETWEEN @fromDate AND @toDate
       ORDER BY s.date, s.start, s.doctor_id, s.id`,
    ),
    doctorUsage: db.prepare<
      [{ doctorId: string; fromDate: string; toDate: string; now: string; excludeId: string }],
      UsageRow
    >(
      `SELECT ${SLOT_COLUMNS}, ${TAKEN_SQL} AS taken FROM slots s
       WHERE s.doctor_id = @doctorId AND s.date BETWEEN @fromDate AND @toDate
       ORDER BY s.date, s.start, s.id`,
    ),
    appointment: db.prepare<[string], AppointmentRow>('SELECT * FROM appointments WHERE id = ?'),
    insertAppointment: db.prepare<[AppointmentRow]>(INSERT_APPOINTMENT_SQL),
    updateAppointment: db.prepare<[AppointmentRow]>(
      `UPDATE appointments SET updated_at = @updated_at, status = @status, payment_mode = @payment_mode,
         payment_status = @payment_status, payment_link = @payment_link, payment_id = @payment_id,
         invoice_no = @invoice_no, reports = @reports, hold_expires_at = @hold_expires_at,
         reminders_sent = @reminders_sent, notes = @notes, patient_confirmed_at = @patient_confirmed_at,
         slot_id = @slot_id, date = @date, time = @time, rescheduled_at = @rescheduled_at,
         confirmed_at = @confirmed_at
       WHERE id = @id`,
    ),
    expireHolds: db.prepare<[{ now: string }], AppointmentRow>(
      `UPDATE appointments SET status = 'EXPIRED', updated_at = @now
       WHERE status = 'HELD' AND hold_expires_at IS NOT NULL AND hold_expires_at <= @now
       RETURNING *`,
    ),
    ping: db.prepare('SELECT 1'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/** Options of {@link SqliteClinicStore}. */
export interface SqliteClinicStoreOptions {
  /** Id generator for new appointments; replaceable so tests can force id collisions. */
  newAppointmentId?: () => string;
}

/**
 * {@link ClinicStore} on an open better-sqlite3 database (see `openClinicDatabase`). The store owns
 * the connection: {@link SqliteClinicStore.close} closes it. Methods return promises only to match the
 * Google Sheets store; the work itself is synchronous.
 */
export class SqliteClinicStore implements ClinicStore {
  private readonly nextId: () => string;
  private readonly statements: Statements;

  constructor(
    private readonly db: Database.Database,
    options: SqliteClinicStoreOptions = {},
  ) {
    this.nextId = options.newAppointmentId ?? newAppointmentId;
    this.statements = prepareStatements(db);
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async listDoctors(options: { includeInactive?: boolean } = {}): Promise<Doctor[]> {
    const statement = options.includeInactive ? this.statements.allDoctors : this.statements.activeDoctors;
    return statement.all().map(toDoctor);
  }

  async getDoctor(id: string): Promise<Doctor | undefined> {
    const row = this.statements.doctor.get(id);
    return row && toDoctor(row);
  }

  async getSlot(id: string): Promise<Slot | undefined> {
    const row = this.statements.slot.get(id);
    return row && toSlot(row);
  }

  async listSlotUsage(query: SlotQuery): Promise<SlotUsage[]> {
    const base = { fromDate: query.fromDate, toDate: query.toDate, now: toIsoInstant(query.now), excludeId: '' };
    const rows =
      query.doctorId === undefined
        ? this.statements.usage.all(base)
        : this.statements.doctorUsage.all({ ...base, doctorId: query.doctorId });
    return rows.map((row) => ({ slot: toSlot(row), taken: row.taken }));
  }

  async holdSlot(hold: NewHold, now: Date): Promise<Appointment> {
    const nowIso = toIsoInstant(now);
    return this.db
      .transaction((): Appointment => {
        const slotRow = this.statements.slot.get(hold.slotId);
        if (!slotRow) throw new SlotUnavailableError(hold.slotId, 'unknown');
        const doctorRow = this.statements.doctor.get(slotRow.doctor_id);
        // A deactivated doctor's slots are not bookable even if staff left them OPEN.
        if (slotRow.status !== 'OPEN' || !doctorRow || doctorRow.active === 0) {
          throw new SlotUnavailableError(hold.slotId, 'blocked');
        }
        if (this.takenAt(hold.slotId, nowIso, '') >= slotRow.capacity) {
          throw new SlotUnavailableError(hold.slotId, 'full');
        }
        const appointment: Appointment = {
          id: '',
          createdAt: nowIso,
          updatedAt: nowIso,
          status: 'HELD',
          conversation: { channel: hold.conversation.channel, chatId: hold.conversation.chatId },
          patient: { ...hold.patient },
          purpose: hold.purpose,
          doctorId: doctorRow.id,
          doctorName: doctorRow.name,
          slotId: slotRow.id,
          date: slotRow.date,
          time: slotRow.start,
          fee: doctorRow.fee,
          paymentMode: null,
          paymentStatus: null,
          paymentLink: null,
          paymentId: null,
          invoiceNo: null,
          reports: [],
          holdExpiresAt: toIsoInstant(hold.holdExpiresAt),
          remindersSent: [],
          notes: '',
        };
        return this.insertWithFreshId(appointment);
      })
      .immediate();
  }

  async confirmAppointment(
    id: string,
    payment: { paymentMode: PaymentMode; paymentStatus: PaymentStatus },
    now: Date,
  ): Promise<Appointment> {
    const nowIso = toIsoInstant(now);
    return this.db
      .transaction((): Appointment => {
        const current = this.requireAppointment(id);
        const holdLive =
          current.status === 'HELD' && (current.holdExpiresAt === null || current.holdExpiresAt > nowIso);
        if (!holdLive && current.status !== 'HELD' && current.status !== 'EXPIRED') {
          throw new InvalidTransitionError(id, current.status, 'CONFIRMED');
        }
        const slotRow = this.statements.slot.get(current.slotId);
        if (!slotRow) throw new SlotUnavailableError(current.slotId, 'unknown');
        // Checked for a live hold too: a hold is not a booking yet, and an admin who blocked the time
        // (a doctor's leave) must not find a new appointment in it afterwards.
        if (slotRow.status !== 'OPEN') throw new SlotUnavailableError(current.slotId, 'blocked');
        // The place was released when the hold lapsed (a late payment): take it only if still free.
        if (!holdLive && this.takenAt(current.slotId, nowIso, id) >= slotRow.capacity) {
          throw new SlotUnavailableError(current.slotId, 'full');
        }
        return this.write({
          ...current,
          status: 'CONFIRMED',
          paymentMode: payment.paymentMode,
          paymentStatus: payment.paymentStatus,
          holdExpiresAt: null,
          confirmedAt: nowIso,
          updatedAt: nowIso,
        });
      })
      .immediate();
  }

  async updateAppointment(id: string, patch: AppointmentPatch, now: Date): Promise<Appointment> {
    const nowIso = toIsoInstant(now);
    return this.db
      .transaction((): Appointment => {
        const next: Appointment = { ...this.requireAppointment(id), updatedAt: nowIso };
        for (const key of PATCH_KEYS) {
          if (patch[key] !== undefined) assignPatchValue(next, patch, key);
        }
        return this.write(next);
      })
      .immediate();
  }

  async rescheduleAppointment(id: string, newSlotId: string, now: Date): Promise<Appointment> {
    const nowIso = toIsoInstant(now);
    return this.db
      .transaction((): Appointment => {
        const current = this.requireAppointment(id);
        if (current.status !== 'CONFIRMED') throw new InvalidTransitionError(id, current.status, 'rescheduled');
        if (newSlotId === current.slotId) return current;
        const slotRow = this.statements.slot.get(newSlotId);
        // Another doctor's slot would change the fee the patient may already have paid.
        if (!slotRow || slotRow.doctor_id !== current.doctorId) throw new SlotUnavailableError(newSlotId, 'unknown');
        const doctorRow = this.statements.doctor.get(slotRow.doctor_id);
        if (slotRow.status !== 'OPEN' || !doctorRow || doctorRow.active === 0) throw new SlotUnavailableError(newSlotId, 'blocked');
        if (this.takenAt(newSlotId, nowIso, id) >= slotRow.capacity) throw new SlotUnavailableError(newSlotId, 'full');
        // One write moves the appointment: the new place is taken and the old one freed together.
        const { patientConfirmedAt: _confirmedForOldTime, ...rest } = current;
        return this.write({
          ...rest,
          slotId: slotRow.id,
          date: slotRow.date,
          time: slotRow.start,
          remindersSent: [],
          rescheduledAt: nowIso,
          updatedAt: nowIso,
        });
      })
      .immediate();
  }

  async getAppointment(id: string): Promise<Appointment | undefined> {
    const row = this.statements.appointment.get(id);
    return row && toAppointment(row);
  }

  async listAppointments(query: AppointmentQuery): Promise<Appointment[]> {
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (query.conversation) {
      where.push('channel = @channel AND chat_id = @chatId');
      params.channel = query.conversation.channel;
      params.chatId = query.conversation.chatId;
    }
    if (query.phone !== undefined) {
      where.push('phone = @phone');
      params.phone = query.phone;
    }
    if (query.statuses !== undefined) {
      if (query.statuses.length === 0) return [];
      const names = query.statuses.map((status, index) => {
        params[`status${index}`] = status;
        return `@status${index}`;
      });
      where.push(`status IN (${names.join(', ')})`);
    }
    if (query.fromDate !== undefined) {
      where.push('date >= @fromDate');
      params.fromDate = query.fromDate;
    }
    if (query.toDate !== undefined) {
      where.push('date <= @toDate');
      params.toDate = query.toDate;
    }
    const sql =
      'SELECT * FROM appointments' +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      // rowid breaks ties between appointments created in the same millisecond: later insert first.
      ' ORDER BY created_at DESC, rowid DESC';
    return this.db.prepare<[Record<string, string>], AppointmentRow>(sql).all(params).map(toAppointment);
  }

  async addReport(appointmentId: string, report: ReportRef, now: Date): Promise<Appointment> {
    const nowIso = toIsoInstant(now);
    return this.db
      .transaction((): Appointment => {
        const current = this.requireAppointment(appointmentId);
        return this.write({ ...current, reports: [...current.reports, { ...report }], updatedAt: nowIso });
      })
      .immediate();
  }

  async expireHolds(now: Date): Promise<Appointment[]> {
    const nowIso = toIsoInstant(now);
    const rows = this.db.transaction(() => this.statements.expireHolds.all({ now: nowIso })).immediate();
    return rows.map(toAppointment).sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(a.id, b.id));
  }

  /** Adds or replaces a doctor, for staff tooling, scripts and tests (the flow never writes doctors). */
  async upsertDoctor(doctor: Doctor): Promise<void> {
    this.statements.upsertDoctor.run(doctorParams(doctor));
  }

  /** Adds or replaces a slot; its date and times must already be `YYYY-MM-DD` / `HH:mm` ({@link assertSlotShape}). */
  async upsertSlot(slot: Slot): Promise<void> {
    await this.upsertSlots([slot]);
  }

  /** Adds or replaces slots in one transaction, after checking them all: a bad one means none is written. */
  async upsertSlots(slots: readonly Slot[]): Promise<void> {
    slots.forEach(assertSlotShape);
    const { upsertSlot } = this.statements;
    this.db.transaction(() => {
      for (const slot of slots) upsertSlot.run(slotParams(slot));
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private takenAt(slotId: string, nowIso: string, excludeId: string): number {
    return this.statements.taken.get({ slotId, now: nowIso, excludeId })?.taken ?? 0;
  }

  private requireAppointment(id: string): Appointment {
    const row = this.statements.appointment.get(id);
    if (!row) throw new AppointmentNotFoundError(id);
    return toAppointment(row);
  }

  private write(appointment: Appointment): Appointment {
    const params = appointmentParams(appointment);
    this.statements.updateAppointment.run(params);
    return toAppointment(params);
  }

  /** Inserts under a new random id, drawing again on the (rare) clash with an existing one. */
  private insertWithFreshId(appointment: Appointment): Appointment {
    for (let attempt = 1; ; attempt += 1) {
      const params = appointmentParams({ ...appointment, id: this.nextId() });
      try {
        this.statements.insertAppointment.run(params);
        return toAppointment(params);
      } catch (error) {
        const clash = error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
        if (!clash || attempt >= ID_ATTEMPTS) throw error;
      }
    }
  }
}

function assignPatchValue<K extends (typeof PATCH_KEYS)[number]>(
  target: Appointment,
  patch: AppointmentPatch,
  key: K,
): void {
  const value = patch[key];
  if (value !== undefined) target[key] = value as Appointment[K];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
