/**
 * The Google Sheets store: construction from the configuration and its part in the running service.
 */
import type Database from 'better-sqlite3';
import type { AppComponent, AppContext } from '../../component.js';
import type { AppConfig } from '../../config.js';
import type { Clock } from '../../core/ports.js';
import type { Logger } from '../../logging.js';
import { SheetsApi } from './sheetsApi.js';
import { SheetsClinicStore, stopSheetQueueing } from './sheetsClinicStore.js';

export { SheetsClinicStore, stopSheetQueueing } from './sheetsClinicStore.js';
export { SheetsApi, loadServiceAccountKey, SheetsApiError, type SheetsConnection } from './sheetsApi.js';
export { SheetsSetupError } from './errors.js';

/** The Sheets store over the service's SQLite file (its ledger); nothing is read until open(). */
export function createSheetsClinicStore(db: Database.Database, google: NonNullable<AppConfig['google']>, deps: { clock: Clock; logger: Logger; timezone: string }): SheetsClinicStore {
  return new SheetsClinicStore(db, {
    api: new SheetsApi(google),
    clock: deps.clock,
    logger: deps.logger,
    timezone: deps.timezone,
    cacheSeconds: google.cacheSeconds,
  });
}

/**
 * The store's part in the service: reads the sheet before the service starts (stopping it with a
 * clear message when the sheet cannot be used), tells patients about cancellations staff make, runs
 * the refresher and writer, and reports the write backlog under /health.
 */
export async function sheetsStoreComponent(ctx: AppContext): Promise<AppComponent | undefined> {
  const { store, config } = ctx;
  if (!(store instanceof SheetsClinicStore) || !config.google) {
    stopSheetQueueing(ctx.db);
    return undefined;
  }
  await store.open();
  await store.notifyThrough(ctx.notifier, ctx.alerts);
  const sheetId = config.google.sheetId;
  return {
    name: 'sheets',
    feature: {
      name: 'store',
      kind: 'service',
      on: true,
      detail: `Google Sheet ${sheetId}, read every ${config.google.cacheSeconds} s; bookings are kept in ${config.dataDir}/clinic.db first and written to the sheet in the background`,
      publicDetail: `Google Sheet, read every ${config.google.cacheSeconds} s; bookings are kept in SQLite first and written to the sheet in the background`,
    },
    health: async () => ({ ...store.sync.health() }),
    gauges: () => {
      const { pendingWrites, oldestPendingSeconds } = store.sync.health();
      return { sync_backlog: pendingWrites, sync_oldest_pending_seconds: oldestPendingSeconds ?? 0 };
    },
    start: async () => store.start(),
    stop: () => store.sync.stop(),
  };
}
