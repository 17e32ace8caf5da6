import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { ActionError, errorMessage } from '../../src/util/errors.js';
import { LambdaServer } from '../support/lambda-server.js';
import { getFixtures, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import { runPipeline, type PipelineRun } from '../support/pipeline.js';
import { argvRecorder, nixSubcommand, type ArgvRecorder } from '../support/argv-recorder.js';
import { startStep, type StartedStep } from '../support/runner.js';
import {
  buildReliability,
  fileCommandText,
  prepareReliabilityFlake,
  rawZipEntries,
  reliabilityCase,
  zipEntryProblems,
} from './support.js';
import type { StepResult } from '../support/runner.js';

/**
 * Security: secrets (github-token, cachix-auth-token, cachix-signing-key, push-signing-key, the
 * OIDC tokens and the AWS session credentials from role-to-assume) never reach a log line, an
 * output, the GITHUB_ENV/STATE/PATH/summary files, the argv of a spawned process, the function's
 * configuration or the zip; the zips hold no absolute path, no '..', no symlink, nothing
 * world-writable, everything world-readable; an include never follows a link out of the closure.
 */

const GROUP = 'security';
const secret = (prefix: string): string => `${prefix}${randomBytes(18).toString('base64url')}`;
const GITHUB_TOKEN = secret('ghs_REL');
const CACHIX_TOKEN = secret('cachixREL');
const CACHIX_KEY = randomBytes(48).toString('base64');
const PUSH_KEY_B64 = randomBytes(64).toString('base64');
const PUSH_KEY = `rel-push-1:${PUSH_KEY_B64}`;
const OIDC_TOKEN = `eyJ${secret('hdr')}.${secret('payload')}.${secret('sig')}`;
const REQUEST_TOKEN = secret('actions-request-');
const ROLE = 'arn:aws:iam::123456789012:role/deployer';

let fx: Fixtures;
let server: LambdaServer;
let argv: ArgvRecorder;
let main: StepResult;
let post: StepResult;
let mainStep: StartedStep;
let postStep: StartedStep;
let home: string;
const cleanup: string[] = [];

function inputSecrets(): Record<string, string> {
  return {
    'github-token': GITHUB_TOKEN,
    'cachix-auth-token': CACHIX_TOKEN,
    'cachix-signing-key': CACHIX_KEY,
    'push-signing-key': PUSH_KEY,
    OIDC_TOKEN,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
  };
}

/** Every secret of the run, with the session credentials STS issued. */
function allSecrets(): Record<string, string> {
  const out: Record<string, string> = { ...inputSecrets(), 'push-signing-key (base64 part)': PUSH_KEY_B64 };
  for (const [i, c] of server.issued.entries()) {
    out[`session ${i} AccessKeyId`] = c.accessKeyId;
    out[`session ${i} SecretAccessKey`] = c.secretAccessKey;
    out[`session ${i} SessionToken`] = c.sessionToken;
  }
  return out;
}

function leaks(text: string): string[] {
  return Object.entries(allSecrets())
    .filter(([, v]) => text.includes(v))
    .map(([k]) => k);
}

/** The log as the runner shows it: ::add-mask:: commands are consumed by the runner, not shown. */
function shownLog(r: StepResult): string {
  return r.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  fx = await getFixtures();
  server = await new LambdaServer({ oidcToken: OIDC_TOKEN, oidcRequestToken: REQUEST_TOKEN }).start();
  server.addFunction({ name: 'api' });
  server.publishNow('api');
  server.setAlias('api', 'live', '1');
  argv = argvRecorder();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-home-'));
  cleanup.push(home, argv.dir);
  const env = {
    PATH: `${argv.dir}:${process.env['PATH'] ?? ''}`,
    HOME: home,
    XDG_CACHE_HOME: path.join(home, '.cache'),
    NIX_CONFIG: NIX_CONFIG_LINES.join('\n'),
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    ACTIONS_ID_TOKEN_REQUEST_URL: `${server.url}/_oidc/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
    NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
  };
  const inputs = {
    stages: 'build,package,deploy',
    flake: '.',
    'function-name': 'api',
    'aws-region': 'us-east-1',
    'role-to-assume': ROLE,
    publish: 'true',
    alias: 'live',
    environment: '{"LOG_LEVEL": "debug"}',
    'github-token': GITHUB_TOKEN,
    'cachix-cache': 'my-cache',
    'cachix-auth-token': CACHIX_TOKEN,
    'cachix-signing-key': CACHIX_KEY,
    'cachix-push': 'false',
    'push-signing-key': PUSH_KEY,
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-secrets-'));
  cleanup.push(dir);
  const runnerTemp = path.join(dir, 'runner-temp');
  mainStep = startStep({ inputs, env, workspace: fx.small.dir, dir: path.join(dir, 'main'), runnerTemp });
  main = await mainStep.done;
  postStep = startStep({
    inputs,
    env,
    workspace: fx.small.dir,
    dir: path.join(dir, 'post'),
    runnerTemp,
    state: main.state,
  });
  post = await postStep.done;
}, 300_000);

afterAll(async () => {
  await server.close();
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

describe('secrets through a whole run (dist/index.js, main and post step, role-to-assume)', () => {
  reliabilityCase(
    GROUP,
    'the run itself',
    'build, package, deploy with every secret input set and an OIDC role',
    ({ saw }) => {
      const deployed = server.requests.filter((r) => r.op === 'UpdateFunctionCode');
      saw(
        `main exit ${main.code}, post exit ${post.code}; deploy-status ${main.outputs['deploy-status'] ?? '-'}; ` +
          `${server.issued.length} STS session, Lambda calls signed with it: ${deployed.every((r) => r.accessKeyId === server.issued[0]?.accessKeyId)}`,
      );
      expect(main.code, main.log).toBe(0);
      expect(post.code, post.log).toBe(0);
      expect(main.outputs['deploy-status']).toBe('updated');
      expect(server.issued).toHaveLength(1);
      expect(deployed.length).toBeGreaterThan(0);
      expect(deployed.every((r) => r.accessKeyId === server.issued[0]!.accessKeyId)).toBe(true);
    },
  );

  reliabilityCase(
    GROUP,
    'secrets masked for the runner',
    '::add-mask:: issued for every input secret and the session credentials',
    ({ saw }) => {
      const masked = new Set(
        main.log
          .split('\n')
          .filter((l) => l.startsWith('::add-mask::'))
          .map((l) => l.slice('::add-mask::'.length)),
      );
      const s = allSecrets();
      const want = [
        'github-token',
        'cachix-auth-token',
        'cachix-signing-key',
        'push-signing-key',
        'OIDC_TOKEN',
        'session 0 SecretAccessKey',
        'session 0 SessionToken',
        'session 0 AccessKeyId',
      ];
      const missing = want.filter((k) => !masked.has(s[k]!));
      saw(`${masked.size} values masked; missing: ${missing.join(', ') || 'none'}`);
      expect(missing).toEqual([]);
    },
  );

  reliabilityCase(
    GROUP,
    'no secret in the logs',
    'search stdout and stderr of the main and post steps (add-mask lines aside)',
    ({ saw }) => {
      const found = [...leaks(shownLog(main)), ...leaks(shownLog(post))];
      saw(
        `${(shownLog(main) + shownLog(post)).length} characters of log searched for ${Object.keys(allSecrets()).length} secrets; found: ${found.join(', ') || 'none'}`,
      );
      expect(found).toEqual([]);
    },
  );

  reliabilityCase(
    GROUP,
    'no secret in outputs, env, state, path or summary',
    'search GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_PATH, GITHUB_STEP_SUMMARY of both steps',
    ({ saw }) => {
      const text = fileCommandText(mainStep) + fileCommandText(postStep);
      const found = leaks(text);
      saw(
        `${Object.keys(main.outputs).length} outputs, ${Object.keys(main.state).length} state entries, ${Object.keys(main.exportedEnv).length} exported variables; found: ${found.join(', ') || 'none'}`,
      );
      expect(Object.keys(main.outputs).length).toBeGreaterThan(5);
      expect(found).toEqual([]);
    },
  );

  reliabilityCase(
    GROUP,
    'no secret in the argv of spawned processes',
    'wrappers first on PATH record every nix, unshare, patchelf, git, sh... argv',
    ({ saw }) => {
      const calls = argv.calls();
      const found = leaks(argv.raw());
      const cmds = [...new Set(calls.map((c) => (c.cmd === 'nix' ? `nix ${nixSubcommand(c)}` : c.cmd)))];
      saw(`${calls.length} commands recorded (${cmds.join(', ')}); found: ${found.join(', ') || 'none'}`);
      expect(calls.some((c) => c.cmd === 'nix' && nixSubcommand(c) === 'build')).toBe(true);
      expect(found).toEqual([]);
    },
  );

  reliabilityCase(
    GROUP,
    'no secret in the zip or the bundle folder',
    'raw zip bytes, every entry unzipped, every file of bundle-dir',
    ({ saw }) => {
      const zipPath = main.outputs['zip-path']!;
      const zip = fs.readFileSync(zipPath);
      const texts = [
        zip.toString('latin1'),
        ...new AdmZip(zip).getEntries().map((e) => e.getData().toString('latin1')),
      ];
      const bundle = filesUnder(main.outputs['bundle-dir']!);
      for (const f of bundle) texts.push(fs.readFileSync(f).toString('latin1'));
      const found = leaks(texts.join('\n'));
      saw(
        `${rawZipEntries(zip).length} zip entries and ${bundle.length} bundle files searched; found: ${found.join(', ') || 'none'}`,
      );
      expect(bundle.length).toBeGreaterThan(0);
      expect(found).toEqual([]);
    },
  );

  reliabilityCase(
    GROUP,
    "no secret in the function's configuration",
    'environment and every request body the Lambda server received',
    ({ saw }) => {
      const f = server.fn('api');
      const bodies = server.requests.map((r) => JSON.stringify(r.json ?? {})).join('\n');
      const found = leaks(`${JSON.stringify(f.env)}\n${bodies}`);
      saw(
        `function env ${JSON.stringify(f.env)}; ${server.requests.length} request bodies searched; found: ${found.join(', ') || 'none'}`,
      );
      expect(f.env['LOG_LEVEL']).toBe('debug');
      expect(found).toEqual([]);
    },
  );

  reliabilityCase(
    GROUP,
    'no secret left in files after the post step',
    'every file under RUNNER_TEMP and HOME after the post step',
    ({ saw }) => {
      const files = [...filesUnder(mainStep.runnerTemp), ...filesUnder(home)];
      const holding = files.filter((f) => leaks(fs.readFileSync(f).toString('latin1')).length > 0);
      saw(`${files.length} files searched; holding a secret: ${holding.join(', ') || 'none'}`);
      expect(files.length).toBeGreaterThan(0);
      expect(holding).toEqual([]);
    },
  );
});

// ---- the zip's entries ---------------------------------------------------------------------------

describe('the zip holds nothing that unpacks outside /var/task or with loose modes', () => {
  const runs: PipelineRun[] = [];
  afterAll(() => {
    for (const r of runs) fs.rmSync(r.tempDir, { recursive: true, force: true });
  });
  const cases: { name: keyof Fixtures; inputs?: Record<string, string> }[] = [
    { name: 'small' },
    { name: 'deep' },
    { name: 'static' },
    { name: 'aarch64' },
    { name: 'certs', inputs: { 'bundle-certificates': 'true' } },
    { name: 'wrapper', inputs: { program: 'bin/.bootstrap-wrapped' } },
  ];
  for (const c of cases) {
    reliabilityCase(
      GROUP,
      `zip entries: ${c.name} fixture`,
      `package the ${c.name} fixture; read the central directory and bundle-dir`,
      async ({ saw }) => {
        const r = await runPipeline(
          { stages: 'build,package', flake: '.', ...c.inputs },
          { workspace: fx[c.name].dir },
        );
        runs.push(r);
        expect(r.error, r.log).toBeUndefined();
        const zip = fs.readFileSync(r.outputs.get('zip-path')!);
        const problems = zipEntryProblems(zip);
        const bundleDir = r.outputs.get('bundle-dir')!;
        for (const e of fs.readdirSync(bundleDir, { recursive: true, withFileTypes: true })) {
          const p = path.join(e.parentPath, e.name);
          const st = fs.lstatSync(p);
          if (st.isSymbolicLink()) problems.push(`bundle-dir ${p}: symlink`);
          if (st.mode & 0o002) problems.push(`bundle-dir ${p}: world-writable`);
          if ((st.mode & 0o444) !== 0o444) problems.push(`bundle-dir ${p}: not world-readable`);
        }
        const entries = rawZipEntries(zip);
        saw(
          `${entries.length} entries (${entries.filter((e) => e.name.endsWith('/')).length} folders); problems: ${problems.join(', ') || 'none'}`,
        );
        expect(entries.length).toBeGreaterThan(0);
        expect(entries.find((e) => e.name === 'bootstrap')?.mode).toBe(0o100755);
        expect(problems).toEqual([]);
      },
      120_000,
    );
  }
});

// ---- includes and symbolic links ----------------------------------------------------------------

describe('include never follows a link out of the closure', () => {
  let flakeDir: string;
  const runs: PipelineRun[] = [];
  beforeAll(async () => {
    flakeDir = prepareReliabilityFlake();
    await buildReliability('symlinks');
  });
  afterAll(() => {
    for (const r of runs) fs.rmSync(r.tempDir, { recursive: true, force: true });
  });

  reliabilityCase(
    GROUP,
    'include: a folder with a link inside it',
    'share/data holds alias.txt -> ok.txt (inside the output)',
    async ({ saw }) => {
      const r = await runPipeline(
        { stages: 'build,package', flake: '.#symlinks', include: 'share/data:data' },
        { workspace: flakeDir },
      );
      runs.push(r);
      expect(r.error, r.log).toBeUndefined();
      const zip = fs.readFileSync(r.outputs.get('zip-path')!);
      const entries = rawZipEntries(zip);
      const data = new AdmZip(zip).getEntry('data/alias.txt')?.getData().toString();
      saw(
        `bundled ${entries
          .filter((e) => e.name.startsWith('data/'))
          .map((e) => `${e.name} (${(e.mode & 0o170000).toString(8)})`)
          .join(', ')}; alias.txt holds ${JSON.stringify(data)}`,
      );
      expect(data).toBe('inside\n');
      expect(zipEntryProblems(zip)).toEqual([]);
    },
  );

  const refused: { name: string; include: string }[] = [
    { name: 'include: a folder with a link to /etc', include: 'share/escape:escape' },
    { name: 'include: a file that links to /etc/hostname', include: 'share/hostname-link:hostname' },
    { name: 'include: a folder with a link to /', include: 'share/rootdir:root' },
  ];
  for (const c of refused) {
    reliabilityCase(
      GROUP,
      c.name,
      `include: ${c.include}`,
      async ({ saw }) => {
        const t0 = Date.now();
        const r = await runPipeline(
          { stages: 'build,package', flake: '.#symlinks', include: c.include },
          { workspace: flakeDir },
        );
        runs.push(r);
        const ms = Date.now() - t0;
        const msg = errorMessage(r.error ?? '');
        saw(
          `${r.error instanceof ActionError ? r.error.title : 'no error'}: ${msg.slice(0, 150)} (${ms} ms)`,
        );
        expect(r.error).toBeInstanceOf(ActionError);
        expect(msg).toMatch(
          /Input `include`: .* leads to \/(etc\/hostname)?, outside the build's runtime closure/,
        );
        expect(r.outputs.has('zip-path')).toBe(false);
        expect(ms).toBeLessThan(30_000);
      },
      60_000,
    );
  }
});
