/**
 * Renders the PDFs in worker threads, so the tens of milliseconds of CPU each one costs (jsPDF
 * re-encodes the embedded fonts for every document) never block the event loop that answers every
 * other patient.
 *
 * A small pool: jobs queue and each worker takes one at a time. No thread exists until the first PDF
 * is asked for; an idle worker is unref'd, so it never keeps the process alive, and close() terminates
 * them all. A worker that dies mid-job fails only that job ({@link RenderWorkerCrashedError}) and the
 * next job starts a fresh one. Only if a worker cannot start at all (no worker threads on the platform,
 * the entry will not load) does the pool say so once in the log and render on the main thread instead.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Appointment } from '../../core/domain.js';
import type { ClinicInfo, DocumentDetails, DocumentRenderer } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { DocumentRenderError, RendererClosedError, RenderWorkerCrashedError } from './renderErrors.js';
import { confirmationJob, invoiceJob, renderJob, type RenderJob, type RenderRequest, type RenderWorkerMessage } from './renderJob.js';
import { siblingModule, startModuleWorker } from './workerStart.js';

export interface PdfRenderPoolOptions {
  logger: Logger;
  /** Worker threads at most; default {@link defaultRenderPoolSize}. */
  size?: number;
  /**
   * The worker's module; default renderWorker. Tests pass a module that speaks the same protocol
   * (renderJob.ts) to make a worker fail on purpose.
   */
  entry?: URL;
}

/** What the pool is doing, for health checks and tests. */
export interface RenderPoolStatus {
  /** Worker threads alive now (starting or started). */
  workers: number;
  /** Worker threads started since the pool was made (a replaced worker counts again). */
  started: number;
  /** Jobs waiting for a worker. */
  queued: number;
  /** 'in-thread' once workers could not start and the main thread renders instead. */
  mode: 'workers' | 'in-thread';
}

/** One core stays for the event loop; more than two workers would only fight it for CPU. */
export function defaultRenderPoolSize(): number {
  return Math.max(1, Math.min(2, os.availableParallelism() - 1));
}

interface QueuedJob {
  id: number;
  job: RenderJob;
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

interface PoolWorker {
  thread: Worker;
  /** It has loaded the renderer and its fonts and takes jobs. */
  ready: boolean;
  /** The job it is rendering. */
  job?: QueuedJob;
  /** The pool is terminating it: its exit is no crash. */
  retiring: boolean;
  /** Its uncaught error, if it died of one. */
  error?: Error;
}

export class PdfRenderPool implements DocumentRenderer {
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: QueuedJob[] = [];
  private readonly size: number;
  private readonly entry: URL;
  private nextId = 1;
  private started = 0;
  /** Set once workers could not start: the main thread's own renderer. */
  private inThread?: Promise<DocumentRenderer>;

  constructor(private readonly options: PdfRenderPoolOptions) {
    this.size = Math.max(1, options.size ?? defaultRenderPoolSize());
    this.entry = options.entry ?? siblingModule(import.meta.url, 'renderWorker');
  }

  renderConfirmation(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails): Promise<Uint8Array> {
    return this.render(confirmationJob(appointment, clinic, details));
  }

  renderInvoice(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails & { invoiceNo: string }): Promise<Uint8Array> {
    return this.render(invoiceJob(appointment, clinic, details));
  }

  /** Renders one job; resolves with the PDF's bytes. */
  render(job: RenderJob): Promise<Uint8Array> {
    if (this.inThread) return this.inThread.then((renderer) => renderJob(renderer, job));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  status(): RenderPoolStatus {
    return { workers: this.workers.size, started: this.started, queued: this.queue.length, mode: this.inThread ? 'in-thread' : 'workers' };
  }

  /**
   * Terminates every worker. Jobs waiting or in progress fail with {@link RendererClosedError}. The
   * pool stays usable: a later job starts a worker again.
   */
  async close(): Promise<void> {
    for (const waiting of this.queue.splice(0)) waiting.reject(new RendererClosedError());
    const exits: Promise<number>[] = [];
    for (const worker of this.workers) {
      worker.retiring = true;
      worker.job?.reject(new RendererClosedError());
      worker.job = undefined;
      exits.push(worker.thread.terminate());
    }
    this.workers.clear();
    await Promise.all(exits);
  }

  /** Hands waiting jobs to idle workers and starts workers (up to the size) for the rest. */
  private pump(): void {
    for (let idle = this.idleWorker(); idle && this.queue.length > 0; idle = this.idleWorker()) this.dispatch(idle, this.queue.shift()!);
    const starting = [...this.workers].filter((worker) => !worker.ready).length;
    for (let missing = this.queue.length - starting; missing > 0 && this.workers.size < this.size; missing -= 1) {
      if (!this.spawn()) return;
    }
  }

  private idleWorker(): PoolWorker | undefined {
    for (const worker of this.workers) if (worker.ready && !worker.job && !worker.retiring) return worker;
    return undefined;
  }

  private dispatch(worker: PoolWorker, queued: QueuedJob): void {
    worker.job = queued;
    // A worker at work keeps the process alive until it answers (a script awaiting one PDF must not exit).
    worker.thread.ref();
    try {
      worker.thread.postMessage({ id: queued.id, job: queued.job } satisfies RenderRequest);
    } catch (error) {
      // The job held something structured clone cannot copy: that job fails, the worker is fine.
      worker.job = undefined;
      worker.thread.unref();
      queued.reject(new DocumentRenderError(`The document could not be handed to the PDF render worker: ${messageOf(error)}`));
    }
  }

  /** Starts a worker; false (and the pool renders in-thread from now on) if none can start. */
  private spawn(): boolean {
    let thread: Worker;
    try {
      thread = startModuleWorker(this.entry);
    } catch (error) {
      this.fallBack(error);
      return false;
    }
    this.started += 1;
    const worker: PoolWorker = { thread, ready: false, retiring: false };
    this.workers.add(worker);
    thread.on('message', (message: RenderWorkerMessage) => this.onMessage(worker, message));
    thread.on('error', (error) => (worker.error = error));
    thread.on('messageerror', (error) => this.finish(worker, (job) => job.reject(new DocumentRenderError(`The PDF render worker's answer could not be read: ${error.message}`))));
    thread.on('exit', (code) => this.onExit(worker, code));
    return true;
  }

  private onMessage(worker: PoolWorker, message: RenderWorkerMessage): void {
    if (message.type === 'ready') {
      worker.ready = true;
      this.pump();
      if (!worker.job) worker.thread.unref();
      return;
    }
    if (worker.job?.id !== message.id) return;
    if (message.type === 'done') {
      this.finish(worker, (job) => job.resolve(message.bytes));
    } else {
      const { name, message: text } = message.error;
      this.finish(worker, (job) => job.reject(new DocumentRenderError(`The PDF could not be rendered (${name}: ${text}).`)));
    }
  }

  /** Settles the worker's job, then gives it the next one or lets it idle. */
  private finish(worker: PoolWorker, settle: (job: QueuedJob) => void): void {
    const job = worker.job;
    if (!job) return;
    worker.job = undefined;
    settle(job);
    if (this.inThread) {
      this.retire(worker);
      return;
    }
    this.pump();
    if (!worker.job) worker.thread.unref();
  }

  private onExit(worker: PoolWorker, exitCode: number): void {
    this.workers.delete(worker);
    if (worker.retiring) return;
    if (!worker.ready) {
      this.fallBack(worker.error ?? new Error(`the worker exited with code ${exitCode} before it was ready`));
      return;
    }
    const job = worker.job;
    worker.job = undefined;
    this.options.logger.warn({ exitCode, err: worker.error }, 'a PDF render worker stopped; a fresh one takes the next document');
    job?.reject(new RenderWorkerCrashedError(exitCode, worker.error?.message));
    this.pump();
  }

  /** Workers cannot start here: say so once, and render on the main thread from now on. */
  private fallBack(error: unknown): void {
    if (!this.inThread) {
      this.options.logger.warn({ err: error }, 'PDF render workers cannot start: rendering PDFs on the main thread instead');
      this.inThread = import('./pdfRenderer.js').then(({ JsPdfDocumentRenderer }) => new JsPdfDocumentRenderer());
      // If even that fails (fonts missing), each document's caller gets the error; none goes unhandled.
      this.inThread.catch(() => undefined);
      for (const worker of this.workers) if (!worker.job) this.retire(worker);
    }
    const renderer = this.inThread;
    for (const waiting of this.queue.splice(0)) {
      renderer.then((r) => renderJob(r, waiting.job)).then(waiting.resolve, waiting.reject);
    }
  }

  private retire(worker: PoolWorker): void {
    worker.retiring = true;
    this.workers.delete(worker);
    void worker.thread.terminate();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
