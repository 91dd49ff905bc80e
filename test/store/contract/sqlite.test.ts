import path from 'node:path';
import { SqliteClinicStore } from '../../../src/store/sqlite/clinicStore.js';
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { makeTempDir } from '../sqlite/helpers.js';
import { describeClinicStoreContract } from './clinicStoreContract.js';

describeClinicStoreContract('SQLite', async () => {
  const { dir, cleanup } = makeTempDir();
  const file = path.join(dir, 'clinic.db');
  const db = openClinicDatabase(file);
  const others: SqliteClinicStore[] = [];
  return {
    store: new SqliteClinicStore(db),
    withIds: (next) => new SqliteClinicStore(db, { newAppointmentId: next }),
    secondConnection: () => {
      const store = new SqliteClinicStore(openClinicDatabase(file));
      others.push(store);
      return store;
    },
    dispose: async () => {
      for (const store of others) await store.close();
      if (db.open) db.close();
      cleanup();
    },
  };
});
