/**
 * Measures the rule-based detector on the labelled utterances and prints the figures. The labels were
 * written from how patients write, not from what the rules do; the thresholds are the floor the
 * service promises without any AI key.
 */
import { describe, expect, it } from 'vitest';
import { RuleBasedIntentDetector } from '../../../src/services/ai/ruleDetector.js';
import { timeRuleDetector } from '../../../src/services/ai/timing.js';
import { fixtureContext, labelledUtterances } from './fixtureSet.js';

describe('rule-based detector on the labelled utterances', () => {
  it('gets at least 90% of intents and 85% of specialties and dates exactly right', async () => {
    const utterances = labelledUtterances();
    expect(utterances.length).toBeGreaterThanOrEqual(250);
    const detector = new RuleBasedIntentDetector();
    const context = fixtureContext();
    const hits = { intent: 0, specialty: 0, date: 0, doctor: 0, timeOfDay: 0, time: 0 };
    const misses: string[] = [];
    for (const expected of utterances) {
      const got = await detector.detect(expected.text, context);
      const right = {
        intent: got.intent === expected.intent,
        specialty: got.specialty === expected.specialty,
        date: got.date === expected.date,
        doctor: got.doctorId === expected.doctor,
        timeOfDay: got.timeOfDay === expected.timeOfDay,
        time: got.time === expected.time,
      };
      for (const key of Object.keys(hits) as (keyof typeof hits)[]) if (right[key]) hits[key] += 1;
      const wrong = (Object.keys(right) as (keyof typeof right)[]).filter((key) => !right[key]);
      if (wrong.length > 0) {
        misses.push(`  ${JSON.stringify(expected.text)}: ${wrong.map((key) => `${key} ${JSON.stringify(key === 'doctor' ? got.doctorId : got[key])} (expected ${JSON.stringify(expected[key])})`).join(', ')}`);
      }
    }
    const percent = (n: number) => Math.round((1000 * n) / utterances.length) / 10;
    const accuracy = Object.fromEntries(Object.entries(hits).map(([key, n]) => [key, percent(n)])) as Record<keyof typeof hits, number>;
    const timing = timeRuleDetector(utterances.map((u) => u.text), context, 3);
    console.log(
      [
        `rule-based detector on ${utterances.length} labelled utterances:`,
        `  intent ${accuracy.intent}%, specialty ${accuracy.specialty}%, date ${accuracy.date}%, doctor ${accuracy.doctor}%, part of day ${accuracy.timeOfDay}%, time ${accuracy.time}%`,
        `  time per utterance: p50 ${timing.p50Ms.toFixed(3)} ms, p99 ${timing.p99Ms.toFixed(3)} ms`,
        `  misses (${misses.length}):`,
        ...misses,
      ].join('\n'),
    );
    expect(accuracy.intent).toBeGreaterThanOrEqual(90);
    expect(accuracy.specialty).toBeGreaterThanOrEqual(85);
    expect(accuracy.date).toBeGreaterThanOrEqual(85);
  });
});
