import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFixtures, NIX_CONFIG_LINES } from '../support/nix.js';
import { ROOT, runStep } from '../support/runner.js';

/**
 * The isolated root entered through passwordless sudo, for real: the way a runner that is not root
 * gets in where it may not make user namespaces (Ubuntu 24.04's AppArmor default on GitHub-hosted
 * runners). sudo starts its command with an environment of its own and drops LD_LIBRARY_PATH even
 * when asked to keep it, so the loader check and the local smoke test must bring their variables
 * another way (src/bundle/sudo-env.ts).
 *
 * The checks run from one script bundled with esbuild (the test user may not be able to read the
 * clone, in /root say) on this Node. The test makes a system user for the run (no login shell, no home), gives it passwordless sudo in
 * /etc/sudoers.d, and removes both afterwards; so it runs as root only. An `unshare` wrapper first
 * on its PATH refuses `--user` as such a kernel does, so the sudo attempt is the one that runs.
 */
const canRun =
  process.getuid?.() === 0 &&
  spawnSync('sh', ['-c', 'command -v sudo && command -v useradd && test -x /usr/sbin/runuser'], {
    stdio: 'ignore',
  }).status === 0;

const user = `nlsudo${randomBytes(3).toString('hex')}`;
const sudoers = `/etc/sudoers.d/nix-lambda-test-${user}`;
let dir = '';
let good = '';

function rootFor(name: string, from: string): string {
  const root = path.join(dir, name, 'root');
  fs.mkdirSync(path.dirname(root));
  fs.cpSync(from, root, { recursive: true, verbatimSymlinks: true });
  return root;
}

/** Runs the check script as the test user: the loader check and the local smoke test on `root`. */
function asUser(root: string): {
  loader: { ran: boolean; outside: string[] };
  smoke: { result: string; reason?: string; response?: string };
} {
  execFileSync('chown', ['-R', `${user}:`, path.dirname(root)]);
  const out = execFileSync(
    '/usr/sbin/runuser',
    [
      '-u',
      user,
      '--',
      '/usr/bin/env',
      `PATH=${path.join(dir, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
      `HOME=${dir}`,
      `TMPDIR=${path.join(dir, 'tmp')}`,
      process.execPath,
      path.join(dir, 'check.mjs'),
      root,
    ],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as ReturnType<typeof asUser>;
}

describe.skipIf(!canRun)('the isolated root through sudo (a runner that is not root)', () => {
  beforeAll(async () => {
    // Under /tmp itself, not the run's 0700 TMPDIR, so that the test user can reach it.
    dir = fs.mkdtempSync('/tmp/nix-lambda-sudo-');
    fs.chmodSync(dir, 0o755);
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    fs.writeFileSync(sudoers, `${user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.writeFileSync(
      path.join(dir, 'bin', 'unshare'),
      '#!/bin/sh\ncase " $* " in *" --user "*) echo "unshare: unshare failed: Operation not permitted" >&2; exit 1;; esac\nexec /usr/bin/unshare "$@"\n',
      { mode: 0o755 },
    );
    fs.mkdirSync(path.join(dir, 'tmp'));
    fs.writeFileSync(
      path.join(dir, 'check.mts'),
      `import * as fs from 'node:fs';
import { loaderCheck } from ${JSON.stringify(path.join(ROOT, 'src/bundle/verify.ts'))};
import { runLocalSmokeTest } from ${JSON.stringify(path.join(ROOT, 'src/bundle/smoke.ts'))};
const root = process.argv[2];
const libs = fs.readdirSync(root + '/var/task/lib');
const loader = await loaderCheck(root, '/var/task', 'ld-linux-x86-64.so.2', 'x86_64', 'x86_64', { decoys: libs });
const smoke = await runLocalSmokeTest({
  root, arch: 'x86_64', hostArch: 'x86_64', decoys: libs, payload: '{"via":"sudo"}', expect: undefined, timeoutMs: 20000,
  function: { functionName: 'f', region: 'us-east-1', memoryMb: 128, taskRoot: '/var/task' },
  variables: { QUOTED: "it's" },
});
console.log(JSON.stringify({ loader: { ran: loader.ran, outside: loader.outside }, smoke }));
`,
    );
    // One self-contained script: the test user may not read the clone (in /root, say).
    await build({
      entryPoints: [path.join(dir, 'check.mts')],
      outfile: path.join(dir, 'check.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    execFileSync('chown', ['-R', `${user}:`, path.join(dir, 'tmp')]);
    // The offline example's bundle, as the package stage leaves it.
    const fx = await getFixtures();
    const step = await runStep({
      workspace: fx.deep.dir,
      dir: path.join(dir, 'step'),
      inputs: { stages: 'build,package', flake: '.' },
      env: { NIX_CONFIG: NIX_CONFIG_LINES.join('\n') },
    });
    expect(step.code, step.log).toBe(0);
    good = path.dirname(path.dirname(step.outputs['bundle-dir']!));
  });

  afterAll(() => {
    fs.rmSync(sudoers, { force: true });
    spawnSync('pkill', ['-KILL', '-u', user]);
    spawnSync('userdel', [user]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the loader check and the smoke test get Lambda's variables, and nothing is left running", () => {
    const r = asUser(rootFor('good', good));
    expect(r.loader).toEqual({ ran: true, outside: [] });
    expect(r.smoke.result).toBe('passed');
    expect(r.smoke.response).toContain('"event":{"via":"sudo"}');
    expect(spawnSync('pgrep', ['-f', `${dir}/good`]).status).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'good')).filter((n) => n.startsWith('.sudo-env'))).toEqual([]);
  });

  it('a bundle that loses to LD_LIBRARY_PATH (RUNPATH) fails both, as on Lambda', () => {
    const root = rootFor('runpath', good);
    const bootstrap = path.join(root, 'var', 'task', 'bootstrap');
    execFileSync('patchelf', ['--remove-rpath', bootstrap]);
    execFileSync('patchelf', ['--set-rpath', '/var/task/lib', bootstrap]);
    const r = asUser(root);
    expect(r.loader.ran).toBe(true);
    expect(r.loader.outside).toEqual(expect.arrayContaining(['/lib64/libc.so.6']));
    expect(r.smoke.result).toBe('failed');
    expect(r.smoke.reason).toMatch(/during init/);
  });
});
