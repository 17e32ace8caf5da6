import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listZip } from '../../src/zip/read.js';
import { runInLambdaRoot } from '../support/lambda-root.js';
import { getFixtures, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import { DIST, distFileHolding, moduleLog, ROOT, runMainAndPost, runStep } from '../support/runner.js';

/**
 * dist/index.js as its users run it: by a GitHub runner (INPUT_* variables and the file
 * commands, main step then post step), by nektos/act, by @github/local-action, and as the
 * local command. dist/ must be fresh (check-dist, and .ci/run, compare it with a fresh build).
 */

let fx: Fixtures;
const nixEnv = { NIX_CONFIG: NIX_CONFIG_LINES.join('\n') };
beforeAll(async () => {
  fx = await getFixtures();
});

const OUTPUTS = [
  'nix-version',
  'store-path',
  'program-path',
  'architecture',
  'zip-path',
  'zip-sha256',
  'zip-bytes',
  'unzipped-bytes',
  'libraries',
  'bundle-dir',
  'summary-json',
];

describe('as a GitHub runner runs it', () => {
  it('produces every package output, a job summary, state for the post step, and a post step that succeeds', async () => {
    const { main, post } = await runMainAndPost({
      workspace: fx.small.dir,
      inputs: {
        stages: 'install,cachix,build,package',
        flake: '.',
        'github-token': 'ghs_runnerTokenForTheTest0123456789',
      },
      env: nixEnv,
    });
    expect(main.code, main.log).toBe(0);
    for (const o of OUTPUTS) expect(main.outputs[o], o).toBeTruthy();
    expect(main.outputs['store-path']).toBe(fx.small.outPath);
    expect(main.outputs['architecture']).toBe('x86_64');
    expect(fs.statSync(main.outputs['zip-path']!).size).toBe(Number(main.outputs['zip-bytes']));
    // One log group per stage, each ending with its duration.
    for (const stage of ['install', 'cachix', 'build', 'package']) {
      expect(main.stdout).toContain(`::group::${stage}\n`);
      expect(main.stdout).toMatch(new RegExp(`${stage} took \\d+(\\.\\d)? m?s\\n::endgroup::`));
    }
    expect(main.summary).toContain('## Nix flake to AWS Lambda: succeeded');
    expect(main.summary).toContain('| package | ✅ success |');
    expect(main.state['isPost']).toBe('true');
    const summary = JSON.parse(main.outputs['summary-json']!) as {
      ok: boolean;
      bundle: { architecture: string };
    };
    expect(summary.ok).toBe(true);
    expect(summary.bundle.architecture).toBe('x86_64');
    // The post step runs as the runner runs it: with STATE_ variables, and succeeds.
    expect(post.code, post.log).toBe(0);
    expect(post.stdout).not.toContain('::error');
    // The token never appears, masked or not, outside its ::add-mask:: line.
    const leaks = [
      main.log,
      post.log,
      JSON.stringify(main.outputs),
      JSON.stringify(main.exportedEnv),
      JSON.stringify(main.state),
    ]
      .join('\n')
      .split('\n')
      .filter((l) => l.includes('ghs_runnerTokenForTheTest0123456789') && !l.startsWith('::add-mask::'));
    expect(leaks).toEqual([]);
  });

  it('fails a run with a bad input in seconds, with an annotation naming the input, and runs no stage', async () => {
    const t0 = Date.now();
    const r = await runStep({
      workspace: fx.small.dir,
      inputs: { stages: 'build,package', flake: '.', verify: 'sometimes' },
      env: nixEnv,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=Invalid input::Input `verify`: expected one of auto, true, false/m,
    );
    expect(r.stdout).not.toContain('::group::');
    expect(r.outputs['zip-path']).toBeUndefined();
    expect(r.summary).toContain('**Invalid input**');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('annotates a Nix evaluation error with the .nix file and line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'broken-flake-'));
    fs.writeFileSync(
      path.join(dir, 'flake.nix'),
      '{\n  outputs = { self }: {\n    packages.x86_64-linux.default = undefinedThing;\n  };\n}\n',
    );
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['add', '-A'], { cwd: dir });
    const r = await runStep({ workspace: dir, inputs: { stages: 'build,package', flake: '.' }, env: nixEnv });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error title=Nix build failed,file=flake\.nix,line=3::/m);
    expect(r.stdout).toContain('undefined variable');
    expect(r.summary).toContain('| build | ❌ failed |');
  });
});

describe('what each step loads', () => {
  it('packaging loads libdeflate; the post step neither libdeflate nor adm-zip; a deploy-only run adm-zip', async () => {
    const deflater = distFileHolding('_libdeflate_alloc_compressor');
    const zipReader = distFileHolding('No END header found');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loads-'));
    const runnerTemp = path.join(dir, 'runner-temp');
    const mainModules = moduleLog();
    const main = await runStep({
      workspace: fx.small.dir,
      inputs: { stages: 'build,package', flake: '.' },
      env: { ...nixEnv, ...mainModules.env },
      runnerTemp,
      dir: path.join(dir, 'main'),
    });
    expect(main.code, main.log).toBe(0);
    expect(mainModules.loaded()).toContain(deflater);
    const postModules = moduleLog();
    const post = await runStep({
      workspace: fx.small.dir,
      state: main.state,
      env: { ...nixEnv, ...postModules.env },
      runnerTemp,
      dir: path.join(dir, 'post'),
    });
    expect(post.code, post.log).toBe(0);
    expect(postModules.loaded()).toContain('index.js');
    expect(postModules.loaded()).not.toContain(deflater);
    expect(postModules.loaded()).not.toContain(zipReader);
    // A deploy-only run reads the zip's bootstrap (here a script: refused before any AWS call).
    const zip = path.join(dir, 'script.zip');
    execFileSync('sh', [
      '-c',
      `cd ${dir} && printf '#!/bin/sh\\n' > bootstrap && zip -q script.zip bootstrap`,
    ]);
    const deployModules = moduleLog();
    const deploy = await runStep({
      workspace: fx.small.dir,
      inputs: { stages: 'deploy', 'zip-path': zip, 'function-name': 'api', 'aws-region': 'us-east-1' },
      env: deployModules.env,
      dir: path.join(dir, 'deploy'),
    });
    expect(deploy.code).toBe(1);
    expect(deploy.stdout).toContain('title=Not an ELF bootstrap');
    expect(deployModules.loaded()).toContain(zipReader);
    expect(deployModules.loaded()).not.toContain(deflater);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('as nektos/act runs it', () => {
  it('works with ACT=true and no cache service: single-user Nix as found, the closure cache skipped with a notice', async () => {
    const r = await runStep({
      act: true,
      workspace: fx.small.dir,
      inputs: { stages: 'install,cachix,build,package', flake: '.', cache: 'true' },
      // What act sets: GITHUB_ACTIONS=true, ACT=true, no ACTIONS_CACHE_URL/ACTIONS_RESULTS_URL, runs as root.
      env: {
        ...nixEnv,
        ACTIONS_CACHE_URL: undefined,
        ACTIONS_RESULTS_URL: undefined,
        RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
      },
    });
    expect(r.code, r.log).toBe(0);
    expect(r.stdout).toMatch(/::notice[^:]*::.*(cache service|act)/i);
    expect(r.outputs['zip-path']).toBeTruthy();
    const res = await runInLambdaRoot(r.outputs['zip-path']!);
    expect(res.code).toBe(0);
  });
});

describe('through @github/local-action', () => {
  it('runs src/action/main.ts with inputs from a .env file and prints the outputs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-action-'));
    const env = [
      'INPUT_STAGES=install,build,package',
      `INPUT_FLAKE=${fx.small.dir}`,
      'INPUT_VERIFY=auto',
      'INPUT_CACHE=false',
      'INPUT_TASK-ROOT=/var/task',
      `RUNNER_TEMP=${dir}`,
      `GITHUB_WORKSPACE=${fx.small.dir}`,
      `NIX_CONFIG="${NIX_CONFIG_LINES.join('\\n')}"`,
    ].join('\n');
    fs.writeFileSync(path.join(dir, '.env'), `${env}\n`);
    const r = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'local-action'),
      ['.', 'src/action/main.ts', path.join(dir, '.env')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 180_000,
      },
    );
    const out = `${r.stdout}${r.stderr}`;
    expect(r.status, out).toBe(0);
    expect(out).toContain('Loader check passed');
    expect(out).toMatch(/zip-path.*\/nix-lambda\/function\.zip/);
    expect(fs.existsSync(path.join(dir, 'nix-lambda', 'function.zip'))).toBe(true);
  });
});

describe('as the local command', () => {
  it('packages with flags that mirror the inputs and prints the outputs as one JSON object', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const zip = path.join(dir, 'out.zip');
    const r = spawnSync(
      process.execPath,
      [DIST, 'package', '--flake', fx.small.dir, '--zip-path', zip, '--verify', 'true', '--json'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...nixEnv, GITHUB_ACTIONS: '', RUNNER_TEMP: dir },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const { outputs } = JSON.parse(r.stdout) as { outputs: Record<string, unknown> };
    expect(outputs['zip-path']).toBe(zip);
    expect(outputs['architecture']).toBe('x86_64');
    // Values as JSON: numbers and arrays, not strings holding them.
    expect(outputs['zip-bytes']).toBe(fs.statSync(zip).size);
    expect(Array.isArray(outputs['libraries'])).toBe(true);
    expect(outputs['runtime-environment']).toEqual({});
    // The work folder of the run (the patched bundle) is gone, and not named.
    expect(outputs['bundle-dir']).toBeUndefined();
    expect(fs.readdirSync(dir).sort()).toEqual(['out.zip']);
    expect(listZip(zip).map((e) => e.name)).toContain('bootstrap');
    // A plain log, no workflow commands.
    expect(r.stderr).toContain('== package');
    expect(r.stderr).not.toMatch(/::(group|debug|error|warning|notice|set-output)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints a failure as one readable block, and with --json as one object holding the error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const env = { ...process.env, ...nixEnv, GITHUB_ACTIONS: '', RUNNER_TEMP: dir };
    const args = [DIST, 'package', '--flake', fx.multi.dir, '--zip-path', path.join(dir, 'out.zip')];
    const plain = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env });
    expect(plain.status).toBe(1);
    expect(plain.stdout).toBe('');
    expect(plain.stderr).toMatch(
      /\nerror: Program not found\n {2}\/nix\/store\/\S+-multi-hello\/bin holds 2 executables/,
    );
    expect(plain.stderr).not.toContain('%0A');
    const json = spawnSync(process.execPath, [...args, '--json'], { cwd: dir, encoding: 'utf8', env });
    expect(json.status).toBe(1);
    const body = JSON.parse(json.stdout) as { error: { title: string; message: string } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.title).toBe('Program not found');
    expect(body.error.message).toMatch(/holds 2 executables/);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the work folder when asked (--keep), and names it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'));
    const r = spawnSync(
      process.execPath,
      [DIST, 'package', '--flake', fx.small.dir, '--zip-path', path.join(dir, 'out.zip'), '--keep', '--json'],
      {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, ...nixEnv, GITHUB_ACTIONS: '', RUNNER_TEMP: dir },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const { outputs } = JSON.parse(r.stdout) as { outputs: Record<string, string> };
    expect(fs.existsSync(path.join(outputs['bundle-dir']!, 'bootstrap'))).toBe(true);
    expect(r.stderr).toMatch(/Kept the work folder .*nix-lambda-\w+ \(--keep\)/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown flag with the usage text and exit code 2', () => {
    const r = spawnSync(process.execPath, [DIST, 'package', '--flak', '.'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown flag --flak');
    expect(r.stderr).toContain('Usage: nix-lambda <command>');
  });

  it('names the input of a bad flag value, as the action does', () => {
    const r = spawnSync(process.execPath, [DIST, 'package', '--flake', fx.small.dir, '--verify', 'maybe'], {
      encoding: 'utf8',
      env: { ...process.env, ...nixEnv, GITHUB_ACTIONS: '' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Input `verify`: expected one of auto, true, false');
  });

  it("is package.json's bin: `npx nix-lambda` in the clone, `npm exec --prefix` from another folder", () => {
    const inClone = spawnSync('npx', ['--no-install', 'nix-lambda', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(inClone.status, inClone.stderr).toBe(0);
    expect(inClone.stdout).toContain('Usage: nix-lambda <command>');
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-elsewhere-'));
    const r = spawnSync('npm', ['exec', '--prefix', ROOT, '--', 'nix-lambda', '--help'], {
      cwd: elsewhere,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Usage: nix-lambda <command>');
    // With no arguments at all it is still the command (a runner never starts dist/cli.js).
    const bare = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js')], {
      cwd: elsewhere,
      encoding: 'utf8',
    });
    expect(bare.status).toBe(0);
    expect(bare.stdout).toContain('Usage: nix-lambda <command>');
    fs.rmSync(elsewhere, { recursive: true, force: true });
  });
});
