/**
 * The hostile-input corpus (test/fixtures/hostile-inputs.ts) through the web chat over HTTP: the real
 * app on loopback. Each input, at each step it applies to, must get a clear reply or a clear 4xx error
 * (the expected one where the corpus names it), leave the conversation in a valid state (unchanged
 * where the corpus says it must be refused), and leave no half-written data; the service must be
 * healthy after each batch. badInput.engine.test.ts runs the same corpus through the engine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_STEPS, corpusCategories, HOSTILE_INPUTS } from '../fixtures/hostile-inputs.js';
import type { ChannelDriver } from './support/channelDriver.js';
import { appliesTo, driveCorpus, type Finding } from './support/corpusRunner.js';
import { createWebHttpDriver } from './support/webHttpDriver.js';

const CONCURRENCY = 6;
const drivers: ChannelDriver[] = [];

afterAll(async () => {
  for (const driver of drivers) await driver.close();
});

function describeFindings(findings: Finding[]): string {
  return findings.map((f) => `${f.driver} | ${f.entry} @ ${f.step}: ${f.problem}`).join('\n');
}

describe('the hostile-input corpus', () => {
  it('has at least 150 entries, unique ids, and each says what it is and where it applies', () => {
    expect(HOSTILE_INPUTS.length).toBeGreaterThanOrEqual(150);
    expect(new Set(HOSTILE_INPUTS.map((e) => e.id)).size).toBe(HOSTILE_INPUTS.length);
    for (const entry of HOSTILE_INPUTS) {
      expect(entry.what.length, entry.id).toBeGreaterThan(3);
      expect(entry.channels.length, entry.id).toBeGreaterThan(0);
      expect(entry.steps.length, entry.id).toBeGreaterThan(0);
      for (const step of [...(entry.refusedAt ?? []), ...(entry.acceptedAt ?? [])]) expect(entry.steps, entry.id).toContain(step);
    }
    expect(Object.keys(corpusCategories()).length).toBeGreaterThanOrEqual(20);
  });

  it('never lets the web page render server text as HTML', () => {
    // The page is the other half of "no raw input echoed as HTML": text only ever goes through textContent.
    const publicDir = path.resolve(import.meta.dirname, '../../public');
    for (const file of readdirSync(publicDir).filter((f) => f.endsWith('.js'))) {
      const source = readFileSync(path.join(publicDir, file), 'utf8');
      expect(source, file).not.toMatch(/\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML|document\.write/);
    }
  });

  it('gets a clear answer and leaves nothing half-written: web over HTTP', async () => {
    const driver = await createWebHttpDriver();
    drivers.push(driver);
    const run = await driveCorpus(driver, HOSTILE_INPUTS, CONCURRENCY);
    console.info(`${driver.name}: ${run.entries.size} corpus entries, ${run.delivered} inputs delivered`);
    const applicable = HOSTILE_INPUTS.filter((entry) => CORPUS_STEPS.some((step) => appliesTo(entry, driver, step)));
    expect(run.entries.size).toBe(applicable.length);
    expect(run.delivered).toBeGreaterThan(applicable.length * 2);
    expect(describeFindings(run.findings)).toBe('');
  }, 90_000);
});
