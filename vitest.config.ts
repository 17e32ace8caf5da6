import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Nix-heavy suites share one store and two cores: run files one at a time.
    fileParallelism: false,
    // The reliability suite's closing table (test/reliability) is printed by its own reporter.
    reporters: ['default', './test/support/reliability-reporter.ts'],
    // @actions/workflow-parser imports its JSON schemas without an import attribute, which Node's
    // own ESM loader refuses: let vitest transform it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
