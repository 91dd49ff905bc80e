/**
 * Switching online payment on: the start-up line, and HOLD_MINUTES raised to what payment links need.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { describeFeatures } from '../../../src/features.js';

const RAZORPAY = { RAZORPAY_KEY_ID: 'rzp_test_1', RAZORPAY_KEY_SECRET: 's', RAZORPAY_WEBHOOK_SECRET: 'w' };
const URL = 'http://localhost:3000';

describe('payments configuration', () => {
  it('is on with the three variables and says where Razorpay must send webhooks', () => {
    const payments = describeFeatures(loadConfig(RAZORPAY), URL).find((f) => f.name === 'payments')!;
    expect(payments.on).toBe(true);
    expect(payments.detail).toBe('Razorpay payment links; webhook at http://localhost:3000/webhooks/razorpay');
  });

  it('raises a HOLD_MINUTES below 15 and says so at start-up, since Razorpay links must stay payable 15 minutes', () => {
    const config = loadConfig({ ...RAZORPAY, HOLD_MINUTES: '5' });
    expect(config.holdMinutes).toBe(15);
    expect(config.razorpay?.holdMinutesRaisedFrom).toBe(5);
    expect(describeFeatures(config, URL).find((f) => f.name === 'payments')!.detail).toContain('HOLD_MINUTES raised from 5 to 15');
  });

  it('keeps HOLD_MINUTES as configured without Razorpay, or when it is long enough', () => {
    expect(loadConfig({ HOLD_MINUTES: '5' }).holdMinutes).toBe(5);
    const config = loadConfig({ ...RAZORPAY, HOLD_MINUTES: '30' });
    expect(config.holdMinutes).toBe(30);
    expect(config.razorpay?.holdMinutesRaisedFrom).toBeUndefined();
  });
});
