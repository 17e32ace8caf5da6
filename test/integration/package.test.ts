import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/bundle/elf.js';
import { listZip } from '../../src/zip/read.js';
import { runInLambdaRoot } from '../support/lambda-root.js';
import { getFixtures, type Fixtures } from '../support/nix.js';
import { runPipeline, type PipelineRun } from '../support/pipeline.js';
import { startRuntimeApi } from '../support/runtime-api.js';

/**
 * The package stage on real Nix-built fixtures: every x86_64 zip must run in a
 * Lambda-like root (empty but for the bundle, Lambda's LD_LIBRARY_PATH, and a
 * /lib64 of incompatible libraries under the same sonames).
 */

let fx: Fixtures;
beforeAll(async () => {
  fx = await getFixtures();
});

async function pack(name: keyof Fixtures, inputs: Record<string, string> = {}): Promise<PipelineRun> {
  const dir = fx[name].dir;
  return runPipeline(
    { stages: 'install,build,package', flake: '.', verify: 'true', ...inputs },
    { workspace: dir },
  );
}

function okRun(r: PipelineRun): PipelineRun {
  if (r.error !== undefined) throw new Error(`pipeline failed:\n${r.log}`);
  return r;
}

const runs: PipelineRun[] = [];
afterAll(() => {
  for (const r of runs) fs.rmSync(r.tempDir, { recursive: true, force: true });
});

describe('package stage on the small fixture (glibc + zlib)', () => {
  let r: PipelineRun;
  beforeAll(async () => {
    r = okRun(await pack('small'));
    runs.push(r);
  });

  it('sets the outputs', () => {
    const o = r.outputs;
    expect(o.get('store-path')).toBe(fx.small.outPath);
    expect(o.get('program-path')).toBe(`${fx.small.outPath}/bin/bootstrap`);
    expect(o.get('architecture')).toBe('x86_64');
    expect(o.get('nix-version')).toMatch(/^\d+\.\d+/);
    const zip = o.get('zip-path')!;
    expect(fs.statSync(zip).size).toBe(Number(o.get('zip-bytes')));
    const sha = execFileSync('sha256sum', [zip], { encoding: 'utf8' }).split(' ')[0]!;
    expect(o.get('zip-sha256')).toBe(Buffer.from(sha, 'hex').toString('base64'));
    const libs = JSON.parse(o.get('libraries')!) as { soname: string; storePath: string; bytes: number }[];
    expect(libs.map((l) => l.soname).sort()).toEqual([
      'ld-linux-x86-64.so.2',
      'libc.so.6',
      'libgcc_s.so.1',
      'libz.so.1',
    ]);
    for (const l of libs) expect(l.storePath).toMatch(/^\/nix\/store\/[a-z0-9]{32}-/);
    const listed = listZip(zip).filter((e) => !e.isDirectory);
    expect(Number(o.get('unzipped-bytes'))).toBe(listed.reduce((n, e) => n + e.size, 0));
  });

  it('patches the copies, not the store', () => {
    const bundle = r.outputs.get('bundle-dir')!;
    const boot = readElf(fs.readFileSync(path.join(bundle, 'bootstrap')));
    expect(boot.interp).toBe('/var/task/lib/ld-linux-x86-64.so.2');
    expect(boot.rpath).toBe('$ORIGIN/lib');
    expect(boot.runpath).toBeUndefined();
    const original = readElf(fs.readFileSync(`${fx.small.outPath}/bin/bootstrap`));
    expect(original.interp).toMatch(/^\/nix\/store\//);
    expect(original.runpath).toMatch(/\/nix\/store\//);
    for (const f of fs.readdirSync(path.join(bundle, 'lib'))) {
      const e = readElf(fs.readFileSync(path.join(bundle, 'lib', f)), f);
      expect(e.runpath, f).toBeUndefined();
      expect(e.rpath ?? '', f).not.toContain('/nix/store');
    }
    expect(r.log).toMatch(/Loader check passed/);
  });

  it('writes bootstrap 0755 with Unix attributes and everything world-readable', () => {
    const entries = listZip(r.outputs.get('zip-path')!);
    const boot = entries.find((e) => e.name === 'bootstrap')!;
    expect(boot.mode & 0o777).toBe(0o755);
    for (const e of entries) expect(e.mode & 0o444, e.name).toBe(0o444);
    for (const e of entries) expect(e.mode & 0o022, e.name).toBe(0);
  });

  it('runs in the Lambda-like root', async () => {
    const res = await runInLambdaRoot(r.outputs.get('zip-path')!);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toMatch(/^zlib \d+\.\d+\.\d+/);
  });

  it('gives the same zip bytes when the same build is packaged again', async () => {
    const again = okRun(await pack('small'));
    runs.push(again);
    expect(again.outputs.get('zip-sha256')).toBe(r.outputs.get('zip-sha256'));
    expect(
      fs.readFileSync(again.outputs.get('zip-path')!).equals(fs.readFileSync(r.outputs.get('zip-path')!)),
    ).toBe(true);
  });
});

describe('package stage on the deep fixture (libcurl whose deps are reachable only through its RUNPATH)', () => {
  let r: PipelineRun;
  beforeAll(async () => {
    r = okRun(await pack('deep'));
    runs.push(r);
  });

  it('bundles the whole closure, including what only libcurl RUNPATH reaches', () => {
    const libs = (JSON.parse(r.outputs.get('libraries')!) as { soname: string; storePath: string }[]).map(
      (l) => l.soname,
    );
    expect(libs).toContain('libcurl.so.4');
    expect(libs).toContain('libssl.so.3');
    expect(libs).toContain('libnghttp2.so.14');
    expect(libs.length).toBeGreaterThan(25);
  });

  it('serves events through the Runtime API from the Lambda-like root', async () => {
    const api = await startRuntimeApi();
    const abort = new AbortController();
    const running = runInLambdaRoot(r.outputs.get('zip-path')!, {
      env: { AWS_LAMBDA_RUNTIME_API: api.address },
      signal: abort.signal,
      timeoutMs: 60_000,
    });
    try {
      const first = await api.invoke({ hello: 'world' });
      const second = await api.invoke({ n: 2 });
      expect(first.body).toContain('world');
      expect(second.body).toContain('"n":2');
      expect(api.errors).toEqual([]);
    } finally {
      abort.abort();
      await running;
      await api.close();
    }
  });
});

describe('package stage on other fixtures', () => {
  it('packages a static program as it is, with no lib/', async () => {
    const r = okRun(await pack('static'));
    runs.push(r);
    const names = listZip(r.outputs.get('zip-path')!).map((e) => e.name);
    expect(names).toEqual(['bootstrap']);
    const bytes = fs.readFileSync(path.join(r.outputs.get('bundle-dir')!, 'bootstrap'));
    expect(bytes.equals(fs.readFileSync(`${fx.static.outPath}/bin/bootstrap`))).toBe(true);
    const res = await runInLambdaRoot(r.outputs.get('zip-path')!);
    expect(res.code).toBe(0);
    expect(r.log).toMatch(/statically linked/);
  });

  it('packages an aarch64 program on x86_64, which runs under qemu in the root', async () => {
    const r = okRun(await pack('aarch64', { verify: 'auto' }));
    runs.push(r);
    expect(r.outputs.get('architecture')).toBe('arm64');
    const names = listZip(r.outputs.get('zip-path')!).map((e) => e.name);
    expect(names).toContain('lib/ld-linux-aarch64.so.1');
    expect(names).toContain('lib/libgreet.so.1');
    const boot = readElf(fs.readFileSync(path.join(r.outputs.get('bundle-dir')!, 'bootstrap')));
    expect(boot.interp).toBe('/var/task/lib/ld-linux-aarch64.so.1');
    const res = await runInLambdaRoot(r.outputs.get('zip-path')!, { arch: 'arm64' });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('aarch64: libgreet sqrt(2)=1.414214');
  });

  it('takes the only executable in bin/ when there is no bin/bootstrap', async () => {
    const r = okRun(await pack('single'));
    runs.push(r);
    expect(r.outputs.get('program-path')).toBe(`${fx.single.outPath}/bin/my-handler`);
    expect(listZip(r.outputs.get('zip-path')!).map((e) => e.name)).toContain('bootstrap');
  });

  it('lists bin/ when it holds several executables and no bootstrap', async () => {
    const r = await pack('multi');
    runs.push(r);
    expect(r.error).toBeDefined();
    expect(r.log).toMatch(/holds 2 executables \(alpha, beta\).*set `program`/);
    expect(r.outputs.has('zip-path')).toBe(false);
  });

  it('refuses a Nix wrapper script, naming the wrapped program', async () => {
    const r = await pack('wrapper');
    runs.push(r);
    expect(r.error).toBeDefined();
    expect(r.log).toMatch(/Nix wrapper/);
    expect(r.log).toMatch(/wraps \/nix\/store\/[a-z0-9]{32}-[^ ]+\/bin\/\.bootstrap-wrapped/);
    expect(r.log).toMatch(/program: bin\/\.bootstrap-wrapped/);
    expect(r.log).toMatch(/FOO/);
  });

  it('bundles the wrapped program when told to', async () => {
    const r = okRun(await pack('wrapper', { program: 'bin/.bootstrap-wrapped' }));
    runs.push(r);
    const res = await runInLambdaRoot(r.outputs.get('zip-path')!);
    expect(res.code).toBe(0);
  });

  it('adds include files from the output and from the closure', async () => {
    const glibc = JSON.parse(okRun(await pack('small')).outputs.get('libraries')!) as {
      soname: string;
      storePath: string;
    }[];
    const glibcPath = glibc.find((l) => l.soname === 'libc.so.6')!.storePath;
    const r = okRun(
      await pack('small', {
        include: `bin/bootstrap:share/copy-of-bootstrap\n${glibcPath}/lib/libm.so.6:data/libm`,
      }),
    );
    runs.push(r);
    const names = listZip(r.outputs.get('zip-path')!).map((e) => e.name);
    expect(names).toContain('share/copy-of-bootstrap');
    expect(names).toContain('data/libm');
  });

  it('refuses an include outside the closure', async () => {
    const r = await pack('small', { include: `${fx.static.outPath}/bin/bootstrap:x` });
    runs.push(r);
    expect(r.error).toBeDefined();
    expect(r.log).toMatch(/`include`: .* is not in the build's runtime closure/);
  });

  it('names a missing flake attribute', async () => {
    const r = await pack('small', { flake: '.#nope' });
    runs.push(r);
    expect(r.error).toBeDefined();
    expect(r.log).toMatch(/Input `flake`: ".#nope" does not provide attribute/);
  });
});

describe('data files a relocated program needs (issue 8)', () => {
  it("bundles the closure's CA certificates and a locale folder, and records the variables", async () => {
    const closure = execFileSync('nix', ['path-info', '-r', fx.certs.outPath], { encoding: 'utf8' }).split(
      '\n',
    );
    const locales = closure.find((p) => p.endsWith('-glibc-locales-host'))!;
    const r = okRun(
      await pack('certs', { 'bundle-certificates': 'true', include: `${locales}/lib/locale:lib/locale` }),
    );
    runs.push(r);
    const env = r.ctx!.package!.runtimeEnv;
    expect(env).toEqual({
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      NIX_SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      LOCPATH: '/var/task/lib/locale',
    });
    const names = listZip(r.outputs.get('zip-path')!).map((e) => e.name);
    expect(names).toContain('etc/ssl/certs/ca-bundle.crt');
    expect(names).toContain('lib/locale/C.utf8/LC_CTYPE');
    // In the Lambda-like root the store defaults do not exist; with the recorded variables it works.
    const without = await runInLambdaRoot(r.outputs.get('zip-path')!);
    expect(without.code).not.toBe(0);
    const withEnv = await runInLambdaRoot(r.outputs.get('zip-path')!, { env });
    expect(withEnv.stdout).toMatch(
      /^certs=[1-9]\d* ca=\/var\/task\/etc\/ssl\/certs\/ca-bundle.crt locale=ok/,
    );
    expect(withEnv.code).toBe(0);
  });

  it('refuses bundle-certificates when the closure holds no CA bundle, saying how to fix it', async () => {
    const r = await pack('small', { 'bundle-certificates': 'true' });
    runs.push(r);
    expect(r.error).toBeDefined();
    expect(r.log).toMatch(
      /Input `bundle-certificates`: no store path of the build's runtime closure holds a CA bundle/,
    );
    expect(r.log).toMatch(/cacert/);
  });
});
