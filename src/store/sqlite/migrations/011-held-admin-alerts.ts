/**
 * Admin alerts held back from admin chats that were not logged in when the alert was raised
 * (ADMIN_PASSWORD), until the chat's next /login. One row per alert and chat, in the order raised;
 * the alert's dedupe key is claimed in `outbox_dedupe` when it is held, so it is never held or sent
 * twice. The rows carry patient names: they are deleted when released or once too old to matter.
 */
export const HELD_ADMIN_ALERTS_MIGRATION = `
  CREATE TABLE held_admin_alerts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    channel    TEXT NOT NULL,
    chat_id    TEXT NOT NULL,
    text       TEXT NOT NULL,
    dedupe_key TEXT,
    held_at    TEXT NOT NULL
  );
  CREATE INDEX held_admin_alerts_chat ON held_admin_alerts (channel, chat_id, id);
`;
