/**
 * The embedded SQLite store: clinic data (when no Google Sheet is configured) plus the operational
 * state that always stays local (sessions, the outbox of every channel).
 */
export { openClinicDatabase, migrate, MIGRATIONS, getMeta, setMeta } from './database.js';
export { SqliteClinicStore, newAppointmentId, type SqliteClinicStoreOptions } from './clinicStore.js';
export { SqliteSessionStore } from './sessionStore.js';
export { SqliteOutbox, type SqliteOutboxOptions } from './outbox.js';
export { SqliteRequestKeys } from './webRequestKeys.js';
export { seedSampleData, SAMPLE_DATA_SEEDED_KEY, type SeedOptions } from './sampleData.js';
