import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WebMessageBody } from '../../../src/channels/web/outbox.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteWebOutbox } from '../../../src/store/sqlite/webOutbox.js';
import { makeTempDir, minutesAfter } from './helpers.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const A = 'session-aaaaaaaaaaaaaaaaaaaa';
const B = 'session-bbbbbbbbbbbbbbbbbbbb';

let db: Database.Database;
let outbox: SqliteWebOutbox;
let file: string;
let cleanup: () => void;

beforeEach(() => {
  const temp = makeTempDir();
  cleanup = temp.cleanup;
  file = path.join(temp.dir, 'clinic.db');
  db = openClinicDatabase(file);
  outbox = new SqliteWebOutbox(db);
});

afterEach(() => {
  if (db.open) db.close();
  cleanup();
});

function text(value: string): WebMessageBody {
  return { kind: 'text', text: value };
}

describe('SqliteWebOutbox', () => {
  it('numbers each session 1, 2, 3… even when sessions interleave', async () => {
    const a1 = await outbox.append(A, [text('a1'), text('a2')], 'm1', NOW);
    const b1 = await outbox.append(B, [text('b1')], 'm1', NOW);
    const a2 = await outbox.append(A, [text('a3')], null, NOW);
    const b2 = await outbox.append(B, [text('b2'), text('b3')], 'm2', NOW);
    expect(a1.map((m) => m.seq)).toEqual([1, 2]);
    expect(b1.map((m) => m.seq)).toEqual([1]);
    expect(a2.map((m) => m.seq)).toEqual([3]);
    expect(b2.map((m) => m.seq)).toEqual([2, 3]);
    expect(await outbox.append(A, [], null, NOW)).toEqual([]);
  });

  it('keeps numbering unique under concurrent appends and across connections', async () => {
    const otherDb = openClinicDatabase(file);
    const other = new SqliteWebOutbox(otherDb);
    const appends = Array.from({ length: 50 }, (_, i) =>
      (i % 2 === 0 ? outbox : other).append(A, [text(`m${i}`), text(`m${i}b`)], `m${i}`, NOW),
    );
    const seqs = (await Promise.all(appends)).flat().map((m) => m.seq);
    otherDb.close();
    expect([...seqs].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('stores every field of a message and lists after a seq, oldest first, up to a limit', async () => {
    const menu: WebMessageBody = {
      kind: 'menu',
      text: 'Pick a doctor',
      options: [{ id: 'd1', label: 'Dr. Asha' }],
    };
    const document: WebMessageBody = { kind: 'document', text: 'Your invoice', fileName: 'invoice.pdf', fileId: 'f1' };
    const link: WebMessageBody = { kind: 'link', text: 'Pay', url: 'https://rzp.io/l/x', label: 'Pay now' };
    await outbox.append(A, [text('hello'), menu, document, link], 'm1', NOW);

    expect(await outbox.listAfter(A, 0, 100)).toEqual([
      { seq: 1, ...text('hello') },
      { seq: 2, ...menu },
      { seq: 3, ...document },
      { seq: 4, ...link },
    ]);
    expect((await outbox.listAfter(A, 1, 2)).map((m) => m.seq)).toEqual([2, 3]);
    expect(await outbox.listAfter(A, 4, 100)).toEqual([]);
    expect(await outbox.listAfter(B, 0, 100)).toEqual([]);
  });

  it('ignores a seq smuggled into a body', async () => {
    const [stored] = await outbox.append(A, [{ ...text('x'), seq: 99 } as WebMessageBody], null, NOW);
    expect(stored?.seq).toBe(1);
    expect(await outbox.listAfter(A, 0, 10)).toEqual([{ kind: 'text', text: 'x', seq: 1 }]);
  });

  it('lists the replies to one client message', async () => {
    await outbox.append(A, [text('r1'), text('r2')], 'm1', NOW);
    await outbox.append(A, [text('push')], null, NOW);
    await outbox.append(A, [text('r3')], 'm2', NOW);
    await outbox.append(B, [text('other')], 'm1', NOW);
    expect((await outbox.listReplies(A, 'm1')).map((m) => [m.seq, m.text])).toEqual([
      [1, 'r1'],
      [2, 'r2'],
    ]);
    expect((await outbox.listReplies(A, 'm2')).map((m) => m.seq)).toEqual([4]);
    expect(await outbox.listReplies(A, 'm9')).toEqual([]);
  });

  it('deletes old messages without restarting a session\'s numbering', async () => {
    await outbox.append(A, [text('old1'), text('old2')], null, NOW);
    await outbox.append(B, [text('old')], null, NOW);
    await outbox.append(B, [text('new')], null, minutesAfter(NOW, 10));
    expect(await outbox.deleteOlderThan(minutesAfter(NOW, 10))).toBe(3);
    expect(await outbox.listAfter(A, 0, 10)).toEqual([]);
    expect((await outbox.listAfter(B, 0, 10)).map((m) => m.text)).toEqual(['new']);
    // A client still holding after=2 must see the next message.
    const [next] = await outbox.append(A, [text('later')], null, minutesAfter(NOW, 20));
    expect(next?.seq).toBe(3);
    expect((await outbox.listAfter(A, 2, 10)).map((m) => m.text)).toEqual(['later']);
  });

  it('keeps the outbox across a reopen', async () => {
    await outbox.append(A, [text('before')], null, NOW);
    db.close();
    db = openClinicDatabase(file);
    const reopened = new SqliteWebOutbox(db);
    expect((await reopened.listAfter(A, 0, 10)).map((m) => m.text)).toEqual(['before']);
    expect((await reopened.append(A, [text('after')], null, NOW))[0]?.seq).toBe(2);
  });
});
