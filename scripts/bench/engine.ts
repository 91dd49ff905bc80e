/**
 * The conversation engine alone (no HTTP) on a SQLite file, and the capacity lock under a race of
 * holds for one slot.
 */
import { performance } from 'node:perf_hooks';
import { SlotUnavailableError } from '../../src/core/errors.js';
import { seedClinic, walkTo } from '../../test/support/clinicFixture.js';
import { createHarness, textOf } from '../../test/support/engineHarness.js';
import { percentile, pool, round, since, type BenchOptions, type Figure } from './common.js';

const CONCURRENCY = 20;

async function engine(patients: number): Promise<Figure[]> {
  const h = createHarness({ settings: { slotPageSize: 8 } });
  await seedClinic(h);
  // A free place for every patient: one slot a minute over the next days.
  for (let i = 0; i < patients; i++) {
    const day = 22 + Math.floor(i / 600);
    const minutes = 8 * 60 + (i % 600);
    const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    await h.store.upsertSlot({ id: `b${i}`, doctorId: 'GP', date: `2026-11-${day}`, start: time, end: time, capacity: 1, status: 'OPEN', notes: '' });
  }
  const perMessage: number[] = [];
  let messages = 0;
  const started = performance.now();
  await pool(patients, CONCURRENCY, async (i) => {
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
    perMessage.push(since(t0) / sent);
  });
  const seconds = since(started) / 1000;
  await h.close();
  const scenario = `${patients} bookings through the engine, ${CONCURRENCY} chats at once, SQLite file`;
  return [
    { scenario, measure: 'messages per second', value: round(messages / seconds, 0), unit: 'messages/s' },
    { scenario, measure: 'mean time per message of a booking, p50', value: round(percentile(perMessage, 50)), unit: 'ms' },
    { scenario, measure: 'mean time per message of a booking, p95', value: round(percentile(perMessage, 95)), unit: 'ms' },
  ];
}

async function race(): Promise<Figure[]> {
  const h = createHarness();
  await seedClinic(h);
  await walkTo(h.patient('template'), 'AWAITING_PURPOSE');
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
  const elapsed = since(t0);
  const won = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof SlotUnavailableError).length;
  await h.close();
  const scenario = '100 concurrent holds on one single-place slot, SQLite';
  return [
    { scenario, measure: 'time to settle', value: round(elapsed), unit: 'ms' },
    { scenario, measure: 'holds won', value: won, unit: 'holds (must be 1)' },
    { scenario, measure: 'holds refused', value: refused, unit: 'holds' },
  ];
}

export async function engineAndRace(options: BenchOptions): Promise<Figure[]> {
  return [...(await engine(options.quick ? 20 : 200)), ...(await race())];
}
