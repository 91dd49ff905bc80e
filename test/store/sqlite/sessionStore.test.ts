import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSession, type Session } from '../../../src/core/session.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteSessionStore } from '../../../src/store/sqlite/sessionStore.js';
import { makeTempDir, minutesAfter } from './helpers.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const TELEGRAM = { channel: 'telegram', chatId: '1001' } as const;
const WEB = { channel: 'web', chatId: '1001' } as const;

let db: Database.Database;
let store: SqliteSessionStore;
let file: string;
let cleanup: () => void;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  file = path.join(temp.dir, 'clinic.db');
  db = openClinicDatabase(file);
  store = new SqliteSessionStore(db);
});

afterEach(() => {
  if (db.open) db.close();
  cleanup();
});

function bookingSession(at: Date): Session {
  return {
    ...newSession(at),
    state: 'SELECTING_SLOT',
    history: ['IDLE', 'AWAITING_NAME', 'SELECTING_DOCTOR'],
    draft: { name: 'Ravi', phone: '+919812345678', age: 34, gender: 'MALE', doctorId: 'D1', slotPage: 2 },
    menu: [{ id: 'slot:S1', label: 'Mon 23 Nov 10:00' }],
    recentMessageIds: ['m1', 'm2'],
  };
}

describe('SqliteSessionStore', () => {
  it('round-trips a session per channel and chat, and survives a reopen', async () => {
    const session = bookingSession(NOW);
    await store.save(TELEGRAM, session);
    expect(await store.load(TELEGRAM)).toEqual(session);
    expect(await store.load(WEB)).toBeUndefined();

    const replaced = { ...session, state: 'IDLE' as const, updatedAt: minutesAfter(NOW, 1).toISOString() };
    await store.save(TELEGRAM, replaced);
    expect(await store.load(TELEGRAM)).toEqual(replaced);

    db.close();
    db = openClinicDatabase(file);
    expect(await new SqliteSessionStore(db).load(TELEGRAM)).toEqual(replaced);
  });

  it('deletes one session', async () => {
    await store.save(TELEGRAM, newSession(NOW));
    await store.save(WEB, newSession(NOW));
    await store.delete(TELEGRAM);
    expect(await store.load(TELEGRAM)).toBeUndefined();
    expect(await store.load(WEB)).toBeDefined();
  });

  it('deleteIdle removes sessions last updated before the cutoff', async () => {
    await store.save({ channel: 'web', chatId: 'old' }, newSession(NOW));
    await store.save({ channel: 'web', chatId: 'edge' }, newSession(minutesAfter(NOW, 60)));
    await store.save({ channel: 'web', chatId: 'new' }, newSession(minutesAfter(NOW, 120)));
    expect(await store.deleteIdle(minutesAfter(NOW, 60))).toBe(1);
    expect(await store.load({ channel: 'web', chatId: 'old' })).toBeUndefined();
    expect(await store.load({ channel: 'web', chatId: 'edge' })).toBeDefined();
    expect(await store.deleteIdle(minutesAfter(NOW, 60))).toBe(0);
  });

  it('treats an unreadable stored session as absent', async () => {
    db.prepare("INSERT INTO sessions (channel, chat_id, data, updated_at) VALUES ('web', 'bad', '{oops', ?)").run(
      NOW.toISOString(),
    );
    expect(await store.load({ channel: 'web', chatId: 'bad' })).toBeUndefined();
  });
});
