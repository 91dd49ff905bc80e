/**
 * The "ai" feature as the app shows it: its start-up line and its part of /health, which say when
 * Google refuses GEMINI_API_KEY or GEMINI_MODEL (the rules answer meanwhile, so the bot keeps working,
 * but an operator has something to fix).
 */
import type { AppComponent } from '../../component.js';
import type { AppConfig } from '../../config.js';
import type { FeatureStatus } from '../../features.js';
import { describeAi } from './describeAi.js';
import type { ResilientIntentDetector } from './resilientDetector.js';

export function aiComponent(config: Pick<AppConfig, 'gemini'>, detector: ResilientIntentDetector): AppComponent {
  return {
    name: 'ai',
    get feature(): FeatureStatus {
      const { problem } = detector.health();
      return { name: 'ai', kind: 'service', on: true, detail: problem ? `${describeAi(config)}; ${problem}` : describeAi(config) };
    },
    health: async () => ({ ...detector.health() }),
  };
}
