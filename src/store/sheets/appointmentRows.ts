/**
 * An appointment as a row of the Appointments tab, and back. The bot owns most cells; Status and Notes
 * are shared with staff (merged on each read); cells written only when the row is created (patient
 * details, doctor) are never rewritten, so a spelling staff corrected stays corrected.
 */
import { DateTime } from 'luxon';
import type { Appointment, AppointmentStatus } from '../../core/domain.js';
import { maskChatId } from '../../logging.js';
import { readDate, readNumber, readText, readTime, sameCell } from './cells.js';
import { APPOINTMENT_STATUSES, APPOINTMENTS_TAB, HeaderMap, isBlankRow, type AppointmentColumn, type CellValue } from './layout.js';

/** Written when the row is created, never again. */
export const CREATE_ONLY_COLUMNS: readonly AppointmentColumn[] = [
  'Appointment ID',
  'Created At',
  'Channel',
  'Chat ID',
  'Patient Name',
  'Phone',
  'Age',
  'Gender',
  'Purpose',
  'Doctor ID',
  'Doctor',
  'Fee',
];
/**
 * Create-only cells the bot fills in on a row staff typed, when it writes the row's Appointment ID
 * back; the patient's details stay as staff typed them.
 */
export const WRITE_BACK_COLUMNS: readonly AppointmentColumn[] = ['Appointment ID', 'Created At', 'Channel', 'Doctor ID', 'Doctor', 'Fee'];
/** The bot's cells: rewritten whenever they differ from the ledger (the bot's values win). */
export const BOT_COLUMNS: readonly AppointmentColumn[] = [
  'Date',
  'Time',
  'Payment Mode',
  'Payment Status',
  'Payment Link',
  'Payment ID',
  'Invoice No',
  'Reports',
  'Hold Expires At',
  'Reminders Sent',
];
/** Shared with staff: a change staff made wins over the bot's. */
export const MERGED_COLUMNS: readonly AppointmentColumn[] = ['Status', 'Notes'];

export type RowValues = Partial<Record<AppointmentColumn, string | number>>;

/**
 * Whether a row's cell already holds the bot's `value`. Date and Time count as held when they mean
 * the same however staff typed them (a date serial, "1/12/2026", "11 AM"), so writing an ID back on a
 * hand-typed row leaves staff's dates as dates instead of rewriting them as text.
 */
export function cellHolds(column: AppointmentColumn, cell: CellValue | undefined, value: string | number): boolean {
  if (column === 'Date') return readDate(cell) === value;
  if (column === 'Time') return readTime(cell) === value;
  return sameCell(cell, value);
}

/** Instants as staff read them: clinic-local "2026-11-21 10:05". */
export function localInstant(iso: string | null, timezone: string): string {
  if (!iso) return '';
  const at = DateTime.fromISO(iso, { zone: 'utc' }).setZone(timezone);
  return at.isValid ? at.toFormat('yyyy-MM-dd HH:mm') : '';
}

/** Every cell the bot writes for an appointment. Web chat ids are bearer secrets: only a masked form. */
export function appointmentValues(appointment: Appointment, timezone: string): Record<AppointmentColumn, string | number> {
  const { conversation } = appointment;
  return {
    'Appointment ID': appointment.id,
    'Created At': localInstant(appointment.createdAt, timezone),
    Status: appointment.status,
    Channel: conversation.chatId === '' ? 'walk-in' : conversation.channel,
    'Chat ID': conversation.chatId === '' ? '' : conversation.channel === 'web' ? maskChatId(conversation.chatId) : conversation.chatId,
    'Patient Name': appointment.patient.name,
    Phone: appointment.patient.phone,
    Age: appointment.patient.age,
    Gender: appointment.patient.gender,
    Purpose: appointment.purpose,
    'Doctor ID': appointment.doctorId,
    Doctor: appointment.doctorName,
    Date: appointment.date,
    Time: appointment.time,
    Fee: appointment.fee,
    'Payment Mode': appointment.paymentMode ?? '',
    'Payment Status': appointment.paymentStatus ?? '',
    'Payment Link': appointment.paymentLink ?? '',
    'Payment ID': appointment.paymentId ?? '',
    'Invoice No': appointment.invoiceNo ?? '',
    Reports: appointment.reports.map((report) => report.id).join(', '),
    'Hold Expires At': localInstant(appointment.holdExpiresAt, timezone),
    'Reminders Sent': appointment.remindersSent.join(', '),
    'Updated At': localInstant(appointment.updatedAt, timezone),
    Notes: appointment.notes,
  };
}

/** "cancelled", "Canceled", "no show", "No-Show" -> the status; undefined when blank or unknown. */
export function readStatus(value: CellValue | undefined): AppointmentStatus | undefined {
  const text = readText(value).toUpperCase().replace(/[\s-]+/g, '_');
  const normalised = text === 'CANCELED' ? 'CANCELLED' : text === 'NOSHOW' ? 'NO_SHOW' : text;
  return (APPOINTMENT_STATUSES as readonly string[]).includes(normalised) ? (normalised as AppointmentStatus) : undefined;
}

/** One non-blank row of the Appointments tab. */
export interface SheetAppointmentRow {
  /** 1-based row number at the time of reading. */
  rowNumber: number;
  id: string;
  cells: readonly CellValue[];
}

/** The Appointments tab as read: where each column is, rows by Appointment ID, rows without one. */
export interface AppointmentTable {
  columns: HeaderMap<AppointmentColumn>;
  byId: Map<string, SheetAppointmentRow>;
  withoutId: SheetAppointmentRow[];
  /** Rows whose ID appeared on an earlier row too. */
  duplicates: SheetAppointmentRow[];
}

export function readAppointmentTable(rows: readonly CellValue[][]): AppointmentTable {
  const [header, ...body] = rows;
  const columns = new HeaderMap<AppointmentColumn>(APPOINTMENTS_TAB, header);
  const table: AppointmentTable = { columns, byId: new Map(), withoutId: [], duplicates: [] };
  body.forEach((cells, index) => {
    if (isBlankRow(cells)) return;
    const row = { rowNumber: index + 2, id: readText(columns.cell(cells, 'Appointment ID')), cells };
    if (row.id === '') table.withoutId.push(row);
    else if (table.byId.has(row.id)) table.duplicates.push(row);
    else table.byId.set(row.id, row);
  });
  return table;
}

/** What staff typed for a booking taken by phone or at the desk. */
export interface WalkIn {
  name: string;
  phone: string;
  age: number;
  gender: Appointment['patient']['gender'];
  purpose: string;
  doctorId: string;
  doctorName: string;
  date: string;
  time: string;
  status: AppointmentStatus;
  notes: string;
}

/**
 * Reads a hand-typed row; returns a reason instead when it lacks what a booking needs. `findDoctor`
 * resolves the Doctor ID or the doctor's name.
 */
export function readWalkIn(
  table: AppointmentTable,
  cells: readonly CellValue[],
  findDoctor: (idOrName: string) => { id: string; name: string } | undefined,
): WalkIn | string {
  const { columns } = table;
  const name = readText(columns.cell(cells, 'Patient Name'));
  const doctorText = readText(columns.cell(cells, 'Doctor ID')) || readText(columns.cell(cells, 'Doctor'));
  const date = readDate(columns.cell(cells, 'Date'));
  const time = readTime(columns.cell(cells, 'Time'));
  if (!name) return 'has no Appointment ID and no Patient Name; skipped';
  const doctor = doctorText ? findDoctor(doctorText) : undefined;
  if (!doctor) return `Doctor "${doctorText}" is not on the Doctors tab; skipped`;
  if (!date) return `Date "${readText(columns.cell(cells, 'Date'))}" is not a date like 21/11/2026; skipped`;
  if (!time) return `Time "${readText(columns.cell(cells, 'Time'))}" is not a time like 10:00 or 10 AM; skipped`;
  const statusCell = columns.cell(cells, 'Status');
  const status = statusCell === undefined ? 'CONFIRMED' : readStatus(statusCell);
  if (!status) return `Status "${readText(statusCell)}" is not one of ${APPOINTMENT_STATUSES.join(', ')}; skipped`;
  const age = readNumber(columns.cell(cells, 'Age'));
  const gender = readText(columns.cell(cells, 'Gender')).toUpperCase();
  return {
    name,
    phone: readText(columns.cell(cells, 'Phone')),
    age: age !== undefined && Number.isInteger(age) && age >= 0 && age < 150 ? age : 0,
    gender: gender.startsWith('M') ? 'MALE' : gender.startsWith('F') ? 'FEMALE' : gender.startsWith('O') ? 'OTHER' : 'UNDISCLOSED',
    purpose: readText(columns.cell(cells, 'Purpose')),
    doctorId: doctor.id,
    doctorName: doctor.name,
    date,
    time,
    status,
    notes: readText(columns.cell(cells, 'Notes')),
  };
}

/** Identifies a hand-typed row until its Appointment ID is written back. */
export function walkInFingerprint(walkIn: Pick<WalkIn, 'name' | 'phone' | 'doctorId' | 'date' | 'time'>): string {
  return [walkIn.name, walkIn.phone, walkIn.doctorId, walkIn.date, walkIn.time].map((part) => part.trim().toLowerCase()).join('|');
}
