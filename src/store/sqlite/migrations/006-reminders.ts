/** Schema for reminders and scheduled jobs. */
export const REMINDERS_MIGRATION = `
  SELECT 1;
`;
