/**
 * The rule-based intent detector (no AI key): time per utterance and accuracy on the labelled set.
 */
import { RuleBasedIntentDetector, timeRuleDetector } from '../../src/services/ai/index.js';
import { fixtureContext, labelledUtterances } from '../../test/services/ai/fixtureSet.js';
import { round, type BenchOptions, type Figure } from './common.js';

export async function intent(options: BenchOptions): Promise<Figure[]> {
  const labelled = labelledUtterances();
  const context = fixtureContext();
  const timing = timeRuleDetector(
    labelled.map((u) => u.text),
    context,
    options.quick ? 1 : 5,
  );
  const detector = new RuleBasedIntentDetector();
  const right = { intent: 0, specialty: 0, date: 0 };
  for (const expected of labelled) {
    const got = await detector.detect(expected.text, context);
    if (got.intent === expected.intent) right.intent += 1;
    if ((got.specialty ?? null) === expected.specialty) right.specialty += 1;
    if ((got.date ?? null) === expected.date) right.date += 1;
  }
  const percent = (n: number) => round((100 * n) / labelled.length, 1);
  const scenario = `rule-based detector, ${labelled.length} labelled utterances (test/fixtures/utterances.jsonl)`;
  return [
    { scenario, measure: 'detection time per utterance p50', value: round(timing.p50Ms, 3), unit: 'ms' },
    { scenario, measure: 'detection time per utterance p99', value: round(timing.p99Ms, 3), unit: 'ms' },
    { scenario, measure: 'intent accuracy', value: percent(right.intent), unit: '%' },
    { scenario, measure: 'specialty accuracy (exact)', value: percent(right.specialty), unit: '%' },
    { scenario, measure: 'date accuracy (exact)', value: percent(right.date), unit: '%' },
  ];
}
