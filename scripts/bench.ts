/**
 * Benchmark: how fast and how lean the service is on this machine.
 *   npm run bench              the full sizes (a few minutes)
 *   npm run bench -- --quick   a tenth of the size, under a minute (CI runs it so it cannot rot)
 * Prints a Markdown table and writes the same figures, with the machine, Node version and date, to
 * bench/results/<date>-<full|quick>.json. Every figure names the scenario that produced it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchOptions, Figure } from './bench/common.js';
import { engineAndRace } from './bench/engine.js';
import { intent } from './bench/intent.js';
import { paymentWebhooks } from './bench/paymentWebhooks.js';
import { sheets } from './bench/sheets.js';
import { startup } from './bench/startup.js';
import { telegram } from './bench/telegram.js';
import { webChatLoad } from './bench/webChatLoad.js';

const options: BenchOptions = { quick: process.argv.includes('--quick') };

/** Scenarios in the order they run; each is independent and cleans up after itself. */
const SCENARIOS: { name: string; run: (options: BenchOptions) => Promise<Figure[]> }[] = [
  { name: 'web chat under load', run: webChatLoad },
  { name: 'web chat under load on the Google Sheets store', run: sheets },
  { name: 'engine and slot race', run: engineAndRace },
  { name: 'telegram against a bare bot', run: telegram },
  { name: 'payment webhooks', run: paymentWebhooks },
  { name: 'intent detection', run: intent },
  { name: 'start-up and memory', run: startup },
];

const figures: Figure[] = [];
const failures: string[] = [];
for (const scenario of SCENARIOS) {
  process.stderr.write(`bench: ${scenario.name}…\n`);
  try {
    const produced = await scenario.run(options);
    figures.push(...produced);
    // Shown as they come, so a long run's earlier figures are seen even if a later scenario fails.
    for (const f of produced) process.stderr.write(`  ${f.measure}: ${f.value} ${f.unit}\n`);
  } catch (error) {
    failures.push(`${scenario.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const machine = { cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
const date = new Date().toISOString();
const mode = options.quick ? 'quick' : 'full';
const outDir = path.resolve('bench', 'results');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `${date.slice(0, 10)}-${mode}.json`);
writeFileSync(file, `${JSON.stringify({ date, mode, command: `npm run bench${options.quick ? ' -- --quick' : ''}`, machine, figures, failures }, null, 2)}\n`);

console.log(`\nclinic booking bot benchmark (${mode}): ${machine.cores} cores, ${machine.cpu}, Node ${machine.node}, ${date}\n`);
console.log('| scenario | measure | result |\n| --- | --- | --- |');
for (const f of figures) console.log(`| ${f.scenario} | ${f.measure} | ${f.value} ${f.unit} |`);
console.log(`\nWritten to ${path.relative(process.cwd(), file)}`);
if (failures.length > 0) {
  console.error(`\n${failures.length} scenario(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
