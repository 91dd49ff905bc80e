/**
 * Fixtures shared by the SQLite store tests: throwaway database files and minimal clinic data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Doctor, NewHold, Slot } from '../../../src/core/domain.js';

/** A fresh temporary directory and a function that removes it. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clinic-sqlite-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A doctor with sensible defaults. */
export function doctor(overrides: Partial<Doctor> = {}): Doctor {
  return {
    id: 'D1',
    name: 'Dr. Test',
    specialty: 'General Physician',
    fee: 500,
    active: true,
    languages: ['English'],
    notes: '',
    ...overrides,
  };
}

/** An OPEN single-place slot of doctor D1 with sensible defaults. */
export function slot(overrides: Partial<Slot> = {}): Slot {
  return {
    id: 'S1',
    doctorId: 'D1',
    date: '2026-11-23',
    start: '10:00',
    end: '10:30',
    capacity: 1,
    status: 'OPEN',
    notes: '',
    ...overrides,
  };
}

/** A hold request for `slotId` expiring at `holdExpiresAt`. */
export function hold(slotId: string, holdExpiresAt: Date, chatId = 'chat-1'): NewHold {
  return {
    conversation: { channel: 'telegram', chatId },
    patient: { name: 'Ravi Kumar', phone: '+919812345678', age: 34, gender: 'MALE' },
    purpose: 'Fever',
    slotId,
    holdExpiresAt,
  };
}

/** `base` shifted by whole minutes; tests move time by hand instead of sleeping. */
export function minutesAfter(base: Date, minutes: number): Date {
  return new Date(base.getTime() + minutes * 60_000);
}
