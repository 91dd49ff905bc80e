/**
 * Rules that the labelled set cannot show on its own: the clinic's time zone near midnight, the clinic's
 * own spelling of specialties, and doctors the clinic does not have.
 */
import { describe, expect, it } from 'vitest';
import type { DoctorDirectoryEntry } from '../../../src/core/ports.js';
import { doctorsFromCsv, DoctorsCsvError } from '../../../src/services/ai/doctorsCsv.js';
import { RuleBasedIntentDetector } from '../../../src/services/ai/ruleDetector.js';

const detector = new RuleBasedIntentDetector();
const doctors: DoctorDirectoryEntry[] = [
  { id: 'C', name: 'Dr. Rajiv Sharma (sample)', specialty: 'Consultant Cardiologist' },
  { id: 'S', name: 'Dr. Rohan Mehta', specialty: 'Skin & Hair' },
];

function detect(text: string, now = new Date('2026-11-21T04:30:00Z'), list = doctors) {
  return detector.detectNow(text, { now, timezone: 'Asia/Kolkata', doctors: list });
}

describe('RuleBasedIntentDetector', () => {
  it('reads "kal" in the clinic\'s time zone: at 00:30 in Kolkata it is already the next day', () => {
    // 19:00 UTC on the 21st is 00:30 on the 22nd in Kolkata: "kal" is the 23rd, "aaj" the 22nd.
    const lateNight = new Date('2026-11-21T19:00:00Z');
    expect(detect('kal subah', lateNight)).toMatchObject({ date: '2026-11-23', timeOfDay: 'morning' });
    expect(detect('aaj shaam', lateNight)).toMatchObject({ date: '2026-11-22', timeOfDay: 'evening' });
    expect(detect('30/11', lateNight).date).toBe('2026-11-30');
  });

  it('keeps today\'s calendar date today whatever the time named, also just after midnight in Kolkata', () => {
    // 18:45 UTC on 23 Nov is 00:15 on Tue 24 Nov in Kolkata; 02:30 UTC on 23 Nov is 08:00 there.
    const justAfterMidnight = new Date('2026-11-23T18:45:00Z');
    const morning = new Date('2026-11-23T02:30:00Z');
    expect(detect('skin doctor 24/11 at 11am', justAfterMidnight).date).toBe('2026-11-24');
    expect(detect('skin doctor 24/11 at 12:30 am', justAfterMidnight).date).toBe('2026-11-24');
    expect(detect('skin doctor 23/11 at 11am', morning)).toMatchObject({ date: '2026-11-23', time: '11:00' });
    expect(detect('skin doctor on 23 november 10:30', morning).date).toBe('2026-11-23');
    expect(detect('23/11 at 7am', morning).date).toBe('2026-11-23');
    // A calendar date already past this year is next year's.
    expect(detect('skin doctor on 21/11 at 11am', morning).date).toBe('2027-11-21');
    expect(detect('22 nov', justAfterMidnight).date).toBe('2027-11-22');
    expect(detect('23/11 at 11am', justAfterMidnight).date).toBe('2027-11-23');
  });

  it('maps lay words to the clinic\'s own spelling of a specialty, and only to specialties it has', () => {
    expect(detect('heart problem').specialty).toBe('Consultant Cardiologist');
    expect(detect('hair fall').specialty).toBe('Skin & Hair');
    expect(detect('tooth pain')).toMatchObject({ intent: 'book', specialty: null });
    const withDentist = [...doctors, { id: 'D', name: 'Dr. Dev Anand', specialty: 'Dental Surgeon' }];
    expect(detect('tooth pain', undefined, withDentist).specialty).toBe('Dental Surgeon');
  });

  it('finds doctors by name despite "(sample)", typos and Devanagari, but not in ordinary words', () => {
    expect(detect('dr rajeev kal').doctorId).toBe('C');
    expect(detect('डॉ रोहन').doctorId).toBe('S');
    expect(detect('BP high rehta hai').doctorId).toBeNull();
  });

  it('keeps a bounded cost on very long input', () => {
    const long = `${'please '.repeat(2000)}book skin doctor`;
    expect(detect(long).intent).toBe('other');
  });
});

describe('doctorsFromCsv', () => {
  it('reads columns by header name in any order, skips inactive doctors, and handles quotes', () => {
    const csv = 'Active,Specialty,Name,Doctor ID,Fee\r\nTRUE,ENT,"Joshi, Kavita",D1,500\r\nFALSE,ENT,Old,D2,1\r\n';
    expect(doctorsFromCsv(csv)).toEqual([{ id: 'D1', name: 'Joshi, Kavita', specialty: 'ENT' }]);
  });

  it('says which column is missing', () => {
    expect(() => doctorsFromCsv('Name,Fee\nX,1\n')).toThrow(DoctorsCsvError);
    expect(() => doctorsFromCsv('Name,Fee\nX,1\n')).toThrow(/Doctor ID, Specialty/);
  });
});
