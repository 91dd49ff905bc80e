/**
 * Comparing a secret someone sent (a password, a webhook or metrics token) with the configured one.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets are equal, in constant time. Hashing first gives both sides the same length, so
 * neither the length nor the first differing character shows in the timing.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
