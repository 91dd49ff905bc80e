/**
 * The hostile-input corpus (test/fixtures/hostile-inputs.ts) through Telegram as patients reach it:
 * the real app with the Telegram channel on (real telegraf, long polling) against the loopback Bot API
 * emulator. Replies are judged as Telegram shows them (the bot's own sendMessage/sendDocument calls,
 * which Telegram must have accepted). Same judgement as badInput.http.test.ts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CORPUS_STEPS, HOSTILE_INPUTS } from '../fixtures/hostile-inputs.js';
import type { ChannelDriver } from './support/channelDriver.js';
import { appliesTo, driveCorpus } from './support/corpusRunner.js';
import { createTelegramDriver } from './support/telegramDriver.js';

const CONCURRENCY = 4;
let driver: ChannelDriver | undefined;

afterAll(async () => {
  await driver?.close();
});

describe('the hostile-input corpus through Telegram', () => {
  it('gets a clear answer and leaves nothing half-written: Telegram over the Bot API emulator', async () => {
    driver = await createTelegramDriver();
    const run = await driveCorpus(driver, HOSTILE_INPUTS, CONCURRENCY);
    console.info(`${driver.name}: ${run.entries.size} corpus entries, ${run.delivered} inputs delivered`);
    const applicable = HOSTILE_INPUTS.filter((entry) => CORPUS_STEPS.some((step) => appliesTo(entry, driver!, step)));
    expect(run.entries.size).toBe(applicable.length);
    expect(run.delivered).toBeGreaterThan(applicable.length * 2);
    expect(run.findings.map((f) => `${f.driver} | ${f.entry} @ ${f.step}: ${f.problem}`).join('\n')).toBe('');
  }, 90_000);
});
