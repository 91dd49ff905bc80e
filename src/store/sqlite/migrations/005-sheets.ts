/** Schema for the Google Sheets store (pending sheet writes, row mapping). */
export const SHEETS_MIGRATION = `
  SELECT 1;
`;
