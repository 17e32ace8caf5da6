import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startActionsCache, type FakeActionsCache } from '../support/actions-cache.js';
import { NIX_CONFIG_LINES } from '../support/nix.js';
import { runMainAndPost } from '../support/runner.js';
import {
  buildUnique,
  deleteFromStore,
  isValidPath,
  makeUniqueFlake,
  type UniqueFlake,
} from '../support/unique-flake.js';

/**
 * The closure cache, through dist/index.js as a runner runs it (main step, then post step):
 * under act (no cache service) the run succeeds with a notice; with a cache service (a fake of
 * its v1 protocol) the post step saves the closure and the next run restores it and substitutes
 * from it instead of building.
 */

let flake: UniqueFlake;
let outPath: string;
let closure: string[];
let service: FakeActionsCache;

beforeAll(async () => {
  flake = await makeUniqueFlake();
  ({ outPath, closure } = await buildUnique(flake.dir));
  service = await startActionsCache();
});
afterAll(async () => {
  await service.close();
});

const inputs = (): Record<string, string> => ({ stages: 'install,cachix,build', flake: flake.dir });
const nixConfig = NIX_CONFIG_LINES.join('\n');

describe('closure cache', () => {
  it('under act (no cache service): a notice, and the run succeeds', async () => {
    const { main, post } = await runMainAndPost({
      act: true,
      workspace: flake.dir,
      inputs: inputs(),
      env: { NIX_CONFIG: nixConfig },
      timeoutMs: 120_000,
    });
    expect(main.code, main.log).toBe(0);
    expect(main.log).toContain(
      '::notice title=Closure cache skipped::Running under act, which has no Actions cache service unless started with one. The build goes on without it.',
    );
    expect(main.outputs['store-path']).toBe(outPath);
    expect(post.code, post.log).toBe(0);
    expect(post.log).not.toMatch(/::(error|warning)/);
  });

  it('with a cache service: saved by the post step, restored and substituted by the next run', async () => {
    const env = (xdg: string): Record<string, string> => ({
      NIX_CONFIG: nixConfig,
      ACTIONS_CACHE_URL: service.cacheUrl,
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      XDG_CACHE_HOME: xdg,
    });
    const first = fs.mkdtempSync(path.join(os.tmpdir(), 'xdg-cache-'));
    const run1 = await runMainAndPost({
      workspace: flake.dir,
      inputs: inputs(),
      env: env(first),
      timeoutMs: 120_000,
    });
    expect(run1.main.code, run1.main.log).toBe(0);
    const key = /Closure cache: nothing restored for (\S+) \(no entry yet/.exec(run1.main.log)?.[1];
    expect(key).toMatch(/^nix-lambda-closure-v1-linux-/);
    expect(run1.post.code, run1.post.log).toBe(0);
    expect(run1.post.log).toContain(`Closure cache: saved 3 store paths`);
    expect(service.entries.filter((e) => e.committed).map((e) => e.key)).toEqual([key]);

    // A fresh runner: nothing in the store, nothing in the cache folder (same path: the path is
    // part of the cache version).
    await deleteFromStore(closure);
    expect(await isValidPath(outPath)).toBe(false);
    const dir = path.join(first, 'nix-lambda', 'closure');
    fs.rmSync(first, { recursive: true, force: true });
    const run2 = await runMainAndPost({
      workspace: flake.dir,
      inputs: inputs(),
      env: env(first),
      timeoutMs: 120_000,
    });
    expect(run2.main.code, run2.main.log).toBe(0);
    expect(run2.main.log).toContain(`Closure cache: restored ${key!} into ${dir}`);
    expect(run2.main.log).toContain(`extra-substituters = file://${dir}?trusted=1&priority=10`);
    for (const p of closure) expect(run2.main.log).toContain(`copying path '${p}' from 'file://${dir}`);
    expect(run2.main.log).not.toMatch(/building '\/nix\/store\/[^']+\.drv'/);
    expect(await isValidPath(outPath)).toBe(true);
    expect(run2.post.code).toBe(0);
    expect(run2.post.log).toContain(`Closure cache: ${key!} was restored as is; nothing to save.`);
    expect(service.entries).toHaveLength(1);
  });
});
