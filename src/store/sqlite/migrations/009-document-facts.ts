/**
 * What a stored patient document shows of its appointment (doctor, time, fee, payment), so a
 * confirmation made before the appointment changed (paid online after choosing the clinic, moved to
 * another time) is made again instead of being sent out of date. NULL for documents made before this
 * column existed: they are taken as current.
 */
export const DOCUMENT_FACTS_MIGRATION = `
  ALTER TABLE patient_documents ADD COLUMN depicts TEXT;
`;
