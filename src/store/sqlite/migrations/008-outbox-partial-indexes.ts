/**
 * Slimmer outbox indexes. Every turn writes the patient's message and the bot's replies, and each
 * index an entry enters is another page written at commit. The delivery queue only ever looks for
 * pending entries and the undeliverable ones, and the redelivery check only for replies; most entries
 * are neither (patient messages, sent replies, the whole web chat), so those indexes now hold only
 * the entries they are searched for.
 */
export const OUTBOX_PARTIAL_INDEXES_MIGRATION = `
  DROP INDEX outbox_pending;
  CREATE INDEX outbox_pending ON outbox (channel, chat_id, id) WHERE state = 'pending';
  CREATE INDEX outbox_undeliverable ON outbox (updated_at) WHERE state = 'undeliverable';
  DROP INDEX outbox_reply;
  CREATE INDEX outbox_reply ON outbox (channel, chat_id, in_reply_to) WHERE in_reply_to IS NOT NULL;
`;
