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
  /** Turns waiting for the next group commit (see {@link commitTurn}). */
  private queued: QueuedTurn[] = [];
  private readonly commitBatch: Database.Transaction<(batch: readonly QueuedTurn[]) => TurnOutcome[]>;

  /**
   * @param outbox the outbox a turn's messages are appended to, in the same transaction as the
   *   session (it must use the same database)
   */
  constructor(
    db: Database.Database,
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
    const { save } = this.statements;
    // Called inside the group's transaction, so it runs as a savepoint of its own.
    const writeTurn = db.transaction((queued: QueuedTurn): number => {
      save.run(queued.ref.channel, queued.ref.chatId, queued.data, queued.updatedAt);
      return outbox.appendTurn(queued.ref, queued.turn, queued.turn.now).length;
    });
    this.commitBatch = db.transaction((batch: readonly QueuedTurn[]) =>
      batch.map((queued): TurnOutcome => {
        try {
          return { ok: true, written: writeTurn(queued) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
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

  /**
   * Queues the turn for the next group commit and resolves once it is durable. Turns of different
   * chats that finish in the same tick (a batch of Telegram updates, a burst of web chat posts) are
   * written in one transaction: a commit costs far more than the rows it writes. Each turn is still
   * all or nothing on its own (a savepoint): one that fails is rolled back and rejected alone.
   */
  commitTurn(ref: ConversationRef, session: Session, turn: TurnRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queued.push({ ref, data: JSON.stringify(session), updatedAt: toIsoInstant(session.updatedAt), turn, resolve, reject });
      // setImmediate, not a microtask: turns still running their steps get to join this commit.
      if (this.queued.length === 1) setImmediate(() => this.commitQueued());
    });
  }

  private commitQueued(): void {
    const batch = this.queued;
    this.queued = [];
    let outcomes: TurnOutcome[];
    try {
      outcomes = this.commitBatch.immediate(batch);
    } catch (error) {
      // The group's transaction itself failed (disk full, busy for too long): nothing of it is stored.
      for (const queued of batch) queued.reject(error);
      return;
    }
    batch.forEach((queued, index) => {
      const outcome = outcomes[index]!;
      if (!outcome.ok) return queued.reject(outcome.error);
      if (outcome.written > 0) this.outbox.announce(queued.ref.channel, queued.ref.chatId);
      queued.resolve();
    });
  }

  async delete(ref: ConversationRef): Promise<void> {
    this.statements.delete.run(ref.channel, ref.chatId);
  }

  async deleteIdle(cutoff: Date): Promise<number> {
    return this.statements.deleteIdle.run(toIsoInstant(cutoff)).changes;
  }
}

/** A turn waiting for the group commit, its session already serialised. */
interface QueuedTurn {
  ref: ConversationRef;
  data: string;
  updatedAt: string;
  turn: TurnRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** What the group commit did with one turn: stored (with how many outbox entries), or rolled back. */
type TurnOutcome = { ok: true; written: number } | { ok: false; error: unknown };

function isSessionLike(value: unknown): value is Session {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.state === 'string' && typeof record.updatedAt === 'string';
}
