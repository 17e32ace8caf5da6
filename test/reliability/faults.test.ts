import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import type { DeployOptions, DeployResult } from '../../src/deploy/types.js';
import { ActionError, errorMessage } from '../../src/util/errors.js';
import { runDeploy } from '../../src/stages/deploy.js';
import {
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_OPTS,
  type Fault,
  type LambdaServer,
  type Op,
  type TestZip,
} from '../support/lambda-server.js';
import { getFixtures, type Fixtures } from '../support/nix.js';
import { runPipeline } from '../support/pipeline.js';
import { startStep } from '../support/runner.js';
import {
  buildReliability,
  firstLine,
  listTree,
  prepareReliabilityFlake,
  reliabilityCase,
  strayTemps,
  waitFor,
} from './support.js';

/**
 * Faults: the local Lambda/S3 server cuts connections, throttles, fails and holds updates; Nix
 * fails to build; the disk fills up while zipping; the process is signalled mid-run. After each,
 * the state left is checked: the function changed only when the step reported success, no alias
 * on a version with other code, no half-written zip where zip-path points, no temporary file.
 */

const GROUP = 'fault';

let server: LambdaServer;
let restoreAws: () => Promise<void>;
let fx: Fixtures;
let flakeDir: string;
const cleanup: string[] = [];

beforeAll(async () => {
  fx = await getFixtures();
  flakeDir = prepareReliabilityFlake();
  await buildReliability('big');
  ({ server, restore: restoreAws } = await setUpAws());
});
afterAll(async () => {
  await restoreAws();
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
});

// ---- deploy faults (the real SDK against the local server) ----------------------------------------

interface Scenario {
  old: TestZip;
  next: TestZip;
  /** Versions before the deploy. */
  versions: number;
}

/** A function `api` running `old`, published as version 1 with alias live -> 1. */
function existingFunction(opts: { alias?: boolean } = {}): Scenario {
  const old = makeZip('x86_64', { tag: 'old' });
  server.addFunction({ name: 'api', code: old.bytes });
  if (opts.alias !== false) {
    server.publishNow('api');
    server.setAlias('api', 'live', '1');
  }
  return { old, next: makeZip('x86_64', { tag: 'new' }), versions: server.fn('api').versions.length };
}

interface Outcome {
  results: DeployResult[] | undefined;
  error: unknown;
  ms: number;
}

async function deploy(
  s: Scenario,
  inputs: Record<string, string> = {},
  opts: DeployOptions = TEST_OPTS,
): Promise<Outcome> {
  const { ctx } = makeContext({ 'function-name': 'api', ...inputs }, { pkg: packageOf(s.next) });
  const t0 = Date.now();
  try {
    return { results: await runDeploy(ctx, opts), error: undefined, ms: Date.now() - t0 };
  } catch (error) {
    return { results: undefined, error, ms: Date.now() - t0 };
  }
}

function describeOutcome(o: Outcome, s: Scenario): string {
  const f = server.fn('api');
  const code =
    f.codeSha256 === s.next.sha ? 'new code' : f.codeSha256 === s.old.sha ? 'old code' : 'OTHER code';
  const live = server.aliasCode('api', 'live');
  const alias =
    live === undefined
      ? ''
      : `, live -> ${live === s.next.sha ? 'new' : live === s.old.sha ? 'old' : 'OTHER'}`;
  const head = o.error
    ? `${o.error instanceof ActionError ? o.error.title : 'raw error'}: ${firstLine(errorMessage(o.error)).slice(0, 110)}`
    : `ok (${o.results?.map((r) => r.status).join(',') ?? ''})`;
  return `${head}; function has ${code}, ${f.versions.length} versions${alias}; ${(o.ms / 1000).toFixed(1)} s`;
}

/**
 * The invariants after any deploy: on failure the function still runs the old code (unless the
 * error says the new code is in place), no version holds other code than old or new, and the
 * alias points at a version holding old or new code (new only if the step succeeded or says so).
 */
function expectConsistent(o: Outcome, s: Scenario, opts: { codeMayChange?: RegExp } = {}): void {
  const f = server.fn('api');
  for (const v of f.versions) expect([s.old.sha, s.next.sha]).toContain(v.codeSha256);
  const live = server.aliasCode('api', 'live');
  if (o.error === undefined) {
    expect(f.codeSha256).toBe(s.next.sha);
    expect(f.lastUpdateStatus).not.toBe('InProgress');
    if (live !== undefined && o.results?.[0]?.alias) expect(live).toBe(s.next.sha);
    return;
  }
  expect(o.error).toBeInstanceOf(ActionError);
  const msg = errorMessage(o.error);
  if (f.codeSha256 !== s.old.sha) {
    // Only allowed when the message says the new code is in place.
    expect(f.codeSha256).toBe(s.next.sha);
    expect(msg).toMatch(opts.codeMayChange ?? /^$/);
  }
  if (live !== undefined) expect(live).toBe(s.old.sha);
}

function inject(op: Op, fault: Fault, times = 1): void {
  server.inject(op, fault, { times });
}

function statuses(op: Op): number[] {
  return server.requests.filter((r) => r.op === op).map((r) => r.status);
}

const FAST: DeployOptions = { ...TEST_OPTS, socketTimeoutMs: 1500 };

describe('deploy faults', () => {
  reliabilityCase(
    GROUP,
    'network cut mid-upload, once',
    'UpdateFunctionCode connection reset after the first body bytes',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionCode', { kind: 'reset' });
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(
        `${describeOutcome(o, s)}; UpdateFunctionCode statuses ${statuses('UpdateFunctionCode').join(',')}`,
      );
      expect(o.error).toBeUndefined();
      expect(statuses('UpdateFunctionCode')).toEqual([0, 200]);
      expectConsistent(o, s);
      expect(server.aliasCode('api', 'live')).toBe(s.next.sha);
    },
  );

  reliabilityCase(
    GROUP,
    'network cut on every upload attempt',
    'every UpdateFunctionCode connection reset (production retry settings)',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionCode', { kind: 'reset' }, 100);
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(`${describeOutcome(o, s)}; ${statuses('UpdateFunctionCode').length} attempts`);
      expect(o.error).toBeInstanceOf(ActionError);
      expect(errorMessage(o.error)).toMatch(/UpdateFunctionCode/);
      expect(server.fn('api').versions).toHaveLength(s.versions);
      expectConsistent(o, s);
      expect(statuses('UpdateFunctionCode').length).toBe(TEST_OPTS.maxAttempts);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'a connection that goes silent',
    'UpdateFunctionCode read and never answered (socket timeout 1.5 s)',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionCode', { kind: 'hang' });
      const o = await deploy(s, {}, FAST);
      saw(describeOutcome(o, s));
      expect(o.error).toBeUndefined();
      expectConsistent(o, s);
    },
  );

  reliabilityCase(
    GROUP,
    '429 storm that ends',
    '3 TooManyRequestsException on UpdateFunctionCode, then accepted (production retries)',
    async ({ saw }) => {
      const s = existingFunction();
      inject(
        'UpdateFunctionCode',
        { kind: 'error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
        3,
      );
      const o = await deploy(s);
      saw(`${describeOutcome(o, s)}; statuses ${statuses('UpdateFunctionCode').join(',')}`);
      expect(o.error).toBeUndefined();
      expect(statuses('UpdateFunctionCode')).toEqual([429, 429, 429, 200]);
      expectConsistent(o, s);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    '429 storm that does not end',
    'every GetFunction throttled (SDK attempts lowered to 3 to keep the suite short)',
    async ({ saw }) => {
      const s = existingFunction();
      inject(
        'GetFunction',
        { kind: 'error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
        1000,
      );
      const o = await deploy(s, { publish: 'true', alias: 'live' }, { ...TEST_OPTS, maxAttempts: 3 });
      saw(
        `${describeOutcome(o, s)}; ${server.requests.length} requests, ${server.uploadedBytes()} bytes uploaded`,
      );
      expect(o.error).toBeInstanceOf(ActionError);
      expect(errorMessage(o.error)).toMatch(/TooManyRequestsException/);
      expect(server.count('UpdateFunctionCode')).toBe(0);
      expect(server.count('GetFunction')).toBe(3);
      expectConsistent(o, s);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    '5xx on every upload attempt',
    '502/503 ServiceException on every UpdateFunctionCode',
    async ({ saw }) => {
      const s = existingFunction();
      inject(
        'UpdateFunctionCode',
        { kind: 'error', status: 503, type: 'ServiceException', message: 'Service unavailable' },
        1000,
      );
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(`${describeOutcome(o, s)}; ${statuses('UpdateFunctionCode').length} attempts`);
      expect(o.error).toBeInstanceOf(ActionError);
      expect(errorMessage(o.error)).toMatch(/UpdateFunctionCode on api failed: ServiceException/);
      expectConsistent(o, s);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    '5xx after the update was applied',
    '500 on UpdateFunctionCode whose update went through (lost response)',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionCode', {
        kind: 'error',
        status: 500,
        type: 'ServiceException',
        applyFirst: true,
      });
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(`${describeOutcome(o, s)}; statuses ${statuses('UpdateFunctionCode').join(',')}`);
      expect(o.error).toBeUndefined();
      expect(statuses('UpdateFunctionCode')).toEqual([500, 412]);
      expectConsistent(o, s);
      expect(server.aliasCode('api', 'live')).toBe(s.next.sha);
    },
  );

  reliabilityCase(
    GROUP,
    'update in progress (ours blocked)',
    "someone else's update InProgress for 3 polls when ours arrives (409)",
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionCode', {
        kind: 'error',
        status: 409,
        type: 'ResourceConflictException',
        holdPolls: 3,
      });
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(`${describeOutcome(o, s)}; UpdateFunctionCode ${statuses('UpdateFunctionCode').join(',')}`);
      expect(o.error).toBeUndefined();
      expect(statuses('UpdateFunctionCode')).toEqual([409, 200]);
      expectConsistent(o, s);
    },
  );

  reliabilityCase(
    GROUP,
    'update in progress that never ends',
    'a foreign update InProgress forever, wait-timeout-seconds 1',
    async ({ saw }) => {
      const s = existingFunction();
      server.startForeignUpdate('api', 1_000_000);
      const o = await deploy(s, { 'wait-timeout-seconds': '1' });
      saw(`${describeOutcome(o, s)}; ${server.uploadedBytes()} bytes uploaded`);
      expect(o.error).toBeInstanceOf(ActionError);
      expect((o.error as ActionError).title).toBe('Update timed out');
      expect(server.count('UpdateFunctionCode')).toBe(0);
      expectConsistent(o, s);
    },
  );

  reliabilityCase(
    GROUP,
    'failed update',
    'our update ends LastUpdateStatus Failed (publish + alias asked)',
    async ({ saw }) => {
      const s = existingFunction();
      server.holdNextUpdate('api', {
        polls: 2,
        outcome: 'Failed',
        reason:
          'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit.',
        reasonCode: 'InvalidConfiguration',
      });
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(describeOutcome(o, s));
      expect(o.error).toBeInstanceOf(ActionError);
      expect((o.error as ActionError).title).toBe('Update failed');
      expect(errorMessage(o.error)).toMatch(/InvalidConfiguration/);
      expect(server.count('PublishVersion')).toBe(0);
      expect(server.fn('api').versions).toHaveLength(s.versions);
      expectConsistent(o, s);
    },
  );

  reliabilityCase(
    GROUP,
    'publish fails after the code update',
    'PublishVersion answers 500 on every attempt (code already sent)',
    async ({ saw }) => {
      const s = existingFunction();
      inject('PublishVersion', { kind: 'error', status: 500, type: 'ServiceException' }, 1000);
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(describeOutcome(o, s));
      expect(o.error).toBeInstanceOf(ActionError);
      // $LATEST holds the new code: the message must say so; the alias must not move.
      expectConsistent(o, s, {
        codeMayChange:
          /the new code is in place on \$LATEST .* no version was published and alias live was not moved/,
      });
      expect(server.aliasCode('api', 'live')).toBe(s.old.sha);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'configuration update fails after the code update',
    'UpdateFunctionConfiguration answers 503 on every attempt (timeout: 30 asked)',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionConfiguration', { kind: 'error', status: 503, type: 'ServiceException' }, 1000);
      const o = await deploy(s, { publish: 'true', alias: 'live', timeout: '30' });
      saw(describeOutcome(o, s));
      expect(o.error).toBeInstanceOf(ActionError);
      expectConsistent(o, s, {
        codeMayChange:
          /the new code is in place on \$LATEST .* the configuration was not changed and no version was published/,
      });
      expect(server.fn('api').timeout).toBe(3);
      expect(server.count('PublishVersion')).toBe(0);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'alias moved by someone else meanwhile',
    'UpdateAlias answers 412 (another deploy moved live)',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateAlias', { kind: 'error', status: 412, type: 'PreconditionFailedException' });
      const o = await deploy(s, { publish: 'true', alias: 'live' });
      saw(describeOutcome(o, s));
      expect(o.error).toBeInstanceOf(ActionError);
      expect((o.error as ActionError).title).toBe('Alias changed meanwhile');
      expectConsistent(o, s, { codeMayChange: /version \d+ is published/ });
    },
  );

  reliabilityCase(
    GROUP,
    'S3 upload cut on every attempt',
    'zip through s3-bucket, PutObject connection reset every time',
    async ({ saw }) => {
      const s = existingFunction();
      inject('PutObject', { kind: 'reset' }, 100);
      const o = await deploy(s, { 's3-bucket': 'deploy-bucket' });
      saw(
        `${describeOutcome(o, s)}; ${server.count('PutObject')} PutObject, ${server.count('UpdateFunctionCode')} UpdateFunctionCode`,
      );
      expect(o.error).toBeInstanceOf(ActionError);
      expect(server.count('UpdateFunctionCode')).toBe(0);
      expect(server.objects.size).toBe(0);
      expectConsistent(o, s);
    },
    120_000,
  );
});

// ---- Nix build failure ----------------------------------------------------------------------------

describe('build fault', () => {
  reliabilityCase(
    GROUP,
    'Nix build failure',
    'flake output whose builder fails with exit 3 after printing',
    async ({ saw }) => {
      const zipDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-buildfail-'));
      cleanup.push(zipDir);
      const zip = path.join(zipDir, 'function.zip');
      const r = await runPipeline(
        {
          stages: 'build,package,deploy',
          flake: '.#fails',
          'function-name': 'api',
          'aws-region': 'us-east-1',
          'zip-path': zip,
        },
        { workspace: flakeDir },
      );
      cleanup.push(r.tempDir);
      const msg = errorMessage(r.error ?? '');
      saw(
        `${r.error instanceof ActionError ? r.error.title : 'no ActionError'}: ${msg.split('\n').slice(-2).join(' | ').slice(0, 160)}`,
      );
      expect(r.error).toBeInstanceOf(ActionError);
      expect((r.error as ActionError).title).toBe('Nix build failed');
      // The tail of the build log, with what the builder said last.
      expect(msg).toMatch(/step 3 failed on purpose/);
      expect(msg).toMatch(/compiling step 1 of 3/);
      expect(fs.existsSync(zip)).toBe(false);
      expect(r.outputs.has('store-path')).toBe(false);
      expect(server.requests).toEqual([]);
      expect(r.ctx?.stages.map((x) => `${x.stage}:${x.status}`)).toEqual([
        'build:failed',
        'package:skipped',
        'deploy:skipped',
      ]);
    },
  );
});

// ---- disk full while zipping, and signals (dist/index.js as a runner runs it) ---------------------

const NIX_CONF =
  'experimental-features = nix-command flakes\nsandbox = false\nbuild-users-group =\nsubstituters =\nwarn-dirty = false';

/**
 * A prefix that runs dist/index.js in its own mount namespace with a small tmpfs at `dir`, holding
 * `previous` as dir/function.zip; afterwards it lists dir and copies function.zip into `report`
 * (the tmpfs goes away with the namespace). A Node script, not sh: sh drops the INPUT_ZIP-PATH
 * kind of variables (names with dashes) that the runner sets.
 */
function inTmpfs(dir: string, sizeKb: number, previous: Buffer, report: string): string[] {
  fs.writeFileSync(path.join(report, 'previous.zip'), previous);
  const script = path.join(report, 'in-tmpfs.mjs');
  fs.writeFileSync(
    script,
    [
      "import { execFileSync, spawnSync } from 'node:child_process';",
      "import * as fs from 'node:fs';",
      'const [dir, size, report, cmd, ...args] = process.argv.slice(2);',
      "execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}k`, 'tmpfs', dir]);",
      'fs.copyFileSync(`${report}/previous.zip`, `${dir}/function.zip`);',
      "const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });",
      "fs.writeFileSync(`${report}/ls.txt`, fs.readdirSync(dir, { recursive: true }).sort().join('\\n'));",
      'if (fs.existsSync(`${dir}/function.zip`)) fs.copyFileSync(`${dir}/function.zip`, `${report}/after.zip`);',
      'process.exit(r.status ?? 99);',
      '',
    ].join('\n'),
  );
  return [
    'unshare',
    '--mount',
    '--propagation',
    'private',
    process.execPath,
    script,
    dir,
    String(sizeKb),
    report,
  ];
}

describe('disk full and signals', () => {
  reliabilityCase(
    GROUP,
    'disk full while zipping',
    'zip-path on a 256 KiB tmpfs holding an older complete zip; the new zip is about 1 MB',
    async ({ saw }) => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-enospc-'));
      cleanup.push(base);
      const mnt = path.join(base, 'mnt');
      const report = path.join(base, 'report');
      fs.mkdirSync(mnt);
      fs.mkdirSync(report);
      const previous = makeZip('x86_64', { tag: 'previous' }).bytes;
      const step = startStep({
        inputs: {
          stages: 'build,package',
          flake: '.',
          'zip-path': path.join(mnt, 'function.zip'),
          verify: 'false',
        },
        workspace: fx.small.dir,
        env: { NIX_CONFIG: NIX_CONF },
        prefix: inTmpfs(mnt, 256, previous, report),
      });
      cleanup.push(step.dir);
      const res = await step.done;
      const left = fs.readFileSync(path.join(report, 'ls.txt'), 'utf8').split('\n').filter(Boolean);
      const after = fs.readFileSync(path.join(report, 'after.zip'));
      const annotation = res.log.split('\n').find((l) => l.startsWith('::error')) ?? '(no error annotation)';
      saw(`exit ${res.code}; ${annotation.slice(0, 150)}; left in the folder: ${left.join(', ')}`);
      expect(res.code).toBe(1);
      expect(annotation).toMatch(/no space left on device|ENOSPC/i);
      expect(annotation).toMatch(/zip/i);
      expect(annotation).not.toMatch(/title=Unexpected error/);
      // The older zip is intact, no temporary file is left, and no output points at a zip.
      expect(left).toEqual(['function.zip']);
      expect(after.equals(previous)).toBe(true);
      expect(res.outputs['zip-path']).toBeUndefined();
      expect(res.outputs['zip-sha256']).toBeUndefined();
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'disk full in RUNNER_TEMP (the bundle folder)',
    'RUNNER_TEMP on a 512 KiB tmpfs: the patched bundle does not fit',
    async ({ saw }) => {
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-enospc2-'));
      cleanup.push(base);
      const mnt = path.join(base, 'mnt');
      const report = path.join(base, 'report');
      fs.mkdirSync(mnt);
      fs.mkdirSync(report);
      const step = startStep({
        inputs: { stages: 'build,package', flake: '.', verify: 'false' },
        workspace: fx.small.dir,
        env: { NIX_CONFIG: NIX_CONF },
        runnerTemp: mnt,
        prefix: inTmpfs(mnt, 512, Buffer.from('x'), report),
      });
      cleanup.push(step.dir);
      const res = await step.done;
      const annotation = res.log.split('\n').find((l) => l.startsWith('::error')) ?? '(no error annotation)';
      const left = fs.readFileSync(path.join(report, 'ls.txt'), 'utf8').split('\n').filter(Boolean);
      saw(`exit ${res.code}; ${annotation.slice(0, 160)}; RUNNER_TEMP holds ${left.join(', ')}`);
      expect(res.code).toBe(1);
      expect(annotation).toMatch(/no space left on device|ENOSPC/i);
      expect(annotation).not.toMatch(/title=Unexpected error/);
      expect(res.outputs['zip-path']).toBeUndefined();
    },
    120_000,
  );

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    reliabilityCase(
      GROUP,
      `${signal} while zipping`,
      `${signal} to dist/index.js once the zip's temporary file exists (48 MB of random data to zip)`,
      async ({ saw }) => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-signal-'));
        cleanup.push(out);
        const zip = path.join(out, 'function.zip');
        const previous = makeZip('x86_64', { tag: 'previous' }).bytes;
        fs.writeFileSync(zip, previous);
        const cache = path.join(out, 'cache');
        const step = startStep({
          inputs: {
            stages: 'build,package',
            flake: '.#big',
            include: 'share/big.bin:big.bin',
            'zip-path': zip,
            verify: 'false',
          },
          workspace: flakeDir,
          // An empty deflate cache, so the 48 MB are really compressed.
          env: { NIX_CONFIG: NIX_CONF, XDG_CACHE_HOME: cache },
        });
        cleanup.push(step.dir);
        await waitFor(
          () => strayTemps(out).length > 0 || step.child.exitCode !== null,
          60_000,
          'the zip temporary file',
        );
        const sawTemp = strayTemps(out).length > 0;
        step.child.kill(signal);
        const res = await step.done;
        const left = listTree(out).filter((f) => !f.startsWith('cache/'));
        saw(
          `temp file seen: ${sawTemp}; exit ${res.code ?? res.signal ?? '?'}; folder holds ${left.join(', ')}; zip-path ${fs.readFileSync(zip).equals(previous) ? 'is the previous zip' : 'CHANGED'}`,
        );
        expect(sawTemp).toBe(true);
        expect(res.code === 0).toBe(false);
        expect(left).toEqual(['function.zip']);
        expect(fs.readFileSync(zip).equals(previous)).toBe(true);
        expect(res.outputs['zip-path']).toBeUndefined();
        expect(strayTemps(cache)).toEqual([]);
      },
      120_000,
    );
  }

  reliabilityCase(
    GROUP,
    'SIGTERM during the upload',
    'deploy-only run; UpdateFunctionCode never answered; SIGTERM once it arrived',
    async ({ saw }) => {
      const s = existingFunction();
      inject('UpdateFunctionCode', { kind: 'hang' }, 100);
      const step = startStep({
        inputs: {
          stages: 'deploy',
          'zip-path': s.next.path,
          'function-name': 'api',
          'aws-region': 'us-east-1',
          publish: 'true',
          alias: 'live',
        },
        workspace: fx.small.dir,
        env: {
          AWS_ENDPOINT_URL: server.url,
          AWS_ACCESS_KEY_ID: 'AKIDRELIABILITY00000',
          AWS_SECRET_ACCESS_KEY: 'secret',
          AWS_CONFIG_FILE: '/nonexistent',
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        },
      });
      cleanup.push(step.dir);
      await waitFor(
        () => server.count('UpdateFunctionCode') > 0 || step.child.exitCode !== null,
        30_000,
        'the upload',
      );
      step.child.kill('SIGTERM');
      const res = await step.done;
      const o: Outcome = { results: undefined, error: new ActionError('killed', 'killed'), ms: 0 };
      saw(
        `exit ${res.code ?? res.signal ?? '?'}; ${describeOutcome(o, s)}; outputs: ${Object.keys(res.outputs).join(', ') || 'none'}`,
      );
      expect(res.code === 0).toBe(false);
      expect(res.outputs['deploy-status']).toBeUndefined();
      expectConsistent(o, s);
      expect(server.fn('api').versions).toHaveLength(s.versions);
    },
    60_000,
  );
});
