import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cachixApi, serveDir, startServer, type TestServer } from '../support/http-files.js';
import { runPipeline } from '../support/pipeline.js';
import { saveProcessEnv } from '../support/doubles.js';
import {
  buildUnique,
  deleteFromStore,
  generateKey,
  isValidPath,
  makeUniqueFlake,
  signedCache,
  type UniqueFlake,
} from '../support/unique-flake.js';

/**
 * Substitution with real Nix: a signed binary cache served over HTTP on loopback, announced by a
 * fake Cachix API, makes the build fetch instead of build. A wrong public key makes Nix refuse the
 * paths (and build them), and the log says why.
 */

let flake: UniqueFlake;
let outPath: string;
let closure: string[];
let goodKey: { secret: string; public: string };
let otherKey: { secret: string; public: string };
let binaryCache: TestServer;
let api: TestServer;
let restoreEnv: () => void;

beforeAll(async () => {
  flake = await makeUniqueFlake();
  ({ outPath, closure } = await buildUnique(flake.dir));
  goodKey = await generateKey('test-cache-1');
  otherKey = await generateKey('impostor-1');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'binary-cache-'));
  await signedCache(dir, [outPath], goodKey.secret);
  binaryCache = await startServer(serveDir(dir));
  api = await startServer(
    cachixApi({
      'good-cache': { uri: binaryCache.url, publicSigningKeys: [goodKey.public], isPublic: true },
      'wrong-key': { uri: binaryCache.url, publicSigningKeys: [otherKey.public], isPublic: true },
    }),
  );
});
afterAll(async () => {
  await binaryCache.close();
  await api.close();
});
beforeEach(() => {
  restoreEnv = saveProcessEnv();
});
afterEach(() => {
  restoreEnv();
});

const copiedFrom = (log: string, p: string): boolean =>
  log.includes(`copying path '${p}' from '${binaryCache.url}'`);

describe('substitution from a Cachix-announced binary cache', () => {
  it('fetches every path of the closure and builds nothing', async () => {
    expect(closure).toHaveLength(3);
    await deleteFromStore(closure);
    expect(await isValidPath(outPath)).toBe(false);
    const r = await runPipeline(
      {
        stages: 'install,cachix,build',
        flake: flake.dir,
        'cachix-cache': 'good-cache',
        'cachix-api-url': `${api.url}/api/v1`,
        cache: 'false',
      },
      { workspace: flake.dir },
    );
    expect(r.error, r.log).toBeUndefined();
    expect(r.outputs.get('store-path')).toBe(outPath);
    for (const p of closure) expect(copiedFrom(r.log, p), `${p} substituted`).toBe(true);
    expect(r.log).not.toMatch(/building '\/nix\/store\/[^']+\.drv'/);
    expect(r.log).toContain(`extra-substituters = ${binaryCache.url}`);
    expect(r.log).toContain(`extra-trusted-public-keys = ${goodKey.public}`);
    expect(await isValidPath(outPath)).toBe(true);
  });

  it('refuses paths signed by a key the cache does not announce, and the log says why', async () => {
    await deleteFromStore(closure);
    const r = await runPipeline(
      {
        stages: 'install,cachix,build',
        flake: flake.dir,
        'cachix-cache': 'wrong-key',
        'cachix-api-url': `${api.url}/api/v1`,
        cache: 'false',
      },
      { workspace: flake.dir },
    );
    expect(r.error, r.log).toBeUndefined();
    expect(r.log).toContain(`extra-trusted-public-keys = ${otherKey.public}`);
    // Nix's own words (2.8: "is not signed by any of the keys in 'trusted-public-keys'";
    // later releases: "does not have a valid signature"), naming the path and the substituter.
    expect(r.log).toMatch(
      new RegExp(
        `(substitute for '${outPath}' from '${binaryCache.url}' is not signed by any of the keys|substituter '${binaryCache.url}' does not have a valid signature for path '${outPath}')`,
      ),
    );
    // ...and the action's own warning says what to check.
    expect(r.log).toMatch(/warning: Substituter signature refused: .*Check the cache's public key/);
    for (const p of closure) expect(copiedFrom(r.log, p)).toBe(false);
    expect(r.log).toMatch(/building '\/nix\/store\/[^']+-unique-app\.drv'/);
    expect(await isValidPath(outPath)).toBe(true);
  });
});
