import { describe, expect, it } from 'vitest';
import { matchMenuAnswer } from '../../src/core/menuMatching.js';

const OPTIONS = [
  { id: 'd1', label: 'Dr. Asha Verma · General Physician · ₹500' },
  { id: 'd2', label: 'Dr. Rohan Mehta · Dermatology · ₹700' },
  { id: 'd3', label: 'Dr. Priya Nair · Pediatrics · ₹600' },
];
const text = (t: string) => ({ kind: 'text' as const, text: t });
const picked = (answer: ReturnType<typeof matchMenuAnswer>) => (answer.kind === 'option' ? answer.option.id : answer.kind);

describe('matchMenuAnswer', () => {
  it('accepts the option id of a tapped button', () => {
    expect(picked(matchMenuAnswer({ kind: 'choice', optionId: 'd2' }, OPTIONS))).toBe('d2');
  });

  it('reports a button that is not on screen as stale', () => {
    expect(picked(matchMenuAnswer({ kind: 'choice', optionId: 'old' }, OPTIONS))).toBe('stale');
  });

  it('accepts the number of an option, also in Devanagari digits', () => {
    expect(picked(matchMenuAnswer(text('3'), OPTIONS))).toBe('d3');
    expect(picked(matchMenuAnswer(text(' २ '), OPTIONS))).toBe('d2');
    expect(picked(matchMenuAnswer(text('4'), OPTIONS))).toBe('no-match');
    expect(picked(matchMenuAnswer(text('0'), OPTIONS))).toBe('no-match');
  });

  it('accepts the label, ignoring case and punctuation', () => {
    expect(picked(matchMenuAnswer(text('dr asha verma general physician 500'), OPTIONS))).toBe('d1');
  });

  it('accepts a unique word of the label', () => {
    expect(picked(matchMenuAnswer(text('rohan'), OPTIONS))).toBe('d2');
    expect(picked(matchMenuAnswer(text('Dermatology'), OPTIONS))).toBe('d2');
  });

  it('accepts a clear typo but not an ambiguous word', () => {
    expect(picked(matchMenuAnswer(text('pediatrcs'), OPTIONS))).toBe('d3');
    expect(picked(matchMenuAnswer(text('dr'), OPTIONS))).toBe('no-match');
  });

  it('never lets a typo match pick an option whose numbers differ from the ones typed', () => {
    const times = [
      { id: 's1', label: '5:00 PM · Dr. Neha Sharma' },
      { id: 's2', label: '5:00 PM · Dr. Rajiv Sharma' },
      { id: 's3', label: '5:00 PM · Dr. Asha Verma' },
    ];
    expect(picked(matchMenuAnswer(text('neha sharma 6pm'), times))).toBe('no-match');
    expect(picked(matchMenuAnswer(text('rajeev sharma 6pm'), times))).toBe('no-match');
    // A typo with the option's own number still picks it.
    expect(picked(matchMenuAnswer(text('rajiv sharmaa 5'), times))).toBe('s2');
  });

  it('uses aliases', () => {
    const yesNo = [
      { id: 'yes', label: 'Yes, cancel it' },
      { id: 'no', label: 'No, keep it' },
    ];
    expect(picked(matchMenuAnswer(text('haan'), yesNo, { yes: ['haan'] }))).toBe('yes');
  });

  it('does not match unrelated text, emoji or other content', () => {
    expect(picked(matchMenuAnswer(text('🙂'), OPTIONS))).toBe('no-match');
    expect(picked(matchMenuAnswer(text('I need help with my bill'), OPTIONS))).toBe('no-match');
    expect(picked(matchMenuAnswer({ kind: 'contact', phone: '+919876543210' }, OPTIONS))).toBe('no-match');
  });
});
