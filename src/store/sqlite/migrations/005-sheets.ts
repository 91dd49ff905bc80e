/**
 * Schema for the Google Sheets store. The appointments table stays the ledger; these tables carry
 * each change to the sheet's Appointments tab and remember what the sheet last held, so staff edits
 * and the bot's changes can be merged.
 */
export const SHEETS_MIGRATION = `
  -- Appointments whose row in the sheet is behind the ledger. One entry per appointment; version grows
  -- with every further change, so the writer removes an entry only if nothing changed while it wrote.
  CREATE TABLE sheet_writes (
    appointment_id TEXT PRIMARY KEY,
    version        INTEGER NOT NULL DEFAULT 1,
    queued_at      TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT
  );
  CREATE INDEX sheet_writes_queued_at ON sheet_writes (queued_at);

  -- What the appointment's row in the sheet held after the last write or read: the common base of the
  -- merge between staff edits (Status, Notes) and the bot's changes. appended: an append of the row
  -- was sent (it may or may not have arrived); seen: the row is known to be in the sheet.
  CREATE TABLE sheet_rows (
    appointment_id TEXT PRIMARY KEY,
    status         TEXT,
    notes          TEXT,
    appended       INTEGER NOT NULL DEFAULT 0,
    seen           INTEGER NOT NULL DEFAULT 0
  );

  -- Rows staff typed without an Appointment ID, by their content, until the ID is written back.
  CREATE TABLE sheet_walk_ins (
    fingerprint    TEXT PRIMARY KEY,
    appointment_id TEXT NOT NULL
  );

  -- Every change to the ledger queues its appointment in the same transaction, whichever code made
  -- it, but only while the Sheets store is in use (meta key sheets_sync).
  CREATE TRIGGER sheet_writes_after_insert AFTER INSERT ON appointments
  WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sheets_sync')
  BEGIN
    INSERT INTO sheet_writes (appointment_id, queued_at) VALUES (NEW.id, NEW.updated_at)
    ON CONFLICT (appointment_id) DO UPDATE SET version = version + 1;
  END;
  CREATE TRIGGER sheet_writes_after_update AFTER UPDATE ON appointments
  WHEN EXISTS (SELECT 1 FROM meta WHERE key = 'sheets_sync')
  BEGIN
    INSERT INTO sheet_writes (appointment_id, queued_at) VALUES (NEW.id, NEW.updated_at)
    ON CONFLICT (appointment_id) DO UPDATE SET version = version + 1;
  END;
`;
