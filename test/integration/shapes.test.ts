import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/bundle/elf.js';
import { loaderCheck } from '../../src/bundle/verify.js';
import { listZip } from '../../src/zip/read.js';
import { runInLambdaRoot, type LambdaArch } from '../support/lambda-root.js';
import { getFixtures, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import { runStep, type StepResult } from '../support/runner.js';
import { startRuntimeApi } from '../support/runtime-api.js';

/**
 * The shapes real nixpkgs outputs take (test/fixtures/flakes/shapes.nix, issue 11), each built by
 * real Nix, packaged by dist/index.js run as a runner runs it, and then asked for an event by a
 * local Runtime API from the Lambda-faithful root: the zip unpacked at /var/task, Lambda's
 * environment and LD_LIBRARY_PATH, decoys under every bundled soname in /lib64 and /usr/lib64.
 */

let fx: Fixtures;
const temps: string[] = [];
beforeAll(async () => {
  fx = await getFixtures();
});
afterAll(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function packageShape(name: keyof Fixtures, inputs: Record<string, string> = {}): Promise<StepResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `shape-${name}-`));
  temps.push(dir);
  return runStep({
    workspace: fx[name].dir,
    dir,
    inputs: {
      stages: 'build,package',
      flake: '.',
      verify: 'true',
      'zip-path': path.join(dir, 'function.zip'),
      ...inputs,
    },
    env: { NIX_CONFIG: NIX_CONFIG_LINES.join('\n') },
  });
}

/** Serves one event from the faithful root with the variables the deploy stage would set; returns the response. */
async function serve(step: StepResult, arch: LambdaArch = 'x86_64'): Promise<Record<string, unknown>> {
  const api = await startRuntimeApi();
  const stop = new AbortController();
  const env = JSON.parse(step.outputs['runtime-environment'] ?? '{}') as Record<string, string>;
  const running = runInLambdaRoot(step.outputs['zip-path']!, {
    arch,
    env: { AWS_LAMBDA_RUNTIME_API: api.address, ...env },
    signal: stop.signal,
    timeoutMs: 120_000,
  });
  try {
    const exited = running.then((r) => {
      throw new Error(`bootstrap exited (${r.code ?? r.signal}) before answering:\n${r.stderr}`);
    });
    const res = await Promise.race([api.invoke({ hello: 'lambda' }, { timeoutMs: 60_000 }), exited]);
    return JSON.parse(res.body) as Record<string, unknown>;
  } finally {
    stop.abort();
    await running.catch(() => undefined);
    await api.close();
  }
}

const names = (step: StepResult): string[] => listZip(step.outputs['zip-path']!).map((e) => e.name);

describe('bin/bootstrap is a symlink into another store path, its libraries found through $ORIGIN', () => {
  it.each([
    ['symlinked', 'x86_64'],
    ['symlinked-aarch64', 'arm64'],
  ] as const)(
    '%s: bundles the private library folder and its helper, and serves an event',
    async (fixture, arch) => {
      const step = await packageShape(fixture);
      expect(step.code, step.log).toBe(0);
      expect(step.outputs['architecture']).toBe(arch);
      expect(names(step)).toEqual(
        expect.arrayContaining(['bootstrap', 'lib/libpriv.so.1', 'lib/libhelper.so.1']),
      );
      // libhelper is reached through $ORIGIN/../helper from inside a symlinked folder: `..` taken as the kernel takes it.
      expect(step.log).toMatch(
        /lib\/libhelper\.so\.1 .*-symlinked-real(-aarch64)?\/bin\/\.\.\/lib\/private\/\.\.\/helper\/libhelper\.so\.1/,
      );
      expect(await serve(step, arch)).toEqual({ shape: 'symlinked', message: 'priv+helper' });
    },
  );
});

describe('libraries loaded with dlopen', () => {
  it.each([
    ['dlopen', 'x86_64'],
    ['dlopen-aarch64', 'arm64'],
  ] as const)(
    '%s: bundles the dlopen folder and the names in the strings, says why, and serves an event',
    async (fixture, arch) => {
      const step = await packageShape(fixture);
      expect(step.code, step.log).toBe(0);
      const files = names(step);
      expect(files).toEqual(
        expect.arrayContaining([
          'lib/libplugin.so.1',
          'lib/libplugin-extra.so.1',
          'lib/libhelper.so.1',
          'lib/libnamed.so.3',
          'lib/libneeded.so.1',
        ]),
      );
      // The C library's own folder drags nothing in.
      expect(files.filter((f) => f.startsWith('lib/') && !f.endsWith('/')).sort()).toEqual(
        [
          'lib/libc.so.6',
          'lib/libgcc_s.so.1',
          'lib/libhelper.so.1',
          'lib/libnamed.so.3',
          'lib/libneeded.so.1',
          'lib/libplugin-extra.so.1',
          'lib/libplugin.so.1',
          arch === 'arm64' ? 'lib/ld-linux-aarch64.so.1' : 'lib/ld-linux-x86-64.so.2',
        ].sort(),
      );
      // Why each is there: in the log and in the job summary.
      expect(step.log).toMatch(
        /lib\/libplugin\.so\.1 .*a RUNPATH folder of bootstrap that supplies no DT_NEEDED library \(dlopen\)/,
      );
      expect(step.log).toMatch(/lib\/libnamed\.so\.3 .*named in the strings of bootstrap \(dlopen by name\)/);
      expect(step.summary).toContain(
        'a RUNPATH folder of bootstrap that supplies no DT_NEEDED library (dlopen)',
      );
      expect(step.summary).toContain('named in the strings of bootstrap (dlopen by name)');
      // The loader check listed them (--preload) among the decoys.
      expect(step.log).toMatch(/Loader check passed: \d+ objects \(with 4 dlopen libraries\)/);
      expect(await serve(step, arch)).toEqual({
        shape: 'dlopen',
        plugin: 'plugin+helper',
        named: 'named',
        needed: 'needed',
      });
    },
  );

  it('exclude-libraries leaves a dlopen library out (and the function then fails to load it, as asked)', async () => {
    const step = await packageShape('dlopen', { 'exclude-libraries': 'libplugin*' });
    expect(step.code, step.log).toBe(0);
    expect(names(step)).not.toContain('lib/libplugin.so.1');
    expect(step.log).toContain('Not bundled (input exclude-libraries): libplugin.so.1');
    const res = await serve(step);
    expect(res['error']).toMatch(/dlopen libplugin\.so\.1: libplugin\.so\.1: cannot open shared object file/);
  });

  it('exclude-libraries cannot leave out a library the program needs to start', async () => {
    const step = await packageShape('dlopen', { 'exclude-libraries': 'libneeded.so.1' });
    expect(step.code).toBe(1);
    expect(step.stdout).toMatch(
      /::error title=Cannot exclude a needed library::Input `exclude-libraries` names libraries the program needs to start: libneeded\.so\.1 \(DT_NEEDED of bootstrap\)/,
    );
    expect(step.outputs['zip-path']).toBeUndefined();
  });
});

describe('store paths baked into the program: gconv modules and time zone data', () => {
  it('bundles both (auto), points GCONV_PATH and TZDIR at them, and serves an event', async () => {
    const step = await packageShape('baked');
    expect(step.code, step.log).toBe(0);
    expect(JSON.parse(step.outputs['runtime-environment']!)).toEqual({
      GCONV_PATH: '/var/task/lib/gconv',
      TZDIR: '/var/task/share/zoneinfo',
      ZONEINFO: '/var/task/share/zoneinfo',
    });
    const files = names(step);
    expect(files).toEqual(
      expect.arrayContaining([
        'lib/gconv/gconv-modules',
        'lib/gconv/ISO8859-15.so',
        'share/zoneinfo/Europe/Paris',
      ]),
    );
    // The gconv modules are ELF objects: patched like libraries, nothing left pointing into the store.
    const zipDir = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-baked-unzip-'));
    temps.push(zipDir);
    execFileSync('unzip', ['-q', step.outputs['zip-path']!, 'lib/gconv/ISO8859-15.so', '-d', zipDir]);
    const mod = readElf(fs.readFileSync(path.join(zipDir, 'lib/gconv/ISO8859-15.so')));
    expect(mod).toMatchObject({ rpath: '$ORIGIN:$ORIGIN/..', runpath: undefined });
    expect(step.log).toMatch(
      /Bundling time zone data from \/nix\/store\/[a-z0-9]{32}-tzdata-host\/share\/zoneinfo as share\/zoneinfo \(bootstrap references it\)/,
    );
    expect(step.summary).toContain('### Store paths named in the bundle');
    expect(step.stdout).not.toContain('::warning');
    expect(await serve(step)).toEqual({ shape: 'baked', euro: '€', zone: 'CET', offset: 3600 });
  });

  it('with bundle-data: none, warns naming the file, the path and the fix (and the function would break)', async () => {
    const step = await packageShape('baked', { 'bundle-data': 'none' });
    expect(step.code, step.log).toBe(0);
    const warning = step.stdout
      .split('\n')
      .find((l) => l.startsWith('::warning title=Store paths baked into bootstrap::'));
    expect(warning, step.stdout).toBeDefined();
    const text = decodeURIComponent(warning!.replace(/%0A/g, '\n'));
    expect(text).toMatch(
      /\/nix\/store\/[a-z0-9]{32}-glibc-2\.36-gconv-host\/lib\/gconv: glibc's iconv conversion modules, not bundled\. Fix: add `gconv` to the input bundle-data\./,
    );
    expect(text).toMatch(
      /\/nix\/store\/[a-z0-9]{32}-tzdata-host\/share\/zoneinfo: time zone data, not bundled\. Fix: add `tzdata` to the input bundle-data\./,
    );
    expect(names(step).some((n) => n.startsWith('share/zoneinfo/'))).toBe(false);
    expect(await serve(step)).toEqual({ shape: 'baked', euro: 'no iconv', zone: 'Europe', offset: 0 });
  });
});

describe('a dynamically linked musl program', () => {
  it('names its libraries by absolute path (musl searches LD_LIBRARY_PATH first) and serves an event', async () => {
    const step = await packageShape('musl');
    expect(step.code, step.log).toBe(0);
    const bundle = step.outputs['bundle-dir']!;
    const boot = readElf(fs.readFileSync(path.join(bundle, 'bootstrap')));
    expect(boot).toMatchObject({
      interp: '/var/task/lib/ld-musl-x86_64.so.1',
      needed: ['/var/task/lib/libgreet.so.1', 'libc.so'],
      rpath: '$ORIGIN/lib',
    });
    expect(step.log).toMatch(
      /Loader check passed: 3 objects, all from \/var\/task, none from the decoys in \/lib64/,
    );
    expect(await serve(step)).toEqual({ shape: 'musl', greet: 'greet from musl' });
  });
});

describe('an ELF program bundled with include', () => {
  it('gets the bundled loader and a search path to lib/, its library bundled, and runs', async () => {
    const step = await packageShape('include', { include: 'bin/helper:helper' });
    expect(step.code, step.log).toBe(0);
    expect(names(step)).toEqual(expect.arrayContaining(['helper', 'lib/libhelper.so.1']));
    const helper = readElf(fs.readFileSync(path.join(step.outputs['bundle-dir']!, 'helper')));
    expect(helper).toMatchObject({
      interp: '/var/task/lib/ld-linux-x86-64.so.2',
      rpath: '$ORIGIN/lib',
      runpath: undefined,
    });
    expect(step.log).toMatch(/Loader check passed: \d+ objects \(with 1 included program\)/);
    expect(await serve(step)).toEqual({ shape: 'include', helper: 'helper-ok:helper', status: 0 });
  });
});

describe('the loader check reproduces Lambda: a library that loses to LD_LIBRARY_PATH fails it', () => {
  function copyBundle(step: StepResult): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'shape-check-'));
    temps.push(root);
    fs.cpSync(step.outputs['bundle-dir']!, path.join(root, 'var', 'task'), { recursive: true });
    return root;
  }

  it('glibc: a dlopen library whose search path is a RUNPATH again loads its dependency from /lib64', async () => {
    const step = await packageShape('dlopen');
    expect(step.code, step.log).toBe(0);
    const root = copyBundle(step);
    const plugin = path.join(root, 'var/task/lib/libplugin.so.1');
    fs.chmodSync(plugin, 0o755);
    execFileSync('patchelf', ['--set-rpath', '$ORIGIN', plugin]); // without --force-rpath: DT_RUNPATH
    const libs = fs.readdirSync(path.join(root, 'var/task/lib'));
    const ok = await loaderCheck(root, '/var/task', 'ld-linux-x86-64.so.2', 'x86_64', 'x86_64', {
      preload: ['/var/task/lib/libplugin.so.1'],
      decoys: libs,
    });
    expect(ok.ran).toBe(true);
    expect(ok.outside).toEqual(['/lib64/libhelper.so.1']);
  });

  it('musl: a bare DT_NEEDED name loads the decoy from /lib64', async () => {
    const step = await packageShape('musl');
    expect(step.code, step.log).toBe(0);
    const root = copyBundle(step);
    const boot = path.join(root, 'var/task/bootstrap');
    fs.chmodSync(boot, 0o755);
    execFileSync('patchelf', ['--replace-needed', '/var/task/lib/libgreet.so.1', 'libgreet.so.1', boot]);
    const r = await loaderCheck(root, '/var/task', 'ld-musl-x86_64.so.1', 'x86_64', 'x86_64', {
      decoys: ['libgreet.so.1'],
    });
    expect(r.ran).toBe(true);
    expect(r.outside).toEqual(['/lib64/libgreet.so.1']);
    expect(r.problems.join('\n')).toMatch(/greet_message: symbol not found/);
  });
});
