/**
 * A clinic typed into the Sheets emulator as staff would type it: doctors, and tomorrow's slots
 * from 10:00, every 30 minutes.
 */
import { DateTime } from 'luxon';
import type { Cell, SheetsEmulator } from './sheetsEmulator.js';

/** Adds rows under a tab's header, each value in the column its header names. */
export function appendRecords(sheet: SheetsEmulator, tab: string, records: Record<string, Cell>[]): void {
  const [header = [], ...rows] = sheet.rows(tab);
  sheet.setRows(tab, [header, ...rows, ...records.map((record) => header.map((name) => record[String(name)] ?? ''))]);
}

/** General physicians at ₹500, each with `slotsPerDoctor` slots of `capacity` places tomorrow (clinic time). */
export function typeTomorrowsClinic(
  sheet: SheetsEmulator,
  options: { doctors: readonly { id: string; name: string }[]; slotsPerDoctor: number; capacity: number; timezone: string },
): void {
  const tomorrow = DateTime.now().setZone(options.timezone).plus({ days: 1 }).toFormat('yyyy-MM-dd');
  const slots: Record<string, Cell>[] = [];
  for (const doctor of options.doctors) {
    for (let s = 0; s < options.slotsPerDoctor; s++) {
      const start = DateTime.fromObject({ hour: 10 }).plus({ minutes: 30 * s });
      slots.push({
        'Slot ID': `${doctor.id}-${s}`,
        'Doctor ID': doctor.id,
        Date: tomorrow,
        Start: start.toFormat('HH:mm'),
        End: start.plus({ minutes: 30 }).toFormat('HH:mm'),
        Capacity: options.capacity,
        Status: 'OPEN',
      });
    }
  }
  appendRecords(sheet, 'Doctors', options.doctors.map((d) => ({ 'Doctor ID': d.id, Name: d.name, Specialty: 'General Physician', Fee: 500, Active: true })));
  appendRecords(sheet, 'Slots', slots);
}
