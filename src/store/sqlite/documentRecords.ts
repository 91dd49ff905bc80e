/**
 * Invoice numbers and generated patient documents in the local SQLite file (see migration 004).
 */
import type Database from 'better-sqlite3';
import { toIsoInstant } from './rows.js';

export type PatientDocumentKind = 'confirmation' | 'invoice';

/** A generated document of an appointment, kept in the private document vault. */
export interface PatientDocumentRecord {
  appointmentId: string;
  kind: PatientDocumentKind;
  fileId: string;
  fileName: string;
  createdAt: string;
  /** What the document shows of its appointment, to tell when it is out of date (null: unknown). */
  depicts: string | null;
}

/** Documents that are made and pushed after the turn that earned them (see migration 007). */
export type OwedDocumentKind = 'confirmation';

interface DocumentRow {
  appointment_id: string;
  kind: PatientDocumentKind;
  file_id: string;
  file_name: string;
  created_at: string;
  depicts: string | null;
}

/** "INV-2026-000001". */
export function formatInvoiceNumber(year: number, number: number): string {
  return `INV-${year}-${String(number).padStart(6, '0')}`;
}

export class SqliteDocumentRecords {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      invoiceOf: db.prepare<[string], { invoice_no: string; issued_at: string }>('SELECT invoice_no, issued_at FROM invoices WHERE appointment_id = ?'),
      bumpCounter: db.prepare<[number], { last_number: number }>(
        `INSERT INTO invoice_counters (year, last_number) VALUES (?, 1)
         ON CONFLICT(year) DO UPDATE SET last_number = last_number + 1
         RETURNING last_number`,
      ),
      insertInvoice: db.prepare<[string, string, string]>('INSERT INTO invoices (invoice_no, appointment_id, issued_at) VALUES (?, ?, ?)'),
      document: db.prepare<[string, string], DocumentRow>('SELECT * FROM patient_documents WHERE appointment_id = ? AND kind = ?'),
      replaceFile: db.prepare<[string, string | null, string, string]>('UPDATE patient_documents SET file_id = ?, depicts = ? WHERE appointment_id = ? AND kind = ?'),
      owe: db.prepare<[string, string, string]>(
        'INSERT INTO owed_documents (appointment_id, kind, owed_at) VALUES (?, ?, ?) ON CONFLICT(appointment_id, kind) DO NOTHING',
      ),
      owed: db.prepare<[string, number, number], { appointment_id: string }>(
        'SELECT appointment_id FROM owed_documents WHERE kind = ? AND attempts < ? ORDER BY owed_at, appointment_id LIMIT ?',
      ),
      settle: db.prepare<[string, string]>('DELETE FROM owed_documents WHERE appointment_id = ? AND kind = ?'),
      owedFailed: db.prepare<[string, string, string], { attempts: number }>(
        'UPDATE owed_documents SET attempts = attempts + 1, last_error = ? WHERE appointment_id = ? AND kind = ? RETURNING attempts',
      ),
      insertDocument: db.prepare<[DocumentRow]>(
        `INSERT INTO patient_documents (appointment_id, kind, file_id, file_name, created_at, depicts)
         VALUES (@appointment_id, @kind, @file_id, @file_name, @created_at, @depicts) ON CONFLICT(appointment_id, kind) DO NOTHING`,
      ),
    };
  }

  /**
   * The invoice number of an appointment, allocating the next one of `year` the first time. The check,
   * the counter and the binding happen in one BEGIN IMMEDIATE transaction: concurrent callers (other
   * connections or processes too) each get the next number, none is skipped, and an appointment keeps
   * its number for good.
   */
  invoiceNumberFor(appointmentId: string, year: number, now: Date): { invoiceNo: string; issuedAt: string } {
    return this.db
      .transaction(() => {
        const existing = this.statements.invoiceOf.get(appointmentId);
        if (existing) return { invoiceNo: existing.invoice_no, issuedAt: existing.issued_at };
        const { last_number } = this.statements.bumpCounter.get(year)!;
        const invoiceNo = formatInvoiceNumber(year, last_number);
        const issuedAt = toIsoInstant(now);
        this.statements.insertInvoice.run(invoiceNo, appointmentId, issuedAt);
        return { invoiceNo, issuedAt };
      })
      .immediate();
  }

  /** The invoice number bound to an appointment, if one was issued. */
  findInvoice(appointmentId: string): string | undefined {
    return this.statements.invoiceOf.get(appointmentId)?.invoice_no;
  }

  getDocument(appointmentId: string, kind: PatientDocumentKind): PatientDocumentRecord | undefined {
    const row = this.statements.document.get(appointmentId, kind);
    return row && { appointmentId: row.appointment_id, kind: row.kind, fileId: row.file_id, fileName: row.file_name, createdAt: row.created_at, depicts: row.depicts };
  }

  /** Points a document at a file made again (the old one was lost from the vault, or is out of date). */
  replaceFile(appointmentId: string, kind: PatientDocumentKind, fileId: string, depicts: string | null): void {
    this.statements.replaceFile.run(fileId, depicts, appointmentId, kind);
  }

  /** Records a generated document; the first one recorded wins and is returned. */
  saveDocument(record: PatientDocumentRecord): PatientDocumentRecord {
    this.statements.insertDocument.run({
      appointment_id: record.appointmentId,
      kind: record.kind,
      file_id: record.fileId,
      file_name: record.fileName,
      created_at: toIsoInstant(record.createdAt),
      depicts: record.depicts,
    });
    return this.getDocument(record.appointmentId, record.kind)!;
  }

  /** Records that the patient is owed a document (once, however often it is called). */
  oweDocument(appointmentId: string, kind: OwedDocumentKind, now: Date): void {
    this.statements.owe.run(appointmentId, kind, toIsoInstant(now));
  }

  /** Appointments still owed a document of `kind` that failed fewer than `maxAttempts` times, oldest first. */
  owedDocuments(kind: OwedDocumentKind, maxAttempts: number, limit: number): string[] {
    return this.statements.owed.all(kind, maxAttempts, limit).map((row) => row.appointment_id);
  }

  /** The document was handed to the outbox (or is no longer owed): the debt is settled. */
  settleOwedDocument(appointmentId: string, kind: OwedDocumentKind): void {
    this.statements.settle.run(appointmentId, kind);
  }

  /** Counts a failed attempt; resolves with the attempts made so far. */
  owedDocumentFailed(appointmentId: string, kind: OwedDocumentKind, error: string): number {
    const row = this.statements.owedFailed.get(error.slice(0, 500), appointmentId, kind);
    return row?.attempts ?? 0;
  }
}
