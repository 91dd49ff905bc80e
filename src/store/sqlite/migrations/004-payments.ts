/** Schema for payments and documents (webhook event ids, invoice counter, documents). */
export const PAYMENTS_MIGRATION = `
  SELECT 1;
`;
