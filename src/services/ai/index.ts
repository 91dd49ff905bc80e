/**
 * Builds the intent detector the service uses: the rules always, with Gemini in front when
 * GEMINI_API_KEY is set. The bot and `npm run intent` both call this, so they behave the same. The
 * app also shows the detector's health as the "ai" component.
 */
import type { AppConfig } from '../../config.js';
import type { CoreLogger } from '../../core/flow/turn.js';
import type { Clock } from '../../core/ports.js';
import { GeminiIntentDetector } from './geminiDetector.js';
import { ResilientIntentDetector } from './resilientDetector.js';
import { RuleBasedIntentDetector } from './ruleDetector.js';

export { aiComponent } from './aiComponent.js';
export { describeAi } from './describeAi.js';
export { GeminiError, GeminiIntentDetector, geminiAudioType } from './geminiDetector.js';
export { ResilientIntentDetector, type AiHealth } from './resilientDetector.js';
export { RuleBasedIntentDetector } from './ruleDetector.js';
export { timeRuleDetector, type DetectionTiming } from './timing.js';

export function createIntentDetector(
  config: Pick<AppConfig, 'gemini'> & Partial<Pick<AppConfig, 'phoneRegion'>>,
  deps: { clock: Clock; logger: CoreLogger },
): ResilientIntentDetector {
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
            ...(config.phoneRegion ? { phoneRegion: config.phoneRegion } : {}),
          }),
        }
      : {}),
    fallback: new RuleBasedIntentDetector(),
    clock: deps.clock,
    logger: deps.logger,
  });
}
