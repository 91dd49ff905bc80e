/**
 * Online payment end to end on web chat: the real app over HTTP, the real razorpay SDK talking to the
 * loopback Razorpay emulator, and signed webhook deliveries like Razorpay's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { history, newSessionId, say, startTestApp, TestClock, START_TIME, type ChatMessage, type TestApp } from '../../http/helpers.js';
import { deliver, RazorpayEmulator, signedDelivery } from '../../support/razorpayEmulator.js';

const WEBHOOK_SECRET = 'whsec_test_web';

let clock: TestClock;
let razorpay: RazorpayEmulator;
let t: TestApp;

beforeEach(async () => {
  clock = new TestClock(START_TIME);
  razorpay = new RazorpayEmulator({ now: clock.now });
  await razorpay.start();
  t = await startTestApp(
    {
      RAZORPAY_KEY_ID: razorpay.keyId,
      RAZORPAY_KEY_SECRET: razorpay.keySecret,
      RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RAZORPAY_API_URL: razorpay.url,
      HOLD_MINUTES: '10',
    },
    clock,
  );
});

afterEach(async () => {
  await t?.dispose();
  await razorpay?.stop();
});

/**
 * The chat's messages once `ready` holds for them: read again after every push to the outbox, so the
 * test waits for the background announcement without sleeping.
 */
async function historyWhen(sessionId: string, ready: (messages: ChatMessage[]) => boolean): Promise<ChatMessage[]> {
  for (;;) {
    let stop = () => {};
    const pushed = new Promise<void>((resolve) => {
      stop = t.app.context.outbox.onPush(() => resolve());
    });
    const messages = await history(t.base, sessionId);
    if (ready(messages)) {
      stop();
      return messages;
    }
    await pushed;
    stop();
  }
}

/** Books by chatting up to the payment step and picks "Pay online now"; returns the replies and the appointment id. */
async function bookOnline(sessionId: string): Promise<{ replies: ChatMessage[]; appointmentId: string }> {
  for (const text of ['hi', 'book', 'Zoë Müller', '98765 43210', '34', 'Female', 'fever for 3 days', '1', '1']) await say(t.base, sessionId, { text });
  const replies = await say(t.base, sessionId, { text: 'Pay online now' });
  const [appointment] = await t.app.context.store.listAppointments({ conversation: { channel: 'web', chatId: sessionId } });
  return { replies, appointmentId: appointment!.id };
}

describe('paying online on web chat', () => {
  it('sends a payment link, and after the signed paid webhook one confirmation with its PDFs', async () => {
    const sessionId = newSessionId();
    const { replies, appointmentId } = await bookOnline(sessionId);

    const link = razorpay.linkFor(appointmentId);
    const button = replies.find((m) => m.kind === 'link');
    expect(button?.url).toBe(link.short_url);
    expect(button?.label).toBe('Pay ₹500');
    // What the SDK sent: paise, the appointment as reference, the hold's expiry, no Razorpay notifications.
    const appointment = await t.app.context.store.getAppointment(appointmentId);
    expect(link).toMatchObject({
      amount: 50000,
      currency: 'INR',
      reference_id: appointmentId,
      notes: { appointment_id: appointmentId },
      customer: { name: 'Zoë Müller', contact: '+919876543210' },
      notify: { sms: false, email: false },
    });
    expect(link.expire_by).toBe(Math.floor(Date.parse(appointment!.holdExpiresAt!) / 1000));
    // HOLD_MINUTES=10 is raised: the link and the hold last at least the 15 minutes Razorpay needs.
    expect(link.expire_by - START_TIME.getTime() / 1000).toBeGreaterThanOrEqual(15 * 60);
    expect(appointment).toMatchObject({ status: 'HELD', paymentMode: 'ONLINE', paymentStatus: 'PENDING', paymentLink: link.short_url });
    expect(t.app.features.find((f) => f.name === 'payments')?.detail).toContain('HOLD_MINUTES raised from 10 to 15');

    const seen = (await history(t.base, sessionId)).length;
    const paid = razorpay.pay(link.id);
    const response = await deliver(t.base, signedDelivery(paid, WEBHOOK_SECRET));
    expect(response.status).toBe(200);

    // Confirmed when the webhook is answered; the patient is told right after.
    const paymentId = (paid.payload.payment!.entity as { id: string }).id;
    expect(await t.app.context.store.getAppointment(appointmentId)).toMatchObject({ status: 'CONFIRMED', paymentMode: 'ONLINE', paymentStatus: 'PAID', paymentId });

    const pushed = (await historyWhen(sessionId, (messages) => messages.length >= seen + 3)).slice(seen);
    expect((await t.app.context.store.getAppointment(appointmentId))?.invoiceNo).toBe('INV-2026-000001');
    expect(pushed.map((m) => m.kind)).toEqual(['text', 'document', 'document']);
    expect(pushed[0]!.text).toContain('Payment received');
    expect(pushed[0]!.text).toContain(`ID: ${appointmentId}`);
    expect(pushed[0]!.text).toContain('paid online');
    expect(pushed.map((m) => m.fileName)).toEqual([undefined, `confirmation-${appointmentId}.pdf`, 'invoice-INV-2026-000001.pdf']);
    // Documents are reachable only through their signed link.
    const invoiceUrl = new URL(pushed[2]!.url!, t.base);
    const download = await fetch(invoiceUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toMatch(/^application\/pdf/);
    expect(Buffer.from(await download.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    invoiceUrl.searchParams.set('signature', 'forged');
    expect((await fetch(invoiceUrl)).status).toBeGreaterThanOrEqual(400);

    // The patient was left on the payment step: their next message moves them on.
    const next = await say(t.base, sessionId, { text: 'hello?' });
    expect(next.map((m) => m.text).join('\n')).toContain('Your payment has arrived');
    expect(next.at(-1)?.kind).toBe('menu');
    expect(next.at(-1)?.options?.map((o) => o.label).join(' ')).toMatch(/report/i);
  });

  it('tells the patient plainly when the link cannot be made, and the clinic option still books', async () => {
    const sessionId = newSessionId();
    razorpay.failNext({ status: 500, code: 'SERVER_ERROR', description: 'We are facing some trouble completing your request at the moment.' });
    const { replies, appointmentId } = await bookOnline(sessionId);
    expect(replies.map((m) => m.text).join('\n')).toContain('online payment is not available right now');
    expect(replies.at(-1)?.options?.map((o) => o.label)).toContain('Pay at the clinic');
    // Nothing half-made: no link, the appointment untouched and still held.
    expect(razorpay.links.size).toBe(0);
    expect(await t.app.context.store.getAppointment(appointmentId)).toMatchObject({ status: 'HELD', paymentMode: null, paymentLink: null });

    const clinic = await say(t.base, sessionId, { text: 'Pay at the clinic' });
    expect(clinic.map((m) => m.text).join('\n')).toContain('Appointment confirmed');
    // The PDF follows the confirmation text as the chat's next message.
    expect(clinic.some((m) => m.kind === 'document')).toBe(false);
    const after = await historyWhen(sessionId, (messages) => messages.some((m) => m.kind === 'document'));
    expect(after.find((m) => m.kind === 'document')?.fileName).toBe(`confirmation-${appointmentId}.pdf`);
  });

  it('refuses wrong and missing signatures with 400 and changes nothing', async () => {
    const sessionId = newSessionId();
    const { appointmentId } = await bookOnline(sessionId);
    const paid = razorpay.pay(razorpay.linkFor(appointmentId).id);
    const genuine = signedDelivery(paid, WEBHOOK_SECRET);
    const before = (await history(t.base, sessionId)).length;

    const attempts: Record<string, string>[] = [
      { ...genuine.headers, 'x-razorpay-signature': signedDelivery(paid, 'another-secret').headers['x-razorpay-signature']! },
      Object.fromEntries(Object.entries(genuine.headers).filter(([name]) => name !== 'x-razorpay-signature')),
      { ...genuine.headers, 'x-razorpay-signature': 'not-hex' },
      // One hex digit changed (always to another digit, whatever the signature starts with).
      { ...genuine.headers, 'x-razorpay-signature': genuine.headers['x-razorpay-signature']!.replace(/^./, (first) => (first === '0' ? '1' : '0')) },
    ];
    for (const headers of attempts) {
      const response = await deliver(t.base, { body: genuine.body, headers });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_SIGNATURE');
    }
    // The genuine signature over a changed body is refused too.
    const tampered = await deliver(t.base, { body: genuine.body.replace('"captured"', '"captured" '), headers: genuine.headers });
    expect(tampered.status).toBe(400);

    expect(await t.app.context.store.getAppointment(appointmentId)).toMatchObject({ status: 'HELD', paymentStatus: 'PENDING', paymentId: null });
    expect((await history(t.base, sessionId)).length).toBe(before);
  });
});
