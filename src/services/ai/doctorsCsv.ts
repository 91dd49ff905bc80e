/**
 * Reads a Doctors tab exported as CSV (columns found by header name, in any order: Doctor ID, Name,
 * Specialty, Fee, Active), so `npm run intent` can be tried against any clinic's doctor list.
 */
import type { DoctorDirectoryEntry } from '../../core/ports.js';
import { ClinicError } from '../../core/errors.js';

/** The CSV cannot be used; the message names the problem and the line. */
export class DoctorsCsvError extends ClinicError {}

/** Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows.filter((r) => r.some((c) => c.trim() !== ''));
}

const INACTIVE = new Set(['false', 'no', 'n', '0', 'inactive', 'off']);

/** The active doctors of a Doctors CSV. Throws {@link DoctorsCsvError} when a needed column is missing. */
export function doctorsFromCsv(text: string): DoctorDirectoryEntry[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new DoctorsCsvError('The doctors CSV is empty: it needs a header row "Doctor ID,Name,Specialty,Fee,Active".');
  const column = (name: string) => header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
  const id = column('Doctor ID');
  const name = column('Name');
  const specialty = column('Specialty');
  const active = column('Active');
  const missing = [['Doctor ID', id], ['Name', name], ['Specialty', specialty]].filter(([, index]) => index === -1).map(([n]) => n);
  if (missing.length > 0) throw new DoctorsCsvError(`The doctors CSV has no ${missing.join(', ')} column: its header row must name Doctor ID, Name and Specialty.`);
  return rows
    .filter((row) => active === -1 || !INACTIVE.has((row[active] ?? '').trim().toLowerCase()))
    .map((row) => ({ id: (row[id] ?? '').trim(), name: (row[name] ?? '').trim(), specialty: (row[specialty] ?? '').trim() }))
    .filter((doctor) => doctor.id !== '' && doctor.name !== '');
}
