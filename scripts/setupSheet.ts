/**
 * `npm run setup:sheet [-- --sample]`: prepares the Google Sheet named by GOOGLE_SHEET_ID (tabs, header
 * rows, frozen headers, drop-downs; with --sample, sample doctors, a weekly schedule and slots).
 * Running it again changes nothing.
 */
import { loadConfig } from '../src/config.js';
import { SheetsApi, SheetsSetupError } from '../src/store/sheets/index.js';
import { explainAccessError } from '../src/store/sheets/sheetSync.js';
import { setupSheet } from '../src/store/sheets/setup.js';

async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig(process.env);
  if (!config.google) throw new SheetsSetupError('Set GOOGLE_SHEET_ID and GOOGLE_SERVICE_ACCOUNT_FILE (or _JSON) first; see the README, "Google Sheets".');
  const api = new SheetsApi(config.google);
  const report = await setupSheet(api, { sample: process.argv.includes('--sample'), timezone: config.clinic.timezone }).catch((error: unknown) => {
    throw explainAccessError(error, api.sheetId, api.serviceAccountEmail);
  });
  console.log(report.length === 0 ? 'The sheet is ready; nothing to change.' : report.map((line) => `- ${line}`).join('\n'));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}

/** Reads .env when present, as the service does. */
export function loadDotEnv(): void {
  try {
    process.loadEnvFile('.env');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
