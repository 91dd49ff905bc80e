import path from 'node:path';
import BetterSqlite from 'better-sqlite3';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../../../src/core/delivery.js';
import { newSession } from '../../../src/core/session.js';
import { MIGRATIONS, migrate, openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteOutbox } from '../../../src/store/sqlite/outbox.js';
import { SqliteSessionStore } from '../../../src/store/sqlite/sessionStore.js';
import { makeTempDir, minutesAfter } from './helpers.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const WEB_A = { channel: 'web', chatId: 'session-aaaaaaaaaaaaaaaaaaaa' } as const;
const WEB_B = { channel: 'web', chatId: 'session-bbbbbbbbbbbbbbbbbbbb' } as const;
const TG = { channel: 'telegram', chatId: '1001' } as const;

let db: Database.Database;
let outbox: SqliteOutbox;
let file: string;
let cleanup: () => void;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  file = path.join(temp.dir, 'clinic.db');
  db = openClinicDatabase(file);
  outbox = new SqliteOutbox(db);
});

afterEach(() => {
  if (db.open) db.close();
  cleanup();
});

function text(value: string): StoredMessage {
  return { kind: 'text', text: value };
}

const texts = (entries: { message: StoredMessage }[]) => entries.map((e) => ('text' in e.message ? e.message.text : ''));

describe('SqliteOutbox', () => {
  it('numbers each chat 1, 2, 3… even when chats interleave', async () => {
    const a1 = await outbox.push(WEB_A, [text('a1'), text('a2')], NOW, { inReplyTo: 'm1' });
    const b1 = await outbox.push(WEB_B, [text('b1')], NOW, { inReplyTo: 'm1' });
    const a2 = await outbox.push(WEB_A, [text('a3')], NOW);
    expect(a1.map((e) => e.seq)).toEqual([1, 2]);
    expect(b1.map((e) => e.seq)).toEqual([1]);
    expect(a2.map((e) => e.seq)).toEqual([3]);
    expect(texts(await outbox.listAfter(WEB_A, 1, 10))).toEqual(['a2', 'a3']);
    expect(texts(await outbox.listReplies(WEB_A, 'm1'))).toEqual(['a1', 'a2']);
  });

  it('writes pulled channels as sent and push channels as pending, oldest first per chat', async () => {
    await outbox.push(WEB_A, [text('web')], NOW);
    await outbox.push(TG, [text('one'), text('two')], NOW);
    await outbox.push({ channel: 'telegram', chatId: '1002' }, [text('other chat')], NOW);
    expect((await outbox.listAfter(WEB_A, 0, 10))[0]?.state).toBe('sent');
    const heads = await outbox.pendingHeads('telegram', 10);
    expect(texts(heads)).toEqual(['one', 'other chat']);
    expect(await outbox.pendingHeads('web', 10)).toEqual([]);

    const first = heads[0]!;
    await outbox.markAttemptFailed(first.id, 'network down', NOW);
    expect((await outbox.pendingInChat(TG, 1))[0]?.attempts).toBe(1);
    await outbox.markSentMany([{ id: first.id, at: NOW }]);
    expect(texts(await outbox.pendingInChat(TG, 1))).toEqual(['two']);
    expect(await outbox.backlog('telegram')).toEqual({ pending: 2, oldestPendingAt: NOW.toISOString(), undeliverable: 0 });
  });

  it('keeps undeliverable entries with their reason for the admins', async () => {
    const [entry] = await outbox.push(TG, [text('reminder')], NOW);
    await outbox.markUndeliverable(entry!.id, 'bot was blocked by the user', minutesAfter(NOW, 1));
    const [listed] = await outbox.listUndeliverable(10);
    expect(listed).toMatchObject({ state: 'undeliverable', lastError: 'bot was blocked by the user', route: TG });
    expect(await outbox.pendingInChat(TG, 1)).toEqual([]);
    expect((await outbox.backlog('telegram')).undeliverable).toBe(1);
  });

  it('pushes a deduplicated message at most once, even after the message itself was pruned', async () => {
    expect(await outbox.push(TG, [text('24h reminder')], NOW, { dedupeKey: 'reminder:A:1440' })).toHaveLength(1);
    expect(await outbox.push(TG, [text('24h reminder')], NOW, { dedupeKey: 'reminder:A:1440' })).toEqual([]);
    const [entry] = await outbox.pendingHeads('telegram', 1);
    await outbox.markSentMany([{ id: entry!.id, at: NOW }]);
    expect(await outbox.deleteOlderThan(minutesAfter(NOW, 60 * 24 * 40))).toBe(1);
    expect(await outbox.push(TG, [text('24h reminder')], NOW, { dedupeKey: 'reminder:A:1440' })).toEqual([]);
  });

  it('never prunes a message still waiting for delivery', async () => {
    await outbox.push(TG, [text('waiting')], NOW);
    expect(await outbox.deleteOlderThan(minutesAfter(NOW, 60 * 24 * 40))).toBe(0);
    expect(texts(await outbox.pendingHeads('telegram', 10))).toEqual(['waiting']);
  });

  it('announces pushes, naming the chat, so the channel sender wakes up', async () => {
    const heard: [string, string][] = [];
    const stop = outbox.onPush((channel, chatId) => heard.push([channel, chatId]));
    await outbox.push(TG, [text('hello')], NOW);
    await outbox.push(TG, [text('again')], NOW, { dedupeKey: 'k' });
    await outbox.push(TG, [text('again')], NOW, { dedupeKey: 'k' });
    const sessions = new SqliteSessionStore(db, outbox);
    await sessions.commitTurn({ channel: 'telegram', chatId: '1002' }, newSession(NOW), { messageId: 'm1', patient: text('hi'), replies: [text('Welcome')], now: NOW });
    outbox.announce('telegram', '1003');
    stop();
    await outbox.push(TG, [text('unheard')], NOW);
    expect(heard).toEqual([
      ['telegram', '1001'],
      ['telegram', '1001'],
      ['telegram', '1002'],
      ['telegram', '1003'],
    ]);
  });

  it('reads a chat\'s pending entries in order, a few at a time', async () => {
    const written = await outbox.push(TG, ['1', '2', '3', '4', '5'].map(text), NOW);
    await outbox.push({ channel: 'telegram', chatId: '1002' }, [text('other chat')], NOW);
    await outbox.push({ channel: 'whatsapp', chatId: '1001' }, [text('other channel')], NOW);
    await outbox.markSentMany([{ id: written[0]!.id, at: NOW }]);
    await outbox.markUndeliverable(written[2]!.id, 'chat not found', NOW);
    expect(texts(await outbox.pendingInChat(TG, 2))).toEqual(['2', '4']);
    expect(texts(await outbox.pendingInChat(TG, 10))).toEqual(['2', '4', '5']);
    expect(await outbox.pendingInChat(TG, 0)).toEqual([]);
    // Entries up to a given one are skipped (their "sent" mark is not written yet).
    expect(texts(await outbox.pendingInChat(TG, 10, written[3]!.id))).toEqual(['5']);
    expect(texts(await outbox.pendingInChat({ channel: 'telegram', chatId: '1002' }, 10, written[4]!.id))).toEqual(['other chat']);
  });

  it('marks many entries sent in one transaction, each with its own time, leaving other states alone', async () => {
    const written = await outbox.push(TG, ['1', '2', '3', '4'].map(text), NOW);
    const [a, b, c, d] = written.map((e) => e.id) as [number, number, number, number];
    await outbox.markUndeliverable(c, 'bot was blocked by the user', NOW);
    await outbox.markSentMany([]);
    await outbox.markSentMany([
      { id: a, at: minutesAfter(NOW, 1) },
      { id: b, at: minutesAfter(NOW, 2) },
      { id: c, at: minutesAfter(NOW, 3) },
    ]);
    const rows = db.prepare(`SELECT id, state, attempts, updated_at FROM outbox WHERE id IN (?, ?, ?, ?) ORDER BY id`).all(a, b, c, d);
    expect(rows).toEqual([
      { id: a, state: 'sent', attempts: 1, updated_at: minutesAfter(NOW, 1).toISOString() },
      { id: b, state: 'sent', attempts: 1, updated_at: minutesAfter(NOW, 2).toISOString() },
      { id: c, state: 'undeliverable', attempts: 1, updated_at: NOW.toISOString() },
      { id: d, state: 'pending', attempts: 0, updated_at: NOW.toISOString() },
    ]);

    // All or nothing: a failure on the second mark leaves the first unwritten too.
    db.exec(`CREATE TRIGGER fail_mark BEFORE UPDATE ON outbox WHEN NEW.id = ${d} BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    const [e] = await outbox.push(TG, [text('5')], NOW);
    await expect(outbox.markSentMany([{ id: e!.id, at: NOW }, { id: d, at: NOW }])).rejects.toThrow('disk full');
    expect(texts(await outbox.pendingInChat(TG, 10))).toEqual(['4', '5']);
  });
});

describe('a turn stored with its session', () => {
  it('keeps both sides of the conversation; the bot numbering has no gaps', async () => {
    const sessions = new SqliteSessionStore(db, outbox);
    const session = newSession(NOW);
    await sessions.commitTurn(WEB_A, session, { messageId: 'm1', patient: text('hi'), replies: [text('Welcome'), text('Menu')], now: NOW });
    await sessions.commitTurn(WEB_A, session, { messageId: 'm2', patient: text('book'), replies: [text('Your name?')], now: NOW });
    expect((await outbox.listAfter(WEB_A, 0, 10)).map((e) => e.seq)).toEqual([1, 2, 3]);
    const transcript = await outbox.listAfter(WEB_A, 0, 10, { includePatient: true });
    expect(transcript.map((e) => [e.author, 'text' in e.message ? e.message.text : ''])).toEqual([
      ['patient', 'hi'],
      ['bot', 'Welcome'],
      ['bot', 'Menu'],
      ['patient', 'book'],
      ['bot', 'Your name?'],
    ]);
    expect(texts(await outbox.listAfter(WEB_A, 2, 10, { includePatient: true }))).toEqual(['book', 'Your name?']);
  });

  it('stores neither the session nor the replies when the transaction fails', async () => {
    const sessions = new SqliteSessionStore(db, outbox);
    // Simulate a crash inside the transaction: the outbox insert fails after the session was written.
    db.exec(`CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox WHEN NEW.body LIKE '%boom%' BEGIN SELECT RAISE(ABORT, 'disk full'); END;`);
    await expect(
      sessions.commitTurn(TG, { ...newSession(NOW), state: 'AWAITING_NAME' }, { messageId: 'm1', patient: text('hi'), replies: [text('boom')], now: NOW }),
    ).rejects.toThrow('disk full');
    expect(await sessions.load(TG)).toBeUndefined();
    expect(await outbox.listAfter(TG, 0, 10, { includePatient: true })).toEqual([]);
  });
});

describe('migration to the partial outbox indexes', () => {
  it('keeps every entry findable: pending, undeliverable and replies', async () => {
    const old = new BetterSqlite(path.join(path.dirname(file), 'before-partial.db'));
    migrate(old, MIGRATIONS.slice(0, 7));
    const insert = old.prepare(
      `INSERT INTO outbox (channel, chat_id, seq, author, body, in_reply_to, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const at = NOW.toISOString();
    insert.run('telegram', '1', 1, 'bot', JSON.stringify(text('sent')), 'm1', 'sent', at, at);
    insert.run('telegram', '1', 1, 'patient', JSON.stringify(text('hi')), null, 'sent', at, at);
    insert.run('telegram', '1', 2, 'bot', JSON.stringify(text('waiting')), 'm2', 'pending', at, at);
    insert.run('telegram', '2', 1, 'bot', JSON.stringify(text('blocked')), null, 'undeliverable', at, at);
    migrate(old);
    const migrated = new SqliteOutbox(old);
    expect(texts(await migrated.pendingHeads('telegram', 10))).toEqual(['waiting']);
    expect(texts(await migrated.pendingInChat({ channel: 'telegram', chatId: '1' }, 10))).toEqual(['waiting']);
    expect(texts(await migrated.listUndeliverable(10))).toEqual(['blocked']);
    expect(texts(await migrated.listReplies({ channel: 'telegram', chatId: '1' }, 'm1'))).toEqual(['sent']);
    expect(await migrated.backlog('telegram')).toEqual({ pending: 1, oldestPendingAt: at, undeliverable: 1 });
    // An entry marked sent leaves the queue.
    const [waiting] = await migrated.pendingHeads('telegram', 10);
    await migrated.markSentMany([{ id: waiting!.id, at: NOW }]);
    expect(await migrated.backlog('telegram')).toEqual({ pending: 0, oldestPendingAt: null, undeliverable: 1 });
    old.close();
  });
});

describe('migration from the web chat outbox', () => {
  it('keeps existing web chat messages and their numbering', async () => {
    const old = new BetterSqlite(path.join(path.dirname(file), 'old.db'));
    migrate(old, MIGRATIONS.slice(0, 1));
    old.prepare(`INSERT INTO web_outbox (session_id, seq, body, in_reply_to, created_at) VALUES (?, ?, ?, ?, ?)`).run(WEB_A.chatId, 7, JSON.stringify(text('kept')), 'm1', NOW.toISOString());
    old.prepare(`INSERT INTO web_outbox_sessions (session_id, last_seq) VALUES (?, ?)`).run(WEB_A.chatId, 7);
    migrate(old);
    const migrated = new SqliteOutbox(old);
    expect(texts(await migrated.listReplies(WEB_A, 'm1'))).toEqual(['kept']);
    expect((await migrated.push(WEB_A, [text('next')], NOW))[0]?.seq).toBe(8);
    old.close();
  });
});
