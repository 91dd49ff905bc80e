/**
 * The PDF render pool on real worker threads (the real render worker with real jsPDF, text read back
 * with pdf.js through unpdf): concurrent documents each come back whole and with their own text, a
 * worker that dies fails only its own job and is replaced, close() ends the threads, and a worker
 * that cannot start at all leaves the rendering to the main thread, said once in the log.
 */
import { existsSync, readdirSync } from 'node:fs';
import { extractText, getDocumentProxy } from 'unpdf';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DocumentRenderError, RendererClosedError, RenderWorkerCrashedError } from '../../../src/services/documents/renderErrors.js';
import { PdfRenderPool } from '../../../src/services/documents/renderPool.js';
import { sharedPdfRenderer } from '../../../src/services/documents/sharedRenderer.js';
import { TEST_SETTINGS } from '../../support/engineHarness.js';
import { CRASH_APPOINTMENT_ID, CRASH_EXIT_CODE } from './exitOnCrashJob.js';
import { paidAppointment } from './paidAppointment.js';

const clinic = TEST_SETTINGS.clinic;
const issuedAt = new Date('2026-11-21T05:00:00Z');

/** A logger whose warnings the test reads. */
function capturingLogger() {
  const warnings: { msg: string; exitCode?: number }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  return { logger, warnings };
}

async function pdfLines(bytes: Uint8Array): Promise<string[]> {
  expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.split('\n').map((line) => line.trim());
}

function entry(file: string): URL {
  return new URL(`./${file}`, import.meta.url);
}

/** Threads of this process, where the platform tells (Linux). */
const threadCount = existsSync('/proc/self/task') ? () => readdirSync('/proc/self/task').length : undefined;

const pools: PdfRenderPool[] = [];
function pool(options: Partial<ConstructorParameters<typeof PdfRenderPool>[0]> = {}): PdfRenderPool {
  const made = new PdfRenderPool({ logger: pino({ level: 'silent' }), ...options });
  pools.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('the PDF render pool', () => {
  it('starts no worker until the first PDF', () => {
    expect(pool().status()).toEqual({ workers: 0, started: 0, queued: 0, mode: 'workers' });
  });

  it('renders concurrent confirmations and invoices on at most its size of workers, each PDF with its own text', async () => {
    const renderers = pool({ size: 2 });
    const names = ['Asha राव', 'Zoë Müller', 'Ravi Kumar', 'आशा', 'Li Wei', 'Omar Haddad', 'Priya Nair', 'Kiran Desai'];
    const jobs = names.map((name, i) => {
      const booked = paidAppointment(`APT-${i}`, name);
      return i % 2 === 0
        ? renderers.renderConfirmation(booked, clinic, { specialty: 'General Physician', issuedAt })
        : renderers.renderInvoice(booked, clinic, { specialty: 'General Physician', issuedAt, invoiceNo: `INV-2026-00000${i}` });
    });
    expect(renderers.status()).toMatchObject({ workers: 2, queued: names.length });

    const pdfs = await Promise.all(jobs);
    expect(renderers.status()).toEqual({ workers: 2, started: 2, queued: 0, mode: 'workers' });
    for (const [i, bytes] of pdfs.entries()) {
      expect(bytes).toBeInstanceOf(Uint8Array);
      const lines = await pdfLines(bytes);
      expect(lines).toContain(`Appointment ID: APT-${i}`);
      expect(lines).toContain(`Payment ID: pay_APT-${i}`);
      expect(lines).toContain(i % 2 === 0 ? 'Appointment confirmation' : 'Invoice');
      if (i % 2 === 1) expect(lines).toContain(`Invoice number: INV-2026-00000${i}`);
      expect(lines).toContain('Date and time: Sat, 21 Nov 2026 at 11:00 AM (Asia/Kolkata)');
      expect(lines).toContain(i % 2 === 0 ? 'Issued: 21 Nov 2026' : 'Invoice date: 21 Nov 2026');
    }
    expect(await pdfLines(pdfs[0]!)).toContain('Patient: Asha राव (Asha Rav)');
    expect(await pdfLines(pdfs[1]!)).toContain('Patient: Zoë Müller');
  });

  it('fails only the job whose worker died, with the typed error, and the next job gets a fresh worker', async () => {
    const { logger, warnings } = capturingLogger();
    const renderers = pool({ size: 1, entry: entry('crashingRenderWorker.ts'), logger });
    const details = { specialty: 'General Physician', issuedAt };

    const crashed = renderers.renderConfirmation(paidAppointment(CRASH_APPOINTMENT_ID, 'Asha Rao'), clinic, details);
    // Queued behind the crash on the only worker: it must be rendered by the replacement.
    const behind = renderers.renderConfirmation(paidAppointment('APT-BEHIND', 'Ravi Kumar'), clinic, details);

    const error = await crashed.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RenderWorkerCrashedError);
    expect(error).toBeInstanceOf(DocumentRenderError);
    expect((error as RenderWorkerCrashedError).exitCode).toBe(CRASH_EXIT_CODE);
    expect((error as Error).message).toMatch(/render worker stopped \(exit code 70\).*ask for this one again/);

    expect(await pdfLines(await behind)).toContain('Appointment ID: APT-BEHIND');
    expect(await pdfLines(await renderers.renderConfirmation(paidAppointment('APT-NEXT', 'Li Wei'), clinic, details))).toContain('Appointment ID: APT-NEXT');
    expect(renderers.status()).toEqual({ workers: 1, started: 2, queued: 0, mode: 'workers' });
    expect(warnings.map((w) => [w.msg, w.exitCode])).toEqual([['a PDF render worker stopped; a fresh one takes the next document', CRASH_EXIT_CODE]]);
  });

  it('fails a document the renderer rejects, or that cannot be handed to the worker, without losing the worker', async () => {
    const renderers = pool({ size: 1 });
    // Both wait for the one worker to start; the one that cannot be copied to it must not hold up the other.
    const uncopyable = renderers.renderConfirmation({ ...paidAppointment('APT-FN', 'Asha Rao'), notes: (() => 'x') as unknown as string }, clinic, { specialty: '', issuedAt });
    const fine = renderers.renderConfirmation(paidAppointment('APT-FINE', 'Asha Rao'), clinic, { specialty: '', issuedAt });
    await expect(uncopyable).rejects.toThrow(/could not be handed to the PDF render worker/);
    await expect(uncopyable).rejects.toThrow(DocumentRenderError);
    expect(await pdfLines(await fine)).toContain('Appointment ID: APT-FINE');

    const bad = renderers.renderConfirmation(paidAppointment('APT-BAD', 'Asha Rao'), { ...clinic, currency: 'NOT-A-CURRENCY' }, { specialty: '', issuedAt });
    await expect(bad).rejects.toThrow(DocumentRenderError);
    await expect(bad).rejects.toThrow(/could not be rendered \(RangeError: .*currency/i);
    expect(await pdfLines(await renderers.renderConfirmation(paidAppointment('APT-OK', 'Asha Rao'), clinic, { specialty: '', issuedAt }))).toContain('Appointment ID: APT-OK');
    expect(renderers.status()).toMatchObject({ workers: 1, started: 1 });
  });

  it('close() terminates its worker threads and fails the documents still in progress; a later document starts a new worker', async () => {
    const renderers = pool({ size: 2 });
    const details = { specialty: '', issuedAt };
    await Promise.all([1, 2].map((i) => renderers.renderConfirmation(paidAppointment(`APT-${i}`, 'Asha Rao'), clinic, details)));
    expect(renderers.status()).toMatchObject({ workers: 2, started: 2 });

    const threadsBefore = threadCount?.();
    const inProgress = renderers.renderConfirmation(paidAppointment('APT-LATE', 'Asha Rao'), clinic, details).catch((error: unknown) => error);
    await renderers.close();
    expect(await inProgress).toBeInstanceOf(RendererClosedError);
    expect(renderers.status()).toMatchObject({ workers: 0, queued: 0 });
    // The two threads are gone from the process itself, not just from the pool's books. (At least two:
    // a thread of an earlier test's pool may still have been winding down when the count was taken.)
    if (threadsBefore !== undefined) expect(threadCount!()).toBeLessThanOrEqual(threadsBefore - 2);

    expect(await pdfLines(await renderers.renderConfirmation(paidAppointment('APT-AGAIN', 'Asha Rao'), clinic, details))).toContain('Appointment ID: APT-AGAIN');
    expect(renderers.status()).toMatchObject({ workers: 1, started: 3 });
  });

  it('renders on the main thread when no worker can start, saying so once', async () => {
    const { logger, warnings } = capturingLogger();
    const renderers = pool({ entry: entry('brokenRenderWorker.ts'), logger });
    const details = { specialty: '', issuedAt };
    const pdfs = await Promise.all([1, 2, 3].map((i) => renderers.renderConfirmation(paidAppointment(`APT-${i}`, 'Asha Rao'), clinic, details)));
    for (const [i, bytes] of pdfs.entries()) expect(await pdfLines(bytes)).toContain(`Appointment ID: APT-${i + 1}`);
    expect(await pdfLines(await renderers.renderInvoice(paidAppointment('APT-4', 'Asha Rao'), clinic, { ...details, invoiceNo: 'INV-1' }))).toContain('Invoice number: INV-1');
    expect(renderers.status()).toEqual({ workers: 0, started: 1, queued: 0, mode: 'in-thread' });
    expect(warnings.map((w) => w.msg)).toEqual(['PDF render workers cannot start: rendering PDFs on the main thread instead']);
  });
});

describe('the shared render pool', () => {
  it('keeps its threads while any handle is open and refuses documents on a closed handle', async () => {
    const logger = pino({ level: 'silent' });
    const first = sharedPdfRenderer(logger);
    const second = sharedPdfRenderer(logger);
    const details = { specialty: '', issuedAt };
    const threadsIdle = threadCount?.();
    await first.renderConfirmation(paidAppointment('APT-1', 'Asha Rao'), clinic, details);

    await first.close();
    await expect(first.renderConfirmation(paidAppointment('APT-2', 'Asha Rao'), clinic, details)).rejects.toThrow(RendererClosedError);
    // The other handle still renders on the same pool.
    expect(await pdfLines(await second.renderConfirmation(paidAppointment('APT-3', 'Asha Rao'), clinic, details))).toContain('Appointment ID: APT-3');
    const threadsRunning = threadCount?.();

    await second.close();
    if (threadsIdle !== undefined) {
      expect(threadsRunning).toBe(threadsIdle + 1);
      expect(threadCount!()).toBe(threadsIdle);
    }
  });
});
