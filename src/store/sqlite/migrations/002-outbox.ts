/**
 * One durable outbox for every channel (replaces the web chat's own outbox, keeping its messages and
 * numbering). Entries are the stored conversation, both sides, and the bot's entries are the delivery
 * queue of push channels. Push dedupe keys live apart so pruning old messages never lets a reminder or
 * payment message go out twice.
 */
export const OUTBOX_MIGRATION = `
  CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    chat_id     TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    author      TEXT NOT NULL CHECK (author IN ('bot', 'patient')),
    body        TEXT NOT NULL,
    in_reply_to TEXT,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'undeliverable')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  -- The bot's entries are numbered 1, 2, 3… per chat; a patient entry carries the number of the bot
  -- entry it follows, so the web chat API's numbering has no gaps.
  CREATE INDEX outbox_chat_seq ON outbox (channel, chat_id, seq);
  CREATE INDEX outbox_pending ON outbox (channel, state, chat_id, id);
  CREATE INDEX outbox_reply ON outbox (channel, chat_id, in_reply_to);
  CREATE INDEX outbox_created_at ON outbox (created_at);

  -- Last seq handed out per chat, kept apart so pruning never restarts a chat's numbering.
  CREATE TABLE outbox_chats (
    channel  TEXT NOT NULL,
    chat_id  TEXT NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (channel, chat_id)
  );

  CREATE TABLE outbox_dedupe (
    key        TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
  );

  INSERT INTO outbox (channel, chat_id, seq, author, body, in_reply_to, state, created_at, updated_at)
    SELECT 'web', session_id, seq, 'bot', body, in_reply_to, 'sent', created_at, created_at FROM web_outbox ORDER BY created_at, seq;
  INSERT INTO outbox_chats (channel, chat_id, last_seq) SELECT 'web', session_id, last_seq FROM web_outbox_sessions;
  DROP TABLE web_outbox;
  DROP TABLE web_outbox_sessions;
`;
