/**
 * N patients booking at once through the web chat API over loopback, on the real service with its
 * SQLite store: turns per second, latency of one turn, bookings completed, double bookings, peak RSS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { peakRss, percentile, round, since, type BenchOptions, type Figure } from './common.js';
import { PageLikeClient } from './webChatPatient.js';

/** Gives every listed slot enough places that N patients fit on the first page of each doctor. */
export async function makeRoom(app: Pick<Awaited<ReturnType<typeof startApp>>, 'context'>, patients: number): Promise<void> {
  const { store, clock } = app.context;
  const doctors = await store.listDoctors();
  const today = clock.now().toISOString().slice(0, 10);
  const far = new Date(clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
  const perSlot = Math.ceil(patients / (doctors.length * 6)) + 1;
  for (const usage of await store.listSlotUsage({ fromDate: today, toDate: far, now: clock.now() })) {
    await store.upsertSlot({ ...usage.slot, capacity: perSlot });
  }
}

export async function webChatLoad(options: BenchOptions): Promise<Figure[]> {
  const patients = options.quick ? 100 : 1000;
  const scenario = `${patients} patients booking at once, web chat API over loopback, SQLite`;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-web-'));
  const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT_PER_MINUTE: '0' }), { host: '127.0.0.1' });
  const base = app.url.replace('localhost', '127.0.0.1');
  await makeRoom(app, patients);

  const client = new PageLikeClient(base);
  let completed = 0;
  let failures = 0;
  const started = performance.now();
  const { peakMiB } = await peakRss(() =>
    Promise.all(
      Array.from({ length: patients }, async (_, i) => {
        const booked = await client.book(`bench-${String(i).padStart(18, '0')}`, i, 3).catch(() => false);
        if (booked) completed += 1;
        else failures += 1;
      }),
    ),
  );
  const seconds = since(started) / 1000;

  const overbooked = app.context.db
    .prepare(
      `SELECT COUNT(*) AS n FROM slots s WHERE s.capacity < (SELECT COUNT(*) FROM appointments a WHERE a.slot_id = s.id AND a.status = 'CONFIRMED')`,
    )
    .get() as { n: number };
  const doubles = app.context.db
    .prepare(`SELECT COUNT(*) AS n FROM (SELECT chat_id FROM appointments WHERE status = 'CONFIRMED' GROUP BY chat_id HAVING COUNT(*) > 1)`)
    .get() as { n: number };
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });

  return [
    { scenario, measure: 'turns per second', value: round(client.latencies.length / seconds, 0), unit: 'turns/s' },
    { scenario, measure: 'turn latency p50', value: round(percentile(client.latencies, 50)), unit: 'ms' },
    { scenario, measure: 'turn latency p95', value: round(percentile(client.latencies, 95)), unit: 'ms' },
    { scenario, measure: 'turn latency p99', value: round(percentile(client.latencies, 99)), unit: 'ms' },
    { scenario, measure: 'turn latency in a conversation under way p50', value: round(percentile(client.followingLatencies, 50)), unit: 'ms' },
    { scenario, measure: 'turn latency in a conversation under way p99', value: round(percentile(client.followingLatencies, 99)), unit: 'ms' },
    { scenario, measure: 'first message of a conversation p50 (queued for capacity in the burst)', value: round(percentile(client.openingLatencies, 50)), unit: 'ms' },
    { scenario, measure: 'bookings completed', value: completed, unit: `of ${patients}` },
    { scenario, measure: 'patients who could not book', value: failures, unit: 'patients' },
    { scenario, measure: 'messages the client had to resend (as the page does)', value: client.resends, unit: 'messages' },
    { scenario, measure: 'double bookings (over capacity or twice per patient)', value: overbooked.n + doubles.n, unit: 'bookings' },
    { scenario, measure: 'peak RSS of the service (in-process)', value: round(peakMiB, 0), unit: 'MiB' },
  ];
}
