/**
 * When the clinic's number was linked, kept in the SQLite meta table so it survives restarts. Messages
 * older than this are history WhatsApp replays to a new linked device; they are never answered.
 */
import type Database from 'better-sqlite3';
import { getMeta, setMeta } from '../../store/sqlite/database.js';

const KEY = 'whatsapp_linked_at';

export class LinkMoment {
  constructor(private readonly db: Database.Database) {}

  /** Milliseconds since the epoch, or undefined when the number is not linked. */
  get(): number | undefined {
    const value = getMeta(this.db, KEY);
    const ms = value ? Date.parse(value) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  }

  set(at: Date): void {
    setMeta(this.db, KEY, at.toISOString());
  }

  /** The number was unlinked: the next link starts a new history. */
  clear(): void {
    setMeta(this.db, KEY, '');
  }
}
