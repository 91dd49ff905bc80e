/**
 * `npm run backup -- <file>` (or `node dist/backupCli.js <file>` where only the built service is, as
 * in the Docker image): a consistent copy of the service's SQLite file, safe while the service runs.
 * Reads DATA_DIR from the environment or .env like the service does.
 */
import path from 'node:path';
import { loadConfig } from './config.js';
import { backupDatabase } from './store/sqlite/backup.js';

async function main(): Promise<void> {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const destination = process.argv[2];
  if (!destination || destination.startsWith('-')) {
    console.error('Usage: npm run backup -- <backup file>, e.g. npm run backup -- backups/clinic-2026-11-23.db');
    process.exit(2);
  }
  const config = loadConfig(process.env);
  const result = await backupDatabase(path.join(config.dataDir, 'clinic.db'), destination);
  console.log(`Backed up ${result.pages} pages (${(result.bytes / 1024).toFixed(0)} KiB) to ${result.file}`);
  console.log('Also keep a copy of DATA_DIR/reports, DATA_DIR/documents, DATA_DIR/keys and the WhatsApp session folder.');
}

main().catch((error: unknown) => {
  console.error(`Backup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
