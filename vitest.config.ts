import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Three projects, run one after the other (sequence.groupOrder):
 * - unit: test/unit, no global setup and no Nix (files in parallel);
 * - integration: test/integration, with the Nix fixtures built once by test/support/global-setup.ts;
 * - reliability: test/reliability (the same fixtures), with its closing table.
 * `npm test` runs them all; `npm run test:unit` (and :integration, :reliability) one.
 *
 * Every temporary file of the run goes under one folder (TMPDIR, and XDG_CACHE_HOME below it), removed
 * when the run ends, so /tmp and ~/.cache hold the same after `npm test` as before.
 */

const inherited = process.env['NIX_LAMBDA_TEST_TMPDIR'];
if (!inherited) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nix-lambda-tests-'));
  process.env['NIX_LAMBDA_TEST_TMPDIR'] = dir;
  process.env['TMPDIR'] = dir;
  // Caches the action and Nix keep under ~/.cache (the deflate cache, Nix's evaluation cache for
  // each throw-away fixture repository) go there too.
  process.env['XDG_CACHE_HOME'] = path.join(dir, 'cache');
  process.on('exit', () => {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // read-only folders unpacked from zips, when not running as root
      spawnSync('chmod', ['-R', 'u+rwX', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

const nixSuite = {
  globalSetup: ['test/support/global-setup.ts'],
  // Nix-heavy suites share one store and two cores: their files run one at a time.
  fileParallelism: false,
  hookTimeout: 600_000,
};

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The reliability suite's closing table (test/reliability) is printed by its own reporter.
    reporters: ['default', './test/support/reliability-reporter.ts'],
    // @actions/workflow-parser imports its JSON schemas without an import attribute, which Node's
    // own ESM loader refuses: let vitest transform it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          ...nixSuite,
        },
      },
      {
        extends: true,
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          sequence: { groupOrder: 2 },
          ...nixSuite,
        },
      },
    ],
  },
});
