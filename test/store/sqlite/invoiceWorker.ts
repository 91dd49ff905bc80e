/**
 * Child process for the invoice-number race: opens its own connection to the shared file, waits for
 * the parent's "go", then takes an invoice number for each given appointment id.
 */
import { openClinicDatabase } from '../../../src/store/sqlite/database.js';
import { SqliteDocumentRecords } from '../../../src/store/sqlite/documentRecords.js';

const [file, ...appointmentIds] = process.argv.slice(2);
if (file === undefined || !process.send) throw new Error('usage: invoiceWorker <db file> <appointment ids…> (forked with IPC)');
const db = openClinicDatabase(file);
const records = new SqliteDocumentRecords(db);

process.once('message', () => {
  const numbers = appointmentIds.map((id) => `${id}=${records.invoiceNumberFor(id, 2026, new Date('2026-11-21T05:00:00Z')).invoiceNo}`);
  db.close();
  process.send?.(numbers, () => process.disconnect());
});
process.send({ ready: true });
