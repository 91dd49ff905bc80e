/**
 * {@link RequestKeys} on the `web_request_keys` table of the local SQLite file.
 */
import type Database from 'better-sqlite3';
import type { RequestKeys } from '../../core/ports.js';
import { toIsoInstant } from './rows.js';

export class SqliteRequestKeys implements RequestKeys {
  private readonly claimInTransaction;
  private readonly forget;

  constructor(db: Database.Database) {
    this.forget = db.prepare<[string]>('DELETE FROM web_request_keys WHERE created_at < ?');
    const insert = db.prepare<[string, string, string, string]>(
      'INSERT INTO web_request_keys (session_id, request_key, fingerprint, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const fingerprintOf = db.prepare<[string, string], { fingerprint: string }>(
      'SELECT fingerprint FROM web_request_keys WHERE session_id = ? AND request_key = ?',
    );
    this.claimInTransaction = db.transaction((sessionId: string, key: string, fingerprint: string, now: Date): boolean => {
      insert.run(sessionId, key, fingerprint, toIsoInstant(now));
      return fingerprintOf.get(sessionId, key)?.fingerprint === fingerprint;
    });
  }

  async claim(sessionId: string, key: string, fingerprint: string, now: Date): Promise<boolean> {
    return this.claimInTransaction.immediate(sessionId, key, fingerprint, now);
  }

  async forgetOlderThan(cutoff: Date): Promise<number> {
    return this.forget.run(toIsoInstant(cutoff)).changes;
  }
}
