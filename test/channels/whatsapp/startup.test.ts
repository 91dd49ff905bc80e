/**
 * The real app started with WHATSAPP_ENABLED=true: whatsapp-web.js's Client is replaced by the fake
 * (everything else of the library, LocalAuth and MessageMedia included, is real), so this checks the
 * wiring: the options the Client gets, the QR code in the terminal, /health, GET /whatsapp/qr, and a
 * missing Chromium leaving the rest of the service running.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeWhatsApp, FakeWhatsAppClient } from '../../support/fakeWhatsAppClient.js';
import { newSessionId, say, startTestApp, type TestApp } from '../../http/helpers.js';
import { CHROMIUM_SERVER_ARGS } from '../../../src/channels/whatsapp/whatsAppClient.js';

const fake = vi.hoisted(() => ({ whatsapp: undefined as FakeWhatsApp | undefined, options: [] as unknown[] }));

vi.mock('whatsapp-web.js', async (importOriginal) => {
  const real = (await importOriginal<{ default: typeof import('whatsapp-web.js') }>()).default;
  const { FakeWhatsApp, FakeWhatsAppClient } = await import('../../support/fakeWhatsAppClient.js');
  const whatsapp = new FakeWhatsApp(() => new Date());
  fake.whatsapp = whatsapp;
  /** Takes the options the adapter gives the real Client. */
  class Client extends FakeWhatsAppClient {
    constructor(options: { authStrategy: { dataPath: string }; puppeteer: { executablePath: string } }) {
      super(whatsapp, { sessionDir: options.authStrategy.dataPath, chromePath: options.puppeteer.executablePath });
      fake.options.push(options);
    }
  }
  return { default: { ...real, Client } };
});

const PASSWORD = 'correct horse battery staple';
let sessionDir: string;
let app: TestApp | undefined;
let output: string[];

/** The parts of a JSON answer these tests read. */
interface Json {
  whatsapp: Record<string, unknown>;
  features: Record<string, { on: boolean; detail: string }>;
  error: { code: string; message: string };
}

async function json(response: Response | Promise<Response>): Promise<Json> {
  return (await (await response).json()) as Json;
}

beforeEach(async () => {
  sessionDir = await mkdtemp(path.join(tmpdir(), 'clinic-wa-startup-'));
  output = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('WhatsApp') || /[█▀▄]/.test(text)) {
      output.push(text);
      return true;
    }
    return (write as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean)(chunk, ...rest);
  });
});

afterEach(async () => {
  await app?.dispose();
  app = undefined;
  vi.restoreAllMocks();
  await rm(sessionDir, { recursive: true, force: true });
});

function client(): FakeWhatsAppClient {
  return fake.whatsapp!.client;
}

describe('start-up with WHATSAPP_ENABLED=true', () => {
  it('prints a QR code, says in /health that it waits for a scan, and serves the code to admins only', async () => {
    app = await startTestApp({ WHATSAPP_ENABLED: 'true', WHATSAPP_SESSION_DIR: sessionDir, CHROME_PATH: process.execPath, ADMIN_PASSWORD: PASSWORD });
    fake.whatsapp!.now = () => app!.clock.now();

    // The real Client would get LocalAuth in the session directory and the server's Chromium flags.
    expect(fake.options.at(-1)).toMatchObject({
      authStrategy: { dataPath: sessionDir },
      puppeteer: { headless: true, executablePath: process.execPath, args: [...CHROMIUM_SERVER_ARGS] },
      webVersionCache: { type: 'local', path: path.join(sessionDir, '.wwebjs_cache') },
    });
    expect(output.join('')).toMatch(/scan this QR code .*Linked devices/);
    expect(output.join('')).toMatch(/█/);
    expect(app.app.features.find((f) => f.name === 'whatsapp')).toMatchObject({ on: true, detail: expect.stringContaining('waiting for a QR scan') });

    const health = await json(fetch(`${app.base}/health`));
    expect(health.whatsapp).toMatchObject({ ok: true, state: 'waiting-for-qr', waitingForScan: true });
    expect(health.features.whatsapp?.detail).toContain('waiting for a QR scan');

    const url = `${app.base}/whatsapp/qr`;
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await json(anonymous)).error.code).toBe('UNAUTHORIZED');
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong password' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${PASSWORD}x` } })).status).toBe(401);

    const png = await fetch(url, { headers: { authorization: `Bearer ${PASSWORD}` } });
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('cache-control')).toBe('no-store');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // A browser can open it too, with the password in Basic auth.
    const basic = Buffer.from(`admin:${PASSWORD}`).toString('base64');
    expect((await fetch(url, { headers: { authorization: `Basic ${basic}` } })).status).toBe(200);

    // WhatsApp renews the code: the endpoint serves the new one.
    client().rotateQr();
    const renewed = Buffer.from(await (await fetch(url, { headers: { authorization: `Bearer ${PASSWORD}` } })).arrayBuffer());
    expect(Buffer.compare(renewed, bytes)).not.toBe(0);

    client().scan();
    const linked = await fetch(url, { headers: { authorization: `Bearer ${PASSWORD}` } });
    expect(linked.status).toBe(404);
    expect((await json(linked)).error.code).toBe('NO_QR');
    const after = await json(fetch(`${app.base}/health`));
    expect(after.whatsapp).toMatchObject({ ok: true, state: 'ready', connection: 'CONNECTED', waitingForScan: false });
  });

  it('locks out an address after repeated wrong passwords, and stays closed without ADMIN_PASSWORD', async () => {
    app = await startTestApp({ WHATSAPP_ENABLED: 'true', WHATSAPP_SESSION_DIR: sessionDir, CHROME_PATH: process.execPath, ADMIN_PASSWORD: PASSWORD });
    const url = `${app.base}/whatsapp/qr`;
    for (let i = 0; i < 10; i += 1) expect((await fetch(url, { headers: { authorization: `Bearer guess-${i}` } })).status).toBe(401);
    const locked = await fetch(url, { headers: { authorization: `Bearer ${PASSWORD}` } });
    expect(locked.status).toBe(429);
    await app.dispose();

    app = await startTestApp({ WHATSAPP_ENABLED: 'true', WHATSAPP_SESSION_DIR: sessionDir, CHROME_PATH: process.execPath });
    const closed = await fetch(`${app.base}/whatsapp/qr`, { headers: { authorization: 'Bearer anything' } });
    expect(closed.status).toBe(403);
    expect((await json(closed)).error.message).toMatch(/ADMIN_PASSWORD/);
  });

  it('says which package to install when Chromium is missing, and keeps the rest of the service running', async () => {
    const built = fake.whatsapp!.clients.length;
    app = await startTestApp({ WHATSAPP_ENABLED: 'true', WHATSAPP_SESSION_DIR: sessionDir, CHROME_PATH: '/nonexistent/chromium' });
    expect(fake.whatsapp!.clients).toHaveLength(built);
    const line = app.app.features.find((f) => f.name === 'whatsapp');
    expect(line).toMatchObject({ on: false });
    expect(line?.detail).toContain('Chromium was not found at /nonexistent/chromium');
    expect(line?.detail).toContain('apt-get install chromium');
    expect(line?.detail).toContain('CHROME_PATH');

    const health = await fetch(`${app.base}/health`);
    expect(health.status).toBe(503);
    expect((await json(health)).whatsapp).toMatchObject({ ok: false, state: 'unavailable' });
    // The web chat still books.
    const replies = await say(app.base, newSessionId(), { text: 'hi' });
    expect(replies.length).toBeGreaterThan(0);
  });
});
