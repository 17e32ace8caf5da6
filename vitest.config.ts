import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Nix-heavy suites share one store and two cores: run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
