/**
 * Confirmation and invoice PDFs: what they say (text extracted from the real PDF, field by field,
 * with the rupee sign and names outside ASCII, Devanagari included), that they are made once and
 * resent unchanged, that invoice numbers never repeat or skip under concurrency, and "Resend
 * invoice" in the patient menu.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { extractText, getDocumentProxy } from 'unpdf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Appointment } from '../../../src/core/domain.js';
import type { DocumentRenderer } from '../../../src/core/ports.js';
import { toOutbound } from '../../../src/core/delivery.js';
import { menuLabels, textOf } from '../../support/engineHarness.js';
import { walkTo } from '../../support/clinicFixture.js';
import { pino } from 'pino';
import { OutboxAdminAlerts, OutboxNotifier } from '../../../src/services/delivery/notifier.js';
import { PatientDocumentService } from '../../../src/services/documents/patientDocuments.js';
import { sharedPdfRenderer } from '../../../src/services/documents/sharedRenderer.js';
import { TEST_SETTINGS } from '../../support/engineHarness.js';
import { ADMIN_CHAT, createPaymentHarness, type PaymentHarness } from '../payments/paymentHarness.js';
import { embeddedFonts } from './pdfInspect.js';

let t: PaymentHarness;
beforeEach(async () => {
  t = await createPaymentHarness({ channel: 'web' });
});
afterEach(async () => t.close());

/** The PDF's text, one entry per line. */
async function pdfLines(bytes: Uint8Array): Promise<string[]> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text.split('\n').map((line) => line.trim());
}

/** A booking by a patient of the given name, paid online through the webhook. */
async function paidOnline(chatId: string, name: string): Promise<Appointment> {
  const p = t.h.patient(chatId);
  await p.say('hi');
  await p.tap('Book an appointment');
  await p.say(name);
  await walkToPaymentFromPhone(p);
  await p.tap('Pay online now');
  const [held] = await t.h.store.listAppointments({ conversation: p.ref });
  expect(await t.send(t.razorpay.pay(t.razorpay.linkFor(held!.id).id))).toBe(200);
  return (await t.h.store.getAppointment(held!.id))!;
}

async function walkToPaymentFromPhone(p: ReturnType<PaymentHarness['h']['patient']>): Promise<void> {
  await p.say('98765 43210');
  await p.say('34');
  await p.tap('Female');
  await p.say('Fever');
  await p.tap('Meera');
  await p.tap('11:00 AM');
}

describe('the invoice PDF', () => {
  it('says every field, with the rupee sign and an accented name', async () => {
    const appointment = await paidOnline('chat-zoe', 'Zoë Müller');
    const invoice = await t.services.documents.invoice(appointment);
    expect(invoice.fileName).toBe('invoice-INV-2026-000001.pdf');
    expect(invoice.mime).toBe('application/pdf');
    const lines = await pdfLines(invoice.bytes);
    expect(lines).toEqual(
      expect.arrayContaining([
        'Test Clinic',
        '1 Test Road',
        'Phone: +91 80 1234 5678',
        'Invoice',
        'Invoice number: INV-2026-000001',
        'Invoice date: 21 Nov 2026',
        `Appointment ID: ${appointment.id}`,
        'Patient: Zoë Müller',
        'Phone: +919876543210',
        'Age: 34',
        'Gender: Female',
        'Doctor: Dr. Meera Iyer',
        'Specialty: General Physician',
        'Date and time: Sat, 21 Nov 2026 at 11:00 AM (Asia/Kolkata)',
        'Amount: ₹500.00',
        'Payment mode: Online (Razorpay)',
        'Status: Paid',
        `Payment ID: ${appointment.paymentId}`,
      ]),
    );
  });

  it('prints a Devanagari name in its own embedded font, followed by its transliteration', async () => {
    const appointment = await paidOnline('chat-asha', 'आशा राव');
    const { bytes } = await t.services.documents.invoice(appointment);
    expect(await pdfLines(bytes)).toContain('Patient: आशा राव (Asha Rav)');
    expect(embeddedFonts(bytes)).toEqual(['DejaVuSerif', 'NotoSansDevanagari']);
  });

  it('is made once: a resend is the same file with the same number, kept privately', async () => {
    const appointment = await paidOnline('chat-once', 'Asha Rao');
    const first = await t.services.documents.invoice(appointment);
    const again = await t.services.documents.invoice((await t.h.store.getAppointment(appointment.id))!);
    expect(Buffer.from(again.bytes).equals(Buffer.from(first.bytes))).toBe(true);
    expect(t.h.db.prepare('SELECT last_number FROM invoice_counters').get()).toEqual({ last_number: 1 });
    const { file_id } = t.h.db.prepare("SELECT file_id FROM patient_documents WHERE kind = 'invoice'").get() as { file_id: string };
    expect(statSync(path.join(t.h.dir, 'documents', `${file_id}.bin`)).mode & 0o777).toBe(0o600);
  });
});

describe('the confirmation PDF', () => {
  it('follows a pay-at-clinic confirmation and says the fee is due at the clinic', async () => {
    const p = t.h.patient('chat-clinic');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    const replies = await p.tap('Pay at the clinic');
    // The turn answers at once with the text; the PDF is pushed right after it, never inside it.
    expect(textOf(replies)).toContain('Appointment confirmed');
    expect(replies.some((r) => r.kind === 'document')).toBe(false);
    const document = await t.confirmationPushed(p.ref);
    expect(document?.caption).toBe('Your appointment confirmation (PDF)');
    // In the chat it comes after everything the booking's turn said.
    const chat = await t.h.outbox.listAfter(p.ref, 0, 1000);
    const confirmedAt = chat.findIndex((entry) => entry.message.kind === 'text' && entry.message.text.includes('Appointment confirmed'));
    const pdfAt = chat.findIndex((entry) => entry.message.kind === 'document');
    expect(confirmedAt).toBeGreaterThanOrEqual(0);
    expect(pdfAt).toBe(chat.length - 1);
    const lines = await pdfLines(document!.bytes);
    expect(lines).toEqual(expect.arrayContaining(['Appointment confirmation', 'Patient: Asha Rao', 'Fee: ₹500.00', 'Payment mode: At the clinic', 'Payment status: To be paid at the clinic', 'Appointment status: Confirmed']));
  });
});

describe('a confirmation made before the payment', () => {
  it('is made again when the online payment lands after choosing the clinic, and each PDF is stored once', async () => {
    const p = t.h.patient('chat-late-pay');
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    await p.tap('Pay online now');
    const [held] = await t.h.store.listAppointments({ conversation: p.ref });
    const linkId = t.razorpay.linkFor(held!.id).id;
    await p.tap('Pay at the clinic instead');
    const atClinic = await t.confirmationPushed(p.ref);
    expect(await pdfLines(atClinic!.bytes)).toContain('Payment status: To be paid at the clinic');

    // The patient had already paid on the link's page: it counts, and the confirmation says so.
    expect(await t.send(t.razorpay.pay(linkId))).toBe(200);
    const pushed = (await t.pushes(p.ref)).filter((entry) => entry.message.kind === 'document');
    expect(pushed.map((entry) => entry.message.kind === 'document' && entry.message.fileName)).toEqual([
      `confirmation-${held!.id}.pdf`,
      `confirmation-${held!.id}.pdf`,
      expect.stringMatching(/^invoice-INV-/),
    ]);
    const paidConfirmation = await toOutbound(pushed[1]!.message, t.h.documents);
    const lines = await pdfLines((paidConfirmation as { bytes: Uint8Array }).bytes);
    expect(lines).toEqual(expect.arrayContaining(['Payment mode: Online (Razorpay)', expect.stringMatching(/^Payment ID: pay_/)]));
    expect(lines).not.toContain('Payment status: To be paid at the clinic');

    // The chat refers to the vault's copies: one file per document made, none stored twice.
    const recorded = t.h.db.prepare('SELECT file_id FROM patient_documents').all() as { file_id: string }[];
    const referenced = pushed.map((entry) => entry.message.kind === 'document' && entry.message.fileId);
    expect(referenced.slice(1).sort()).toEqual(recorded.map((row) => row.file_id).sort());
    expect(new Set(referenced).size).toBe(3);
    expect(readdirSync(path.join(t.h.dir, 'documents')).filter((name) => name.endsWith('.bin'))).toHaveLength(3);
  });
});

describe('confirmation PDFs owed after the turn', () => {
  /** A pay-at-clinic booking confirmed in the store, as the flow leaves it. */
  async function confirmedAtClinic(chatId: string): Promise<Appointment> {
    const p = t.h.patient(chatId);
    await walkTo(p, 'SELECTING_PAYMENT_MODE');
    const [held] = await t.h.store.listAppointments({ conversation: p.ref });
    return t.h.store.confirmAppointment(held!.id, { paymentMode: 'CLINIC', paymentStatus: 'PAY_AT_CLINIC' }, t.h.clock.now());
  }

  /** A second service on the same file, as after a restart. */
  function restartedService(renderer: DocumentRenderer = sharedPdfRenderer(pino({ level: 'silent' }))): PatientDocumentService {
    return new PatientDocumentService({
      db: t.h.db,
      store: t.h.store,
      files: t.h.documents,
      renderer,
      notifier: new OutboxNotifier(t.h.outbox, t.h.documents, t.h.clock),
      alerts: new OutboxAdminAlerts({ outbox: t.h.outbox, clock: t.h.clock, logger: pino({ level: 'silent' }), channel: 'telegram-admin', adminChatIds: [ADMIN_CHAT] }),
      clock: t.h.clock,
      logger: pino({ level: 'silent' }),
      clinic: TEST_SETTINGS.clinic,
    });
  }

  const documentsPushed = async (chatId: string) =>
    (await t.pushes({ channel: 'web', chatId })).filter((entry) => entry.message.kind === 'document');

  it('survives a crash before it was sent: the next process sends it, once, however many sweeps race', async () => {
    const appointment = await confirmedAtClinic('chat-crash');
    // The turn promised the PDF, then the process died before making it.
    await t.services.documents.oweConfirmation(appointment);
    const restarted = restartedService();
    await Promise.all([restarted.sendOwed(), restarted.sendOwed(), t.services.documents.sendOwed()]);
    await restarted.sendOwed();
    const pushed = await documentsPushed('chat-crash');
    expect(pushed.map((entry) => entry.message.kind === 'document' && entry.message.fileName)).toEqual([`confirmation-${appointment.id}.pdf`]);
    expect(t.h.db.prepare('SELECT COUNT(*) AS n FROM owed_documents').get()).toEqual({ n: 0 });
  });

  it('is not sent when the appointment was cancelled before it was made', async () => {
    const appointment = await confirmedAtClinic('chat-cancelled');
    await t.services.documents.oweConfirmation(appointment);
    await t.h.store.updateAppointment(appointment.id, { status: 'CANCELLED' }, t.h.clock.now());
    await t.services.documents.sendOwed();
    expect(await documentsPushed('chat-cancelled')).toEqual([]);
    expect(t.h.db.prepare('SELECT COUNT(*) AS n FROM owed_documents').get()).toEqual({ n: 0 });
  });

  it('stays owed while it cannot be made, and after five failed sweeps the admins are told once', async () => {
    const appointment = await confirmedAtClinic('chat-broken');
    const failing = {
      renderConfirmation: () => Promise.reject(new Error('render worker ran out of memory')),
      renderInvoice: () => Promise.reject(new Error('render worker ran out of memory')),
    };
    const broken = restartedService(failing);
    await broken.oweConfirmation(appointment);
    for (let sweep = 1; sweep <= 6; sweep += 1) await broken.sendOwed();
    expect(await documentsPushed('chat-broken')).toEqual([]);
    expect(t.h.db.prepare('SELECT attempts, last_error FROM owed_documents WHERE appointment_id = ?').get(appointment.id)).toEqual({
      attempts: 5,
      last_error: 'render worker ran out of memory',
    });
    const alerts = (await t.adminTexts()).filter((text) => text.includes('could not be made'));
    expect(alerts).toEqual([expect.stringContaining(appointment.id)]);
  });
});

describe('invoice numbers', () => {
  it('50 concurrent confirmations get 50 distinct, consecutive numbers', async () => {
    const N = 50;
    const ids: string[] = [];
    for (let i = 0; i < N; i += 1) {
      const slotId = `bulk-${i}`;
      await t.h.store.upsertSlot({ id: slotId, doctorId: 'GP', date: '2026-11-23', start: `${String(8 + Math.floor(i / 6)).padStart(2, '0')}:${String((i % 6) * 10).padStart(2, '0')}`, end: '20:00', capacity: 1, status: 'OPEN', notes: '' });
      const held = await t.h.store.holdSlot(
        { conversation: { channel: 'web', chatId: `bulk-${i}` }, patient: { name: `Patient ${i}`, phone: '+919876543210', age: 30, gender: 'OTHER' }, purpose: 'x', slotId, holdExpiresAt: new Date(t.h.clock.now().getTime() + 20 * 60_000) },
        t.h.clock.now(),
      );
      const link = await t.services.gateway!.createPaymentLink({ appointment: held, amount: held.fee, currency: 'INR', description: 'bulk', expiresAt: new Date(held.holdExpiresAt!) });
      await t.h.store.updateAppointment(held.id, { paymentMode: 'ONLINE', paymentStatus: 'PENDING', paymentLink: link.url }, t.h.clock.now());
      ids.push(held.id);
    }
    const statuses = await Promise.all(ids.map((id) => t.send(t.razorpay.pay(t.razorpay.linkFor(id).id))));
    expect(statuses.every((s) => s === 200)).toBe(true);
    const numbers = (await Promise.all(ids.map((id) => t.h.store.getAppointment(id)))).map((a) => a!.invoiceNo!);
    expect(new Set(numbers).size).toBe(N);
    expect(numbers.map((n) => Number(n.slice('INV-2026-'.length))).sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  });
});

describe('"Resend invoice" in the patient menu', () => {
  it('sends the invoice of the one paid appointment, or asks which when there are several', async () => {
    const p = t.h.patient('chat-resend');
    expect(menuLabels(await p.say('hi'))).toContain('Resend invoice');
    expect(textOf(await p.tap('Resend invoice'))).toContain('no paid appointments yet');

    const appointment = await paidOnline('chat-resend', 'Asha Rao');
    await p.say('menu');
    const replies = await p.tap('Resend invoice');
    const invoice = replies.find((r) => r.kind === 'document');
    expect(invoice?.kind === 'document' && invoice.fileName).toBe('invoice-INV-2026-000001.pdf');
    expect(textOf(replies)).toContain(appointment.id);

    const second = await paidOnlineAgain(p);
    await p.say('menu');
    const choice = await p.tap('Resend invoice');
    expect(menuLabels(choice)).toHaveLength(2);
    const chosen = await p.choose(second);
    expect(chosen.find((r) => r.kind === 'document')).toMatchObject({ fileName: 'invoice-INV-2026-000002.pdf' });
    expect(t.h.db.prepare('SELECT last_number FROM invoice_counters').get()).toEqual({ last_number: 2 });
  });
});

/** A returning patient books the 11:30 slot online and pays; returns its id. */
async function paidOnlineAgain(p: ReturnType<PaymentHarness['h']['patient']>): Promise<string> {
  await p.say('menu');
  await p.tap('Book an appointment');
  await p.tap('Yes');
  await p.say('Check-up');
  await p.tap('Meera');
  await p.tap('11:30 AM');
  await p.tap('Pay online now');
  const [held] = await t.h.store.listAppointments({ conversation: p.ref, statuses: ['HELD'] });
  expect(await t.send(t.razorpay.pay(t.razorpay.linkFor(held!.id).id))).toBe(200);
  return held!.id;
}
