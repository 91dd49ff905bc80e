import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSession, type Session } from '../../../src/core/session.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteOutbox } from '../../../src/store/sqlite/outbox.js';
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

describe('committing turns', () => {
  const chat = (id: string) => ({ channel: 'telegram', chatId: id }) as const;
  const turn = (messageId: string, reply: string) => ({
    messageId,
    patient: { kind: 'text', text: 'hi' } as const,
    replies: [{ kind: 'text', text: reply } as const],
    now: NOW,
  });

  it('writes the turns of one tick together, and a failing turn rolls back alone', async () => {
    const outbox = new SqliteOutbox(db);
    const turns = new SqliteSessionStore(db, outbox);
    const announced: string[] = [];
    outbox.onPush((_channel, chatId) => announced.push(chatId));
    db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox WHEN NEW.body LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);

    const results = Promise.allSettled([
      turns.commitTurn(chat('1'), bookingSession(NOW), turn('m1', 'one')),
      turns.commitTurn(chat('2'), bookingSession(NOW), turn('m2', 'boom')),
      turns.commitTurn(chat('3'), bookingSession(NOW), turn('m3', 'three')),
    ]);
    // Nothing is stored until the group commits, so nothing is announced either.
    expect(await turns.load(chat('1'))).toBeUndefined();
    expect(announced).toEqual([]);

    const [first, failed, third] = await results;
    expect(first.status).toBe('fulfilled');
    expect(third.status).toBe('fulfilled');
    expect(failed).toMatchObject({ status: 'rejected', reason: { message: 'disk full' } });
    expect(await turns.load(chat('1'))).toEqual(bookingSession(NOW));
    expect(await turns.load(chat('3'))).toEqual(bookingSession(NOW));
    // The failed turn left neither its session nor its patient entry behind.
    expect(await turns.load(chat('2'))).toBeUndefined();
    expect(await outbox.listAfter(chat('2'), 0, 10, { includePatient: true })).toEqual([]);
    expect((await outbox.listReplies(chat('3'), 'm3')).map((e) => e.message)).toEqual([{ kind: 'text', text: 'three' }]);
    expect(announced).toEqual(['1', '3']);
  });

  it('rejects every turn of a group whose transaction cannot start, and stores none of them', async () => {
    const turns = new SqliteSessionStore(db);
    const other = openClinicDatabase(file);
    db.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    try {
      const results = await Promise.allSettled([
        turns.commitTurn(chat('1'), bookingSession(NOW), turn('m1', 'one')),
        turns.commitTurn(chat('2'), bookingSession(NOW), turn('m2', 'two')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(results[0]).toMatchObject({ reason: { code: 'SQLITE_BUSY' } });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await turns.load(chat('1'))).toBeUndefined();
    // The next tick's group commits normally.
    await turns.commitTurn(chat('1'), bookingSession(NOW), turn('m1', 'one'));
    expect(await turns.load(chat('1'))).toEqual(bookingSession(NOW));
  });
});

