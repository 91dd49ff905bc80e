import { describe, expect, it } from 'vitest';
import type { SlotUsage } from '../../src/core/domain.js';
import {
  bookableSlots,
  clinicDate,
  clinicWallClock,
  formatDate,
  formatTime,
  isBookable,
  pageSlotsByDate,
  startsAfter,
  zoneAbbreviation,
} from '../../src/core/slots.js';
import { slot } from '../support/engineHarness.js';

const KOLKATA = 'Asia/Kolkata';
const usage = (s: ReturnType<typeof slot>, taken = 0): SlotUsage => ({ slot: s, taken });

describe('slot times are clinic wall-clock times', () => {
  it("reads the clinic's wall clock in its time zone, not the server's", () => {
    const instant = new Date('2026-11-21T04:30:00Z');
    expect(clinicWallClock(instant, KOLKATA)).toBe('2026-11-21T10:00');
    expect(clinicWallClock(instant, 'America/New_York')).toBe('2026-11-20T23:30');
    expect(startsAfter({ date: '2026-11-21', start: '10:01' }, '2026-11-21T10:00')).toBe(true);
    expect(startsAfter({ date: '2026-11-21', start: '10:00' }, '2026-11-21T10:00')).toBe(false);
    expect(startsAfter({ date: '2026-11-20', start: '23:59' }, '2026-11-21T00:00')).toBe(false);
  });

  it("computes the clinic's today, which can differ from UTC", () => {
    const lateUtc = new Date('2026-11-21T20:00:00Z');
    expect(clinicDate(lateUtc, KOLKATA)).toBe('2026-11-22');
    expect(clinicDate(lateUtc, 'UTC')).toBe('2026-11-21');
    expect(clinicDate(lateUtc, KOLKATA, 14)).toBe('2026-12-06');
    expect(clinicDate(new Date('2026-12-25T00:00:00Z'), KOLKATA, 10)).toBe('2027-01-04');
    expect(clinicDate(new Date('2028-02-20T00:00:00Z'), KOLKATA, 10)).toBe('2028-03-01');
  });

  it('keeps the wall clock right at every second of a minute and across a daylight-saving jump', () => {
    // The clock is remembered per minute: the first and last second of a minute read the same.
    expect(clinicWallClock(new Date('2026-11-21T04:30:59.999Z'), KOLKATA)).toBe('2026-11-21T10:00');
    expect(clinicWallClock(new Date('2026-11-21T04:31:00.000Z'), KOLKATA)).toBe('2026-11-21T10:01');
    // New York springs forward at 02:00 local (07:00 UTC) on 8 March 2026.
    expect(clinicWallClock(new Date('2026-03-08T06:59:30Z'), 'America/New_York')).toBe('2026-03-08T01:59');
    expect(clinicWallClock(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('2026-03-08T03:00');
    // The same minute in two zones is remembered apart.
    expect(clinicWallClock(new Date('2026-03-08T07:00:00Z'), KOLKATA)).toBe('2026-03-08T12:30');
    expect(clinicDate(new Date('2026-03-08T04:59:00Z'), 'America/New_York')).toBe('2026-03-07');
  });
});

describe('the zone shown to patients', () => {
  it('is the short name readers in India know, at the appointment\'s date, else an offset', () => {
    expect(zoneAbbreviation({ date: '2026-11-23', time: '10:00' }, 'Asia/Kolkata')).toBe('IST');
    expect(zoneAbbreviation({ date: '2026-07-01', time: '10:00' }, 'Europe/London')).toBe('GMT+1');
    expect(zoneAbbreviation({ date: '2026-11-23', time: '10:00' }, 'Asia/Dubai')).toBe('GST');
    expect(zoneAbbreviation({ date: 'bad', time: '10:00' }, 'Asia/Kolkata')).toBe('Asia/Kolkata');
  });
});

describe('isBookable', () => {
  const now = new Date('2026-11-21T04:30:00Z'); // 10:00 in Kolkata

  it('offers a future open slot with a free place', () => {
    expect(isBookable(usage(slot('a', 'd', '2026-11-21', '10:30')), now, KOLKATA)).toBe(true);
  });

  it('never offers a past slot or one starting right now', () => {
    expect(isBookable(usage(slot('a', 'd', '2026-11-21', '09:30')), now, KOLKATA)).toBe(false);
    expect(isBookable(usage(slot('a', 'd', '2026-11-21', '10:00')), now, KOLKATA)).toBe(false);
  });

  it('judges "past" in the clinic zone: 10:30 in New York is still ahead', () => {
    expect(isBookable(usage(slot('a', 'd', '2026-11-21', '09:30')), now, 'America/New_York')).toBe(true);
  });

  it('does not offer blocked or full slots', () => {
    expect(isBookable(usage(slot('a', 'd', '2026-11-22', '10:00', { status: 'BLOCKED' })), now, KOLKATA)).toBe(false);
    expect(isBookable(usage(slot('a', 'd', '2026-11-22', '10:00'), 1), now, KOLKATA)).toBe(false);
    expect(isBookable(usage(slot('a', 'd', '2026-11-22', '10:00', { capacity: 2 }), 1), now, KOLKATA)).toBe(true);
  });
});

describe('bookableSlots and pages', () => {
  const now = new Date('2026-11-21T04:30:00Z');
  const slots = [
    usage(slot('late', 'd', '2026-11-22', '11:00')),
    usage(slot('past', 'd', '2026-11-21', '09:00')),
    usage(slot('s1', 'd', '2026-11-21', '11:00')),
    usage(slot('s2', 'd', '2026-11-21', '11:30')),
    usage(slot('s3', 'd', '2026-11-21', '12:00')),
    usage(slot('early', 'd', '2026-11-22', '09:00')),
  ];

  it('keeps bookable slots in date and time order', () => {
    expect(bookableSlots(slots, now, KOLKATA).map((u) => u.slot.id)).toEqual(['s1', 's2', 's3', 'early', 'late']);
  });

  it('puts one date on a page and splits long days', () => {
    const pages = pageSlotsByDate(bookableSlots(slots, now, KOLKATA), 2);
    expect(pages.map((p) => [p.date, p.slots.map((u) => u.slot.id)])).toEqual([
      ['2026-11-21', ['s1', 's2']],
      ['2026-11-21', ['s3']],
      ['2026-11-22', ['early', 'late']],
    ]);
  });
});

describe('formatting', () => {
  it('reads dates and times the way patients do', () => {
    expect(formatDate('2026-11-21')).toBe('Sat, 21 Nov 2026');
    expect(formatTime('09:05')).toBe('9:05 AM');
    expect(formatTime('17:30')).toBe('5:30 PM');
  });
});
