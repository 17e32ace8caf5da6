import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../support/prng.js';
import {
  EM_AARCH64,
  EM_X86_64,
  ElfError,
  ElfPatchUnsupported,
  isElf,
  patchElf,
  readElf,
  type ElfFile,
  type PatchRequest,
} from '../../../src/bundle/elf.js';

// ---------------------------------------------------------------------------------------------
// readelf (binutils) as the reference

interface Seen {
  machine: number | undefined;
  interp: string | undefined;
  needed: string[];
  soname: string | undefined;
  rpath: string | undefined;
  runpath: string | undefined;
}

const MACHINES: Record<string, number> = { 'Advanced Micro Devices X86-64': EM_X86_64, AArch64: EM_AARCH64 };

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000, ...opts });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, error: r.error };
}

function must(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): string {
  const r = run(cmd, args, opts);
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.error?.message ?? ''}`);
  return r.stdout;
}

function parseSummary(text: string): Seen {
  const seen: Seen = {
    machine: undefined,
    interp: undefined,
    needed: [],
    soname: undefined,
    rpath: undefined,
    runpath: undefined,
  };
  for (const line of text.split('\n')) {
    const m = /^\s*Machine:\s+(.*\S)\s*$/.exec(line);
    if (m) seen.machine = MACHINES[m[1]!] ?? -1;
    const i = /\[Requesting program interpreter: (.*)\]$/.exec(line);
    if (i) seen.interp = i[1]!;
    const d =
      /\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+(?:Shared library|Library soname|Library rpath|Library runpath): \[(.*)\]\s*$/.exec(
        line,
      );
    if (!d) continue;
    if (d[1] === 'NEEDED') seen.needed.push(d[2]!);
    else if (d[1] === 'SONAME') seen.soname = d[2]!;
    else if (d[1] === 'RPATH') seen.rpath = d[2]!;
    else seen.runpath = d[2]!;
  }
  return seen;
}

/** `readelf -hlWd` on many files at once (readelf prints "File: name" before each when given several). */
function readelfSummaries(files: readonly string[]): Map<string, Seen> {
  const out = new Map<string, Seen>();
  for (let i = 0; i < files.length; i += 200) {
    const batch = files.slice(i, i + 200);
    const text = run('readelf', ['-hlWd', ...batch]).stdout;
    if (batch.length === 1) {
      out.set(batch[0]!, parseSummary(text));
      continue;
    }
    const parts = text.split(/^File: (.*)$/m);
    for (let j = 1; j + 1 < parts.length; j += 2) out.set(parts[j]!, parseSummary(parts[j + 1]!));
  }
  return out;
}

function readelfSummary(file: string): Seen {
  return parseSummary(must('readelf', ['-hlWd', file]));
}

function summaryOf(e: ElfFile): Seen {
  return {
    machine: e.machine,
    interp: e.interp,
    needed: e.needed,
    soname: e.soname,
    rpath: e.rpath,
    runpath: e.runpath,
  };
}

interface SectionInfo {
  name: string;
  off: number;
  size: number;
}

function readelfSections(file: string): SectionInfo[] {
  const out: SectionInfo[] = [];
  for (const line of must('readelf', ['-SW', file]).split('\n')) {
    const m = /^\s*\[\s*\d+\]\s+(\S*)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(line);
    if (m) out.push({ name: m[1]!, off: parseInt(m[2]!, 16), size: parseInt(m[3]!, 16) });
  }
  return out;
}

function section(file: string, name: string): SectionInfo {
  const s = readelfSections(file).find((x) => x.name === name);
  if (!s) throw new Error(`${file} has no ${name}`);
  return s;
}

/** Dynamic entries as readelf lists them, with their file offsets. */
function readelfDynamic(file: string): { pos: number; type: string }[] {
  const text = must('readelf', ['-dW', file]);
  const at = /Dynamic section at offset 0x([0-9a-f]+)/.exec(text);
  if (!at) throw new Error(`${file}: no dynamic section`);
  const base = parseInt(at[1]!, 16);
  const out: { pos: number; type: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*0x[0-9a-f]+ \((\w+)\)/.exec(line);
    if (m) out.push({ pos: base + out.length * 16, type: m[1]! });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sample of real files

function elfFilesIn(dirs: readonly string[], pattern: RegExp, maxBytes: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      if (!pattern.test(name)) continue;
      const p = path.join(dir, name);
      let real: string;
      let st: fs.Stats;
      try {
        real = fs.realpathSync(p);
        st = fs.statSync(real);
      } catch {
        continue;
      }
      if (!st.isFile() || st.size > maxBytes || st.size < 64 || seen.has(real)) continue;
      const head = Buffer.alloc(6);
      const fd = fs.openSync(real, 'r');
      try {
        fs.readSync(fd, head, 0, 6, 0);
      } finally {
        fs.closeSync(fd);
      }
      if (!isElf(head) || head[4] !== 2 || head[5] !== 1) continue;
      seen.add(real);
      out.push(real);
    }
  }
  return out;
}

/** Every file with a search path, plus every k-th one to reach about `want` files. */
function sample(files: readonly string[], want: number): { files: string[]; seen: Map<string, Seen> } {
  const all = readelfSummaries(files);
  const step = Math.max(1, Math.floor(files.length / want));
  const picked = files.filter(
    (f, i) => i % step === 0 || all.get(f)?.rpath !== undefined || all.get(f)?.runpath !== undefined,
  );
  return { files: picked, seen: all };
}

function compareWithReadelf(files: readonly string[], seen: Map<string, Seen>): number {
  let n = 0;
  for (const f of files) {
    const want = seen.get(f);
    expect(want, `readelf output for ${f}`).toBeDefined();
    const got = readElf(fs.readFileSync(f), f);
    expect({ file: f, ...summaryOf(got) }).toEqual({ file: f, ...want });
    expect(got.file).toBe(f);
    expect(got.arch).toBe(
      got.machine === EM_X86_64 ? 'x86_64' : got.machine === EM_AARCH64 ? 'arm64' : undefined,
    );
    expect(got.isStatic).toBe(got.interp === undefined && got.needed.length === 0);
    n++;
  }
  return n;
}

describe('readElf agrees with readelf on real files', () => {
  it('x86_64 executables (/bin/ls and a sample of /usr/bin)', () => {
    const bins = ['/bin/ls', ...elfFilesIn(['/usr/bin'], /./, 16 << 20)];
    const { files, seen } = sample(bins, 120);
    expect(files.length).toBeGreaterThan(50);
    expect(compareWithReadelf(files, seen)).toBe(files.length);
    const ls = readElf(fs.readFileSync('/bin/ls'), '/bin/ls');
    expect(ls.arch).toBe('x86_64');
    expect(ls.type === 2 || ls.type === 3).toBe(true);
    expect(ls.interp).toMatch(/ld-linux-x86-64\.so\.2$/);
    expect(ls.needed).toContain('libc.so.6');
    expect(ls.isStatic).toBe(false);
    // The sample covers search paths too.
    expect(files.some((f) => seen.get(f)?.runpath !== undefined || seen.get(f)?.rpath !== undefined)).toBe(
      true,
    );
  });

  it('x86_64 libraries (/lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu)', () => {
    const libs = elfFilesIn(
      ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu'],
      /\.so(\.\d+)*$/,
      32 << 20,
    );
    const { files, seen } = sample(libs, 100);
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(compareWithReadelf(files, seen)).toBe(files.length);
    expect(files.filter((f) => seen.get(f)?.soname !== undefined).length).toBeGreaterThanOrEqual(30);
    const libc = readElf(fs.readFileSync('/lib/x86_64-linux-gnu/libc.so.6'), 'libc.so.6');
    expect(libc.soname).toBe('libc.so.6');
    expect(libc.type).toBe(3);
  });

  it.runIf(fs.existsSync('/usr/aarch64-linux-gnu/lib'))(
    'aarch64 libraries (/usr/aarch64-linux-gnu/lib)',
    () => {
      const libs = elfFilesIn(['/usr/aarch64-linux-gnu/lib'], /\.so(\.\d+)*$/, 32 << 20);
      const { files, seen } = sample(libs, 60);
      expect(files.length).toBeGreaterThanOrEqual(10);
      expect(compareWithReadelf(files, seen)).toBe(files.length);
      const ld = readElf(
        fs.readFileSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1'),
        'ld-linux-aarch64.so.1',
      );
      expect(ld.machine).toBe(EM_AARCH64);
      expect(ld.arch).toBe('arm64');
      expect(ld.soname).toBe('ld-linux-aarch64.so.1');
    },
  );

  it('patching real files with a search path changes only that line of readelf -d --dyn-syms -V', () => {
    // Debian sets few search paths: its programs, and the folders that have them on any machine the
    // tests run on (Nix's own libraries, glibc's gconv modules with $ORIGIN).
    const candidates = [
      ...elfFilesIn(['/usr/bin', '/usr/sbin'], /./, 16 << 20),
      ...elfFilesIn(
        [
          '/lib/x86_64-linux-gnu',
          '/usr/lib/x86_64-linux-gnu',
          '/usr/lib/nix',
          '/usr/lib/x86_64-linux-gnu/gconv',
        ],
        /\.so(\.\d+)*$/,
        16 << 20,
      ),
    ];
    const seen = readelfSummaries(candidates);
    const withPath = candidates.filter(
      (f) => seen.get(f)?.rpath !== undefined || seen.get(f)?.runpath !== undefined,
    );
    // Every distinct search path value, a few files each.
    const perValue = new Map<string, number>();
    const files = withPath.filter((f) => {
      const key = `${seen.get(f)!.rpath}|${seen.get(f)!.runpath}`;
      perValue.set(key, (perValue.get(key) ?? 0) + 1);
      return perValue.get(key)! <= 3;
    });
    expect(files.length).toBeGreaterThanOrEqual(5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'elf-real-'));
    try {
      for (const f of files) {
        const listing = (file: string): string[] =>
          must('readelf', ['-W', '-d', '--dyn-syms', '-V', file]).replaceAll(file, 'FILE').split('\n');
        const data = Buffer.from(fs.readFileSync(f));
        const old = seen.get(f)!;
        const changes = patchElf(data, { rpath: '$ORIGIN' }, f);
        expect(changes).toEqual([
          `${old.runpath !== undefined ? 'RUNPATH' : 'RPATH'} ${old.runpath ?? old.rpath} -> RPATH $ORIGIN`,
        ]);
        const out = path.join(dir, path.basename(f));
        fs.writeFileSync(out, data);
        const before = listing(f);
        const after = listing(out);
        expect(after.length).toBe(before.length);
        const diff = before.flatMap((l, i) => (l === after[i] ? [] : [[l, after[i]]]));
        expect(diff, f).toHaveLength(1);
        expect(diff[0]![1]).toMatch(/\(RPATH\)\s+Library rpath: \[\$ORIGIN\]$/);
        expect(readelfSummary(out)).toEqual({ ...old, rpath: '$ORIGIN', runpath: undefined });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('isElf checks the magic only', () => {
    expect(isElf(Buffer.from('\x7fELF'))).toBe(true);
    expect(isElf(Buffer.from('\x7fEL'))).toBe(false);
    expect(isElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
    expect(isElf(Buffer.alloc(0))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Objects built with gcc

const HASH = 'p4pclmv1gyja5kzc26npqpia1qqxrf0l';
const NIX_INTERP = `/nix/store/${HASH}-glibc-2.40-66/lib/ld-linux-x86-64.so.2`;
const NIX_INTERP_ARM = `/nix/store/${HASH}-glibc-2.40-66/lib/ld-linux-aarch64.so.1`;
const SYS_INTERP = '/lib64/ld-linux-x86-64.so.2';
const ARM_SYSROOT = '/usr/aarch64-linux-gnu/lib';
const hasArmGcc = run('aarch64-linux-gnu-gcc', ['--version']).status === 0 && fs.existsSync(ARM_SYSROOT);
const hasQemu = run('qemu-aarch64-static', ['--version']).status === 0;

let tmp: string;
const T = (...p: string[]): string => path.join(tmp, ...p);

const DEP_C = 'int dep(void) { return 42; }\nint lib(void) { return 7; }\n';
const DECOY_C = 'int dep(void) { return 99; }\nint lib(void) { return 99; }\n';
const MAIN_C =
  '#include <stdio.h>\nint dep(void); int lib(void);\nint main(void) { printf("dep=%d lib=%d\\n", dep(), lib()); return 0; }\n';
const TAIL_C = 'int dep(void);\nint tail(void) { return dep() + 1; }\n';

function gcc(cc: string, args: string[]): void {
  must(cc, args, { cwd: tmp });
}

function copyOf(file: string): Buffer {
  return Buffer.from(fs.readFileSync(file));
}

function expectUnsupported(fn: () => unknown, re: RegExp): ElfPatchUnsupported {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ElfPatchUnsupported);
  const err = caught as ElfPatchUnsupported;
  expect(err.message).toMatch(re);
  return err;
}

function expectElfError(fn: () => unknown, file: string, re?: RegExp): ElfError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an ElfError').toBeInstanceOf(ElfError);
  const err = caught as ElfError;
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  if (re) expect(err.message).toMatch(re);
  return err;
}

/** readelf's view of symbols and versions, to check a patch leaves every other string alone. */
function symbolsAndVersions(file: string): string {
  return must('readelf', ['-W', '--dyn-syms', '-V', file]).replaceAll(file, 'FILE');
}

function writeExec(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data, { mode: 0o755 });
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'elf-test-'));
  fs.writeFileSync(T('dep.c'), DEP_C);
  fs.writeFileSync(T('decoy.c'), DECOY_C);
  fs.writeFileSync(T('main.c'), MAIN_C);
  fs.writeFileSync(T('tail.c'), TAIL_C);
  for (const d of ['A', 'B', 'D', 'arm']) fs.mkdirSync(T(d));
  // libdep: RUNPATH into the store; its symbol "lib" is tail-merged into the RUNPATH string (.../lib).
  gcc('gcc', [
    '-shared',
    '-fPIC',
    '-o',
    'A/libdep.so.1',
    'dep.c',
    '-Wl,-soname,libdep.so.1',
    '-Wl,--enable-new-dtags',
    `-Wl,-rpath,/nix/store/${HASH}-foo-1.0/lib`,
  ]);
  // A decoy with the same soname, to show what LD_LIBRARY_PATH does.
  gcc('gcc', ['-shared', '-fPIC', '-o', 'D/libdep.so.1', 'decoy.c', '-Wl,-soname,libdep.so.1']);
  // A Nix-like program: store interpreter, RUNPATH.
  gcc('gcc', [
    '-o',
    'prog',
    'main.c',
    'A/libdep.so.1',
    '-Wl,--enable-new-dtags',
    `-Wl,-rpath,${T('A')}:/nix/store/${HASH}-zlib-1.3.1/lib`,
    `-Wl,--dynamic-linker=${NIX_INTERP}`,
  ]);
  // The same with the system interpreter (runs as built), RUNPATH A.
  gcc('gcc', ['-o', 'prog-sys', 'main.c', 'A/libdep.so.1', '-Wl,--enable-new-dtags', `-Wl,-rpath,${T('A')}`]);
  // DT_RPATH instead of DT_RUNPATH.
  gcc('gcc', [
    '-o',
    'prog-rpath',
    'main.c',
    'A/libdep.so.1',
    '-Wl,--disable-new-dtags',
    `-Wl,-rpath,${T('A')}:/nix/store/${HASH}-zlib-1.3.1/lib`,
    `-Wl,--dynamic-linker=${NIX_INTERP}`,
  ]);
  // A library without any search path.
  gcc('gcc', ['-shared', '-fPIC', '-o', 'libplain.so', 'dep.c', '-Wl,-soname,libplain.so']);
  // RUNPATH "/x:libdep.so.1": the linker stores DT_NEEDED libdep.so.1 as the tail of that string.
  gcc('gcc', [
    '-shared',
    '-fPIC',
    '-o',
    'libtail.so',
    'tail.c',
    'A/libdep.so.1',
    '-Wl,-soname,libtail.so',
    '-Wl,--enable-new-dtags',
    '-Wl,-rpath,/x:libdep.so.1',
  ]);
  if (hasArmGcc) {
    const cc = 'aarch64-linux-gnu-gcc';
    gcc(cc, [
      '-shared',
      '-fPIC',
      '-o',
      'arm/libdep.so.1',
      'dep.c',
      '-Wl,-soname,libdep.so.1',
      '-Wl,--enable-new-dtags',
      `-Wl,-rpath,/nix/store/${HASH}-foo-1.0/lib`,
    ]);
    gcc(cc, [
      '-o',
      'arm/prog',
      'main.c',
      'arm/libdep.so.1',
      '-Wl,--enable-new-dtags',
      `-Wl,-rpath,${T('arm')}:/nix/store/${HASH}-glibc-2.40-66/lib:/nix/store/${HASH}-gcc-13.3.0-lib/lib`,
      `-Wl,--dynamic-linker=${NIX_INTERP_ARM}`,
    ]);
  }
}, 120_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('gcc-built objects', () => {
  it('readElf agrees with readelf on them', () => {
    const files = [
      'A/libdep.so.1',
      'D/libdep.so.1',
      'prog',
      'prog-sys',
      'prog-rpath',
      'libplain.so',
      'libtail.so',
    ].map((f) => T(f));
    if (hasArmGcc) files.push(T('arm/libdep.so.1'), T('arm/prog'));
    const seen = readelfSummaries(files);
    expect(compareWithReadelf(files, seen)).toBe(files.length);
    const prog = readElf(fs.readFileSync(T('prog')), 'prog');
    expect(prog).toMatchObject({
      interp: NIX_INTERP,
      needed: ['libdep.so.1', 'libc.so.6'],
      rpath: undefined,
    });
    expect(prog.runpath).toBe(`${T('A')}:/nix/store/${HASH}-zlib-1.3.1/lib`);
    expect(readElf(fs.readFileSync(T('prog-rpath')), 'prog-rpath').rpath).toBe(prog.runpath);
    expect(readElf(fs.readFileSync(T('libplain.so')), 'libplain.so')).toMatchObject({
      rpath: undefined,
      runpath: undefined,
      soname: 'libplain.so',
    });
  });

  it('a program with a store interpreter and RUNPATH runs once patched (interp + RPATH to another dir)', () => {
    // As built it cannot even start: its interpreter does not exist here.
    const before = run(T('prog'), []);
    expect(before.status).not.toBe(0);
    fs.copyFileSync(T('A/libdep.so.1'), T('B/libdep.so.1'));
    const data = copyOf(T('prog'));
    const size = data.length;
    const changes = patchElf(data, { interp: SYS_INTERP, rpath: T('B') }, 'prog');
    expect(data.length).toBe(size);
    expect(changes).toEqual([
      `interp ${NIX_INTERP} -> ${SYS_INTERP}`,
      `RUNPATH ${T('A')}:/nix/store/${HASH}-zlib-1.3.1/lib -> RPATH ${T('B')}`,
    ]);
    const out = T('B', 'prog');
    writeExec(out, data);
    expect(fs.statSync(out).size).toBe(fs.statSync(T('prog')).size);
    const seen = readelfSummary(out);
    expect(seen).toEqual({
      machine: EM_X86_64,
      interp: SYS_INTERP,
      needed: ['libdep.so.1', 'libc.so.6'],
      soname: undefined,
      rpath: T('B'),
      runpath: undefined,
    });
    expect(symbolsAndVersions(out)).toBe(symbolsAndVersions(T('prog')));
    // A/ is not searched any more: move it away to be sure the copy in B is the one loaded.
    fs.renameSync(T('A'), T('A.away'));
    try {
      const r = run(out, [], { cwd: '/' });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('dep=42 lib=7\n');
    } finally {
      fs.renameSync(T('A.away'), T('A'));
    }
    // Patching again changes nothing.
    const again = Buffer.from(data);
    expect(patchElf(again, { interp: SYS_INTERP, rpath: T('B') }, 'prog')).toEqual([]);
    expect(again.equals(data)).toBe(true);
  });

  it('RPATH $ORIGIN on program and library wins over LD_LIBRARY_PATH (RUNPATH does not)', () => {
    const env = { ...process.env, LD_LIBRARY_PATH: T('D') };
    // The unpatched program (RUNPATH A) picks the decoy from LD_LIBRARY_PATH.
    expect(run(T('prog-sys'), [], { env }).stdout).toBe('dep=99 lib=99\n');

    const prog = copyOf(T('prog-sys'));
    expect(patchElf(prog, { rpath: '$ORIGIN/lib' }, 'bootstrap')).toEqual([
      `RUNPATH ${T('A')} -> RPATH $ORIGIN/lib`,
    ]);
    const lib = copyOf(T('A/libdep.so.1'));
    // The symbol "lib" shares its bytes with the tail of the old RUNPATH ".../foo-1.0/lib": it must survive.
    expect(patchElf(lib, { rpath: '$ORIGIN' }, 'libdep.so.1')).toEqual([
      `RUNPATH /nix/store/${HASH}-foo-1.0/lib -> RPATH $ORIGIN`,
    ]);
    const task = T('task');
    writeExec(path.join(task, 'bootstrap'), prog);
    writeExec(path.join(task, 'lib', 'libdep.so.1'), lib);
    expect(readelfSummary(path.join(task, 'lib', 'libdep.so.1'))).toMatchObject({
      rpath: '$ORIGIN',
      runpath: undefined,
      soname: 'libdep.so.1',
    });
    expect(symbolsAndVersions(path.join(task, 'lib', 'libdep.so.1'))).toBe(
      symbolsAndVersions(T('A/libdep.so.1')),
    );
    expect(symbolsAndVersions(path.join(task, 'lib', 'libdep.so.1'))).toMatch(/ lib\n/);
    const r = run(path.join(task, 'bootstrap'), [], { env, cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('dep=42 lib=7\n');
  });

  it('rewrites an existing DT_RPATH and keeps the tag', () => {
    const data = copyOf(T('prog-rpath'));
    const changes = patchElf(data, { rpath: '$ORIGIN/lib' }, 'prog-rpath');
    expect(changes).toEqual([`RPATH ${T('A')}:/nix/store/${HASH}-zlib-1.3.1/lib -> RPATH $ORIGIN/lib`]);
    const out = T('out', 'prog-rpath');
    writeExec(out, data);
    expect(readelfSummary(out)).toMatchObject({
      interp: NIX_INTERP,
      rpath: '$ORIGIN/lib',
      runpath: undefined,
      needed: ['libdep.so.1', 'libc.so.6'],
    });
    expect(readElf(data, 'prog-rpath')).toMatchObject({ rpath: '$ORIGIN/lib', runpath: undefined });
    // The old string's leftover bytes are cleared: no store path remains in the file.
    expect(data.includes(`/nix/store/${HASH}-zlib`)).toBe(false);
    expect(patchElf(data, { rpath: '$ORIGIN/lib' }, 'prog-rpath')).toEqual([]);
  });

  it('interp only: exact fit, too long, and objects without PT_INTERP', () => {
    const data = copyOf(T('prog'));
    const room = Buffer.byteLength(NIX_INTERP); // p_filesz is the string plus its NUL
    const exact = `/${'i'.repeat(room - 1)}`;
    expect(patchElf(data, { interp: exact }, 'prog')).toEqual([`interp ${NIX_INTERP} -> ${exact}`]);
    expect(readElf(data, 'prog')).toMatchObject({
      interp: exact,
      runpath: readElf(fs.readFileSync(T('prog'))).runpath,
    });
    const pristine = copyOf(T('prog'));
    const err = expectUnsupported(
      () => patchElf(pristine, { interp: `${exact}x` }, 'prog'),
      /^prog: .*PT_INTERP/,
    );
    expect(err).toBeInstanceOf(ElfError);
    expect(pristine.equals(fs.readFileSync(T('prog')))).toBe(true);
    // A shorter interpreter is NUL-padded to the end of the segment.
    const short = copyOf(T('prog'));
    patchElf(short, { interp: '/x' }, 'prog');
    const interp = section(T('prog'), '.interp');
    expect(
      short
        .subarray(interp.off, interp.off + interp.size)
        .equals(Buffer.concat([Buffer.from('/x'), Buffer.alloc(interp.size - 2)])),
    ).toBe(true);
    // A library has no interpreter to set.
    expectUnsupported(
      () => patchElf(copyOf(T('A/libdep.so.1')), { interp: SYS_INTERP }, 'libdep.so.1'),
      /no PT_INTERP/,
    );
  });

  it('refuses what it cannot do in place, leaving the bytes alone', () => {
    const plain = copyOf(T('libplain.so'));
    expectUnsupported(
      () => patchElf(plain, { rpath: '$ORIGIN' }, 'libplain.so'),
      /^libplain\.so: no RPATH or RUNPATH entry$/,
    );
    expect(plain.equals(fs.readFileSync(T('libplain.so')))).toBe(true);
    const lib = copyOf(T('A/libdep.so.1'));
    const long = `/${'z'.repeat(200)}`;
    expectUnsupported(() => patchElf(lib, { rpath: long }, 'libdep.so.1'), /longer than the old string/);
    expect(lib.equals(fs.readFileSync(T('A/libdep.so.1')))).toBe(true);
    // A valid interp with an impossible rpath: nothing is written at all.
    const prog = copyOf(T('prog'));
    expectUnsupported(() => patchElf(prog, { interp: SYS_INTERP, rpath: long }, 'prog'), /longer/);
    expect(prog.equals(fs.readFileSync(T('prog')))).toBe(true);
    // Nothing asked, nothing done.
    expect(patchElf(prog, {}, 'prog')).toEqual([]);
  });

  it.runIf(hasArmGcc)(
    'aarch64: patched program has the new interp and RPATH (and runs under qemu when present)',
    () => {
      const data = copyOf(T('arm/prog'));
      const armInterp = `${ARM_SYSROOT}/ld-linux-aarch64.so.1`;
      const dir = T('arm-task');
      const rpath = `${dir}:${ARM_SYSROOT}`;
      const changes = patchElf(data, { interp: armInterp, rpath }, 'arm/prog');
      expect(changes).toHaveLength(2);
      const elf = readElf(data, 'arm/prog');
      expect(elf).toMatchObject({
        machine: EM_AARCH64,
        arch: 'arm64',
        interp: armInterp,
        rpath,
        runpath: undefined,
        needed: ['libdep.so.1', 'libc.so.6'],
      });
      writeExec(path.join(dir, 'prog'), data);
      const lib = copyOf(T('arm/libdep.so.1'));
      patchElf(lib, { rpath: '$ORIGIN' }, 'arm/libdep.so.1');
      writeExec(path.join(dir, 'libdep.so.1'), lib);
      expect(readelfSummary(path.join(dir, 'prog'))).toEqual({
        machine: EM_AARCH64,
        interp: armInterp,
        needed: ['libdep.so.1', 'libc.so.6'],
        soname: undefined,
        rpath,
        runpath: undefined,
      });
      expect(symbolsAndVersions(path.join(dir, 'libdep.so.1'))).toBe(
        symbolsAndVersions(T('arm/libdep.so.1')),
      );
      expect(fs.statSync(path.join(dir, 'prog')).size).toBe(fs.statSync(T('arm/prog')).size);
      if (hasQemu) {
        const r = run('qemu-aarch64-static', [path.join(dir, 'prog')], { cwd: '/' });
        expect(r.stderr).toBe('');
        expect(r.stdout).toBe('dep=42 lib=7\n');
      }
    },
  );
});

describe('tail merging in .dynstr', () => {
  it('the linker really merged DT_NEEDED libdep.so.1 into the RUNPATH string', () => {
    const dump = must('readelf', ['-W', '-p', '.dynstr', T('libtail.so')]);
    expect(dump).toMatch(/\]\s+\/x:libdep\.so\.1\n/);
    expect(dump).not.toMatch(/\]\s+libdep\.so\.1\n/);
    // And libdep's dynamic symbol "lib" lives at the tail of its RUNPATH ".../foo-1.0/lib".
    const libdep = must('readelf', ['-W', '-p', '.dynstr', T('A/libdep.so.1')]);
    expect(libdep).toMatch(/\]\s+\/nix\/store\/\S+-foo-1\.0\/lib\n/);
    expect(libdep).not.toMatch(/\]\s+lib\n/);
    expect(symbolsAndVersions(T('A/libdep.so.1'))).toMatch(/ lib\n/);
  });

  it('refuses a rewrite whose bytes would cut into DT_NEEDED', () => {
    const data = copyOf(T('libtail.so'));
    const err = expectUnsupported(() => patchElf(data, { rpath: '$ORIGIN' }, 'libtail.so'), /NEEDED/);
    expect(err.message).toMatch(/libdep\.so\.1/);
    expect(data.equals(fs.readFileSync(T('libtail.so')))).toBe(true);
  });

  it('allows a rewrite that stops short of it and keeps DT_NEEDED intact', () => {
    const data = copyOf(T('libtail.so'));
    expect(patchElf(data, { rpath: '/y' }, 'libtail.so')).toEqual(['RUNPATH /x:libdep.so.1 -> RPATH /y']);
    const out = T('out', 'libtail.so');
    writeExec(out, data);
    expect(readelfSummary(out)).toEqual({
      ...readelfSummary(T('libtail.so')),
      rpath: '/y',
      runpath: undefined,
    });
    expect(readelfSummary(out).needed).toContain('libdep.so.1');
    expect(symbolsAndVersions(out)).toBe(symbolsAndVersions(T('libtail.so')));
    // "/y\0" then one zeroed byte, up to where libdep.so.1 starts.
    expect(must('readelf', ['-W', '-p', '.dynstr', out])).toMatch(/\]\s+\/y\n[^\n]*\]\s+libdep\.so\.1\n/);
  });

  it('crafted: RUNPATH pointing into the middle of SONAME or at a symbol name is refused', () => {
    const file = T('A/libdep.so.1');
    const dyn = readelfDynamic(file);
    const runpath = dyn.find((d) => d.type === 'RUNPATH')!;
    const soname = dyn.find((d) => d.type === 'SONAME')!;
    const orig = fs.readFileSync(file);
    const sonameOff = orig.readBigUInt64LE(soname.pos + 8);
    // RUNPATH = "dep.so.1", the tail of SONAME "libdep.so.1".
    const a = Buffer.from(orig);
    a.writeBigUInt64LE(sonameOff + 3n, runpath.pos + 8);
    expect(readElf(a, 'crafted')).toMatchObject({ soname: 'libdep.so.1', runpath: 'dep.so.1' });
    const e1 = expectUnsupported(() => patchElf(a, { rpath: 'x' }, 'crafted'), /SONAME/);
    expect(e1.message).toMatch(/libdep\.so\.1/);
    // RUNPATH = SONAME itself.
    const b = Buffer.from(orig);
    b.writeBigUInt64LE(sonameOff, runpath.pos + 8);
    expectUnsupported(() => patchElf(b, { rpath: 'x' }, 'crafted'), /SONAME/);
    // RUNPATH = the name of the dynamic symbol "dep".
    const dynstr = section(file, '.dynstr');
    const depOff = orig.subarray(dynstr.off, dynstr.off + dynstr.size).indexOf(Buffer.from('\0dep\0')) + 1;
    expect(depOff).toBeGreaterThan(0);
    const c = Buffer.from(orig);
    c.writeBigUInt64LE(BigInt(depOff), runpath.pos + 8);
    expectUnsupported(() => patchElf(c, { rpath: 'x' }, 'crafted'), /dynamic symbol/);
    expect(c.equals(b) || c.equals(a)).toBe(false);
  });

  it('crafted: both RPATH and RUNPATH end up as one RPATH string', () => {
    const file = T('A/libdep.so.1');
    const dyn = readelfDynamic(file);
    const soname = dyn.find((d) => d.type === 'SONAME')!;
    const runpath = dyn.find((d) => d.type === 'RUNPATH')!;
    const data = copyOf(file);
    // Turn the SONAME entry into a DT_RPATH sharing the RUNPATH string.
    data.writeBigUInt64LE(15n, soname.pos);
    data.writeBigUInt64LE(data.readBigUInt64LE(runpath.pos + 8), soname.pos + 8);
    const changes = patchElf(data, { rpath: '$ORIGIN' }, 'crafted');
    expect(changes).toEqual([
      `RPATH /nix/store/${HASH}-foo-1.0/lib -> RPATH $ORIGIN`,
      `RUNPATH /nix/store/${HASH}-foo-1.0/lib -> RPATH $ORIGIN`,
    ]);
    expect(readElf(data, 'crafted')).toMatchObject({ rpath: '$ORIGIN', runpath: undefined });
    const out = T('out', 'crafted.so');
    writeExec(out, data);
    const rp = must('readelf', ['-dW', out])
      .split('\n')
      .filter((l) => /\((RPATH|RUNPATH)\)/.test(l));
    expect(rp).toHaveLength(2);
    expect(rp.every((l) => l.includes('(RPATH)') && l.includes('[$ORIGIN]'))).toBe(true);
    expect(patchElf(data, { rpath: '$ORIGIN' }, 'crafted')).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed input

function ph(buf: Buffer, type: number): number {
  const phoff = Number(buf.readBigUInt64LE(32));
  const phnum = buf.readUInt16LE(56);
  for (let i = 0; i < phnum; i++) if (buf.readUInt32LE(phoff + i * 56) === type) return phoff + i * 56;
  throw new Error(`no program header of type ${type}`);
}

describe('malformed input', () => {
  it('every truncation of a library and of /bin/ls is an ElfError naming the file', () => {
    const lib = fs.readFileSync(T('A/libdep.so.1'));
    for (let len = 0; len < lib.length; len++) {
      const cut = lib.subarray(0, len);
      expectElfError(() => readElf(cut, 'libdep.so.1'), 'libdep.so.1', len >= 4 ? /truncated/ : undefined);
      expectElfError(() => patchElf(Buffer.from(cut), { rpath: '$ORIGIN' }, 'libdep.so.1'), 'libdep.so.1');
    }
    const ls = fs.readFileSync('/bin/ls');
    const step = Math.ceil(ls.length / 1500);
    for (let len = 0; len < ls.length; len += len < 4096 ? 7 : step) {
      expectElfError(() => readElf(ls.subarray(0, len), 'ls'), 'ls');
    }
    expectElfError(
      () => readElf(lib.subarray(0, 1200), 'libfoo.so.1'),
      'libfoo.so.1',
      /^libfoo\.so\.1: truncated: .* ends at \d+, file has 1200 bytes$/,
    );
  });

  it('wrong magic, 32-bit, big-endian, bad header fields', () => {
    const lib = fs.readFileSync(T('A/libdep.so.1'));
    expectElfError(() => readElf(Buffer.from('#!/bin/sh\necho hi\n'), 'script'), 'script', /not an ELF file/);
    expectElfError(() => readElf(Buffer.alloc(0), 'empty'), 'empty', /truncated|not an ELF/);
    const m = (off: number, v: number, size = 1): Buffer => {
      const b = Buffer.from(lib);
      if (size === 1) b[off] = v;
      else if (size === 2) b.writeUInt16LE(v, off);
      else b.writeBigUInt64LE(BigInt(v), off);
      return b;
    };
    expectElfError(() => readElf(m(0, 0x7e), 'x'), 'x', /bad magic/);
    expectElfError(() => readElf(m(4, 1), 'x'), 'x', /32-bit.*ELFCLASS32/);
    expectElfError(() => readElf(m(4, 3), 'x'), 'x', /class/);
    expectElfError(() => readElf(m(5, 2), 'x'), 'x', /big-endian/);
    expectElfError(() => readElf(m(5, 0), 'x'), 'x', /data encoding/);
    expectElfError(() => readElf(m(54, 32, 2), 'x'), 'x', /program header entry size/);
    expectElfError(() => readElf(m(32, lib.length - 10, 8), 'x'), 'x', /program header table .* ends at/);
    expectElfError(() => readElf(m(40, 2 ** 40, 8), 'x'), 'x', /section header table/);
    // A real 32-bit header: ELFCLASS32 is refused before any 64-bit field is read.
    const elf32 = Buffer.alloc(52);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]).copy(elf32);
    expectElfError(() => readElf(elf32, 'elf32'), 'elf32', /ELFCLASS32/);
    const be = Buffer.from(elf32);
    be[4] = 2;
    be[5] = 2;
    expectElfError(() => patchElf(be, { interp: '/x' }, 'be'), 'be', /big-endian/);
  });

  it('absurd counts fail fast', () => {
    const lib = Buffer.from(fs.readFileSync(T('A/libdep.so.1')));
    const shoff = Number(lib.readBigUInt64LE(40));
    // PN_XNUM: the real count comes from section 0's sh_info.
    lib.writeUInt16LE(0xffff, 56);
    lib.writeUInt32LE(0xffffffff, shoff + 44);
    expectElfError(() => readElf(lib, 'x'), 'x', /program header table \(4294967295 entries/);
    const lib2 = Buffer.from(fs.readFileSync(T('A/libdep.so.1')));
    lib2.writeUInt16LE(0, 60);
    lib2.writeBigUInt64LE(2n ** 40n, shoff + 32);
    expectElfError(() => readElf(lib2, 'x'), 'x', /section header table/);
  });

  it('segments and sections past the end of the file', () => {
    const orig = fs.readFileSync(T('prog'));
    const dynPh = ph(orig, 2);
    const a = Buffer.from(orig);
    a.writeBigUInt64LE(BigInt(orig.length), dynPh + 8);
    expectElfError(() => readElf(a, 'prog'), 'prog', /PT_DYNAMIC .* ends at/);
    const b = Buffer.from(orig);
    b.writeBigUInt64LE(0xffffffffffffff00n, dynPh + 8);
    expectElfError(() => readElf(b, 'prog'), 'prog', /PT_DYNAMIC/);
    const c = Buffer.from(orig);
    c.writeBigUInt64LE(0x7fffffffffffffffn, ph(orig, 3) + 32);
    expectElfError(() => readElf(c, 'prog'), 'prog', /PT_INTERP/);
    const shoff = Number(orig.readBigUInt64LE(40));
    const d = Buffer.from(orig);
    d.writeBigUInt64LE(BigInt(orig.length) - 4n, shoff + 64 + 24); // section 1's sh_offset
    expectElfError(() => readElf(d, 'prog'), 'prog', /section 1 /);
  });

  it('string tables: offsets outside, no terminating NUL, DT_STRTAB unmappable', () => {
    const file = T('A/libdep.so.1');
    const orig = fs.readFileSync(file);
    const dyn = readelfDynamic(file);
    const strsz = dyn.find((d) => d.type === 'STRSZ')!;
    const strtab = dyn.find((d) => d.type === 'STRTAB')!;
    const runpath = dyn.find((d) => d.type === 'RUNPATH')!;
    const soname = dyn.find((d) => d.type === 'SONAME')!;
    const rpOff = orig.readBigUInt64LE(runpath.pos + 8);
    // DT_STRSZ cuts the last string (the RUNPATH) before its NUL, and the section says the same.
    const a = Buffer.from(orig);
    a.writeBigUInt64LE(rpOff + 5n, strsz.pos + 8);
    expectElfError(() => readElf(a, 'lib'), 'lib', /RUNPATH string .* no terminating NUL/);
    // A SONAME offset outside the table.
    const b = Buffer.from(orig);
    b.writeBigUInt64LE(100000n, soname.pos + 8);
    expectElfError(
      () => readElf(b, 'lib'),
      'lib',
      /SONAME string offset 100000 is outside the dynamic string table/,
    );
    // DT_STRTAB not in any PT_LOAD: found again through the section headers.
    const c = Buffer.from(orig);
    c.writeBigUInt64LE(0x7000000000n, strtab.pos + 8);
    expect(readElf(c, 'lib')).toEqual(readElf(orig, 'lib'));
    // ... unless there are no section headers.
    c.writeBigUInt64LE(0n, 40);
    expectElfError(
      () => readElf(c, 'lib'),
      'lib',
      /DT_STRTAB .* not inside any PT_LOAD segment and there is no \.dynstr section/,
    );
    // DT_STRSZ far too large.
    const d = Buffer.from(orig);
    d.writeBigUInt64LE(1n << 40n, strsz.pos + 8);
    expectElfError(() => readElf(d, 'lib'), 'lib', /DT_STRSZ/);
    // PT_INTERP without NUL.
    const prog = Buffer.from(fs.readFileSync(T('prog')));
    const interp = section(T('prog'), '.interp');
    prog.fill(0x41, interp.off, interp.off + interp.size);
    expectElfError(() => readElf(prog, 'prog'), 'prog', /PT_INTERP string .* no terminating NUL/);
  });
});

// ---------------------------------------------------------------------------------------------
// Random mutations

interface FuzzBase {
  name: string;
  data: Buffer;
  regions: { off: number; size: number }[];
}

function fuzzBase(file: string): FuzzBase {
  const data = fs.readFileSync(file);
  const interesting = new Set([
    '.interp',
    '.dynamic',
    '.dynstr',
    '.dynsym',
    '.gnu.hash',
    '.hash',
    '.gnu.version_d',
    '.gnu.version_r',
  ]);
  const regions = [
    { off: 0, size: 64 },
    { off: Number(data.readBigUInt64LE(32)), size: data.readUInt16LE(56) * 56 },
    { off: Number(data.readBigUInt64LE(40)), size: data.readUInt16LE(60) * 64 },
    ...readelfSections(file).filter((s) => interesting.has(s.name) && s.size > 0),
  ];
  return { name: path.basename(file), data, regions };
}

describe('random mutations', () => {
  it('readElf and patchElf only ever throw ElfError, never corrupt, and stay consistent', () => {
    const bases = [
      T('A/libdep.so.1'),
      T('prog'),
      T('prog-rpath'),
      T('libtail.so'),
      '/lib/x86_64-linux-gnu/libz.so.1',
      '/bin/ls',
    ].map(fuzzBase);
    const rand = prng(0x5eed1234);
    const int = (n: number): number => Math.floor(rand() * n);
    const VALUES = [
      0n,
      1n,
      2n,
      3n,
      0x7fn,
      0x80n,
      0xffn,
      0xffffn,
      0xffffffffn,
      0x7fffffffffffffffn,
      0xffffffffffffffffn,
    ];
    const requests: PatchRequest[] = [
      { interp: '/var/task/lib/ld.so', rpath: '$ORIGIN' },
      { rpath: '$ORIGIN/lib' },
      { interp: '/l' },
    ];
    const failures: string[] = [];
    const stats = { readOk: 0, readErr: 0, patched: 0, unsupported: 0, patchErr: 0 };
    const ITER = 3000;
    for (let it = 0; it < ITER; it++) {
      const base = bases[it % bases.length]!;
      const m = Buffer.from(base.data);
      const nmut = 1 + int(4);
      for (let k = 0; k < nmut; k++) {
        const reg = base.regions[int(base.regions.length)]!;
        const pos = Math.min(m.length - 1, reg.off + int(Math.max(1, reg.size)));
        const kind = int(4);
        if (kind === 0) m[pos] = int(256);
        else if (kind === 1) m[pos] = m[pos]! ^ (1 << int(8));
        else {
          const at = Math.min(m.length - 8, pos & ~(kind === 2 ? 3 : 7));
          const v = rand() < 0.5 ? VALUES[int(VALUES.length)]! : BigInt(int(m.length * 2));
          if (kind === 2) m.writeUInt32LE(Number(v & 0xffffffffn), at);
          else m.writeBigUInt64LE(v, at);
        }
      }
      const where = `${base.name} iteration ${it}`;
      let before: ElfFile | undefined;
      try {
        before = readElf(m, 'fuzz');
        stats.readOk++;
      } catch (e) {
        stats.readErr++;
        if (!(e instanceof ElfError)) failures.push(`${where}: readElf threw ${String(e)}`);
      }
      const req = requests[it % requests.length]!;
      const copy = Buffer.from(m);
      try {
        const changes = patchElf(copy, req, 'fuzz');
        stats.patched++;
        if (copy.length !== m.length) failures.push(`${where}: length changed`);
        if (!before) {
          failures.push(`${where}: patchElf accepted what readElf refused`);
          continue;
        }
        const after = readElf(copy, 'fuzz');
        const wantInterp = req.interp ?? before.interp;
        const wantRpath = req.rpath ?? before.rpath;
        const wantRunpath = req.rpath !== undefined ? undefined : before.runpath;
        if (after.interp !== wantInterp || after.rpath !== wantRpath || after.runpath !== wantRunpath) {
          failures.push(`${where}: patched result ${JSON.stringify(after)} is not what was asked`);
        }
        if (
          JSON.stringify(after.needed) !== JSON.stringify(before.needed) ||
          after.soname !== before.soname
        ) {
          failures.push(`${where}: NEEDED/SONAME changed`);
        }
        if (changes.length === 0 && !copy.equals(m))
          failures.push(`${where}: bytes changed but no change reported`);
        const again = Buffer.from(copy);
        if (patchElf(again, req, 'fuzz').length !== 0 || !again.equals(copy))
          failures.push(`${where}: second patch not idempotent`);
      } catch (e) {
        if (e instanceof ElfPatchUnsupported) stats.unsupported++;
        else if (e instanceof ElfError) stats.patchErr++;
        else failures.push(`${where}: patchElf threw ${String(e)}`);
        if (!copy.equals(m)) failures.push(`${where}: a failed patch modified the buffer`);
      }
    }
    expect(failures.slice(0, 10), JSON.stringify(stats)).toEqual([]);
    expect(stats.readOk + stats.readErr).toBe(ITER);
    // The mutations exercise both outcomes.
    expect(stats.readErr).toBeGreaterThan(100);
    expect(stats.patched).toBeGreaterThan(100);
  });
});

describe('DT_NEEDED replaced by absolute paths (how a musl bundle beats LD_LIBRARY_PATH)', () => {
  const LONG = () => `${T('A')}:/nix/store/${HASH}-zlib-1.3.1/lib:/nix/store/${HASH}-glibc-2.40-66/lib`;
  beforeAll(() => {
    gcc('gcc', [
      '-o',
      'prog-abs',
      'main.c',
      'A/libdep.so.1',
      '-Wl,--enable-new-dtags',
      `-Wl,-rpath,${LONG()}`,
    ]);
    fs.mkdirSync(T('N'), { recursive: true });
    fs.copyFileSync(T('A/libdep.so.1'), T('N/libdep.so.1'));
  });

  it('writes the new names into the bytes the old search path frees, and the loader opens them directly', () => {
    const data = copyOf(T('prog-abs'));
    const size = data.length;
    const abs = T('N/libdep.so.1');
    const changes = patchElf(data, { rpath: '$ORIGIN', needed: { 'libdep.so.1': abs } }, 'prog-abs');
    expect(data.length).toBe(size);
    expect(changes).toEqual([`RUNPATH ${LONG()} -> RPATH $ORIGIN`, `NEEDED libdep.so.1 -> ${abs}`]);
    const out = T('abs', 'prog');
    writeExec(out, data);
    expect(readelfSummary(out)).toMatchObject({
      needed: [abs, 'libc.so.6'],
      rpath: '$ORIGIN',
      runpath: undefined,
    });
    expect(symbolsAndVersions(out)).toBe(symbolsAndVersions(T('prog-abs')));
    // LD_LIBRARY_PATH holds a decoy under the same name: an absolute DT_NEEDED is not searched for.
    const r = run(out, [], { env: { ...process.env, LD_LIBRARY_PATH: T('D') }, cwd: '/' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('dep=42 lib=7\n');
    // Patching again changes nothing.
    const again = Buffer.from(data);
    expect(patchElf(again, { rpath: '$ORIGIN', needed: { 'libdep.so.1': abs } }, 'prog-abs')).toEqual([]);
    expect(again.equals(data)).toBe(true);
  });

  it("moves a version need's file name with its DT_NEEDED, so glibc's version check still finds the library", () => {
    const data = copyOf(T('prog-abs'));
    const libc = fs.realpathSync('/lib/x86_64-linux-gnu/libc.so.6');
    patchElf(data, { rpath: '$ORIGIN', needed: { 'libc.so.6': libc } }, 'prog-abs');
    const out = T('abs2', 'prog');
    writeExec(out, data);
    expect(must('readelf', ['-V', out])).toContain(`File: ${libc}`);
    const r = run(out, [], { cwd: '/', env: { ...process.env, LD_LIBRARY_PATH: T('A') } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('dep=42 lib=7\n');
  });

  it('refuses, leaving the bytes alone, when the freed bytes cannot hold the new names', () => {
    const data = copyOf(T('prog-sys')); // RUNPATH is only A's short path
    const before = Buffer.from(data);
    expectUnsupported(
      () =>
        patchElf(
          data,
          { rpath: '$ORIGIN', needed: { 'libdep.so.1': `/${'x'.repeat(200)}/libdep.so.1` } },
          'prog-sys',
        ),
      /no room in the dynamic string table for the new DT_NEEDED names/,
    );
    expect(data.equals(before)).toBe(true);
  });
});
