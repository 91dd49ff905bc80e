/**
 * Start-up to ready (the process, as `npm start` runs it but from the sources), and the memory the
 * service holds with many conversations open at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { collectGarbage, pool, round, since, type BenchOptions, type Figure } from './common.js';
import { lettersOf } from './webChatPatient.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Milliseconds from spawning the process to its "ready" line, on a fresh data directory. */
async function timeToReady(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Clinic booking service ready/.test(output)) resolve(since(started));
      });
      child.once('exit', (code) => reject(new Error(`service exited with ${code}: ${output}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
}

export async function startup(options: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const coldDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-start-'));
  const cold = await timeToReady(coldDir);
  const warm = await timeToReady(coldDir);
  rmSync(coldDir, { recursive: true, force: true });
  const scenario = 'node --import tsx src/index.ts, SQLite, no accounts';
  figures.push({ scenario: `${scenario}, fresh data dir (creates and seeds the database)`, measure: 'start-up to ready', value: round(cold, 0), unit: 'ms' });
  figures.push({ scenario: `${scenario}, existing data dir`, measure: 'start-up to ready', value: round(warm, 0), unit: 'ms' });

  const conversations = options.quick ? 100 : 1000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-rss-'));
  const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0' }), { host: '127.0.0.1' });
  const base = app.url.replace('localhost', '127.0.0.1');
  // Earlier scenarios leave garbage behind; collected first, it cannot be freed during the measurement.
  // (RSS growth is not reported: the allocator returns their memory to the system meanwhile.)
  collectGarbage();
  const before = process.memoryUsage();
  await pool(conversations, 50, async (i) => {
    const session = `rss-${String(i).padStart(20, '0')}`;
    for (const text of ['hi', 'Book an appointment', `Patient ${lettersOf(i)}`]) {
      const response = await fetch(`${base}/api/chat/${session}/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
      await response.arrayBuffer();
    }
  });
  collectGarbage();
  const after = process.memoryUsage();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  const rssScenario = `${conversations} conversations left mid-booking, in-process service`;
  const mib = (bytes: number) => bytes / 1024 / 1024;
  figures.push({ scenario: rssScenario, measure: 'RSS with the conversations active', value: round(mib(after.rss), 0), unit: 'MiB' });
  figures.push({ scenario: rssScenario, measure: 'JavaScript heap kept for the conversations (after a full GC)', value: round(mib(after.heapUsed - before.heapUsed), 1), unit: 'MiB' });
  return figures;
}
