/**
 * Report uploads through the web chat API: a patient books an appointment, then sends files as
 * multipart. Real files are judged by their bytes, stored privately under DATA_DIR/reports and never
 * served over HTTP; oversized uploads are refused before they reach the flow.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bookAndAskToUpload,
  history,
  newSessionId,
  SMALL_PDF,
  startAppsClosedAfterEach,
  TINY_PNG,
  upload,
  type ApiError,
  type ChatMessage,
  type TestApp,
} from './helpers.js';

const start = startAppsClosedAfterEach();

async function storedReports(t: TestApp, appointmentId: string): Promise<string[]> {
  const dir = path.join(t.dataDir, 'reports', appointmentId);
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

async function repliesOf(response: Response): Promise<ChatMessage[]> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { messages: ChatMessage[] }).messages;
}

describe('report uploads', () => {
  it('stores a real PDF privately under DATA_DIR/reports/<appointment id>/ and acknowledges it', async () => {
    const t = await start();
    const session = newSessionId();
    const appointmentId = await bookAndAskToUpload(t.base, session);

    const replies = await repliesOf(await upload(t.base, session, SMALL_PDF, 'blood-test.pdf', 'application/pdf'));
    expect(replies[0]?.kind).toBe('text');
    expect(replies[0]!.text).toMatch(/thank you, the report is attached/i);
    expect(replies[0]!.text).toContain(appointmentId);
    // The upload prompt comes back for another report, with a Done button.
    expect(replies.at(-1)?.options?.map((o) => o.id)).toEqual(['done']);

    const files = await storedReports(t, appointmentId);
    expect(files).toHaveLength(1);
    const [fileName] = files;
    expect(fileName).toMatch(/^[0-9a-f-]{36}\.pdf$/);
    const full = path.join(t.dataDir, 'reports', appointmentId, fileName!);
    expect(await readFile(full)).toEqual(SMALL_PDF);
    expect((await stat(full)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(full))).mode & 0o777).toBe(0o700);

    // Not reachable over HTTP under any plausible path.
    const reportId = fileName!.replace(/\.pdf$/, '');
    const guesses = [
      `/reports/${appointmentId}/${fileName}`,
      `/reports/${fileName}`,
      `/data/reports/${appointmentId}/${fileName}`,
      `/data/${fileName}`,
      `/${fileName}`,
      `/${appointmentId}/${fileName}`,
      `/files/${reportId}`,
      `/files/${fileName}`,
      `/api/reports/${appointmentId}/${fileName}`,
      `/public/../reports/${appointmentId}/${fileName}`,
      `/%2e%2e/reports/${appointmentId}/${fileName}`,
      '/clinic.db',
      '/keys/download-signing.key',
    ];
    for (const guess of guesses) {
      const response = await fetch(`${t.base}${guess}`);
      const body = Buffer.from(await response.arrayBuffer());
      expect(response.status, guess).not.toBe(200);
      expect(body.includes(Buffer.from('%PDF')), guess).toBe(false);
    }

    // Finishing the upload step thanks the patient for the report.
    const done = await repliesOf(
      await fetch(`${t.base}/api/chat/${session}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ choice: 'done' }),
      }),
    );
    expect(done[0]?.text).toMatch(/doctor will see your reports/i);
  });

  for (const [what, bytes] of [
    ['a Windows program', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 0x90)])],
    ['plain text', Buffer.from('These are my blood test results: all fine.\n'.repeat(20))],
  ] as const) {
    it(`refuses ${what} named .pdf with a friendly reply and stores nothing`, async () => {
      const t = await start();
      const session = newSessionId();
      const appointmentId = await bookAndAskToUpload(t.base, session);
      const before = (await history(t.base, session, 0)).length;

      const replies = await repliesOf(await upload(t.base, session, bytes, 'report.pdf', 'application/pdf'));
      // One message: why the file was refused, over the upload prompt with its Done button.
      expect(replies).toHaveLength(1);
      expect(replies[0]!.text).toMatch(/must be a PDF, JPG or PNG/);
      expect(replies[0]!.options?.map((o) => o.id)).toEqual(['done']);
      expect(replies.map((m) => m.text).join('\n')).not.toMatch(/attached/i);
      expect(await storedReports(t, appointmentId)).toEqual([]);
      // The chat is still waiting for a report: a real one is accepted next.
      expect((await history(t.base, session, 0)).length).toBe(before + replies.length);
      const retry = await repliesOf(await upload(t.base, session, SMALL_PDF, 'report.pdf', 'application/pdf'));
      expect(retry[0]!.text).toMatch(/attached/);
      expect(await storedReports(t, appointmentId)).toHaveLength(1);
    });
  }

  it('refuses a file over MAX_UPLOAD_MB with 413 FILE_TOO_LARGE and stores nothing', async () => {
    const t = await start({ MAX_UPLOAD_MB: '1' });
    const session = newSessionId();
    const appointmentId = await bookAndAskToUpload(t.base, session);
    const before = await history(t.base, session, 0);

    // A genuine PDF header, so only the size can be the reason.
    const big = Buffer.concat([SMALL_PDF, Buffer.alloc(Math.round(1.2 * 1024 * 1024), 0x20)]);
    const response = await upload(t.base, session, big, 'scan.pdf', 'application/pdf');
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as ApiError;
    expect(body.error.code).toBe('FILE_TOO_LARGE');
    expect(body.error.message).toMatch(/1 MB/);

    expect(await storedReports(t, appointmentId)).toEqual([]);
    expect(await history(t.base, session, 0)).toEqual(before);

    // The service is fine afterwards and a small file still goes through.
    const ok = await repliesOf(await upload(t.base, session, SMALL_PDF, 'report.pdf', 'application/pdf'));
    expect(ok[0]!.text).toMatch(/attached/);
  });

  it('refuses a voice clip over MAX_UPLOAD_MB with 413 and words about voice notes, not reports', async () => {
    const t = await start({ MAX_UPLOAD_MB: '1' });
    const session = newSessionId();
    const form = new FormData();
    form.append('voice', new Blob([new Uint8Array(Math.round(1.2 * 1024 * 1024))], { type: 'audio/wav' }), 'voice.wav');
    const response = await fetch(`${t.base}/api/chat/${session}/messages`, { method: 'POST', body: form });
    expect(response.status).toBe(413);
    const body = (await response.json()) as ApiError;
    expect(body.error).toEqual({ code: 'FILE_TOO_LARGE', message: expect.stringContaining('voice note is too long') });
    expect(body.error.message).not.toMatch(/report/i);
  });

  it('accepts a PNG and stores it as .png', async () => {
    const t = await start();
    const session = newSessionId();
    const appointmentId = await bookAndAskToUpload(t.base, session);

    // Declared as something else: the bytes decide.
    const replies = await repliesOf(await upload(t.base, session, TINY_PNG, 'photo-of-report', 'application/octet-stream'));
    expect(replies[0]!.text).toMatch(/attached/);
    const files = await storedReports(t, appointmentId);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.png$/);
    expect(await readFile(path.join(t.dataDir, 'reports', appointmentId, files[0]!))).toEqual(TINY_PNG);
  });

  it('takes a report in a field of any name, as a client other than the page may send it', async () => {
    const t = await start();
    const session = newSessionId();
    const appointmentId = await bookAndAskToUpload(t.base, session);
    const replies = await repliesOf(await upload(t.base, session, SMALL_PDF, 'blood-test.pdf', 'application/pdf', 'report'));
    expect(replies[0]!.text).toMatch(/attached/);
    expect(await storedReports(t, appointmentId)).toHaveLength(1);
  });

  it('refuses a multipart request with two files with 400 BAD_UPLOAD', async () => {
    const t = await start();
    const session = newSessionId();
    const appointmentId = await bookAndAskToUpload(t.base, session);
    const form = new FormData();
    form.append('file', new Blob([SMALL_PDF], { type: 'application/pdf' }), 'a.pdf');
    form.append('report', new Blob([SMALL_PDF], { type: 'application/pdf' }), 'b.pdf');
    const response = await fetch(`${t.base}/api/chat/${session}/messages`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ApiError).error.code).toBe('BAD_UPLOAD');
    expect(await storedReports(t, appointmentId)).toEqual([]);
  });

  // A broken request is the client's fault: a 4xx the client can act on, not a 500 "our side" error.
  for (const [what, contentType, body] of [
    ['a truncated multipart body', 'multipart/form-data; boundary=----x', '------x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4'],
    ['multipart without a boundary', 'multipart/form-data', 'garbage'],
  ] as const) {
    it(`answers ${what} with 400 JSON, not 500`, async () => {
      const t = await start();
      const session = newSessionId();
      const response = await fetch(`${t.base}/api/chat/${session}/messages`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const error = ((await response.json()) as ApiError).error;
      expect({ status: response.status, code: error.code }).toEqual({ status: 400, code: expect.stringMatching(/^BAD_(UPLOAD|REQUEST)$/) });
      expect(await history(t.base, session, 0)).toEqual([]);
    });
  }
});
