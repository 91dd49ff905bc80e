/**
 * Forged and replayed Razorpay webhooks against the real app: a patient books online through the web
 * chat (the real Razorpay SDK against the loopback emulator), then the webhook endpoint is fed forged
 * deliveries (wrong secret, no signature, bytes changed after signing, another patient's link) and the
 * genuine one many times. Forgeries change nothing; the genuine event takes effect exactly once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import path from 'node:path';
import { RazorpayEmulator, deliver, signedDelivery, type RazorpayEvent, type SignedDelivery } from '../support/razorpayEmulator.js';
import { history, newSessionId, say, startTestApp, TestClock, START_TIME, type TestApp } from '../http/helpers.js';
import { openClinicDatabase, SqliteOutbox } from '../../src/store/sqlite/index.js';
import { worldProblems } from './support/invariants.js';

const WEBHOOK_SECRET = 'whsec_reliability_suite';

let razorpay: RazorpayEmulator;
let t: TestApp;

beforeEach(async () => {
  const clock = new TestClock(START_TIME);
  razorpay = new RazorpayEmulator({ now: clock.now });
  await razorpay.start();
  t = await startTestApp(
    {
      RAZORPAY_KEY_ID: razorpay.keyId,
      RAZORPAY_KEY_SECRET: razorpay.keySecret,
      RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RAZORPAY_API_URL: razorpay.url,
      RATE_LIMIT_PER_MINUTE: '0',
    },
    clock,
  );
});

afterEach(async () => {
  await t.dispose();
  await razorpay.stop();
});

/** Books online by chatting and returns the held appointment's id and its payment link's id. */
async function bookOnline(sessionId: string, name: string): Promise<{ appointmentId: string; linkId: string }> {
  for (const text of ['hi', 'book', name, '98765 43210', '34', 'Female', 'fever for 3 days', '1', '1']) await say(t.base, sessionId, { text });
  const replies = await say(t.base, sessionId, { text: 'Pay online now' });
  expect(replies.some((m) => m.kind === 'link')).toBe(true);
  const [held] = await t.app.context.store.listAppointments({ conversation: { channel: 'web', chatId: sessionId } });
  expect(held?.status).toBe('HELD');
  return { appointmentId: held!.id, linkId: razorpay.linkFor(held!.id).id };
}

function withBody(delivery: SignedDelivery, body: string): SignedDelivery {
  return { body, headers: { ...delivery.headers } };
}

function withHeader(delivery: SignedDelivery, name: string, value: string | undefined): SignedDelivery {
  const headers = { ...delivery.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { body: delivery.body, headers };
}

function hmac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

describe('Razorpay webhooks', () => {
  it('refuse forged deliveries and apply a replayed genuine one exactly once', async () => {
    const asha = newSessionId();
    const ravi = newSessionId();
    const mine = await bookOnline(asha, 'Asha Rao');
    const theirs = await bookOnline(ravi, 'Ravi Kumar');
    const paid: RazorpayEvent = razorpay.pay(mine.linkId);
    const genuine = signedDelivery(paid, WEBHOOK_SECRET, { eventId: 'evt_reliability_1' });
    const before = (await history(t.base, asha)).length;

    // The paid event moved onto the other patient's link, keeping the original signature.
    const moved = genuine.body.split(mine.linkId).join(theirs.linkId).split(mine.appointmentId).join(theirs.appointmentId);
    const halfPrice = JSON.stringify({ ...paid, payload: JSON.parse(JSON.stringify(paid.payload).replace(/"amount":(\d+)/g, (_m, a: string) => `"amount":${Math.floor(Number(a) / 2)}`)) });
    const forged: [string, SignedDelivery][] = [
      ['signed with another secret', signedDelivery(paid, 'whsec_guessed')],
      ['signed with the API key secret', signedDelivery(paid, razorpay.keySecret)],
      ['no signature', withHeader(genuine, 'x-razorpay-signature', undefined)],
      ['an empty signature', withHeader(genuine, 'x-razorpay-signature', '')],
      ['a truncated signature', withHeader(genuine, 'x-razorpay-signature', genuine.headers['x-razorpay-signature']!.slice(0, 32))],
      ['a signature in base64 instead of hex', withHeader(genuine, 'x-razorpay-signature', createHmac('sha256', WEBHOOK_SECRET).update(genuine.body).digest('base64'))],
      ['another patient\'s link under the original signature', withBody(genuine, moved)],
      ['half the amount under the original signature', withBody(genuine, halfPrice)],
      ['the body with a trailing space', withBody(genuine, `${genuine.body} `)],
      ['an empty body', withBody(genuine, '')],
    ];
    for (const [what, delivery] of forged) {
      const response = await deliver(t.base, delivery);
      expect(response.status, what).toBeGreaterThanOrEqual(400);
      expect(response.status, what).toBeLessThan(500);
      const body = (await response.json()) as { error?: { code: string; message: string } };
      expect(body.error?.code, what).toMatch(/^[A-Z_]+$/);
    }
    // Correctly signed but not an event: refused as such, nothing applied.
    for (const body of ['{', '[]', '{"event":"payment_link.paid","payload":{}}']) {
      const response = await fetch(`${t.base}/webhooks/razorpay`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-razorpay-signature': hmac(body, WEBHOOK_SECRET), 'x-razorpay-event-id': 'evt_bad' },
        body,
      });
      expect([200, 400], body).toContain(response.status);
    }
    // Far larger than any Razorpay payload.
    const huge = `{"pad":"${'x'.repeat(400_000)}"}`;
    const tooLarge = await fetch(`${t.base}/webhooks/razorpay`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-razorpay-signature': hmac(huge, WEBHOOK_SECRET) }, body: huge });
    expect(tooLarge.status).toBe(413);

    const { store } = t.app.context;
    expect((await store.getAppointment(mine.appointmentId))?.status).toBe('HELD');
    expect((await store.getAppointment(theirs.appointmentId))?.status).toBe('HELD');
    expect((await history(t.base, asha)).length).toBe(before);

    // The genuine event, delivered eight times at once and re-serialised under new event ids.
    const announced = new Promise<void>((resolve) => {
      const stop = t.app.context.outbox.onPush((channel) => {
        if (channel !== 'web') return;
        stop();
        resolve();
      });
    });
    const statuses = await Promise.all([
      ...Array.from({ length: 6 }, () => deliver(t.base, genuine).then((r) => r.status)),
      deliver(t.base, signedDelivery(paid, WEBHOOK_SECRET, { indent: 2 })).then((r) => r.status),
      deliver(t.base, signedDelivery(paid, WEBHOOK_SECRET, { indent: 4 })).then((r) => r.status),
    ]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    await announced;
    const confirmed = await store.getAppointment(mine.appointmentId);
    expect(confirmed).toMatchObject({ status: 'CONFIRMED', paymentMode: 'ONLINE', paymentStatus: 'PAID' });
    expect(confirmed!.invoiceNo).toMatch(/^INV-/);
    expect((await store.getAppointment(theirs.appointmentId))?.status).toBe('HELD');
    // And once more, later.
    expect((await deliver(t.base, genuine)).status).toBe(200);

    expect(await worldProblems({ store, reportsDir: path.join(t.dataDir, 'reports'), maxUploadBytes: t.app.context.config.maxUploadBytes, now: () => t.clock.now() })).toEqual([]);
    expect((await fetch(`${t.base}/health`)).status).toBe(200);

    // Closing waits for announcements in progress; then the stored chat shows each push exactly once.
    await t.app.close();
    const db = openClinicDatabase(path.join(t.dataDir, 'clinic.db'));
    try {
      const entries = await new SqliteOutbox(db).listAfter({ channel: 'web', chatId: asha }, 0, 1000);
      const pushes = entries.filter((e) => e.author === 'bot' && e.inReplyTo === null).map((e) => (e.message.kind === 'document' ? `document:${e.message.fileName}` : `${e.message.kind}:${e.message.text}`));
      expect(pushes).toHaveLength(3);
      expect(pushes[0]).toMatch(/^text:Payment received/);
      expect(pushes.slice(1)).toEqual([`document:confirmation-${mine.appointmentId}.pdf`, `document:invoice-${confirmed!.invoiceNo}.pdf`]);
      expect(entries.filter((e) => e.author === 'bot').length).toBe(before + 3);
      const theirPushes = (await new SqliteOutbox(db).listAfter({ channel: 'web', chatId: ravi }, 0, 1000)).filter((e) => e.inReplyTo === null);
      expect(theirPushes).toEqual([]);
    } finally {
      db.close();
    }
  });
});
