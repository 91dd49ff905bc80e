/**
 * The tabs of the clinic's sheet and their columns. Columns are found by header name, whatever their
 * order, letter case or spacing; columns staff add are left alone.
 */

/** A value as the Sheets API returns it with valueRenderOption UNFORMATTED_VALUE. */
export type CellValue = string | number | boolean;

export const DOCTOR_COLUMNS = ['Doctor ID', 'Name', 'Specialty', 'Fee', 'Active', 'Languages', 'Notes'] as const;
export const SLOT_COLUMNS = ['Slot ID', 'Doctor ID', 'Date', 'Start', 'End', 'Capacity', 'Status', 'Notes'] as const;
export const SCHEDULE_COLUMNS = ['Doctor ID', 'Weekday', 'Start', 'End', 'Slot Minutes'] as const;
export const APPOINTMENT_COLUMNS = [
  'Appointment ID',
  'Created At',
  'Status',
  'Channel',
  'Chat ID',
  'Patient Name',
  'Phone',
  'Age',
  'Gender',
  'Purpose',
  'Doctor ID',
  'Doctor',
  'Date',
  'Time',
  'Fee',
  'Payment Mode',
  'Payment Status',
  'Payment Link',
  'Payment ID',
  'Invoice No',
  'Reports',
  'Hold Expires At',
  'Reminders Sent',
  'Updated At',
  'Notes',
] as const;

export type DoctorColumn = (typeof DOCTOR_COLUMNS)[number];
export type SlotColumn = (typeof SLOT_COLUMNS)[number];
export type ScheduleColumn = (typeof SCHEDULE_COLUMNS)[number];
export type AppointmentColumn = (typeof APPOINTMENT_COLUMNS)[number];

/** One tab: its title, its columns, and those a row cannot be read without. */
export interface TabLayout<C extends string> {
  title: string;
  columns: readonly C[];
  required: readonly C[];
  /** Drop-down choices staff pick from (data validation), by column. */
  choices: Partial<Record<C, readonly string[]>>;
  /** The tab may be missing (the weekly Schedule is optional). */
  optional?: boolean;
}

export const APPOINTMENT_STATUSES = ['HELD', 'CONFIRMED', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED'] as const;
export const PAYMENT_STATUSES = ['PAY_AT_CLINIC', 'PENDING', 'PAID', 'REFUND_DUE', 'REFUNDED'] as const;

export const DOCTORS_TAB: TabLayout<DoctorColumn> = {
  title: 'Doctors',
  columns: DOCTOR_COLUMNS,
  required: ['Doctor ID', 'Name'],
  choices: { Active: ['TRUE', 'FALSE'] },
};
export const SLOTS_TAB: TabLayout<SlotColumn> = {
  title: 'Slots',
  columns: SLOT_COLUMNS,
  required: ['Doctor ID', 'Date', 'Start'],
  choices: { Status: ['OPEN', 'BLOCKED'] },
};
export const SCHEDULE_TAB: TabLayout<ScheduleColumn> = {
  title: 'Schedule',
  columns: SCHEDULE_COLUMNS,
  required: ['Doctor ID', 'Weekday', 'Start', 'End'],
  choices: {},
  optional: true,
};
export const APPOINTMENTS_TAB: TabLayout<AppointmentColumn> = {
  title: 'Appointments',
  columns: APPOINTMENT_COLUMNS,
  required: ['Appointment ID', 'Status'],
  choices: { Status: APPOINTMENT_STATUSES, 'Payment Status': PAYMENT_STATUSES },
};

export const ALL_TABS = [DOCTORS_TAB, SLOTS_TAB, SCHEDULE_TAB, APPOINTMENTS_TAB] as const;

/** "Doctor ID", " doctor_id ", "DOCTOR-ID" and "DoctorId" are the same header. */
export function headerKey(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** Where each known column of a tab is, found from its header row. */
export class HeaderMap<C extends string> {
  private readonly positions = new Map<C, number>();
  /** Number of columns the header row spans. */
  readonly width: number;

  constructor(layout: TabLayout<C>, headerRow: readonly CellValue[] | undefined) {
    const wanted = new Map(layout.columns.map((column) => [headerKey(column), column]));
    const row = headerRow ?? [];
    this.width = row.length;
    row.forEach((cell, index) => {
      const column = wanted.get(headerKey(String(cell)));
      // The first column with a name wins; a duplicate header further right is left to staff.
      if (column !== undefined && !this.positions.has(column)) this.positions.set(column, index);
    });
  }

  /** Zero-based column index, or undefined when the tab has no such column. */
  index(column: C): number | undefined {
    return this.positions.get(column);
  }

  has(column: C): boolean {
    return this.positions.has(column);
  }

  missing(columns: readonly C[]): C[] {
    return columns.filter((column) => !this.positions.has(column));
  }

  /** The cell of `column` in `row`, or undefined when the column or the cell is absent or blank. */
  cell(row: readonly CellValue[], column: C): CellValue | undefined {
    const index = this.positions.get(column);
    if (index === undefined) return undefined;
    const value = row[index];
    return value === undefined || value === '' ? undefined : value;
  }

  /**
   * A row to write: each value under its column, as far as the tab has it; cells in between (columns
   * staff added, values not given) are null, which the API leaves as they are.
   */
  layOut(values: Partial<Record<C, CellValue>>): (CellValue | null)[] {
    const row: (CellValue | null)[] = [];
    for (const [column, index] of this.positions) {
      const value = values[column];
      if (value === undefined) continue;
      while (row.length <= index) row.push(null);
      row[index] = value;
    }
    return row;
  }
}

/** Column letters of a zero-based index: 0 -> A, 25 -> Z, 26 -> AA. */
export function columnLetters(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** A tab title quoted for A1 notation: 'Appointments', 'Dr''s list'. */
export function quoteTab(title: string): string {
  return `'${title.replaceAll("'", "''")}'`;
}

/** True when every cell of a row is blank. */
export function isBlankRow(row: readonly CellValue[] | undefined): boolean {
  return !row || row.every((cell) => cell === '' || (typeof cell === 'string' && cell.trim() === ''));
}
