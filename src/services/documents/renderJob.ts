/**
 * One PDF to render, as plain data that crosses to a render worker by structured clone (no Dates, no
 * class instances), and the messages the worker answers with. Both sides of the worker boundary and
 * the in-thread fallback render a job through {@link renderJob}, so they cannot drift apart.
 */
import type { Appointment } from '../../core/domain.js';
import type { ClinicInfo, DocumentDetails, DocumentRenderer } from '../../core/ports.js';

/** What a document shows besides the appointment and the clinic, with the issue instant as epoch ms. */
export interface RenderJobDetails {
  specialty: string;
  issuedAtMs: number;
  /** Invoices only. */
  invoiceNo?: string;
}

/** A confirmation or an invoice to render. */
export interface RenderJob {
  kind: 'confirmation' | 'invoice';
  appointment: Appointment;
  clinic: ClinicInfo;
  details: RenderJobDetails;
}

/** Main thread -> worker: render this job and answer with the same id. */
export interface RenderRequest {
  id: number;
  job: RenderJob;
}

/** Worker -> main thread. */
export type RenderWorkerMessage =
  /** The worker has loaded the renderer and its fonts and takes jobs. */
  | { type: 'ready' }
  /** The PDF of job `id`; its ArrayBuffer is transferred, not copied. */
  | { type: 'done'; id: number; bytes: Uint8Array }
  /** Job `id` failed inside the renderer (the worker itself is fine). */
  | { type: 'failed'; id: number; error: { name: string; message: string } };

export function confirmationJob(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails): RenderJob {
  return { kind: 'confirmation', appointment, clinic, details: { specialty: details.specialty, issuedAtMs: details.issuedAt.getTime() } };
}

export function invoiceJob(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails & { invoiceNo: string }): RenderJob {
  return {
    kind: 'invoice',
    appointment,
    clinic,
    details: { specialty: details.specialty, issuedAtMs: details.issuedAt.getTime(), invoiceNo: details.invoiceNo },
  };
}

/** Renders a job with a renderer of this thread. */
export function renderJob(renderer: DocumentRenderer, job: RenderJob): Promise<Uint8Array> {
  const { specialty, issuedAtMs, invoiceNo } = job.details;
  const issuedAt = new Date(issuedAtMs);
  if (job.kind === 'invoice') return renderer.renderInvoice(job.appointment, job.clinic, { specialty, issuedAt, invoiceNo: invoiceNo ?? '' });
  return renderer.renderConfirmation(job.appointment, job.clinic, { specialty, issuedAt });
}
