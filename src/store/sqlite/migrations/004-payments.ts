/**
 * Schema for online payments and patient documents. Operational state, so it stays in the local file
 * even when the clinic data lives in Google Sheets:
 * - payment_links: every Razorpay payment link we created, so webhooks and the reconciliation job can
 *   find the appointment and know which links are still open;
 * - payment_webhook_events: Razorpay event ids already applied (x-razorpay-event-id), so a redelivery
 *   is answered at once without acting again;
 * - payment_announcements: payments confirmed whose patient has not yet been sent the confirmation
 *   and PDFs (made after the webhook is answered, and resumed after a crash);
 * - invoice_counters / invoices: one gap-free invoice sequence per year, a number bound to one
 *   appointment for good;
 * - patient_documents: the generated confirmation and invoice PDF of an appointment (private file ids
 *   in the document vault), made once and sent again from there.
 */
export const PAYMENTS_MIGRATION = `
  CREATE TABLE payment_links (
    link_id        TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL,
    amount         INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    url            TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('created', 'paid', 'expired', 'cancelled', 'mismatch')),
    order_id       TEXT,
    payment_id     TEXT,
    expires_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
  );
  CREATE INDEX payment_links_appointment ON payment_links (appointment_id);
  CREATE INDEX payment_links_status ON payment_links (status);
  CREATE INDEX payment_links_order ON payment_links (order_id);

  CREATE TABLE payment_webhook_events (
    event_id    TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    received_at TEXT NOT NULL
  );

  CREATE TABLE payment_announcements (
    appointment_id TEXT PRIMARY KEY,
    created_at     TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
  );

  CREATE TABLE invoice_counters (
    year        INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
  );

  CREATE TABLE invoices (
    invoice_no     TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL UNIQUE,
    issued_at      TEXT NOT NULL
  );

  CREATE TABLE patient_documents (
    appointment_id TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('confirmation', 'invoice')),
    file_id        TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (appointment_id, kind)
  );
`;
