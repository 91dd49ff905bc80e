/**
 * The SQLite side of the Sheets store: the queue of appointments whose row is behind, what each row
 * last held in the sheet, hand-typed rows waiting for their ID, and mirroring the sheet's doctors and
 * slots into the local tables the booking code reads.
 */
import type Database from 'better-sqlite3';
import { CAPACITY_STATUSES, type Appointment, type Doctor, type Slot } from '../../core/domain.js';
import { INSERT_APPOINTMENT_SQL, UPSERT_DOCTOR_SQL, UPSERT_SLOT_SQL } from '../sqlite/clinicStore.js';
import { appointmentParams, doctorParams, slotParams, toAppointment, type AppointmentRow, type DoctorRow, type SlotRow } from '../sqlite/rows.js';

/** Meta key whose presence makes the appointments triggers queue sheet writes. */
export const SHEETS_SYNC_KEY = 'sheets_sync';

export interface QueueEntry {
  appointmentId: string;
  version: number;
  queuedAt: string;
  attempts: number;
}

/** What the appointment's row held in the sheet after the last write or read. */
export interface RowBase {
  status: string | null;
  notes: string | null;
  appended: boolean;
  seen: boolean;
}

const LIVE_STATUSES = CAPACITY_STATUSES.map((status) => `'${status}'`).join(', ');

/** Prepared statements over one connection. */
export class SheetLedger {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      pending: db.prepare<[number], { appointment_id: string; version: number; queued_at: string; attempts: number }>(
        'SELECT appointment_id, version, queued_at, attempts FROM sheet_writes ORDER BY queued_at, appointment_id LIMIT ?',
      ),
      backlog: db.prepare<[], { count: number; oldest: string | null }>('SELECT COUNT(*) AS count, MIN(queued_at) AS oldest FROM sheet_writes'),
      version: db.prepare<[string], { version: number }>('SELECT version FROM sheet_writes WHERE appointment_id = ?'),
      complete: db.prepare<[string, number]>('DELETE FROM sheet_writes WHERE appointment_id = ? AND version = ?'),
      drop: db.prepare<[string]>('DELETE FROM sheet_writes WHERE appointment_id = ?'),
      enqueue: db.prepare<[string, string]>(
        `INSERT INTO sheet_writes (appointment_id, queued_at) VALUES (?, ?)
         ON CONFLICT (appointment_id) DO UPDATE SET version = version + 1`,
      ),
      failed: db.prepare<[string, string]>('UPDATE sheet_writes SET attempts = attempts + 1, last_error = ? WHERE appointment_id = ?'),
      base: db.prepare<[string], { status: string | null; notes: string | null; appended: number; seen: number }>(
        'SELECT status, notes, appended, seen FROM sheet_rows WHERE appointment_id = ?',
      ),
      seenIds: db.prepare<[], { appointment_id: string }>('SELECT appointment_id FROM sheet_rows WHERE seen = 1'),
      setBase: db.prepare<[{ id: string; status: string | null; notes: string | null; appended: number; seen: number }]>(
        `INSERT INTO sheet_rows (appointment_id, status, notes, appended, seen) VALUES (@id, @status, @notes, @appended, @seen)
         ON CONFLICT (appointment_id) DO UPDATE SET status = @status, notes = @notes,
           appended = MAX(appended, @appended), seen = @seen`,
      ),
      appointment: db.prepare<[string], AppointmentRow>('SELECT * FROM appointments WHERE id = ?'),
      walkIn: db.prepare<[string], { appointment_id: string }>('SELECT appointment_id FROM sheet_walk_ins WHERE fingerprint = ?'),
      walkInOf: db.prepare<[string], { fingerprint: string }>('SELECT fingerprint FROM sheet_walk_ins WHERE appointment_id = ?'),
      addWalkIn: db.prepare<[string, string]>('INSERT OR REPLACE INTO sheet_walk_ins (fingerprint, appointment_id) VALUES (?, ?)'),
      dropWalkIn: db.prepare<[string]>('DELETE FROM sheet_walk_ins WHERE appointment_id = ?'),
      setStatus: db.prepare<[string, string, string]>('UPDATE appointments SET status = ?, updated_at = ? WHERE id = ?'),
      setNotes: db.prepare<[string, string]>('UPDATE appointments SET notes = ? WHERE id = ?'),
      refundDue: db.prepare<[string, string]>(
        "UPDATE appointments SET payment_status = 'REFUND_DUE', updated_at = ? WHERE id = ? AND payment_status = 'PAID'",
      ),
      slotAt: db.prepare<[string, string, string], { id: string; capacity: number }>(
        'SELECT id, capacity FROM slots WHERE doctor_id = ? AND date = ? AND start = ? ORDER BY id LIMIT 1',
      ),
      taken: db.prepare<[string], { taken: number }>(`SELECT COUNT(*) AS taken FROM appointments WHERE slot_id = ? AND status IN (${LIVE_STATUSES})`),
      insertAppointment: db.prepare<[AppointmentRow]>(INSERT_APPOINTMENT_SQL),
      doctors: db.prepare<[], { id: string; name: string; fee: number }>('SELECT id, name, fee FROM doctors'),
      upsertDoctor: db.prepare<[DoctorRow]>(UPSERT_DOCTOR_SQL),
      upsertSlot: db.prepare<[SlotRow]>(UPSERT_SLOT_SQL),
      localSlots: db.prepare<[], { id: string; doctor_id: string; live: number }>(
        `SELECT s.id, s.doctor_id, EXISTS (SELECT 1 FROM appointments a WHERE a.slot_id = s.id AND a.status IN (${LIVE_STATUSES})) AS live FROM slots s`,
      ),
      keepSlot: db.prepare<[string]>(`UPDATE slots SET status = 'BLOCKED', notes = 'Removed from the sheet; kept while it has appointments' WHERE id = ?`),
      deleteSlot: db.prepare<[string]>('DELETE FROM slots WHERE id = ?'),
      doctorIds: db.prepare<[], { id: string }>('SELECT id FROM doctors'),
      deactivateDoctor: db.prepare<[string]>('UPDATE doctors SET active = 0 WHERE id = ?'),
      deleteDoctor: db.prepare<[string]>('DELETE FROM doctors WHERE id = ?'),
    };
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  pending(limit: number): QueueEntry[] {
    return this.s.pending.all(limit).map((row) => ({ appointmentId: row.appointment_id, version: row.version, queuedAt: row.queued_at, attempts: row.attempts }));
  }

  backlog(): { pending: number; oldestQueuedAt: string | null } {
    const row = this.s.backlog.get();
    return { pending: row?.count ?? 0, oldestQueuedAt: row?.oldest ?? null };
  }

  version(appointmentId: string): number | undefined {
    return this.s.version.get(appointmentId)?.version;
  }

  /** Removes the entry if no change arrived since `version` was read. */
  complete(appointmentId: string, version: number): void {
    this.s.complete.run(appointmentId, version);
  }

  drop(appointmentId: string): void {
    this.s.drop.run(appointmentId);
  }

  enqueue(appointmentId: string, at: string): void {
    this.s.enqueue.run(appointmentId, at);
  }

  recordFailure(appointmentIds: readonly string[], error: string): void {
    this.transaction(() => {
      for (const id of appointmentIds) this.s.failed.run(error.slice(0, 500), id);
    });
  }

  base(appointmentId: string): RowBase | undefined {
    const row = this.s.base.get(appointmentId);
    return row && { status: row.status, notes: row.notes, appended: row.appended === 1, seen: row.seen === 1 };
  }

  setBase(appointmentId: string, base: RowBase): void {
    this.s.setBase.run({ id: appointmentId, status: base.status, notes: base.notes, appended: base.appended ? 1 : 0, seen: base.seen ? 1 : 0 });
  }

  /** Appointments whose row was seen in the sheet. */
  seenIds(): string[] {
    return this.s.seenIds.all().map((row) => row.appointment_id);
  }

  appointment(id: string): Appointment | undefined {
    const row = this.s.appointment.get(id);
    return row && toAppointment(row);
  }

  /** Inserts an appointment read from the sheet (a walk-in, or a row whose ID the ledger lacks). */
  insertAppointment(appointment: Appointment): void {
    this.s.insertAppointment.run(appointmentParams(appointment));
  }

  /** The local doctors (the sheet's, as last mirrored), for reading the doctor staff typed on a row. */
  doctors(): { id: string; name: string; fee: number }[] {
    return this.s.doctors.all();
  }

  /** A staff edit of Status; does not queue a write when nothing else was pending. */
  applyStaffStatus(id: string, status: string, at: string): void {
    const queued = this.version(id) !== undefined;
    this.s.setStatus.run(status, at, id);
    if (!queued) this.drop(id);
  }

  /**
   * A paid appointment staff cancelled: its fee is now due back. A change of the bot's, so the update
   * trigger queues its row to be written again (the sheet then shows REFUND_DUE). False when it was
   * not paid.
   */
  markRefundDue(id: string, at: string): boolean {
    return this.s.refundDue.run(at, id).changes > 0;
  }

  /** A staff edit of Notes; does not queue a write when nothing else was pending. */
  applyStaffNotes(id: string, notes: string): void {
    const queued = this.version(id) !== undefined;
    this.s.setNotes.run(notes, id);
    if (!queued) this.drop(id);
  }

  /** Notes the bot adds (e.g. a deleted row restored); queued like any change. */
  setNotes(id: string, notes: string): void {
    this.s.setNotes.run(notes, id);
  }

  walkInFor(fingerprint: string): string | undefined {
    return this.s.walkIn.get(fingerprint)?.appointment_id;
  }

  fingerprintOf(appointmentId: string): string | undefined {
    return this.s.walkInOf.get(appointmentId)?.fingerprint;
  }

  rememberWalkIn(fingerprint: string, appointmentId: string): void {
    this.s.addWalkIn.run(fingerprint, appointmentId);
  }

  forgetWalkIn(appointmentId: string): void {
    this.s.dropWalkIn.run(appointmentId);
  }

  /** The slot of a doctor starting at a date and time, with how many places are taken for good. */
  slotAt(doctorId: string, date: string, start: string): { id: string; capacity: number; taken: number } | undefined {
    const slot = this.s.slotAt.get(doctorId, date, start);
    return slot && { ...slot, taken: this.s.taken.get(slot.id)?.taken ?? 0 };
  }

  /**
   * Makes the local doctors and slots what the sheet holds. A slot gone from the sheet that still has
   * live appointments stays, BLOCKED, so its places keep counting and nobody can take them again
   * (with its doctor, inactive, if the doctor went too); the rest goes.
   */
  mirror(doctors: readonly Doctor[], slots: readonly Slot[]): { keptSlots: string[] } {
    const { s } = this;
    const doctorIds = new Set(doctors.map((d) => d.id));
    const slotIds = new Set(slots.map((slot) => slot.id));
    const keptSlots: string[] = [];
    for (const doctor of doctors) s.upsertDoctor.run(doctorParams(doctor));
    for (const slot of slots) s.upsertSlot.run(slotParams(slot));
    const keptDoctors = new Set<string>();
    for (const local of s.localSlots.all()) {
      if (slotIds.has(local.id)) continue;
      if (local.live) {
        s.keepSlot.run(local.id);
        keptSlots.push(local.id);
        keptDoctors.add(local.doctor_id);
      } else {
        s.deleteSlot.run(local.id);
      }
    }
    for (const { id } of s.doctorIds.all()) {
      if (doctorIds.has(id)) continue;
      if (keptDoctors.has(id)) s.deactivateDoctor.run(id);
      else s.deleteDoctor.run(id);
    }
    return { keptSlots };
  }
}
