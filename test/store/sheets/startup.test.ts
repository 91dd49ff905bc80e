/**
 * The service on a Google Sheet: start-up through the real app (stopping with a message saying what to
 * do when the sheet cannot be used), /health, and the operator's setup:sheet and slot generation.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SheetsApi, SheetsApiError } from '../../../src/store/sheets/sheetsApi.js';
import { explainAccessError } from '../../../src/store/sheets/sheetSync.js';
import { setupSheet } from '../../../src/store/sheets/setup.js';
import { SheetsClinicStore } from '../../../src/store/sheets/sheetsClinicStore.js';
import { generateSlotsInto } from '../../../scripts/generateSlots.js';
import { startTestApp, type TestApp } from '../../http/helpers.js';
import { makeServiceAccount, SheetsEmulator } from '../../support/sheetsEmulator.js';
import { testAccount } from './harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function emulator(): Promise<SheetsEmulator> {
  const e = new SheetsEmulator({ accounts: [testAccount()] });
  await e.start();
  cleanups.push(() => e.close());
  return e;
}

function env(e: SheetsEmulator, keyJson = testAccount().keyJson): Record<string, string> {
  return { GOOGLE_SHEET_ID: e.spreadsheetId, GOOGLE_SERVICE_ACCOUNT_JSON: keyJson, GOOGLE_SHEETS_API_URL: e.url };
}

async function app(e: SheetsEmulator, keyJson?: string): Promise<TestApp> {
  const started = await startTestApp(env(e, keyJson));
  cleanups.push(() => started.dispose());
  return started;
}

describe('start-up on a Google Sheet', () => {
  it('serves the sheet\'s doctors, reports the write backlog under /health, and prepares nothing by itself', async () => {
    const e = await emulator();
    const api = new SheetsApi({ sheetId: e.spreadsheetId, serviceAccountJson: testAccount().keyJson, apiUrl: e.url });
    await setupSheet(api, { sample: true, now: new Date('2026-03-02T04:00:00Z'), timezone: 'Asia/Kolkata', days: 7 });
    const running = await app(e);
    const store = running.app.context.store as SheetsClinicStore;
    expect(store).toBeInstanceOf(SheetsClinicStore);
    expect((await store.listDoctors()).map((d) => d.id).sort()).toEqual(['SAMPLE-DERM', 'SAMPLE-GP']);
    expect(running.app.features.find((f) => f.name === 'store')?.detail).toContain(`Google Sheet ${e.spreadsheetId}`);
    const health = (await (await fetch(`${running.base}/health`)).json()) as Record<string, unknown>;
    expect(health.sheets).toMatchObject({ ok: true, pendingWrites: 0, oldestPendingSeconds: null });
  });

  it('gives up on a request Google does not answer, as a lost connection worth retrying', async () => {
    const e = await emulator();
    const api = new SheetsApi({ sheetId: e.spreadsheetId, serviceAccountJson: testAccount().keyJson, apiUrl: e.url }, undefined, { requestTimeoutMs: 50 });
    const release = e.hold();
    try {
      const error = await api.get("'Doctors'").catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: 'SheetsApiError', retryable: true });
    } finally {
      release();
    }
  });

  it('stops with the service account to share with when the sheet is not shared', async () => {
    const e = await emulator();
    await setupSheet(new SheetsApi({ sheetId: e.spreadsheetId, serviceAccountJson: testAccount().keyJson, apiUrl: e.url }));
    e.unshare(testAccount().email);
    await expect(startTestApp(env(e))).rejects.toThrow(`Share, add ${testAccount().email} as an Editor`);
  });

  it('stops naming the missing tab and the command that adds it', async () => {
    const e = await emulator();
    e.addTab('Doctors', [['Doctor ID', 'Name']]);
    e.addTab('Slots', [['Slot ID', 'Doctor ID', 'Date', 'Start']]);
    await expect(startTestApp(env(e))).rejects.toThrow(/no Appointments tab.*npm run setup:sheet/);
  });

  it('stops saying the key was refused when the credentials are wrong', async () => {
    const e = await emulator();
    const stranger = makeServiceAccount('someone@else.iam.gserviceaccount.com');
    await expect(startTestApp(env(e, stranger.keyJson))).rejects.toThrow(/refused the credentials of someone@else.*new JSON key/);
    await expect(startTestApp(env(e, '{"not": "a key"}'))).rejects.toThrow(/not a service-account key/);
  });

  it('blames the key only for a refusal about the key, not for any 400', () => {
    const explain = (status: number, reason: string) => explainAccessError(new SheetsApiError('write', status, reason), 'sheet-1', 'bot@x.iam.gserviceaccount.com').message;
    expect(explain(400, 'invalid_grant: Invalid JWT Signature.')).toMatch(/refused the credentials/);
    const grid = explain(400, 'Range (Appointments!AA1) exceeds grid limits. Max rows: 1000, max columns: 26');
    expect(grid).toMatch(/^Google refused a request to the Google Sheet sheet-1: Range \(Appointments!AA1\) exceeds grid limits/);
    expect(grid).not.toMatch(/credentials|revoked/);
  });
});

describe('operator commands', () => {
  it('setup:sheet adds tabs, headers, frozen rows and drop-downs, keeps staff columns, and changes nothing the second time', async () => {
    const e = await emulator();
    e.addTab('Doctors', [['Doctor ID', 'My own column', 'NAME'], ['D1', 'x', 'Dr. One']]);
    const api = new SheetsApi({ sheetId: e.spreadsheetId, serviceAccountJson: testAccount().keyJson, apiUrl: e.url });
    const first = await setupSheet(api);
    expect(first.length).toBeGreaterThan(0);
    expect(e.tabTitles().sort()).toEqual(['Appointments', 'Doctors', 'Schedule', 'Slots']);
    expect(e.rows('Doctors')[0]).toEqual(['Doctor ID', 'My own column', 'NAME', 'Specialty', 'Fee', 'Active', 'Languages', 'Notes']);
    expect(e.rows('Doctors')[1]).toEqual(['D1', 'x', 'Dr. One']);
    expect(e.frozenRows('Appointments')).toBe(1);
    expect(e.validations('Appointments').map((v) => v.values[0])).toEqual(['HELD', 'PAY_AT_CLINIC']);
    expect(e.validations('Doctors').map((v) => v.values)).toEqual([['TRUE', 'FALSE']]);
    const writes = e.count('write');
    expect(await setupSheet(api)).toEqual([]);
    expect(e.count('write')).toBe(writes);
  });

  it('setup:sheet widens a tab whose header, with staff columns, needs more than the grid has', async () => {
    const e = await emulator();
    // Staff's own Appointments tab: 10 columns of theirs in the default 26-column grid.
    const staffColumns = ['Token No', 'Appointment ID', 'Patient Name', 'Room', 'Referred By', 'Insurer', 'Policy No', 'Ward', 'Bed', 'Remarks'];
    e.addTab('Appointments', [staffColumns]);
    const api = new SheetsApi({ sheetId: e.spreadsheetId, serviceAccountJson: testAccount().keyJson, apiUrl: e.url });
    const report = await setupSheet(api);
    expect(report).toContain('Appointments: widened to 33 columns');
    const header = e.rows('Appointments')[0]!;
    expect(header.slice(0, 10)).toEqual(staffColumns);
    expect(header.length).toBeGreaterThan(26);
    expect(new Set(header).size).toBe(header.length);
    expect(await setupSheet(api)).toEqual([]);
  });

  it('slots:generate turns the Schedule into slots without duplicates', async () => {
    const e = await emulator();
    const api = new SheetsApi({ sheetId: e.spreadsheetId, serviceAccountJson: testAccount().keyJson, apiUrl: e.url });
    await setupSheet(api);
    e.setRows('Doctors', [...e.rows('Doctors'), ['D1', 'Dr. One', 'General', 500]]);
    e.setRows('Schedule', [...e.rows('Schedule'), ['D1', 'Monday', '10:00', '11:00', 20], ['D1', 'tue', '9 AM', '10 AM', '']]);
    const running = await app(e);
    const store = running.app.context.store as SheetsClinicStore;
    const now = new Date('2026-03-02T04:00:00Z'); // Monday, 09:30 at the clinic
    const later = new Date('2026-03-02T04:55:00Z'); // 10:25: the 10:00 and 10:20 slots have begun
    const [reads, writes] = [e.count('read'), e.count('write')];
    expect(await generateSlotsInto(store, store.schedule(), '2026-03-02', 7, later, 'Asia/Kolkata')).toBe(3);
    // All three slots with one read of the Slots tab and one append, not two requests per slot.
    expect([e.count('read') - reads, e.count('write') - writes]).toEqual([1, 1]);
    // Earlier in the morning those two are still ahead; nothing else is added twice.
    expect(await generateSlotsInto(store, store.schedule(), '2026-03-02', 7, now, 'Asia/Kolkata')).toBe(2);
    expect(await generateSlotsInto(store, store.schedule(), '2026-03-02', 7, now, 'Asia/Kolkata')).toBe(0);
    await store.refresh();
    const slots = await store.listSlotUsage({ fromDate: '2026-03-01', toDate: '2026-03-09', now });
    expect(slots.map((u) => `${u.slot.date} ${u.slot.start}-${u.slot.end}`)).toEqual([
      '2026-03-02 10:00-10:20',
      '2026-03-02 10:20-10:40',
      '2026-03-02 10:40-11:00',
      '2026-03-03 09:00-09:30',
      '2026-03-03 09:30-10:00',
    ]);
    expect(e.records('Slots')).toHaveLength(5);
  });
});
