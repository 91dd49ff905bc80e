/**
 * What a login releases of the alerts held for its chat: recent ones only, at most a cap of the most
 * recent, oldest first, after the login reply and a line that says how many and what was left out.
 */
import { describe, expect, it } from 'vitest';
import { loginWithHeldAlerts, planRelease, releaseSummary } from '../../../src/core/admin/heldAlerts.js';
import type { HeldAdminAlert } from '../../../src/core/ports.js';

const NOW = new Date('2026-11-22T04:30:00.000Z');
const LIMITS = { maxAgeHours: 24, maxReleased: 3 };
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
const alert = (text: string, hours: number): HeldAdminAlert => ({ text, heldAt: hoursAgo(hours) });

describe('planRelease', () => {
  it('releases everything recent, oldest first', () => {
    const held = [alert('a', 5), alert('b', 1)];
    expect(planRelease(held, NOW, LIMITS)).toEqual({ released: held, stale: 0, notShown: 0 });
  });

  it('drops alerts older than the age limit (exactly at the limit still counts as recent)', () => {
    const held = [alert('too old', 24.01), alert('at the limit', 24), alert('new', 0)];
    expect(planRelease(held, NOW, LIMITS)).toEqual({ released: [held[1], held[2]], stale: 1, notShown: 0 });
  });

  it('keeps only the most recent ones over the cap, and counts the rest', () => {
    const held = [alert('stale', 30), alert('1', 6), alert('2', 5), alert('3', 4), alert('4', 3), alert('5', 2)];
    const plan = planRelease(held, NOW, LIMITS);
    expect(plan.released.map((a) => a.text)).toEqual(['3', '4', '5']);
    expect(plan).toMatchObject({ stale: 1, notShown: 2 });
  });
});

describe('releaseSummary', () => {
  it('says how many, and only mentions what was left out when something was', () => {
    expect(releaseSummary({ released: [alert('a', 1)], stale: 0, notShown: 0 }, LIMITS)).toBe('While you were logged out: 1 alert, oldest first.');
    expect(releaseSummary({ released: [alert('a', 1), alert('b', 1)], stale: 0, notShown: 0 }, LIMITS)).toBe(
      'While you were logged out: 2 alerts, oldest first.',
    );
    expect(releaseSummary({ released: [alert('a', 1), alert('b', 1), alert('c', 1)], stale: 2, notShown: 1 }, LIMITS)).toBe(
      'While you were logged out: 3 alerts, oldest first. 1 earlier alert is not shown. 2 alerts older than 24 hours were dropped. /today and /appointments show the current state.',
    );
    expect(releaseSummary({ released: [], stale: 1, notShown: 0 }, LIMITS)).toBe(
      'While you were logged out: 1 alert older than 24 hours was dropped. /today and /appointments show the current state.',
    );
  });
});

describe('loginWithHeldAlerts', () => {
  it('puts the login reply first, then the summary, then the alerts as raised', () => {
    const plan = planRelease([alert('🆕 New booking', 3), alert('📋 Agenda for Sun, 22 Nov 2026', 1)], NOW, LIMITS);
    expect(loginWithHeldAlerts('Logged in until 4:30 PM.', plan, LIMITS)).toEqual([
      { kind: 'text', text: 'Logged in until 4:30 PM.' },
      { kind: 'text', text: 'While you were logged out: 2 alerts, oldest first.' },
      { kind: 'text', text: '🆕 New booking' },
      { kind: 'text', text: '📋 Agenda for Sun, 22 Nov 2026' },
    ]);
  });
});
