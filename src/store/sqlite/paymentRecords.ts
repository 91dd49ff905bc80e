/**
 * Payment links and applied webhook events in the local SQLite file (see migration 004).
 */
import type Database from 'better-sqlite3';
import { toIsoInstant } from './rows.js';

/** Where a payment link stands as far as this service has learnt. */
export type PaymentLinkStatus = 'created' | 'paid' | 'expired' | 'cancelled' | 'mismatch';

/** A payment link this service created for an appointment. */
export interface PaymentLinkRecord {
  linkId: string;
  appointmentId: string;
  /** In the currency's smallest unit (paise). */
  amount: number;
  currency: string;
  url: string;
  status: PaymentLinkStatus;
  orderId: string | null;
  paymentId: string | null;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
}

interface LinkRow {
  link_id: string;
  appointment_id: string;
  amount: number;
  currency: string;
  url: string;
  status: PaymentLinkStatus;
  order_id: string | null;
  payment_id: string | null;
  expires_at: string;
  created_at: string;
  updated_at: string;
}

function toRecord(row: LinkRow): PaymentLinkRecord {
  return {
    linkId: row.link_id,
    appointmentId: row.appointment_id,
    amount: row.amount,
    currency: row.currency,
    url: row.url,
    status: row.status,
    orderId: row.order_id,
    paymentId: row.payment_id,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class SqlitePaymentRecords {
  private readonly statements;

  constructor(db: Database.Database) {
    this.statements = {
      insert: db.prepare<[LinkRow]>(
        `INSERT INTO payment_links (link_id, appointment_id, amount, currency, url, status, order_id, payment_id, expires_at, created_at, updated_at)
         VALUES (@link_id, @appointment_id, @amount, @currency, @url, @status, @order_id, @payment_id, @expires_at, @created_at, @updated_at)
         ON CONFLICT(link_id) DO NOTHING`,
      ),
      byId: db.prepare<[string], LinkRow>('SELECT * FROM payment_links WHERE link_id = ?'),
      byOrder: db.prepare<[string], LinkRow>('SELECT * FROM payment_links WHERE order_id = ? ORDER BY created_at DESC LIMIT 1'),
      latestOfAppointment: db.prepare<[string], LinkRow>(
        'SELECT * FROM payment_links WHERE appointment_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1',
      ),
      open: db.prepare<[number], LinkRow>(`SELECT * FROM payment_links WHERE status = 'created' ORDER BY created_at LIMIT ?`),
      // A paid link stays paid: a late "expired" or "cancelled" must not overwrite it.
      close: db.prepare<[PaymentLinkStatus, string, string]>(
        `UPDATE payment_links SET status = ?, updated_at = ? WHERE link_id = ? AND status = 'created'`,
      ),
      settle: db.prepare<[PaymentLinkStatus, string | null, string | null, string, string]>(
        `UPDATE payment_links SET status = ?, payment_id = COALESCE(?, payment_id), order_id = COALESCE(?, order_id), updated_at = ? WHERE link_id = ?`,
      ),
      queueAnnouncement: db.prepare<[string, string]>(
        'INSERT INTO payment_announcements (appointment_id, created_at) VALUES (?, ?) ON CONFLICT(appointment_id) DO NOTHING',
      ),
      pendingAnnouncements: db.prepare<[number], { appointment_id: string }>(
        'SELECT appointment_id FROM payment_announcements ORDER BY created_at, appointment_id LIMIT ?',
      ),
      announcementDone: db.prepare<[string]>('DELETE FROM payment_announcements WHERE appointment_id = ?'),
      announcementFailed: db.prepare<[string, string]>(
        'UPDATE payment_announcements SET attempts = attempts + 1, last_error = ? WHERE appointment_id = ?',
      ),
      eventSeen: db.prepare<[string], { event_id: string }>('SELECT event_id FROM payment_webhook_events WHERE event_id = ?'),
      recordEvent: db.prepare<[string, string, string]>(
        'INSERT INTO payment_webhook_events (event_id, event, received_at) VALUES (?, ?, ?) ON CONFLICT(event_id) DO NOTHING',
      ),
    };
  }

  /** Records a link just created (idempotent on the link id). */
  addLink(link: Omit<PaymentLinkRecord, 'status' | 'paymentId' | 'updatedAt'>): void {
    this.statements.insert.run({
      link_id: link.linkId,
      appointment_id: link.appointmentId,
      amount: link.amount,
      currency: link.currency,
      url: link.url,
      status: 'created',
      order_id: link.orderId,
      payment_id: null,
      expires_at: toIsoInstant(link.expiresAt),
      created_at: toIsoInstant(link.createdAt),
      updated_at: toIsoInstant(link.createdAt),
    });
  }

  getLink(linkId: string): PaymentLinkRecord | undefined {
    const row = this.statements.byId.get(linkId);
    return row && toRecord(row);
  }

  findByOrder(orderId: string): PaymentLinkRecord | undefined {
    const row = this.statements.byOrder.get(orderId);
    return row && toRecord(row);
  }

  latestForAppointment(appointmentId: string): PaymentLinkRecord | undefined {
    const row = this.statements.latestOfAppointment.get(appointmentId);
    return row && toRecord(row);
  }

  /** Links not yet known to be paid, expired or cancelled, oldest first. */
  openLinks(limit = 500): PaymentLinkRecord[] {
    return this.statements.open.all(limit).map(toRecord);
  }

  /** Marks an open link expired or cancelled; false when it was no longer open (paid, or closed before). */
  closeLink(linkId: string, status: 'expired' | 'cancelled', now: Date): boolean {
    return this.statements.close.run(status, toIsoInstant(now), linkId).changes > 0;
  }

  /** Records the outcome of a payment on a link (paid, or paid with the wrong amount). */
  settleLink(linkId: string, status: 'paid' | 'mismatch', paymentId: string | null, orderId: string | null, now: Date): void {
    this.statements.settle.run(status, paymentId, orderId, toIsoInstant(now), linkId);
  }

  /** Remembers that the patient of a paid appointment is still to be told (stored before the webhook is answered). */
  queueAnnouncement(appointmentId: string, now: Date): void {
    this.statements.queueAnnouncement.run(appointmentId, toIsoInstant(now));
  }

  /** Paid appointments whose patient is still to be told, oldest first. */
  pendingAnnouncements(limit = 100): string[] {
    return this.statements.pendingAnnouncements.all(limit).map((row) => row.appointment_id);
  }

  announcementDone(appointmentId: string): void {
    this.statements.announcementDone.run(appointmentId);
  }

  announcementFailed(appointmentId: string, error: string): void {
    this.statements.announcementFailed.run(error.slice(0, 500), appointmentId);
  }

  hasEvent(eventId: string): boolean {
    return this.statements.eventSeen.get(eventId) !== undefined;
  }

  /** Remembers that a webhook event has been applied, after its effects are stored. */
  recordEvent(eventId: string, event: string, now: Date): void {
    this.statements.recordEvent.run(eventId, event, toIsoInstant(now));
  }
}
