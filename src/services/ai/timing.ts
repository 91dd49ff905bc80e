/**
 * Times the rule-based detector per utterance, for `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import type { IntentContext } from '../../core/ports.js';
import { percentile } from '../../stats.js';
import { RuleBasedIntentDetector } from './ruleDetector.js';

export interface DetectionTiming {
  utterances: number;
  p50Ms: number;
  p99Ms: number;
}

/** Detects each utterance `rounds` times (after one warm-up pass) and reports p50/p99 per detection. */
export function timeRuleDetector(utterances: readonly string[], context: IntentContext, rounds = 5): DetectionTiming {
  const detector = new RuleBasedIntentDetector();
  for (const text of utterances) detector.detectNow(text, context);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const text of utterances) {
      const started = performance.now();
      detector.detectNow(text, context);
      samples.push(performance.now() - started);
    }
  }
  return { utterances: utterances.length, p50Ms: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}
