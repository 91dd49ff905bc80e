/**
 * Prepares a sheet for the service: missing tabs and header rows, frozen header rows, drop-downs for
 * Status, Payment Status and Active; optionally sample doctors, a weekly Schedule and slots. Running it
 * again changes nothing: it adds only what is missing.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { clinicDate, clinicWallClock } from '../../core/slots.js';
import { generateSlots } from './slotGeneration.js';
import { ALL_TABS, columnLetters, DOCTORS_TAB, HeaderMap, quoteTab, SCHEDULE_TAB, SLOTS_TAB, type CellValue, type TabLayout } from './layout.js';
import type { SheetsApi } from './sheetsApi.js';
import { readDoctors, readSchedule, readSlots } from './clinicTables.js';

/** What a run changed, in words for the operator. */
export type SetupReport = string[];

const SAMPLE_DOCTORS: CellValue[][] = [
  ['SAMPLE-GP', 'Dr. Asha Verma (sample)', 'General Physician', 500, true, 'English, Hindi', "Sample doctor – replace with your clinic's doctors"],
  ['SAMPLE-DERM', 'Dr. Rohan Mehta (sample)', 'Dermatology', 700, true, 'English, Hindi, Marathi', "Sample doctor – replace with your clinic's doctors"],
];
const SAMPLE_SCHEDULE: CellValue[][] = [
  ...['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].map((day) => ['SAMPLE-GP', day, '10:00', '13:00', 30]),
  ...['Mon', 'Wed', 'Fri'].map((day) => ['SAMPLE-DERM', day, '17:00', '19:00', 30]),
];

export async function setupSheet(api: SheetsApi, options: { sample?: boolean; now?: Date; timezone?: string; days?: number } = {}): Promise<SetupReport> {
  const report: SetupReport = [];
  let tabs = await api.tabs();
  const missing = ALL_TABS.filter((layout) => !tabs.some((tab) => tab.title === layout.title));
  if (missing.length > 0) {
    await api.batchUpdateSpreadsheet(missing.map((layout) => ({ addSheet: { properties: { title: layout.title, gridProperties: { frozenRowCount: 1 } } } })));
    report.push(`added tab${missing.length > 1 ? 's' : ''} ${missing.map((l) => l.title).join(', ')}`);
    tabs = await api.tabs();
  }
  const tables = await api.batchGet(ALL_TABS.map((layout) => quoteTab(layout.title)));
  const structural: sheets_v4.Schema$Request[] = [];
  const headerWrites: { range: string; values: CellValue[][] }[] = [];
  ALL_TABS.forEach((layout: TabLayout<string>, index) => {
    const tab = tabs.find((t) => t.title === layout.title)!;
    const header = tables[index]?.[0] ?? [];
    const columns = new HeaderMap(layout, header);
    const absent = columns.missing(layout.columns);
    const fresh = missing.includes(layout as (typeof missing)[number]);
    if (absent.length > 0) {
      // Missing columns go after the last header cell, so columns staff added stay where they are.
      const start = header.length;
      // Google refuses to write past the grid's last column, so a narrow grid is widened first.
      const needed = start + absent.length;
      if (needed > tab.columnCount) {
        structural.unshift({ appendDimension: { sheetId: tab.sheetId, dimension: 'COLUMNS', length: needed - tab.columnCount } });
        report.push(`${layout.title}: widened to ${needed} columns`);
      }
      headerWrites.push({ range: `${quoteTab(layout.title)}!${columnLetters(start)}1`, values: [absent] });
      report.push(`${layout.title}: added column${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`);
    }
    if (tab.frozenRowCount < 1) {
      structural.push({ updateSheetProperties: { properties: { sheetId: tab.sheetId, gridProperties: { frozenRowCount: 1 } }, fields: 'gridProperties.frozenRowCount' } });
      report.push(`${layout.title}: froze the header row`);
    }
    // Drop-downs when the tab or a choice column is new, or the tab was never prepared (no frozen header).
    for (const [column, values] of Object.entries(layout.choices) as [string, readonly string[]][]) {
      const position = columns.index(column) ?? header.length + absent.indexOf(column);
      if (!(fresh || absent.includes(column) || tab.frozenRowCount < 1)) continue;
      structural.push({
        setDataValidation: {
          range: { sheetId: tab.sheetId, startRowIndex: 1, startColumnIndex: position, endColumnIndex: position + 1 },
          rule: { condition: { type: 'ONE_OF_LIST', values: values.map((value) => ({ userEnteredValue: value })) }, strict: false, showCustomUi: true },
        },
      });
      report.push(`${layout.title}: drop-down for ${column}`);
    }
  });
  // Structure first: the widening must come before the header cells (drop-downs need no headers).
  await api.batchUpdateSpreadsheet(structural);
  await api.batchUpdate(headerWrites);
  if (options.sample) report.push(...(await addSamples(api, options)));
  return report;
}

/** Sample doctors, a weekly schedule and its slots, each only if its tab has no rows yet. */
async function addSamples(api: SheetsApi, options: { now?: Date; timezone?: string; days?: number }): Promise<SetupReport> {
  const report: SetupReport = [];
  const [doctors = [], schedule = [], slots = []] = await api.batchGet([DOCTORS_TAB, SCHEDULE_TAB, SLOTS_TAB].map((l) => quoteTab(l.title)));
  const append = async (layout: TabLayout<string>, header: CellValue[] | undefined, rows: CellValue[][]) => {
    const columns = new HeaderMap(layout, header);
    const laidOut = rows.map((values) => columns.layOut(Object.fromEntries(layout.columns.map((column, index) => [column, values[index]]))));
    await api.append(quoteTab(layout.title), laidOut);
  };
  if (doctors.length <= 1) {
    await append(DOCTORS_TAB, doctors[0], SAMPLE_DOCTORS);
    report.push(`Doctors: added ${SAMPLE_DOCTORS.length} sample doctors`);
  }
  if (schedule.length <= 1) {
    await append(SCHEDULE_TAB, schedule[0], SAMPLE_SCHEDULE);
    report.push('Schedule: added a sample weekly schedule');
  }
  if (slots.length <= 1) {
    const none = () => {};
    const header = (layout: TabLayout<string>) => [...layout.columns];
    const entries = readSchedule([header(SCHEDULE_TAB), ...SAMPLE_SCHEDULE], none);
    const doctorIds = new Set(readDoctors([header(DOCTORS_TAB), ...SAMPLE_DOCTORS], none).map((d) => d.id));
    const [now, timezone] = [options.now ?? new Date(), options.timezone ?? 'Asia/Kolkata'];
    const fresh = generateSlots(
      entries.filter((e) => doctorIds.has(e.doctorId)),
      clinicDate(now, timezone),
      options.days ?? 14,
      readSlots([header(SLOTS_TAB)], doctorIds, none),
      clinicWallClock(now, timezone),
    );
    await append(SLOTS_TAB, slots[0], fresh.map((s) => [s.id, s.doctorId, s.date, s.start, s.end, s.capacity, s.status, 'sample']));
    report.push(`Slots: added ${fresh.length} sample slots for the next ${options.days ?? 14} days`);
  }
  return report;
}
