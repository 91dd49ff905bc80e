/**
 * When an appointment was confirmed (paid online, pay at the clinic, marked paid by an admin).
 * Reminders are armed from then: a booking held before a reminder's time and confirmed after it must
 * not get that reminder seconds after its confirmation. NULL for appointments confirmed before this
 * column existed, and for the ones staff type into the sheet (confirmed when created): they are armed
 * from their creation, as before.
 */
export const CONFIRMED_AT_MIGRATION = `
  ALTER TABLE appointments ADD COLUMN confirmed_at TEXT;
`;
