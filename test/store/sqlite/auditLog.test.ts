import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../../src/core/ports.js';
import { SqliteAdminLogins, SqliteAuditLog } from '../../../src/store/sqlite/auditLog.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { makeTempDir } from './helpers.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const ADMIN_CHAT = { channel: 'telegram-admin', chatId: '111222333' } as const;

let db: Database.Database;
let file: string;
let cleanup: () => void;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  file = path.join(temp.dir, 'clinic.db');
  db = openClinicDatabase(file);
});

afterEach(() => {
  if (db.open) db.close();
  cleanup();
});

function entry(fields: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: NOW.toISOString(),
    channel: 'telegram-admin',
    chatId: '111222333',
    userId: '111222333',
    command: 'cancel',
    args: 'APT-1 doctor away',
    result: 'ok',
    summary: 'cancelled APT-1',
    ...fields,
  };
}

describe('SqliteAuditLog', () => {
  it('keeps entries, newest first, across a reopen of the file', async () => {
    const log = new SqliteAuditLog(db);
    await log.record(entry());
    await log.record(entry({ command: 'paid', args: 'APT-2', result: 'error', summary: 'No appointment APT-2' }));
    db.close();
    db = openClinicDatabase(file);
    const entries = await new SqliteAuditLog(db).recent(10);
    expect(entries).toEqual([entry({ command: 'paid', args: 'APT-2', result: 'error', summary: 'No appointment APT-2' }), entry()]);
    expect(await new SqliteAuditLog(db).recent(1)).toHaveLength(1);
  });

  it('cuts overlong arguments and summaries instead of storing whole messages', async () => {
    const log = new SqliteAuditLog(db);
    await log.record(entry({ args: 'x'.repeat(10_000), summary: 'y'.repeat(10_000), command: 'z'.repeat(500) }));
    const [stored] = await log.recent(1);
    expect(stored!.args).toHaveLength(500);
    expect(stored!.summary).toHaveLength(300);
    expect(stored!.command).toHaveLength(64);
  });

  it('refuses a result other than ok or error and an instant that is not one', async () => {
    const log = new SqliteAuditLog(db);
    await expect(log.record(entry({ result: 'maybe' as AuditEntry['result'] }))).rejects.toThrow(/CHECK constraint/);
    await expect(log.record(entry({ at: 'yesterday' }))).rejects.toThrow(/Not a valid instant/);
  });
});

describe('SqliteAdminLogins', () => {
  it('stores one state per chat and replaces it', async () => {
    const logins = new SqliteAdminLogins(db);
    expect(await logins.get(ADMIN_CHAT)).toBeUndefined();
    await logins.put(ADMIN_CHAT, '111222333', { loggedInUntil: null, failedAttempts: 2, lockedUntil: null }, NOW);
    await logins.put(ADMIN_CHAT, '111222333', { loggedInUntil: null, failedAttempts: 5, lockedUntil: '2026-11-21T04:45:00.000Z' }, NOW);
    await logins.put({ channel: 'telegram', chatId: '111222333' }, '111222333', { loggedInUntil: '2026-11-21T16:30:00.000Z', failedAttempts: 0, lockedUntil: null }, NOW);
    db.close();
    db = openClinicDatabase(file);
    const reopened = new SqliteAdminLogins(db);
    expect(await reopened.get(ADMIN_CHAT)).toEqual({ loggedInUntil: null, failedAttempts: 5, lockedUntil: '2026-11-21T04:45:00.000Z' });
    expect(await reopened.get({ channel: 'telegram', chatId: '111222333' })).toEqual({
      loggedInUntil: '2026-11-21T16:30:00.000Z',
      failedAttempts: 0,
      lockedUntil: null,
    });
  });
});
