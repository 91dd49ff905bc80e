/**
 * The durable outbox of every channel in the local SQLite file: the stored conversation (both sides)
 * and the delivery queue of the bot's messages. Operational state, so it stays here even when the
 * clinic data lives in Google Sheets.
 */
import type Database from 'better-sqlite3';
import type { DeliveryChannel, DeliveryRoute, EntryAuthor, EntryState, OutboxEntry, StoredMessage } from '../../core/delivery.js';
import type { Outbox, OutboxBacklog, PushOptions } from '../../core/ports.js';
import { toIsoInstant } from './rows.js';

interface EntryRow {
  id: number;
  channel: string;
  chat_id: string;
  seq: number;
  author: string;
  body: string;
  in_reply_to: string | null;
  state: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
}

/** An entry to write: who wrote it and whether it still has to be delivered. */
interface NewEntry {
  author: EntryAuthor;
  message: StoredMessage;
  inReplyTo: string | null;
}

export interface SqliteOutboxOptions {
  /**
   * Channels whose messages are fetched by the client instead of pushed (the web chat): their entries
   * are written as sent, so no sender waits for them.
   */
  pulledChannels?: readonly DeliveryChannel[];
}

const LAST_ERROR_LENGTH = 500;

/**
 * {@link Outbox} on SQLite. Sequence numbers come from a per-chat counter taken inside the same BEGIN
 * IMMEDIATE transaction as the insert, so concurrent writers (even other processes) never share one.
 */
export class SqliteOutbox implements Outbox {
  private readonly statements;
  private readonly pulled: ReadonlySet<DeliveryChannel>;
  private readonly listeners = new Set<(channel: DeliveryChannel, chatId: string) => void>();
  private readonly markSentInOneTransaction;
  /** {@link pendingInChat} per limit: a literal LIMIT runs several times faster than a bound one. */
  private readonly pendingInChatByLimit = new Map<number, Database.Statement<[string, string, number], EntryRow>>();

  constructor(
    private readonly db: Database.Database,
    options: SqliteOutboxOptions = {},
  ) {
    this.pulled = new Set(options.pulledChannels ?? ['web']);
    this.statements = {
      lastSeq: db.prepare<[string, string], { last_seq: number }>('SELECT last_seq FROM outbox_chats WHERE channel = ? AND chat_id = ?'),
      setLastSeq: db.prepare<[string, string, number]>(
        `INSERT INTO outbox_chats (channel, chat_id, last_seq) VALUES (?, ?, ?)
         ON CONFLICT(channel, chat_id) DO UPDATE SET last_seq = excluded.last_seq`,
      ),
      // No RETURNING: reading the row back (body included) would cost more than the insert itself.
      insert: db.prepare<[string, string, number, string, string, string | null, string, string, string]>(
        `INSERT INTO outbox (channel, chat_id, seq, author, body, in_reply_to, state, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      claimDedupe: db.prepare<[string, string]>('INSERT INTO outbox_dedupe (key, created_at) VALUES (?, ?) ON CONFLICT(key) DO NOTHING'),
      listAfter: db.prepare<[string, string, number, number], EntryRow>(
        `SELECT * FROM outbox WHERE channel = ? AND chat_id = ? AND seq > ? AND author = 'bot' ORDER BY seq LIMIT ?`,
      ),
      // A patient entry numbered S came after the bot's entry S, so it is newer than S.
      listAfterBoth: db.prepare<[string, string, number, number, number], EntryRow>(
        `SELECT * FROM outbox WHERE channel = ? AND chat_id = ? AND (seq > ? OR (author = 'patient' AND seq = ?)) ORDER BY id LIMIT ?`,
      ),
      listReplies: db.prepare<[string, string, string], EntryRow>(
        // Id order is seq order within a chat, and lets the search stay on outbox_reply.
        `SELECT * FROM outbox WHERE channel = ? AND chat_id = ? AND in_reply_to = ? AND author = 'bot' ORDER BY id`,
      ),
      pendingHeads: db.prepare<[string, number], EntryRow>(
        `SELECT * FROM outbox WHERE id IN (
           SELECT MIN(id) FROM outbox WHERE channel = ? AND state = 'pending' GROUP BY chat_id
         ) ORDER BY id LIMIT ?`,
      ),
      markSent: db.prepare<[string, number]>(`UPDATE outbox SET state = 'sent', attempts = attempts + 1, updated_at = ? WHERE id = ? AND state = 'pending'`),
      markFailed: db.prepare<[string, string, number]>(
        `UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`,
      ),
      markUndeliverable: db.prepare<[string, string, number]>(
        `UPDATE outbox SET state = 'undeliverable', attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ? AND state = 'pending'`,
      ),
      listUndeliverable: db.prepare<[number], EntryRow>(`SELECT * FROM outbox WHERE state = 'undeliverable' ORDER BY updated_at DESC, id DESC LIMIT ?`),
      // Each part on its own partial index (pending, undeliverable): sent entries are never read. Without
      // the hint the planner would walk the channel's whole history for the undeliverable count.
      backlog: db.prepare<[{ channel: string }], { pending: number; oldest: string | null; undeliverable: number }>(
        `SELECT (SELECT COUNT(*) FROM outbox WHERE channel = @channel AND state = 'pending') AS pending,
                (SELECT MIN(created_at) FROM outbox WHERE channel = @channel AND state = 'pending') AS oldest,
                (SELECT COUNT(*) FROM outbox INDEXED BY outbox_undeliverable
                  WHERE channel = @channel AND state = 'undeliverable') AS undeliverable`,
      ),
      deleteOlderThan: db.prepare<[string]>(`DELETE FROM outbox WHERE created_at < ? AND state != 'pending'`),
    };
    const { markSent } = this.statements;
    this.markSentInOneTransaction = db.transaction((marks: readonly { id: number; at: Date }[]) => {
      for (const mark of marks) markSent.run(toIsoInstant(mark.at), mark.id);
    });
  }

  async push(
    route: DeliveryRoute,
    messages: StoredMessage[],
    now: Date,
    options: PushOptions & { inReplyTo?: string } = {},
  ): Promise<OutboxEntry[]> {
    const written = this.db
      .transaction((): OutboxEntry[] => {
        if (options.dedupeKey !== undefined && this.statements.claimDedupe.run(options.dedupeKey, toIsoInstant(now)).changes === 0) return [];
        return this.appendInTransaction(
          route,
          messages.map((message) => ({ author: 'bot', message, inReplyTo: options.inReplyTo ?? null })),
          now,
        );
      })
      .immediate();
    if (written.length > 0) this.announce(route.channel, route.chatId);
    return written;
  }

  /**
   * Appends a turn's entries (the patient's message, then the replies) inside the caller's
   * transaction; the session store uses it to save a turn atomically. Call {@link announce} after the
   * transaction commits.
   */
  appendTurn(route: DeliveryRoute, turn: { messageId: string; patient: StoredMessage | null; replies: StoredMessage[] }, now: Date): OutboxEntry[] {
    const entries: NewEntry[] = [];
    if (turn.patient) entries.push({ author: 'patient', message: turn.patient, inReplyTo: null });
    for (const message of turn.replies) entries.push({ author: 'bot', message, inReplyTo: turn.messageId });
    return this.appendInTransaction(route, entries, now);
  }

  /**
   * Wakes the channel's sender (after a commit that added entries for `chatId`), which goes straight
   * to that chat.
   */
  announce(channel: DeliveryChannel, chatId: string): void {
    for (const listener of this.listeners) listener(channel, chatId);
  }

  async listAfter(route: DeliveryRoute, afterSeq: number, limit: number, options: { includePatient?: boolean } = {}): Promise<OutboxEntry[]> {
    const max = Math.max(0, Math.floor(limit));
    const rows = options.includePatient
      ? this.statements.listAfterBoth.all(route.channel, route.chatId, afterSeq, afterSeq, max)
      : this.statements.listAfter.all(route.channel, route.chatId, afterSeq, max);
    return rows.map(toEntry);
  }

  async listReplies(route: DeliveryRoute, inReplyTo: string): Promise<OutboxEntry[]> {
    return this.statements.listReplies.all(route.channel, route.chatId, inReplyTo).map(toEntry);
  }

  async pendingHeads(channel: DeliveryChannel, limit: number): Promise<OutboxEntry[]> {
    return this.statements.pendingHeads.all(channel, Math.max(0, Math.floor(limit))).map(toEntry);
  }

  async pendingInChat(route: DeliveryRoute, limit: number, afterId = 0): Promise<OutboxEntry[]> {
    // Written into the statement, so always a whole number.
    const max = Math.max(0, Math.min(Math.floor(limit), 1_000_000)) || 0;
    let statement = this.pendingInChatByLimit.get(max);
    if (!statement) {
      statement = this.db.prepare<[string, string, number], EntryRow>(
        `SELECT * FROM outbox WHERE channel = ? AND chat_id = ? AND state = 'pending' AND id > ? ORDER BY id LIMIT ${max}`,
      );
      // The sender asks with one limit; other limits are prepared but not kept.
      if (this.pendingInChatByLimit.size < 4) this.pendingInChatByLimit.set(max, statement);
    }
    return statement.all(route.channel, route.chatId, afterId).map(toEntry);
  }

  async markSentMany(marks: readonly { id: number; at: Date }[]): Promise<void> {
    if (marks.length === 0) return;
    this.markSentInOneTransaction.immediate(marks);
  }

  async markAttemptFailed(id: number, error: string, now: Date): Promise<void> {
    this.statements.markFailed.run(error.slice(0, LAST_ERROR_LENGTH), toIsoInstant(now), id);
  }

  async markUndeliverable(id: number, reason: string, now: Date): Promise<void> {
    this.statements.markUndeliverable.run(reason.slice(0, LAST_ERROR_LENGTH), toIsoInstant(now), id);
  }

  async listUndeliverable(limit: number): Promise<OutboxEntry[]> {
    return this.statements.listUndeliverable.all(Math.max(0, Math.floor(limit))).map(toEntry);
  }

  async backlog(channel: DeliveryChannel): Promise<OutboxBacklog> {
    const row = this.statements.backlog.get({ channel });
    return { pending: row?.pending ?? 0, oldestPendingAt: row?.oldest ?? null, undeliverable: row?.undeliverable ?? 0 };
  }

  async deleteOlderThan(cutoff: Date): Promise<number> {
    return this.statements.deleteOlderThan.run(toIsoInstant(cutoff)).changes;
  }

  onPush(listener: (channel: DeliveryChannel, chatId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Must run inside a BEGIN IMMEDIATE transaction: numbering reads and writes the chat's counter. */
  private appendInTransaction(route: DeliveryRoute, entries: NewEntry[], now: Date): OutboxEntry[] {
    if (entries.length === 0) return [];
    const createdAt = toIsoInstant(now);
    let seq = this.statements.lastSeq.get(route.channel, route.chatId)?.last_seq ?? 0;
    const written = entries.map((entry): OutboxEntry => {
      if (entry.author === 'bot') seq += 1;
      const state: EntryState = entry.author === 'patient' || this.pulled.has(route.channel) ? 'sent' : 'pending';
      const { lastInsertRowid } = this.statements.insert.run(
        route.channel,
        route.chatId,
        seq,
        entry.author,
        JSON.stringify(entry.message),
        entry.inReplyTo,
        state,
        createdAt,
        createdAt,
      );
      return {
        id: Number(lastInsertRowid),
        route: { channel: route.channel, chatId: route.chatId },
        seq,
        author: entry.author,
        message: entry.message,
        inReplyTo: entry.inReplyTo,
        createdAt,
        state,
        attempts: 0,
        lastError: null,
      };
    });
    this.statements.setLastSeq.run(route.channel, route.chatId, seq);
    return written;
  }
}

function toEntry(row: EntryRow): OutboxEntry {
  return {
    id: row.id,
    route: { channel: row.channel as DeliveryChannel, chatId: row.chat_id },
    seq: row.seq,
    author: row.author as EntryAuthor,
    message: JSON.parse(row.body) as StoredMessage,
    inReplyTo: row.in_reply_to,
    createdAt: row.created_at,
    state: row.state as EntryState,
    attempts: row.attempts,
    lastError: row.last_error,
  };
}
