/**
 * The clinic's data in a Google Sheet staff edit, with a ledger in the local SQLite file.
 *
 * Doctors and slots are the sheet's, mirrored into SQLite by the background refresher; appointments
 * are booked in the SQLite ledger by exactly the code of the SQLite store (the same BEGIN IMMEDIATE
 * lock checks capacity and writes), so a booking is instant and durable and no race can overbook. A
 * trigger queues every appointment change in the same transaction; the background writer carries the
 * queue to the Appointments tab. Nothing a patient does waits on Google.
 */
import type Database from 'better-sqlite3';
import type { Doctor, Slot } from '../../core/domain.js';
import { refundDueAlert } from '../../core/admin/alerts.js';
import { appointmentWhen } from '../../core/flow/describe.js';
import type { AdminAlerts, Clock, Notifier } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { assertSlotShape, SqliteClinicStore, type SqliteClinicStoreOptions } from '../sqlite/clinicStore.js';
import { getMeta, setMeta } from '../sqlite/database.js';
import { SHEETS_SYNC_KEY } from './ledger.js';
import { SheetSync, type SheetSyncOptions } from './sheetSync.js';
import type { ScheduleEntry } from './clinicTables.js';
import type { SheetsApi } from './sheetsApi.js';

export interface SheetsClinicStoreOptions extends SqliteClinicStoreOptions, Omit<SheetSyncOptions, 'db' | 'api' | 'clock' | 'logger'> {
  api: SheetsApi;
  clock: Clock;
  logger: Logger;
}

export class SheetsClinicStore extends SqliteClinicStore {
  readonly sync: SheetSync;

  constructor(db: Database.Database, options: SheetsClinicStoreOptions) {
    super(db, options);
    this.sync = new SheetSync({ ...options, db });
    startQueueing(db, options.api.sheetId);
  }

  /**
   * Checks access to the sheet and reads it once, so the service starts with the clinic's doctors and
   * slots; throws a SheetsSetupError saying what to do when the sheet cannot be used.
   */
  async open(): Promise<void> {
    await this.sync.checkAccess();
    await this.sync.refresh({ strict: true });
  }

  /**
   * Tells patients whose appointment staff cancelled in the sheet, through the outbox, and the admins
   * when such an appointment had been paid online (its fee is now due back).
   */
  async notifyThrough(notifier: Notifier, alerts?: AdminAlerts): Promise<void> {
    await this.sync.onStaffCancellation(async ({ appointment, refundDue }) => {
      if (refundDue) {
        const alert = refundDueAlert(appointment, 'in the sheet');
        await alerts?.alert(alert.text, { dedupeKey: alert.dedupeKey });
      }
      if (appointment.conversation.chatId === '') return; // typed in by staff: nobody to message
      await notifier.send(
        appointment.conversation,
        [
          {
            kind: 'text',
            text:
              `The clinic has cancelled your appointment with ${appointment.doctorName} on ${appointmentWhen(appointment)} ` +
              `(${appointment.id}).${refundDue ? ' Your payment will be refunded in full to the original payment method; you need not do anything.' : ''} ` +
              'Send "menu" to book another time.',
          },
        ],
        { dedupeKey: `sheet-cancelled:${appointment.id}` },
      );
    });
  }

  /** Starts the background refresher and writer. */
  start(): void {
    this.sync.start();
  }

  /** Reads the sheet now (tests, operator scripts). */
  refresh(): Promise<void> {
    return this.sync.refresh();
  }

  /** Writes every due appointment to the sheet now (tests, benchmarks). */
  flush(): Promise<void> {
    return this.sync.flush();
  }

  /** The weekly template of the Schedule tab, as last read. */
  schedule(): ScheduleEntry[] {
    return this.sync.schedule;
  }

  /** Writes the doctor into the Doctors tab (the clinic's copy), then into the local mirror. */
  override async upsertDoctor(doctor: Doctor): Promise<void> {
    await this.sync.writeDoctor(doctor);
    await super.upsertDoctor(doctor);
  }

  /** Writes the slots into the Slots tab (the clinic's copy, a few requests for all), then into the local mirror. */
  override async upsertSlots(slots: readonly Slot[]): Promise<void> {
    // The local store's checks, before anything reaches the sheet.
    slots.forEach(assertSlotShape);
    await this.sync.writeSlots(slots);
    await super.upsertSlots(slots);
  }

  override async close(): Promise<void> {
    await this.sync.stop();
    await super.close();
  }
}

/**
 * Switches the appointments triggers on. On a file new to this sheet (first use, or another sheet),
 * every appointment is queued and what was known of the old sheet's rows is forgotten.
 */
function startQueueing(db: Database.Database, sheetId: string): void {
  db.transaction(() => {
    if (getMeta(db, SHEETS_SYNC_KEY) === sheetId) return;
    db.exec('DELETE FROM sheet_rows; DELETE FROM sheet_walk_ins;');
    db.exec(`INSERT INTO sheet_writes (appointment_id, queued_at) SELECT id, updated_at FROM appointments WHERE true
             ON CONFLICT (appointment_id) DO UPDATE SET version = version + 1`);
    setMeta(db, SHEETS_SYNC_KEY, sheetId);
  }).immediate();
}

/** Switches the triggers off when the service runs on SQLite alone, so nothing queues for a sheet. */
export function stopSheetQueueing(db: Database.Database): void {
  db.transaction(() => {
    if (getMeta(db, SHEETS_SYNC_KEY) === undefined) return;
    db.prepare('DELETE FROM meta WHERE key = ?').run(SHEETS_SYNC_KEY);
    db.exec('DELETE FROM sheet_writes; DELETE FROM sheet_rows; DELETE FROM sheet_walk_ins;');
  }).immediate();
}
