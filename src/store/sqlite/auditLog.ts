/**
 * Admin security records in the local SQLite file: the audit log of admin actions and the login state
 * of admin chats. Operational state, so it stays here even when clinic data lives in Google Sheets.
 */
import type Database from 'better-sqlite3';
import type { DeliveryChannel, DeliveryRoute } from '../../core/delivery.js';
import type { AdminLoginState, AdminLoginStore, AuditEntry, AuditLog } from '../../core/ports.js';
import { toIsoInstant } from './rows.js';

/** Longest stored arguments and summary: an audit row records what happened, not a whole message. */
const ARGS_LENGTH = 500;
const SUMMARY_LENGTH = 300;

interface AuditRow {
  at: string;
  channel: string;
  chat_id: string;
  user_id: string;
  command: string;
  args: string;
  result: string;
  summary: string;
}

interface LoginRow {
  logged_in_until: string | null;
  failed_attempts: number;
  locked_until: string | null;
}

/** {@link AuditLog} on the `audit_log` table (append-only: nothing here updates or deletes rows). */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;
  private readonly latest;

  constructor(db: Database.Database) {
    this.insert = db.prepare<[AuditRow]>(
      `INSERT INTO audit_log (at, channel, chat_id, user_id, command, args, result, summary)
       VALUES (@at, @channel, @chat_id, @user_id, @command, @args, @result, @summary)`,
    );
    this.latest = db.prepare<[number], AuditRow>('SELECT * FROM audit_log ORDER BY id DESC LIMIT ?');
  }

  async record(entry: AuditEntry): Promise<void> {
    this.insert.run({
      at: toIsoInstant(new Date(entry.at)),
      channel: entry.channel,
      chat_id: entry.chatId,
      user_id: entry.userId,
      command: entry.command.slice(0, 64),
      args: entry.args.slice(0, ARGS_LENGTH),
      result: entry.result,
      summary: entry.summary.slice(0, SUMMARY_LENGTH),
    });
  }

  async recent(limit: number): Promise<AuditEntry[]> {
    return this.latest.all(Math.max(0, Math.floor(limit))).map((row) => ({
      at: row.at,
      channel: row.channel as DeliveryChannel,
      chatId: row.chat_id,
      userId: row.user_id,
      command: row.command,
      args: row.args,
      result: row.result === 'ok' ? 'ok' : 'error',
      summary: row.summary,
    }));
  }
}

/** {@link AdminLoginStore} on the `admin_logins` table, one row per admin chat. */
export class SqliteAdminLogins implements AdminLoginStore {
  private readonly select;
  private readonly upsert;

  constructor(db: Database.Database) {
    this.select = db.prepare<[string, string], LoginRow>(
      'SELECT logged_in_until, failed_attempts, locked_until FROM admin_logins WHERE channel = ? AND chat_id = ?',
    );
    this.upsert = db.prepare<[Record<string, string | number | null>]>(
      `INSERT INTO admin_logins (channel, chat_id, user_id, logged_in_until, failed_attempts, locked_until, updated_at)
       VALUES (@channel, @chatId, @userId, @loggedInUntil, @failedAttempts, @lockedUntil, @updatedAt)
       ON CONFLICT(channel, chat_id) DO UPDATE SET user_id = excluded.user_id, logged_in_until = excluded.logged_in_until,
         failed_attempts = excluded.failed_attempts, locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
    );
  }

  async get(route: DeliveryRoute): Promise<AdminLoginState | undefined> {
    const row = this.select.get(route.channel, route.chatId);
    return row && { loggedInUntil: row.logged_in_until, failedAttempts: row.failed_attempts, lockedUntil: row.locked_until };
  }

  async put(route: DeliveryRoute, userId: string, state: AdminLoginState, now: Date): Promise<void> {
    this.upsert.run({
      channel: route.channel,
      chatId: route.chatId,
      userId,
      loggedInUntil: state.loggedInUntil,
      failedAttempts: state.failedAttempts,
      lockedUntil: state.lockedUntil,
      updatedAt: toIsoInstant(now),
    });
  }
}
