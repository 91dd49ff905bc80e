/**
 * Benchmark: how fast the service handles patients, measured on this machine.
 *   npm run bench            (BENCH_PATIENTS=200 by default)
 * 1. Engine: whole bookings (11 messages each) through the conversation engine on a SQLite file.
 * 2. HTTP: the same bookings through the web chat API over loopback, many patients at once.
 * 3. Race: 100 concurrent holds on one slot (the capacity lock), time to settle.
 * Prints a Markdown table; the README quotes it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { SlotUnavailableError } from '../src/core/errors.js';
import { createHarness, textOf } from '../test/support/engineHarness.js';
import { seedClinic, walkTo } from '../test/support/clinicFixture.js';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 200);
const CONCURRENCY = 20;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const rows: string[][] = [];

/** Runs `task(i)` for i in [0, count) with at most `limit` at a time. */
async function pool(count: number, limit: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

async function benchEngine(): Promise<void> {
  const h = createHarness({ settings: { slotPageSize: 8 } });
  await seedClinic(h);
  // Enough slots for every patient: one per minute over the next days.
  for (let i = 0; i < PATIENTS; i++) {
    const day = 22 + Math.floor(i / 600);
    const minutes = 8 * 60 + (i % 600);
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    await h.store.upsertSlot({ id: `b${i}`, doctorId: 'GP', date: `2026-11-${day}`, start: time, end: time, capacity: 1, status: 'OPEN', notes: '' });
  }
  const latencies: number[] = [];
  let messages = 0;
  const started = performance.now();
  await pool(PATIENTS, CONCURRENCY, async (i) => {
    const p = h.patient(`bench-${i}`);
    let sent = 0;
    const t0 = performance.now();
    for (const answer of ['hi', '1', 'Asha Rao', '98765 43210', '34', 'female', 'fever', 'meera']) {
      await p.say(answer);
      sent++;
    }
    // Take the first free time; under concurrency another patient may get it first.
    while (!textOf(await p.say('1')).includes('held for you')) sent++;
    await p.say('pay at the clinic');
    sent += 2;
    messages += sent;
    latencies.push((performance.now() - t0) / sent);
  });
  const seconds = (performance.now() - started) / 1000;
  rows.push(['engine: booking messages/s (SQLite file, 20 chats at once)', `${Math.round(messages / seconds)}`]);
  rows.push(['engine: mean time per message of a booking, p50 / p95', `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))}`]);
  await h.close();
}

async function benchHttp(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-'));
  const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { host: '127.0.0.1' });
  const base = app.url.replace('localhost', '127.0.0.1');
  const latencies: number[] = [];
  const answers = [{ text: 'hi' }, { choice: 'book' }, { text: 'Asha Rao' }, { text: '98765 43210' }, { text: '34' }, { choice: 'FEMALE' }, { text: 'fever' }];
  const started = performance.now();
  const patients = Math.min(PATIENTS, 100);
  await pool(patients, CONCURRENCY, async (i) => {
    const session = `bench-session-${String(i).padStart(12, '0')}`;
    for (const body of answers) {
      const t0 = performance.now();
      const response = await fetch(`${base}/api/chat/${session}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await response.json();
      latencies.push(performance.now() - t0);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  rows.push(['web chat API: requests/s (loopback, 20 clients)', `${Math.round(latencies.length / seconds)}`]);
  rows.push(['web chat API: POST latency p50 / p95', `${ms(percentile(latencies, 50))} / ${ms(percentile(latencies, 95))}`]);
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
}

async function benchRace(): Promise<void> {
  const h = createHarness();
  await seedClinic(h);
  const p = h.patient('template');
  await walkTo(p, 'AWAITING_PURPOSE');
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: 100 }, (_, i) =>
      h.store.holdSlot(
        {
          conversation: { channel: 'web', chatId: `racer-${i}` },
          patient: { name: 'Racer', phone: '+919876543210', age: 30, gender: 'OTHER' },
          purpose: 'race',
          slotId: 's1100',
          holdExpiresAt: new Date(h.clock.now().getTime() + 20 * 60_000),
        },
        h.clock.now(),
      ),
    ),
  );
  const elapsed = performance.now() - t0;
  const won = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof SlotUnavailableError).length;
  rows.push([`race: 100 holds on one slot (${won} won, ${refused} refused)`, ms(elapsed)]);
  await h.close();
}

await benchEngine();
await benchHttp();
await benchRace();
console.log(`\nclinic booking bot benchmark: ${PATIENTS} patients, node ${process.version}, ${os.cpus().length} cores\n`);
console.log('| measure | result |\n| --- | --- |');
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
