/**
 * Idempotency-Keys of web chat requests in SQLite: a key is known per session with the fingerprint of
 * its first message, kept across reopening the file, and forgotten with the transcripts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openClinicDatabase, SqliteRequestKeys } from '../../../src/store/sqlite/index.js';

const NOW = new Date('2026-11-21T04:30:00Z');
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length > 0) rmSync(dirs.pop()!, { recursive: true, force: true });
});

function file(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'clinic-request-keys-'));
  dirs.push(dir);
  return path.join(dir, 'clinic.db');
}

describe('request keys', () => {
  it('takes a new key, the same key with the same message, and refuses it with another', async () => {
    const db = openClinicDatabase(file());
    const keys = new SqliteRequestKeys(db);
    expect(await keys.claim('session-a', 'k1', 'fp-hi', NOW)).toBe(true);
    expect(await keys.claim('session-a', 'k1', 'fp-hi', NOW)).toBe(true);
    expect(await keys.claim('session-a', 'k1', 'fp-book', NOW)).toBe(false);
    // Keys are per session.
    expect(await keys.claim('session-b', 'k1', 'fp-book', NOW)).toBe(true);
    db.close();
  });

  it('remembers keys across reopening the file, and forgets those sent before a cutoff', async () => {
    const location = file();
    const first = openClinicDatabase(location);
    await new SqliteRequestKeys(first).claim('session-a', 'k1', 'fp-hi', NOW);
    first.close();

    const reopened = openClinicDatabase(location);
    const keys = new SqliteRequestKeys(reopened);
    expect(await keys.claim('session-a', 'k1', 'fp-other', new Date(NOW.getTime() + 86_400_000))).toBe(false);
    expect(await keys.forgetOlderThan(NOW)).toBe(0);
    // Forgotten with the transcript (its replies are gone too), the key is new again.
    expect(await keys.forgetOlderThan(new Date(NOW.getTime() + 2 * 86_400_000))).toBe(1);
    expect(await keys.claim('session-a', 'k1', 'fp-other', new Date(NOW.getTime() + 3 * 86_400_000))).toBe(true);
    reopened.close();
  });
});
