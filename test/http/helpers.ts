/**
 * Shared by the HTTP tests: the real app on 127.0.0.1 with a fresh data directory and a clock the test
 * controls, plus a small client for the web chat API.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import type { WebMessage } from '../../src/channels/web/webChatChannel.js';
import { loadConfig } from '../../src/config.js';
import { TestClock } from '../support/clock.js';

export { TestClock };
export { SMALL_PDF, TINY_PNG } from '../support/files.js';

/** A Monday morning in the clinic's time zone (09:30 IST): sample slots later that day are bookable. */
export const START_TIME = new Date('2026-03-02T04:00:00Z');

export interface TestApp {
  app: RunningApp;
  /** http://127.0.0.1:PORT */
  base: string;
  port: number;
  dataDir: string;
  clock: TestClock;
  /** Closes the app (once) and removes its data directory. */
  dispose(): Promise<void>;
}

/** Starts the real app with PORT 0, a fresh DATA_DIR and silent logs; `env` adds or overrides variables. */
export async function startTestApp(env: Record<string, string> = {}, clock = new TestClock(START_TIME)): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'clinic-http-'));
  let app: RunningApp;
  try {
    app = await startApp(loadConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env }), { host: '127.0.0.1', clock });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = new URL(app.url);
  const base = `http://127.0.0.1:${url.port}`;
  let disposed: Promise<void> | undefined;
  return {
    app,
    base,
    port: Number(url.port),
    dataDir,
    clock,
    dispose: () =>
      (disposed ??= (async () => {
        try {
          await app.close();
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      })()),
  };
}

/** Returns a starter whose apps are all disposed after each test of the file that calls it. */
export function startAppsClosedAfterEach(): (env?: Record<string, string>) => Promise<TestApp> {
  const apps: TestApp[] = [];
  afterEach(async () => {
    while (apps.length > 0) await apps.pop()!.dispose();
  });
  return async (env = {}) => {
    const app = await startTestApp(env);
    apps.push(app);
    return app;
  };
}

/** A fresh web chat session id: 22 URL-safe characters (128 bits), like the page makes. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

/** A message as the web chat API returns it. */
export type ChatMessage = WebMessage;

export interface ApiError {
  error: { code: string; message: string };
}

export function messagesUrl(base: string, sessionId: string): string {
  return `${base}/api/chat/${sessionId}/messages`;
}

/** POSTs a JSON body (any value, so tests can send malformed ones). */
export async function postJson(base: string, sessionId: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(messagesUrl(base, sessionId), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Sends a message that must succeed and returns its replies. */
export async function say(base: string, sessionId: string, body: { text: string } | { choice: string }, headers: Record<string, string> = {}): Promise<ChatMessage[]> {
  const response = await postJson(base, sessionId, body, headers);
  const json = (await response.json()) as { messages: ChatMessage[] } | ApiError;
  if (response.status !== 200 || !('messages' in json)) {
    throw new Error(`POST ${JSON.stringify(body)} -> ${response.status} ${JSON.stringify(json)}`);
  }
  return json.messages;
}

export async function history(base: string, sessionId: string, after = 0): Promise<ChatMessage[]> {
  const response = await fetch(`${messagesUrl(base, sessionId)}?after=${after}`);
  if (response.status !== 200) throw new Error(`GET history -> ${response.status} ${await response.text()}`);
  return ((await response.json()) as { messages: ChatMessage[] }).messages;
}

/** Uploads one file as the multipart field `field` ("file", as the page sends it, unless told). */
export async function upload(base: string, sessionId: string, bytes: Uint8Array, fileName: string, mime: string, field = 'file'): Promise<Response> {
  const form = new FormData();
  form.append(field, new Blob([bytes], { type: mime }), fileName);
  return fetch(messagesUrl(base, sessionId), { method: 'POST', body: form });
}

/**
 * Books an appointment by chatting, paying at the clinic, and chooses "Upload a report".
 * Returns the appointment id from the confirmation.
 */
export async function bookAndAskToUpload(base: string, sessionId: string): Promise<string> {
  const answers = ['hi', 'book', 'Asha Rao', '98765 43210', '34', 'Female', 'fever for 3 days', '1', '1'];
  for (const text of answers) await say(base, sessionId, { text });
  const confirmation = await say(base, sessionId, { text: 'Pay at the clinic' });
  const confirmed = confirmation.find((m) => m.text.includes('Appointment confirmed'));
  const id = /ID: (APT-[A-Za-z0-9]+)/.exec(confirmed?.text ?? '')?.[1];
  if (!id) throw new Error(`no confirmation in ${JSON.stringify(confirmation)}`);
  const prompt = await say(base, sessionId, { text: 'Upload a report' });
  if (!prompt.some((m) => m.kind === 'menu' && /send the report/i.test(m.text))) {
    throw new Error(`no upload prompt in ${JSON.stringify(prompt)}`);
  }
  return id;
}
