/**
 * The running service as a whole: health, the web chat page with the clinic's name, security headers,
 * static files, and a graceful shutdown that finishes what it started and then lets go of the port.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { history, newSessionId, postJson, say, startAppsClosedAfterEach,
  startTestApp, type ApiError, type ChatMessage, type TestApp } from './helpers.js';

const start = startAppsClosedAfterEach();

/** The content of `<meta name="…" content="…">` in the page, as written (still HTML-escaped). */
function metaContent(html: string, name: string): string | undefined {
  const tags = html.match(new RegExp(`<meta name="${name}"[^>]*>`, 'g')) ?? [];
  if (tags.length !== 1) return undefined;
  return /^<meta name="[^"]*" content="([^"]*)">$/.exec(tags[0]!)?.[1];
}

/** Resolves with the connection error code, or "connected". */
function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('health', () => {
  it('reports ok, the store and which features are on', async () => {
    const t = await start();
    const response = await fetch(`${t.base}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as {
      ok: boolean;
      status: string;
      store: { ok: boolean; kind: string };
      features: Record<string, { on: boolean; detail: string }>;
    };
    expect(body.ok).toBe(true);
    expect(body.status).toBe('ok');
    expect(body.store).toEqual({ ok: true, kind: 'sqlite' });
    expect(body.features['web chat']).toEqual({ on: true, detail: `served at http://localhost:${t.port}/` });
    expect(body.features.telegram).toEqual({ on: false, detail: 'TELEGRAM_BOT_TOKEN not set' });
    expect(body.features.whatsapp?.on).toBe(false);
    expect(body.features.payments?.on).toBe(false);
  });

  it('does not tell strangers where the data lives (the start-up line does)', async () => {
    const t = await start();
    const body = (await (await fetch(`${t.base}/health`)).json()) as { features: Record<string, { on: boolean; detail: string }> };
    expect(body.features.store).toEqual({ on: true, detail: 'SQLite (GOOGLE_SHEET_ID not set)' });
    expect(JSON.stringify(body)).not.toContain('clinic.db');
    expect(t.app.features.find((f) => f.name === 'store')?.detail).toMatch(/^SQLite at \/.+\/clinic\.db \(GOOGLE_SHEET_ID not set\)$/);
  });

  it('lists the same features startApp returned', async () => {
    // A Bot API root where nothing listens: nothing leaves the machine, and Telegram counts as unreachable.
    const t = await start({ TELEGRAM_BOT_TOKEN: '123:abc', TELEGRAM_API_ROOT: 'http://127.0.0.1:9' });
    const body = (await (await fetch(`${t.base}/health`)).json()) as { features: Record<string, { on: boolean; detail: string }> };
    expect(Object.keys(body.features).sort()).toEqual(t.app.features.map((f) => f.name).sort());
    const started = t.app.features.find((f) => f.name === 'telegram');
    expect(body.features.telegram).toEqual({ on: started?.on, detail: started?.detail });
    expect(body.features.telegram).toEqual({ on: true, detail: 'polling; Telegram not reachable yet' });
    // The token itself is never shown.
    expect(JSON.stringify(body)).not.toContain('123:abc');
  });
});

describe('the web chat page', () => {
  it('writes the clinic name, HTML-escaped, into <meta name="clinic-name">', async () => {
    const t = await start({ CLINIC_NAME: 'Dr "Quote" <Clinic> & Sons' });
    for (const pagePath of ['/', '/index.html']) {
      const response = await fetch(`${t.base}${pagePath}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(metaContent(html, 'clinic-name')).toBe('Dr &quot;Quote&quot; &lt;Clinic&gt; &amp; Sons');
      expect(html).not.toContain('<Clinic>');
      expect(metaContent(html, 'max-upload-mb')).toBe('10');
    }
  });

  it('writes the upload limit into <meta name="max-upload-mb">', async () => {
    const t = await start({ MAX_UPLOAD_MB: '3' });
    const html = await (await fetch(`${t.base}/`)).text();
    expect(metaContent(html, 'max-upload-mb')).toBe('3');
  });

  it('shows the microphone only where voice notes are listened to (a Gemini key)', async () => {
    const without = await start();
    expect(metaContent(await (await fetch(`${without.base}/`)).text(), 'voice-notes')).toBe('off');
    // An address where nothing listens: nothing leaves the machine.
    const withKey = await start({ GEMINI_API_KEY: 'test-key', GEMINI_API_URL: 'http://127.0.0.1:9' });
    expect(metaContent(await (await fetch(`${withKey.base}/`)).text(), 'voice-notes')).toBe('on');
  });

  // String.prototype.replace treats "$&", "$'", "$`" and "$$" in a replacement string as patterns.
  it('writes a clinic name containing "$" literally', async () => {
    const name = "Smile $$ Dental $& Care $' Centre";
    const t = await start({ CLINIC_NAME: name });
    const html = await (await fetch(`${t.base}/`)).text();
    expect(metaContent(html, 'clinic-name')).toBe("Smile $$ Dental $&amp; Care $' Centre");
  });

  it('sends security headers and no X-Powered-By', async () => {
    const t = await start();
    for (const pagePath of ['/', '/chat.js', '/health', `/api/chat/${newSessionId()}/messages`]) {
      const response = await fetch(`${t.base}${pagePath}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, pagePath).toMatch(/(^|;)\s*default-src 'self'\s*(;|$)/);
      const scriptSrc = /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1];
      expect(scriptSrc, pagePath).toBe("'self'");
      expect(csp, pagePath).toMatch(/(^|;)\s*object-src 'none'\s*(;|$)/);
      expect(response.headers.get('x-content-type-options'), pagePath).toBe('nosniff');
      expect(response.headers.get('x-powered-by'), pagePath).toBeNull();
      expect(response.headers.get('x-frame-options'), pagePath).toBe('SAMEORIGIN');
    }
  });

  it('serves chat.js as JavaScript', async () => {
    const t = await start();
    const response = await fetch(`${t.base}/chat.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    const script = await response.text();
    expect(script).toContain('/api/chat/');
  });

  it('answers an unknown page with 404', async () => {
    const t = await start();
    expect((await fetch(`${t.base}/no-such-page.html`)).status).toBe(404);
  });
});

describe('start-up', () => {
  it('says clearly when the port is taken, and the first app keeps working', async () => {
    const t = await start();
    const second = await startTestApp({ PORT: String(t.port) }).then(
      async (app) => {
        await app.dispose();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(second).toBeInstanceOf(Error);
    expect((second as Error).message).toBe(`Port ${t.port} is already in use: stop the other program or set PORT to a free port.`);
    expect((await fetch(`${t.base}/health`)).status).toBe(200);
  });
});

describe('shutdown', () => {
  it('stops accepting connections once close() resolves, and close() can be called twice', async () => {
    const t = await start();
    expect(await tryConnect(t.port)).toBe('connected');
    expect((await fetch(`${t.base}/health`)).status).toBe(200);

    const first = t.app.close();
    const second = t.app.close();
    expect(second).toBe(first);
    await first;
    expect(await tryConnect(t.port)).toBe('ECONNREFUSED');
  });

  /**
   * Sends a message and begins shutdown while it is being handled. The web chat reads the clock as it
   * hands the message to the engine, past the shutdown check; close() starts in the very next
   * microtask, while the message is in progress.
   */
  async function closeDuringMessage(t: TestApp, session: string): Promise<{ response: Response; closing: Promise<void> }> {
    let closing: Promise<void> | undefined;
    t.clock.onRead = () => {
      t.clock.onRead = undefined;
      queueMicrotask(() => (closing = t.app.close()));
    };
    const response = await postJson(t.base, session, { text: 'book' });
    if (!closing) throw new Error('shutdown did not start while the message was handled');
    return { response, closing };
  }

  it('finishes a message in progress when shutdown begins, then refuses new ones', async () => {
    const t = await start();
    const session = newSessionId();
    await say(t.base, session, { text: 'hi' });

    const { response, closing } = await closeDuringMessage(t, session);
    expect(response.status).toBe(200);
    const replies = ((await response.json()) as { messages: ChatMessage[] }).messages;
    expect(replies).toEqual([expect.objectContaining({ seq: 2, kind: 'text', text: expect.stringMatching(/full name/i) })]);

    // A message sent after shutdown began is refused: 503 SHUTTING_DOWN, or no connection at all.
    const late = await postJson(t.base, session, { text: 'Asha Rao' }).then(
      async (r) => ({ status: r.status, code: ((await r.json()) as ApiError).error.code }),
      (error: unknown) => ({ status: 0, code: String((error as { cause?: { code?: string } }).cause?.code ?? error) }),
    );
    if (late.status === 0) expect(late.code).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|UND_ERR_CLOSED/);
    else expect(late).toEqual({ status: 503, code: 'SHUTTING_DOWN' });

    await closing;
    expect(await tryConnect(t.port)).toBe('ECONNREFUSED');
  });

  it('lets go promptly once the message in progress is answered', async () => {
    const t = await start();
    const session = newSessionId();
    await say(t.base, session, { text: 'hi' });

    const { response, closing } = await closeDuringMessage(t, session);
    expect(response.status).toBe(200);
    await response.json();
    const answeredAt = performance.now();
    await closing;
    // Nothing is left to do: close() must not wait for the client to drop its idle keep-alive
    // connection (undici does after ~3 s, a browser after the server's 5 s keep-alive timeout).
    expect(performance.now() - answeredAt).toBeLessThan(1000);
  });

  it('keeps what was said: a restart on the same data dir continues the transcript', async () => {
    const t = await start();
    const session = newSessionId();
    const before = [...(await say(t.base, session, { text: 'hi' })), ...(await say(t.base, session, { text: 'book' }))];
    await t.app.close();

    const again = await startApp(loadConfig({ PORT: '0', DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' }), { host: '127.0.0.1', clock: t.clock });
    try {
      const base = again.url.replace('localhost', '127.0.0.1');
      expect(await history(base, session, 0)).toEqual(before);
      const next = await say(base, session, { text: 'Asha Rao' });
      expect(next[0]).toMatchObject({ seq: 3, kind: 'ask-contact' });
    } finally {
      await again.close();
    }
  });
});
