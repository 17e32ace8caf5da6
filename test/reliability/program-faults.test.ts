import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { setUpAws, type LambdaServer } from '../support/lambda-server.js';
import { getFixtures, nixEnv, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import { runStep, type StepResult } from '../support/runner.js';
import { firstLine, reliabilityCase } from './support.js';

/**
 * Faults of the user's program and build, seen before anything ships: a bundle that crashes at
 * init, reports an init error, answers with an invocation error, never answers, or answers without
 * the expected text (the local smoke test, x86_64 and arm64 under qemu); a fixed-output hash that
 * changed; a disk that fills up during the build. Each runs dist/index.js as a runner runs it, with
 * real Nix, and the deploy stage pointed at the local Lambda server: nothing may reach it.
 */

const GROUP = 'fault';
const NIX_CONFIG = NIX_CONFIG_LINES.join('\n');

let fx: Fixtures;
let server: LambdaServer;
let restoreAws: () => Promise<void>;
const cleanup: string[] = [];
beforeAll(async () => {
  fx = await getFixtures();
  ({ server, restore: restoreAws } = await setUpAws());
});
afterAll(async () => {
  await restoreAws();
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
});

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanup.push(d);
  return d;
}

/** The first error annotation of a step, decoded. */
function errorAnnotation(step: StepResult): string {
  const line = step.stdout.split('\n').find((l) => l.startsWith('::error')) ?? '(no error annotation)';
  return line.replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** Processes whose root is inside folder (a program left running in an isolated root). */
function processesRootedIn(folder: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/root`).startsWith(folder)) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** build, package and deploy (publish) of the smoke fixture's attr, with smoke-test-payload, to the local Lambda server. */
async function shipSmoke(attr: string, inputs: Record<string, string> = {}): Promise<Shipped> {
  const dir = tempDir(`rel-smoke-${attr}-`);
  const zip = path.join(dir, 'function.zip');
  const step = await runStep({
    workspace: fx.smoke.dir,
    dir,
    inputs: {
      stages: 'build,package,deploy',
      flake: `.#${attr}`,
      'zip-path': zip,
      'function-name': 'api',
      'aws-region': 'us-east-1',
      // The same event is the deploy's smoke test of the published version, which needs publish.
      publish: 'true',
      'smoke-test-payload': '{"order": 42}',
      'smoke-test-timeout-seconds': '10',
      ...inputs,
    },
    env: {
      NIX_CONFIG,
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: 'AKIDRELIABILITY00000',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    },
  });
  return { ...step, zip, runnerTemp: path.join(dir, 'runner-temp') };
}

type Shipped = StepResult & { zip: string; runnerTemp: string };

/** What every failed smoke test leaves: exit 1, the output failed, no zip, no request to Lambda, no process. */
function expectStoppedBeforeShipping(step: Shipped): void {
  expect(step.code).toBe(1);
  expect(errorAnnotation(step)).toMatch(/^::error title=Local smoke test failed::/);
  expect(step.outputs['local-smoke-test-result']).toBe('failed');
  expect(fs.existsSync(step.zip)).toBe(false);
  expect(step.outputs['zip-path']).toBeUndefined();
  expect(server.requests).toEqual([]);
  expect(step.summary).toContain('| Result | ❌ failed');
  expect(processesRootedIn(step.runnerTemp)).toEqual([]);
}

function outcome(step: StepResult): string {
  return `exit ${step.code}; ${firstLine(errorAnnotation(step).replace(/^::error title=[^:]*::/, '')).slice(0, 150)}; ${server.requests.length} Lambda requests`;
}

describe('the local smoke test stops a broken program before anything ships', () => {
  for (const attr of ['initcrash', 'initcrash-aarch64'] as const)
    reliabilityCase(
      GROUP,
      `program crashes during init (${attr.endsWith('aarch64') ? 'arm64, qemu' : 'x86_64'})`,
      'bootstrap writes a line to stderr, then SIGSEGV before its first GET next',
      async ({ saw }) => {
        const step = await shipSmoke(attr);
        saw(outcome(step));
        expectStoppedBeforeShipping(step);
        const msg = errorAnnotation(step);
        expect(msg).toMatch(
          /the program was killed by SIGSEGV during init, before asking for an event \(Runtime\.ExitError\)/,
        );
        expect(msg).toContain('smoke: loading the configuration table');
      },
    );

  reliabilityCase(
    GROUP,
    'program reports an init error',
    'bootstrap POSTs init/error (ConfigError) and exits 1',
    async ({ saw }) => {
      const step = await shipSmoke('initerror');
      saw(outcome(step));
      expectStoppedBeforeShipping(step);
      expect(errorAnnotation(step)).toMatch(
        /the program reported an init error \(Runtime\.Unhandled\): \{"errorMessage":"DATABASE_URL is not set","errorType":"ConfigError"\}/,
      );
      expect(errorAnnotation(step)).toContain('smoke: DATABASE_URL is not set');
    },
  );

  for (const attr of ['invokeerror', 'invokeerror-aarch64'] as const)
    reliabilityCase(
      GROUP,
      `program answers with an invocation error (${attr.endsWith('aarch64') ? 'arm64, qemu' : 'x86_64'})`,
      'bootstrap takes the event and POSTs invocation/{id}/error',
      async ({ saw }) => {
        const step = await shipSmoke(attr);
        saw(outcome(step));
        expectStoppedBeforeShipping(step);
        expect(errorAnnotation(step)).toMatch(
          /answered the event with an invocation error \(Runtime\.Unhandled\): \{"errorMessage":"division by zero","errorType":"PricingError"\}/,
        );
        expect(errorAnnotation(step)).toContain(
          'smoke: the handler failed: division by zero in the pricing module',
        );
      },
    );

  reliabilityCase(
    GROUP,
    'program never answers',
    'bootstrap takes the event and blocks forever; smoke-test-timeout-seconds 2',
    async ({ saw }) => {
      const t0 = Date.now();
      const step = await shipSmoke('hang', { 'smoke-test-timeout-seconds': '2' });
      const ms = Date.now() - t0;
      saw(`${outcome(step)}; ${(ms / 1000).toFixed(1)} s`);
      expectStoppedBeforeShipping(step);
      expect(errorAnnotation(step)).toMatch(
        /no answer within 2 s \(smoke-test-timeout-seconds\): the program was still running after it was handed the event/,
      );
      expect(errorAnnotation(step)).toContain('smoke: waiting for a lock that is never released');
    },
  );

  reliabilityCase(
    GROUP,
    'response without the expected text',
    'a correct program; smoke-test-expect names a text its response lacks',
    async ({ saw }) => {
      const dir = tempDir('rel-smoke-expect-');
      const step = Object.assign(
        await runStep({
          workspace: fx.deep.dir,
          dir,
          inputs: {
            stages: 'build,package',
            flake: '.',
            'zip-path': path.join(dir, 'function.zip'),
            'smoke-test-payload': '{"order": 42}',
            'smoke-test-expect': '"status":"ok"',
          },
          env: { NIX_CONFIG },
        }),
        { zip: path.join(dir, 'function.zip'), runnerTemp: path.join(dir, 'runner-temp') },
      );
      saw(outcome(step));
      expectStoppedBeforeShipping(step);
      expect(errorAnnotation(step)).toContain(
        'the response does not contain the expected text ""status":"ok"" (smoke-test-expect)',
      );
    },
  );
});

// ---- build errors people hit -------------------------------------------------------------------------

/** A throw-away flake (a git repository with every file added) holding files; its folder. */
function flake(files: Record<string, string>): string {
  const dir = tempDir('rel-build-');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q', dir]);
  execFileSync('git', ['add', '-A'], { cwd: dir });
  return dir;
}

describe('build errors people hit, with real Nix', () => {
  reliabilityCase(
    GROUP,
    'fixed-output hash changed',
    'a fixed-output derivation (/bin/sh builder, offline) whose outputHash in nix/fetched.nix is stale',
    async ({ saw }) => {
      const tag = randomBytes(6).toString('hex');
      const content = `fetched ${tag}\n`;
      const stale = execFileSync(
        'nix',
        ['hash', 'to-base32', `sha256-${createHash('sha256').update('stale').digest('base64')}`],
        {
          env: nixEnv(),
          encoding: 'utf8',
        },
      ).trim();
      const fresh = execFileSync(
        'nix',
        ['hash', 'to-base32', `sha256-${createHash('sha256').update(content).digest('base64')}`],
        {
          env: nixEnv(),
          encoding: 'utf8',
        },
      ).trim();
      const fetched = `# What a fetcher gives: content whose hash is written here.\n{ system }:\nderivation {\n  name = "fetched-${tag}";\n  inherit system;\n  builder = "/bin/sh";\n  args = [ "-c" "printf 'fetched ${tag}\\\\n' > $out" ];\n  outputHashMode = "flat";\n  outputHashAlgo = "sha256";\n  outputHash = "${stale}";\n}\n`;
      const dir = flake({
        'flake.nix': `{\n  outputs = { self }: {\n    packages.x86_64-linux.default = import ./nix/fetched.nix { system = "x86_64-linux"; };\n  };\n}\n`,
        'nix/fetched.nix': fetched,
      });
      const step = await runStep({
        workspace: dir,
        dir: tempDir('rel-hash-step-'),
        inputs: { stages: 'build', flake: '.' },
        env: { NIX_CONFIG },
      });
      const annotation = errorAnnotation(step);
      saw(
        `exit ${step.code}; ${firstLine(annotation)
          .replace(/::error /, '')
          .slice(0, 170)}`,
      );
      expect(step.code).toBe(1);
      expect(annotation).toMatch(
        /^::error title=Fixed-output hash mismatch,file=nix\/fetched\.nix,line=10::nix\/fetched\.nix:10: /,
      );
      expect(annotation).toContain(`Replace "${stale}" with "${fresh}" on that line`);
      // The hash it gives is the right one: with it, the build succeeds.
      fs.writeFileSync(path.join(dir, 'nix/fetched.nix'), fetched.replace(stale, fresh));
      const again = await runStep({
        workspace: dir,
        dir: tempDir('rel-hash-again-'),
        inputs: { stages: 'build', flake: '.' },
        env: { NIX_CONFIG },
      });
      expect(again.log).not.toMatch(/hash mismatch/);
      expect(again.outputs['store-path']).toMatch(new RegExp(`-fetched-${tag}$`));
    },
  );

  reliabilityCase(
    GROUP,
    'disk full during the build',
    "Nix's build folder (TMPDIR) on a 1 MiB tmpfs in a mount namespace; the builder writes 4 MB",
    async ({ saw }) => {
      const tag = randomBytes(6).toString('hex');
      const dir = flake({
        'flake.nix': `{\n  outputs = { self }: {\n    packages.x86_64-linux.default = derivation {\n      name = "fill-${tag}";\n      system = "x86_64-linux";\n      builder = "/bin/sh";\n      args = [ "-c" "head -c 4000000 /dev/zero > scratch && echo done > $out" ];\n      PATH = "/usr/bin:/bin";\n    };\n  };\n}\n`,
      });
      const mnt = tempDir('rel-full-tmp-');
      const script = path.join(tempDir('rel-full-script-'), 'in-tmpfs.mjs');
      fs.writeFileSync(
        script,
        [
          "import { execFileSync, spawnSync } from 'node:child_process';",
          'const [dir, cmd, ...args] = process.argv.slice(2);',
          "execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);",
          "const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });",
          'process.exit(r.status ?? 99);',
          '',
        ].join('\n'),
      );
      const step = await runStep({
        workspace: dir,
        dir: tempDir('rel-full-step-'),
        inputs: { stages: 'build', flake: '.' },
        env: { NIX_CONFIG, TMPDIR: mnt },
        prefix: ['unshare', '--mount', '--propagation', 'private', process.execPath, script, mnt],
      });
      const annotation = errorAnnotation(step);
      saw(
        `exit ${step.code}; ${annotation
          .split('\n')
          .filter((l) => /space/i.test(l))
          .join(' | ')
          .slice(0, 200)}`,
      );
      expect(step.code).toBe(1);
      expect(annotation).toMatch(/^::error title=Disk full during the build::/);
      expect(annotation).toContain('No space left on device');
      expect(annotation).toMatch(
        new RegExp(
          `The build ran out of disk space\\. Free space now: /nix/store: [\\d.]+ [KMG]i?B free of [\\d.]+ [KMG]i?B \\(\\d+%\\); ${mnt}: [\\d.]+ (KiB|MiB) free of 1\\.0 MiB`,
        ),
      );
      // The tmpfs went with the namespace.
      expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(mnt);
    },
  );
});
