/**
 * Razorpay webhooks under load: N signed deliveries (a third of them duplicates: redeliveries of the
 * same event, some re-serialised) at 50 concurrent, on the real service with the real razorpay SDK
 * pointed at the loopback emulator. Measures the time to answer (p50/p99), checks that confirmations
 * equal the distinct paid links, and how long telling every patient (confirmation and invoice PDFs)
 * takes after the webhooks were answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { deliver, RazorpayEmulator, signedDelivery, type SignedDelivery } from '../../test/support/razorpayEmulator.js';
import { percentile, pool, round, since, type BenchOptions, type Figure } from './common.js';

const CONCURRENCY = 50;
const WEBHOOK_SECRET = 'bench-webhook-secret';

export async function paymentWebhooks(options: BenchOptions): Promise<Figure[]> {
  const deliveries = options.quick ? 100 : 1000;
  const distinct = Math.round((deliveries * 2) / 3);
  const scenario = `${deliveries} Razorpay webhook deliveries (${deliveries - distinct} duplicates) at ${CONCURRENCY} concurrent, SQLite`;
  const razorpay = new RazorpayEmulator();
  await razorpay.start();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'clinic-bench-pay-'));
  const app = await startApp(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      // Every delivery comes from 127.0.0.1 here: measure the webhook, not the per-address limit.
      RATE_LIMIT_PER_MINUTE: '0',
      RAZORPAY_KEY_ID: razorpay.keyId,
      RAZORPAY_KEY_SECRET: razorpay.keySecret,
      RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RAZORPAY_API_URL: razorpay.url,
    }),
    { host: '127.0.0.1' },
  );
  try {
    const base = app.url.replace('localhost', '127.0.0.1');
    const { store, clock, outbox } = app.context;
    const [doctor] = await store.listDoctors();
    if (!doctor) throw new Error('no doctor to book');

    // One held appointment with an open link per distinct payment.
    const events: SignedDelivery[][] = [];
    const auth = `Basic ${Buffer.from(`${razorpay.keyId}:${razorpay.keySecret}`).toString('base64')}`;
    for (let i = 0; i < distinct; i += 1) {
      const date = new Date(clock.now().getTime() + (2 + Math.floor(i / 40)) * 86_400_000).toISOString().slice(0, 10);
      const minutes = 8 * 60 + (i % 40) * 15;
      const start = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      const slotId = `bench-pay-${i}`;
      await store.upsertSlot({ id: slotId, doctorId: doctor.id, date, start, end: start, capacity: 1, status: 'OPEN', notes: '' });
      const held = await store.holdSlot(
        { conversation: { channel: 'web', chatId: `bench-pay-${String(i).padStart(14, '0')}` }, patient: { name: 'Bench Patient', phone: '+919876543210', age: 30, gender: 'OTHER' }, purpose: 'bench', slotId, holdExpiresAt: new Date(clock.now().getTime() + 30 * 60_000) },
        clock.now(),
      );
      const created = await fetch(`${razorpay.url}/v1/payment_links`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: Math.round(held.fee * 100), currency: 'INR', reference_id: held.id, notes: { appointment_id: held.id }, customer: { name: 'Bench Patient', contact: '+919876543210' } }),
      });
      const link = (await created.json()) as { id: string; short_url: string };
      await store.updateAppointment(held.id, { paymentMode: 'ONLINE', paymentStatus: 'PENDING', paymentLink: link.short_url }, clock.now());
      const paid = razorpay.pay(link.id);
      const first = signedDelivery(paid, WEBHOOK_SECRET);
      events.push([first]);
    }
    // Duplicates: redeliveries of earlier events, half byte-identical, half re-serialised.
    const queue: SignedDelivery[] = events.map(([first]) => first!);
    for (let i = 0; queue.length < deliveries; i += 1) {
      const original = events[i % distinct]![0]!;
      const eventId = original.headers['x-razorpay-event-id']!;
      queue.push(i % 2 === 0 ? original : signedDelivery(JSON.parse(original.body), WEBHOOK_SECRET, { eventId, indent: 2 }));
    }
    // Deterministic shuffle, so duplicates arrive interleaved with (and sometimes before) originals.
    for (let i = queue.length - 1; i > 0; i -= 1) {
      const j = (i * 7919) % (i + 1);
      [queue[i], queue[j]] = [queue[j]!, queue[i]!];
    }

    let told = 0;
    const allTold = new Promise<void>((resolve) => {
      const stop = outbox.onPush(() => {
        told += 1;
        if (told >= distinct) {
          stop();
          resolve();
        }
      });
    });
    const latencies: number[] = [];
    let refused = 0;
    const started = performance.now();
    await pool(queue.length, CONCURRENCY, async (i) => {
      const t0 = performance.now();
      const response = await deliver(base, queue[i]!);
      await response.arrayBuffer();
      latencies.push(since(t0));
      if (response.status !== 200) refused += 1;
    });
    const answered = since(started);
    const tellTimeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`only ${told} of ${distinct} patients told within 10 minutes`)), 600_000).unref(),
    );
    await Promise.race([allTold, tellTimeout]);
    const toldAll = since(started);
    const confirmed = (await store.listAppointments({ statuses: ['CONFIRMED'] })).filter((a) => a.paymentStatus === 'PAID').length;
    if (confirmed !== distinct) throw new Error(`${confirmed} confirmations for ${distinct} paid links`);

    return [
      { scenario, measure: 'webhook answer p50', value: round(percentile(latencies, 50)), unit: 'ms' },
      { scenario, measure: 'webhook answer p99', value: round(percentile(latencies, 99)), unit: 'ms' },
      { scenario, measure: 'deliveries answered per second', value: round((queue.length / answered) * 1000, 0), unit: '/s' },
      { scenario, measure: 'deliveries not answered 200', value: refused, unit: 'deliveries' },
      { scenario, measure: `confirmations (distinct paid links: ${distinct})`, value: confirmed, unit: 'appointments' },
      { scenario, measure: 'all patients told (confirmation + 2 PDFs each), from first delivery', value: round(toldAll / 1000, 1), unit: 's' },
    ];
  } finally {
    await app.close();
    await razorpay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
