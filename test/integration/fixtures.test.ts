import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInLambdaRoot, type LambdaArch, type LambdaRootResult } from '../support/lambda-root.js';
import {
  FIXTURE_NAMES,
  cleanupPreparedFlakes,
  getFixtures,
  nixEnv,
  pathInfo,
  type Fixtures,
} from '../support/nix.js';
import { startRuntimeApi, type RuntimeApi } from '../support/runtime-api.js';

/**
 * The test infrastructure itself: the fixture flakes build into genuinely Nix-shaped (and off-Nix
 * broken) programs, and the Lambda root is hostile the way Lambda is: the blogged naive bundle of
 * the deep (libcurl) fixture fails there, a correctly made one serves Runtime API events.
 */

const exec = promisify(execFile);

interface Elf {
  machine: string;
  interpreter: string | undefined;
  runpath: string | undefined;
  rpath: string | undefined;
  needed: string[];
}

async function readElf(file: string): Promise<Elf> {
  const { stdout } = await exec('readelf', ['-hlWd', file]);
  return {
    machine: /Machine:\s+(.+)/.exec(stdout)?.[1]?.trim() ?? '',
    interpreter: /Requesting program interpreter: ([^\]]+)\]/.exec(stdout)?.[1],
    runpath: /\(RUNPATH\)\s+Library runpath: \[([^\]]*)\]/.exec(stdout)?.[1],
    rpath: /\(RPATH\)\s+Library rpath: \[([^\]]*)\]/.exec(stdout)?.[1],
    needed: [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!),
  };
}

const isLib = (name: string): boolean => /\.so(\.[\w.]+)?$/.test(name);

/** Every shared library in the lib/ of every store path of the closure: name -> file. */
async function closureLibs(outPath: string): Promise<Map<string, string>> {
  const libs = new Map<string, string>();
  for (const { path: p } of await pathInfo(outPath)) {
    const dir = path.join(p, 'lib');
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir))
      if (isLib(name) && !libs.has(name)) libs.set(name, path.join(dir, name));
  }
  return libs;
}

const made: string[] = [];
function tmpDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir, `${dir}.zip`);
  return dir;
}

/** A writable, world-readable copy (store files are read-only). */
function copyIn(src: string, dest: string, mode: number): void {
  fs.copyFileSync(src, dest);
  fs.chmodSync(dest, mode);
}

async function zipDir(dir: string): Promise<string> {
  const zip = `${dir}.zip`;
  await exec('zip', ['-qr', zip, '.'], { cwd: dir });
  return zip;
}

/**
 * The widely blogged recipe: bootstrap + the flat `ldd` list in lib/, relative loader and RPATH on
 * the bootstrap only; the libraries keep their store RUNPATHs.
 */
async function naiveBundle(program: string, libs?: Map<string, string>): Promise<string> {
  const dir = tmpDir('naive-bundle-');
  fs.mkdirSync(path.join(dir, 'lib'));
  copyIn(program, path.join(dir, 'bootstrap'), 0o755);
  let files: string[];
  if (libs) {
    files = [...libs.values()];
  } else {
    const env = nixEnv();
    delete env['LD_LIBRARY_PATH'];
    const { stdout } = await exec('ldd', [program], { env });
    files = [...stdout.matchAll(/=> (\/nix\/store\/\S+) \(0x/g)].map((m) => m[1]!);
    // Debian's ldd lists through the host loader, not the program's: the recipe copies PT_INTERP too.
    const { interpreter } = await readElf(program);
    if (interpreter) files.push(interpreter);
  }
  for (const f of files) copyIn(f, path.join(dir, 'lib', path.basename(f)), 0o755);
  const loader = files.map((f) => path.basename(f)).find((n) => n.startsWith('ld-linux'));
  await exec('patchelf', [
    '--set-interpreter',
    `./lib/${loader ?? 'missing-loader'}`,
    '--set-rpath',
    './lib',
    '--force-rpath',
    path.join(dir, 'bootstrap'),
  ]);
  return zipDir(dir);
}

/**
 * Design (A) of LAMBDA-NOTES.md by hand: absolute loader in /var/task/lib, DT_RPATH $ORIGIN/lib on
 * the bootstrap and DT_RPATH $ORIGIN on every library but the loader (patchelf --force-rpath turns
 * a RUNPATH into an RPATH). Every closure library goes to lib/.
 */
async function goodBundle(program: string, libs: Map<string, string>): Promise<string> {
  const dir = tmpDir('good-bundle-');
  fs.mkdirSync(path.join(dir, 'lib'));
  copyIn(program, path.join(dir, 'bootstrap'), 0o755);
  let loader: string | undefined;
  for (const [name, file] of libs) {
    const dest = path.join(dir, 'lib', name);
    copyIn(file, dest, 0o755);
    if (name.startsWith('ld-linux')) loader = name;
    else await exec('patchelf', ['--set-rpath', '$ORIGIN', '--force-rpath', dest]);
  }
  if (!loader) throw new Error(`no loader among ${[...libs.keys()].join(' ')}`);
  await exec('patchelf', [
    '--set-interpreter',
    `/var/task/lib/${loader}`,
    '--set-rpath',
    '$ORIGIN/lib',
    '--force-rpath',
    path.join(dir, 'bootstrap'),
  ]);
  return zipDir(dir);
}

const LOADER_ERROR =
  /version `[^']+' not found|undefined symbol|cannot open shared object file|loaded the incompatible library/;

function describeRun(r: LambdaRootResult): string {
  return `code=${r.code} signal=${r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

let fx: Fixtures;
const sizes: string[] = [];

beforeAll(async () => {
  fx = await getFixtures();
});

afterAll(() => {
  for (const p of made) fs.rmSync(p, { recursive: true, force: true });
  cleanupPreparedFlakes(); // only what getFixtures() built here, when no globalSetup provided them
  if (sizes.length) console.log(`closure sizes (nix path-info -rS):\n${sizes.join('\n')}`);
});

describe('fixture flakes', () => {
  it('build, each with an output in /nix/store', () => {
    for (const name of FIXTURE_NAMES) {
      expect(fx[name].outPath, name).toMatch(/^\/nix\/store\/[0-9a-z]{32}-/);
      expect(fx[name].drvPath, name).toMatch(/^\/nix\/store\/[0-9a-z]{32}-.*\.drv$/);
      expect(fs.existsSync(path.join(fx[name].dir, 'flake.nix')), name).toBe(true);
    }
  });

  it('link dynamic x86_64 programs against a store loader with a store RUNPATH', async () => {
    const programs = [
      `${fx.small.outPath}/bin/bootstrap`,
      `${fx.deep.outPath}/bin/bootstrap`,
      `${fx.wrapper.outPath}/bin/.bootstrap-wrapped`,
      `${fx.multi.outPath}/bin/alpha`,
      `${fx.multi.outPath}/bin/beta`,
      `${fx.single.outPath}/bin/my-handler`,
    ];
    for (const p of programs) {
      const elf = await readElf(p);
      expect(elf.machine, p).toMatch(/X86-64/);
      expect(elf.interpreter, p).toMatch(/^\/nix\/store\/[^/]+-glibc-[^/]+\/lib\/ld-linux-x86-64\.so\.2$/);
      expect(elf.runpath, p).toMatch(/^\/nix\/store\//);
      expect(elf.rpath, p).toBeUndefined();
    }
    expect((await readElf(`${fx.small.outPath}/bin/bootstrap`)).needed).toContain('libz.so.1');
  });

  it('deep: libcurl reaches its own dependencies only through its store RUNPATH', async () => {
    const program = await readElf(`${fx.deep.outPath}/bin/bootstrap`);
    expect(program.needed).toContain('libcurl.so.4');
    const dirs = program.runpath!.split(':');
    expect(dirs).toHaveLength(2);
    expect(dirs[0]).toMatch(/-curl-[^/]*\/lib$/);
    expect(dirs[1]).toMatch(/-glibc-[^/]*\/lib$/);
    expect(program.runpath).not.toMatch(/curl-deps/);

    const curlLib = path.join(dirs[0]!, 'libcurl.so.4');
    const curl = await readElf(curlLib);
    expect(curl.runpath).toMatch(/^\/nix\/store\/[^/:]+-curl-deps[^/:]*\/lib:/);
    const depsDir = curl.runpath!.split(':')[0]!;
    // Every non-glibc DT_NEEDED of libcurl lives in curl-deps, which carry store RUNPATHs too.
    const glibcDir = dirs[1]!;
    for (const needed of curl.needed) {
      const inDeps = fs.existsSync(path.join(depsDir, needed));
      expect(inDeps || fs.existsSync(path.join(glibcDir, needed)), needed).toBe(true);
      expect(fs.existsSync(path.join(dirs[0]!, needed)), needed).toBe(false);
      if (inDeps)
        expect((await readElf(path.join(depsDir, needed))).runpath, needed).toMatch(/^\/nix\/store\//);
    }
    expect(fs.readdirSync(depsDir)).toEqual(
      expect.arrayContaining(['libssl.so.3', 'libz.so.1', 'libnghttp2.so.14']),
    );
    const { stdout } = await exec(`${fx.deep.outPath}/bin/bootstrap`, ['--version'], { env: {} });
    expect(stdout).toMatch(/^offline-example curl\/\S+ zlib\/\S+ ssl\/\S+/);
  });

  it('static: no interpreter, no dynamic section', async () => {
    const p = `${fx.static.outPath}/bin/bootstrap`;
    const elf = await readElf(p);
    expect(elf.interpreter).toBeUndefined();
    expect(elf.runpath).toBeUndefined();
    expect(elf.needed).toEqual([]);
    expect((await exec('readelf', ['-d', p])).stdout).toMatch(/no dynamic section/);
  });

  it('aarch64: an AArch64 ELF with a store loader and a store RUNPATH to its own library', async () => {
    const elf = await readElf(`${fx.aarch64.outPath}/bin/bootstrap`);
    expect(elf.machine).toMatch(/AArch64/);
    expect(elf.interpreter).toMatch(/^\/nix\/store\/[^/]+\/lib\/ld-linux-aarch64\.so\.1$/);
    expect(elf.needed).toContain('libgreet.so.1');
    const greetDir = elf.runpath!.split(':').find((d) => fs.existsSync(path.join(d, 'libgreet.so.1')));
    expect(greetDir).toMatch(/^\/nix\/store\//);
    const greet = await readElf(path.join(greetDir!, 'libgreet.so.1'));
    expect(greet.machine).toMatch(/AArch64/);
    expect(greet.needed).toContain('libm.so.6');
    expect(greet.runpath).toMatch(/^\/nix\/store\/[^/]+-aarch64-host\/lib$/);
  });

  it('wrapper: bin/bootstrap is a makeWrapper-style script with a store bash', async () => {
    const script = fs.readFileSync(`${fx.wrapper.outPath}/bin/bootstrap`, 'utf8');
    const lines = script.split('\n');
    const shebang = /^#! (\/nix\/store\/[^/]+-bash-[^/]+\/bin\/bash) -e$/.exec(lines[0] ?? '');
    expect(shebang, script).not.toBeNull();
    expect(lines[1]).toBe("export FOO='bar'");
    expect(lines[2]).toBe(`exec -a "$0" "${fx.wrapper.outPath}/bin/.bootstrap-wrapped" "$@"`);
    const bash = await readElf(shebang![1]!);
    expect(bash.interpreter).toMatch(/^\/nix\/store\//);
    expect(bash.runpath).toMatch(/^\/nix\/store\//);
    const { stdout } = await exec(`${fx.wrapper.outPath}/bin/bootstrap`, ['x'], { env: {} });
    expect(stdout).toBe(`wrapped: argv0=${fx.wrapper.outPath}/bin/bootstrap argc=2 FOO=bar\n`);
  });

  it('multi has two executables and no bootstrap; single only my-handler', () => {
    expect(fs.readdirSync(`${fx.multi.outPath}/bin`).sort()).toEqual(['alpha', 'beta']);
    expect(fs.readdirSync(`${fx.single.outPath}/bin`)).toEqual(['my-handler']);
  });

  it('closure sizes', async () => {
    for (const name of FIXTURE_NAMES) {
      const infos = await pathInfo(fx[name].outPath);
      const self = infos.find((i) => i.path === fx[name].outPath)!;
      const libs = await closureLibs(fx[name].outPath);
      sizes.push(`${name}: ${infos.length} store paths, ${libs.size} libraries, ${self.closureSize} bytes`);
      expect(self.closureSize).toBe(infos.reduce((n, i) => n + i.narSize, 0));
    }
    expect((await closureLibs(fx.deep.outPath)).size).toBeGreaterThan(
      (await closureLibs(fx.small.outPath)).size,
    );
  });
});

describe('runInLambdaRoot is as hostile as Lambda', () => {
  let api: RuntimeApi;
  beforeAll(async () => {
    api = await startRuntimeApi();
  });
  afterAll(async () => {
    await api.close();
  });

  it('a bootstrap that still points into /nix/store does not start', async () => {
    const dir = tmpDir('store-bundle-');
    copyIn(`${fx.deep.outPath}/bin/bootstrap`, path.join(dir, 'bootstrap'), 0o755);
    const r = await runInLambdaRoot(await zipDir(dir), { args: ['--version'] });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.stderr).toMatch(/No such file or directory/);
  });

  it('the naive bundle of the deep fixture fails (libcurl dependencies come from /lib64)', async () => {
    const zip = await naiveBundle(`${fx.deep.outPath}/bin/bootstrap`);
    const r = await runInLambdaRoot(zip, { args: ['--version'] });
    expect(r.code, describeRun(r)).not.toBe(0);
    expect(r.code, describeRun(r)).not.toBeNull();
    expect(r.stderr).toMatch(LOADER_ERROR);
    expect(r.stdout).toBe('');
    // Control: the same zip in a root without decoys runs, so the failure is the search order.
    const friendly = await runInLambdaRoot(zip, { args: ['--version'], decoys: false });
    expect(friendly.code, describeRun(friendly)).toBe(0);
    expect(friendly.stdout).toMatch(/^offline-example curl\//);
  });

  it('a correctly made deep bundle runs --version and serves two Runtime API events', async () => {
    const zip = await goodBundle(`${fx.deep.outPath}/bin/bootstrap`, await closureLibs(fx.deep.outPath));
    const v = await runInLambdaRoot(zip, { args: ['--version'] });
    expect(v.code, describeRun(v)).toBe(0);
    expect(v.stdout).toMatch(/^offline-example curl\/\S+ zlib\/\S+ ssl\/\S+\n$/);

    const abort = new AbortController();
    const running = runInLambdaRoot(zip, {
      env: { AWS_LAMBDA_RUNTIME_API: api.address },
      signal: abort.signal,
      timeoutMs: 60_000,
    });
    const died = running.then((r) => {
      throw new Error(`bootstrap exited while serving: ${describeRun(r)}`);
    });
    died.catch(() => undefined); // observed through the races below
    const first = await Promise.race([api.invoke({ n: 1, text: 'hello' }), died]);
    // Over 1 KiB, so curl's POST of the echo carries `Expect: 100-continue`.
    const pad = 'x'.repeat(4096);
    const second = await Promise.race([api.invoke([2, { nested: true, pad }]), died]);
    const failed = await Promise.race([
      api.invoke({ fail: 'please' }).then(
        () => 'resolved',
        (e: unknown) => String(e),
      ),
      died,
    ]);
    abort.abort();
    const r = await running;

    const one = JSON.parse(first.body) as { requestId: string; event: unknown; curl: string; zlib: string };
    const two = JSON.parse(second.body) as { requestId: string; event: unknown };
    expect(one.event).toEqual({ n: 1, text: 'hello' });
    expect(one.requestId).toBe(first.requestId);
    expect(one.curl).toMatch(/^\d+\.\d+/);
    expect(one.zlib).toMatch(/^\d+\.\d+/);
    expect(two.event).toEqual([2, { nested: true, pad }]);
    expect(two.requestId).toBe(second.requestId);
    expect(failed).toMatch(/invocation error/);
    expect(api.errors).toHaveLength(1);
    expect(api.errors[0]).toMatchObject({ kind: 'invocation' });
    expect(JSON.parse(api.errors[0]!.body)).toMatchObject({ errorType: 'ExampleError' });
    const posts = api.requests.filter((q) => q.startsWith('POST'));
    expect(posts).toEqual([
      `POST /2018-06-01/runtime/invocation/${first.requestId}/response`,
      `POST /2018-06-01/runtime/invocation/${second.requestId}/response`,
      expect.stringMatching(/^POST \/2018-06-01\/runtime\/invocation\/[^/]+\/error$/),
    ]);
    // Three GETs were answered; a fourth may or may not have been sent before the abort.
    const gets = api.requests.filter((q) => q === 'GET /2018-06-01/runtime/invocation/next').length;
    expect(gets).toBeGreaterThanOrEqual(3);
    expect(gets).toBeLessThanOrEqual(4);
    expect(r.aborted).toBe(true);
    expect(r.stdout).toMatch(/^bootstrap: serving 127\.0\.0\.1:\d+/);
  });

  it('the static fixture runs as is', async () => {
    const dir = tmpDir('static-bundle-');
    copyIn(`${fx.static.outPath}/bin/bootstrap`, path.join(dir, 'bootstrap'), 0o755);
    const r = await runInLambdaRoot(await zipDir(dir), { args: ['a'] });
    expect(r.code, describeRun(r)).toBe(0);
    expect(r.stdout).toBe('static: argv0=/var/task/bootstrap argc=2 FOO=(unset)\n');
  });

  const arch: LambdaArch = 'arm64';
  it('the aarch64 fixture runs under qemu when bundled correctly, and its naive bundle fails', async () => {
    const libs = await closureLibs(fx.aarch64.outPath);
    expect([...libs.keys()]).toContain('libgreet.so.1');
    const good = await runInLambdaRoot(await goodBundle(`${fx.aarch64.outPath}/bin/bootstrap`, libs), {
      arch,
      args: ['9'],
    });
    expect(good.code, describeRun(good)).toBe(0);
    expect(good.stdout).toBe('aarch64: libgreet sqrt(9)=3.000000\n');

    // libgreet keeps its store RUNPATH: its libm.so.6 comes from the (arm64) decoy in /lib64.
    const naive = await runInLambdaRoot(await naiveBundle(`${fx.aarch64.outPath}/bin/bootstrap`, libs), {
      arch,
      args: ['9'],
    });
    expect(naive.code, describeRun(naive)).not.toBe(0);
    expect(naive.stderr).toMatch(LOADER_ERROR);
  });
});
