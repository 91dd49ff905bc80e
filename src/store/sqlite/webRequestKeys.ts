/**
 * {@link RequestKeys} on the `web_request_keys` table of the local SQLite file.
 */
import type Database from 'better-sqlite3';
import type { RequestKeys } from '../../core/ports.js';
import { toIsoInstant } from './rows.js';

export interface SqliteRequestKeysOptions {
  /**
   * Days a key is remembered: as long as the transcript whose replies a retry would return (older
   * replies are gone, so an older key could not return them anyway).
   */
  keepDays?: number;
}

export class SqliteRequestKeys implements RequestKeys {
  private readonly claimInTransaction;

  constructor(db: Database.Database, options: SqliteRequestKeysOptions = {}) {
    const keepMs = (options.keepDays ?? 30) * 86_400_000;
    const forget = db.prepare<[string]>('DELETE FROM web_request_keys WHERE created_at < ?');
    const insert = db.prepare<[string, string, string, string]>(
      'INSERT INTO web_request_keys (session_id, request_key, fingerprint, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const fingerprintOf = db.prepare<[string, string], { fingerprint: string }>(
      'SELECT fingerprint FROM web_request_keys WHERE session_id = ? AND request_key = ?',
    );
    this.claimInTransaction = db.transaction((sessionId: string, key: string, fingerprint: string, now: Date): boolean => {
      // Old keys go as new ones come: the index on created_at makes this cheap when there are none.
      forget.run(toIsoInstant(new Date(now.getTime() - keepMs)));
      insert.run(sessionId, key, fingerprint, toIsoInstant(now));
      return fingerprintOf.get(sessionId, key)?.fingerprint === fingerprint;
    });
  }

  async claim(sessionId: string, key: string, fingerprint: string, now: Date): Promise<boolean> {
    return this.claimInTransaction.immediate(sessionId, key, fingerprint, now);
  }
}
