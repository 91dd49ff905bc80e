/**
 * Builds the intent detector the service uses: the rules always, with Gemini in front when
 * GEMINI_API_KEY is set. The bot and `npm run intent` both call this, so they behave the same.
 */
import type { AppConfig } from '../../config.js';
import type { CoreLogger } from '../../core/flow/turn.js';
import type { Clock, IntentDetector } from '../../core/ports.js';
import { GeminiIntentDetector } from './geminiDetector.js';
import { ResilientIntentDetector } from './resilientDetector.js';
import { RuleBasedIntentDetector } from './ruleDetector.js';

export { GeminiError, GeminiIntentDetector, geminiAudioType } from './geminiDetector.js';
export { ResilientIntentDetector } from './resilientDetector.js';
export { RuleBasedIntentDetector } from './ruleDetector.js';
export { timeRuleDetector, type DetectionTiming } from './timing.js';

export function createIntentDetector(config: Pick<AppConfig, 'gemini'>, deps: { clock: Clock; logger: CoreLogger }): IntentDetector {
  const { gemini } = config;
  return new ResilientIntentDetector({
    ...(gemini
      ? {
          primary: new GeminiIntentDetector({
            apiKey: gemini.apiKey,
            model: gemini.model,
            ...(gemini.apiUrl ? { apiUrl: gemini.apiUrl } : {}),
            timeoutMs: gemini.timeoutMs,
            voiceTimeoutMs: gemini.voiceTimeoutMs,
          }),
        }
      : {}),
    fallback: new RuleBasedIntentDetector(),
    clock: deps.clock,
    logger: deps.logger,
  });
}

/** The start-up line of the "ai" feature. */
export function describeAi(config: Pick<AppConfig, 'gemini'>): string {
  return config.gemini
    ? `Gemini ${config.gemini.model} for free text and voice notes, rules when it fails`
    : 'rules for free text; Gemini off: GEMINI_API_KEY not set, so voice notes are not transcribed';
}
