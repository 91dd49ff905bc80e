/**
 * The Idempotency-Keys of web chat requests, with a fingerprint of the message each was first sent
 * with: a retry (same key, same message) gets the first replies, the same key with another message
 * is refused instead of silently answered with replies to something else.
 */
export const WEB_REQUEST_KEYS_MIGRATION = `
  CREATE TABLE web_request_keys (
    session_id  TEXT NOT NULL,
    request_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (session_id, request_key)
  ) WITHOUT ROWID;
  CREATE INDEX web_request_keys_created ON web_request_keys (created_at);
`;
