import { describe, expect, it } from 'vitest';
import { secretsMatch } from '../../../src/core/admin/login.js';

describe('comparing the admin password', () => {
  it('matches only the exact secret, whatever the lengths', () => {
    expect(secretsMatch('s3cret pass', 's3cret pass')).toBe(true);
    expect(secretsMatch('s3cret pas', 's3cret pass')).toBe(false);
    expect(secretsMatch('s3cret passs', 's3cret pass')).toBe(false);
    expect(secretsMatch('', 's3cret pass')).toBe(false);
    expect(secretsMatch('x'.repeat(100_000), 's3cret pass')).toBe(false);
    expect(secretsMatch('पासवर्ड', 'पासवर्ड')).toBe(true);
  });
});
