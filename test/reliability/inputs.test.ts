import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ActionError, errorMessage, InputError } from '../../src/util/errors.js';
import { makeZip, setUpAws, type LambdaServer } from '../support/lambda-server.js';
import { getFixtures, type Fixtures } from '../support/nix.js';
import { runPipeline, type PipelineRun } from '../support/pipeline.js';
import { argvRecorder, nixSubcommand, type ArgvRecorder } from '../support/argv-recorder.js';
import { startStep } from '../support/runner.js';
import {
  buildReliability,
  firstLine,
  listTree,
  prepareReliabilityFlake,
  reliabilityCase,
} from './support.js';

/**
 * Bad inputs, the way a user types them wrong. Each run is the whole main step (in this process,
 * as the local command runs it, or as dist/index.js for a few) with a wrapper `nix` first on PATH
 * that records every call, a local Lambda server that records every request, and a zip-path in an
 * empty folder. Inputs that can be checked without building fail before anything is spawned;
 * those about the build's output (program, libraries, include) fail after `nix build` and before
 * any zip or AWS call. Every message names the input to fix.
 */

const GROUP = 'bad input';
const SECRET_TOKEN = 'cachix-token-SHOULD-NOT-LEAK-0123456789';
const SECRET_KEY = 'not a key SHOULD-NOT-LEAK-abcdef';

let fx: Fixtures;
let server: LambdaServer;
let restoreAws: () => Promise<void>;
let argv: ArgvRecorder;
let savedPath: string | undefined;
let work: string;
let flakeDir: string;
const runs: string[] = [];

beforeAll(async () => {
  fx = await getFixtures();
  flakeDir = prepareReliabilityFlake();
  await buildReliability('notelf');
  await buildReliability('wrongarch');
  ({ server, restore: restoreAws } = await setUpAws());
  server.addFunction({ name: 'api' });
  argv = argvRecorder();
  savedPath = process.env['PATH'];
  process.env['PATH'] = `${argv.dir}:${savedPath ?? ''}`;
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-inputs-'));
  fs.mkdirSync(path.join(work, 'out'));
  fs.mkdirSync(path.join(work, 'a-folder.zip'));
  fs.writeFileSync(path.join(work, 'not-a-zip.zip'), 'this is text, not a zip\n');
  fs.copyFileSync(makeZip('x86_64', { bootstrap: null }).path, path.join(work, 'no-bootstrap.zip'));
  const script = Buffer.from('#!/bin/sh\necho hi\n');
  fs.copyFileSync(makeZip('x86_64', { bootstrap: script }).path, path.join(work, 'script-bootstrap.zip'));
  const riscv = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(riscv);
  riscv.writeUInt16LE(243, 18);
  fs.copyFileSync(makeZip('x86_64', { bootstrap: riscv }).path, path.join(work, 'riscv-bootstrap.zip'));
});

afterAll(async () => {
  process.env['PATH'] = savedPath;
  await restoreAws();
  for (const d of [work, argv.dir, ...runs]) fs.rmSync(d, { recursive: true, force: true });
});

type Phase = 'parse' | 'after-build' | 'deploy-read';

interface BadInput {
  name: string;
  /** The input(s) as typed. */
  inputs: Record<string, string>;
  /** What the message must say (it names the input). */
  expect: RegExp;
  phase: Phase;
  /** Workspace: the small fixture, a fixture by name, or the suite's flake. */
  workspace?: keyof Fixtures | 'reliability';
  /** Secret values the message and log must not show. */
  secrets?: string[];
}

const ZIP = (): string => path.join(work, 'out', 'function.zip');

/** Inputs of a normal deploy run; each case changes some. */
function baseInputs(): Record<string, string> {
  return {
    flake: '.',
    'function-name': 'api',
    'aws-region': 'us-east-1',
    'zip-path': ZIP(),
  };
}

const P = 'parse' as const;

const CASES: BadInput[] = [
  {
    name: 'unknown stage',
    inputs: { stages: 'build,pakage' },
    expect: /Input `stages`: unknown stage "pakage"/,
    phase: P,
  },
  {
    name: 'no stage at all',
    inputs: { stages: ' , #nothing' },
    expect: /Input `stages`: no stage selected/,
    phase: P,
  },
  {
    name: 'package without build',
    inputs: { stages: 'package,deploy' },
    expect: /Input `stages`: the package stage needs the build stage/,
    phase: P,
  },
  { name: 'empty flake reference', inputs: { flake: '   ' }, expect: /Input `flake`: empty/, phase: P },
  {
    name: 'flake attribute empty',
    inputs: { flake: '.#' },
    expect: /Input `flake`: ".#": the attribute after # is empty or malformed/,
    phase: P,
  },
  {
    name: 'flake attribute with shell characters',
    inputs: { flake: '.#app;rm -rf ~' },
    expect: /Input `flake`/,
    phase: P,
  },
  {
    name: 'flake reference with a space',
    inputs: { flake: '.#my app' },
    expect: /Input `flake`: ".#my app" contains whitespace/,
    phase: P,
  },
  {
    name: 'flake path without flake.nix',
    inputs: { flake: './services/api#default' },
    expect: /Input `flake`: no flake.nix in .*services\/api/,
    phase: P,
  },
  {
    name: 'malformed flake URL',
    inputs: { flake: 'github:' },
    expect: /Input `flake`: "github:" is not a flake reference/,
    phase: P,
  },
  {
    name: 'program escaping the output (../)',
    inputs: { program: '../../etc/passwd' },
    expect: /Input `program`: "..\/..\/etc\/passwd" must be a path inside the build output/,
    phase: P,
  },
  {
    name: 'program as an absolute path',
    inputs: { program: '/bin/sh' },
    expect: /Input `program`: "\/bin\/sh" must be a path inside/,
    phase: P,
  },
  {
    name: 'function name with a space',
    inputs: { 'function-name': 'my function' },
    expect: /Input `function-name`: "my function" is not a function name/,
    phase: P,
  },
  {
    name: 'function ARN with a short account',
    inputs: { 'function-name': 'arn:aws:lambda:us-east-1:1234:function:api' },
    expect: /Input `function-name`: "arn:aws:lambda:us-east-1:1234:function:api" is not/,
    phase: P,
  },
  {
    name: 'qualified function name (alias)',
    inputs: { 'function-name': 'api:live' },
    expect: /Input `function-name`: "api:live" is not a function name/,
    phase: P,
  },
  {
    name: 'function listed twice',
    inputs: { 'function-name': 'api\napi' },
    expect: /Input `function-name`: lists a function twice/,
    phase: P,
  },
  {
    name: 'deploy without a function',
    inputs: { 'function-name': '' },
    expect: /Input `function-name`: the deploy stage needs a function/,
    phase: P,
  },
  {
    name: 'alias without publish',
    inputs: { alias: 'live' },
    expect: /Input `alias`: an alias points at a published version: set `publish: true`/,
    phase: P,
  },
  {
    name: 'alias that is only digits',
    inputs: { alias: '42', publish: 'true' },
    expect: /Input `alias`: "42" is not an alias name/,
    phase: P,
  },
  {
    name: 'invalid region',
    inputs: { 'aws-region': 'eu-west' },
    expect: /Input `aws-region`: "eu-west" is not an AWS Region/,
    phase: P,
  },
  {
    name: 'region in upper case',
    inputs: { 'aws-region': 'EU-WEST-1' },
    expect: /Input `aws-region`: "EU-WEST-1"/,
    phase: P,
  },
  {
    name: 'non-numeric timeout',
    inputs: { timeout: 'ten' },
    expect: /Input `timeout`: expected a whole number from 1 to 900, got "ten"/,
    phase: P,
  },
  {
    name: 'timeout over 900 s',
    inputs: { timeout: '901' },
    expect: /Input `timeout`: expected a whole number from 1 to 900, got "901"/,
    phase: P,
  },
  {
    name: 'memory size below 128 MB',
    inputs: { 'memory-size': '64' },
    expect: /Input `memory-size`: expected a whole number from 128 to 10240/,
    phase: P,
  },
  {
    name: 'ephemeral storage too large',
    inputs: { 'ephemeral-storage': '20480' },
    expect: /Input `ephemeral-storage`/,
    phase: P,
  },
  {
    name: 'negative wait timeout',
    inputs: { 'wait-timeout-seconds': '-1' },
    expect: /Input `wait-timeout-seconds`/,
    phase: P,
  },
  {
    name: 's3-key without s3-bucket',
    inputs: { 's3-key': 'builds/api.zip' },
    expect: /Input `s3-key`: set `s3-bucket` too/,
    phase: P,
  },
  {
    name: 's3-bucket as a URL',
    inputs: { 's3-bucket': 's3://my-bucket' },
    expect: /Input `s3-bucket`: "s3:\/\/my-bucket" is not an S3 bucket name/,
    phase: P,
  },
  {
    name: 'zip-path in a missing folder',
    inputs: { 'zip-path': '/nonexistent-folder/function.zip' },
    expect: /Input `zip-path`: folder \/nonexistent-folder does not exist/,
    phase: P,
  },
  {
    name: 'zip-path that is a folder',
    inputs: { 'zip-path': '<work>/a-folder.zip' },
    expect: /Input `zip-path`: .*a-folder.zip is a folder/,
    phase: P,
  },
  {
    name: 'deploy-only with no zip to deploy',
    inputs: { stages: 'deploy', 'zip-path': '<work>/missing.zip' },
    expect: /Input `zip-path`: deploy without the package stage deploys an existing zip/,
    phase: P,
  },
  {
    name: 'boolean that is not one (publish)',
    inputs: { publish: 'maybe' },
    expect: /Input `publish`: expected true or false, got "maybe"/,
    phase: P,
  },
  {
    name: 'boolean that is not one (dry-run)',
    inputs: { 'dry-run': 'yes please' },
    expect: /Input `dry-run`: expected true or false/,
    phase: P,
  },
  {
    name: 'create without an execution role',
    inputs: { create: 'true' },
    expect: /Input `role`: creating a function \(create: true\) needs its execution role/,
    phase: P,
  },
  {
    name: 'role that is not an ARN',
    inputs: { create: 'true', role: 'lambda-exec' },
    expect: /Input `role`: "lambda-exec" is not an IAM role ARN/,
    phase: P,
  },
  {
    name: 'role-to-assume that is a user ARN',
    inputs: { 'role-to-assume': 'arn:aws:iam::123456789012:user/deploy' },
    expect: /Input `role-to-assume`: .* is not an IAM role ARN/,
    phase: P,
  },
  {
    name: 'environment that is not JSON',
    inputs: { environment: '{"LOG_LEVEL": ' },
    expect: /Input `environment`: expected a JSON object of strings/,
    phase: P,
  },
  {
    name: 'environment setting a reserved variable',
    inputs: { environment: '{"AWS_REGION": "eu-west-1"}' },
    expect: /Input `environment`: "AWS_REGION" is reserved by Lambda/,
    phase: P,
  },
  {
    name: 'environment as a JSON array',
    inputs: { environment: '["LOG_LEVEL=info"]' },
    expect: /Input `environment`: expected a JSON object/,
    phase: P,
  },
  {
    name: 'unknown environment-mode',
    inputs: { 'environment-mode': 'overwrite' },
    expect: /Input `environment-mode`: expected one of merge, replace/,
    phase: P,
  },
  {
    name: 'layer ARN without a version',
    inputs: { layers: 'arn:aws:lambda:us-east-1:123456789012:layer:tools' },
    expect: /Input `layers`: .* is not a layer version ARN/,
    phase: P,
  },
  {
    name: 'runtime that cannot run a bootstrap',
    inputs: { runtime: 'nodejs20.x' },
    expect: /Input `runtime`: expected one of provided.al2023, provided.al2/,
    phase: P,
  },
  {
    name: 'include outside the Nix store',
    inputs: { include: '/etc/passwd' },
    expect: /Input `include`: "\/etc\/passwd" is outside the Nix store/,
    phase: P,
  },
  {
    name: 'include escaping the output (../)',
    inputs: { include: '../secrets/key.pem' },
    expect: /Input `include`: "..\/secrets\/key.pem" escapes the build output/,
    phase: P,
  },
  {
    name: 'include with an absolute target',
    inputs: { include: 'share/data:/etc/data' },
    expect: /Input `include`: target "\/etc\/data" must be a relative path inside the zip/,
    phase: P,
  },
  {
    name: 'include replacing the bootstrap',
    inputs: { include: 'bin/other:bootstrap' },
    expect: /Input `include`: target "bootstrap" would replace the bootstrap/,
    phase: P,
  },
  {
    name: 'relative task-root',
    inputs: { 'task-root': 'var/task' },
    expect: /Input `task-root`: "var\/task" must be an absolute path/,
    phase: P,
  },
  {
    name: 'task-root with ..',
    inputs: { 'task-root': '/var/../task' },
    expect: /Input `task-root`/,
    phase: P,
  },
  {
    name: 'unknown verify mode',
    inputs: { verify: 'sometimes' },
    expect: /Input `verify`: expected one of auto, true, false/,
    phase: P,
  },
  {
    name: 'unknown installer',
    inputs: { 'nix-installer': 'brew' },
    expect: /Input `nix-installer`: expected one of official, determinate/,
    phase: P,
  },
  {
    name: 'installer-sha256 not a hash',
    inputs: { 'installer-sha256': 'abc123' },
    expect: /Input `installer-sha256`: expected 64 hexadecimal digits/,
    phase: P,
  },
  {
    name: 'installer-url not http(s)',
    inputs: { 'installer-url': 'ftp://example.org/install' },
    expect: /Input `installer-url`: .* is not an http\(s\):\/\/ or file:\/\/ URL/,
    phase: P,
  },
  {
    name: 'nix-version not a version',
    inputs: { 'nix-version': 'latest' },
    expect: /Input `nix-version`: expected a version such as 2.24.9/,
    phase: P,
  },
  {
    name: 'Cachix cache given as a URL',
    inputs: { 'cachix-cache': 'https://mycache.cachix.org' },
    expect: /Input `cachix-cache`: .* is not a Cachix cache name/,
    phase: P,
  },
  {
    name: 'Cachix token without a cache',
    inputs: { 'cachix-auth-token': SECRET_TOKEN },
    expect: /Input `cachix-cache`: a Cachix token or signing key is set but no cache name/,
    phase: P,
    secrets: [SECRET_TOKEN],
  },
  {
    name: 'cachix-push without a cache',
    inputs: { 'cachix-push': 'true' },
    expect: /Input `cachix-push`: pushing needs `cachix-cache`/,
    phase: P,
  },
  {
    name: 'extra pull cache with capitals',
    inputs: { 'extra-pull-caches': 'nix-community, My_Cache' },
    expect: /Input `extra-pull-caches`: "My_Cache" is not a Cachix cache name/,
    phase: P,
  },
  {
    name: 'push-filter not a regular expression',
    inputs: { 'push-filter': '-source$|([' },
    expect: /Input `push-filter`: not a valid regular expression/,
    phase: P,
  },
  {
    name: 'push-to not a store URL',
    inputs: { 'push-to': 'my bucket' },
    expect: /Input `push-to`: "my bucket" is not a Nix store URL/,
    phase: P,
  },
  {
    name: 'malformed push-signing-key (secret)',
    inputs: { 'push-signing-key': SECRET_KEY },
    expect: /Input `push-signing-key`: expected a Nix secret key/,
    phase: P,
    secrets: [SECRET_KEY],
  },
  {
    name: 'cachix-api-url without a scheme',
    inputs: { 'cachix-api-url': 'cachix.org/api/v1' },
    expect: /Input `cachix-api-url`: "cachix.org\/api\/v1" is not an http\(s\) URL/,
    phase: P,
  },
  {
    name: 'cache flag not a boolean',
    inputs: { cache: 'sometimes' },
    expect: /Input `cache`: expected true or false/,
    phase: P,
  },
  {
    name: 'description over 256 characters',
    inputs: { description: 'x'.repeat(300) },
    expect: /Input `description`: longer than 256 characters/,
    phase: P,
  },
  // After the build: the output decides.
  {
    name: 'missing flake attribute',
    inputs: { stages: 'build,package,deploy', flake: '.#doesNotExist' },
    expect: /Input `flake`: ".#doesNotExist" does not provide attribute/,
    phase: 'after-build',
  },
  {
    name: 'program not found in the output',
    inputs: { stages: 'build,package,deploy', program: 'bin/nope' },
    expect: /Input `program`: bin\/nope does not exist in \/nix\/store\/.*bin\/ holds: bootstrap/,
    phase: 'after-build',
  },
  {
    name: 'program not ELF (a host shell script)',
    inputs: { stages: 'build,package,deploy', flake: '.#notelf' },
    expect:
      /bin\/bootstrap .* is a script for \/bin\/sh; Lambda's bootstrap must be a Linux executable. Set `program`/,
    phase: 'after-build',
    workspace: 'reliability',
  },
  {
    name: 'program not ELF (data)',
    inputs: { stages: 'build,package,deploy', flake: '.#notelf', program: 'bin/data' },
    expect: /bin\/data .* is not an ELF executable.*Set `program`/,
    phase: 'after-build',
    workspace: 'reliability',
  },
  {
    name: 'program not executable',
    inputs: { stages: 'build,package,deploy', flake: '.#notelf', program: 'share/readme.txt' },
    expect: /Input `program`: .*share\/readme.txt is not an executable file/,
    phase: 'after-build',
    workspace: 'reliability',
  },
  {
    name: 'a Nix wrapper script as program',
    inputs: { stages: 'build,package,deploy' },
    expect:
      /is a shell script whose interpreter .* lives in \/nix\/store: a Nix wrapper.*Set `program: bin\/.bootstrap-wrapped`/,
    phase: 'after-build',
    workspace: 'wrapper',
  },
  {
    name: 'wrong-architecture libraries in the closure',
    inputs: { stages: 'build,package,deploy', flake: '.#wrongarch' },
    expect:
      /libz.so.1 \(needed by bootstrap\): only found for another architecture.*build the flake output for the function's architecture/s,
    phase: 'after-build',
    workspace: 'reliability',
  },
  {
    name: 'include path that does not exist',
    inputs: { stages: 'build,package,deploy', include: 'share/missing.txt' },
    expect: /Input `include`: .*share\/missing.txt does not exist or cannot be read/,
    phase: 'after-build',
  },
  {
    name: 'include from a store path outside the closure',
    inputs: { stages: 'build,package,deploy', include: '<deep>/bin/bootstrap:other' },
    expect: /Input `include`: \/nix\/store\/.* is not in the build's runtime closure/,
    phase: 'after-build',
  },
  {
    name: 'bundle-certificates without a CA bundle',
    inputs: { stages: 'build,package,deploy', 'bundle-certificates': 'true' },
    expect: /Input `bundle-certificates`: no store path of the build's runtime closure holds a CA bundle/,
    phase: 'after-build',
  },
  // Deploy-only: the zip is read before any AWS call.
  {
    name: 'deploy-only zip that is not a zip',
    inputs: { stages: 'deploy', 'zip-path': '<work>/not-a-zip.zip' },
    expect: /Input `zip-path`: .*not-a-zip.zip is not a readable zip/,
    phase: 'deploy-read',
  },
  {
    name: 'deploy-only zip without a bootstrap',
    inputs: { stages: 'deploy', 'zip-path': '<work>/no-bootstrap.zip' },
    expect: /Input `zip-path`: .*no-bootstrap.zip has no `bootstrap` file at its root/,
    phase: 'deploy-read',
  },
  {
    name: 'deploy-only zip whose bootstrap is a script',
    inputs: { stages: 'deploy', 'zip-path': '<work>/script-bootstrap.zip' },
    expect: /Input `zip-path`: the bootstrap in .*script-bootstrap.zip is not an ELF executable/,
    phase: 'deploy-read',
  },
  {
    name: 'deploy-only zip for another machine (RISC-V)',
    inputs: { stages: 'deploy', 'zip-path': '<work>/riscv-bootstrap.zip' },
    expect: /Input `zip-path`: the bootstrap in .* is an ELF for machine 243/,
    phase: 'deploy-read',
  },
];

function resolveInputs(c: BadInput): Record<string, string> {
  const out: Record<string, string> = { ...baseInputs() };
  for (const [k, v] of Object.entries(c.inputs))
    out[k] = v.replace('<work>', work).replace('<deep>', fx.deep.outPath);
  return out;
}

function workspaceOf(c: BadInput): string {
  if (c.workspace === 'reliability') return flakeDir;
  return fx[c.workspace ?? 'small'].dir;
}

describe('bad inputs fail before any build or upload, naming the input', () => {
  reliabilityCase(
    GROUP,
    'the list of bad inputs',
    'count the cases checked before anything runs',
    ({ saw }) => {
      const parse = CASES.filter((c) => c.phase === 'parse').length;
      saw(`${CASES.length} bad inputs, ${parse} caught before anything is spawned`);
      expect(parse).toBeGreaterThanOrEqual(30);
    },
  );

  for (const c of CASES) {
    const shown = Object.entries(c.inputs)
      .map(([k, v]) => `${k}: ${JSON.stringify(v.length > 40 ? `${v.slice(0, 20)}…(${v.length})` : v)}`)
      .join(', ');
    reliabilityCase(GROUP, c.name, shown, async ({ saw }) => {
      argv.clear();
      server.requests.length = 0;
      fs.rmSync(ZIP(), { force: true });
      const r: PipelineRun = await runPipeline(resolveInputs(c), { workspace: workspaceOf(c) });
      runs.push(r.tempDir);
      const message = r.error === undefined ? '(no error)' : errorMessage(r.error);
      const nixCalls = argv.calls().filter((s) => s.cmd.startsWith('nix'));
      const builds = nixCalls.filter((s) => nixSubcommand(s) === 'build');
      const title = r.error instanceof ActionError ? r.error.title : 'no ActionError';
      saw(
        `${title}: ${firstLine(message).slice(0, 200)} [spawned ${argv.calls().length}, nix build ${builds.length}, AWS ${server.requests.length}]`,
      );

      expect(r.error, r.log).toBeInstanceOf(ActionError);
      expect(message).toMatch(c.expect);
      if (c.phase === 'parse') {
        expect(r.error).toBeInstanceOf(InputError);
        expect(r.ctx).toBeUndefined();
        // Nothing was spawned at all: no install, no nix, no loader check.
        expect(argv.calls()).toEqual([]);
      } else if (c.phase === 'deploy-read') {
        expect(nixCalls).toEqual([]);
      } else {
        expect(builds.length).toBeLessThanOrEqual(1);
        expect(r.ctx?.stages.find((s) => s.stage === 'deploy')?.status).toBe('skipped');
      }
      // No zip was written, no temporary file left, no output says otherwise.
      expect(fs.existsSync(ZIP())).toBe(false);
      expect(listTree(r.tempDir).filter((f) => f.endsWith('.zip') || f.endsWith('.tmp'))).toEqual([]);
      expect(r.outputs.has('zip-path')).toBe(false);
      // No AWS call reached the server.
      expect(server.requests).toEqual([]);
      for (const s of c.secrets ?? []) {
        expect(message).not.toContain(s);
        expect(r.log).not.toContain(s);
      }
    });
  }
});

describe('bad inputs through dist/index.js, as a runner runs it', () => {
  const viaRunner: { name: string; inputs: Record<string, string>; expect: RegExp }[] = [
    {
      name: 'four bad inputs at once (runner)',
      inputs: { stages: 'build,deploy,shipit', timeout: '0', alias: 'live' },
      expect:
        /title=4 invalid inputs::- Input `stages`.*- Input `alias`.*- Input `timeout`.*- Input `zip-path`/,
    },
    { name: 'program escaping the output (runner)', inputs: { program: '../x' }, expect: /Input `program`/ },
  ];
  for (const c of viaRunner) {
    reliabilityCase(GROUP, c.name, JSON.stringify(c.inputs), async ({ saw }) => {
      argv.clear();
      server.requests.length = 0;
      const step = startStep({
        inputs: { ...baseInputs(), ...c.inputs },
        workspace: fx.small.dir,
        env: {
          PATH: `${argv.dir}:${savedPath ?? ''}`,
          AWS_ENDPOINT_URL: server.url,
          AWS_ACCESS_KEY_ID: 'AKIDRELIABILITY00000',
          AWS_SECRET_ACCESS_KEY: 'x',
        },
      });
      const res = await step.done;
      runs.push(step.dir);
      const annotation = res.log.split('\n').find((l) => l.startsWith('::error')) ?? '';
      saw(`exit ${res.code}; ${annotation.slice(0, 160)}`);
      expect(res.code).toBe(1);
      expect(annotation).toMatch(c.expect);
      expect(argv.calls()).toEqual([]);
      expect(server.requests).toEqual([]);
      // No output at all (nothing ran), and the job summary says why.
      expect(res.outputs).toEqual({});
      expect(res.summary).toMatch(/Input `/);
      expect(listTree(step.runnerTemp)).toEqual([]);
    });
  }
});
