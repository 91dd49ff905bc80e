/**
 * The Gemini settings: defaults, validation, and the start-up line of the "ai" feature.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { describeAi } from '../../../src/services/ai/index.js';

describe('Gemini configuration', () => {
  it('is off without a key; the rules still understand free text', () => {
    const config = loadConfig({});
    expect(config.gemini).toBeNull();
    expect(describeAi(config)).toBe('rules for free text; Gemini off: GEMINI_API_KEY not set, so voice notes are not transcribed');
  });

  it('takes the model, endpoint and timeouts, with defaults of gemini-2.5-flash, 4 s and 20 s', () => {
    expect(loadConfig({ GEMINI_API_KEY: 'k' }).gemini).toEqual({ apiKey: 'k', model: 'gemini-2.5-flash', apiUrl: undefined, timeoutMs: 4000, voiceTimeoutMs: 20_000 });
    const config = loadConfig({ GEMINI_API_KEY: 'k', GEMINI_MODEL: 'gemini-2.5-pro', GEMINI_API_URL: 'http://127.0.0.1:9/', GEMINI_TIMEOUT_MS: '1500', GEMINI_VOICE_TIMEOUT_MS: '9000' });
    expect(config.gemini).toMatchObject({ model: 'gemini-2.5-pro', apiUrl: 'http://127.0.0.1:9/', timeoutMs: 1500, voiceTimeoutMs: 9000 });
    expect(describeAi(config)).toBe('Gemini gemini-2.5-pro for free text and voice notes, rules when it fails');
  });

  it('refuses a timeout that is not a sensible number of milliseconds, naming the variable', () => {
    for (const value of ['soon', '50', '999999']) {
      expect(() => loadConfig({ GEMINI_API_KEY: 'k', GEMINI_TIMEOUT_MS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ GEMINI_TIMEOUT_MS: value })).toThrow(/GEMINI_TIMEOUT_MS/);
    }
  });
});
