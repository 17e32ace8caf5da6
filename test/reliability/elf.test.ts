import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { BundleEntry } from '../../src/bundle/bundle.js';
import { patchCopy, staticCheck } from '../../src/bundle/patch.js';
import { resolveClosure } from '../../src/bundle/closure.js';
import { elfArchitecture } from '../../src/deploy/zipinfo.js';
import {
  ElfError,
  ElfPatchUnsupported,
  isElf,
  patchElf,
  readElf,
  type PatchRequest,
} from '../../src/bundle/elf.js';
import { ActionError, errorMessage } from '../../src/util/errors.js';
import { checkProgram } from '../../src/bundle/program.js';
import { packageStage } from '../../src/stages/package.js';
import { verifyZip } from '../../src/zip/read.js';
import { jobContext, memoryLog } from '../support/doubles.js';
import { getFixtures, type Fixtures } from '../support/nix.js';
import { prng } from '../support/prng.js';
import { closureOf, firstLine, listTree, reliabilityCase, strayTemps } from './support.js';

/**
 * Malformed ELF: real ELF files (the fixtures' Nix-built programs and libraries, and host
 * libraries and programs) mutated many thousands of times with a seeded PRNG: truncation,
 * header bytes, offsets and sizes past the end, string tables and version chains that never
 * end. The reader, the patcher and every piece of the package stage that looks at ELF bytes
 * must only ever fail with a clear error (ElfError, naming the file; ActionError at the stage's
 * edge), never crash or hang, and a failed patch must leave the bytes alone. A few mutated
 * programs go through the whole package stage from a fake build output: a clear error, no zip.
 */

const GROUP = 'malformed ELF';
/** Any single probe (read, patch, checks) slower than this counts as a hang. */
const HANG_MS = 1000;

interface Section {
  name: string;
  hdr: number;
  type: number;
  offset: number;
  size: number;
}

interface Base {
  label: string;
  file: string;
  data: Buffer;
  sections: Section[];
  phdrs: { pos: number; type: number; offset: number; filesz: number }[];
  dyn: { pos: number; tag: number }[];
  /** Header regions worth mutating: ELF header, program headers, section headers, dynamic tables. */
  regions: { off: number; size: number }[];
}

/** Reads a known-good ELF64 LE file's layout (this file is pristine, so no checks). */
function layout(label: string, file: string): Base {
  const data = fs.readFileSync(file);
  const phoff = Number(data.readBigUInt64LE(32));
  const shoff = Number(data.readBigUInt64LE(40));
  const phnum = data.readUInt16LE(56);
  const shnum = data.readUInt16LE(60);
  const shstrndx = data.readUInt16LE(62);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const h = shoff + i * 64;
    return {
      nameOff: data.readUInt32LE(h),
      hdr: h,
      type: data.readUInt32LE(h + 4),
      offset: Number(data.readBigUInt64LE(h + 24)),
      size: Number(data.readBigUInt64LE(h + 32)),
    };
  });
  const strtab = raw[shstrndx];
  const sections: Section[] = raw.map((s) => {
    const at = (strtab?.offset ?? 0) + s.nameOff;
    const end = data.indexOf(0, at);
    return {
      name: strtab ? data.toString('latin1', at, end) : '',
      hdr: s.hdr,
      type: s.type,
      offset: s.offset,
      size: s.size,
    };
  });
  const phdrs = Array.from({ length: phnum }, (_, i) => {
    const pos = phoff + i * 56;
    return {
      pos,
      type: data.readUInt32LE(pos),
      offset: Number(data.readBigUInt64LE(pos + 8)),
      filesz: Number(data.readBigUInt64LE(pos + 32)),
    };
  });
  const dyn: { pos: number; tag: number }[] = [];
  const dynSeg = phdrs.find((p) => p.type === 2);
  if (dynSeg) {
    for (let pos = dynSeg.offset; pos + 16 <= dynSeg.offset + dynSeg.filesz; pos += 16) {
      const tag = Number(data.readBigUInt64LE(pos));
      if (tag === 0) break;
      dyn.push({ pos, tag });
    }
  }
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
    { off: phoff, size: phnum * 56 },
    { off: shoff, size: shnum * 64 },
    ...sections
      .filter((s) => interesting.has(s.name) && s.size > 0)
      .map((s) => ({ off: s.offset, size: s.size })),
  ];
  return { label, file, data, sections, phdrs, dyn, regions };
}

// ---- one probe: everything that reads ELF bytes, on one mutated buffer ----------------------------

interface Stats {
  probes: number;
  parsed: number;
  elfErrors: number;
  patched: number;
  unsupported: number;
  maxMs: number;
  failures: string[];
  /** A few ElfError messages, to show in the table. */
  samples: Set<string>;
}

function newStats(): Stats {
  return {
    probes: 0,
    parsed: 0,
    elfErrors: 0,
    patched: 0,
    unsupported: 0,
    maxMs: 0,
    failures: [],
    samples: new Set(),
  };
}

const REQUESTS: PatchRequest[] = [
  { interp: '/var/task/lib/ld-linux-x86-64.so.2', rpath: '$ORIGIN/lib' },
  { rpath: '$ORIGIN' },
  { interp: '/l' },
];

const NAME = 'mutant';

function fail(st: Stats, where: string, msg: string): void {
  if (st.failures.length < 20) st.failures.push(`${where}: ${msg}`);
}

/** Reads, patches and checks buf as the package stage would; records anything but a clear error. */
function probe(st: Stats, buf: Buffer, where: string, n: number): void {
  st.probes++;
  const t0 = performance.now();
  let parsed = false;
  try {
    readElf(buf, NAME);
    parsed = true;
    st.parsed++;
  } catch (e) {
    if (!(e instanceof ElfError)) fail(st, where, `readElf threw ${String(e)}`);
    else {
      st.elfErrors++;
      if (!e.message.startsWith(`${NAME}: `)) fail(st, where, `ElfError not naming the file: ${e.message}`);
      if (st.samples.size < 400) st.samples.add(e.message.replace(/\d+/g, 'N'));
    }
  }
  const req = REQUESTS[n % REQUESTS.length]!;
  const copy = Buffer.from(buf);
  try {
    patchElf(copy, req, NAME);
    st.patched++;
    if (!parsed) fail(st, where, 'patchElf accepted what readElf refused');
    const after = readElf(copy, NAME);
    if (req.rpath !== undefined && (after.rpath !== req.rpath || after.runpath !== undefined))
      fail(st, where, `patched search path is ${after.rpath ?? '-'} / ${after.runpath ?? '-'}`);
    if (req.interp !== undefined && after.interp !== req.interp) fail(st, where, 'patched interp differs');
    const again = Buffer.from(copy);
    if (patchElf(again, req, NAME).length !== 0 || !again.equals(copy))
      fail(st, where, 'patch not idempotent');
  } catch (e) {
    if (e instanceof ElfPatchUnsupported) st.unsupported++;
    else if (!(e instanceof ElfError)) fail(st, where, `patchElf threw ${String(e)}`);
    if (!copy.equals(buf)) fail(st, where, 'a failed patch changed the bytes');
  }
  // The package stage's other readers of ELF bytes.
  const entry: BundleEntry = {
    name: 'bootstrap',
    source: '/nix/store/x-mutant/bin/bootstrap',
    storePath: '/nix/store/x-mutant',
    kind: 'program',
    bytes: buf.length,
    mode: 0o755,
    patched: [],
    data: buf,
  };
  try {
    staticCheck([entry]);
  } catch (e) {
    if (!(e instanceof ElfError)) fail(st, where, `staticCheck threw ${String(e)}`);
  }
  for (const fn of [
    () => {
      checkProgram('bin/bootstrap', '/nix/store/x-mutant/bin/bootstrap', buf, '/nix/store/x-mutant');
    },
    () => elfArchitecture(buf),
  ]) {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof ActionError)) fail(st, where, `a check threw ${String(e)}`);
    }
  }
  if (isElf(buf) !== (buf.length >= 4 && buf.readUInt32BE(0) === 0x7f454c46)) fail(st, where, 'isElf wrong');
  const ms = performance.now() - t0;
  st.maxMs = Math.max(st.maxMs, ms);
  if (ms > HANG_MS) fail(st, where, `took ${ms.toFixed(0)} ms`);
}

function summary(st: Stats): string {
  return (
    `${st.probes} mutants: ${st.elfErrors} ElfError, ${st.parsed} still parse (${st.patched} patched, ` +
    `${st.unsupported} patch refused), ${st.failures.length} crashes/hangs, slowest ${st.maxMs.toFixed(1)} ms, ` +
    `${st.samples.size} distinct messages`
  );
}

function expectClean(st: Stats, minProbes: number): void {
  expect(st.failures, summary(st)).toEqual([]);
  expect(st.probes).toBeGreaterThanOrEqual(minProbes);
  expect(st.maxMs).toBeLessThan(HANG_MS);
  expect(st.elfErrors).toBeGreaterThan(0);
}

// ---- mutations --------------------------------------------------------------------------------

const BIG = [0xffffffffn, 0x7fffffffffffffffn, 0xffffffffffffffffn, 0x100000000n, 1n << 40n];

function put64(b: Buffer, at: number, v: bigint): void {
  if (at >= 0 && at + 8 <= b.length) b.writeBigUInt64LE(BigInt.asUintN(64, v), at);
}
function put32(b: Buffer, at: number, v: number): void {
  if (at >= 0 && at + 4 <= b.length) b.writeUInt32LE(v >>> 0, at);
}
function put16(b: Buffer, at: number, v: number): void {
  if (at >= 0 && at + 2 <= b.length) b.writeUInt16LE(v & 0xffff, at);
}

/** Values a field may take that point at or past the end of the file. */
function pastEnd(len: number, rand: () => number): bigint[] {
  return [
    BigInt(len),
    BigInt(len + 1),
    BigInt(len - 1),
    BigInt(len + Math.floor(rand() * 4096)),
    BIG[Math.floor(rand() * BIG.length)]!,
  ];
}

const DT = {
  NEEDED: 1,
  HASH: 4,
  STRTAB: 5,
  SYMTAB: 6,
  STRSZ: 10,
  SONAME: 14,
  RPATH: 15,
  RUNPATH: 29,
  GNU_HASH: 0x6ffffef5,
  VERDEF: 0x6ffffffc,
  VERDEFNUM: 0x6ffffffd,
  VERNEED: 0x6ffffffe,
  VERNEEDNUM: 0x6fffffff,
};

/** Every "offset or size past the end" variant of a base (deterministic list, values seeded). */
function offsetMutants(b: Base, rand: () => number): { what: string; buf: Buffer }[] {
  const out: { what: string; buf: Buffer }[] = [];
  const len = b.data.length;
  const add = (what: string, f: (m: Buffer) => void): void => {
    const m = Buffer.from(b.data);
    f(m);
    out.push({ what, buf: m });
  };
  for (const v of pastEnd(len, rand)) {
    add(`e_phoff=${v}`, (m) => {
      put64(m, 32, v);
    });
    add(`e_shoff=${v}`, (m) => {
      put64(m, 40, v);
    });
  }
  for (const n of [0, 1, 0xffff, 0x7fff]) {
    add(`e_phnum=${n}`, (m) => {
      put16(m, 56, n);
    });
    add(`e_shnum=${n}`, (m) => {
      put16(m, 60, n);
    });
    add(`e_shstrndx=${n}`, (m) => {
      put16(m, 62, n);
    });
  }
  for (const [i, p] of b.phdrs.entries()) {
    for (const v of pastEnd(len, rand)) {
      add(`phdr ${i} p_offset=${v}`, (m) => {
        put64(m, p.pos + 8, v);
      });
      add(`phdr ${i} p_filesz=${v}`, (m) => {
        put64(m, p.pos + 32, v);
      });
      add(`phdr ${i} p_vaddr=${v}`, (m) => {
        put64(m, p.pos + 16, v);
      });
    }
  }
  for (const [i, s] of b.sections.entries()) {
    if (!['.dynstr', '.dynsym', '.dynamic', '.gnu.version_r', '.gnu.hash', '.shstrtab'].includes(s.name))
      continue;
    for (const v of pastEnd(len, rand)) {
      add(`section ${i} ${s.name} sh_offset=${v}`, (m) => {
        put64(m, s.hdr + 24, v);
      });
      add(`section ${i} ${s.name} sh_size=${v}`, (m) => {
        put64(m, s.hdr + 32, v);
      });
    }
    add(`section ${i} ${s.name} sh_link=self`, (m) => {
      put32(m, s.hdr + 40, i);
    });
    add(`section ${i} ${s.name} sh_entsize=7`, (m) => {
      put64(m, s.hdr + 56, 7n);
    });
  }
  const dynstr = b.sections.find((s) => s.name === '.dynstr');
  for (const d of b.dyn) {
    const addrTags = [DT.STRTAB, DT.SYMTAB, DT.HASH, DT.GNU_HASH, DT.VERNEED, DT.VERDEF];
    const strTags = [DT.NEEDED, DT.SONAME, DT.RPATH, DT.RUNPATH];
    if (addrTags.includes(d.tag))
      for (const v of pastEnd(len, rand))
        add(`DT 0x${d.tag.toString(16)} d_ptr=${v}`, (m) => {
          put64(m, d.pos + 8, v);
        });
    if (strTags.includes(d.tag) && dynstr) {
      for (const v of [BigInt(dynstr.size), BigInt(dynstr.size - 1), BigInt(dynstr.size + 100), BIG[0]!])
        add(`DT ${d.tag} string offset ${v}`, (m) => {
          put64(m, d.pos + 8, v);
        });
    }
    if (d.tag === DT.STRSZ)
      for (const v of [0n, BigInt(len), BIG[2]!])
        add(`DT_STRSZ=${v}`, (m) => {
          put64(m, d.pos + 8, v);
        });
    if (d.tag === DT.VERNEEDNUM || d.tag === DT.VERDEFNUM)
      for (const v of [0n, 0xffffn, BIG[0]!])
        add(`DT 0x${d.tag.toString(16)}=${v}`, (m) => {
          put64(m, d.pos + 8, v);
        });
  }
  return out;
}

/** String tables and chains that never end: no NUL, self-referencing next links, hash chains without a stop bit. */
function loopMutants(b: Base, rand: () => number): { what: string; buf: Buffer }[] {
  const out: { what: string; buf: Buffer }[] = [];
  const add = (what: string, f: (m: Buffer) => void): void => {
    const m = Buffer.from(b.data);
    f(m);
    out.push({ what, buf: m });
  };
  const sec = (name: string): Section | undefined => b.sections.find((s) => s.name === name);
  const dynstr = sec('.dynstr');
  if (dynstr) {
    add('.dynstr without any NUL', (m) => {
      for (let i = dynstr.offset; i < dynstr.offset + dynstr.size; i++) if (m[i] === 0) m[i] = 0x41;
    });
    add('.dynstr: last NUL removed', (m) => {
      m[dynstr.offset + dynstr.size - 1] = 0x41;
    });
    for (let k = 0; k < 8; k++) {
      const at = dynstr.offset + Math.floor(rand() * dynstr.size);
      add(`.dynstr: NULs cleared from ${at - dynstr.offset} on`, (m) => {
        for (let i = at; i < dynstr.offset + dynstr.size; i++) if (m[i] === 0) m[i] = 0x2f;
      });
    }
  }
  const interp = sec('.interp');
  if (interp)
    add('PT_INTERP without its NUL', (m) => {
      m.fill(0x2f, interp.offset, interp.offset + interp.size);
    });
  const vr = sec('.gnu.version_r');
  if (vr && vr.size >= 16) {
    add('verneed: vn_next points at itself (0 advance, count huge)', (m) => {
      put32(m, vr.offset + 12, 0);
      for (const d of b.dyn) if (d.tag === DT.VERNEEDNUM) put64(m, d.pos + 8, 0xffffffffn);
    });
    add('verneed: vn_next 16 forever', (m) => {
      put32(m, vr.offset + 12, 16);
      for (const d of b.dyn) if (d.tag === DT.VERNEEDNUM) put64(m, d.pos + 8, 0xffffffffn);
    });
    add('verneed: vna_next 16, vn_cnt 0xffff', (m) => {
      put16(m, vr.offset + 2, 0xffff);
      const aux = vr.offset + m.readUInt32LE(vr.offset + 8);
      put32(m, aux + 12, 16);
    });
    add('verneed: vn_aux past the end', (m) => {
      put32(m, vr.offset + 8, 0xfffffff0);
    });
    add('verneed: vna_name past the table', (m) => {
      const aux = vr.offset + m.readUInt32LE(vr.offset + 8);
      put32(m, aux + 8, 0x7fffffff);
    });
  }
  const vd = sec('.gnu.version_d');
  if (vd && vd.size >= 20) {
    add('verdef: vd_next 20 forever, count huge', (m) => {
      put32(m, vd.offset + 16, 20);
      for (const d of b.dyn) if (d.tag === DT.VERDEFNUM) put64(m, d.pos + 8, 0xffffffffn);
    });
    add('verdef: vda_next 8, vd_cnt 0xffff', (m) => {
      put16(m, vd.offset + 6, 0xffff);
      const aux = vd.offset + m.readUInt32LE(vd.offset + 12);
      put32(m, aux + 4, 8);
    });
  }
  const gh = sec('.gnu.hash');
  if (gh && gh.size >= 16) {
    add('GNU hash: chains without a stop bit', (m) => {
      const nb = m.readUInt32LE(gh.offset);
      const bloom = m.readUInt32LE(gh.offset + 8);
      for (let i = gh.offset + 16 + bloom * 8 + nb * 4; i + 4 <= gh.offset + gh.size; i += 4) put32(m, i, 2);
    });
    add('GNU hash: 2^32-1 buckets', (m) => {
      put32(m, gh.offset, 0xffffffff);
    });
    add('GNU hash: bloom size 2^31', (m) => {
      put32(m, gh.offset + 8, 0x80000000);
    });
    add('GNU hash: a bucket far past the chains', (m) => {
      const bloom = m.readUInt32LE(gh.offset + 8);
      put32(m, gh.offset + 16 + bloom * 8, 0x7fffffff);
    });
  }
  const dynSeg = b.phdrs.find((p) => p.type === 2);
  if (dynSeg) {
    add('dynamic section without DT_NULL, spanning the rest of the file', (m) => {
      const last = b.dyn[b.dyn.length - 1];
      if (last)
        for (let at = last.pos + 16; at + 16 <= dynSeg.offset + dynSeg.filesz; at += 16)
          m.copy(m, at, last.pos, last.pos + 16);
      put64(m, dynSeg.pos + 32, BigInt(m.length - dynSeg.offset));
    });
    add('every dynamic entry a DT_NEEDED at offset 0', (m) => {
      for (const d of b.dyn) {
        put64(m, d.pos, 1n);
        put64(m, d.pos + 8, 0n);
      }
    });
    add('DT_STRTAB pointing at the dynamic section itself', (m) => {
      const strtab = b.dyn.find((d) => d.tag === DT.STRTAB);
      const load = b.phdrs.find(
        (p) => p.type === 1 && p.offset <= dynSeg.offset && dynSeg.offset < p.offset + p.filesz,
      );
      if (strtab && load) {
        const vaddr = m.readBigUInt64LE(load.pos + 16) + BigInt(dynSeg.offset - load.offset);
        put64(m, strtab.pos + 8, vaddr);
      }
    });
  }
  return out;
}

/** A random mutation in the header regions: bytes, bit flips, 32/64-bit fields set to edge values. */
function randomMutant(b: Base, rand: () => number, maxMut: number): Buffer {
  const int = (n: number): number => Math.floor(rand() * n);
  const m = Buffer.from(b.data);
  const nmut = 1 + int(maxMut);
  for (let k = 0; k < nmut; k++) {
    const reg = b.regions[int(b.regions.length)]!;
    const pos = Math.min(m.length - 1, reg.off + int(Math.max(1, reg.size)));
    const kind = int(5);
    if (kind === 0) m[pos] = int(256);
    else if (kind === 1) m[pos] = m[pos]! ^ (1 << int(8));
    else if (kind === 2) put32(m, pos & ~3, rand() < 0.5 ? 0xffffffff : int(m.length * 2));
    else if (kind === 3) put64(m, pos & ~7, rand() < 0.5 ? BIG[int(BIG.length)]! : BigInt(int(m.length * 2)));
    else put16(m, pos & ~1, int(0x10000));
  }
  return m;
}

// ---- the bases ----------------------------------------------------------------------------------

let fx: Fixtures;
let bases: Base[] = [];
let work: string;

function pick(closure: string[], rel: string): string | undefined {
  for (const sp of closure) {
    const p = path.join(sp, rel);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

beforeAll(async () => {
  fx = await getFixtures();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'rel-elf-'));
  const deepClosure = closureOf(fx.deep.outPath);
  const armClosure = closureOf(fx.aarch64.outPath);
  const candidates: [string, string | undefined][] = [
    ['small/bin/bootstrap (Nix-built)', path.join(fx.small.outPath, 'bin/bootstrap')],
    ['deep/bin/bootstrap (Nix-built)', path.join(fx.deep.outPath, 'bin/bootstrap')],
    ['libcurl.so.4 (deep closure)', pick(deepClosure, 'lib/libcurl.so.4')],
    ['static/bin/bootstrap (Nix-built)', path.join(fx.static.outPath, 'bin/bootstrap')],
    ['aarch64/bin/bootstrap (Nix-built)', path.join(fx.aarch64.outPath, 'bin/bootstrap')],
    ['libgreet.so.1 (aarch64 closure)', pick(armClosure, 'lib/libgreet.so.1')],
    ['host libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1'],
    ['host libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
    ['host ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'],
    ['host /bin/ls', '/bin/ls'],
    ['host aarch64 libm.so.6', '/usr/aarch64-linux-gnu/lib/libm.so.6'],
  ];
  bases = candidates
    .filter((c): c is [string, string] => c[1] !== undefined && fs.existsSync(c[1]))
    .map(([label, file]) => layout(label, fs.realpathSync(file)));
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** Iterations per base, fewer for big files (each mutant is a copy). */
function iterations(b: Base, n: number): number {
  return b.data.length > 1_000_000 ? Math.ceil(n / 8) : b.data.length > 200_000 ? Math.ceil(n / 2) : n;
}

describe('malformed ELF: reader, patcher and checks only ever fail clearly', () => {
  reliabilityCase(
    GROUP,
    'the real ELF files mutated',
    'fixture outputs and host libraries, both architectures',
    ({ saw }) => {
      saw(`${bases.length} files: ${bases.map((b) => b.label).join(', ')}`);
      expect(bases.length).toBeGreaterThanOrEqual(8);
      for (const b of bases) expect(() => readElf(b.data, b.label)).not.toThrow();
    },
  );

  reliabilityCase(
    GROUP,
    'truncation',
    'every length up to 512 bytes, each structure boundary ±1, 150 random lengths per file',
    ({ saw }) => {
      const st = newStats();
      const rand = prng(0x7a11);
      for (const b of bases) {
        const lens = new Set<number>();
        for (let n = 0; n <= Math.min(512, b.data.length - 1); n++) lens.add(n);
        for (const s of b.sections) for (const d of [-1, 0, 1]) lens.add(s.offset + s.size + d);
        for (const p of b.phdrs) for (const d of [-1, 0, 1]) lens.add(p.offset + p.filesz + d);
        for (let k = 0; k < iterations(b, 150); k++) lens.add(Math.floor(rand() * b.data.length));
        let n = 0;
        for (const len of lens) {
          if (len < 0 || len >= b.data.length) continue;
          probe(st, b.data.subarray(0, len), `${b.label} cut at ${len}`, n++);
        }
      }
      saw(summary(st));
      expectClean(st, 5000);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'header bytes flipped',
    '600 mutants per file of 1-3 bytes, bits or fields in the ELF, program and section headers',
    ({ saw }) => {
      const st = newStats();
      const rand = prng(0xf11b);
      for (const b of bases) {
        const headerOnly: Base = {
          ...b,
          regions: b.regions.slice(0, 3),
        };
        for (let i = 0; i < iterations(b, 600); i++)
          probe(st, randomMutant(headerOnly, rand, 3), `${b.label} #${i}`, i);
      }
      saw(summary(st));
      expectClean(st, 4000);
      expect(st.parsed).toBeGreaterThan(0);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'offsets and sizes past the end',
    'e_phoff/e_shoff, counts, p_offset/p_filesz/p_vaddr, sh_offset/sh_size/sh_link, DT_* pointers and string offsets',
    ({ saw }) => {
      const st = newStats();
      const rand = prng(0x0ff5e7);
      let n = 0;
      for (const b of bases)
        for (const m of offsetMutants(b, rand)) probe(st, m.buf, `${b.label}: ${m.what}`, n++);
      saw(summary(st));
      expectClean(st, 2000);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'string tables and chains that never end',
    '.dynstr without NULs, PT_INTERP without NUL, version chains and GNU hash chains looping, no DT_NULL',
    ({ saw }) => {
      const st = newStats();
      const rand = prng(0x100b);
      let n = 0;
      for (const b of bases)
        for (const m of loopMutants(b, rand)) probe(st, m.buf, `${b.label}: ${m.what}`, n++);
      saw(summary(st));
      expectClean(st, 150);
    },
    120_000,
  );

  reliabilityCase(
    GROUP,
    'random mutations anywhere in the tables',
    '1,200 mutants per file of 1-6 edits in headers, .dynamic, .dynstr, .dynsym, hash and version tables',
    ({ saw }) => {
      const st = newStats();
      const rand = prng(0x5eed2024);
      for (const b of bases)
        for (let i = 0; i < iterations(b, 1200); i++)
          probe(st, randomMutant(b, rand, 6), `${b.label} #${i}`, i);
      saw(summary(st));
      expectClean(st, 8000);
      expect(st.patched).toBeGreaterThan(100);
    },
    180_000,
  );

  reliabilityCase(
    GROUP,
    'closure resolution and patchCopy on disk',
    '120 mutated programs and libraries written to disk: resolveClosure, then patchCopy (patchelf fallback)',
    async ({ saw }) => {
      const rand = prng(0xd15c);
      const small = bases[0]!;
      const libz = bases.find((b) => b.label === 'host libz.so.1')!;
      const dir = path.join(work, 'on-disk');
      fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
      const prog = path.join(dir, 'bin', 'bootstrap');
      const closure = closureOf(fx.small.outPath);
      let clear = 0;
      let resolved = 0;
      let patchelfRuns = 0;
      const failures: string[] = [];
      let slowest = 0;
      for (let i = 0; i < 120; i++) {
        const libMutant = i % 2 === 1;
        const data = libMutant ? small.data : randomMutant(small, rand, 4);
        fs.writeFileSync(prog, data, { mode: 0o755 });
        if (libMutant) {
          // The program finds libz in ../lib first; that copy is the mutant.
          const p = Buffer.from(small.data);
          patchElf(p, { rpath: `$ORIGIN/../lib:${closure.find((c) => c.includes('glibc'))!}/lib` }, 'p');
          fs.writeFileSync(prog, p, { mode: 0o755 });
          fs.writeFileSync(path.join(dir, 'lib', 'libz.so.1'), randomMutant(libz, rand, 4));
        }
        const t0 = performance.now();
        try {
          const c = await resolveClosure(prog, { closure: closure.filter((x) => !x.includes('zlib')) });
          resolved++;
          if (i % 10 === 0) {
            const r = await patchCopy(c.program.data, 'bootstrap', { rpath: '$ORIGIN/lib' }, work);
            if (r.outcome.patchelf) patchelfRuns++;
          }
        } catch (e) {
          if (e instanceof ElfError || e instanceof ActionError) clear++;
          else failures.push(`#${i}: ${String(e)}`);
        }
        slowest = Math.max(slowest, performance.now() - t0);
      }
      saw(
        `120 on disk: ${clear} clear errors, ${resolved} resolved (${patchelfRuns} patched by patchelf), slowest ${slowest.toFixed(0)} ms, ${failures.length} crashes`,
      );
      expect(failures).toEqual([]);
      expect(clear).toBeGreaterThan(0);
      expect(slowest).toBeLessThan(10_000);
      expect(listTree(work).filter((f) => f.startsWith('patch-'))).toEqual([]);
    },
    180_000,
  );
});

// ---- the whole package stage on mutated programs -------------------------------------------------

interface StageOutcome {
  ok: boolean;
  error: unknown;
  zipExists: boolean;
  zipPath: string;
  temps: string[];
}

async function packageFake(
  label: string,
  program: Buffer,
  extra: { lib?: Buffer; rpath?: string; closure?: string[] } = {},
): Promise<StageOutcome> {
  const root = fs.mkdtempSync(path.join(work, 'stage-'));
  const out = path.join(root, 'out');
  fs.mkdirSync(path.join(out, 'bin'), { recursive: true });
  const prog = path.join(out, 'bin', 'bootstrap');
  fs.writeFileSync(prog, program, { mode: 0o755 });
  if (extra.lib) {
    fs.mkdirSync(path.join(out, 'lib'));
    fs.writeFileSync(path.join(out, 'lib', 'libz.so.1'), extra.lib);
  }
  const temp = path.join(root, 'temp');
  fs.mkdirSync(temp);
  const zipPath = path.join(root, 'function.zip');
  const values: Record<string, string> = {
    stages: 'build,package',
    flake: '.',
    'zip-path': zipPath,
    verify: 'auto',
  };
  const ctx = jobContext(values, { workspace: fx.small.dir, tempDir: temp, log: memoryLog() });
  ctx.build = {
    installable: label,
    drvPath: '/nix/store/x-fake.drv',
    outPath: out,
    outputs: { out },
    closure: extra.closure ?? closureOf(fx.small.outPath),
    programRel: 'bin/bootstrap',
    programPath: prog,
  };
  let error: unknown;
  try {
    await packageStage(ctx);
  } catch (e) {
    error = e;
  }
  return {
    ok: error === undefined,
    error,
    zipExists: fs.existsSync(zipPath),
    zipPath,
    temps: strayTemps(root),
  };
}

describe('malformed ELF through the whole package stage (fake build output)', () => {
  const crafted: { name: string; make: (b: Base) => Buffer }[] = [
    { name: 'program cut at 1000 bytes', make: (b) => Buffer.from(b.data.subarray(0, 1000)) },
    {
      name: 'program cut in its section headers',
      make: (b) => Buffer.from(b.data.subarray(0, b.data.length - 100)),
    },
    {
      name: 'e_phoff past the end',
      make: (b) => {
        const m = Buffer.from(b.data);
        put64(m, 32, BigInt(m.length + 8));
        return m;
      },
    },
    {
      name: 'e_machine ARM (32-bit machine number)',
      make: (b) => {
        const m = Buffer.from(b.data);
        put16(m, 18, 40);
        return m;
      },
    },
    {
      name: 'ELFCLASS32 in a 64-bit file',
      make: (b) => {
        const m = Buffer.from(b.data);
        m[4] = 1;
        return m;
      },
    },
    {
      name: '.dynstr without any NUL',
      make: (b) => loopMutants(b, prng(1)).find((x) => x.what === '.dynstr without any NUL')!.buf,
    },
    {
      name: 'PT_INTERP without its NUL',
      make: (b) => loopMutants(b, prng(1)).find((x) => x.what === 'PT_INTERP without its NUL')!.buf,
    },
    {
      name: 'DT_NEEDED offset past .dynstr',
      make: (b) => {
        const m = Buffer.from(b.data);
        const d = b.dyn.find((x) => x.tag === DT.NEEDED)!;
        put64(m, d.pos + 8, 0xffffffffn);
        return m;
      },
    },
  ];
  for (const c of crafted) {
    reliabilityCase(
      GROUP,
      `package stage: ${c.name}`,
      'mutated bin/bootstrap of the small fixture as a build output',
      async ({ saw }) => {
        const r = await packageFake(c.name, c.make(bases[0]!));
        const title =
          r.error instanceof ActionError
            ? r.error.title
            : r.error === undefined
              ? 'no error'
              : `raw ${errorMessage(r.error)}`;
        saw(
          `${title}: ${firstLine(errorMessage(r.error ?? '')).slice(0, 150)}; zip ${r.zipExists ? 'written' : 'none'}`,
        );
        expect(r.ok).toBe(false);
        expect(r.error).toBeInstanceOf(ActionError);
        expect(errorMessage(r.error)).toMatch(/bin\/bootstrap|bootstrap/);
        expect(r.zipExists).toBe(false);
        expect(r.temps).toEqual([]);
      },
    );
  }

  reliabilityCase(
    GROUP,
    'package stage: a malformed library in the closure',
    'the program finds libz.so.1 first in its own lib/, where the file is cut in half',
    async ({ saw }) => {
      const small = bases[0]!;
      const libz = bases.find((b) => b.label === 'host libz.so.1')!;
      const closure = closureOf(fx.small.outPath).filter((x) => !x.includes('zlib'));
      const p = Buffer.from(small.data);
      patchElf(p, { rpath: `$ORIGIN/../lib:${closure.find((c) => c.includes('glibc'))!}/lib` }, 'p');
      const r = await packageFake('broken lib', p, {
        lib: Buffer.from(libz.data.subarray(0, libz.data.length >> 1)),
        closure,
      });
      const msg = errorMessage(r.error ?? '');
      saw(
        `${r.error instanceof ActionError ? r.error.title : String(r.error)}: ${msg.replace(/\n/g, ' ').slice(0, 220)}`,
      );
      expect(r.error).toBeInstanceOf(ActionError);
      // The message must say the file is broken, not that it is for another architecture.
      expect(msg).toMatch(/libz\.so\.1/);
      expect(msg).toMatch(/truncated|not a valid ELF|malformed/i);
      expect(msg).not.toMatch(/another architecture/);
      expect(r.zipExists).toBe(false);
    },
  );

  reliabilityCase(
    GROUP,
    'package stage: 40 random mutants of the program',
    'seeded random edits of the program headers and tables, each packaged from a fake output',
    async ({ saw }) => {
      const rand = prng(0xbad5eed);
      const small = bases[0]!;
      let clear = 0;
      let ok = 0;
      const bad: string[] = [];
      for (let i = 0; i < 40; i++) {
        const r = await packageFake(`random ${i}`, randomMutant(small, rand, 3));
        if (r.ok) {
          ok++;
          // A harmless mutation: the zip must then be complete and valid.
          if (!r.zipExists) bad.push(`#${i}: success without a zip`);
          else
            try {
              verifyZip(r.zipPath);
            } catch (e) {
              bad.push(`#${i}: invalid zip: ${String(e)}`);
            }
        } else if (r.error instanceof ActionError) {
          clear++;
          if (r.zipExists) bad.push(`#${i}: failed but left a zip`);
        } else bad.push(`#${i}: ${String(r.error)}`);
        if (r.temps.length > 0) bad.push(`#${i}: temp files ${r.temps.join(', ')}`);
      }
      saw(
        `40 packaged: ${clear} clear errors (ActionError, no zip), ${ok} harmless mutations packaged, ${bad.length} problems`,
      );
      expect(bad).toEqual([]);
      expect(clear).toBeGreaterThan(0);
    },
    180_000,
  );
});
