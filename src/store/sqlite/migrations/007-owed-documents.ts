/**
 * Schema for confirmation PDFs owed to patients. A booking's confirmation text goes out with the turn
 * that confirmed it; its PDF takes tens of milliseconds to render, so it is made and pushed after the
 * turn instead of holding up the patient's reply. The debt is written before the turn commits and
 * cleared once the PDF is in the outbox, so a crash in between only delays the document.
 */
export const OWED_DOCUMENTS_MIGRATION = `
  CREATE TABLE owed_documents (
    appointment_id TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('confirmation')),
    owed_at        TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    PRIMARY KEY (appointment_id, kind)
  );
`;
