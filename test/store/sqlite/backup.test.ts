import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupError, backupDatabase } from '../../../src/store/sqlite/backup.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteClinicStore } from '../../../src/store/sqlite/clinicStore.js';
import { doctor, makeTempDir } from './helpers.js';

const temps: (() => void)[] = [];
afterEach(() => {
  while (temps.length > 0) temps.pop()!();
});

function tempDir(): string {
  const { dir, cleanup } = makeTempDir();
  temps.push(cleanup);
  return dir;
}

describe('backupDatabase', () => {
  it('copies a database that is being written to, consistently', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'clinic.db');
    const db = openClinicDatabase(file);
    const store = new SqliteClinicStore(db);
    for (let i = 0; i < 200; i++) await store.upsertDoctor(doctor({ id: `D${i}`, name: `Dr. ${i}` }));

    // Keep writing while the backup runs: the copy is a snapshot of one moment, never torn.
    let writing = true;
    const writer = (async () => {
      for (let i = 200; writing; i++) {
        await store.upsertDoctor(doctor({ id: `D${i}` }));
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const result = await backupDatabase(file, path.join(dir, 'backups', 'copy.db'));
    writing = false;
    await writer;

    const copy = new Database(result.file, { readonly: true });
    const count = copy.prepare('SELECT COUNT(*) AS n FROM doctors').get() as { n: number };
    expect(count.n).toBeGreaterThanOrEqual(200);
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('user_version', { simple: true })).toBe(db.pragma('user_version', { simple: true }));
    copy.close();
    await store.close();
  });

  it('refuses a missing database and leaves no partial file', async () => {
    const dir = tempDir();
    await expect(backupDatabase(path.join(dir, 'nope.db'), path.join(dir, 'copy.db'))).rejects.toBeInstanceOf(BackupError);
    expect(existsSync(path.join(dir, 'copy.db'))).toBe(false);
    expect(existsSync(path.join(dir, 'copy.db.partial'))).toBe(false);
  });

  it('refuses to overwrite the database with itself', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'clinic.db');
    openClinicDatabase(file).close();
    await expect(backupDatabase(file, file)).rejects.toThrow('must not be the database itself');
  });
});
