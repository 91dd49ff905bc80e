/**
 * Schema for admin commands: the audit log of every admin action, and the password login state of
 * each admin chat (so a restart neither logs admins out nor lifts a lockout).
 */
export const ADMIN_MIGRATION = `
  CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    channel TEXT NOT NULL,
    chat_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    command TEXT NOT NULL,
    args    TEXT NOT NULL DEFAULT '',
    result  TEXT NOT NULL CHECK (result IN ('ok', 'error')),
    summary TEXT NOT NULL DEFAULT ''
  );
  CREATE INDEX audit_log_at ON audit_log (at);
  CREATE INDEX audit_log_user ON audit_log (user_id, at);

  CREATE TABLE admin_logins (
    channel          TEXT NOT NULL,
    chat_id          TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    logged_in_until  TEXT,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked_until     TEXT,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (channel, chat_id)
  );
`;
