import { describe, expect, it } from 'vitest';
import { validateAge, validateName, validatePhone, validatePurpose } from '../../src/core/validation.js';

describe('validateName', () => {
  it.each([
    ['Asha Rao', 'Asha Rao'],
    ['  asha   rao ', 'asha rao'],
    ["D'Souza-Pinto", "D'Souza-Pinto"],
    ['आशा राव', 'आशा राव'],
    ['அருண் குமார்', 'அருண் குமார்'],
    ['Dr. K. Iyer', 'Dr. K. Iyer'],
    ['my name is Ramesh Kumar', 'Ramesh Kumar'],
    ["I'm Asha Rao", 'Asha Rao'],
    ['mera naam Ramesh Kumar hai', 'Ramesh Kumar'],
    ['मेरा नाम रमेश कुमार है', 'रमेश कुमार'],
  ])('accepts %j', (input, expected) => {
    expect(validateName(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['A', 'at least'],
    ['x'.repeat(61), 'too long'],
    ['12345', 'only have letters'],
    ['Asha 😀', 'only have letters'],
    ['=HYPERLINK("http://evil")', 'only have letters'],
    ['<script>', 'only have letters'],
    ['   ', 'at least'],
    ['cancel my appointment', 'rather than a name'],
    ['what time is my appointment?', 'rather than a name'],
    ['appointment kab hai', 'rather than a name'],
    ['मेरा अपॉइंटमेंट रद्द करो', 'rather than a name'],
    ['my name is', 'rather than a name'],
  ])('refuses %j with a friendly reason', (input, reason) => {
    const result = validateName(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toContain(reason);
  });
});

describe('validatePhone', () => {
  it.each([
    ['98765 43210', '+919876543210'],
    ['+91 98765-43210', '+919876543210'],
    ['09876543210', '+919876543210'],
    ['९८७६५४३२१०', '+919876543210'],
    ['+44 20 7946 0958', '+442079460958'],
  ])('normalises %j to E.164', (input, expected) => {
    expect(validatePhone(input, 'IN')).toEqual({ ok: true, value: expected });
  });

  it.each(['123', 'call me', '+91 12345', '9'.repeat(40), ''])('refuses %j', (input) => {
    expect(validatePhone(input, 'IN').ok).toBe(false);
  });

  it('uses the configured default region', () => {
    expect(validatePhone('020 7946 0958', 'GB')).toEqual({ ok: true, value: '+442079460958' });
  });
});

describe('validateAge', () => {
  it.each([
    ['34', 34],
    [' 34 years ', 34],
    ['34 yrs', 34],
    ['0', 0],
    ['120', 120],
    ['३४', 34],
    ['5 saal', 5],
  ])('accepts %j', (input, expected) => {
    expect(validateAge(input)).toEqual({ ok: true, value: expected });
  });

  it.each(['121', '-1', '3.5', 'thirty', '', '1000'])('refuses %j', (input) => {
    expect(validateAge(input).ok).toBe(false);
  });
});

describe('validatePurpose', () => {
  it('keeps the text, trimmed, with emoji and other scripts', () => {
    expect(validatePurpose('  बुखार 3 दिन से 🤒 ')).toEqual({ ok: true, value: 'बुखार 3 दिन से 🤒' });
  });

  it('allows exactly 500 characters and refuses 501, saying how long it was', () => {
    expect(validatePurpose('a'.repeat(500)).ok).toBe(true);
    const result = validatePurpose('a'.repeat(501));
    expect(result).toEqual({ ok: false, problem: expect.stringContaining('501') });
  });

  it('counts an emoji as one character', () => {
    expect(validatePurpose('🤒'.repeat(500)).ok).toBe(true);
  });

  it('strips control characters', () => {
    expect(validatePurpose('fever\u0000\u200b for 3 days')).toEqual({ ok: true, value: 'fever for 3 days' });
  });

  it('refuses an empty answer', () => {
    expect(validatePurpose(' \n ').ok).toBe(false);
  });
});
