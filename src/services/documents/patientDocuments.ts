/**
 * The patient's confirmation and invoice PDFs: generated once, kept privately in the document vault
 * (reachable only through signed, expiring links), recorded in SQLite, and sent again from there. An
 * invoice gets its number the first time it is made and keeps it on every resend.
 */
import type Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import type { DocumentFiles } from '../../core/delivery.js';
import type { Appointment } from '../../core/domain.js';
import { KeyedLock } from '../../core/keyedLock.js';
import type { AdminAlerts, ClinicInfo, ClinicStore, Clock, DocumentMessage, DocumentRenderer, Notifier, PatientDocuments } from '../../core/ports.js';
// From the jsPDF-free module: this service runs on the main thread, the PDF library in the render workers.
import { formatAmount } from '../payments/money.js';
import { SqliteDocumentRecords, type PatientDocumentKind } from '../../store/sqlite/documentRecords.js';
import type { Logger } from '../../logging.js';
import { BacklogDrainer } from '../backlogDrainer.js';

export interface PatientDocumentServiceOptions {
  db: Database.Database;
  store: ClinicStore;
  /** Private storage of the PDF bytes (the document vault). */
  files: DocumentFiles;
  /** Renders the PDFs; its close(), if any, is called by {@link PatientDocumentService.close}. */
  renderer: DocumentRenderer & { close?(): Promise<void> };
  notifier: Notifier;
  /** Told when an owed document could not be made after every attempt. */
  alerts?: AdminAlerts;
  clock: Clock;
  logger: Logger;
  clinic: ClinicInfo;
}

const PDF = 'application/pdf';
/** Owed documents made at once: enough to keep the render workers busy, few enough not to queue long. */
const OWED_AT_ONCE = 4;
/** Failed attempts after which an owed document is given up and the admins are told. */
const OWED_MAX_ATTEMPTS = 5;

export class PatientDocumentService implements PatientDocuments {
  private readonly records: SqliteDocumentRecords;
  /** One generation at a time per appointment and kind, so a double request makes one document. */
  private readonly lock = new KeyedLock();
  private readonly owed: BacklogDrainer;
  private closed = false;

  constructor(private readonly options: PatientDocumentServiceOptions) {
    this.records = new SqliteDocumentRecords(options.db);
    this.owed = new BacklogDrainer({
      // Nothing new is started once closing: what is left is sent after the next start.
      pending: () => (this.closed ? [] : this.records.owedDocuments('confirmation', OWED_MAX_ATTEMPTS, 100)),
      work: async (appointmentId) => !this.closed && (await this.sendOwedConfirmation(appointmentId)),
      concurrency: OWED_AT_ONCE,
      onReadError: (error) => options.logger.error({ err: error }, 'owed documents could not be read; the next sweep tries again'),
    });
  }

  async oweConfirmation(appointment: Appointment): Promise<void> {
    this.records.oweDocument(appointment.id, 'confirmation', this.options.clock.now());
  }

  /**
   * Makes and pushes the owed confirmations, each at most once (the push's dedupe key), in the order
   * they were owed. Called after the turn that confirmed a booking, and by the scheduler's sweep for
   * anything a crash or a failure left behind.
   */
  sendOwed(): Promise<void> {
    return this.owed.drain();
  }

  /** The confirmation PDF; made again when the appointment changed since (paid online, moved). */
  async confirmation(appointment: Appointment): Promise<DocumentMessage> {
    return this.document(
      appointment,
      'confirmation',
      async () => {
        const { renderer, clinic, clock } = this.options;
        const bytes = await renderer.renderConfirmation(appointment, clinic, { specialty: await this.specialty(appointment), issuedAt: clock.now() });
        return { bytes, fileName: `confirmation-${appointment.id}.pdf` };
      },
      confirmationFacts(appointment),
    );
  }

  async invoice(appointment: Appointment): Promise<DocumentMessage> {
    return this.document(appointment, 'invoice', async () => {
      const { renderer, clinic, clock, store } = this.options;
      const now = clock.now();
      // The invoice's year is the clinic's year on the day it is issued.
      const year = DateTime.fromJSDate(now, { zone: clinic.timezone }).year;
      const { invoiceNo, issuedAt } = this.records.invoiceNumberFor(appointment.id, year, now);
      const bytes = await renderer.renderInvoice(appointment, clinic, {
        specialty: await this.specialty(appointment),
        issuedAt: new Date(issuedAt),
        invoiceNo,
      });
      if (appointment.invoiceNo !== invoiceNo) await store.updateAppointment(appointment.id, { invoiceNo }, now);
      return { bytes, fileName: `invoice-${invoiceNo}.pdf` };
    });
  }

  /**
   * Issues the invoice for a fee paid in cash at the clinic (the admin's /paid) and sends it to the
   * patient once. Resolves with the invoice number.
   */
  async sendCashInvoice(appointment: Appointment): Promise<{ invoiceNo: string; sent: boolean }> {
    const current = (await this.options.store.getAppointment(appointment.id)) ?? appointment;
    const paid: Appointment = { ...current, paymentMode: current.paymentMode ?? 'CLINIC', paymentStatus: 'PAID' };
    const invoice = await this.invoice(paid);
    const sent = await this.options.notifier.send(
      paid.conversation,
      [
        { kind: 'text', text: `Thank you! We received ${formatAmount(paid.fee, this.options.clinic.currency)} for your appointment ${paid.id}. Here is your invoice.` },
        invoice,
      ],
      { dedupeKey: `invoice:${paid.id}` },
    );
    return { invoiceNo: this.records.findInvoice(paid.id)!, sent };
  }

  /** Lets go of the renderer (its worker threads) at shutdown, after the documents being made. */
  async close(): Promise<void> {
    this.closed = true;
    await this.owed.idle();
    await this.options.renderer.close?.();
  }

  private async sendOwedConfirmation(appointmentId: string): Promise<boolean> {
    const { store, notifier, alerts, logger } = this.options;
    try {
      const appointment = await store.getAppointment(appointmentId);
      // Cancelled (or gone) before its PDF was made: the patient was told that instead.
      if (appointment?.status === 'CONFIRMED') {
        const confirmation = await this.confirmation(appointment);
        await notifier.send(appointment.conversation, [confirmation], { dedupeKey: `confirmation:${appointment.id}` });
      }
      this.records.settleOwedDocument(appointmentId, 'confirmation');
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const attempts = this.records.owedDocumentFailed(appointmentId, 'confirmation', reason);
      logger.error({ err: error, appointmentId, attempts }, 'confirmation document could not be sent yet');
      if (attempts >= OWED_MAX_ATTEMPTS) {
        await alerts
          ?.alert(`⚠️ The confirmation PDF of ${appointmentId} could not be made (${reason.slice(0, 200)}). The booking stands; the patient has the confirmation text.`, {
            dedupeKey: `confirmation-failed:${appointmentId}`,
          })
          .catch(() => undefined);
      }
      return false;
    }
  }

  private async specialty(appointment: Appointment): Promise<string> {
    return (await this.options.store.getDoctor(appointment.doctorId))?.specialty ?? '';
  }

  /**
   * The stored document of this kind, or a new one from `make`.
   * @param depicts what the document shows of the appointment: a stored one that shows something
   *   else is out of date and made again (an invoice keeps its first form: it records a payment)
   */
  private async document(
    appointment: Appointment,
    kind: PatientDocumentKind,
    make: () => Promise<{ bytes: Uint8Array; fileName: string }>,
    depicts: string | null = null,
  ): Promise<DocumentMessage> {
    const { files, clock, logger } = this.options;
    return this.lock.run(`${appointment.id}:${kind}`, async () => {
      const stored = this.records.getDocument(appointment.id, kind);
      const current = stored && (stored.depicts === null || depicts === null || stored.depicts === depicts);
      if (stored && current) {
        const file = await files.get(stored.fileId);
        if (file) return message(kind, stored.fileName, file.bytes, stored.fileId);
        logger.warn({ appointmentId: appointment.id, kind }, 'stored document file is missing; making it again');
      }
      const made = await make();
      const fileId = await files.put({ fileName: made.fileName, mime: PDF, bytes: made.bytes });
      if (stored) {
        this.records.replaceFile(appointment.id, kind, fileId, depicts);
        return message(kind, made.fileName, made.bytes, fileId);
      }
      const kept = this.records.saveDocument({ appointmentId: appointment.id, kind, fileId, fileName: made.fileName, createdAt: clock.now().toISOString(), depicts });
      if (kept.fileId !== fileId) {
        // Another process recorded one first: send that one, so every copy is the same document.
        const winner = await files.get(kept.fileId);
        if (winner) return message(kind, kept.fileName, winner.bytes, kept.fileId);
      }
      return message(kind, made.fileName, made.bytes, fileId);
    });
  }
}

/** What a confirmation shows that can change after it was made. */
function confirmationFacts(appointment: Appointment): string {
  const { doctorId, doctorName, date, time, fee, paymentMode, paymentStatus, paymentId } = appointment;
  return JSON.stringify([doctorId, doctorName, date, time, fee, paymentMode, paymentStatus, paymentId]);
}

/** The document as a message; `fileId` is its copy in the vault, so the outbox refers to it instead of storing it again. */
function message(kind: PatientDocumentKind, fileName: string, bytes: Uint8Array, fileId: string): DocumentMessage {
  return {
    kind: 'document',
    fileName,
    mime: PDF,
    bytes,
    caption: kind === 'invoice' ? 'Your invoice (PDF)' : 'Your appointment confirmation (PDF)',
    fileId,
  };
}
