import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachixApi, serveDir, startServer, type TestServer } from '../support/http-files.js';
import { NIX_CONFIG_LINES } from '../support/nix.js';
import { runMainAndPost } from '../support/runner.js';
import { generateKey, makeUniqueFlake, type UniqueFlake } from '../support/unique-flake.js';

/**
 * Secrets, through dist/index.js (main step, then post step): with github-token,
 * cachix-auth-token, cachix-signing-key and push-signing-key set, no log line, GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_PATH, GITHUB_STATE or step summary holds them (the ::add-mask:: lines
 * excepted), nor the argv of any nix or cachix process (wrappers first on PATH record argv).
 * They still reach where they are needed: the cachix environment, the narinfo signatures, the
 * netrc and token files (0600, removed by the post step).
 */

const secret = (prefix: string): string => `${prefix}${randomBytes(18).toString('base64url')}`;
const GITHUB_TOKEN = secret('ghs_');
const CACHIX_TOKEN = secret('cachixtok');
const CACHIX_KEY = randomBytes(64).toString('base64');
const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

let flake: UniqueFlake;
let pushKey: { secret: string; public: string };
let binaryCache: TestServer;
let api: TestServer;
let bin: string;

beforeAll(async () => {
  flake = await makeUniqueFlake();
  pushKey = await generateKey('secrets-test-1');
  // An empty binary cache for the Cachix caches to point at (Nix finds nothing and builds).
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-cache-'));
  fs.writeFileSync(
    path.join(cacheDir, 'nix-cache-info'),
    'StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 41\n',
  );
  binaryCache = await startServer(serveDir(cacheDir));
  api = await startServer(
    cachixApi({
      'public-cache': { uri: binaryCache.url, publicSigningKeys: ['public-cache-1:AAAA'], isPublic: true },
      'private-cache': {
        uri: binaryCache.url,
        publicSigningKeys: ['private-cache-1:BBBB'],
        isPublic: false,
        token: CACHIX_TOKEN,
      },
    }),
  );
  // Wrappers first on PATH: record every argv, then run the real nix / a fake cachix.
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'argv-wrappers-'));
  fs.writeFileSync(
    path.join(bin, 'nix'),
    `#!/bin/sh\nprintf '%s\\n' "$0 $*" >> ${bin}/argv.log\nexec /usr/bin/nix "$@"\n`,
    { mode: 0o755 },
  );
  fs.writeFileSync(
    path.join(bin, 'cachix'),
    `#!/bin/sh
printf '%s\\n' "$0 $*" >> ${bin}/argv.log
printf '%s\\n' "$(printf %s "$CACHIX_AUTH_TOKEN" | /usr/bin/sha256sum | /usr/bin/cut -c1-64)" > ${bin}/cachix-token.sha
printf '%s\\n' "$(printf %s "$CACHIX_SIGNING_KEY" | /usr/bin/sha256sum | /usr/bin/cut -c1-64)" > ${bin}/cachix-key.sha
echo "cachix: pushed"
`,
    { mode: 0o755 },
  );
});
afterAll(async () => {
  await binaryCache.close();
  await api.close();
});

const readAll = (dir: string): string =>
  fs
    .readdirSync(dir)
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');

describe('secrets', () => {
  it('never appear in logs, file commands or argv, and still reach cachix, the signatures and Nix', async () => {
    const pushDir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-push-'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-run-'));
    const { main, post } = await runMainAndPost({
      dir,
      workspace: flake.dir,
      inputs: {
        stages: 'install,cachix,build',
        flake: flake.dir,
        'github-token': GITHUB_TOKEN,
        'cachix-cache': 'public-cache',
        'extra-pull-caches': 'private-cache',
        'cachix-auth-token': CACHIX_TOKEN,
        'cachix-signing-key': CACHIX_KEY,
        'cachix-api-url': `${api.url}/api/v1`,
        'push-to': `file://${pushDir}`,
        'push-signing-key': pushKey.secret,
      },
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, NIX_CONFIG: NIX_CONFIG_LINES.join('\n') },
      timeoutMs: 120_000,
    });
    expect(main.code, main.log).toBe(0);
    expect(post.code, post.log).toBe(0);

    const secrets = {
      'github-token': GITHUB_TOKEN,
      'cachix-auth-token': CACHIX_TOKEN,
      'cachix-signing-key': CACHIX_KEY,
      'push-signing-key': pushKey.secret,
      'push-signing-key material': pushKey.secret.split(':')[1]!,
    };
    const masked = main.log.split('\n').filter((l) => l.startsWith('::add-mask::'));
    const logs = [...main.log.split('\n'), ...post.log.split('\n')]
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    const fileCommands = readAll(path.join(dir, 'main')) + readAll(path.join(dir, 'post'));
    const argv = fs.readFileSync(path.join(bin, 'argv.log'), 'utf8');
    for (const [name, value] of Object.entries(secrets)) {
      expect(logs.includes(value), `${name} in a log line`).toBe(false);
      expect(fileCommands.includes(value), `${name} in GITHUB_OUTPUT/ENV/PATH/STATE/summary`).toBe(false);
      expect(argv.includes(value), `${name} in an argv`).toBe(false);
    }
    // The runner is asked to mask each secret input.
    for (const name of [
      'github-token',
      'cachix-auth-token',
      'cachix-signing-key',
      'push-signing-key',
    ] as const)
      expect(masked).toContain(`::add-mask::${secrets[name]}`);

    // They were used all the same: nix ran (through the wrapper), cachix got its secrets in its environment.
    expect(argv).toMatch(/\/nix .*build \S+ --json --no-link/);
    expect(argv).toMatch(/\/cachix push public-cache \/nix\/store\//);
    expect(fs.readFileSync(path.join(bin, 'cachix-token.sha'), 'utf8').trim()).toBe(sha(CACHIX_TOKEN));
    expect(fs.readFileSync(path.join(bin, 'cachix-key.sha'), 'utf8').trim()).toBe(sha(CACHIX_KEY));
    const narinfos = fs.readdirSync(pushDir).filter((f) => f.endsWith('.narinfo'));
    expect(narinfos).toHaveLength(3);
    for (const f of narinfos)
      expect(fs.readFileSync(path.join(pushDir, f), 'utf8')).toMatch(/^Sig: secrets-test-1:/m);

    // The files that held secrets (token include, netrc) were 0600 and are gone after the post step.
    const state = JSON.parse(main.state['nix-lambda'] ?? '{}') as { secretFiles: string[] };
    expect(state.secretFiles.map((f) => path.basename(f)).sort()).toEqual([
      'netrc',
      'nix-access-tokens.conf',
    ]);
    for (const f of state.secretFiles) expect(fs.existsSync(f), f).toBe(false);
    expect(post.log).toContain('Removed 2 secret files.');
  });
});
