import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { DEFAULT_PROFILE_BIN } from '../../src/nix/locate.js';
import { FAKE_INSTALLER } from '../support/fake-installer.js';
import { cachixApi, deadUrl, serveDir, startServer, type TestServer } from '../support/http-files.js';
import { getFixtures, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import type { StepResult } from '../support/runner.js';
import { startStep, type RunStepOptions as StartStepOptions } from '../support/runner.js';
import {
  buildReliability,
  fileCommandText,
  killGroup,
  listTree,
  prepareReliabilityFlake,
  reliabilityCase,
  waitFor,
} from './support.js';

/**
 * The install and cachix stages and the post step under faults: the Actions cache service down,
 * Cachix down (lookup and push), an installer whose SHA-256 differs; and the files that hold
 * secrets (the github.com token for Nix, the netrc of a private cache): mode 0600 in a 0700
 * folder while the job runs, never echoed into GITHUB_ENV or GITHUB_STATE, and removed by the post
 * step, even when the build failed or the main step was cancelled.
 */

const FAULT = 'fault';
const SECURITY = 'security';
const secret = (prefix: string): string => `${prefix}${randomBytes(18).toString('base64url')}`;
const GITHUB_TOKEN = secret('ghs_REL');
const CACHIX_TOKEN = secret('cachixREL');
const NIX_CONF = NIX_CONFIG_LINES.join('\n');

let fx: Fixtures;
let flakeDir: string;
let binaryCache: TestServer;
let api: TestServer;
let dead: string;
const cleanup: string[] = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  fx = await getFixtures();
  flakeDir = prepareReliabilityFlake();
  await buildReliability('fails').catch(() => undefined);
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-empty-cache-'));
  cleanup.push(cacheDir);
  fs.writeFileSync(
    path.join(cacheDir, 'nix-cache-info'),
    'StoreDir: /nix/store\nWantMassQuery: 1\nPriority: 41\n',
  );
  binaryCache = await startServer(serveDir(cacheDir));
  api = await startServer(
    cachixApi({
      'private-cache': {
        uri: binaryCache.url,
        publicSigningKeys: ['private-cache-1:BBBB'],
        isPublic: false,
        token: CACHIX_TOKEN,
      },
    }),
  );
  servers.push(binaryCache, api);
  dead = await deadUrl();
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh HOME and XDG cache, and the offline NIX_CONFIG; PATH as the test process has it. */
function baseEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-home-'));
  cleanup.push(home);
  return { HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), NIX_CONFIG: NIX_CONF, ...extra };
}

async function mainAndPost(
  opts: StartStepOptions,
): Promise<{ main: StepResult; post: StepResult; runnerTemp: string; mainDir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-job-'));
  cleanup.push(dir);
  const runnerTemp = path.join(dir, 'runner-temp');
  const main = await startStep({ ...opts, dir: path.join(dir, 'main'), runnerTemp }).done;
  const post = await startStep({ ...opts, dir: path.join(dir, 'post'), runnerTemp, state: main.state }).done;
  return { main, post, runnerTemp, mainDir: path.join(dir, 'main') };
}

const annotations = (log: string, kind: 'error' | 'warning' | 'notice'): string[] =>
  log.split('\n').filter((l) => l.startsWith(`::${kind}`));

/** The slow builder outlives the nix that was killed (it runs in its own session): end it. */
function endOrphanedBuilder(): void {
  const file = '/tmp/nix-lambda-reliability-slowfail.pid';
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').trim());
    if (pid > 1 && fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'))
      process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  fs.rmSync(file, { force: true });
}

function secretFilesOf(r: StepResult): string[] {
  const state = JSON.parse(r.state['nix-lambda'] ?? '{}') as { secretFiles?: string[] };
  return state.secretFiles ?? [];
}

describe('caches down: the build goes on, the job stays green', () => {
  reliabilityCase(
    FAULT,
    'Actions cache service down',
    'ACTIONS_CACHE_URL where nothing listens; install, cachix, build, package; then the post step',
    async ({ saw }) => {
      const { main, post } = await mainAndPost({
        inputs: { stages: 'install,cachix,build,package', flake: '.', verify: 'false' },
        workspace: fx.small.dir,
        env: baseEnv({ ACTIONS_CACHE_URL: `${dead}/`, ACTIONS_RUNTIME_TOKEN: 'runtime-token' }),
        timeoutMs: 120_000,
      });
      const mainNotes = annotations(main.log, 'warning');
      const postNotes = [...annotations(post.log, 'warning'), ...annotations(post.log, 'notice')];
      const after = main.log.split('\n').find((l) => l.startsWith('Closure cache:')) ?? '';
      saw(
        `main exit ${main.code}: ${mainNotes.map((n) => n.slice(0, 60)).join(' | ') || 'no warning'}, then "${after.slice(0, 50)}…"; post exit ${post.code}: ${postNotes.map((n) => n.slice(0, 60)).join(' | ')}`,
      );
      expect(main.code, main.log).toBe(0);
      expect(main.outputs['zip-path']).toBeTruthy();
      // The restore failure is a warning (from @actions/cache), the save failure a warning and a notice.
      expect(mainNotes.join('\n')).toMatch(/Failed to restore: .*ECONNREFUSED/);
      expect(annotations(main.log, 'error')).toEqual([]);
      expect(post.code, post.log).toBe(0);
      expect(postNotes.join('\n')).toMatch(/Closure cache .* was not saved/);
      expect(annotations(post.log, 'error')).toEqual([]);
    },
    180_000,
  );

  reliabilityCase(
    FAULT,
    'Actions cache service answers 500',
    'ACTIONS_CACHE_URL on a server failing every request',
    async ({ saw }) => {
      const failing = await startServer((_req, res) => {
        res.statusCode = 500;
        res.end('internal error');
      });
      servers.push(failing);
      const { main, post } = await mainAndPost({
        inputs: { stages: 'install,cachix,build,package', flake: '.', verify: 'false' },
        workspace: fx.small.dir,
        env: baseEnv({ ACTIONS_CACHE_URL: `${failing.url}/`, ACTIONS_RUNTIME_TOKEN: 'runtime-token' }),
        timeoutMs: 120_000,
      });
      saw(
        `main exit ${main.code}, post exit ${post.code}; cache service got ${failing.requests.length} requests; zip ${main.outputs['zip-path'] ? 'written' : 'missing'}`,
      );
      expect(main.code, main.log).toBe(0);
      expect(post.code, post.log).toBe(0);
      expect(failing.requests.length).toBeGreaterThan(0);
      expect(main.outputs['zip-path']).toBeTruthy();
      expect([...annotations(main.log, 'error'), ...annotations(post.log, 'error')]).toEqual([]);
    },
    180_000,
  );

  reliabilityCase(
    FAULT,
    'Cachix API down',
    'cachix-cache with cachix-api-url where nothing listens',
    async ({ saw }) => {
      const { main, post } = await mainAndPost({
        inputs: {
          stages: 'install,cachix,build,package',
          flake: '.',
          verify: 'false',
          'cachix-cache': 'my-cache',
          'cachix-api-url': `${dead}/api/v1`,
        },
        workspace: fx.small.dir,
        env: baseEnv(),
        timeoutMs: 120_000,
      });
      const w = annotations(main.log, 'warning').join('\n');
      saw(`main exit ${main.code}; ${w.slice(0, 140)}; post exit ${post.code}`);
      expect(main.code, main.log).toBe(0);
      expect(w).toMatch(/Cachix cache "my-cache" is not used: .*The build goes on without it/);
      expect(main.outputs['zip-path']).toBeTruthy();
      expect(post.code, post.log).toBe(0);
    },
    180_000,
  );

  reliabilityCase(
    FAULT,
    'Cachix API answers 500',
    'cachix-api-url on a server failing every request',
    async ({ saw }) => {
      const failing = await startServer((_req, res) => {
        res.statusCode = 502;
        res.end('bad gateway');
      });
      servers.push(failing);
      const t0 = Date.now();
      const { main } = await mainAndPost({
        inputs: {
          stages: 'install,cachix,build,package',
          flake: '.',
          verify: 'false',
          'cachix-cache': 'my-cache',
          'cachix-api-url': `${failing.url}/api/v1`,
        },
        workspace: fx.small.dir,
        env: baseEnv(),
        timeoutMs: 120_000,
      });
      saw(
        `main exit ${main.code} after ${((Date.now() - t0) / 1000).toFixed(1)} s; ${failing.requests.length} API requests; ${annotations(main.log, 'warning')[0]?.slice(0, 110) ?? 'no warning'}`,
      );
      expect(main.code, main.log).toBe(0);
      expect(annotations(main.log, 'warning').join('\n')).toMatch(/Cachix cache "my-cache" is not used/);
      expect(main.outputs['zip-path']).toBeTruthy();
    },
    180_000,
  );

  reliabilityCase(
    FAULT,
    'Cachix down for the push',
    'post step pushes with a cachix CLI that fails (connection refused); the deploy-side step had succeeded',
    async ({ saw }) => {
      const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-cachix-bin-'));
      cleanup.push(bin);
      fs.writeFileSync(
        path.join(bin, 'cachix'),
        '#!/bin/sh\necho "cachix: ConnectionFailure: connection refused" >&2\nexit 1\n',
        { mode: 0o755 },
      );
      const { main, post } = await mainAndPost({
        inputs: {
          stages: 'install,cachix,build,package',
          flake: '.',
          verify: 'false',
          'cachix-cache': 'private-cache',
          'cachix-auth-token': CACHIX_TOKEN,
          'cachix-api-url': `${api.url}/api/v1`,
        },
        workspace: fx.small.dir,
        env: baseEnv({ PATH: `${bin}:${process.env['PATH'] ?? ''}` }),
        timeoutMs: 120_000,
      });
      const w = annotations(post.log, 'warning').join('\n');
      saw(`main exit ${main.code}; post exit ${post.code}: ${w.slice(0, 150)}`);
      expect(main.code, main.log).toBe(0);
      expect(post.code, post.log).toBe(0);
      expect(w).toMatch(/Cachix push failed.*The deploy is not affected/);
      expect(annotations(post.log, 'error')).toEqual([]);
    },
    180_000,
  );
});

describe('the installer is refused when its hash differs', () => {
  const hasNixElsewhere = fs.existsSync(path.join(DEFAULT_PROFILE_BIN, 'nix'));
  reliabilityCase(
    SECURITY,
    'installer SHA-256 mismatch',
    'no Nix on PATH; installer-url serves a script; installer-sha256 is another hash',
    async ({ saw }) => {
      if (hasNixElsewhere) {
        saw(`skipped the run: ${DEFAULT_PROFILE_BIN}/nix exists, the install stage would use it`);
        expect(fs.existsSync(path.join(DEFAULT_PROFILE_BIN, 'nix'))).toBe(true);
        return;
      }
      const served = await startServer((_req, res) => {
        res.end(FAKE_INSTALLER);
      });
      servers.push(served);
      const env = baseEnv({ PATH: '' });
      const home = env['HOME']!;
      const wrong = createHash('sha256').update('another installer').digest('hex');
      const step = startStep({
        inputs: {
          stages: 'install',
          'installer-url': `${served.url}/install`,
          'installer-sha256': wrong,
          'github-token': GITHUB_TOKEN,
        },
        workspace: fx.small.dir,
        env,
        timeoutMs: 60_000,
      });
      cleanup.push(step.dir);
      const r = await step.done;
      const err = annotations(r.log, 'error')[0] ?? '';
      saw(
        `exit ${r.code}; ${err.slice(0, 170)}; installer ran: ${fs.existsSync(path.join(home, 'installer-record'))}`,
      );
      expect(r.code).toBe(1);
      expect(err).toMatch(/title=Installer checksum mismatch/);
      expect(err).toMatch(/input `installer-sha256` expects/);
      expect(err).toMatch(/Nothing was run/);
      expect(served.requests).toHaveLength(1);
      // Nothing ran: no record from the script, no profile, nothing on PATH for later steps.
      expect(fs.existsSync(path.join(home, 'installer-record'))).toBe(false);
      expect(fs.existsSync(path.join(home, '.nix-profile'))).toBe(false);
      expect(r.addedPath).toEqual([]);
      expect(r.outputs['nix-version']).toBeUndefined();
    },
    90_000,
  );
});

describe('files holding secrets: 0600, not echoed, removed by the post step', () => {
  const privateInputs = (): Record<string, string> => ({
    'github-token': GITHUB_TOKEN,
    'cachix-cache': 'private-cache',
    'cachix-auth-token': CACHIX_TOKEN,
    'cachix-push': 'false',
    'cachix-api-url': `${api.url}/api/v1`,
  });

  reliabilityCase(
    SECURITY,
    'token files while the job runs and after the post step',
    'github-token and a private Cachix cache: access-tokens include and netrc',
    async ({ saw }) => {
      const env = baseEnv();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-tokens-'));
      cleanup.push(dir);
      const runnerTemp = path.join(dir, 'runner-temp');
      const opts: StartStepOptions = {
        inputs: { stages: 'install,cachix,build,package', flake: '.', verify: 'false', ...privateInputs() },
        workspace: fx.small.dir,
        env,
        runnerTemp,
        timeoutMs: 120_000,
      };
      const mainStep = startStep({ ...opts, dir: path.join(dir, 'main') });
      const main = await mainStep.done;
      const files = secretFilesOf(main);
      // Between the steps: the files exist, 0600, in a 0700 folder, and hold the secrets.
      const seen = files.map((f) => {
        const st = fs.statSync(f);
        const d = fs.statSync(path.dirname(f));
        return { f, mode: st.mode & 0o777, dirMode: d.mode & 0o777, text: fs.readFileSync(f, 'utf8') };
      });
      const fileCommands = fileCommandText(mainStep);
      const postStep = startStep({ ...opts, dir: path.join(dir, 'post'), state: main.state });
      const post = await postStep.done;
      const left = files.filter((f) => fs.existsSync(f) || fs.existsSync(path.dirname(f)));
      saw(
        `${files.map((f) => path.basename(f)).join(', ')}: modes ${seen.map((s) => s.mode.toString(8)).join(', ')} in ${seen.map((s) => s.dirMode.toString(8)).join(', ')}; after post: ${left.length ? `LEFT ${left.join(', ')}` : 'removed'}`,
      );
      expect(main.code, main.log).toBe(0);
      expect(post.code, post.log).toBe(0);
      expect(files.map((f) => path.basename(f)).sort()).toEqual(['netrc', 'nix-access-tokens.conf']);
      for (const s of seen) {
        expect(s.mode).toBe(0o600);
        expect(s.dirMode).toBe(0o700);
      }
      expect(seen.find((s) => s.f.endsWith('nix-access-tokens.conf'))!.text).toContain(GITHUB_TOKEN);
      expect(seen.find((s) => s.f.endsWith('netrc'))!.text).toContain(CACHIX_TOKEN);
      // GITHUB_ENV and GITHUB_STATE refer to the files, never to the secrets.
      expect(fileCommands).not.toContain(GITHUB_TOKEN);
      expect(fileCommands).not.toContain(CACHIX_TOKEN);
      expect(fileCommandText(postStep)).not.toContain(GITHUB_TOKEN);
      expect(left).toEqual([]);
      // Nothing else under RUNNER_TEMP holds them.
      const holding = listTree(runnerTemp)
        .filter((f) => !f.endsWith('/'))
        .filter((f) => {
          const t = fs.readFileSync(path.join(runnerTemp, f), 'latin1');
          return t.includes(GITHUB_TOKEN) || t.includes(CACHIX_TOKEN);
        });
      expect(holding).toEqual([]);
    },
    180_000,
  );

  reliabilityCase(
    SECURITY,
    'token files removed when the build failed',
    'same secrets; the flake output fails to build; then the post step',
    async ({ saw }) => {
      const { main, post } = await mainAndPost({
        inputs: { stages: 'install,cachix,build,package', flake: '.#fails', ...privateInputs() },
        workspace: flakeDir,
        env: baseEnv(),
        timeoutMs: 120_000,
      });
      const files = secretFilesOf(main);
      const left = files.filter((f) => fs.existsSync(f));
      saw(
        `main exit ${main.code}; ${files.length} secret files recorded; post exit ${post.code}; left: ${left.join(', ') || 'none'}`,
      );
      expect(main.code).toBe(1);
      expect(files.length).toBe(2);
      expect(post.code, post.log).toBe(0);
      expect(left).toEqual([]);
    },
    180_000,
  );

  reliabilityCase(
    SECURITY,
    'token files removed when the main step is cancelled',
    'SIGTERM to the main step during nix build (as a runner cancelling the job); then the post step',
    async ({ saw }) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-cancel-'));
      cleanup.push(dir);
      const runnerTemp = path.join(dir, 'runner-temp');
      const opts: StartStepOptions = {
        inputs: { stages: 'install,cachix,build,package', flake: '.#slowfail', ...privateInputs() },
        workspace: flakeDir,
        env: baseEnv(),
        runnerTemp,
        timeoutMs: 120_000,
      };
      const mainStep = startStep({ ...opts, dir: path.join(dir, 'main'), detached: true });
      try {
        await waitFor(
          () => /building slowly/.test(mainStep.output()) || mainStep.child.exitCode !== null,
          60_000,
          'the slow build',
        );
        const written = listTree(runnerTemp).filter((f) =>
          /nix-lambda-secrets-.*\/(netrc|nix-access-tokens\.conf)$/.test(f),
        );
        mainStep.child.kill('SIGTERM');
        const main = await mainStep.done;
        const files = secretFilesOf(main);
        const post = await startStep({ ...opts, dir: path.join(dir, 'post'), state: main.state }).done;
        const left = listTree(runnerTemp).filter((f) => /nix-lambda-secrets-/.test(f));
        saw(
          `${written.length} secret files written before SIGTERM; main ended ${main.signal ?? main.code}; state lists ${files.length}; post exit ${post.code}; left: ${left.join(', ') || 'none'}`,
        );
        expect(written.length).toBe(2);
        expect(main.code === 0).toBe(false);
        expect(files.length).toBe(2);
        expect(post.code, post.log).toBe(0);
        expect(left).toEqual([]);
      } finally {
        killGroup(mainStep);
        endOrphanedBuilder();
      }
    },
    180_000,
  );
});
