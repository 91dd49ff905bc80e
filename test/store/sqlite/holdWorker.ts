/**
 * Child process for the cross-process race test: opens its own connection to the shared file, waits
 * for the parent's "go" so every process starts together, then tries to hold each given slot once.
 */
import { SlotUnavailableError } from '../../../src/core/errors.js';
import { SqliteClinicStore } from '../../../src/store/sqlite/clinicStore.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { hold } from './helpers.js';

/** What a worker reports back to the parent. */
export interface HoldWorkerResult {
  held: string[];
  full: number;
  errors: string[];
}

const [file, now, expires, ...slotIds] = process.argv.slice(2);
if (file === undefined || now === undefined || expires === undefined || !process.send) {
  throw new Error('usage: holdWorker <db file> <now ISO> <hold expiry ISO> <slot ids…> (forked with IPC)');
}
const store = new SqliteClinicStore(openClinicDatabase(file));

process.once('message', () => {
  void run().then(async (result) => {
    await store.close();
    process.send?.(result, () => process.disconnect());
  });
});
process.send({ ready: true });

async function run(): Promise<HoldWorkerResult> {
  const result: HoldWorkerResult = { held: [], full: 0, errors: [] };
  for (const slotId of slotIds) {
    try {
      const appointment = await store.holdSlot(hold(slotId, new Date(expires!), `pid-${process.pid}`), new Date(now!));
      result.held.push(`${slotId}:${appointment.id}`);
    } catch (error) {
      if (error instanceof SlotUnavailableError && error.reason === 'full') result.full += 1;
      else result.errors.push(String(error));
    }
  }
  return result;
}
