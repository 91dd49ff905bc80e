/**
 * Invoice numbers in SQLite: one gap-free sequence per year, bound to an appointment for good, and
 * never shared even by separate processes allocating at the same moment.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { formatInvoiceNumber, SqliteDocumentRecords } from '../../../src/store/sqlite/documentRecords.js';
import { makeTempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
});

function tempFile(): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'clinic.db');
}

describe('invoice numbers', () => {
  it('count up per year, and an appointment keeps its number', () => {
    const db = openClinicDatabase(tempFile());
    cleanups.push(() => db.close());
    const records = new SqliteDocumentRecords(db);
    const at = new Date('2026-12-31T10:00:00Z');
    expect(records.invoiceNumberFor('APT-A', 2026, at).invoiceNo).toBe('INV-2026-000001');
    expect(records.invoiceNumberFor('APT-B', 2026, at).invoiceNo).toBe('INV-2026-000002');
    expect(records.invoiceNumberFor('APT-A', 2026, at).invoiceNo).toBe('INV-2026-000001');
    expect(records.invoiceNumberFor('APT-C', 2027, at).invoiceNo).toBe('INV-2027-000001');
    expect(records.findInvoice('APT-B')).toBe('INV-2026-000002');
    expect(formatInvoiceNumber(2026, 1234567)).toBe('INV-2026-1234567');
  });

  it('separate processes allocating at once get distinct, consecutive numbers', async () => {
    const file = tempFile();
    openClinicDatabase(file).close(); // migrated once, before the race
    const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'invoiceWorker.ts');
    const processes = Array.from({ length: 4 }, (_, p) =>
      fork(worker, [file, ...Array.from({ length: 25 }, (_, i) => `APT-P${p}-${i}`)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    cleanups.push(() => {
      for (const child of processes) if (child.exitCode === null) child.kill();
    });
    await Promise.all(processes.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve()))));
    const results = processes.map((child) => new Promise<string[]>((resolve) => child.once('message', (message) => resolve(message as string[]))));
    for (const child of processes) child.send('go');
    const pairs = (await Promise.all(results)).flat();

    const numbers = pairs.map((pair) => pair.split('=')[1]!);
    expect(new Set(numbers).size).toBe(100);
    expect(numbers.map((n) => Number(n.slice('INV-2026-'.length))).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
