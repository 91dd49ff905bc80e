/**
 * The web chat outbox in the local SQLite file, so a page can fetch what it missed after a reload or a
 * server restart.
 */
import type Database from 'better-sqlite3';
import type { StoredWebMessage, WebMessageBody, WebOutbox } from '../../channels/web/outbox.js';
import { toIsoInstant } from './rows.js';

interface OutboxRow {
  seq: number;
  body: string;
}

/**
 * {@link WebOutbox} numbering messages per session. Numbers are taken from a per-session counter
 * inside the same BEGIN IMMEDIATE transaction as the insert, so concurrent appends (even from another
 * process) never share a seq, and pruning old messages never makes a session count from 1 again.
 */
export class SqliteWebOutbox implements WebOutbox {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      lastSeq: db.prepare<[{ id: string }], { last: number }>(
        `SELECT MAX(COALESCE((SELECT last_seq FROM web_outbox_sessions WHERE session_id = @id), 0),
                    COALESCE((SELECT MAX(seq) FROM web_outbox WHERE session_id = @id), 0)) AS last`,
      ),
      setLastSeq: db.prepare<[string, number]>(
        `INSERT INTO web_outbox_sessions (session_id, last_seq) VALUES (?, ?)
         ON CONFLICT(session_id) DO UPDATE SET last_seq = excluded.last_seq`,
      ),
      insert: db.prepare<[string, number, string, string | null, string]>(
        'INSERT INTO web_outbox (session_id, seq, body, in_reply_to, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      listAfter: db.prepare<[string, number, number], OutboxRow>(
        'SELECT seq, body FROM web_outbox WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      ),
      listReplies: db.prepare<[string, string], OutboxRow>(
        'SELECT seq, body FROM web_outbox WHERE session_id = ? AND in_reply_to = ? ORDER BY seq',
      ),
      deleteOlderThan: db.prepare<[string]>('DELETE FROM web_outbox WHERE created_at < ?'),
    };
  }

  async append(
    sessionId: string,
    messages: WebMessageBody[],
    inReplyTo: string | null,
    now: Date,
  ): Promise<StoredWebMessage[]> {
    const createdAt = toIsoInstant(now);
    return this.db
      .transaction((): StoredWebMessage[] => {
        if (messages.length === 0) return [];
        let seq = this.statements.lastSeq.get({ id: sessionId })?.last ?? 0;
        const stored = messages.map((message): StoredWebMessage => {
          seq += 1;
          const body = bodyOf(message);
          this.statements.insert.run(sessionId, seq, JSON.stringify(body), inReplyTo, createdAt);
          return { ...body, seq };
        });
        this.statements.setLastSeq.run(sessionId, seq);
        return stored;
      })
      .immediate();
  }

  async listAfter(sessionId: string, afterSeq: number, limit: number): Promise<StoredWebMessage[]> {
    return this.statements.listAfter.all(sessionId, afterSeq, Math.max(0, Math.floor(limit))).map(toStored);
  }

  async listReplies(sessionId: string, inReplyTo: string): Promise<StoredWebMessage[]> {
    return this.statements.listReplies.all(sessionId, inReplyTo).map(toStored);
  }

  /** Prunes messages only; each session's counter stays so its numbering carries on after pruning. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    return this.statements.deleteOlderThan.run(toIsoInstant(cutoff)).changes;
  }
}

/** The body as stored: a caller's stray `seq` must not shadow the one this outbox assigns. */
function bodyOf(message: WebMessageBody): WebMessageBody {
  const { seq: _ignored, ...body } = message as WebMessageBody & { seq?: unknown };
  return body;
}

function toStored(row: OutboxRow): StoredWebMessage {
  return { ...(JSON.parse(row.body) as WebMessageBody), seq: row.seq };
}
