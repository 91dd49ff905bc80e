/**
 * A consistent copy of the live SQLite file, taken with SQLite's online backup API: the service keeps
 * running and writing while the copy is made, and the copy is a snapshot of one moment.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The backup could not be made or is not sound; the message says what to do. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  pages: number;
}

/**
 * Copies `source` to `destination` page by page, then checks the copy's integrity. The copy is written
 * beside the destination first and renamed into place, so a failed backup never leaves a half file
 * under the name given.
 */
export async function backupDatabase(source: string, destination: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupError(`No database at ${source}: check DATA_DIR.`);
  const target = path.resolve(destination);
  if (target === path.resolve(source)) throw new BackupError('The backup file must not be the database itself.');
  mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });

  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const progress = await db.backup(partial);
    const copy = new Database(partial, { readonly: true });
    try {
      const check = copy.pragma('integrity_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`The copy failed its integrity check (${String(check)}); keep the previous backup and try again.`);
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    return { file: target, bytes: statSync(target).size, pages: progress.totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
