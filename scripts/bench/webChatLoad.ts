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

interface ApiMessage {
  kind: string;
  text: string;
  options?: { id: string; label: string }[];
}

/** 0 -> "A", 27 -> "BB": names may hold letters only. */
export function lettersOf(n: number): string {
  let name = '';
  for (let rest = n; ; rest = Math.floor(rest / 26) - 1) {
    name = String.fromCharCode(65 + (rest % 26)) + name;
    if (rest < 26) return name;
  }
}

/** Gives every listed slot enough places that N patients fit on the first page of each doctor. */
async function makeRoom(app: Awaited<ReturnType<typeof startApp>>, patients: number): Promise<void> {
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

  const latencies: number[] = [];
  let completed = 0;
  let failures = 0;
  const post = async (session: string, body: object): Promise<ApiMessage[]> => {
    const t0 = performance.now();
    const response = await fetch(`${base}/api/chat/${session}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { messages?: ApiMessage[] };
    latencies.push(since(t0));
    if (!response.ok || !json.messages) throw new Error(`HTTP ${response.status}`);
    return json.messages;
  };

  const started = performance.now();
  const { peakMiB } = await peakRss(() =>
    Promise.all(
      Array.from({ length: patients }, async (_, i) => {
        const session = `bench-${String(i).padStart(18, '0')}`;
        try {
          for (const text of ['hi', 'Book an appointment', `Patient ${lettersOf(i)}`, `98765 ${String(10000 + i).slice(-5)}`, '34', 'Female', 'fever']) {
            await post(session, { text });
          }
          let menu = (await post(session, { text: String((i % 3) + 1) })).find((m) => m.kind === 'menu');
          // Pick a time at random; if someone else took the last place meanwhile, the menu comes back.
          for (let attempt = 0; attempt < 10 && menu; attempt++) {
            const times = (menu.options ?? []).filter((o) => /\d{1,2}:\d{2}/.test(o.label));
            const pick = times[Math.floor(Math.random() * times.length)];
            if (!pick) break;
            const replies = await post(session, { choice: pick.id });
            if (replies.some((m) => /how would you like to pay/i.test(m.text))) {
              const confirmation = await post(session, { text: 'Pay at the clinic' });
              if (confirmation.some((m) => /Appointment confirmed/.test(m.text))) completed += 1;
              return;
            }
            menu = replies.find((m) => m.kind === 'menu');
          }
          failures += 1;
        } catch {
          failures += 1;
        }
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
    { scenario, measure: 'turns per second', value: round(latencies.length / seconds, 0), unit: 'turns/s' },
    { scenario, measure: 'turn latency p50', value: round(percentile(latencies, 50)), unit: 'ms' },
    { scenario, measure: 'turn latency p95', value: round(percentile(latencies, 95)), unit: 'ms' },
    { scenario, measure: 'turn latency p99', value: round(percentile(latencies, 99)), unit: 'ms' },
    { scenario, measure: 'bookings completed', value: completed, unit: `of ${patients}` },
    { scenario, measure: 'patients who could not book', value: failures, unit: 'patients' },
    { scenario, measure: 'double bookings (over capacity or twice per patient)', value: overbooked.n + doubles.n, unit: 'bookings' },
    { scenario, measure: 'peak RSS of the service (in-process)', value: round(peakMiB, 0), unit: 'MiB' },
  ];
}
