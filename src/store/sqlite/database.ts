/**
 * Opening the embedded SQLite file and bringing its schema up to date.
 *
 * The schema evolves by appending to {@link MIGRATIONS}; a file records how far it got in
 * `PRAGMA user_version`, so reopening an existing file applies only what is new and never loses data.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { OUTBOX_MIGRATION } from './migrations/002-outbox.js';
import { ADMIN_MIGRATION } from './migrations/003-admin.js';
import { PAYMENTS_MIGRATION } from './migrations/004-payments.js';
import { SHEETS_MIGRATION } from './migrations/005-sheets.js';
import { REMINDERS_MIGRATION } from './migrations/006-reminders.js';
import { OWED_DOCUMENTS_MIGRATION } from './migrations/007-owed-documents.js';
import { OUTBOX_PARTIAL_INDEXES_MIGRATION } from './migrations/008-outbox-partial-indexes.js';
import { DOCUMENT_FACTS_MIGRATION } from './migrations/009-document-facts.js';
import { CONFIRMED_AT_MIGRATION } from './migrations/010-confirmed-at.js';
import { HELD_ADMIN_ALERTS_MIGRATION } from './migrations/011-held-admin-alerts.js';
import { WEB_REQUEST_KEYS_MIGRATION } from './migrations/012-web-request-keys.js';

/**
 * Ordered schema changes. Never edit or reorder an entry that has shipped: files in the field were
 * migrated with it. Add a new entry instead (later ones live in ./migrations, one file each).
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE doctors (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    specialty TEXT NOT NULL DEFAULT '',
    fee       REAL NOT NULL DEFAULT 0,
    active    INTEGER NOT NULL DEFAULT 1,
    languages TEXT NOT NULL DEFAULT '[]',
    notes     TEXT NOT NULL DEFAULT ''
  );

  -- Slots go with their doctor: deleting a (sample) doctor should not leave bookable orphans.
  CREATE TABLE slots (
    id        TEXT PRIMARY KEY,
    doctor_id TEXT NOT NULL REFERENCES doctors(id) ON DELETE CASCADE,
    date      TEXT NOT NULL,
    start     TEXT NOT NULL,
    "end"     TEXT NOT NULL,
    capacity  INTEGER NOT NULL DEFAULT 1,
    status    TEXT NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'BLOCKED')),
    notes     TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX slots_doctor_date_start ON slots (doctor_id, date, start);
  CREATE INDEX slots_date_start ON slots (date, start);

  -- No foreign keys here on purpose: an appointment is a record of what was booked (it copies doctor
  -- name, fee, date and time) and must survive the slot or doctor being removed later.
  CREATE TABLE appointments (
    id              TEXT PRIMARY KEY,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    status          TEXT NOT NULL
                    CHECK (status IN ('HELD', 'CONFIRMED', 'COMPLETED', 'NO_SHOW', 'CANCELLED', 'EXPIRED')),
    channel         TEXT NOT NULL,
    chat_id         TEXT NOT NULL,
    patient_name    TEXT NOT NULL,
    phone           TEXT NOT NULL,
    age             INTEGER NOT NULL,
    gender          TEXT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    doctor_id       TEXT NOT NULL,
    doctor_name     TEXT NOT NULL,
    slot_id         TEXT NOT NULL,
    date            TEXT NOT NULL,
    time            TEXT NOT NULL,
    fee             REAL NOT NULL,
    payment_mode    TEXT CHECK (payment_mode IS NULL OR payment_mode IN ('CLINIC', 'ONLINE')),
    payment_status  TEXT CHECK (payment_status IS NULL OR
                      payment_status IN ('PAY_AT_CLINIC', 'PENDING', 'PAID', 'REFUND_DUE', 'REFUNDED')),
    payment_link    TEXT,
    payment_id      TEXT,
    invoice_no      TEXT,
    reports         TEXT NOT NULL DEFAULT '[]',
    hold_expires_at TEXT,
    reminders_sent  TEXT NOT NULL DEFAULT '[]',
    notes           TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX appointments_slot_status ON appointments (slot_id, status);
  CREATE INDEX appointments_conversation ON appointments (channel, chat_id);
  CREATE INDEX appointments_phone ON appointments (phone);
  CREATE INDEX appointments_status_hold ON appointments (status, hold_expires_at);

  CREATE TABLE sessions (
    channel    TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    data       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
  );
  CREATE INDEX sessions_updated_at ON sessions (updated_at);

  CREATE TABLE web_outbox (
    session_id  TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    body        TEXT NOT NULL,
    in_reply_to TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
  );
  CREATE INDEX web_outbox_reply ON web_outbox (session_id, in_reply_to);
  CREATE INDEX web_outbox_created_at ON web_outbox (created_at);

  -- Last seq handed out per web chat session. Kept apart from the messages so that pruning old
  -- messages never restarts a session's numbering (a client polling ?after=N would miss replies).
  CREATE TABLE web_outbox_sessions (
    session_id TEXT PRIMARY KEY,
    last_seq   INTEGER NOT NULL
  );

  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  OUTBOX_MIGRATION,
  ADMIN_MIGRATION,
  PAYMENTS_MIGRATION,
  SHEETS_MIGRATION,
  REMINDERS_MIGRATION,
  OWED_DOCUMENTS_MIGRATION,
  OUTBOX_PARTIAL_INDEXES_MIGRATION,
  DOCUMENT_FACTS_MIGRATION,
  CONFIRMED_AT_MIGRATION,
  HELD_ADMIN_ALERTS_MIGRATION,
  WEB_REQUEST_KEYS_MIGRATION,
];

/**
 * Opens (creating if needed) the clinic database and migrates it. Pass `':memory:'` for a throwaway
 * database. WAL plus a busy timeout let a second process (an operator script, a second instance) share
 * the file: writers queue for up to five seconds instead of failing at once.
 */
export function openClinicDatabase(file: string): Database.Database {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

/**
 * Applies the migrations the file has not seen yet, each in its own BEGIN IMMEDIATE transaction. The
 * version is re-read under that write lock, so two processes opening a fresh file at once cannot both
 * apply the same migration.
 */
export function migrate(db: Database.Database, migrations: readonly string[] = MIGRATIONS): void {
  const version = (): number => Number(db.pragma('user_version', { simple: true }));
  const known = version();
  if (known > migrations.length) {
    throw new Error(
      `Database ${db.name} has schema version ${known}, newer than this program knows (${migrations.length}); ` +
        'run the newer version of the service or restore a matching backup.',
    );
  }
  for (let index = known; index < migrations.length; index += 1) {
    const sql = migrations[index];
    if (sql === undefined) break;
    db.transaction(() => {
      if (version() > index) return;
      db.exec(sql);
      db.pragma(`user_version = ${index + 1}`);
    }).immediate();
  }
}

/** Reads a value of the `meta` table (flags such as `sample_data_seeded`). */
export function getMeta(db: Database.Database, key: string): string | undefined {
  const row = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key);
  return row?.value;
}

/** Writes a value of the `meta` table, replacing an earlier one. */
export function setMeta(db: Database.Database, key: string, value: string): void {
  db.prepare<[string, string]>(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}
