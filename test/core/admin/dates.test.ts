import { describe, expect, it } from 'vitest';
import { parseAdminDate } from '../../../src/core/admin/dates.js';
import { SATURDAY_10AM_IST } from '../../support/engineHarness.js';

const ZONE = 'Asia/Kolkata';

describe('dates as staff type them (clinic time zone)', () => {
  it.each([
    ['today', '2026-11-21'],
    ['Today', '2026-11-21'],
    ['tomorrow', '2026-11-22'],
    ['tmrw', '2026-11-22'],
    ['yesterday', '2026-11-20'],
    ['21/11', '2026-11-21'],
    ['1/12', '2026-12-01'],
    ['21/11/2026', '2026-11-21'],
    ['21.11.2026', '2026-11-21'],
    ['21-11-26', '2026-11-21'],
    ['2026-11-21', '2026-11-21'],
    ['2027-01-05', '2027-01-05'],
    ['monday', '2026-11-23'],
    ['25 nov', '2026-11-25'],
    ['next friday', '2026-11-27'],
  ])('%s -> %s', (typed, expected) => {
    expect(parseAdminDate(typed, SATURDAY_10AM_IST, ZONE)).toBe(expected);
  });

  it.each(['31/02', '2026-02-30', '13/13/2026', 'meera', '', '=HYPERLINK("x")', '21/11 meera', '1234567', 'x'.repeat(500)])(
    'refuses %j',
    (typed) => {
      expect(parseAdminDate(typed, SATURDAY_10AM_IST, ZONE)).toBeUndefined();
    },
  );

  it('takes a day and month without a year as the nearest such date, typed either way', () => {
    const lateDecember = new Date('2026-12-28T06:00:00Z'); // 11:30 IST
    for (const typed of ['2/1', '02/01', '2 jan', 'jan 2']) expect(parseAdminDate(typed, lateDecember, ZONE), typed).toBe('2027-01-02');
    for (const typed of ['20/12', '20 dec']) expect(parseAdminDate(typed, lateDecember, ZONE), typed).toBe('2026-12-20');
    const earlyJanuary = new Date('2027-01-03T06:00:00Z');
    for (const typed of ['28/12', '28 dec']) expect(parseAdminDate(typed, earlyJanuary, ZONE), typed).toBe('2026-12-28');
    expect(parseAdminDate('5/1/2026', lateDecember, ZONE)).toBe('2026-01-05');
    expect(parseAdminDate('29/2', new Date('2027-12-30T06:00:00Z'), ZONE)).toBe('2028-02-29');
    expect(parseAdminDate('29/2', lateDecember, ZONE)).toBeUndefined();
  });

  it("takes today in the clinic's zone, not the server's or UTC", () => {
    // 20:00 UTC on the 21st is 01:30 on the 22nd in Kolkata, and still the 21st in New York.
    const lateUtc = new Date('2026-11-21T20:00:00Z');
    expect(parseAdminDate('today', lateUtc, ZONE)).toBe('2026-11-22');
    expect(parseAdminDate('tomorrow', lateUtc, ZONE)).toBe('2026-11-23');
    expect(parseAdminDate('today', lateUtc, 'America/New_York')).toBe('2026-11-21');
    expect(parseAdminDate('monday', lateUtc, ZONE)).toBe('2026-11-23');
  });
});
