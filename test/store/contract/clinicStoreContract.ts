/**
 * What every ClinicStore must do, run against each implementation (SQLite, and Google Sheets with its
 * SQLite ledger): doctors and slots, holds, confirmation, cancellation, reports, expiry, listings, and
 * no overbooking under concurrency.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppointmentNotFoundError, InvalidTransitionError, SlotUnavailableError } from '../../../src/core/errors.js';
import type { Appointment } from '../../../src/core/domain.js';
import type { ClinicStore } from '../../../src/core/ports.js';
import { newAppointmentId } from '../../../src/store/sqlite/clinicStore.js';
import { doctor, hold, minutesAfter, slot } from '../sqlite/helpers.js';

/** One store under test, on fresh storage. */
export interface ContractSubject {
  store: ClinicStore;
  /** Another store on the same storage whose new appointment ids come from `next`. */
  withIds(next: () => string): ClinicStore;
  /** Another store on the same storage through a second connection. */
  secondConnection(): ClinicStore;
  /** Checks that hold after each test (e.g. the sheet agrees with the ledger), then removes everything. */
  dispose(): Promise<void>;
}

const NOW = new Date('2026-11-21T04:30:00.000Z');
const HOLD_END = minutesAfter(NOW, 20);
const PAY_AT_CLINIC = { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' } as const;

type Outcome = { ok: Appointment } | { error: unknown };

async function settle(attempt: () => Promise<Appointment>): Promise<Outcome> {
  try {
    return { ok: await attempt() };
  } catch (error) {
    return { error };
  }
}

function tally(outcomes: Outcome[]): { held: Appointment[]; full: number; other: unknown[] } {
  const held: Appointment[] = [];
  const other: unknown[] = [];
  let full = 0;
  for (const outcome of outcomes) {
    if ('ok' in outcome) held.push(outcome.ok);
    else if (outcome.error instanceof SlotUnavailableError && outcome.error.reason === 'full') full += 1;
    else other.push(outcome.error);
  }
  return { held, full, other };
}

export function describeClinicStoreContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`ClinicStore contract: ${name}`, () => {
  let subject: ContractSubject;
  let store: ClinicStore;

  beforeEach(async () => {
    subject = await open();
    store = subject.store;
    await store.upsertDoctor(doctor());
    await store.upsertSlot(slot());
  });

  afterEach(async () => {
    await subject.dispose();
  });

  async function rejection(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the promise to reject');
  }

  describe('doctors and slots', () => {
    it('round-trips doctors and hides inactive ones unless asked', async () => {
      await store.upsertDoctor(doctor({ id: 'D2', name: 'Dr. Away', active: false, languages: ['Hindi', 'Tamil'] }));
      expect((await store.listDoctors()).map((d) => d.id)).toEqual(['D1']);
      const all = await store.listDoctors({ includeInactive: true });
      expect(all.map((d) => d.id)).toEqual(['D2', 'D1']); // by name
      expect(await store.getDoctor('D2')).toEqual(
        doctor({ id: 'D2', name: 'Dr. Away', active: false, languages: ['Hindi', 'Tamil'] }),
      );
      await store.upsertDoctor(doctor({ fee: 650 }));
      expect((await store.getDoctor('D1'))?.fee).toBe(650);
      expect(await store.getDoctor('nope')).toBeUndefined();
    });

    it('round-trips slots and refuses malformed ones', async () => {
      expect(await store.getSlot('S1')).toEqual(slot());
      await store.upsertSlot(slot({ capacity: 3, status: 'BLOCKED', notes: 'leave' }));
      expect(await store.getSlot('S1')).toEqual(slot({ capacity: 3, status: 'BLOCKED', notes: 'leave' }));
      await expect(store.upsertSlot(slot({ id: 'bad', date: '21/11/2026' }))).rejects.toThrow(RangeError);
      await expect(store.upsertSlot(slot({ id: 'bad', start: '9:00' }))).rejects.toThrow(RangeError);
      await expect(store.upsertSlot(slot({ id: 'bad', capacity: 1.5 }))).rejects.toThrow(RangeError);
      expect(await store.getSlot('bad')).toBeUndefined();
    });

    it('writes many slots at once, replacing those that exist, and none when one is malformed', async () => {
      const day = Array.from({ length: 20 }, (_, i) => slot({ id: `DAY-${i}`, start: `${String(8 + Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`, end: '23:00' }));
      await store.upsertSlots([slot({ capacity: 4 }), ...day]);
      expect(await store.getSlot('S1')).toEqual(slot({ capacity: 4 }));
      expect(await store.getSlot('DAY-19')).toEqual(day[19]);
      const blocked = day.map((s) => ({ ...s, status: 'BLOCKED' as const }));
      await store.upsertSlots(blocked);
      expect((await store.listSlotUsage({ fromDate: day[0]!.date, toDate: day[0]!.date, now: NOW })).filter((u) => u.slot.id.startsWith('DAY-')).map((u) => u.slot.status)).toEqual(
        Array(20).fill('BLOCKED'),
      );
      await expect(store.upsertSlots([slot({ id: 'fine' }), slot({ id: 'bad', start: '9:00' })])).rejects.toThrow(RangeError);
      expect(await store.getSlot('fine')).toBeUndefined();
      await expect(store.upsertSlots([])).resolves.toBeUndefined();
    });

    it('pings while open and fails once closed; close is idempotent', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });

  describe('holdSlot', () => {
    it('creates a HELD appointment copying doctor and slot details', async () => {
      const appointment = await store.holdSlot(hold('S1', HOLD_END), NOW);
      expect(appointment.id).toMatch(/^APT-[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(appointment).toMatchObject({
        status: 'HELD',
        createdAt: NOW.toISOString(),
        updatedAt: NOW.toISOString(),
        conversation: { channel: 'telegram', chatId: 'chat-1' },
        patient: { name: 'Ravi Kumar', phone: '+919812345678', age: 34, gender: 'MALE' },
        purpose: 'Fever',
        doctorId: 'D1',
        doctorName: 'Dr. Test',
        slotId: 'S1',
        date: '2026-11-23',
        time: '10:00',
        fee: 500,
        paymentMode: null,
        paymentStatus: null,
        paymentLink: null,
        paymentId: null,
        invoiceNo: null,
        reports: [],
        holdExpiresAt: HOLD_END.toISOString(),
        remindersSent: [],
        notes: '',
      });
      expect(await store.getAppointment(appointment.id)).toEqual(appointment);
    });

    it('refuses unknown and blocked slots, and slots of inactive doctors', async () => {
      const unknown = await rejection(store.holdSlot(hold('nope', HOLD_END), NOW));
      expect(unknown).toBeInstanceOf(SlotUnavailableError);
      expect(unknown).toMatchObject({ slotId: 'nope', reason: 'unknown' });

      await store.upsertSlot(slot({ id: 'S2', status: 'BLOCKED' }));
      expect(await rejection(store.holdSlot(hold('S2', HOLD_END), NOW))).toMatchObject({ reason: 'blocked' });

      await store.upsertDoctor(doctor({ id: 'D2', active: false }));
      await store.upsertSlot(slot({ id: 'S3', doctorId: 'D2' }));
      expect(await rejection(store.holdSlot(hold('S3', HOLD_END), NOW))).toMatchObject({ reason: 'blocked' });
      expect(await store.listAppointments({})).toEqual([]);
    });

    it('lets a capacity 2 slot take exactly 2', async () => {
      await store.upsertSlot(slot({ id: 'S2', capacity: 2 }));
      await store.holdSlot(hold('S2', HOLD_END, 'a'), NOW);
      await store.holdSlot(hold('S2', HOLD_END, 'b'), NOW);
      const third = await rejection(store.holdSlot(hold('S2', HOLD_END, 'c'), NOW));
      expect(third).toBeInstanceOf(SlotUnavailableError);
      expect(third).toMatchObject({ slotId: 'S2', reason: 'full' });
    });

    it('frees the place once a hold lapses', async () => {
      await store.holdSlot(hold('S1', HOLD_END, 'a'), NOW);
      expect(await rejection(store.holdSlot(hold('S1', minutesAfter(NOW, 25), 'b'), minutesAfter(NOW, 19))))
        .toMatchObject({ reason: 'full' });
      // At the expiry instant the hold no longer counts.
      const second = await store.holdSlot(hold('S1', minutesAfter(NOW, 40), 'b'), HOLD_END);
      expect(second.status).toBe('HELD');
    });

    it('counts confirmed, completed and no-show appointments but not cancelled or expired ones', async () => {
      await store.upsertSlot(slot({ id: 'S2', capacity: 5 }));
      const statuses = ['CONFIRMED', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED'] as const;
      for (const status of statuses) {
        const appointment = await store.holdSlot(hold('S2', HOLD_END, status), NOW);
        await store.updateAppointment(appointment.id, { status }, NOW);
      }
      const later = minutesAfter(NOW, 60); // every hold would have lapsed by now
      const usage = await store.listSlotUsage({ fromDate: '2026-11-23', toDate: '2026-11-23', now: later });
      expect(usage.find((u) => u.slot.id === 'S2')?.taken).toBe(3);
    });

    it('draws a new id when the generated one is already taken', async () => {
      const ids = ['APT-AAAAAAAA', 'APT-AAAAAAAA', 'APT-BBBBBBBB'];
      const scripted = subject.withIds(() => ids.shift() ?? newAppointmentId());
      await store.upsertSlot(slot({ id: 'S2', capacity: 2 }));
      expect((await scripted.holdSlot(hold('S2', HOLD_END, 'a'), NOW)).id).toBe('APT-AAAAAAAA');
      expect((await scripted.holdSlot(hold('S2', HOLD_END, 'b'), NOW)).id).toBe('APT-BBBBBBBB');
      expect(await store.listAppointments({})).toHaveLength(2);
    });
  });

  describe('confirmAppointment', () => {
    it('confirms a live hold, sets payment fields and clears the expiry', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      const at = minutesAfter(NOW, 5);
      const confirmed = await store.confirmAppointment(held.id, PAY_AT_CLINIC, at);
      expect(confirmed).toEqual({
        ...held,
        status: 'CONFIRMED',
        paymentMode: 'CLINIC',
        paymentStatus: 'PAY_AT_CLINIC',
        holdExpiresAt: null,
        confirmedAt: at.toISOString(),
        updatedAt: at.toISOString(),
      });
      expect(await store.getAppointment(held.id)).toEqual(confirmed);
      // Confirmed appointments occupy the slot for good, long after the hold would have lapsed.
      expect(await rejection(store.holdSlot(hold('S1', minutesAfter(NOW, 200)), minutesAfter(NOW, 100))))
        .toMatchObject({ reason: 'full' });
    });

    it('confirms a lapsed hold when the place is still free', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      const late = minutesAfter(NOW, 30);
      expect((await store.confirmAppointment(held.id, PAY_AT_CLINIC, late)).status).toBe('CONFIRMED');
    });

    it('confirms an EXPIRED appointment when the place is still free', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      await store.expireHolds(minutesAfter(NOW, 21));
      const confirmed = await store.confirmAppointment(
        held.id,
        { paymentMode: 'ONLINE', paymentStatus: 'PAID' },
        minutesAfter(NOW, 30),
      );
      expect(confirmed).toMatchObject({ status: 'CONFIRMED', paymentMode: 'ONLINE', paymentStatus: 'PAID' });
    });

    it('refuses a lapsed hold whose place someone else took', async () => {
      const first = await store.holdSlot(hold('S1', HOLD_END, 'a'), NOW);
      const second = await store.holdSlot(hold('S1', minutesAfter(NOW, 45), 'b'), minutesAfter(NOW, 25));
      const error = await rejection(store.confirmAppointment(first.id, PAY_AT_CLINIC, minutesAfter(NOW, 26)));
      expect(error).toBeInstanceOf(SlotUnavailableError);
      expect(error).toMatchObject({ slotId: 'S1', reason: 'full' });
      expect((await store.getAppointment(first.id))?.status).toBe('HELD');
      expect((await store.confirmAppointment(second.id, PAY_AT_CLINIC, minutesAfter(NOW, 27))).status).toBe('CONFIRMED');
    });

    it('refuses a live hold once an admin blocked the slot, leaving it held', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      await store.upsertSlot(slot({ status: 'BLOCKED' }));
      const error = await rejection(store.confirmAppointment(held.id, PAY_AT_CLINIC, minutesAfter(NOW, 5)));
      expect(error).toBeInstanceOf(SlotUnavailableError);
      expect(error).toMatchObject({ slotId: 'S1', reason: 'blocked' });
      expect(await store.getAppointment(held.id)).toEqual(held);
    });

    it('refuses a lapsed hold once staff blocked the slot', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      await store.upsertSlot(slot({ status: 'BLOCKED' }));
      expect(await rejection(store.confirmAppointment(held.id, PAY_AT_CLINIC, minutesAfter(NOW, 30))))
        .toMatchObject({ reason: 'blocked' });
    });

    it('refuses other statuses and unknown ids', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      await store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW);
      const twice = await rejection(store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW));
      expect(twice).toBeInstanceOf(InvalidTransitionError);
      expect(twice).toMatchObject({ appointmentId: held.id, from: 'CONFIRMED', to: 'CONFIRMED' });

      await store.updateAppointment(held.id, { status: 'CANCELLED' }, NOW);
      expect(await rejection(store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW))).toBeInstanceOf(
        InvalidTransitionError,
      );
      expect(await rejection(store.confirmAppointment('APT-NOPE', PAY_AT_CLINIC, NOW))).toBeInstanceOf(
        AppointmentNotFoundError,
      );
    });
  });

  describe('cancel, update and reports', () => {
    it('cancelling frees the place', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END, 'a'), NOW);
      await store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW);
      const cancelled = await store.updateAppointment(held.id, { status: 'CANCELLED', notes: 'patient called' }, minutesAfter(NOW, 1));
      expect(cancelled).toMatchObject({ status: 'CANCELLED', notes: 'patient called', updatedAt: minutesAfter(NOW, 1).toISOString() });
      expect((await store.holdSlot(hold('S1', HOLD_END, 'b'), NOW)).status).toBe('HELD');
    });

    it('applies every patch field, keeps untouched ones and normalises instants', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      const at = minutesAfter(NOW, 2);
      const patched = await store.updateAppointment(
        held.id,
        {
          paymentMode: 'ONLINE',
          paymentStatus: 'PENDING',
          paymentLink: 'https://rzp.io/l/abc',
          paymentId: 'plink_1',
          invoiceNo: 'INV-0001',
          holdExpiresAt: '2026-11-21T10:30:00+05:30',
          remindersSent: ['24h', '2h'],
          notes: undefined,
        },
        at,
      );
      expect(patched).toEqual({
        ...held,
        paymentMode: 'ONLINE',
        paymentStatus: 'PENDING',
        paymentLink: 'https://rzp.io/l/abc',
        paymentId: 'plink_1',
        invoiceNo: 'INV-0001',
        holdExpiresAt: '2026-11-21T05:00:00.000Z',
        remindersSent: ['24h', '2h'],
        updatedAt: at.toISOString(),
      });
      expect(await store.getAppointment(held.id)).toEqual(patched);
      await expect(store.updateAppointment('APT-NOPE', { notes: 'x' }, NOW)).rejects.toBeInstanceOf(
        AppointmentNotFoundError,
      );
    });

    it('appends reports', async () => {
      const held = await store.holdSlot(hold('S1', HOLD_END), NOW);
      const report = { id: 'R1', path: 'APT/R1.pdf', mime: 'application/pdf', size: 1234, receivedAt: NOW.toISOString() };
      await store.addReport(held.id, report, NOW);
      const updated = await store.addReport(held.id, { ...report, id: 'R2' }, minutesAfter(NOW, 1));
      expect(updated.reports.map((r) => r.id)).toEqual(['R1', 'R2']);
      expect((await store.getAppointment(held.id))?.reports).toEqual([report, { ...report, id: 'R2' }]);
      await expect(store.addReport('APT-NOPE', report, NOW)).rejects.toBeInstanceOf(AppointmentNotFoundError);
    });
  });

  describe('rescheduleAppointment', () => {
    async function confirmedOn(slotId: string, chatId: string): Promise<Appointment> {
      const held = await store.holdSlot(hold(slotId, HOLD_END, chatId), NOW);
      return store.confirmAppointment(held.id, PAY_AT_CLINIC, NOW);
    }

    it('moves a confirmed appointment to a free slot of its doctor, freeing the old place in the same step', async () => {
      await store.upsertSlot(slot({ id: 'S2', date: '2026-11-24', start: '11:30', end: '12:00' }));
      const booked = await confirmedOn('S1', 'a');
      await store.updateAppointment(booked.id, { remindersSent: ['1440'], patientConfirmedAt: minutesAfter(NOW, 1).toISOString() }, minutesAfter(NOW, 1));
      const moved = await store.rescheduleAppointment(booked.id, 'S2', minutesAfter(NOW, 2));
      expect(moved).toMatchObject({
        id: booked.id,
        status: 'CONFIRMED',
        slotId: 'S2',
        date: '2026-11-24',
        time: '11:30',
        fee: booked.fee,
        patient: booked.patient,
        paymentStatus: 'PAY_AT_CLINIC',
        remindersSent: [],
        rescheduledAt: minutesAfter(NOW, 2).toISOString(),
      });
      // The patient's "I'll be there" was for the old time.
      expect(moved.patientConfirmedAt ?? null).toBeNull();
      expect(await store.getAppointment(booked.id)).toEqual(moved);
      // The old place is free again and the new one taken.
      expect((await store.holdSlot(hold('S1', HOLD_END, 'b'), NOW)).status).toBe('HELD');
      expect(await rejection(store.holdSlot(hold('S2', HOLD_END, 'c'), NOW))).toMatchObject({ reason: 'full' });
    });

    it('refuses a full, blocked, unknown or other doctor\'s slot and a status that cannot move, changing nothing', async () => {
      await store.upsertDoctor(doctor({ id: 'D2', name: 'Dr. Other' }));
      await store.upsertSlot(slot({ id: 'FULL', start: '12:00', end: '12:30' }));
      await store.upsertSlot(slot({ id: 'SHUT', start: '12:30', end: '13:00', status: 'BLOCKED' }));
      await store.upsertSlot(slot({ id: 'THEIRS', doctorId: 'D2', start: '13:00', end: '13:30' }));
      const booked = await confirmedOn('S1', 'a');
      await confirmedOn('FULL', 'b');
      expect(await rejection(store.rescheduleAppointment(booked.id, 'FULL', NOW))).toMatchObject({ reason: 'full' });
      expect(await rejection(store.rescheduleAppointment(booked.id, 'SHUT', NOW))).toMatchObject({ reason: 'blocked' });
      expect(await rejection(store.rescheduleAppointment(booked.id, 'NOPE', NOW))).toBeInstanceOf(SlotUnavailableError);
      expect(await rejection(store.rescheduleAppointment(booked.id, 'THEIRS', NOW))).toBeInstanceOf(SlotUnavailableError);
      expect(await store.getAppointment(booked.id)).toEqual(booked);
      const held = await store.holdSlot(hold('THEIRS', HOLD_END, 'c'), NOW);
      expect(await rejection(store.rescheduleAppointment(held.id, 'S1', NOW))).toBeInstanceOf(InvalidTransitionError);
      expect(await rejection(store.rescheduleAppointment('APT-NOPE', 'S1', NOW))).toBeInstanceOf(AppointmentNotFoundError);
    });
  });

  describe('expireHolds', () => {
    it('marks lapsed holds EXPIRED, returns them and leaves live ones alone', async () => {
      await store.upsertSlot(slot({ id: 'S2', capacity: 3 }));
      const early = await store.holdSlot(hold('S2', minutesAfter(NOW, 10), 'a'), NOW);
      const late = await store.holdSlot(hold('S2', minutesAfter(NOW, 30), 'b'), NOW);
      const confirmed = await store.holdSlot(hold('S2', minutesAfter(NOW, 5), 'c'), NOW);
      await store.confirmAppointment(confirmed.id, PAY_AT_CLINIC, NOW);

      const at = minutesAfter(NOW, 10);
      const expired = await store.expireHolds(at);
      expect(expired.map((a) => a.id)).toEqual([early.id]);
      expect(expired[0]).toMatchObject({ status: 'EXPIRED', updatedAt: at.toISOString() });
      expect((await store.getAppointment(late.id))?.status).toBe('HELD');
      expect((await store.getAppointment(confirmed.id))?.status).toBe('CONFIRMED');
      expect(await store.expireHolds(at)).toEqual([]);
    });
  });

  describe('listSlotUsage', () => {
    it('counts taken places at the given instant, includes BLOCKED slots, filters and orders', async () => {
      await store.upsertDoctor(doctor({ id: 'D2', name: 'Dr. Two' }));
      await store.upsertSlot(slot({ id: 'A', date: '2026-11-24', start: '09:00', end: '09:30', capacity: 2 }));
      await store.upsertSlot(slot({ id: 'B', date: '2026-11-23', start: '11:00', end: '11:30', status: 'BLOCKED' }));
      await store.upsertSlot(slot({ id: 'C', doctorId: 'D2', date: '2026-11-23', start: '09:30', end: '10:00' }));
      await store.upsertSlot(slot({ id: 'D', date: '2026-11-25', start: '09:00', end: '09:30' }));
      await store.upsertSlot(slot({ id: 'E', date: '2026-11-22', start: '09:00', end: '09:30' }));

      await store.holdSlot(hold('A', minutesAfter(NOW, 10), 'x'), NOW);
      const confirmed = await store.holdSlot(hold('A', minutesAfter(NOW, 10), 'y'), NOW);
      await store.confirmAppointment(confirmed.id, PAY_AT_CLINIC, NOW);
      await store.holdSlot(hold('S1', minutesAfter(NOW, 30), 'z'), NOW);

      const range = { fromDate: '2026-11-23', toDate: '2026-11-24' };
      const summary = (usages: Awaited<ReturnType<ClinicStore['listSlotUsage']>>): [string, number][] =>
        usages.map((u) => [u.slot.id, u.taken]);

      expect(summary(await store.listSlotUsage({ ...range, now: NOW }))).toEqual([
        ['C', 0],
        ['S1', 1],
        ['B', 0],
        ['A', 2],
      ]);
      // Ten minutes later the hold on A has lapsed, the one on S1 has not.
      expect(summary(await store.listSlotUsage({ ...range, now: minutesAfter(NOW, 10) }))).toEqual([
        ['C', 0],
        ['S1', 1],
        ['B', 0],
        ['A', 1],
      ]);
      expect(summary(await store.listSlotUsage({ ...range, now: NOW, doctorId: 'D2' }))).toEqual([['C', 0]]);
      const blocked = (await store.listSlotUsage({ ...range, now: NOW })).find((u) => u.slot.id === 'B');
      expect(blocked?.slot.status).toBe('BLOCKED');
    });
  });

  describe('listAppointments', () => {
    it('filters by conversation, phone, statuses and date, newest first', async () => {
      await store.upsertSlot(slot({ id: 'S2', date: '2026-11-30', capacity: 5 }));
      const a = await store.holdSlot(hold('S1', HOLD_END, 'chat-a'), NOW);
      const b = await store.holdSlot(hold('S2', HOLD_END, 'chat-a'), minutesAfter(NOW, 1));
      const c = await store.holdSlot(
        { ...hold('S2', HOLD_END, 'chat-b'), patient: { name: 'Meena', phone: '+919800000000', age: 8, gender: 'FEMALE' } },
        minutesAfter(NOW, 2),
      );
      const d = await store.holdSlot(hold('S2', HOLD_END, 'chat-a'), minutesAfter(NOW, 2)); // same instant as c
      await store.updateAppointment(b.id, { status: 'CANCELLED' }, minutesAfter(NOW, 3));

      const ids = (list: Appointment[]): string[] => list.map((x) => x.id);
      expect(ids(await store.listAppointments({}))).toEqual([d.id, c.id, b.id, a.id]);
      expect(ids(await store.listAppointments({ conversation: { channel: 'telegram', chatId: 'chat-a' } }))).toEqual([
        d.id,
        b.id,
        a.id,
      ]);
      expect(ids(await store.listAppointments({ conversation: { channel: 'web', chatId: 'chat-a' } }))).toEqual([]);
      expect(ids(await store.listAppointments({ phone: '+919800000000' }))).toEqual([c.id]);
      expect(ids(await store.listAppointments({ statuses: ['CANCELLED'] }))).toEqual([b.id]);
      expect(ids(await store.listAppointments({ statuses: [] }))).toEqual([]);
      expect(ids(await store.listAppointments({ fromDate: '2026-11-24' }))).toEqual([d.id, c.id, b.id]);
      expect(
        ids(
          await store.listAppointments({
            conversation: { channel: 'telegram', chatId: 'chat-a' },
            phone: '+919812345678',
            statuses: ['HELD', 'CONFIRMED'],
            fromDate: '2026-11-24',
          }),
        ),
      ).toEqual([d.id]);
    });
  });

  describe('concurrent holds', () => {
    it('100 concurrent holds on a capacity 1 slot give exactly one appointment', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) => settle(() => store.holdSlot(hold('S1', HOLD_END, `chat-${i}`), NOW))),
      );
      const { held, full, other } = tally(outcomes);
      expect(other).toEqual([]);
      expect(held).toHaveLength(1);
      expect(full).toBe(99);
      expect(await store.listAppointments({ statuses: ['HELD'] })).toHaveLength(1);
    });

    it('two connections to the same storage still give exactly one', async () => {
      const second = subject.secondConnection();
      const outcomes = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          settle(() => (i % 2 === 0 ? store : second).holdSlot(hold('S1', HOLD_END, `chat-${i}`), NOW)),
        ),
      );
      const { held, full, other } = tally(outcomes);
      expect(other).toEqual([]);
      expect(held).toHaveLength(1);
      expect(full).toBe(99);
      expect(await store.listAppointments({})).toHaveLength(1);
      expect(await second.listAppointments({})).toHaveLength(1);
    });
  });
  });
}
