/**
 * Security of the web chat and the service as a whole: chat ids that are guessed or too short give
 * nothing away, signed download links cannot be bent, medical reports are at no public URL, and a
 * whole run's logs hold no secret, no phone number and no message text.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logging.js';
import { TestClock } from '../support/clock.js';
import { SMALL_PDF } from '../support/files.js';
import { deliver, RazorpayEmulator, signedDelivery } from '../support/razorpayEmulator.js';
import { history, messagesUrl, newSessionId, postJson, say, START_TIME, startTestApp, upload, type ApiError, type ChatMessage, type TestApp } from '../http/helpers.js';
import { rawGet } from './support/rawHttp.js';

const apps: TestApp[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.dispose();
});

async function start(env: Record<string, string> = {}, options: Parameters<typeof startTestApp>[1] = undefined): Promise<TestApp> {
  const app = await startTestApp({ RATE_LIMIT_PER_MINUTE: '0', ...env }, options);
  apps.push(app);
  return app;
}

interface Patient {
  name: string;
  phoneTyped: string;
  purpose: string;
}

/** Books by chatting (pay at the clinic), chooses "Upload a report" and returns the appointment id. */
async function bookAndOfferReport(base: string, sessionId: string, patient: Patient): Promise<string> {
  for (const text of ['hi', 'book', patient.name, patient.phoneTyped, '34', 'Female', patient.purpose, '1', '1']) await say(base, sessionId, { text });
  const confirmation = await say(base, sessionId, { text: 'Pay at the clinic' });
  const id = /ID: (APT-[A-Za-z0-9]+)/.exec(confirmation.map((m) => m.text).join('\n'))?.[1];
  if (!id) throw new Error(`no confirmation in ${JSON.stringify(confirmation)}`);
  await say(base, sessionId, { text: 'Upload a report' });
  return id;
}

/** A real PDF carrying a marker that must never show up in any HTTP answer. */
function markedPdf(marker: string): Buffer {
  return Buffer.concat([SMALL_PDF, Buffer.from(`% ${marker}\n`, 'latin1')]);
}

describe('web chat session ids', () => {
  it('refuses ids that are too short or not URL-safe with 400 and no data', async () => {
    const t = await start();
    const victim = newSessionId();
    await bookAndOfferReport(t.base, victim, { name: 'Asha Rao', phoneTyped: '98765 43210', purpose: 'fever for 3 days' });
    const bad = [victim.slice(0, 21), 'a', 'abc', '1234567890123456789012'.slice(0, 21), `${victim.slice(0, 21)}.`, `${victim.slice(0, 21)}%2e`, `${victim.slice(0, 20)}é1`, 'x'.repeat(129), `${victim.slice(0, 21)}!`];
    for (const id of bad) {
      for (const response of [
        await fetch(`${t.base}/api/chat/${encodeURIComponent(id)}/messages?after=0&transcript=true`),
        await postJson(t.base, encodeURIComponent(id), { text: 'hi' }),
      ]) {
        expect(response.status, id).toBe(400);
        const body = (await response.json()) as ApiError & { messages?: unknown };
        expect(body.error.code, id).toBe('BAD_SESSION_ID');
        expect(body.messages).toBeUndefined();
      }
    }
  });

  it("gives a guessed id (another session's id, one character off) nothing of that session", async () => {
    const t = await start();
    const victim = newSessionId();
    await bookAndOfferReport(t.base, victim, { name: 'Vasundhara Pillai', phoneTyped: '91234 56789', purpose: 'private complaint' });
    expect((await history(t.base, victim)).length).toBeGreaterThan(5);

    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    const guesses = [
      `${victim.slice(0, -1)}${flip(victim.at(-1)!)}`,
      `${flip(victim[0]!)}${victim.slice(1)}`,
      victim.toUpperCase() === victim ? victim.toLowerCase() : victim.toUpperCase(),
      `${victim}A`,
      `${victim}${victim}`.slice(0, 128),
      victim.split('').reverse().join(''),
    ].filter((g) => g !== victim);
    for (const guess of guesses) {
      const response = await fetch(`${messagesUrl(t.base, guess)}?after=0&transcript=true`);
      expect(response.status, guess).toBe(200);
      const { messages } = (await response.json()) as { messages: ChatMessage[] };
      expect(messages, guess).toEqual([]);
      // Writing to the guessed id starts a new conversation that knows nothing of the victim's.
      const replies = await say(t.base, guess, { text: 'My appointments' });
      const seen = JSON.stringify(replies);
      expect(seen).not.toContain('Vasundhara');
      expect(seen).not.toContain('APT-');
    }
  });
});

describe('signed download links', () => {
  it('serve the document only with the genuine link, and not after it expires', async () => {
    const t = await start();
    const { documents } = t.app.context;
    const marker = 'invoice-marker-5e1d';
    const bytes = markedPdf(marker);
    const id = await documents.put({ fileName: 'invoice.pdf', mime: 'application/pdf', bytes });
    const otherId = await documents.put({ fileName: 'other.pdf', mime: 'application/pdf', bytes: markedPdf('other-marker') });
    // Signed the way the web chat signs the links it hands out: an hour from the service's now.
    const { expires, signature } = documents.sign(id, new Date(t.clock.now().getTime() + 60 * 60_000));
    const other = documents.sign(otherId, new Date(t.clock.now().getTime() + 60 * 60_000));
    const link = (fileId: string, query: string) => `/files/${fileId}?${query}`;

    const genuine = await rawGet(t.port, link(id, `expires=${expires}&signature=${signature}`));
    expect(genuine.status).toBe(200);
    expect(genuine.body.toString('latin1')).toContain(marker);

    const flipped = (signature[3] === 'A' ? 'B' : 'A');
    const tampered = [
      link(id, `expires=${expires}&signature=${signature.slice(0, 3)}${flipped}${signature.slice(4)}`),
      link(id, `expires=${expires}&signature=${signature.slice(0, -1)}`),
      link(id, `expires=${expires}&signature=${signature}A`),
      link(id, `expires=${expires}&signature=`),
      link(id, `expires=${expires}`),
      link(id, `signature=${signature}`),
      link(id, `expires=${Number(expires) + 3600}&signature=${signature}`),
      link(id, `expires=99999999999&signature=${signature}`),
      link(id, `expires=-1&signature=${signature}`),
      link(id, `expires=${expires}.0&signature=${signature}`),
      link(id, `expires=${expires}&expires=${Number(expires) + 3600}&signature=${signature}`),
      link(id, `expires=${expires}&signature=${signature}&signature=${signature}`),
      link(id, `expires=${other.expires}&signature=${other.signature}`),
      link(otherId, `expires=${expires}&signature=${signature}`),
      link(`${id}A`, `expires=${expires}&signature=${signature}`),
      link(id.toLowerCase() === id ? id.toUpperCase() : id.toLowerCase(), `expires=${expires}&signature=${signature}`),
      link('..%2Fkeys%2Fdownload-signing.key', `expires=${expires}&signature=${signature}`),
      link('..%2F..%2Fclinic.db', `expires=${expires}&signature=${signature}`),
      link(`${id}.bin`, `expires=${expires}&signature=${signature}`),
      link(`${id}.json`, `expires=${expires}&signature=${signature}`),
    ];
    for (const url of tampered) {
      const response = await rawGet(t.port, url);
      expect([403, 404], url).toContain(response.status);
      expect(response.contentType, url).toMatch(/^application\/json/);
      expect(response.body.toString('latin1'), url).not.toContain('marker');
    }

    // One hour later the genuine link is refused too.
    t.clock.advanceMinutes(61);
    const expired = await rawGet(t.port, link(id, `expires=${expires}&signature=${signature}`));
    expect(expired.status).toBe(403);
    expect(JSON.parse(expired.body.toString()).error.code).toBe('LINK_INVALID');
  });
});

describe('medical reports', () => {
  it('are not reachable at any public URL, not even at their own stored path', async () => {
    const t = await start();
    const session = newSessionId();
    const appointmentId = await bookAndOfferReport(t.base, session, { name: 'Asha Rao', phoneTyped: '98765 43210', purpose: 'fever for 3 days' });
    const marker = 'medical-report-marker-9c2a';
    const response = await upload(t.base, session, markedPdf(marker), 'blood-test.pdf', 'application/pdf');
    expect(response.status).toBe(200);
    const appointment = await t.app.context.store.getAppointment(appointmentId);
    const stored = appointment!.reports[0]!;
    expect(existsSync(path.join(t.dataDir, 'reports', stored.path))).toBe(true);
    const [folder, file] = stored.path.split('/') as [string, string];
    const reportId = file.replace(/\.pdf$/, '');
    const signingKey = await readFile(path.join(t.dataDir, 'keys', 'download-signing.key'));
    const absolute = path.join(t.dataDir, 'reports', stored.path);

    const candidates = [
      `/reports/${stored.path}`,
      `/data/reports/${stored.path}`,
      `/${stored.path}`,
      `/${file}`,
      `/reports/${folder}/`,
      `/reports/`,
      `/files/${reportId}`,
      `/files/${file}`,
      `/files/${folder}`,
      `/files/${reportId}?expires=99999999999&signature=x`,
      `/../reports/${stored.path}`,
      `/../../reports/${stored.path}`,
      `/..%2freports%2f${folder}%2f${file}`,
      `/%2e%2e/reports/${stored.path}`,
      `/%2e%2e%2freports%2f${folder}%2f${file}`,
      `/%252e%252e%252freports%252f${folder}%252f${file}`,
      `/..%5creports%5c${folder}%5c${file}`,
      `/..\\reports\\${folder}\\${file}`,
      `/public/../reports/${stored.path}`,
      `/index.html/../reports/${stored.path}`,
      `/api/../reports/${stored.path}`,
      `/api/chat/${session}/messages/../../../../reports/${stored.path}`,
      `/api/chat/${session}/reports/${file}`,
      `//reports/${stored.path}`,
      `/reports%2f${folder}%2f${file}`,
      `/static/../../reports/${stored.path}`,
      `/files/..%2freports%2f${folder}%2f${file}?expires=1&signature=x`,
      `/files/..%2f..%2freports%2f${folder}%2f${file}`,
      encodeURI(absolute),
      `/..${encodeURI(absolute)}`,
      '/clinic.db',
      '/data/clinic.db',
      '/../clinic.db',
      '/%2e%2e/clinic.db',
      '/keys/download-signing.key',
      '/../keys/download-signing.key',
      '/documents/',
      '/.env',
      '/../.env',
    ];
    for (const candidate of candidates) {
      const answer = await rawGet(t.port, candidate);
      const body = answer.body.toString('latin1');
      expect(answer.status, candidate).toBeGreaterThanOrEqual(400);
      expect(body, candidate).not.toContain(marker);
      expect(body, candidate).not.toContain('SQLite format 3');
      expect(answer.body.includes(signingKey), candidate).toBe(false);
    }
    // The patient's own transcript shows only a placeholder for the file.
    const transcript = await (await fetch(`${messagesUrl(t.base, session)}?after=0&transcript=true`)).text();
    expect(transcript).not.toContain(marker);
    expect(transcript).not.toContain(stored.path);
  });
});

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('logs', () => {
  it('hold no secret, phone number, chat id or message text over a whole run', async () => {
    const secrets: Record<string, string> = {
      ADMIN_PASSWORD: 'admin-pass-Qx7-recognisable',
      METRICS_TOKEN: 'metrics-token-Zk9-recognisable',
      GEMINI_API_KEY: 'gemini-key-Wm4-recognisable',
      RAZORPAY_KEY_SECRET: 'rzp-key-secret-Hv2-recognisable',
      RAZORPAY_WEBHOOK_SECRET: 'rzp-webhook-secret-Lp5-recognisable',
    };
    // Payments against the loopback emulator; the key id is not a secret, but it is not logged either.
    const clock = new TestClock(START_TIME);
    const razorpay = new RazorpayEmulator({ keyId: 'rzp_test_Yb8recognisable', keySecret: secrets.RAZORPAY_KEY_SECRET!, now: clock.now });
    await razorpay.start();
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const env = {
      ...secrets,
      RAZORPAY_KEY_ID: razorpay.keyId,
      RAZORPAY_API_URL: razorpay.url,
      // Gemini is on, but pointed at a closed local port: nothing leaves the machine, and its errors are logged.
      GEMINI_API_URL: `http://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: 'trace',
      LOG_FORMAT: 'json',
    };
    const dataDir = await mkdtemp(path.join(tmpdir(), 'clinic-logs-'));
    const app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, RATE_LIMIT_PER_MINUTE: '0', ...env }), {
      host: '127.0.0.1',
      clock,
      logger: createLogger('trace', stream),
    });
    const base = `http://127.0.0.1:${new URL(app.url).port}`;
    const patient = { name: 'Zephyrine Quillfeather', phoneTyped: '99887 76655', purpose: 'kumquat rash behind the ear' };
    const session = newSessionId();
    const signingKey = (await readFile(path.join(dataDir, 'keys', 'download-signing.key'))).toString('base64url');
    try {
      // A booking, a report, a refused file, bad requests and a failing turn: every kind of log line.
      const appointmentId = await bookAndOfferReport(base, session, patient);
      expect((await upload(base, session, markedPdf('x'), 'quillfeather-scan.pdf', 'application/pdf')).status).toBe(200);
      expect((await upload(base, session, Buffer.from('MZ-not-a-report'), 'quillfeather-virus.pdf', 'application/pdf')).status).toBe(200);
      expect((await fetch(messagesUrl(base, session), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": "quillfeather' })).status).toBe(400);
      expect((await postJson(base, session, { text: 'quillfeather '.repeat(400) })).status).toBe(413);
      expect((await postJson(base, 'short', { text: 'quillfeather' })).status).toBe(400);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
      expect((await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${secrets.METRICS_TOKEN}` } })).status).toBe(200);
      expect((await fetch(`${base}/health`)).status).toBe(200);
      // A report folder that cannot be created makes the turn fail: the error path logs too.
      const second = newSessionId();
      const secondId = await bookAndOfferReport(base, second, { ...patient, purpose: 'kumquat follow-up' });
      await writeFile(path.join(dataDir, 'reports', secondId), 'not a folder');
      const failed = await upload(base, second, markedPdf('y'), 'quillfeather-2.pdf', 'application/pdf');
      expect(JSON.stringify(await failed.json())).toMatch(/something went wrong/i);
      // Free text at the main menu, where an intent detector would see it.
      await say(base, second, { text: 'menu' });
      await say(base, second, { text: 'quillfeather wants a skin doctor tomorrow' });
      expect(appointmentId).toMatch(/^APT-/);
      // An online payment: a forged webhook, then the genuine one.
      const third = newSessionId();
      for (const text of ['hi', 'book', 'Yusuf Quillfeather', '99887 76644', '40', 'Male', 'kumquat allergy', '1', '1', 'Pay online now']) await say(base, third, { text });
      const [held] = await app.context.store.listAppointments({ conversation: { channel: 'web', chatId: third } });
      const paid = razorpay.pay(razorpay.linkFor(held!.id).id);
      expect((await deliver(base, signedDelivery(paid, 'forged-secret'))).status).toBe(400);
      expect((await deliver(base, signedDelivery(paid, secrets.RAZORPAY_WEBHOOK_SECRET!))).status).toBe(200);
    } finally {
      await app.close();
      await razorpay.stop();
      await rm(dataDir, { recursive: true, force: true });
    }

    // The start-up lines (one per feature) are printed to the console: no secret there either.
    const startupLines = JSON.stringify(app.features);
    for (const [name, value] of Object.entries(secrets)) expect(startupLines.includes(value), `${name} in the start-up lines`).toBe(false);
    const log = lines.join('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(log).toContain('message handling failed');
    const forbidden = {
      ...secrets,
      signingKey,
      sessionId: session,
      razorpayKeyId: razorpay.keyId,
      phoneE164: '+919988776655',
      secondPhone: '9988776644',
      phoneNational: '9988776655',
      phoneTyped: patient.phoneTyped,
      name: 'Quillfeather',
      purpose: 'kumquat',
      fileName: 'quillfeather-scan',
    };
    for (const [what, value] of Object.entries(forbidden)) expect(log.includes(value), `${what} found in the logs`).toBe(false);
  });
});
