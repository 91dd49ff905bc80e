/**
 * Razorpay webhook signatures: X-Razorpay-Signature is the hex HMAC-SHA256 of the raw request body
 * with the webhook secret. Checked on the exact bytes received (never a re-serialised parse) and in
 * constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function webhookSignature(rawBody: Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** Whether `signature` is the genuine signature of `rawBody`; false when missing or malformed. */
export function verifyWebhookSignature(rawBody: Uint8Array, signature: string | undefined, secret: string): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(webhookSignature(rawBody, secret), 'hex');
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
