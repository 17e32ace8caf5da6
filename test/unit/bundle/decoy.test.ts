import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decoyLibrary } from '../../../src/bundle/decoy.js';
import { EM_AARCH64, EM_X86_64, readElf } from '../../../src/bundle/elf.js';

/**
 * The loader check's decoys: the smallest shared object each loader accepts under a given soname,
 * checked against readelf and against glibc's and musl's own loaders.
 */

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'decoy-test-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(dir: string, soname: string, machine = EM_X86_64): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, soname);
  fs.writeFileSync(p, decoyLibrary(soname, machine), { mode: 0o755 });
  return p;
}

describe('decoyLibrary', () => {
  it('is an ELF shared object with only its SONAME, as readElf and readelf see it', () => {
    for (const [machine, name] of [
      [EM_X86_64, 'Advanced Micro Devices X86-64'],
      [EM_AARCH64, 'AArch64'],
    ] as const) {
      const p = write(path.join(tmp, String(machine)), 'libz.so.1', machine);
      expect(readElf(fs.readFileSync(p), p)).toMatchObject({
        type: 3,
        machine,
        soname: 'libz.so.1',
        needed: [],
        interp: undefined,
        rpath: undefined,
        runpath: undefined,
      });
      const seen = execFileSync('readelf', ['-hd', p], { encoding: 'utf8' });
      expect(seen).toContain('DYN (Shared object file)');
      expect(seen).toContain(name);
      expect(seen).toContain('Library soname: [libz.so.1]');
    }
  });

  it('refuses a name with a slash or a NUL', () => {
    expect(() => decoyLibrary('lib/x.so', EM_X86_64)).toThrow(/not a library name/);
    expect(() => decoyLibrary('x\0y', EM_X86_64)).toThrow(/not a library name/);
  });

  it("is what glibc's loader lists when LD_LIBRARY_PATH reaches it first", () => {
    const dir = path.join(tmp, 'glibc');
    write(dir, 'libz.so.1');
    const prog = path.join(tmp, 'zprog');
    fs.writeFileSync(
      path.join(tmp, 'z.c'),
      '#include <zlib.h>\nint main(void){return zlibVersion()[0] == 0;}\n',
    );
    execFileSync('gcc', ['-o', prog, path.join(tmp, 'z.c'), '-Wl,--no-as-needed', '-lz']);
    const r = spawnSync('/lib64/ld-linux-x86-64.so.2', ['--list', prog], {
      encoding: 'utf8',
      env: { LD_LIBRARY_PATH: dir },
    });
    expect(r.stdout).toMatch(new RegExp(`libz\\.so\\.1 => ${dir}/libz\\.so\\.1 \\(0x`));
  });

  it("is what musl's loader lists (and then fails on) when LD_LIBRARY_PATH reaches it first", () => {
    const musl = '/lib/ld-musl-x86_64.so.1';
    if (!fs.existsSync(musl)) throw new Error('musl is not installed (.ci/run installs musl-tools)');
    const dir = path.join(tmp, 'musl');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(tmp, 'g.c'), 'const char *greet(void){return "hi";}\n');
    fs.writeFileSync(
      path.join(tmp, 'm.c'),
      'const char *greet(void);\nint main(void){return greet()[0] != 104;}\n',
    );
    execFileSync('musl-gcc', [
      '-shared',
      '-fPIC',
      '-Wl,-soname,libgreet.so.1',
      '-o',
      path.join(dir, 'libgreet.so.1'),
      path.join(tmp, 'g.c'),
    ]);
    const prog = path.join(tmp, 'mprog');
    execFileSync('musl-gcc', [
      '-o',
      prog,
      path.join(tmp, 'm.c'),
      `-L${dir}`,
      '-l:libgreet.so.1',
      `-Wl,-rpath,${dir}`,
    ]);
    const decoys = path.join(tmp, 'musl-decoys');
    write(decoys, 'libgreet.so.1');
    const r = spawnSync(musl, ['--list', prog], { encoding: 'utf8', env: { LD_LIBRARY_PATH: decoys } });
    expect(r.stdout).toMatch(new RegExp(`libgreet\\.so\\.1 => ${decoys}/libgreet\\.so\\.1 \\(0x`));
    expect(r.stderr).toMatch(/Error relocating .*greet: symbol not found/);
  });
});
