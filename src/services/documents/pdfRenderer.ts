/**
 * Confirmation and invoice PDFs with jsPDF, in embedded Unicode fonts so the rupee sign and names
 * outside ASCII print as typed (DejaVu Serif; Noto Sans Devanagari for Devanagari, followed by a Latin
 * transliteration because jsPDF cannot shape it). One A4 page: the clinic's header, then one
 * "Label: value" line per field (each field on its own line, so text extraction and screen readers
 * keep the pairs together).
 */
import { jsPDF } from 'jspdf';
import { DateTime } from 'luxon';
import type { Appointment } from '../../core/domain.js';
import { GENDER_LABELS, appointmentWhen } from '../../core/flow/describe.js';
import type { ClinicInfo, DocumentDetails, DocumentRenderer } from '../../core/ports.js';
import { formatAmount } from '../payments/money.js';
import { withTransliteration } from './devanagari.js';
import { dejaVuSerif, notoSansDevanagari } from './fonts.js';
import { installParsedFontCache } from './parsedFontCache.js';
import { installNativeDeflate } from './pdfDeflate.js';
import { PdfTextWriter } from './pdfText.js';
import type { DocumentFonts } from './textRuns.js';

// Each font file is parsed once per thread, not once per document (see parsedFontCache.ts), and
// streams are deflated by Node's zlib (see pdfDeflate.ts).
installParsedFontCache(jsPDF.API);
installNativeDeflate(jsPDF.API);

const PAGE_MARGIN = 56;
const LINE_HEIGHT = 18;
const LABEL_SIZE = 11;

function paymentModeText(appointment: Appointment): string {
  if (appointment.paymentMode === 'ONLINE') return 'Online (Razorpay)';
  if (appointment.paymentMode === 'CLINIC') return 'At the clinic';
  return 'Not chosen';
}

function paymentStatusText(appointment: Appointment): string {
  switch (appointment.paymentStatus) {
    case 'PAID':
      return 'Paid';
    case 'PENDING':
      return 'Payment pending';
    case 'PAY_AT_CLINIC':
      return appointment.fee > 0 ? 'To be paid at the clinic' : 'No fee';
    case 'REFUND_DUE':
      return 'Refund due';
    case 'REFUNDED':
      return 'Refunded';
    default:
      return '—';
  }
}

export class JsPdfDocumentRenderer implements DocumentRenderer {
  private readonly fonts: DocumentFonts;

  /** The fonts are read once here (and cached for the process), not per document. */
  constructor(fonts: DocumentFonts = { text: dejaVuSerif(), devanagari: notoSansDevanagari() }) {
    this.fonts = fonts;
  }

  async renderConfirmation(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails): Promise<Uint8Array> {
    return this.render(clinic, 'Appointment confirmation', [
      ['Appointment ID', appointment.id],
      ['Issued', this.issueDate(details.issuedAt, clinic.timezone)],
      ...this.appointmentFields(appointment, clinic, details),
      ['Appointment status', appointment.status === 'CONFIRMED' ? 'Confirmed' : appointment.status],
      ['Fee', formatAmount(appointment.fee, clinic.currency)],
      ['Payment mode', paymentModeText(appointment)],
      ['Payment status', paymentStatusText(appointment)],
      ['Payment ID', appointment.paymentId ?? '—'],
    ]);
  }

  async renderInvoice(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails & { invoiceNo: string }): Promise<Uint8Array> {
    return this.render(clinic, 'Invoice', [
      ['Invoice number', details.invoiceNo],
      ['Invoice date', this.issueDate(details.issuedAt, clinic.timezone)],
      ['Appointment ID', appointment.id],
      ...this.appointmentFields(appointment, clinic, details),
      ['Description', `Consultation fee, ${appointment.doctorName}`],
      ['Amount', formatAmount(appointment.fee, clinic.currency)],
      ['Payment mode', paymentModeText(appointment)],
      ['Status', 'Paid'],
      ['Payment ID', appointment.paymentId ?? (appointment.paymentMode === 'CLINIC' ? 'Cash at the clinic' : '—')],
    ]);
  }

  private appointmentFields(appointment: Appointment, clinic: ClinicInfo, details: DocumentDetails): [string, string][] {
    const { patient } = appointment;
    return [
      ['Patient', patient.name],
      ['Phone', patient.phone],
      ['Age', String(patient.age)],
      ['Gender', GENDER_LABELS[patient.gender]],
      ['Doctor', appointment.doctorName],
      ['Specialty', details.specialty || '—'],
      // Stored as the clinic's wall-clock date and time: printed as they are, with the zone named.
      ['Date and time', `${appointmentWhen(appointment)} (${clinic.timezone})`],
    ];
  }

  private issueDate(issuedAt: Date, timezone: string): string {
    return DateTime.fromJSDate(issuedAt, { zone: timezone }).toFormat('d LLL yyyy');
  }

  /**
   * Text as printed: composed (NFC), so an accent typed as a separate mark prints on its letter, and
   * with a Latin transliteration after any Devanagari (see devanagari.ts).
   */
  private printable(text: string): string {
    return withTransliteration(text.normalize('NFC'));
  }

  private render(clinic: ClinicInfo, title: string, fields: [string, string][]): Uint8Array {
    const doc = new jsPDF({ unit: 'pt', format: 'a4', compress: true });
    doc.setProperties({ title: `${title} - ${clinic.name}`, creator: clinic.name });
    const width = doc.internal.pageSize.getWidth() - 2 * PAGE_MARGIN;
    const writer = new PdfTextWriter(doc, this.fonts);

    let y = PAGE_MARGIN + 10;
    const line = (text: string, size: number) => {
      doc.setFontSize(size);
      for (const part of writer.wrap(text, width)) {
        writer.draw(part, PAGE_MARGIN, y);
        y += size * 1.4;
      }
    };
    line(this.printable(clinic.name), 18);
    line(this.printable(clinic.address), LABEL_SIZE);
    line(`Phone: ${clinic.phone}`, LABEL_SIZE);
    y += LINE_HEIGHT / 2;
    doc.setDrawColor(160);
    doc.line(PAGE_MARGIN, y - LINE_HEIGHT / 2, PAGE_MARGIN + width, y - LINE_HEIGHT / 2);
    y += LINE_HEIGHT / 2;
    line(title, 15);
    y += LINE_HEIGHT / 2;
    for (const [label, value] of fields) line(`${label}: ${this.printable(value)}`, LABEL_SIZE);
    y += LINE_HEIGHT;
    line('Please arrive 10 minutes early and bring this document.', 9);
    return new Uint8Array(doc.output('arraybuffer'));
  }
}
