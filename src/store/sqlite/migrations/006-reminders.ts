/**
 * Schema for reminders and scheduled jobs: when the patient confirmed from a reminder, when the
 * appointment last moved (reminders are armed from then), and an index for the jobs that scan
 * appointments by status and date (reminders, no-shows, the daily agenda).
 */
export const REMINDERS_MIGRATION = `
  ALTER TABLE appointments ADD COLUMN patient_confirmed_at TEXT;
  ALTER TABLE appointments ADD COLUMN rescheduled_at TEXT;
  CREATE INDEX appointments_status_date ON appointments (status, date, time);
`;
