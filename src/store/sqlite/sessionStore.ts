/**
 * Conversation sessions in the local SQLite file. Sessions are operational state, not clinic data, so
 * they stay here even when the clinic data lives in Google Sheets.
 */
import type Database from 'better-sqlite3';
import type { ConversationRef } from '../../core/messages.js';
import type { SessionStore, TurnRecord } from '../../core/ports.js';
import type { Session } from '../../core/session.js';
import { SqliteOutbox } from './outbox.js';
import { toIsoInstant } from './rows.js';

/**
 * {@link SessionStore} keeping each session as one JSON document per (channel, chat). The idle clock
 * is the session's own `updatedAt`, so the engine decides what counts as activity.
 */
export class SqliteSessionStore implements SessionStore {
  private readonly statements;

  /**
   * @param outbox the outbox a turn's messages are appended to, in the same transaction as the
   *   session (it must use the same database)
   */
  constructor(
    private readonly db: Database.Database,
    private readonly outbox: SqliteOutbox = new SqliteOutbox(db),
  ) {
    this.statements = {
      load: db.prepare<[string, string], { data: string }>(
        'SELECT data FROM sessions WHERE channel = ? AND chat_id = ?',
      ),
      save: db.prepare<[string, string, string, string]>(
        `INSERT INTO sessions (channel, chat_id, data, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(channel, chat_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      ),
      delete: db.prepare<[string, string]>('DELETE FROM sessions WHERE channel = ? AND chat_id = ?'),
      deleteIdle: db.prepare<[string]>('DELETE FROM sessions WHERE updated_at < ?'),
    };
  }

  /** Returns undefined for a missing session and also for an unreadable one, so the chat starts afresh. */
  async load(ref: ConversationRef): Promise<Session | undefined> {
    const row = this.statements.load.get(ref.channel, ref.chatId);
    if (!row) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(row.data) as unknown;
    } catch {
      return undefined;
    }
    return isSessionLike(value) ? value : undefined;
  }

  async save(ref: ConversationRef, session: Session): Promise<void> {
    this.statements.save.run(ref.channel, ref.chatId, JSON.stringify(session), toIsoInstant(session.updatedAt));
  }

  async commitTurn(ref: ConversationRef, session: Session, turn: TurnRecord): Promise<void> {
    const written = this.db
      .transaction(() => {
        this.statements.save.run(ref.channel, ref.chatId, JSON.stringify(session), toIsoInstant(session.updatedAt));
        return this.outbox.appendTurn(ref, turn, turn.now);
      })
      .immediate();
    if (written.length > 0) this.outbox.announce(ref.channel, ref.chatId);
  }

  async delete(ref: ConversationRef): Promise<void> {
    this.statements.delete.run(ref.channel, ref.chatId);
  }

  async deleteIdle(cutoff: Date): Promise<number> {
    return this.statements.deleteIdle.run(toIsoInstant(cutoff)).changes;
  }
}

function isSessionLike(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.state === 'string' && typeof record.updatedAt === 'string';
}
