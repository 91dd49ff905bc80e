/**
 * What start-up and /health say about each channel and service: off with the variable to set, or
 * configured but not available in this version.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { describeFeatures, featureLine, type FeatureStatus } from '../src/features.js';

const URL = 'http://localhost:3000';

function feature(features: FeatureStatus[], name: string): FeatureStatus {
  const found = features.find((f) => f.name === name);
  if (!found) throw new Error(`no feature "${name}" in ${features.map((f) => f.name).join(', ')}`);
  return found;
}

describe('describeFeatures', () => {
  it('has web chat and the store on, and every unconfigured feature off naming its variable', () => {
    const features = describeFeatures(loadConfig({}, '/srv/clinic'), URL);
    expect(new Set(features.map((f) => f.name)).size).toBe(features.length);

    expect(feature(features, 'web chat')).toEqual({ name: 'web chat', kind: 'channel', on: true, detail: `served at ${URL}/` });
    expect(feature(features, 'store')).toMatchObject({ on: true, kind: 'service' });
    expect(feature(features, 'store').detail).toBe('SQLite at /srv/clinic/data/clinic.db (GOOGLE_SHEET_ID not set)');

    const off: [string, string][] = [
      ['telegram', 'TELEGRAM_BOT_TOKEN not set'],
      ['telegram admin', 'TELEGRAM_ADMIN_BOT_TOKEN not set'],
      ['whatsapp', 'WHATSAPP_ENABLED is not true'],
      ['payments', 'RAZORPAY_KEY_ID not set'],
    ];
    for (const [name, reason] of off) {
      const f = feature(features, name);
      expect(f.on, name).toBe(false);
      expect(f.detail, name).toContain(reason);
    }
    // Free text is always understood by the rules; Gemini is what the key adds.
    expect(feature(features, 'ai')).toMatchObject({ on: true, kind: 'service' });
    expect(feature(features, 'ai').detail).toContain('GEMINI_API_KEY not set');
  });

  it('says a configured feature is not included in this version yet, instead of pretending it is on', () => {
    const config = loadConfig({
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_ADMIN_BOT_TOKEN: '456:def',
      WHATSAPP_ENABLED: 'true',
      RAZORPAY_KEY_ID: 'rzp_test_1',
      RAZORPAY_KEY_SECRET: 's',
      RAZORPAY_WEBHOOK_SECRET: 'w',
      GEMINI_API_KEY: 'g',
      GOOGLE_SHEET_ID: 'sheet',
      GOOGLE_SERVICE_ACCOUNT_FILE: './sa.json',
    });
    const features = describeFeatures(config, URL);
    const notYet: [string, string][] = [
      ['telegram', 'TELEGRAM_BOT_TOKEN'],
      ['telegram admin', 'TELEGRAM_ADMIN_BOT_TOKEN'],
    ];
    for (const [name, variable] of notYet) {
      const f = feature(features, name);
      expect(f.on, name).toBe(false);
      expect(f.detail, name).toContain(`${variable} is set, but this version does not include it yet`);
    }
    expect(feature(features, 'store')).toMatchObject({ on: true });
    expect(feature(features, 'whatsapp')).toMatchObject({ on: true, detail: 'starting WhatsApp Web' });
    expect(feature(features, 'store').detail).toContain('Google Sheet sheet');
    expect(feature(features, 'ai')).toMatchObject({ on: true, detail: expect.stringContaining('Gemini gemini-2.5-flash') });
    // No secret is ever part of a status line.
    const text = features.map(featureLine).join('\n');
    for (const secret of ['123:abc', '456:def', 'rzp_test_1']) expect(text).not.toContain(secret);
  });

  it('treats only a true WHATSAPP_ENABLED as configured', () => {
    expect(feature(describeFeatures(loadConfig({ WHATSAPP_ENABLED: 'false' }), URL), 'whatsapp').detail).toBe('WHATSAPP_ENABLED is not true');
  });
});

describe('featureLine', () => {
  it('prints one line per feature', () => {
    const features = describeFeatures(loadConfig({}), URL);
    expect(featureLine(feature(features, 'telegram'))).toBe('telegram: off (TELEGRAM_BOT_TOKEN not set)');
    expect(featureLine(feature(features, 'web chat'))).toBe(`web chat: on (served at ${URL}/)`);
    for (const f of features) expect(featureLine(f)).not.toContain('\n');
  });
});
