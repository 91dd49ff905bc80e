import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getMeta, migrate, MIGRATIONS, openClinicDatabase, setMeta } from '../../../src/store/sqlite/database.js';
import { makeTempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function tempFile(name = 'clinic.db'): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'nested', 'data', name);
}

function tableNames(db: ReturnType<typeof openClinicDatabase>): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => row.name);
}

describe('openClinicDatabase', () => {
  it('creates the parent directory, the schema and the pragmas on a fresh file', () => {
    const file = tempFile();
    const db = openClinicDatabase(file);
    try {
      expect(fs.existsSync(file)).toBe(true);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(tableNames(db)).toEqual(
        expect.arrayContaining(['appointments', 'doctors', 'meta', 'sessions', 'slots', 'outbox', 'outbox_chats', 'outbox_dedupe']),
      );
      const indexes = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        .all()
        .map((row) => row.name);
      expect(indexes).toEqual(
        expect.arrayContaining([
          'slots_doctor_date_start',
          'appointments_slot_status',
          'appointments_conversation',
          'appointments_phone',
          'sessions_updated_at',
          'outbox_reply',
          'outbox_pending',
        ]),
      );
    } finally {
      db.close();
    }
  });

  it('is idempotent on reopen and keeps the data', () => {
    const file = tempFile();
    const first = openClinicDatabase(file);
    setMeta(first, 'greeting', 'hello');
    first.close();

    const second = openClinicDatabase(file);
    try {
      expect(second.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(getMeta(second, 'greeting')).toBe('hello');
      // Running the migrations again changes nothing.
      migrate(second);
      expect(getMeta(second, 'greeting')).toBe('hello');
    } finally {
      second.close();
    }
  });

  it('applies only the migrations a file has not seen yet', () => {
    const file = tempFile();
    const db = openClinicDatabase(file);
    try {
      const extended = [...MIGRATIONS, 'CREATE TABLE extra (id TEXT PRIMARY KEY);'];
      migrate(db, extended);
      expect(db.pragma('user_version', { simple: true })).toBe(extended.length);
      expect(tableNames(db)).toContain('extra');
      migrate(db, extended);
      expect(db.pragma('user_version', { simple: true })).toBe(extended.length);
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration and leaves the version unchanged', () => {
    const db = openClinicDatabase(':memory:');
    try {
      const broken = [...MIGRATIONS, 'CREATE TABLE half (id TEXT); THIS IS NOT SQL;'];
      expect(() => migrate(db, broken)).toThrow();
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(tableNames(db)).not.toContain('half');
    } finally {
      db.close();
    }
  });

  it('refuses a file written by a newer schema', () => {
    const file = tempFile();
    const db = openClinicDatabase(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openClinicDatabase(file)).toThrow(/newer than this program knows/);
  });

  it('works in memory', () => {
    const db = openClinicDatabase(':memory:');
    try {
      expect(db.memory).toBe(true);
      expect(tableNames(db)).toContain('appointments');
    } finally {
      db.close();
    }
  });
});
