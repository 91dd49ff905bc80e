import { describe, expect, it } from 'vitest';
import { sameSecret } from '../../../src/core/secrets.js';

describe('comparing the admin password', () => {
  it('matches only the exact secret, whatever the lengths', () => {
    expect(sameSecret('s3cret pass', 's3cret pass')).toBe(true);
    expect(sameSecret('s3cret pas', 's3cret pass')).toBe(false);
    expect(sameSecret('s3cret passs', 's3cret pass')).toBe(false);
    expect(sameSecret('', 's3cret pass')).toBe(false);
    expect(sameSecret('x'.repeat(100_000), 's3cret pass')).toBe(false);
    expect(sameSecret('पासवर्ड', 'पासवर्ड')).toBe(true);
  });
});
