import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosureResolver, resolveClosure } from '../../../src/bundle/closure.js';
import { nameMatcher } from '../../../src/bundle/loaded.js';

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
    // As glibc opens it: $ORIGIN/../lib with `..` left for the kernel to resolve.
    expect(r.libraries.find((l) => l.name === 'libb.so.1')!.foundAt).toBe(
      `${path.dirname(p)}/../lib/libb.so.1`,
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
    expect(r.missing).toMatchObject([
      { soname: 'libb.so.1', neededBy: 'bootstrap', wrongArch: [path.join(W, 'libb.so.1')], optional: false },
    ]);
    expect(r.missing[0]!.searched[0]).toBe(W);
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

/** A program built from C source with the given libraries and search paths. */
function prog(out: string, source: string, deps: { name: string; dir: string }[], runpath: string): void {
  const c = path.join(src, `${path.basename(out)}.c`);
  fs.writeFileSync(c, source);
  const args = ['-o', out, c, '-Wl,--no-as-needed'];
  for (const dep of deps) args.push(`-L${dep.dir}`, `-l:${dep.name}`);
  args.push(
    `-Wl,--dynamic-linker=${glibc}/ld-linux-x86-64.so.2`,
    '-Wl,--enable-new-dtags',
    `-Wl,-rpath,${runpath}`,
  );
  cc(args);
}

describe('$ORIGIN through symlinks (glibc: the program from /proc/self/exe, a library from where it was found)', () => {
  it("a bin/bootstrap that links into another store path takes the real file's folder", async () => {
    const real = d('store/rrrr-real');
    fs.mkdirSync(path.join(real, 'bin'));
    fs.mkdirSync(path.join(real, 'lib'));
    fs.copyFileSync(path.join(B, 'libb.so.1'), path.join(real, 'lib', 'libb.so.1'));
    prog(
      path.join(real, 'bin', 'prog'),
      'int main(void){return 0;}\n',
      [{ name: 'libb.so.1', dir: B }],
      `$ORIGIN/../lib:${glibc}`,
    );
    const env = d('store/eeee-env/bin');
    fs.symlinkSync(path.join(real, 'bin', 'prog'), path.join(env, 'bootstrap'));
    const r = await resolveClosure(path.join(env, 'bootstrap'), { closure });
    expect(r.missing).toEqual([]);
    expect(r.program.origin).toBe(path.join(real, 'bin'));
    expect(r.libraries.find((l) => l.name === 'libb.so.1')!.foundAt).toBe(`${real}/bin/../lib/libb.so.1`);
  });

  it('a library found through a symlinked folder keeps that path as $ORIGIN; `..` follows the link', async () => {
    const real = d('store/ssss-sym');
    for (const f of ['bin', 'opt/private', 'opt/helper', 'lib'])
      fs.mkdirSync(path.join(real, f), { recursive: true });
    fs.symlinkSync('../opt/private', path.join(real, 'lib', 'private'));
    lib(path.join(real, 'opt', 'helper'), 'libhelper.so.1', []);
    lib(
      path.join(real, 'opt', 'private'),
      'libpriv.so.1',
      [{ name: 'libhelper.so.1', dir: path.join(real, 'opt', 'helper') }],
      '$ORIGIN/../helper',
    );
    prog(
      path.join(real, 'bin', 'prog'),
      'int main(void){return 0;}\n',
      [{ name: 'libpriv.so.1', dir: path.join(real, 'opt', 'private') }],
      `$ORIGIN/../lib/private:${glibc}`,
    );
    const r = await resolveClosure(path.join(real, 'bin', 'prog'), { closure });
    expect(r.missing).toEqual([]);
    const priv = r.libraries.find((l) => l.name === 'libpriv.so.1')!;
    expect(priv.foundAt).toBe(`${real}/bin/../lib/private/libpriv.so.1`);
    expect(priv.origin).toBe(`${real}/bin/../lib/private`);
    // Lexically that would be real/lib/helper, which does not exist; the kernel goes to real/opt/helper.
    const helper = r.libraries.find((l) => l.name === 'libhelper.so.1')!;
    expect(helper.foundAt).toBe(`${real}/bin/../lib/private/../helper/libhelper.so.1`);
    expect(helper.real).toBe(path.join(real, 'opt', 'helper', 'libhelper.so.1'));
  });

  it('a missing library names the expanded folders it was searched in', async () => {
    const real = d('store/mmmm-miss/bin');
    prog(
      path.join(real, 'prog'),
      'int main(void){return 0;}\n',
      [{ name: 'libb.so.1', dir: B }],
      `$ORIGIN/../nowhere:${glibc}`,
    );
    const r = await resolveClosure(path.join(real, 'prog'), { closure });
    expect(r.missing).toHaveLength(1);
    expect(r.missing[0]!.searched.slice(0, 2)).toEqual([`${real}/../nowhere`, glibc]);
  });
});

describe('dlopen: search path folders that supply nothing, names in strings, the inputs', () => {
  let P: string, H: string, N: string, prg: string;
  beforeAll(() => {
    H = d('store/hhhh-help/lib');
    lib(H, 'libhelp.so.1', []);
    P = d('store/pppp-plugins/lib');
    lib(P, 'libp.so.1', [{ name: 'libhelp.so.1', dir: H }], `${H}:${glibc}`);
    lib(P, 'libp2.so.1', [], glibc);
    fs.symlinkSync('libp.so.1', path.join(P, 'libp.so'));
    N = d('store/nnnn-both/lib');
    lib(N, 'libneeded.so.1', [], glibc);
    lib(N, 'libnamed.so.3', [], glibc);
    // a library in the C library's own folder that nothing asks for
    lib(glibc, 'libextra-glibc.so.1', []);
    prg = path.join(d('store/dddd-dl/bin'), 'prog');
    prog(
      prg,
      '#include <dlfcn.h>\nint main(void){return dlopen("libnamed.so.3", 2) != 0 && dlopen("libp.so", 2) != 0;}\n',
      [{ name: 'libneeded.so.1', dir: N }],
      `${glibc}:${N}:${P}`,
    );
  });

  async function detect(exclude: string[] = []): Promise<ClosureResolver> {
    const r = await ClosureResolver.open(prg, {
      closure: [...closure, path.dirname(P), path.dirname(N), path.dirname(H)],
    });
    await r.resolve();
    await r.detectDlopen(nameMatcher(exclude));
    return r;
  }

  it('bundles every library of a RUNPATH folder that supplies no DT_NEEDED library, with its dependencies', async () => {
    const r = (await detect()).result();
    const by = (n: string) => r.libraries.find((l) => l.name === n);
    expect(by('libp.so.1')).toMatchObject({ via: 'dlopen-folder', optional: true });
    expect(by('libp2.so.1')).toMatchObject({ via: 'dlopen-folder', optional: true });
    expect(by('libp.so.1')!.reason).toContain(
      `in ${P}, a RUNPATH folder of bootstrap that supplies no DT_NEEDED library`,
    );
    // its own dependency, found through its own RUNPATH
    expect(by('libhelp.so.1')).toMatchObject({ via: 'runpath', optional: true, neededBy: 'libp.so.1' });
    // the dev symlink's name is written in the program: the bundle carries it too
    expect(by('libp.so.1')!.aliases).toEqual(['libp.so']);
    expect(by('libneeded.so.1')).toMatchObject({ via: 'runpath', optional: false });
  });

  it('bundles a name written in the strings from a folder that also supplies a DT_NEEDED library', async () => {
    const r = (await detect()).result();
    const named = r.libraries.find((l) => l.name === 'libnamed.so.3')!;
    expect(named).toMatchObject({ via: 'dlopen-name', optional: true });
    expect(named.reason).toBe(`named in the strings of bootstrap (dlopen by name), found in ${N}`);
  });

  it("leaves the C library's own folder alone", async () => {
    const r = (await detect()).result();
    expect(r.libraries.map((l) => l.name)).not.toContain('libextra-glibc.so.1');
  });

  it('leaves out what exclude-libraries names, and says so', async () => {
    const r = (await detect(['libp2*', 'libnamed.so.3'])).result();
    expect(r.libraries.map((l) => l.name)).not.toContain('libp2.so.1');
    expect(r.libraries.map((l) => l.name)).not.toContain('libnamed.so.3');
    expect(r.dlopenSkipped.map((s) => [s.name, s.reason])).toEqual(
      expect.arrayContaining([
        ['libp2.so.1', 'input exclude-libraries'],
        ['libnamed.so.3', 'input exclude-libraries'],
      ]),
    );
  });

  it('records the missing dependency of a dlopen library as optional', async () => {
    const M = d('store/qqqq-broken/lib');
    const gone = d('store/qqqq-gone/lib');
    lib(gone, 'libgone.so.1', []);
    lib(M, 'libbroken.so.1', [{ name: 'libgone.so.1', dir: gone }], glibc);
    fs.rmSync(gone, { recursive: true });
    const p = path.join(d('store/kkkk-opt/bin'), 'prog');
    prog(p, 'int main(void){return 0;}\n', [], `${glibc}:${M}`);
    const r = await ClosureResolver.open(p, { closure: [...closure, path.dirname(M)] });
    await r.resolve();
    await r.detectDlopen(() => false);
    expect(r.result().missing).toMatchObject([
      { soname: 'libgone.so.1', neededBy: 'libbroken.so.1', optional: true },
    ]);
  });

  it('extra-libraries: a soname from a lib folder of the closure, or an error naming where it looked', async () => {
    const X = d('store/xxxx-extra/lib');
    lib(X, 'libextra.so.7', [], glibc);
    const r = await ClosureResolver.open(prg, { closure: [...closure, path.dirname(X)] });
    await r.resolve();
    const x = await r.addExtra('libextra.so.7');
    expect(x).toMatchObject({ name: 'libextra.so.7', via: 'input', reason: 'input extra-libraries' });
    expect(r.libraries).toContain(x);
    await expect(r.addExtra('libnothere.so.1')).rejects.toThrow(
      /libnothere\.so\.1 is not in the program's search path nor in a lib folder/,
    );
  });
});

describe('included ELF objects', () => {
  it('resolve their own dependencies; a dependency included in the same folder stays there', async () => {
    const I = d('store/iiii-inc');
    fs.mkdirSync(path.join(I, 'bin'));
    fs.mkdirSync(path.join(I, 'mods'));
    const L = d('store/llll-lib/lib');
    lib(L, 'libtool1.so.1', [], glibc);
    prog(
      path.join(I, 'bin', 'tool'),
      'int main(void){return 0;}\n',
      [{ name: 'libtool1.so.1', dir: L }],
      `${L}:${glibc}`,
    );
    lib(path.join(I, 'mods'), 'libshared.so', [], `$ORIGIN:${glibc}`);
    lib(
      path.join(I, 'mods'),
      'mod.so',
      [{ name: 'libshared.so', dir: path.join(I, 'mods') }],
      `$ORIGIN:${glibc}`,
    );
    const p = path.join(d('store/jjjj-main/bin'), 'prog');
    prog(p, 'int main(void){return 0;}\n', [], glibc);
    const r = await ClosureResolver.open(p, { closure });
    await r.resolve();
    const added = await r.addIncludes([
      { file: path.join(I, 'bin', 'tool'), target: 'tool' },
      { file: path.join(I, 'mods', 'mod.so'), target: 'mods/mod.so' },
      { file: path.join(I, 'mods', 'libshared.so'), target: 'mods/libshared.so' },
    ]);
    expect(added.map((o) => o.name)).toEqual(['tool', 'mods/mod.so', 'mods/libshared.so']);
    const res = r.result();
    expect(res.libraries.map((l) => l.name)).toContain('libtool1.so.1');
    expect(res.libraries.map((l) => l.name)).not.toContain('libshared.so');
    expect(res.conflicts).toEqual([]);
  });

  it('an included program with another loader is a conflict', async () => {
    const other = d('store/oooo-otherglibc/lib');
    for (const f of ['ld-linux-x86-64.so.2', 'libc.so.6'])
      fs.copyFileSync(fs.realpathSync(`/lib/x86_64-linux-gnu/${f}`), path.join(other, f));
    const t = path.join(d('store/tttt-tool/bin'), 'tool');
    cc([
      '-o',
      t,
      path.join(src, 'main.c'),
      `-Wl,--dynamic-linker=${other}/ld-linux-x86-64.so.2`,
      '-Wl,--enable-new-dtags',
      `-Wl,-rpath,${other}`,
    ]);
    const p = path.join(d('store/uuuu-main/bin'), 'prog');
    prog(p, 'int main(void){return 0;}\n', [], glibc);
    const r = await ClosureResolver.open(p, { closure });
    await r.resolve();
    await r.addIncludes([{ file: t, target: 'tool' }]);
    expect(r.result().conflicts).toEqual([
      expect.stringContaining(
        `tool runs with the loader ${other}/ld-linux-x86-64.so.2, the program with ${glibc}/ld-linux-x86-64.so.2`,
      ),
    ]);
  });
});
