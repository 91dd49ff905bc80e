/**
 * Keeps the sheet and the SQLite ledger in step, in the background, so no patient waits on Google:
 * - refresh(): one batchGet of Doctors, Slots, Schedule and Appointments; mirrors doctors and slots
 *   into SQLite and takes in staff edits of appointments (Status, Notes, hand-typed rows, deletions);
 * - writeCycle(): reads the Appointments tab, then appends new rows in one request and rewrites
 *   changed rows, found by Appointment ID at that moment, in another, only in the cells the bot owns.
 * Both run one at a time (a stale read must never be merged after a newer write).
 */
import { Mutex } from 'async-mutex';
import type Database from 'better-sqlite3';
import { CAPACITY_STATUSES, type Appointment, type AppointmentStatus, type Doctor, type Slot } from '../../core/domain.js';
import type { Clock } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { newAppointmentId } from '../sqlite/clinicStore.js';
import {
  appointmentValues,
  BOT_COLUMNS,
  cellHolds,
  localInstant,
  MERGED_COLUMNS,
  readAppointmentTable,
  readStatus,
  readWalkIn,
  walkInFingerprint,
  WRITE_BACK_COLUMNS,
  type AppointmentTable,
  type SheetAppointmentRow,
  type WalkIn,
} from './appointmentRows.js';
import { readDate, readText, readTime } from './cells.js';
import { derivedSlotId, readDoctors, readSchedule, readSlots, type ScheduleEntry } from './clinicTables.js';
import { SheetsSetupError } from './errors.js';
import {
  ALL_TABS,
  APPOINTMENTS_TAB,
  columnLetters,
  DOCTORS_TAB,
  HeaderMap,
  quoteTab,
  SCHEDULE_TAB,
  SLOTS_TAB,
  type AppointmentColumn,
  type CellValue,
  type DoctorColumn,
  type SlotColumn,
  type TabLayout,
} from './layout.js';
import { SheetLedger } from './ledger.js';
import { defaultRetryPolicy, retryDelay, SheetsApiError, withRetries, type RetryPolicy, type SheetsApi } from './sheetsApi.js';

/** A staff edit the patient must hear about. */
export interface StaffCancellation {
  appointment: Appointment;
  /** It had been paid online: the fee is to be refunded (the appointment now says REFUND_DUE). */
  refundDue: boolean;
}

export interface SheetSyncOptions {
  api: SheetsApi;
  db: Database.Database;
  clock: Clock;
  logger: Logger;
  /** Clinic time zone: instants are shown to staff in it. */
  timezone: string;
  /** How often the sheet is read (SHEETS_CACHE_SECONDS). */
  cacheSeconds: number;
  /**
   * A hold reaches the sheet only once it is this old: most holds are confirmed (or released) sooner,
   * and are then written once, in their final state. Default one minute.
   */
  holdWriteDelayMs?: number;
  /** Pause between write cycles that wrote something, so bursts batch up and quotas hold. Default 2 s. */
  cycleGapMs?: number;
  /** How often an idle writer looks for work. Default 1 s. */
  idlePollMs?: number;
  /** Appointments per write cycle. Default 200. */
  batchSize?: number;
  retry?: Partial<RetryPolicy>;
}

/** What /health shows of the sheet. */
export interface SheetSyncHealth {
  ok: boolean;
  pendingWrites: number;
  oldestPendingSeconds: number | null;
  lastRefreshAt: string | null;
  lastError?: string;
}

const STALE_BACKLOG_SECONDS = 15 * 60;

export class SheetSync {
  readonly ledger: SheetLedger;
  /** The weekly template of the Schedule tab, as last read. */
  schedule: ScheduleEntry[] = [];
  private readonly mutex = new Mutex();
  private readonly warned = new Set<string>();
  private readonly retry: RetryPolicy;
  private readonly holdWriteDelayMs: number;
  private readonly cycleGapMs: number;
  private readonly idlePollMs: number;
  private readonly batchSize: number;
  private hasSchedule = false;
  private tabsChecked = false;
  private lastRefreshAt: Date | null = null;
  private lastError: string | undefined;
  private notify: ((cancellation: StaffCancellation) => Promise<void>) | undefined;
  private heldNotices: StaffCancellation[] = [];
  private running = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private writerLoop: Promise<void> | undefined;
  private wakeWriter: (() => void) | undefined;

  constructor(private readonly options: SheetSyncOptions) {
    this.ledger = new SheetLedger(options.db);
    this.retry = { ...defaultRetryPolicy(), ...options.retry };
    this.holdWriteDelayMs = options.holdWriteDelayMs ?? 60_000;
    this.cycleGapMs = options.cycleGapMs ?? 2000;
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.batchSize = options.batchSize ?? 200;
  }

  /** Where staff cancellations go (the Notifier); those found before this is set are sent now. */
  async onStaffCancellation(notify: (cancellation: StaffCancellation) => Promise<void>): Promise<void> {
    this.notify = notify;
    const held = this.heldNotices;
    this.heldNotices = [];
    for (const notice of held) await this.deliver([notice]);
  }

  /**
   * Checks that the service account can open the sheet and that the tabs and their key columns exist;
   * throws a {@link SheetsSetupError} saying exactly what to do otherwise.
   */
  async checkAccess(): Promise<void> {
    const { api } = this.options;
    let titles: string[];
    try {
      titles = (await withRetries(this.retry, () => api.tabs())).map((tab) => tab.title);
    } catch (error) {
      throw explainAccessError(error, api.sheetId, api.serviceAccountEmail);
    }
    const missing = ALL_TABS.filter((tab) => !tab.optional && !titles.includes(tab.title)).map((tab) => tab.title);
    if (missing.length > 0) {
      throw new SheetsSetupError(
        `The Google Sheet ${api.sheetId} has no ${missing.join(', ')} tab${missing.length > 1 ? 's' : ''}. ` +
          'Run `npm run setup:sheet` to add the missing tabs and header rows (or add them by hand, named exactly so).',
      );
    }
    this.hasSchedule = titles.includes(SCHEDULE_TAB.title);
    this.tabsChecked = true;
  }

  /** Reads the sheet once and applies it. On the first read, a tab lacking key columns stops start-up. */
  async refresh(options: { strict?: boolean } = {}): Promise<void> {
    await this.mutex.runExclusive(async () => {
      if (!this.tabsChecked) await this.checkAccess();
      const layouts: TabLayout<string>[] = [DOCTORS_TAB, SLOTS_TAB, ...(this.hasSchedule ? [SCHEDULE_TAB] : []), APPOINTMENTS_TAB];
      let tables: CellValue[][][];
      try {
        tables = await this.options.api.batchGet(layouts.map((layout) => quoteTab(layout.title)));
      } catch (error) {
        // A tab renamed or deleted since: look at the tabs again next time.
        if (error instanceof SheetsApiError && error.status === 400) this.tabsChecked = false;
        throw error;
      }
      const byTitle = new Map(layouts.map((layout, index) => [layout.title, tables[index] ?? []]));
      const doctorsRows = byTitle.get(DOCTORS_TAB.title) ?? [];
      const slotsRows = byTitle.get(SLOTS_TAB.title) ?? [];
      const appointmentRows = byTitle.get(APPOINTMENTS_TAB.title) ?? [];
      const table = readAppointmentTable(appointmentRows);
      const problems = [
        columnProblem(DOCTORS_TAB, new HeaderMap(DOCTORS_TAB, doctorsRows[0])),
        columnProblem(SLOTS_TAB, new HeaderMap(SLOTS_TAB, slotsRows[0])),
        columnProblem(APPOINTMENTS_TAB, table.columns),
      ].filter((problem): problem is string => problem !== undefined);
      if (problems.length > 0) {
        const message = `${problems.join(' ')} Run \`npm run setup:sheet\` to add the header rows, or fix the header names.`;
        if (options.strict) throw new SheetsSetupError(message);
        this.options.logger.error({ problems }, 'sheet not applied: key columns are missing');
        this.lastError = message;
        return;
      }
      const warn = this.warnOnce;
      const doctors = readDoctors(doctorsRows, warn);
      const slots = readSlots(slotsRows, new Set(doctors.map((d) => d.id)), warn);
      this.schedule = this.hasSchedule ? readSchedule(byTitle.get(SCHEDULE_TAB.title) ?? [], warn) : [];
      const nowIso = this.options.clock.now().toISOString();
      const notices = this.ledger.transaction(() => {
        this.ledger.mirror(doctors, slots);
        return this.reconcile(table, nowIso);
      });
      this.lastRefreshAt = this.options.clock.now();
      this.lastError = undefined;
      await this.deliver(notices);
    });
  }

  /**
   * One write cycle: at most {@link SheetSyncOptions.batchSize} appointments, one read, one append,
   * one update. Returns how many rows were written and how many holds are waiting to be old enough.
   */
  async writeCycle(): Promise<{ written: number; waiting: number }> {
    return this.mutex.runExclusive(() => this.writeCycleLocked());
  }

  /** Writes until nothing is due, retrying what a retry can fix (tests, benchmarks, shutdown). */
  async flush(): Promise<void> {
    for (let failures = 0; ; ) {
      try {
        const { written } = await this.writeCycle();
        if (written === 0) return;
        failures = 0;
      } catch (error) {
        failures += 1;
        if (!(error instanceof SheetsApiError) || !error.retryable || failures >= this.retry.attempts * 3) throw error;
        await this.retry.wait(retryDelay(error, failures, this.retry));
      }
    }
  }

  /** Starts the background refresher and writer. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.refreshTimer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.failed('sheet refresh failed; the last copy stays in use', error));
    }, Math.max(1, this.options.cacheSeconds) * 1000);
    this.refreshTimer.unref();
    this.writerLoop = this.runWriter();
  }

  /** Stops both; a write in flight finishes first. Pending writes stay queued for the next start. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.wakeWriter?.();
    await this.writerLoop;
    await this.mutex.waitForUnlock();
  }

  /** Wakes the writer at once (a booking just happened). */
  wake(): void {
    this.wakeWriter?.();
  }

  health(): SheetSyncHealth {
    const { pending, oldestQueuedAt } = this.ledger.backlog();
    const now = this.options.clock.now().getTime();
    const oldestPendingSeconds = oldestQueuedAt === null ? null : Math.max(0, Math.round((now - Date.parse(oldestQueuedAt)) / 1000));
    const refreshStale = this.lastRefreshAt === null || now - this.lastRefreshAt.getTime() > Math.max(300, this.options.cacheSeconds * 10) * 1000;
    return {
      ok: !(oldestPendingSeconds !== null && oldestPendingSeconds > STALE_BACKLOG_SECONDS) && !refreshStale,
      pendingWrites: pending,
      oldestPendingSeconds,
      lastRefreshAt: this.lastRefreshAt?.toISOString() ?? null,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** Writes a doctor into the Doctors tab (its row found by Doctor ID, or a new one). */
  async writeDoctor(doctor: Doctor): Promise<void> {
    const values: Record<DoctorColumn, CellValue> = {
      'Doctor ID': doctor.id,
      Name: doctor.name,
      Specialty: doctor.specialty,
      Fee: doctor.fee,
      Active: doctor.active,
      Languages: doctor.languages.join(', '),
      Notes: doctor.notes,
    };
    await this.writeRecords(DOCTORS_TAB, [{ key: doctor.id, values }], (columns, row) => readText(columns.cell(row, 'Doctor ID')) || undefined);
  }

  /**
   * Writes slots into the Slots tab (each row found by Slot ID, or new rows), with one read of the tab
   * and at most one update and one append, however many slots: generating two weeks of a clinic's
   * slots is a few requests, not two per slot against a quota of 60 a minute.
   */
  async writeSlots(slots: readonly Slot[]): Promise<void> {
    const records = slots.map((slot) => ({
      key: slot.id,
      values: {
        'Slot ID': slot.id,
        'Doctor ID': slot.doctorId,
        Date: slot.date,
        Start: slot.start,
        End: slot.end,
        Capacity: slot.capacity,
        Status: slot.status,
        Notes: slot.notes,
      } satisfies Record<SlotColumn, CellValue>,
    }));
    await this.writeRecords(SLOTS_TAB, records, (columns, row) => {
      const id = readText(columns.cell(row, 'Slot ID'));
      if (id) return id;
      // A row staff typed without an id is known by the id derived from its doctor, date and start.
      const date = readDate(columns.cell(row, 'Date'));
      const start = readTime(columns.cell(row, 'Start'));
      return date !== undefined && start !== undefined ? derivedSlotId(readText(columns.cell(row, 'Doctor ID')), date, start) : undefined;
    });
  }

  // ---- internals ----

  private readonly warnOnce = (tab: string, rowNumber: number, problem: string): void => {
    const key = `${tab}:${rowNumber}:${problem}`;
    if (this.warned.has(key)) return;
    if (this.warned.size > 10_000) this.warned.clear();
    this.warned.add(key);
    this.options.logger.warn({ tab, row: rowNumber }, `${tab} row ${rowNumber}: ${problem}`);
  };

  private failed(message: string, error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ err: error }, message);
  }

  private async runWriter(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let delay = this.idlePollMs;
      try {
        const { written } = await this.writeCycle();
        failures = 0;
        if (written > 0) delay = this.cycleGapMs;
      } catch (error) {
        failures += 1;
        this.failed('writing appointments to the sheet failed; will retry', error);
        delay = error instanceof SheetsApiError ? retryDelay(error, failures, this.retry) : Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** failures);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeWriter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeWriter = undefined;
    }
  }

  private async writeCycleLocked(): Promise<{ written: number; waiting: number }> {
    const { api, clock } = this.options;
    const now = clock.now();
    const nowIso = now.toISOString();
    const due: string[] = [];
    let waiting = 0;
    this.ledger.transaction(() => {
      for (const entry of this.ledger.pending(this.batchSize)) {
        const appointment = this.ledger.appointment(entry.appointmentId);
        if (!appointment) {
          this.ledger.drop(entry.appointmentId);
          continue;
        }
        const base = this.ledger.base(entry.appointmentId);
        const inSheet = Boolean(base?.appended || base?.seen || this.ledger.fingerprintOf(entry.appointmentId));
        // A hold that lapsed before it was ever shown is not worth a row.
        if (!inSheet && appointment.status === 'EXPIRED') {
          this.ledger.complete(entry.appointmentId, entry.version);
          continue;
        }
        if (!inSheet && appointment.status === 'HELD' && this.holdWriteDelayMs > 0 && now.getTime() - Date.parse(appointment.createdAt) < this.holdWriteDelayMs) {
          waiting += 1;
          continue;
        }
        due.push(entry.appointmentId);
      }
    });
    if (due.length === 0) return { written: 0, waiting };

    const table = readAppointmentTable(await api.get(quoteTab(APPOINTMENTS_TAB.title)));
    const problem = columnProblem(APPOINTMENTS_TAB, table.columns);
    if (problem) throw new SheetsSetupError(`${problem} Run \`npm run setup:sheet\` or fix the header.`);
    const notices = this.ledger.transaction(() => this.reconcile(table, nowIso));
    await this.deliver(notices);

    interface Planned {
      id: string;
      version: number;
      appointment: Appointment;
    }
    const appends: (Planned & { row: (CellValue | null)[] })[] = [];
    let typedRows: Map<string, SheetAppointmentRow> | undefined; // read once, when first needed
    const updates: (Planned & { range: string; values: (CellValue | null)[] })[] = [];
    this.ledger.transaction(() => {
      for (const id of due) {
        let appointment = this.ledger.appointment(id);
        let version = this.ledger.version(id);
        if (!appointment || version === undefined) continue;
        const row = table.byId.get(id);
        if (row) {
          const update = this.updateFor(table, row, appointment, false);
          if (update) updates.push({ id, version, appointment, ...update });
          else this.ledger.complete(id, version);
          continue;
        }
        const fingerprint = this.ledger.fingerprintOf(id);
        if (fingerprint !== undefined) {
          const typed = (typedRows ??= this.rowsByFingerprint(table)).get(fingerprint);
          if (typed) {
            const update = this.updateFor(table, typed, appointment, true);
            if (update) updates.push({ id, version, appointment, ...update });
            continue;
          }
          // Staff changed or removed the row before it got its ID: the row as it is now is read
          // again as a booking of its own, so this one must not stay on the books.
          this.ledger.forgetWalkIn(id);
          this.ledger.applyStaffStatus(id, 'CANCELLED', nowIso);
          this.ledger.drop(id);
          this.options.logger.warn({ appointmentId: id }, 'a hand-typed appointment row changed before its ID was written back; the earlier reading is cancelled');
          continue;
        }
        const base = this.ledger.base(id);
        if (base?.seen) {
          const note = `Restored ${localInstant(nowIso, this.options.timezone)}: this row was deleted in the sheet. To cancel, set Status to CANCELLED instead of deleting the row.`;
          this.ledger.setNotes(id, appointment.notes ? `${appointment.notes}\n${note}` : note);
          appointment = this.ledger.appointment(id)!;
          version = this.ledger.version(id)!;
          this.options.logger.warn({ appointmentId: id }, 'an appointment row was deleted in the sheet; writing it back with a note');
        }
        // A new row: every known column filled, other columns left alone.
        appends.push({ id, version, appointment, row: table.columns.layOut(appointmentValues(appointment, this.options.timezone)) });
        // Recorded before sending: if the answer is lost, the next cycle looks for the row first.
        this.ledger.setBase(id, { status: appointment.status, notes: appointment.notes, appended: true, seen: false });
      }
    });

    const ids = [...appends, ...updates].map((planned) => planned.id);
    try {
      // Updates first: they name rows by the numbers just read, and an append can insert rows above
      // some of them (Google appends after the table it finds, which a blank row can end early).
      if (updates.length > 0) {
        await api.batchUpdate(updates.map((planned) => ({ range: planned.range, values: [planned.values] })));
        this.ledger.transaction(() => {
          for (const planned of updates) {
            const base = this.ledger.base(planned.id);
            this.ledger.setBase(planned.id, { status: planned.appointment.status, notes: planned.appointment.notes, appended: base?.appended ?? false, seen: true });
            this.ledger.forgetWalkIn(planned.id);
            this.ledger.complete(planned.id, planned.version);
          }
        });
      }
      if (appends.length > 0) {
        await api.append(quoteTab(APPOINTMENTS_TAB.title), appends.map((planned) => planned.row));
        this.ledger.transaction(() => {
          for (const planned of appends) {
            this.ledger.setBase(planned.id, { status: planned.appointment.status, notes: planned.appointment.notes, appended: true, seen: true });
            this.ledger.complete(planned.id, planned.version);
          }
        });
      }
    } catch (error) {
      this.ledger.recordFailure(ids, error instanceof Error ? error.message : String(error));
      throw error;
    }
    return { written: appends.length + updates.length, waiting };
  }

  /** The cells of a found row that differ from the ledger, as one row range; undefined when none do. */
  private updateFor(table: AppointmentTable, row: SheetAppointmentRow, appointment: Appointment, writeBackId: boolean): { range: string; values: (CellValue | null)[] } | undefined {
    const wanted = appointmentValues(appointment, this.options.timezone);
    const columns: AppointmentColumn[] = [...BOT_COLUMNS, ...MERGED_COLUMNS];
    if (writeBackId) columns.push(...WRITE_BACK_COLUMNS);
    const changes = new Map<number, CellValue>();
    for (const column of columns) {
      const index = table.columns.index(column);
      if (index === undefined) continue;
      const value = wanted[column];
      if (!cellHolds(column, row.cells[index], value)) changes.set(index, value);
    }
    if (changes.size === 0) return undefined;
    const updatedAt = table.columns.index('Updated At');
    if (updatedAt !== undefined) changes.set(updatedAt, wanted['Updated At']);
    const first = Math.min(...changes.keys());
    const last = Math.max(...changes.keys());
    const values: (CellValue | null)[] = [];
    for (let index = first; index <= last; index += 1) values.push(changes.has(index) ? changes.get(index)! : null);
    return {
      range: `${quoteTab(APPOINTMENTS_TAB.title)}!${columnLetters(first)}${row.rowNumber}:${columnLetters(last)}${row.rowNumber}`,
      values,
    };
  }

  private fingerprintOfRow(table: AppointmentTable, row: SheetAppointmentRow): string | undefined {
    const walkIn = readWalkIn(table, row.cells, (text) => this.findDoctor(text));
    return typeof walkIn === 'string' ? undefined : walkInFingerprint(walkIn);
  }

  /** The hand-typed rows of a table by fingerprint (the first row wins, as a search from the top would). */
  private rowsByFingerprint(table: AppointmentTable): Map<string, SheetAppointmentRow> {
    const rows = new Map<string, SheetAppointmentRow>();
    for (const row of table.withoutId) {
      const fingerprint = this.fingerprintOfRow(table, row);
      if (fingerprint !== undefined && !rows.has(fingerprint)) rows.set(fingerprint, row);
    }
    return rows;
  }

  private findDoctor(idOrName: string): { id: string; name: string } | undefined {
    const rows = this.ledger.doctors();
    const wanted = idOrName.trim().toLowerCase();
    return rows.find((doctor) => doctor.id.toLowerCase() === wanted) ?? rows.find((doctor) => doctor.name.toLowerCase() === wanted);
  }

  /**
   * Takes staff edits into the ledger (inside the caller's transaction): Status and Notes staff changed
   * since the last read or write win; rows typed by hand become appointments; rows deleted by hand and
   * bot cells that differ are queued to be written again. Returns the cancellations to tell patients.
   */
  private reconcile(table: AppointmentTable, nowIso: string): StaffCancellation[] {
    const { ledger, options } = this;
    const { logger } = options;
    const notices: StaffCancellation[] = [];
    const tab = APPOINTMENTS_TAB.title;
    for (const duplicate of table.duplicates) {
      this.warnOnce(tab, duplicate.rowNumber, `Appointment ID ${duplicate.id} is on row ${table.byId.get(duplicate.id)?.rowNumber} already; this row is ignored`);
    }
    for (const row of table.byId.values()) {
      const appointment = ledger.appointment(row.id);
      if (!appointment) {
        this.importRow(table, row, nowIso);
        continue;
      }
      const statusCell = table.columns.cell(row.cells, 'Status');
      const sheetStatus = readStatus(statusCell);
      if (statusCell !== undefined && sheetStatus === undefined) {
        this.warnOnce(tab, row.rowNumber, `Status "${readText(statusCell)}" is not one of HELD, CONFIRMED, COMPLETED, NO_SHOW, CANCELLED, EXPIRED; the booking's status is kept`);
      }
      const sheetNotes = readText(table.columns.cell(row.cells, 'Notes'));
      const base = ledger.base(row.id);
      if (!base) {
        // First sight of this row (e.g. the ledger was restored): the sheet as it is becomes the base.
        ledger.setBase(row.id, { status: sheetStatus ?? null, notes: sheetNotes, appended: true, seen: true });
      } else {
        const next = { ...base, seen: true };
        if (sheetStatus !== undefined && sheetStatus !== base.status) {
          if (appointment.status !== sheetStatus) {
            if (appointment.status !== base.status) {
              logger.warn(
                { appointmentId: row.id, staff: sheetStatus, bot: appointment.status },
                "staff and the bot both changed this appointment's Status; staff's Status wins",
              );
            }
            ledger.applyStaffStatus(row.id, sheetStatus, nowIso);
            logger.info({ appointmentId: row.id, from: appointment.status, to: sheetStatus }, 'Status changed in the sheet');
            if (sheetStatus === 'CANCELLED' && CAPACITY_STATUSES.includes(appointment.status)) {
              const refundDue = ledger.markRefundDue(row.id, nowIso);
              notices.push({ appointment: { ...appointment, status: 'CANCELLED', ...(refundDue ? { paymentStatus: 'REFUND_DUE' as const } : {}) }, refundDue });
            }
          }
          next.status = sheetStatus;
        }
        if (table.columns.has('Notes') && sheetNotes !== (base.notes ?? '')) {
          if (appointment.notes !== sheetNotes) {
            if (appointment.notes !== (base.notes ?? '')) {
              logger.warn({ appointmentId: row.id }, "staff and the bot both changed this appointment's Notes; staff's Notes win");
            }
            ledger.applyStaffNotes(row.id, sheetNotes);
          }
          next.notes = sheetNotes;
        }
        ledger.setBase(row.id, next);
      }
      // The bot's cells win: any that differ (a paste over them, a write that went astray) are rewritten.
      const current = ledger.appointment(row.id)!;
      if (ledger.version(row.id) === undefined && this.updateFor(table, row, current, false)) ledger.enqueue(row.id, nowIso);
    }
    for (const id of ledger.seenIds()) {
      if (table.byId.has(id) || ledger.version(id) !== undefined || !ledger.appointment(id)) continue;
      logger.warn({ appointmentId: id }, 'an appointment row is missing from the sheet (deleted by hand?); it will be written back');
      ledger.enqueue(id, nowIso);
    }
    for (const row of table.withoutId) this.takeWalkIn(table, row, nowIso);
    return notices;
  }

  /** A row typed by hand without an Appointment ID: booked in the ledger; its ID is written back. */
  private takeWalkIn(table: AppointmentTable, row: SheetAppointmentRow, nowIso: string): void {
    const walkIn = readWalkIn(table, row.cells, (text) => this.findDoctor(text));
    if (typeof walkIn === 'string') return this.warnOnce(APPOINTMENTS_TAB.title, row.rowNumber, walkIn);
    const fingerprint = walkInFingerprint(walkIn);
    if (this.ledger.walkInFor(fingerprint) !== undefined) return;
    let id = newAppointmentId();
    while (this.ledger.appointment(id)) id = newAppointmentId();
    this.insertFromSheet(id, walkIn, row, nowIso);
    this.ledger.rememberWalkIn(fingerprint, id);
    this.ledger.setBase(id, { status: readStatus(table.columns.cell(row.cells, 'Status')) ?? null, notes: walkIn.notes, appended: false, seen: false });
    this.options.logger.info({ appointmentId: id, row: row.rowNumber }, 'a booking typed into the sheet was added; its Appointment ID will be written back');
  }

  /** A row with an Appointment ID the ledger does not know (a restored ledger, another copy): taken in. */
  private importRow(table: AppointmentTable, row: SheetAppointmentRow, nowIso: string): void {
    const walkIn = readWalkIn(table, row.cells, (text) => this.findDoctor(text));
    if (typeof walkIn === 'string') {
      return this.warnOnce(APPOINTMENTS_TAB.title, row.rowNumber, `Appointment ID ${row.id} is not known to the service and the row cannot be read as a booking (${walkIn})`);
    }
    this.insertFromSheet(row.id, walkIn, row, nowIso);
    this.ledger.setBase(row.id, { status: readStatus(table.columns.cell(row.cells, 'Status')) ?? null, notes: walkIn.notes, appended: true, seen: true });
    this.options.logger.info({ appointmentId: row.id, row: row.rowNumber }, 'an appointment found only in the sheet was added to the ledger');
  }

  private insertFromSheet(id: string, walkIn: WalkIn, row: SheetAppointmentRow, nowIso: string): void {
    const slot = this.ledger.slotAt(walkIn.doctorId, walkIn.date, walkIn.time);
    const counts = (CAPACITY_STATUSES as readonly AppointmentStatus[]).includes(walkIn.status);
    if (slot && counts && slot.taken >= slot.capacity) {
      this.warnOnce(APPOINTMENTS_TAB.title, row.rowNumber, `slot ${slot.id} was already full; the booking typed here is kept (overbooked by hand)`);
    }
    const fee = this.ledger.doctors().find((doctor) => doctor.id === walkIn.doctorId)?.fee ?? 0;
    this.ledger.insertAppointment({
      id,
      createdAt: nowIso,
      updatedAt: nowIso,
      status: walkIn.status,
      conversation: { channel: 'web', chatId: '' },
      patient: { name: walkIn.name, phone: walkIn.phone, age: walkIn.age, gender: walkIn.gender },
      purpose: walkIn.purpose,
      doctorId: walkIn.doctorId,
      doctorName: walkIn.doctorName,
      slotId: slot?.id ?? derivedSlotId(walkIn.doctorId, walkIn.date, walkIn.time),
      date: walkIn.date,
      time: walkIn.time,
      fee,
      paymentMode: 'CLINIC',
      paymentStatus: 'PAY_AT_CLINIC',
      paymentLink: null,
      paymentId: null,
      invoiceNo: null,
      reports: [],
      holdExpiresAt: null,
      remindersSent: [],
      notes: walkIn.notes,
    });
  }

  private async deliver(notices: StaffCancellation[]): Promise<void> {
    for (const notice of notices) {
      if (!this.notify) {
        this.heldNotices.push(notice);
        continue;
      }
      try {
        await this.notify(notice);
      } catch (error) {
        this.options.logger.error({ err: error, appointmentId: notice.appointment.id }, 'could not tell the patient about a cancellation made in the sheet');
      }
    }
  }

  /**
   * Writes records into a tab: a record whose key a row already has replaces that row (the first such
   * row), the others are appended, in order. One read of the tab, then at most one update and one
   * append. A retry reads the tab again, so rows appended by an attempt whose answer was lost are
   * updated the second time, not added twice.
   * @param keyOf the key of a row in the tab, or undefined for a row no record can match
   */
  private async writeRecords<C extends string>(
    layout: TabLayout<C>,
    records: readonly { key: string; values: Record<C, CellValue> }[],
    keyOf: (columns: HeaderMap<C>, row: readonly CellValue[]) => string | undefined,
  ): Promise<void> {
    if (records.length === 0) return;
    const { api } = this.options;
    const tab = quoteTab(layout.title);
    await this.mutex.runExclusive(() =>
      withRetries(this.retry, async () => {
        const [header, ...body] = await api.get(tab);
        const columns = new HeaderMap(layout, header);
        const missing = columns.missing(layout.required);
        if (missing.length > 0) throw new SheetsSetupError(`The ${layout.title} tab has no ${missing.join(', ')} column: run \`npm run setup:sheet\`.`);
        const rowNumbers = new Map<string, number>();
        body.forEach((cells, index) => {
          const key = keyOf(columns, cells);
          if (key !== undefined && !rowNumbers.has(key)) rowNumbers.set(key, index + 2);
        });
        const updates: { range: string; values: (CellValue | null)[][] }[] = [];
        const appends: (CellValue | null)[][] = [];
        // The same key twice in one call is one row, with the later values.
        for (const record of new Map(records.map((r) => [r.key, r])).values()) {
          const row = columns.layOut(record.values);
          const rowNumber = rowNumbers.get(record.key);
          if (rowNumber === undefined) appends.push(row);
          else updates.push({ range: `${tab}!A${rowNumber}:${columnLetters(row.length - 1)}${rowNumber}`, values: [row] });
        }
        if (updates.length > 0) await api.batchUpdate(updates);
        if (appends.length > 0) await api.append(tab, appends);
      }),
    );
  }
}

/** What a tab lacks of the columns its rows cannot be read without, in words; undefined when nothing. */
function columnProblem<C extends string>(layout: TabLayout<C>, columns: HeaderMap<C>): string | undefined {
  const missing = columns.missing(layout.required);
  return missing.length === 0 ? undefined : `The ${layout.title} tab has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''} in its first row.`;
}

/** The start-up message for a sheet the service account cannot open. */
export function explainAccessError(error: unknown, sheetId: string, email: string): Error {
  if (!(error instanceof SheetsApiError)) return error instanceof Error ? error : new Error(String(error));
  if (error.status === 403 && /has not been used|is disabled|SERVICE_DISABLED/i.test(error.reason)) {
    return new SheetsSetupError(
      `The Google Sheets API is not enabled for the service account's project: open Google Cloud console → APIs & Services → Library → Google Sheets API → Enable, wait a minute, and start again. (${error.reason})`,
    );
  }
  if (error.status === 403) {
    return new SheetsSetupError(
      `The service account ${email} may not open the Google Sheet ${sheetId}. In the sheet, click Share, add ${email} as an Editor (untick "Notify people"), and start again.`,
    );
  }
  if (error.status === 404) {
    return new SheetsSetupError(
      `There is no Google Sheet with id ${sheetId}. Copy the id from the sheet's address (https://docs.google.com/spreadsheets/d/<id>/edit) into GOOGLE_SHEET_ID.`,
    );
  }
  // A refused key is a 401, or a 400 naming the grant or the token; any other 400 is about the request.
  if (error.status === 401 || (error.status === 400 && /invalid_grant|invalid_client|unauthorized_client|jwt|token/i.test(error.reason))) {
    return new SheetsSetupError(
      `Google refused the credentials of ${email} (${error.reason}). The key may have been deleted or revoked: create a new JSON key for the service account (Google Cloud console → IAM → Service accounts → Keys → Add key) and set GOOGLE_SERVICE_ACCOUNT_FILE or GOOGLE_SERVICE_ACCOUNT_JSON to it.`,
    );
  }
  if (error.status === 400) {
    return new SheetsSetupError(`Google refused a request to the Google Sheet ${sheetId}: ${error.reason}. Check the tabs and their header rows (or run \`npm run setup:sheet\`), and start again.`);
  }
  return new SheetsSetupError(`Cannot reach the Google Sheet ${sheetId}: ${error.message}. Check the network (or GOOGLE_SHEETS_API_URL) and start again.`);
}
