/**
 * No overbooking across separate OS processes sharing the file, where only SQLite's write lock stands
 * between the capacity check and the insert. (Concurrency within a process and across connections is
 * in the ClinicStore contract suite, test/store/contract, run against every store.)
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteClinicStore } from '../../../src/store/sqlite/clinicStore.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { doctor, makeTempDir, minutesAfter, slot } from './helpers.js';
import type { HoldWorkerResult } from './holdWorker.js';

const NOW = new Date('2026-11-21T04:30:00.000Z');
const HOLD_END = minutesAfter(NOW, 20);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tempFile(): string {
  const { dir, cleanup } = makeTempDir();
  cleanups.push(cleanup);
  return path.join(dir, 'clinic.db');
}

function openStore(file: string): SqliteClinicStore {
  const store = new SqliteClinicStore(openClinicDatabase(file));
  cleanups.push(() => store.close());
  return store;
}

describe('concurrent holds across processes', () => {
  it('separate processes sharing the file never overbook', async () => {
    const file = tempFile();
    const setup = openStore(file);
    await setup.upsertDoctor(doctor());
    const slotIds = Array.from({ length: 20 }, (_, i) => `P${String(i).padStart(2, '0')}`);
    for (const id of slotIds) await setup.upsertSlot(slot({ id, capacity: 2 }));

    const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'holdWorker.ts');
    const processes = Array.from({ length: 4 }, () =>
      fork(worker, [file, NOW.toISOString(), HOLD_END.toISOString(), ...slotIds], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    cleanups.push(() => {
      for (const child of processes) if (child.exitCode === null) child.kill();
    });

    const ready = processes.map((child) => new Promise<void>((resolve) => child.once('message', () => resolve())));
    await Promise.all(ready);
    const results = processes.map(
      (child) =>
        new Promise<HoldWorkerResult>((resolve, reject) => {
          child.once('message', (message) => resolve(message as HoldWorkerResult));
          child.once('exit', (code) => reject(new Error(`worker exited early with code ${code}`)));
        }),
    );
    for (const child of processes) child.send('go');
    const reports = await Promise.all(results);

    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const held = reports.flatMap((r) => r.held);
    expect(held).toHaveLength(slotIds.length * 2);
    expect(reports.reduce((sum, r) => sum + r.full, 0)).toBe(4 * slotIds.length - slotIds.length * 2);
    const usage = await setup.listSlotUsage({ fromDate: '2026-11-23', toDate: '2026-11-23', now: NOW });
    expect(usage.map((u) => u.taken)).toEqual(slotIds.map(() => 2));
  }, 60_000);
});
