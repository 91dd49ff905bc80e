import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../src/core/admin/commandLine.js';
import { maskPhonesIn, MAX_MESSAGES, pagedText } from '../../../src/core/admin/format.js';

describe('reading a command', () => {
  it('takes the name without slash or bot name, and cleans the arguments', () => {
    expect(parseCommandLine('/Slots@ClinicAdminBot  meera\u200b   tomorrow ')).toEqual({ name: 'slots', args: 'meera tomorrow', rawArgs: 'meera\u200b   tomorrow' });
    expect(parseCommandLine('/today')).toEqual({ name: 'today', args: '', rawArgs: '' });
  });

  it('is not a command without a leading slash or with a malformed name', () => {
    expect(parseCommandLine('today')).toBeUndefined();
    expect(parseCommandLine('/')).toBeUndefined();
    expect(parseCommandLine('/ today')).toBeUndefined();
    expect(parseCommandLine('/1abc')).toBeUndefined();
  });
});

describe('masking phone numbers in audit text', () => {
  it.each([
    ['+91 98765 43210', '+91******3210'],
    ['find 9876543210 please', 'find 98****3210 please'],
    ['call (080) 2345-6789', 'call (08*****6789'],
    ['/appointments 2026-11-21 9876543210', '/appointments 2026-11-21 98****3210'],
  ])('%s -> %s', (input, expected) => {
    expect(maskPhonesIn(input)).toBe(expected);
  });

  it('leaves ids, dates and short numbers alone', () => {
    expect(maskPhonesIn('APT-7K3Q9XMD 21/11/2026 2026-11-21 30 21/11 21-11-26 /stats 365')).toBe('APT-7K3Q9XMD 21/11/2026 2026-11-21 30 21/11 21-11-26 /stats 365');
  });

  it('keeps the digits of slot and invoice ids, and still masks a phone beside them', () => {
    expect(maskPhonesIn('blocked S-SAMPLE-DERM-20261123-1510,gp-2026-11-22-0900; 1 booked listed')).toBe(
      'blocked S-SAMPLE-DERM-20261123-1510,gp-2026-11-22-0900; 1 booked listed',
    );
    expect(maskPhonesIn('INV-2026-000001 for 9876543210')).toBe('INV-2026-000001 for 98****3210');
    expect(maskPhonesIn('डॉ-मेहता-20261123-1510 +91-98765-43210')).toBe('डॉ-मेहता-20261123-1510 +91******3210');
  });
});

describe('long lists', () => {
  it('splits at line ends under 4096 characters per message and trims with a note', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} `.padEnd(60, '.'));
    const messages = pagedText('Header:', lines, 'Narrow it.');
    expect(messages.length).toBeLessThanOrEqual(MAX_MESSAGES);
    for (const message of messages) {
      expect(message.kind).toBe('text');
      if (message.kind === 'text') expect(message.text.length).toBeLessThan(4096);
    }
    const all = messages.map((m) => (m.kind === 'text' ? m.text : '')).join('\n');
    expect(all.startsWith('Header:\nline 0 ')).toBe(true);
    expect(all).toMatch(/… and \d+ more lines\. Narrow it\.$/);
  });

  it('cuts a single overlong line instead of sending it whole', () => {
    const [message] = pagedText('H', ['x'.repeat(10_000)]);
    expect(message?.kind === 'text' && message.text.length).toBeLessThan(4096);
  });

  it('keeps short lists in one message', () => {
    expect(pagedText('H', ['a', 'b'])).toEqual([{ kind: 'text', text: 'H\na\nb' }]);
  });
});
