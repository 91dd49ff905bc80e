/**
 * A small, fully known clinic for flow tests, and helpers that walk a patient to a given step.
 */
import type { FlowState } from '../../src/core/session.js';
import { doctor, slot, type Harness } from './engineHarness.js';

/** Today in the harness clock (Saturday 21 Nov 2026, 10:00 in Kolkata) and tomorrow. */
export const TODAY = '2026-11-21';
export const TOMORROW = '2026-11-22';

/**
 * Dr. Meera Iyer (GP): slots today at 09:30 (past), 11:00, 11:30, 12:00 (blocked), 12:30, 13:00, 13:30,
 * and tomorrow 10:00 with two places. Dr. Karan Shah (Dermatology): no slots. Dr. Old: inactive.
 */
export async function seedClinic(h: Harness): Promise<void> {
  await h.store.upsertDoctor(doctor('GP', { name: 'Dr. Meera Iyer', specialty: 'General Physician', fee: 500 }));
  await h.store.upsertDoctor(doctor('DERM', { name: 'Dr. Karan Shah', specialty: 'Dermatology', fee: 800 }));
  await h.store.upsertDoctor(doctor('OLD', { name: 'Dr. Old', active: false }));
  for (const [id, start] of [
    ['past', '09:30'],
    ['s1100', '11:00'],
    ['s1130', '11:30'],
    ['s1230', '12:30'],
    ['s1300', '13:00'],
    ['s1330', '13:30'],
  ] as const) {
    await h.store.upsertSlot(slot(id, 'GP', TODAY, start));
  }
  await h.store.upsertSlot(slot('blocked', 'GP', TODAY, '12:00', { status: 'BLOCKED' }));
  await h.store.upsertSlot(slot('tomorrow', 'GP', TOMORROW, '10:00', { capacity: 2 }));
  await h.store.upsertSlot(slot('old-slot', 'OLD', TOMORROW, '10:00'));
}

export type Patient = ReturnType<Harness['patient']>;

/** The answers of a first-time booking, in order, and the state each one leads to. */
export const BOOKING_PATH: { answer: (p: Patient) => Promise<unknown>; reaches: FlowState }[] = [
  { answer: (p) => p.say('hi'), reaches: 'IDLE' },
  { answer: (p) => p.tap('Book an appointment'), reaches: 'AWAITING_NAME' },
  { answer: (p) => p.say('Asha Rao'), reaches: 'AWAITING_PHONE' },
  { answer: (p) => p.say('98765 43210'), reaches: 'AWAITING_AGE' },
  { answer: (p) => p.say('34'), reaches: 'AWAITING_GENDER' },
  { answer: (p) => p.tap('Female'), reaches: 'AWAITING_PURPOSE' },
  { answer: (p) => p.say('Fever for 3 days'), reaches: 'SELECTING_DOCTOR' },
  { answer: (p) => p.tap('Meera'), reaches: 'SELECTING_SLOT' },
  { answer: (p) => p.tap('11:00 AM'), reaches: 'SELECTING_PAYMENT_MODE' },
  { answer: (p) => p.tap('Pay at the clinic'), reaches: 'AWAITING_REPORT_CHOICE' },
  { answer: (p) => p.tap('Upload a report'), reaches: 'AWAITING_REPORT_UPLOAD' },
];

/** Walks a first-time patient along the booking path until `state` is reached. */
export async function walkTo(p: Patient, state: FlowState): Promise<void> {
  for (const step of BOOKING_PATH) {
    await step.answer(p);
    if (step.reaches === state) return;
  }
  throw new Error(`${state} is not on the booking path`);
}

/** The state the engine stored for a patient. */
export async function stateOf(h: Harness, p: Patient): Promise<FlowState | undefined> {
  return (await h.sessions.load(p.ref))?.state;
}
