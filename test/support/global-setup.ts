import type { TestProject } from 'vitest/node';
import { buildAllFixtures, cleanupPreparedFlakes, type Fixtures } from './nix.js';
import { prerequisiteProblem } from './prerequisites.js';

/**
 * vitest globalSetup: builds every fixture flake once per run (real Nix builds, one at a time) and
 * provides `{ [name]: { dir, outPath, drvPath } }`; tests read it with `inject('fixtures')`
 * (or `getFixtures()` from ./nix.js, which builds them itself when no globalSetup ran).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    fixtures: Fixtures;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const problem = prerequisiteProblem();
  if (problem) {
    // One line, not a stack trace: the reader needs the command, nothing else.
    process.stderr.write(`\n${problem}\n`);
    process.exit(1);
  }
  const started = Date.now();
  const fixtures = await buildAllFixtures();
  project.provide('fixtures', fixtures);
  console.log(
    `[global-setup] built ${Object.keys(fixtures).length} Nix fixtures in ${Date.now() - started} ms`,
  );
  // Teardown: remove the throw-away git repositories (the store paths stay; nothing roots them).
  return cleanupPreparedFlakes;
}
