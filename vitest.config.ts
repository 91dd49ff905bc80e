import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Separate processes: native SQLite handles and servers never leak between files.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
