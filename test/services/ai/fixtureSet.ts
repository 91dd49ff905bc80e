/**
 * The labelled utterances (test/fixtures/utterances.jsonl), the doctor list they were labelled
 * against (test/fixtures/utterances.doctors.csv) and their fixed reference time.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IntentContext, IntentName, PartOfDay } from '../../../src/core/ports.js';
import { doctorsFromCsv } from '../../../src/services/ai/doctorsCsv.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export const DOCTORS_CSV = path.join(FIXTURES, 'utterances.doctors.csv');

export interface LabelledUtterance {
  text: string;
  intent: IntentName;
  specialty: string | null;
  doctor: string | null;
  date: string | null;
  timeOfDay: PartOfDay | null;
  time: string | null;
}

/** Saturday 21 November 2026, 10:00 in Kolkata: "kal" is 2026-11-22, "next Monday" 2026-11-23. */
export const REFERENCE_NOW = new Date('2026-11-21T04:30:00.000Z');

export function labelledUtterances(): LabelledUtterance[] {
  return readFileSync(path.join(FIXTURES, 'utterances.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LabelledUtterance);
}

export function fixtureContext(): IntentContext {
  return { now: REFERENCE_NOW, timezone: 'Asia/Kolkata', doctors: doctorsFromCsv(readFileSync(DOCTORS_CSV, 'utf8')) };
}
