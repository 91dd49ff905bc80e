/**
 * The page patients land on after paying (the payment link's callback_url): the real app over HTTP,
 * the real razorpay SDK talking to the loopback Razorpay emulator, and redirects signed here with
 * node:crypto the way Razorpay signs them.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logging.js';
import { history, newSessionId, say, START_TIME, TestClock } from '../../http/helpers.js';
import { RazorpayEmulator } from '../../support/razorpayEmulator.js';

const KEY_SECRET = 'key_secret_for_return_tests';
const WEBHOOK_SECRET = 'whsec_return_tests';
const PATIENT = { name: 'Zoë Müller', typedPhone: '98765 43210', phone: '+919876543210' };

interface ReturnApp {
  app: RunningApp;
  /** Where the app really listens (http://127.0.0.1:PORT), whatever PUBLIC_BASE_URL says. */
  base: string;
  razorpay: RazorpayEmulator;
}

const running: { dispose(): Promise<void> }[] = [];
afterEach(async () => {
  while (running.length > 0) await running.pop()!.dispose();
});

/**
 * Starts the real app with Razorpay on the emulator; `env` adds variables. The listening port is read
 * from the app's own "listening" log line, since with PUBLIC_BASE_URL set the app's url is the public one.
 */
async function start(env: Record<string, string> = {}): Promise<ReturnApp> {
  const clock = new TestClock(START_TIME);
  const razorpay = new RazorpayEmulator({ now: clock.now, keySecret: KEY_SECRET });
  await razorpay.start();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clinic-return-'));
  const lines: string[] = [];
  const logs = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: dataDir,
    RAZORPAY_KEY_ID: razorpay.keyId,
    RAZORPAY_KEY_SECRET: KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    RAZORPAY_API_URL: razorpay.url,
    ...env,
  });
  let app: RunningApp | undefined;
  running.push({
    async dispose() {
      try {
        await app?.close();
        await razorpay.stop();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  });
  app = await startApp(config, { host: '127.0.0.1', clock, logger: createLogger('info', logs, 'json') });
  const listening = lines.map((line) => JSON.parse(line) as { msg?: string; port?: number }).find((line) => line.msg === 'listening');
  if (!listening?.port) throw new Error(`no "listening" line in ${lines.join('')}`);
  return { app, base: `http://127.0.0.1:${listening.port}`, razorpay };
}

/** Books on web chat up to the payment step and picks "Pay online now"; returns the appointment id. */
async function bookOnline(t: ReturnApp, sessionId: string): Promise<string> {
  for (const text of ['hi', 'book', PATIENT.name, PATIENT.typedPhone, '34', 'Female', 'fever for 3 days', '1', '1', 'Pay online now']) {
    await say(t.base, sessionId, { text });
  }
  const [appointment] = await t.app.context.store.listAppointments({ conversation: { channel: 'web', chatId: sessionId } });
  return appointment!.id;
}

/** The body the SDK sent to create payment links. */
function createBodies(razorpay: RazorpayEmulator): Record<string, unknown>[] {
  return razorpay.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_links').map((r) => r.body as Record<string, unknown>);
}

/** Razorpay's redirect query, signed as its docs say: HMAC-SHA256 hex of link|reference|status|payment. */
function signedRedirect(fields: { paymentId: string; linkId: string; referenceId: string; status: string }, secret = KEY_SECRET): Record<string, string> {
  const payload = `${fields.linkId}|${fields.referenceId}|${fields.status}|${fields.paymentId}`;
  return {
    razorpay_payment_id: fields.paymentId,
    razorpay_payment_link_id: fields.linkId,
    razorpay_payment_link_reference_id: fields.referenceId,
    razorpay_payment_link_status: fields.status,
    razorpay_signature: createHmac('sha256', secret).update(payload).digest('hex'),
  };
}

async function land(base: string, query: Record<string, string> | URLSearchParams): Promise<{ status: number; headers: Headers; html: string }> {
  const response = await fetch(`${base}/payments/done?${new URLSearchParams(query).toString()}`);
  return { status: response.status, headers: response.headers, html: await response.text() };
}

function expectPrivatePageHeaders(headers: Headers): void {
  expect(headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/i);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  // No scripts, frames, images or forms: only the page's own inline style may apply.
  expect(headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

describe('the page patients land on after paying', () => {
  it('asks Razorpay to send the patient to PUBLIC_BASE_URL/payments/done (method get), and to nowhere without it', async () => {
    const withBase = await start({ PUBLIC_BASE_URL: 'https://clinic.example.com/' });
    await bookOnline(withBase, newSessionId());
    const [sent] = createBodies(withBase.razorpay);
    expect(sent).toMatchObject({ callback_url: 'https://clinic.example.com/payments/done', callback_method: 'get' });

    const withoutBase = await start();
    await bookOnline(withoutBase, newSessionId());
    const [plain] = createBodies(withoutBase.razorpay);
    expect(plain).toBeDefined();
    expect(plain).not.toHaveProperty('callback_url');
    expect(plain).not.toHaveProperty('callback_method');
  });

  it('answers a genuine redirect after paying with "Payment received", shows no patient data and confirms nothing', async () => {
    const t = await start({ PUBLIC_BASE_URL: 'https://clinic.example.com' });
    const sessionId = newSessionId();
    const appointmentId = await bookOnline(t, sessionId);
    const link = t.razorpay.linkFor(appointmentId);
    const paid = t.razorpay.pay(link.id);
    const paymentId = (paid.payload.payment!.entity as { id: string }).id;
    const before = await history(t.base, sessionId);

    const query = signedRedirect({ paymentId, linkId: link.id, referenceId: link.reference_id, status: 'paid' });
    const page = await land(t.base, query);
    expect(page.status).toBe(200);
    expectPrivatePageHeaders(page.headers);
    expect(page.html).toContain('Payment received');
    expect(page.html).toContain('Your confirmation is waiting in the chat');
    expect(page.html).toContain('you can close this page');
    expect(page.html).toContain('<meta name="viewport"');
    expect(page.html).not.toMatch(/<script|<img|<link|src=/i);
    // Booked on web chat: a way back to it.
    expect(page.html).toContain('href="/"');

    const appointment = (await t.app.context.store.getAppointment(appointmentId))!;
    const secrets = [
      'Zoë',
      'Müller',
      'M&uuml;ller',
      PATIENT.phone,
      '98765',
      '43210',
      appointment.doctorName,
      appointmentId,
      link.id,
      paymentId,
      query.razorpay_signature!,
      'fever',
    ];
    for (const secret of secrets) expect(page.html).not.toContain(secret);

    // Only the webhook confirms: the appointment is still held and the chat got nothing new.
    expect(await t.app.context.store.getAppointment(appointmentId)).toMatchObject({ status: 'HELD', paymentStatus: 'PENDING', paymentId: null });
    expect(await history(t.base, sessionId)).toEqual(before);
  });

  it('says the payment was not completed when a genuine redirect carries another status', async () => {
    const t = await start();
    const appointmentId = await bookOnline(t, newSessionId());
    const link = t.razorpay.linkFor(appointmentId);
    for (const status of ['partially_paid', 'expired', 'created']) {
      const page = await land(t.base, signedRedirect({ paymentId: 'pay_Fc8mUeDrEKf08Y', linkId: link.id, referenceId: link.reference_id, status }));
      expect(page.status).toBe(200);
      expectPrivatePageHeaders(page.headers);
      expect(page.html).toContain('Payment not completed');
      expect(page.html).toContain('Go back to the chat to try again or pay at the clinic.');
      expect(page.html).not.toContain('Payment received');
    }
  });

  it('keeps the page generic when the link is not a web chat booking of this service', async () => {
    const t = await start();
    const page = await land(t.base, signedRedirect({ paymentId: 'pay_Fc8mUeDrEKf08Y', linkId: 'plink_Fc8lXILABzQL7M', referenceId: 'TSsd1989', status: 'paid' }));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Payment received');
    expect(page.html).not.toContain('href=');
  });

  it('refuses a tampered, wrongly keyed, incomplete, repeated or overlong redirect with 400 and a friendly page', async () => {
    const t = await start();
    const appointmentId = await bookOnline(t, newSessionId());
    const link = t.razorpay.linkFor(appointmentId);
    const fields = { paymentId: 'pay_Fc8mUeDrEKf08Y', linkId: link.id, referenceId: link.reference_id, status: 'paid' };
    const genuine = signedRedirect(fields);
    const without = (name: string) => Object.fromEntries(Object.entries(genuine).filter(([key]) => key !== name));
    const repeated = new URLSearchParams(genuine);
    repeated.append('razorpay_payment_link_status', 'paid');

    const attempts: (Record<string, string> | URLSearchParams)[] = [
      // One hex digit changed (always to another digit, whatever the signature starts with).
      { ...genuine, razorpay_signature: genuine.razorpay_signature!.replace(/^./, (first) => (first === '0' ? '1' : '0')) },
      { ...genuine, razorpay_signature: 'not-a-signature' },
      // Signed with the webhook secret: the redirect is signed with the API key secret.
      signedRedirect(fields, WEBHOOK_SECRET),
      // A genuine "expired" redirect with its status changed to "paid".
      { ...signedRedirect({ ...fields, status: 'expired' }), razorpay_payment_link_status: 'paid' },
      without('razorpay_signature'),
      without('razorpay_payment_link_id'),
      without('razorpay_payment_id'),
      without('razorpay_payment_link_reference_id'),
      without('razorpay_payment_link_status'),
      {},
      repeated,
      // Correctly signed, but longer than any Razorpay id.
      signedRedirect({ ...fields, paymentId: `pay_${'x'.repeat(197)}` }),
    ];
    for (const query of attempts) {
      const page = await land(t.base, query);
      expect(page.status, new URLSearchParams(query).toString()).toBe(400);
      expectPrivatePageHeaders(page.headers);
      expect(page.html).toContain('This link could not be checked. Please go back to the chat');
      expect(page.html).not.toMatch(/Payment received|Payment not completed|Error|stack|node_modules|\.ts\b|\.js\b/);
    }
    // The cap is not off by one: 200 characters still count as a parameter, so only the signature decides.
    const longest = await land(t.base, signedRedirect({ ...fields, paymentId: `pay_${'x'.repeat(196)}` }));
    expect(longest.status).toBe(200);
    expect(await t.app.context.store.getAppointment(appointmentId)).toMatchObject({ status: 'HELD', paymentStatus: 'PENDING' });
  });
});
