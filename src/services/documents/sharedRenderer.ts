/**
 * The process's one PDF render pool. Rendering is CPU work for the whole process, so every document
 * service in it (one in production; several when tests start several apps) shares the same few worker
 * threads instead of each starting its own. Each service holds a handle; when the last handle is
 * closed the pool's threads are terminated.
 */
import type { Appointment } from '../../core/domain.js';
import type { ClinicInfo, DocumentDetails, DocumentRenderer } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { RendererClosedError } from './renderErrors.js';
import { PdfRenderPool } from './renderPool.js';

let shared: { pool: PdfRenderPool; handles: number } | undefined;

/** A document service's handle on the shared pool. */
export class SharedPdfRenderer implements DocumentRenderer {
  private closed = false;

  constructor(
    private readonly pool: PdfRenderPool,
    private readonly release: () => Promise<void>,
  ) {}

  renderConfirmation(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new RendererClosedError());
    return this.pool.renderConfirmation(appointment, clinic, details);
  }

  renderInvoice(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails & { invoiceNo: string }): Promise<Uint8Array> {
    if (this.closed) return Promise.reject(new RendererClosedError());
    return this.pool.renderInvoice(appointment, clinic, details);
  }

  /** Lets go of the pool; the last handle to let go terminates its threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.release();
  }
}

/**
 * A handle on the process's render pool, made on first use (its threads only with the first PDF). The
 * pool logs, once, to the logger of the first caller.
 */
export function sharedPdfRenderer(logger: Logger): SharedPdfRenderer {
  const entry = (shared ??= { pool: new PdfRenderPool({ logger }), handles: 0 });
  entry.handles += 1;
  return new SharedPdfRenderer(entry.pool, async () => {
    entry.handles -= 1;
    if (entry.handles === 0) await entry.pool.close();
  });
}
