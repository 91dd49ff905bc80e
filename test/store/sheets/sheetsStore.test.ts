/**
 * The Google Sheets store against the loopback Sheets API: staff editing the sheet while the service
 * runs, quotas and failures, restarts with writes pending. Time is the fixture's TestClock; the
 * background loops are not running: refresh() and flush() are called where the loops would run.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlotUnavailableError } from '../../../src/core/errors.js';
import { pino } from 'pino';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { DocumentVault } from '../../../src/services/files/documentVault.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteOutbox } from '../../../src/store/sqlite/outbox.js';
import type { Cell, SheetsEmulator } from '../../support/sheetsEmulator.js';
import { doctor, hold, minutesAfter, slot } from '../sqlite/helpers.js';
import { idCounts, openSheetsFixture, type SheetsFixture } from './harness.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const HOLD_END = minutesAfter(NOW, 20);
const PAY_AT_CLINIC = { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' } as const;

const fixtures: SheetsFixture[] = [];
afterEach(async () => {
  while (fixtures.length > 0) await fixtures.pop()!.dispose();
});

async function fixture(options: Parameters<typeof openSheetsFixture>[0] = {}): Promise<SheetsFixture> {
  const f = await openSheetsFixture(options);
  fixtures.push(f);
  return f;
}

/** 1-based row number and zero-based column of a cell found by Appointment ID and header name. */
function cellOf(emulator: SheetsEmulator, id: string, header: string): { row: number; column: number } {
  const rows = emulator.rows('Appointments');
  const headers = (rows[0] ?? []).map((h) => String(h).toLowerCase().replace(/\s+/g, ''));
  const idColumn = headers.indexOf('appointmentid');
  const column = headers.indexOf(header.toLowerCase().replace(/\s+/g, ''));
  const row = rows.findIndex((r) => r[idColumn] === id);
  if (row < 0 || column < 0) throw new Error(`no cell ${header} for ${id}`);
  return { row: row + 1, column };
}

function staffSets(emulator: SheetsEmulator, id: string, header: string, value: Cell): void {
  const { row, column } = cellOf(emulator, id, header);
  emulator.setCell('Appointments', row, column, value);
}

function recordOf(emulator: SheetsEmulator, id: string): Record<string, Cell> | undefined {
  return emulator.records('Appointments').find((r) => r['Appointment ID'] === id);
}

async function book(f: SheetsFixture, chatId: string, slotId = 'S1') {
  const held = await f.store.holdSlot(hold(slotId, HOLD_END, chatId), NOW);
  return f.store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW);
}

describe('staff keep doctors and slots in the sheet', () => {
  it('a doctor and slot added by staff are bookable after one refresh, and the booking reaches the sheet', async () => {
    const f = await fixture();
    f.emulator.setRows('Doctors', [...f.emulator.rows('Doctors'), ['D9', 'Dr. Nine', 'ENT', 800, true, 'English', '']]);
    f.emulator.setRows('Slots', [...f.emulator.rows('Slots'), ['', 'D9', '23/11/2026', '10 AM', '10:30 am', 2, 'OPEN', '']]);
    expect(await f.store.getDoctor('D9')).toBeUndefined();
    await f.store.refresh();
    expect(await f.store.getDoctor('D9')).toMatchObject({ name: 'Dr. Nine', fee: 800, active: true });
    const [usage] = await f.store.listSlotUsage({ fromDate: '2026-11-23', toDate: '2026-11-23', now: NOW });
    expect(usage?.slot).toMatchObject({ id: 'S-D9-20261123-1000', date: '2026-11-23', start: '10:00', end: '10:30', capacity: 2 });

    const booked = await book(f, 'chat-1', usage!.slot.id);
    expect(f.emulator.count('write')).toBeGreaterThan(0); // setup only: the booking itself wrote nothing yet
    const writesBefore = f.emulator.count('write');
    await f.store.flush();
    expect(f.emulator.count('write')).toBe(writesBefore + 1); // one append
    expect(recordOf(f.emulator, booked.id)).toMatchObject({
      Status: 'CONFIRMED',
      'Patient Name': 'Ravi Kumar',
      Phone: '+919812345678',
      'Doctor ID': 'D9',
      Date: '2026-11-23',
      Time: '10:00',
      Fee: 800,
      'Payment Status': 'PAY_AT_CLINIC',
    });
  });

  it('reads columns in any order and case, dates as serial numbers or typed text, and skips a broken row with one warning', async () => {
    const f = await fixture();
    f.emulator.setRows('Doctors', [
      ['notes', 'ACTIVE', 'NAME', 'doctor id', 'fee', 'Extra staff column'],
      ['', 'yes', 'Dr. A', 'DA', '₹ 1,200', 'keep me'],
      [],
      ['', 'no', 'Dr. B', 'DB', 300, ''],
      ['', 'yes', 'Dr. C', 'DC', '', ''], // Fee forgotten
      ['', 'yes', 'Dr. D', 'DD', 0, ''], // a free visit
    ]);
    f.emulator.setRows('Slots', [
      ['START', 'date', 'Doctor Id', 'slot id', 'CAPACITY', 'status'],
      [0.4375, 46349, 'DA', 'X1', 1, 'open'], // 10:30 on 2026-11-23 as Google stores typed dates and times
      ['10:30 pm', '2026-11-24', 'DA', 'X2', '', ''],
      ['9:00', '31/02/2026', 'DA', 'X3', 1, 'OPEN'], // no such date
      ['', '', '', '', '', ''],
      ['11:00', '25/11/2026', 'DA', 'X4', 1, 'BLOCKED'],
      [10.3, '26/11/2026', 'DA', 'X5', 1, ''], // "10.30" typed: Google keeps the number 10.3
      [16, '26/11/2026', 'DA', 'X6', 1, ''], // "16" typed
      [10.75, '26/11/2026', 'DA', 'X7', 1, ''], // no such time
    ]);
    await f.store.refresh();
    await f.store.refresh();
    expect((await f.store.listDoctors()).map((d) => [d.id, d.fee])).toEqual([['DA', 1200], ['DD', 0]]);
    expect((await f.store.listDoctors({ includeInactive: true })).map((d) => d.id)).toEqual(['DA', 'DB', 'DD']);
    expect(f.logs.filter((line) => line.level === 40 && String(line.msg).startsWith('Doctors row 5')).map((line) => line.msg)).toEqual([
      expect.stringContaining('Fee is empty; type the fee (0 for a free visit); skipped'),
    ]);
    const slots = await f.store.listSlotUsage({ fromDate: '2026-11-01', toDate: '2026-11-30', now: NOW });
    expect(slots.map((u) => [u.slot.id, u.slot.date, u.slot.start, u.slot.status])).toEqual([
      ['X1', '2026-11-23', '10:30', 'OPEN'],
      ['X2', '2026-11-24', '22:30', 'OPEN'],
      ['X4', '2026-11-25', '11:00', 'BLOCKED'],
      ['X5', '2026-11-26', '10:30', 'OPEN'],
      ['X6', '2026-11-26', '16:00', 'OPEN'],
    ]);
    const warnings = f.logs.filter((line) => line.level === 40 && String(line.msg).startsWith('Slots row 4'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('31/02/2026');
    expect(f.logs.filter((line) => line.level === 40 && String(line.msg).startsWith('Slots row 9'))).toHaveLength(1);
    // The staff column and its value are untouched.
    expect(f.emulator.rows('Doctors')[1]?.[5]).toBe('keep me');
  });

  it('says once that a Doctors tab without a Fee column offers every visit with no fee', async () => {
    const f = await fixture();
    f.emulator.setRows('Doctors', [
      ['Doctor ID', 'Name', 'Specialty', 'Active'],
      ['DA', 'Dr. A', 'Skin', true],
    ]);
    await f.store.refresh();
    await f.store.refresh();
    expect((await f.store.listDoctors()).map((d) => [d.id, d.fee])).toEqual([['DA', 0]]);
    expect(f.logs.filter((line) => line.level === 40 && String(line.msg).startsWith('Doctors row 1')).map((line) => line.msg)).toEqual([
      expect.stringContaining('has no Fee column, so every visit is offered with no fee'),
    ]);
  });

  it('blocking slots updates the rows staff typed (with or without an id) in place, with one read and one write', async () => {
    const f = await fixture();
    f.emulator.setRows('Doctors', [...f.emulator.rows('Doctors'), ['D9', 'Dr. Nine', 'ENT', 800, true, 'English', '']]);
    f.emulator.setRows('Slots', [
      ...f.emulator.rows('Slots'),
      ['', 'D9', '23/11/2026', '10 AM', '10:30 am', 2, 'OPEN', 'typed without an id'],
      ['S-MINE', 'D9', '2026-11-23', '11:00', '11:30', 1, 'OPEN', ''],
    ]);
    await f.store.refresh();
    const slots = (await f.store.listSlotUsage({ fromDate: '2026-11-23', toDate: '2026-11-23', now: NOW })).map((u) => u.slot);
    const [reads, writes] = [f.emulator.count('read'), f.emulator.count('write')];
    await f.store.upsertSlots(slots.map((s) => ({ ...s, status: 'BLOCKED' as const })));
    expect([f.emulator.count('read') - reads, f.emulator.count('write') - writes]).toEqual([1, 1]);
    const rows = f.emulator.records('Slots').filter((r) => r['Doctor ID'] === 'D9');
    expect(rows.map((r) => [r['Slot ID'], r.Status])).toEqual([
      ['S-D9-20261123-1000', 'BLOCKED'],
      ['S-MINE', 'BLOCKED'],
    ]);
    await f.store.refresh();
    expect((await f.store.getSlot('S-D9-20261123-1000'))?.status).toBe('BLOCKED');
  });

  it('a slot removed from the sheet while it has a booking stays taken, and cannot be booked again', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    await book(f, 'chat-1');
    f.emulator.setRows('Slots', f.emulator.rows('Slots').slice(0, 1));
    await f.store.refresh();
    expect((await f.store.getSlot('S1'))?.status).toBe('BLOCKED');
    await expect(f.store.holdSlot(hold('S1', HOLD_END, 'chat-2'), NOW)).rejects.toBeInstanceOf(SlotUnavailableError);
    // Staff put it back: still full.
    await f.store.upsertSlot(slot());
    await f.store.refresh();
    const error = await f.store.holdSlot(hold('S1', HOLD_END, 'chat-2'), NOW).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'full' });
  });
});

describe('appointments in the sheet', () => {
  it('writes patient text RAW: a formula stays text', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const formula = '=HYPERLINK("http://evil.example","x")';
    const held = await f.store.holdSlot({ ...hold('S1', HOLD_END), patient: { name: formula, phone: '+919812345678', age: 30, gender: 'FEMALE' }, purpose: '=1+1' }, NOW);
    await f.store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW);
    await f.store.flush();
    const { row, column } = cellOf(f.emulator, held.id, 'Patient Name');
    expect(f.emulator.rows('Appointments')[row - 1]?.[column]).toBe(formula);
    expect(f.emulator.isFormula('Appointments', row, column)).toBe(false);
    expect(recordOf(f.emulator, held.id)?.Purpose).toBe('=1+1');
    expect(f.emulator.requests.filter((r) => r.valueInputOption !== undefined).every((r) => r.valueInputOption === 'RAW')).toBe(true);
  });

  it('staff cancelling in the sheet frees the slot and tells the patient', async () => {
    const f = await fixture();
    const db = openClinicDatabase(f.file);
    const outbox = new SqliteOutbox(db);
    await f.store.notifyThrough(new OutboxNotifier(outbox, new DocumentVault(path.join(f.dir, 'docs'), Buffer.alloc(32, 1)), f.clock));
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const booked = await book(f, 'chat-1');
    await f.store.flush();
    staffSets(f.emulator, booked.id, 'Status', 'Cancelled');
    staffSets(f.emulator, booked.id, 'Notes', 'Doctor on leave');
    await f.store.refresh();
    expect(await f.store.getAppointment(booked.id)).toMatchObject({ status: 'CANCELLED', notes: 'Doctor on leave' });
    expect((await f.store.holdSlot(hold('S1', HOLD_END, 'chat-2'), NOW)).status).toBe('HELD');
    const pushed = await outbox.listAfter({ channel: 'telegram', chatId: 'chat-1' }, 0, 10);
    expect(pushed).toHaveLength(1);
    expect(JSON.stringify(pushed[0])).toContain('cancelled your appointment');
    // A second refresh does not tell the patient twice, and the sheet keeps staff's spelling.
    await f.store.refresh();
    expect(await outbox.listAfter({ channel: 'telegram', chatId: 'chat-1' }, 0, 10)).toHaveLength(1);
    db.close();
  });

  it('staff cancelling a paid appointment makes its refund due, in the sheet too, and tells the patient and the admins once', async () => {
    const f = await fixture();
    const db = openClinicDatabase(f.file);
    const outbox = new SqliteOutbox(db);
    const alerts = new OutboxAdminAlerts({ outbox, clock: f.clock, logger: pino({ level: 'silent' }), channel: 'telegram-admin', adminChatIds: ['9001'] });
    await f.store.notifyThrough(new OutboxNotifier(outbox, new DocumentVault(path.join(f.dir, 'docs'), Buffer.alloc(32, 1)), f.clock), alerts);
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const held = await f.store.holdSlot(hold('S1', HOLD_END, 'chat-paid'), NOW);
    await f.store.confirmAppointment(held.id, { paymentMode: 'ONLINE', paymentStatus: 'PAID' }, NOW);
    const paid = await f.store.updateAppointment(held.id, { paymentId: 'pay_123' }, NOW);
    await f.store.flush();
    staffSets(f.emulator, paid.id, 'Status', 'CANCELLED');
    await f.store.refresh();
    await f.store.refresh();
    expect(await f.store.getAppointment(paid.id)).toMatchObject({ status: 'CANCELLED', paymentStatus: 'REFUND_DUE' });
    await f.store.flush();
    expect(recordOf(f.emulator, paid.id)).toMatchObject({ Status: 'CANCELLED', 'Payment Status': 'REFUND_DUE' });
    const told = await outbox.listAfter({ channel: 'telegram', chatId: 'chat-paid' }, 0, 10);
    expect(told.map((entry) => ('text' in entry.message ? entry.message.text : ''))).toEqual([expect.stringMatching(/cancelled your appointment.*refunded in full/s)]);
    const admins = await outbox.listAfter({ channel: 'telegram-admin', chatId: '9001' }, 0, 10);
    expect(admins.map((entry) => ('text' in entry.message ? entry.message.text : ''))).toEqual([expect.stringMatching(new RegExp(`Refund due: ${paid.id}.*in the sheet.*pay_123`))]);
    db.close();
  });

  it('staff recording COMPLETED and NO_SHOW is kept in the ledger', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot({ capacity: 2 }));
    const a = await book(f, 'a');
    const b = await book(f, 'b');
    await f.store.flush();
    staffSets(f.emulator, a.id, 'Status', 'completed');
    staffSets(f.emulator, b.id, 'Status', 'No Show');
    await f.store.refresh();
    expect((await f.store.getAppointment(a.id))?.status).toBe('COMPLETED');
    expect((await f.store.getAppointment(b.id))?.status).toBe('NO_SHOW');
  });

  it("when staff and the bot change the same appointment, staff's Status and the bot's payment fields win, and it is logged", async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const booked = await book(f, 'chat-1');
    await f.store.flush();
    await f.store.updateAppointment(booked.id, { status: 'CANCELLED', paymentStatus: 'REFUND_DUE' }, minutesAfter(NOW, 1));
    staffSets(f.emulator, booked.id, 'Status', 'COMPLETED');
    staffSets(f.emulator, booked.id, 'Payment Status', 'PAID');
    await f.store.flush();
    expect(await f.store.getAppointment(booked.id)).toMatchObject({ status: 'COMPLETED', paymentStatus: 'REFUND_DUE' });
    expect(recordOf(f.emulator, booked.id)).toMatchObject({ Status: 'COMPLETED', 'Payment Status': 'REFUND_DUE' });
    expect(f.logs.some((line) => String(line.msg).includes("staff's Status wins"))).toBe(true);
  });

  it('a walk-in row typed by staff counts against capacity and gets an ID written back, once', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const header = f.emulator.rows('Appointments')[0]!.map(String);
    const walkIn = header.map((h) => ({ 'Patient Name': 'Walk In Wanda', Phone: '98450 12345', 'Doctor ID': 'D1', Date: '23/11/2026', Time: '10 AM', Notes: 'paid cash' })[h] ?? '');
    f.emulator.setRows('Appointments', [header, [], walkIn]);
    await f.store.refresh();
    await f.store.refresh();
    const [ledger] = await f.store.listAppointments({});
    expect(ledger).toMatchObject({ status: 'CONFIRMED', slotId: 'S1', patient: { name: 'Walk In Wanda' }, notes: 'paid cash' });
    expect(await f.store.listAppointments({})).toHaveLength(1);
    const error = await f.store.holdSlot(hold('S1', HOLD_END, 'chat-2'), NOW).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'full' });
    await f.store.flush();
    await f.store.refresh();
    await f.store.flush();
    expect(idCounts(f.emulator)).toEqual(new Map([[ledger!.id, 1]]));
    // Staff's date and time stay as typed: they already say what the bot would write.
    expect(recordOf(f.emulator, ledger!.id)).toMatchObject({ 'Patient Name': 'Walk In Wanda', Date: '23/11/2026', Time: '10 AM', Notes: 'paid cash' });
    expect(await f.store.listAppointments({})).toHaveLength(1);
  });

  it('finds rows by ID although staff deleted one and inserted another while a booking was being written', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot({ capacity: 5 }));
    const first = await book(f, 'a');
    const second = await book(f, 'b');
    await f.store.flush();
    const third = await book(f, 'c');
    await f.store.updateAppointment(second.id, { paymentStatus: 'PAID', paymentMode: 'ONLINE' }, NOW);
    const header = f.emulator.rows('Appointments')[0]!.map(String);
    f.emulator.beforeWrite = () => {
      f.emulator.beforeWrite = undefined;
      f.emulator.deleteRow('Appointments', cellOf(f.emulator, first.id, 'Status').row);
      f.emulator.insertRow('Appointments', 2, header.map((h) => ({ 'Patient Name': 'Desk Booking', 'Doctor ID': 'D1', Date: '2026-11-23', Time: '10:00' })[h] ?? ''));
    };
    await f.store.flush();
    await f.store.refresh();
    await f.store.flush();
    const counts = idCounts(f.emulator);
    const ledger = await f.store.listAppointments({});
    expect(ledger).toHaveLength(4);
    expect([...counts.keys()].sort()).toEqual(ledger.map((a) => a.id).sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(recordOf(f.emulator, second.id)).toMatchObject({ 'Payment Status': 'PAID', 'Patient Name': 'Ravi Kumar' });
    expect(recordOf(f.emulator, third.id)?.Status).toBe('CONFIRMED');
    expect(String(recordOf(f.emulator, first.id)?.Notes)).toContain('deleted in the sheet');
  });

  it('a blank row staff left in the tab moves no update onto another patient, and new rows go after the last one', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot({ capacity: 5 }));
    const anil = await book(f, 'anil');
    const priya = await book(f, 'priya');
    const quasim = await book(f, 'quasim');
    await f.store.flush();
    // Staff leave an empty row under the first booking.
    f.emulator.insertRow('Appointments', 3, []);
    await f.store.refresh();
    // One write cycle with an update (Quasim cancels) and a new row (Rekha books).
    await f.store.updateAppointment(quasim.id, { status: 'CANCELLED' }, NOW);
    const rekha = await book(f, 'rekha');
    await f.store.flush();
    await f.store.refresh();

    expect(recordOf(f.emulator, quasim.id)?.Status).toBe('CANCELLED');
    for (const kept of [anil, priya, rekha]) expect(recordOf(f.emulator, kept.id)?.Status, kept.id).toBe('CONFIRMED');
    expect((await f.store.getAppointment(priya.id))?.status).toBe('CONFIRMED');
    expect((await f.store.getAppointment(quasim.id))?.status).toBe('CANCELLED');
    expect(cellOf(f.emulator, rekha.id, 'Status').row).toBe(6);
    expect(idCounts(f.emulator)).toEqual(new Map([anil, priya, quasim, rekha].map((a) => [a.id, 1])));
  });

  it('writes into renamed and reordered Appointments columns by header name', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const rows = f.emulator.rows('Appointments');
    const header = rows[0]!.map(String);
    const order = [...header.keys()].reverse();
    f.emulator.setRows('Appointments', [['Staff Remarks', ...order.map((i) => header[i]!.toUpperCase())]]);
    const booked = await book(f, 'chat-1');
    await f.store.flush();
    const [top, row] = f.emulator.rows('Appointments');
    const at = (name: string) => row![top!.findIndex((h) => h === name)];
    expect(at('APPOINTMENT ID')).toBe(booked.id);
    expect(at('PATIENT NAME')).toBe('Ravi Kumar');
    expect(at('STATUS')).toBe('CONFIRMED');
    expect(at('Staff Remarks') ?? '').toBe('');
  });
});

describe('quotas, failures and restarts', () => {
  it('50 patients racing for one slot: one booking, in the sheet once', async () => {
    const f = await fixture({ emulator: { latencyMs: 5 } });
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => book(f, `chat-${i}`)));
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof SlotUnavailableError)).toBe(true);
    await f.store.flush();
    expect([...idCounts(f.emulator).entries()]).toEqual([[(won[0] as PromiseFulfilledResult<{ id: string }>).value.id, 1]]);
  });

  it('with 20% of requests failing with 429 or 500 (some after the change was applied), every confirmed booking is in the sheet exactly once', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot({ capacity: 100 }));
    f.emulator.failRandomly(0.2, [429, 500], random, 0.5);
    const waits: number[] = [];
    const store = f.openStore({ retry: { wait: async (ms) => void waits.push(ms), random: () => 0.5 }, batchSize: 7 });
    const confirmed: string[] = [];
    for (let i = 0; i < 40; i += 1) {
      const held = await store.holdSlot(hold('S1', HOLD_END, `chat-${i}`), NOW);
      if (i % 5 !== 0) confirmed.push((await store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW)).id);
      if (i % 8 === 0) await store.flush();
    }
    await store.flush();
    f.emulator.failRandomly(0, [], random);
    await store.flush();
    const counts = idCounts(f.emulator);
    for (const id of confirmed) expect(counts.get(id), id).toBe(1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(f.emulator.count('write', 429) + f.emulator.count('write', 500) + f.emulator.count('read', 429) + f.emulator.count('read', 500)).toBeGreaterThanOrEqual(5);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('honours Retry-After', async () => {
    const waits: number[] = [];
    const f = await fixture({ store: { retry: { wait: async (ms) => void waits.push(ms), random: () => 0 } } });
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    await book(f, 'chat-1');
    f.emulator.failNext(1, 429, { retryAfterSeconds: 7 });
    await f.store.flush();
    expect(waits).toEqual([7000]);
    expect(idCounts(f.emulator).size).toBe(1);
  });

  it('without Retry-After, waits 1 s, 2 s, 4 s … (plus jitter) between tries, never less', async () => {
    for (const [random, expected] of [[0, [1000, 2000, 4000]], [0.99, [1990, 2990, 4990]]] as const) {
      const waits: number[] = [];
      const f = await fixture({ store: { retry: { wait: async (ms) => void waits.push(ms), random: () => random } } });
      await f.store.upsertDoctor(doctor());
      await f.store.upsertSlot(slot());
      await book(f, 'chat-1');
      f.emulator.failNext(3, 429);
      await f.store.flush();
      expect(waits).toEqual(expected);
      expect(idCounts(f.emulator).size).toBe(1);
    }
  });

  it('stays within a 60 reads + 60 writes per minute quota, backing off on 429', async () => {
    let fakeNow = 0;
    const f = await fixture({ emulator: { quota: { readsPerMinute: 60, writesPerMinute: 60 }, now: () => fakeNow } });
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot({ capacity: 200 }));
    const store = f.openStore({ retry: { wait: async (ms) => void (fakeNow += ms), random: () => 0.5 }, batchSize: 10 });
    for (let i = 0; i < 200; i += 1) await store.confirmAppointment((await store.holdSlot(hold('S1', HOLD_END, `c${i}`), NOW)).id, PAY_AT_CLINIC, NOW);
    await store.flush();
    expect(idCounts(f.emulator).size).toBe(200);
    expect([...idCounts(f.emulator).values()].every((n) => n === 1)).toBe(true);
  });

  it('a crash with writes pending (one applied but unanswered) loses and doubles nothing after restart', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot({ capacity: 10 }));
    const crashed = f.openStore();
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await book({ ...f, store: crashed }, `chat-${i}`)).id);
    // The append reaches the sheet but its answer is lost, then the process dies (nothing flushed,
    // nothing closed cleanly).
    f.emulator.failNext(1, 500, { afterApply: true });
    await expect(crashed.sync.writeCycle()).rejects.toThrow(/500/);
    for (let i = 3; i < 6; i += 1) ids.push((await book({ ...f, store: crashed }, `chat-${i}`)).id);
    const restarted = f.openStore();
    await restarted.open();
    expect(restarted.sync.health()).toMatchObject({ pendingWrites: 6 });
    await restarted.flush();
    expect(restarted.sync.health()).toMatchObject({ pendingWrites: 0, oldestPendingSeconds: null });
    const counts = idCounts(f.emulator);
    expect(ids.map((id) => counts.get(id))).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('reports the backlog and the age of the oldest pending write', async () => {
    const f = await fixture();
    await f.store.upsertDoctor(doctor());
    await f.store.upsertSlot(slot());
    await book(f, 'chat-1');
    f.clock.advanceMinutes(3);
    expect(f.store.sync.health()).toMatchObject({ ok: true, pendingWrites: 1, oldestPendingSeconds: 180 });
    f.clock.advanceMinutes(20);
    expect(f.store.sync.health()).toMatchObject({ ok: false, pendingWrites: 1 });
  });
});
