/**
 * The hostile-input corpus (test/fixtures/hostile-inputs.ts) through the conversation engine as the
 * web, Telegram and WhatsApp adapters call it (WhatsApp with the sender's phone, contact cards and
 * announced file sizes where those platforms have them). Same judgement as badInput.http.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/core/messages.js';
import { CORPUS_STEPS, HOSTILE_INPUTS } from '../fixtures/hostile-inputs.js';
import type { ChannelDriver } from './support/channelDriver.js';
import { appliesTo, driveCorpus } from './support/corpusRunner.js';
import { createEngineDriver } from './support/engineDriver.js';
import { createHarness } from '../support/engineHarness.js';
import { seedClinic, walkTo } from '../support/clinicFixture.js';

const CONCURRENCY = 4;
const drivers: ChannelDriver[] = [];

afterAll(async () => {
  for (const driver of drivers) await driver.close();
});

describe('the hostile-input corpus through the engine', () => {
  it.each<Channel>(['web', 'telegram', 'whatsapp'])('gets a clear answer and leaves nothing half-written: %s', async (channel) => {
    const driver = await createEngineDriver(channel);
    drivers.push(driver);
    const run = await driveCorpus(driver, HOSTILE_INPUTS, CONCURRENCY);
    console.info(`${driver.name}: ${run.entries.size} corpus entries, ${run.delivered} inputs delivered`);
    const applicable = HOSTILE_INPUTS.filter((entry) => CORPUS_STEPS.some((step) => appliesTo(entry, driver, step)));
    expect(run.entries.size).toBe(applicable.length);
    expect(run.delivered).toBeGreaterThan(applicable.length * 2);
    expect(run.findings.map((f) => `${f.driver} | ${f.entry} @ ${f.step}: ${f.problem}`).join('\n')).toBe('');
  }, 60_000);

  it('stores a typed number that merely looks like the WhatsApp number as typed, and refuses number-like junk', async () => {
    const h = createHarness();
    try {
      await seedClinic(h);
      const cases: [string, string | undefined][] = [
        ['98110 76985', '+919811076985'],
        ['9811', undefined],
        ['1e10', undefined],
        ['yes', '+919811076984'],
      ];
      for (const [typed, stored] of cases) {
        const p = h.patient(`919811076984-${typed}@c.us`, { channel: 'whatsapp', phone: '+919811076984' });
        await walkTo(p, 'AWAITING_PHONE');
        await p.say(typed);
        const session = await h.sessions.load(p.ref);
        expect(session?.draft.phone, typed).toBe(stored);
        expect(session?.state, typed).toBe(stored ? 'AWAITING_AGE' : 'AWAITING_PHONE');
      }
    } finally {
      await h.close();
    }
  });
});
