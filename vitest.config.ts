import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
    // The audit key for tests that append audit rows without starting the app.
    setupFiles: ['tests/helpers/vitest-setup.ts'],
    // Two cores: each e2e file starts Chromium and a database; more workers only thrash.
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
