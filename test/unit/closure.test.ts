import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveClosure } from '../../src/closure.js';

/**
 * The resolver against small gcc-built objects in a fake store, one case per
 * rule of glibc's search order (ld.so(8)).
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'closure-'));
const src = path.join(root, 'src');
const d = (name: string): string => {
  const p = path.join(root, name);
  fs.mkdirSync(p, { recursive: true });
  return p;
};

function cc(args: string[]): void {
  execFileSync('gcc', args, { cwd: src, stdio: 'pipe' });
}

/** A shared library with SONAME name in dir, depending on deps (linked from their dirs), with an optional path. */
function lib(
  dir: string,
  name: string,
  deps: { name: string; dir: string }[],
  runpath?: string,
  rpath?: string,
): void {
  const c = path.join(src, `${name}.c`);
  fs.writeFileSync(c, `int ${name.replace(/\W/g, '_')}(void){return 1;}\n`);
  const args = [
    '-shared',
    '-fPIC',
    '-o',
    path.join(dir, name),
    c,
    `-Wl,-soname,${name}`,
    '-Wl,--no-as-needed',
  ];
  for (const dep of deps) args.push(`-L${dep.dir}`, `-l:${dep.name}`);
  if (runpath !== undefined) args.push('-Wl,--enable-new-dtags', `-Wl,-rpath,${runpath}`);
  if (rpath !== undefined) args.push('-Wl,--disable-new-dtags', `-Wl,-rpath,${rpath}`);
  cc(args);
}

function exe(
  out: string,
  deps: { name: string; dir: string }[],
  opts: { runpath?: string; rpath?: string } = {},
): void {
  const c = path.join(src, 'main.c');
  fs.writeFileSync(c, 'int main(void){return 0;}\n');
  const args = ['-o', out, c, '-Wl,--no-as-needed'];
  for (const dep of deps) args.push(`-L${dep.dir}`, `-l:${dep.name}`);
  if (opts.runpath !== undefined) args.push('-Wl,--enable-new-dtags', `-Wl,-rpath,${opts.runpath}`);
  if (opts.rpath !== undefined) args.push('-Wl,--disable-new-dtags', `-Wl,-rpath,${opts.rpath}`);
  cc(args);
}

let A: string, B: string, C: string, W: string, bin: string, glibc: string;
/** Every object here needs libc.so.6: a copy in its own store path, as a Nix closure has. */
let closure: string[];
beforeAll(() => {
  fs.mkdirSync(src, { recursive: true });
  glibc = d('store/gggg-glibc/lib');
  for (const f of ['ld-linux-x86-64.so.2', 'libc.so.6', 'libgcc_s.so.1'])
    fs.copyFileSync(fs.realpathSync(`/lib/x86_64-linux-gnu/${f}`), path.join(glibc, f));
  closure = [path.dirname(glibc)];
  A = d('store/aaaa-liba/lib');
  B = d('store/bbbb-libb/lib');
  C = d('store/cccc-libc/lib');
  W = d('store/wwww-wrong/lib');
  bin = d('bin');
  lib(B, 'libb.so.1', []);
  // liba reaches libb only through its own RUNPATH
  lib(A, 'liba.so.1', [{ name: 'libb.so.1', dir: B }], B);
  // libc2 has no search path of its own and needs libb
  lib(C, 'libc2.so.1', [{ name: 'libb.so.1', dir: B }]);
});
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const names = (libs: { name: string }[]): string[] =>
  libs
    .map((l) => l.name)
    .filter((n) => n !== 'libc.so.6')
    .sort();

describe('resolveClosure', () => {
  it("follows a library's own RUNPATH (the case RPATH on the executable alone misses)", async () => {
    const p = path.join(bin, 'deep');
    exe(p, [{ name: 'liba.so.1', dir: A }], { runpath: A });
    const r = await resolveClosure(p, { closure });
    expect(names(r.libraries)).toEqual(expect.arrayContaining(['liba.so.1', 'libb.so.1']));
    expect(r.libraries.find((l) => l.name === 'libb.so.1')!.via).toBe('runpath');
    expect(r.missing).toEqual([]);
  });

  it("uses the executable's DT_RPATH for a library without a search path (inherited), but not its DT_RUNPATH", async () => {
    const withRpath = path.join(bin, 'inherit-rpath');
    exe(withRpath, [{ name: 'libc2.so.1', dir: C }], { rpath: `${C}:${B}` });
    const r1 = await resolveClosure(withRpath, { closure });
    expect(r1.missing).toEqual([]);
    expect(r1.libraries.find((l) => l.name === 'libb.so.1')!.via).toBe('rpath');

    const withRunpath = path.join(bin, 'inherit-runpath');
    exe(withRunpath, [{ name: 'libc2.so.1', dir: C }], { runpath: `${C}:${B}` });
    const r2 = await resolveClosure(withRunpath, { closure });
    expect(r2.missing.map((m) => `${m.soname} <- ${m.neededBy}`)).toEqual(['libb.so.1 <- libc2.so.1']);
  });

  it("falls back to the lib folders of the build's closure", async () => {
    const p = path.join(bin, 'inherit-runpath');
    const r = await resolveClosure(p, { closure: [...closure, path.dirname(B)] });
    expect(r.missing).toEqual([]);
    expect(r.libraries.find((l) => l.name === 'libb.so.1')!.via).toBe('closure');
  });

  it('expands $ORIGIN relative to the object that carries the path', async () => {
    const dir = d('store/oooo-origin/lib');
    fs.copyFileSync(path.join(B, 'libb.so.1'), path.join(dir, 'libb.so.1'));
    const p = path.join(d('store/oooo-origin/bin'), 'prog');
    exe(p, [{ name: 'libb.so.1', dir: B }], { runpath: '$ORIGIN/../lib' });
    const r = await resolveClosure(p, { closure });
    expect(r.libraries.find((l) => l.name === 'libb.so.1')!.foundAt).toBe(
      path.join(path.dirname(p), '..', 'lib', 'libb.so.1'),
    );
  });

  it('names every missing soname and who needs it', async () => {
    const p = path.join(bin, 'missing');
    const tmp = d('store/tttt-gone/lib');
    lib(tmp, 'libgone.so.2', []);
    lib(tmp, 'libgone2.so.3', []);
    exe(p, [
      { name: 'libgone.so.2', dir: tmp },
      { name: 'libgone2.so.3', dir: tmp },
    ]);
    fs.rmSync(tmp, { recursive: true });
    const r = await resolveClosure(p, { closure });
    expect(r.missing.map((m) => m.soname).sort()).toEqual(['libgone.so.2', 'libgone2.so.3']);
    expect(r.missing.every((m) => m.neededBy === 'bootstrap')).toBe(true);
  });

  it('skips a library of another architecture, as the loader does, and reports it', async () => {
    const arm = ['/usr/aarch64-linux-gnu/lib/libm.so.6', '/usr/aarch64-linux-gnu/lib/libc.so.6'].find((f) =>
      fs.existsSync(f),
    );
    if (!arm) throw new Error('libc6-arm64-cross is not installed (.ci/run installs libc6-dev-arm64-cross)');
    fs.copyFileSync(arm, path.join(W, 'libb.so.1'));
    const p = path.join(bin, 'wrongarch');
    exe(p, [{ name: 'libb.so.1', dir: B }], { runpath: W });
    const r = await resolveClosure(p, { closure });
    expect(r.missing).toEqual([
      { soname: 'libb.so.1', neededBy: 'bootstrap', wrongArch: [path.join(W, 'libb.so.1')] },
    ]);
    // with the right one later in the search path, it is found there
    exe(p, [{ name: 'libb.so.1', dir: B }], { runpath: `${W}:${B}` });
    const r2 = await resolveClosure(p, { closure });
    expect(r2.missing).toEqual([]);
    expect(r2.libraries.find((l) => l.name === 'libb.so.1')!.foundAt).toBe(path.join(B, 'libb.so.1'));
  });

  it('reads each file once and loads a library once even when several objects need it', async () => {
    const p = path.join(bin, 'twice');
    exe(
      p,
      [
        { name: 'liba.so.1', dir: A },
        { name: 'libb.so.1', dir: B },
      ],
      { runpath: `${A}:${B}` },
    );
    const reads: string[] = [];
    const r = await resolveClosure(p, {
      closure,
      readFile: (f) => {
        reads.push(f);
        return fs.promises.readFile(f);
      },
    });
    expect(names(r.libraries)).toEqual(['liba.so.1', 'libb.so.1']);
    expect(new Set(reads).size).toBe(reads.length);
  });

  it('adds the interpreter and, from its folder, libgcc_s.so.1', async () => {
    const p = path.join(bin, 'withloader');
    cc([
      '-o',
      p,
      path.join(src, 'main.c'),
      `-Wl,--dynamic-linker=${glibc}/ld-linux-x86-64.so.2`,
      '-Wl,--enable-new-dtags',
      `-Wl,-rpath,${glibc}`,
    ]);
    const r = await resolveClosure(p, { closure: [] });
    expect(r.interpreter?.name).toBe('ld-linux-x86-64.so.2');
    expect(r.libraries.map((l) => l.name).sort()).toEqual(['libc.so.6', 'libgcc_s.so.1']);
    expect(r.libraries.find((l) => l.name === 'libgcc_s.so.1')!.via).toBe('glibc');
  });
});
