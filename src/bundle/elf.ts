/**
 * ELF64 little-endian reader and in-place patcher (a pure module: Buffers in, results out).
 *
 * Reading never runs code (unlike `ldd`), so it works for any architecture. Patching rewrites
 * PT_INTERP and the search path of a copy in place, never changing the file's length:
 * - PT_INTERP: the new string is written over the old one and the rest of the segment NUL-padded.
 * - DT_RUNPATH entries become DT_RPATH (a one-word change of d_tag) and the search path string is
 *   rewritten in .dynstr, respecting the linker's tail merging (another name may point into the
 *   middle of the old string: those bytes are left alone, or the patch is refused).
 * When an in-place patch is impossible, ElfPatchUnsupported says why (the caller then uses patchelf).
 * Every problem with the input bytes is an ElfError whose message starts with the file name.
 */

import { ELF_MACHINE, lambdaArchOf, type LambdaArch } from '../lambda.js';

export const EM_X86_64 = ELF_MACHINE.x86_64;
export const EM_AARCH64 = ELF_MACHINE.arm64;

/** Any problem with the input bytes. The message starts with the file name. */
export class ElfError extends Error {
  override name = 'ElfError';
}

/** An in-place patch is impossible (the caller falls back to patchelf); the message says why. */
export class ElfPatchUnsupported extends ElfError {
  override name = 'ElfPatchUnsupported';
}

export interface ElfFile {
  /** The name passed in, for messages. */
  file: string;
  /** e_type (2 EXEC, 3 DYN). */
  type: number;
  /** e_machine. */
  machine: number;
  /** Lambda's architecture names; undefined for any other machine. */
  arch: LambdaArch | undefined;
  /** PT_INTERP string. */
  interp: string | undefined;
  /** DT_NEEDED, in order. */
  needed: string[];
  soname: string | undefined;
  /** DT_RPATH. */
  rpath: string | undefined;
  /** DT_RUNPATH. */
  runpath: string | undefined;
  /** No PT_INTERP and no DT_NEEDED (a static or static-pie executable). */
  isStatic: boolean;
}

export interface PatchRequest {
  /** New PT_INTERP. */
  interp?: string;
  /** The object's search path becomes exactly one DT_RPATH value; no DT_RUNPATH remains. */
  rpath?: string;
  /**
   * DT_NEEDED names to replace (old name -> new name), e.g. with absolute paths that every loader
   * opens directly. The new strings go into .dynstr bytes the rewrite frees (old search paths, the
   * replaced names); a version need (vn_file) naming the same library follows its DT_NEEDED.
   */
  needed?: Readonly<Record<string, string>>;
}

const DEFAULT_NAME = 'ELF data';

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const DYN_SIZE = 16;
const SYM_SIZE = 24;

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;

const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_DYNAMIC = 6;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;

export const DT_NULL = 0;
const DT_NEEDED = 1;
export const DT_HASH = 4;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_GNU_HASH = 0x6ffffef5;
const DT_GNU_LIBLIST = 0x6ffffef9;
const DT_CONFIG = 0x6ffffefa;
const DT_DEPAUDIT = 0x6ffffefb;
const DT_AUDIT = 0x6ffffefc;
const DT_VERDEF = 0x6ffffffc;
const DT_VERDEFNUM = 0x6ffffffd;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;
const DT_AUXILIARY = 0x7ffffffd;
const DT_USED = 0x7ffffffe;
const DT_FILTER = 0x7fffffff;

/** Dynamic tags whose d_val is an offset into .dynstr. */
const STRING_TAGS: ReadonlyMap<number, string> = new Map([
  [DT_NEEDED, 'NEEDED'],
  [DT_SONAME, 'SONAME'],
  [DT_RPATH, 'RPATH'],
  [DT_RUNPATH, 'RUNPATH'],
  [DT_CONFIG, 'CONFIG'],
  [DT_DEPAUDIT, 'DEPAUDIT'],
  [DT_AUDIT, 'AUDIT'],
  [DT_AUXILIARY, 'AUXILIARY'],
  [DT_USED, 'USED'],
  [DT_FILTER, 'FILTER'],
]);

/** Real objects have well under a hundred dynamic entries. */
const MAX_DYNAMIC_ENTRIES = 1 << 16;

/** Upper bound on version-table entries walked, so a crafted file cannot make us loop for long. */
const MAX_VERSION_ENTRIES = 1 << 20;

interface Segment {
  index: number;
  type: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
}

interface Section {
  index: number;
  name: number;
  type: number;
  addr: bigint;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

interface DynEntry {
  /** File offset of the entry. */
  pos: number;
  /** d_tag when it fits in 32 bits, else -1. */
  tag: number;
  val: bigint;
}

interface StrTab {
  off: number;
  size: number;
}

interface Parsed {
  buf: Buffer;
  file: string;
  type: number;
  machine: number;
  phoff: number;
  phnum: number;
  segments: Segment[];
  sections: Section[];
  shstrndx: number;
  interpSeg: Segment | undefined;
  interp: Buffer | undefined;
  dynSeg: Segment | undefined;
  dyn: DynEntry[];
  strtab: StrTab | undefined;
}

export function isElf(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}

function tagName(tag: number): string {
  return STRING_TAGS.get(tag) ?? `tag 0x${tag.toString(16)}`;
}

function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly file: string,
  ) {}

  fail(msg: string): never {
    throw new ElfError(`${this.file}: ${msg}`);
  }

  unsupported(msg: string): never {
    throw new ElfPatchUnsupported(`${this.file}: ${msg}`);
  }

  /** Throws unless [.., end) lies inside the file. */
  need(end: number, what: string): void {
    if (!(end <= this.buf.length)) {
      this.fail(`truncated: ${what} ends at ${end}, file has ${this.buf.length} bytes`);
    }
  }

  u16(off: number): number {
    return this.buf.readUInt16LE(off);
  }

  u32(off: number): number {
    return this.buf.readUInt32LE(off);
  }

  /** A 64-bit value as a number (imprecise above 2^53, which is past the end of any buffer anyway). */
  u64(off: number): number {
    return Number(this.buf.readBigUInt64LE(off));
  }

  big(off: number): bigint {
    return this.buf.readBigUInt64LE(off);
  }
}

function parse(buf: Buffer, file: string): Parsed {
  const r = new Reader(buf, file);
  if (!isElf(buf)) {
    const magic = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
    if (buf.length < 4 && magic.subarray(0, buf.length).equals(buf)) {
      r.fail(`truncated: ELF header ends at ${EHDR_SIZE}, file has ${buf.length} bytes`);
    }
    r.fail('not an ELF file (bad magic)');
  }
  const cls = buf[4];
  if (cls === 1) r.fail('32-bit ELF (ELFCLASS32) is not supported: only 64-bit objects are');
  if (cls !== undefined && cls !== 2) r.fail(`invalid ELF class ${cls}`);
  const data = buf[5];
  if (data === 2) r.fail('big-endian ELF (ELFDATA2MSB) is not supported: only little-endian objects are');
  if (data !== undefined && data !== 1) r.fail(`invalid ELF data encoding ${data}`);
  r.need(EHDR_SIZE, 'ELF header');

  const type = r.u16(16);
  const machine = r.u16(18);
  const phoff = r.u64(32);
  const shoff = r.u64(40);
  const phentsize = r.u16(54);
  let phnum = r.u16(56);
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);

  // Section headers (optional for loading, but they must be inside the file when present).
  const sections: Section[] = [];
  if (shoff !== 0) {
    if (shentsize !== SHDR_SIZE) r.fail(`section header entry size is ${shentsize}, expected ${SHDR_SIZE}`);
    r.need(shoff + SHDR_SIZE, 'section header table');
    if (shnum === 0) shnum = r.u64(shoff + 32);
    if (shstrndx === 0xffff) shstrndx = r.u32(shoff + 40);
    if (phnum === 0xffff) phnum = r.u32(shoff + 44);
    r.need(shoff + shnum * SHDR_SIZE, `section header table (${shnum} entries at offset ${shoff})`);
    for (let i = 0; i < shnum; i++) {
      const o = shoff + i * SHDR_SIZE;
      const s: Section = {
        index: i,
        name: r.u32(o),
        type: r.u32(o + 4),
        addr: r.big(o + 16),
        offset: r.u64(o + 24),
        size: r.u64(o + 32),
        link: r.u32(o + 40),
        entsize: r.u64(o + 56),
      };
      if (s.type !== 0 && s.type !== SHT_NOBITS && s.size > 0) {
        r.need(s.offset + s.size, `section ${i} (offset ${s.offset}, size ${s.size})`);
      }
      sections.push(s);
    }
  }

  // Program headers.
  const segments: Segment[] = [];
  if (phnum > 0) {
    if (phentsize !== PHDR_SIZE) r.fail(`program header entry size is ${phentsize}, expected ${PHDR_SIZE}`);
    r.need(phoff + phnum * PHDR_SIZE, `program header table (${phnum} entries at offset ${phoff})`);
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * PHDR_SIZE;
      const s: Segment = {
        index: i,
        type: r.u32(o),
        offset: r.u64(o + 8),
        vaddr: r.big(o + 16),
        filesz: r.u64(o + 32),
      };
      if (s.filesz > 0) {
        r.need(s.offset + s.filesz, `${segmentName(s)} (offset ${s.offset}, size ${s.filesz})`);
      }
      segments.push(s);
    }
  }

  const interpSeg = segments.find((s) => s.type === PT_INTERP);
  let interp: Buffer | undefined;
  if (interpSeg) {
    const bytes = buf.subarray(interpSeg.offset, interpSeg.offset + interpSeg.filesz);
    const nul = bytes.indexOf(0);
    if (nul < 0) {
      r.fail(
        `PT_INTERP string (${interpSeg.filesz} bytes at offset ${interpSeg.offset}) has no terminating NUL`,
      );
    }
    interp = bytes.subarray(0, nul);
  }

  const dynSeg = segments.find((s) => s.type === PT_DYNAMIC);
  const dyn: DynEntry[] = [];
  if (dynSeg) {
    const count = Math.floor(dynSeg.filesz / DYN_SIZE);
    for (let i = 0; i < count; i++) {
      if (i >= MAX_DYNAMIC_ENTRIES) {
        r.fail(`the dynamic section has more than ${MAX_DYNAMIC_ENTRIES} entries before DT_NULL`);
      }
      const pos = dynSeg.offset + i * DYN_SIZE;
      const lo = r.u32(pos);
      const hi = r.u32(pos + 4);
      const val = r.big(pos + 8);
      if (lo === DT_NULL && hi === 0) break;
      dyn.push({ pos, tag: hi === 0 ? lo : -1, val });
    }
  }

  const p: Parsed = {
    buf,
    file,
    type,
    machine,
    phoff,
    phnum,
    segments,
    sections,
    shstrndx,
    interpSeg,
    interp,
    dynSeg,
    dyn,
    strtab: undefined,
  };
  p.strtab = findStrtab(p, r);
  return p;
}

function segmentName(s: Segment): string {
  const names: Record<number, string> = {
    [PT_LOAD]: 'PT_LOAD',
    [PT_DYNAMIC]: 'PT_DYNAMIC',
    [PT_INTERP]: 'PT_INTERP',
  };
  return `${names[s.type] ?? `segment type ${hex(s.type)}`} (program header ${s.index})`;
}

/** The last value of a dynamic tag (the loader keeps the last one). */
function lastDyn(p: Parsed, tag: number): bigint | undefined {
  let v: bigint | undefined;
  for (const d of p.dyn) if (d.tag === tag) v = d.val;
  return v;
}

/** Maps a virtual address to a file offset through the PT_LOAD segments; avail = file bytes from there to the segment's end. */
function mapAddr(p: Parsed, addr: bigint): { off: number; avail: number } | undefined {
  for (const s of p.segments) {
    if (s.type !== PT_LOAD) continue;
    if (addr >= s.vaddr && addr < s.vaddr + BigInt(s.filesz)) {
      const delta = Number(addr - s.vaddr);
      return { off: s.offset + delta, avail: s.filesz - delta };
    }
  }
  return undefined;
}

function sectionName(p: Parsed, s: Section): string | undefined {
  const t = p.sections[p.shstrndx];
  if (!t || t.type !== SHT_STRTAB || s.name >= t.size) return undefined;
  const bytes = p.buf.subarray(t.offset + s.name, t.offset + t.size);
  const nul = bytes.indexOf(0);
  return nul < 0 ? undefined : bytes.toString('latin1', 0, nul);
}

function findStrtab(p: Parsed, r: Reader): StrTab | undefined {
  const addr = lastDyn(p, DT_STRTAB);
  if (addr === undefined) return undefined;
  const szv = lastDyn(p, DT_STRSZ);
  const size = szv === undefined ? undefined : Number(szv);
  const m = mapAddr(p, addr);
  if (m && (size === undefined || size <= m.avail)) return { off: m.off, size: size ?? m.avail };
  // Fall back to the section headers' .dynstr.
  const dynSec = p.sections.find((s) => s.type === SHT_DYNAMIC);
  const linked = dynSec ? p.sections[dynSec.link] : undefined;
  const sec =
    p.sections.find((s) => s.type === SHT_STRTAB && s.addr === addr) ??
    p.sections.find((s) => s.type === SHT_STRTAB && sectionName(p, s) === '.dynstr') ??
    (linked?.type === SHT_STRTAB ? linked : undefined);
  const what = `DT_STRTAB ${hex(addr)}${size === undefined ? '' : ` (DT_STRSZ ${size})`}`;
  if (!sec) r.fail(`${what} is not inside any PT_LOAD segment and there is no .dynstr section`);
  if (size !== undefined && size > sec.size) {
    r.fail(`${what} does not fit in a PT_LOAD segment nor in the .dynstr section (${sec.size} bytes)`);
  }
  return { off: sec.offset, size: size ?? sec.size };
}

/**
 * For sorted, unique offsets (relative to the table, all below its size), the relative position of
 * each string's terminating NUL, or -1 when the string runs to the end of the table. Linear in the
 * table size: a string starting inside the previous one ends at the same NUL.
 */
function nulEnds(buf: Buffer, tab: StrTab, sorted: readonly number[]): number[] {
  const out: number[] = [];
  const end = tab.off + tab.size;
  let cur = -1;
  for (const rel of sorted) {
    if (rel > cur) {
      // Searched in place (no subarray per string: a table can hold tens of thousands of names).
      const idx = buf.indexOf(0, tab.off + rel);
      cur = idx < 0 || idx >= end ? tab.size : idx - tab.off;
    }
    out.push(cur >= tab.size ? -1 : cur);
  }
  return out;
}

function sortedUnique(values: readonly number[]): number[] {
  const sorted = Float64Array.from(values).sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]!);
  return out;
}

/** Reads the strings of string-valued dynamic entries; throws ElfError on bad offsets or a missing NUL. */
function dynStrings(p: Parsed, r: Reader, entries: readonly DynEntry[]): Map<DynEntry, Buffer> {
  const out = new Map<DynEntry, Buffer>();
  if (entries.length === 0) return out;
  const tab = p.strtab;
  if (!tab) r.fail(`the dynamic section has ${tagName(entries[0]!.tag)} entries but no DT_STRTAB`);
  for (const e of entries) {
    if (e.val >= BigInt(tab.size)) {
      r.fail(
        `${tagName(e.tag)} string offset ${e.val} is outside the dynamic string table (${tab.size} bytes)`,
      );
    }
  }
  const offs = sortedUnique(entries.map((e) => Number(e.val)));
  const ends = nulEnds(p.buf, tab, offs);
  const endOf = new Map(offs.map((o, i) => [o, ends[i]!]));
  for (const e of entries) {
    const rel = Number(e.val);
    const end = endOf.get(rel)!;
    if (end < 0) {
      r.fail(
        `${tagName(e.tag)} string at offset ${rel} runs past the end of the dynamic string table (${tab.size} bytes at file offset ${tab.off}): no terminating NUL`,
      );
    }
    out.set(e, p.buf.subarray(tab.off + rel, tab.off + end));
  }
  return out;
}

function describe(p: Parsed): ElfFile {
  const r = new Reader(p.buf, p.file);
  const entries = p.dyn.filter((d) => STRING_TAGS.has(d.tag));
  const strs = dynStrings(p, r, entries);
  const needed: string[] = [];
  let soname: string | undefined;
  let rpath: string | undefined;
  let runpath: string | undefined;
  for (const e of entries) {
    const s = strs.get(e)!.toString('utf8');
    if (e.tag === DT_NEEDED) needed.push(s);
    else if (e.tag === DT_SONAME) soname = s;
    else if (e.tag === DT_RPATH) rpath = s;
    else if (e.tag === DT_RUNPATH) runpath = s;
  }
  const interp = p.interp?.toString('utf8');
  return {
    file: p.file,
    type: p.type,
    machine: p.machine,
    arch: lambdaArchOf(p.machine),
    interp,
    needed,
    soname,
    rpath,
    runpath,
    isStatic: interp === undefined && needed.length === 0,
  };
}

/** Reads an ELF64 little-endian object's headers. Throws ElfError on any problem with the bytes. */
export function readElf(buf: Buffer, file: string = DEFAULT_NAME): ElfFile {
  return describe(parse(buf, file));
}

// ---------------------------------------------------------------------------------------------
// References into .dynstr (everything but the RPATH/RUNPATH entries being rewritten)

type RefKind = 'dyn' | 'symbol' | 'verdef' | 'verneed-file' | 'verneed-name' | 'section-name';

interface Ref {
  /** Offset into the string table (may be out of range in a broken file; such refs cannot conflict). */
  off: number;
  kind: RefKind;
  /** Dynamic tag, symbol index or entry number, for messages. */
  n: number;
  /** File offset of the field holding the string offset (dynamic entries and version needs' file names). */
  pos?: number;
}

function refLabel(ref: Ref): string {
  switch (ref.kind) {
    case 'dyn':
      return `the DT_${tagName(ref.n)} entry`;
    case 'symbol':
      return `dynamic symbol ${ref.n}`;
    case 'verdef':
      return `version definition ${ref.n}`;
    case 'verneed-file':
      return `version need ${ref.n} (file name)`;
    case 'verneed-name':
      return `version need ${ref.n} (version name)`;
    case 'section-name':
      return `the name of section ${ref.n}`;
  }
}

/** Number of dynamic symbols: section headers, else DT_HASH nchain, else a walk of DT_GNU_HASH. */
function dynsymCount(p: Parsed, r: Reader): number | undefined {
  const sec = p.sections.find((s) => s.type === SHT_DYNSYM);
  if (sec) {
    if (sec.entsize !== 0 && sec.entsize !== SYM_SIZE) {
      r.fail(`.dynsym entry size is ${sec.entsize}, expected ${SYM_SIZE}`);
    }
    return Math.floor(sec.size / SYM_SIZE);
  }
  const hash = lastDyn(p, DT_HASH);
  if (hash !== undefined) {
    const m = mapAddr(p, hash);
    if (!m || m.avail < 8) r.fail(`DT_HASH ${hex(hash)} is not inside a PT_LOAD segment`);
    return r.u32(m.off + 4);
  }
  const gnu = lastDyn(p, DT_GNU_HASH);
  if (gnu !== undefined) {
    const m = mapAddr(p, gnu);
    if (!m || m.avail < 16) r.fail(`DT_GNU_HASH ${hex(gnu)} is not inside a PT_LOAD segment`);
    const nbuckets = r.u32(m.off);
    const symoffset = r.u32(m.off + 4);
    const bloomSize = r.u32(m.off + 8);
    const buckets = 16 + bloomSize * 8;
    const chains = buckets + nbuckets * 4;
    if (chains > m.avail) r.fail(`DT_GNU_HASH table (${nbuckets} buckets) runs past the end of its segment`);
    let max = 0;
    for (let i = 0; i < nbuckets; i++) max = Math.max(max, r.u32(m.off + buckets + i * 4));
    if (max < symoffset) return symoffset;
    let i = max;
    for (;;) {
      const at = chains + (i - symoffset) * 4;
      if (at + 4 > m.avail) r.fail('DT_GNU_HASH chain runs past the end of its segment');
      const h = r.u32(m.off + at);
      i++;
      if (h & 1) return i;
    }
  }
  return undefined;
}

function collectRefs(p: Parsed, r: Reader, tab: StrTab): Ref[] {
  const refs: Ref[] = [];
  for (const d of p.dyn) {
    if (d.tag === DT_GNU_LIBLIST) {
      r.unsupported('prelinked object (DT_GNU_LIBLIST): its library list also names strings');
    }
    if (STRING_TAGS.has(d.tag) && d.tag !== DT_RPATH && d.tag !== DT_RUNPATH) {
      refs.push({ off: Number(d.val), kind: 'dyn', n: d.tag, pos: d.pos });
    }
  }

  // The dynamic symbol table (through DT_SYMTAB, as the loader sees it).
  const symtab = lastDyn(p, DT_SYMTAB);
  let symtabOff: number | undefined;
  const syment = lastDyn(p, DT_SYMENT);
  if (syment !== undefined && syment !== BigInt(SYM_SIZE)) {
    r.fail(`DT_SYMENT is ${syment}, expected ${SYM_SIZE}`);
  }
  if (symtab !== undefined) {
    const count = dynsymCount(p, r);
    if (count === undefined) {
      r.unsupported(
        'cannot tell how many dynamic symbols there are (no section headers, DT_HASH or DT_GNU_HASH)',
      );
    }
    const m = mapAddr(p, symtab);
    const sec = p.sections.find((s) => s.type === SHT_DYNSYM);
    let off: number;
    symtabOff = m?.off;
    if (m) {
      if (count * SYM_SIZE > m.avail) {
        r.fail(`dynamic symbol table (${count} symbols) runs past the end of its segment`);
      }
      off = m.off;
    } else if (sec) {
      off = sec.offset;
    } else {
      r.fail(`DT_SYMTAB ${hex(symtab)} is not inside any PT_LOAD segment`);
    }
    for (let i = 0; i < count; i++) refs.push({ off: r.u32(off + i * SYM_SIZE), kind: 'symbol', n: i });
  }
  // Any symbol table section whose names live in the same string table.
  for (const s of p.sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    const l = p.sections[s.link];
    if (!l || l.type !== SHT_STRTAB || l.offset !== tab.off || s.offset === symtabOff) continue;
    const count = Math.floor(s.size / SYM_SIZE);
    for (let i = 0; i < count; i++) refs.push({ off: r.u32(s.offset + i * SYM_SIZE), kind: 'symbol', n: i });
  }
  // Section names, in the odd case the section name table is the dynamic string table.
  const shstr = p.sections[p.shstrndx];
  if (shstr && shstr.type === SHT_STRTAB && shstr.offset === tab.off) {
    for (const s of p.sections) refs.push({ off: s.name, kind: 'section-name', n: s.index });
  }

  let steps = 0;
  const step = (): void => {
    if (++steps > MAX_VERSION_ENTRIES) r.fail(`version tables have more than ${MAX_VERSION_ENTRIES} entries`);
  };
  const verdef = lastDyn(p, DT_VERDEF);
  if (verdef !== undefined) {
    const m = mapAddr(p, verdef);
    if (!m) r.fail(`DT_VERDEF ${hex(verdef)} is not inside any PT_LOAD segment`);
    const num = lastDyn(p, DT_VERDEFNUM);
    let off = m.off;
    for (let i = 0; num === undefined || i < num; i++) {
      step();
      r.need(off + 20, `version definition ${i}`);
      const cnt = r.u16(off + 6);
      let a = off + r.u32(off + 12);
      for (let j = 0; j < cnt; j++) {
        step();
        r.need(a + 8, `version definition ${i} auxiliary entry ${j}`);
        refs.push({ off: r.u32(a), kind: 'verdef', n: i });
        const next = r.u32(a + 4);
        if (next === 0) break;
        a += next;
      }
      const next = r.u32(off + 16);
      if (next === 0) break;
      off += next;
    }
  }
  const verneed = lastDyn(p, DT_VERNEED);
  if (verneed !== undefined) {
    const m = mapAddr(p, verneed);
    if (!m) r.fail(`DT_VERNEED ${hex(verneed)} is not inside any PT_LOAD segment`);
    const num = lastDyn(p, DT_VERNEEDNUM);
    let off = m.off;
    for (let i = 0; num === undefined || i < num; i++) {
      step();
      r.need(off + 16, `version need ${i}`);
      const cnt = r.u16(off + 2);
      refs.push({ off: r.u32(off + 4), kind: 'verneed-file', n: i, pos: off + 4 });
      let a = off + r.u32(off + 8);
      for (let j = 0; j < cnt; j++) {
        step();
        r.need(a + 16, `version need ${i} auxiliary entry ${j}`);
        refs.push({ off: r.u32(a + 8), kind: 'verneed-name', n: i });
        const next = r.u32(a + 12);
        if (next === 0) break;
        a += next;
      }
      const next = r.u32(off + 12);
      if (next === 0) break;
      off += next;
    }
  }
  return refs;
}

/** The byte spans [start, end] (end = the NUL, inclusive) of referenced strings, merged, sorted. */
class Spans {
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  constructor(buf: Buffer, tab: StrTab, offsets: readonly number[]) {
    const offs = sortedUnique(offsets.filter((o) => o >= 0 && o < tab.size));
    const ends = nulEnds(buf, tab, offs);
    offs.forEach((o, i) => {
      const e = ends[i]! < 0 ? tab.size - 1 : ends[i]!;
      const last = this.ends.length - 1;
      if (last >= 0 && o <= this.ends[last]!) this.ends[last] = Math.max(this.ends[last]!, e);
      else {
        this.starts.push(o);
        this.ends.push(e);
      }
    });
  }

  /** The first merged span intersecting [a, b] (inclusive), if any. */
  firstOverlap(a: number, b: number): { start: number; end: number } | undefined {
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! < a) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.ends.length && this.starts[lo]! <= b) {
      return { start: this.starts[lo]!, end: this.ends[lo]! };
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Patching

interface Write {
  pos: number;
  bytes: Buffer;
}

function encode(r: Reader, value: string, what: string): Buffer {
  const b = Buffer.from(value, 'utf8');
  if (b.includes(0)) r.unsupported(`the new ${what} contains a NUL byte`);
  return b;
}

function overlaps(a: number, alen: number, b: number, blen: number): boolean {
  return alen > 0 && blen > 0 && a < b + blen && b < a + alen;
}

/** Structures an interp or string write must never touch. */
function structuralRanges(p: Parsed): { off: number; len: number; what: string }[] {
  const out = [
    { off: 0, len: EHDR_SIZE, what: 'the ELF header' },
    { off: p.phoff, len: p.phnum * PHDR_SIZE, what: 'the program header table' },
  ];
  if (p.dynSeg) out.push({ off: p.dynSeg.offset, len: p.dynSeg.filesz, what: 'the dynamic section' });
  return out;
}

function planInterp(p: Parsed, r: Reader, value: string, writes: Write[], changes: string[]): void {
  const seg = p.interpSeg;
  if (!seg || !p.interp) {
    r.unsupported('no PT_INTERP segment to rewrite (not a dynamically linked executable)');
  }
  const bytes = encode(r, value, 'interpreter');
  if (bytes.equals(p.interp)) return;
  if (bytes.length + 1 > seg.filesz) {
    r.unsupported(
      `the new interpreter ${value} needs ${bytes.length + 1} bytes with its NUL, the PT_INTERP segment has ${seg.filesz}`,
    );
  }
  const ranges = structuralRanges(p);
  if (p.strtab) ranges.push({ off: p.strtab.off, len: p.strtab.size, what: 'the dynamic string table' });
  for (const s of ranges) {
    if (overlaps(seg.offset, seg.filesz, s.off, s.len)) {
      r.unsupported(`the PT_INTERP segment overlaps ${s.what}`);
    }
  }
  const out = Buffer.alloc(seg.filesz);
  bytes.copy(out);
  writes.push({ pos: seg.offset, bytes: out });
  changes.push(`interp ${p.interp.toString('utf8')} -> ${value}`);
}

interface StringPlan {
  /** References into .dynstr other than the search path entries, as they must be after the patch. */
  refs: Ref[];
  /** Spans of the strings still referenced (the replaced DT_NEEDED names excluded). */
  spans: Spans;
  /** The new search path, when one was asked for. */
  value: Buffer | undefined;
  /** DT_NEEDED names as they must read after the patch. */
  needed: string[];
}

/** The string a reference points at (undefined when it is out of range or has no NUL). */
function refString(p: Parsed, tab: StrTab, off: number): string | undefined {
  if (off < 0 || off >= tab.size) return undefined;
  const end = nulEnds(p.buf, tab, [off])[0]!;
  return end < 0 ? undefined : p.buf.toString('utf8', tab.off + off, tab.off + end);
}

/**
 * Plans the .dynstr side of a patch: the search path (every RPATH/RUNPATH entry becomes one DT_RPATH
 * value, written over an old search path string) and the DT_NEEDED replacements (new strings placed
 * in bytes the rewrite frees: the old search paths' and the replaced names'). Bytes that any other
 * reference still uses (the linker's tail merging) are never touched.
 */
function planStrings(
  p: Parsed,
  r: Reader,
  req: PatchRequest,
  writes: Write[],
  changes: string[],
): StringPlan | undefined {
  const renames = new Map(
    Object.entries(req.needed ?? {}).filter(([from, to]) => from !== to && p.strtab !== undefined),
  );
  const entries =
    req.rpath === undefined ? [] : p.dyn.filter((d) => d.tag === DT_RPATH || d.tag === DT_RUNPATH);
  if (req.rpath !== undefined && entries.length === 0) r.unsupported('no RPATH or RUNPATH entry');
  const want = req.rpath === undefined ? undefined : encode(r, req.rpath, 'RPATH');
  const strs = dynStrings(p, r, entries);
  const desc = describe(p);
  const neededAfter = desc.needed.map((n) => renames.get(n) ?? n);
  const renaming = desc.needed.some((n) => renames.has(n));
  const rpathDone =
    want === undefined || entries.every((e) => e.tag === DT_RPATH && strs.get(e)!.equals(want));
  if (rpathDone && !renaming) return undefined;
  const tab = p.strtab!;

  const allRefs = collectRefs(p, r, tab);
  /** References that follow a replaced DT_NEEDED name (the entries themselves, and version needs' file names). */
  const moving = allRefs.filter((x) => {
    if (x.pos === undefined) return false;
    if (!(x.kind === 'verneed-file' || (x.kind === 'dyn' && x.n === DT_NEEDED))) return false;
    const s = refString(p, tab, x.off);
    return s !== undefined && renames.has(s);
  });
  const movingSet = new Set(moving);
  const kept = allRefs.filter((x) => !movingSet.has(x));
  const spans = new Spans(
    p.buf,
    tab,
    kept.map((x) => x.off),
  );
  const endCache = new Map<number, number>();
  const endOf = (off: number): number => {
    let e = endCache.get(off);
    if (e === undefined) {
      e = nulEnds(p.buf, tab, [off])[0]!;
      if (e < 0) e = tab.size - 1;
      endCache.set(off, e);
    }
    return e;
  };
  /** Names a reference whose string shares bytes with [a, b] (for the message). */
  const conflictWith = (a: number, b: number): string => {
    const span = spans.firstOverlap(a, b);
    const hit = span && kept.find((x) => x.off >= span.start && x.off <= b && endOf(x.off) >= a);
    if (!hit) return 'another string';
    const s = p.buf.toString('utf8', tab.off + hit.off, tab.off + endOf(hit.off));
    return `${refLabel(hit)} ("${s}" at offset ${hit.off})`;
  };

  // The old search path strings, by offset, in entry order.
  const oldAt = new Map<number, Buffer>();
  for (const e of entries) if (!oldAt.has(Number(e.val))) oldAt.set(Number(e.val), strs.get(e)!);
  /** Bytes of .dynstr in use after the patch (set as the plan places strings). */
  const taken: [number, number][] = [];

  if (want !== undefined && !rpathDone) {
    // Where the new string goes: a string that already says it, else the first old one that can take it.
    let target: number | undefined;
    for (const [o, old] of oldAt) {
      if (old.equals(want)) {
        target = o;
        break;
      }
    }
    const reasons: string[] = [];
    if (target === undefined) {
      for (const [o, old] of oldAt) {
        const shown = old.toString('utf8');
        if (want.length > old.length) {
          reasons.push(
            `the new RPATH ${req.rpath!} (${want.length} bytes) is longer than the old string ${shown} (${old.length} bytes)`,
          );
        } else if (spans.firstOverlap(o, o + want.length)) {
          reasons.push(
            `the old string ${shown} at .dynstr offset ${o} shares bytes ${o}..${o + want.length} with ${conflictWith(o, o + want.length)}`,
          );
        } else {
          target = o;
          break;
        }
        if (reasons.length >= 3) break;
      }
    }
    if (target === undefined) r.unsupported(`cannot rewrite the search path in place: ${reasons.join('; ')}`);

    const t = target;
    taken.push([t, t + want.length]);
    const tOld = oldAt.get(t)!;
    if (!tOld.equals(want)) {
      // new + NUL, then zeros up to the first string still referenced inside the old one (or its end).
      const from = t + want.length + 1;
      const next = spans.firstOverlap(from, t + tOld.length);
      const zeroEnd = Math.max(from, Math.min(next ? next.start : t + tOld.length, t + tOld.length));
      const bytes = Buffer.alloc(zeroEnd - t);
      want.copy(bytes);
      writes.push({ pos: tab.off + t, bytes });
    }
    // Old strings no longer referenced: cleared when nothing else shares their bytes.
    for (const [o, old] of oldAt) {
      const len = old.length;
      if (o === t || len === 0 || spans.firstOverlap(o, o + len) || (o <= t + want.length && t <= o + len)) {
        continue;
      }
      writes.push({ pos: tab.off + o, bytes: Buffer.alloc(len) });
    }
    // Every entry becomes DT_RPATH pointing at the new string.
    const seen = new Set<string>();
    for (const e of entries) {
      if (e.tag !== DT_RPATH || e.val !== BigInt(t)) {
        const bytes = Buffer.alloc(DYN_SIZE);
        bytes.writeBigUInt64LE(BigInt(DT_RPATH), 0);
        bytes.writeBigUInt64LE(BigInt(t), 8);
        writes.push({ pos: e.pos, bytes });
      }
      const old = strs.get(e)!;
      if (e.tag === DT_RPATH && old.equals(want)) continue;
      const msg = `${tagName(e.tag)} ${old.toString('utf8')} -> RPATH ${req.rpath!}`;
      if (!seen.has(msg)) changes.push(msg);
      seen.add(msg);
    }
  } else if (want !== undefined) {
    const t = Number(entries[0]!.val);
    taken.push([t, t + want.length]);
  }

  /** Where each moving reference points after the patch. */
  const movedTo = new Map<Ref, number>();
  if (renaming) {
    // Free bytes: the old search paths and the replaced names, less every byte still referenced.
    const free = new Uint8Array(tab.size);
    const mark = (from: number, to: number, v: number): void => {
      for (let i = Math.max(0, from); i <= Math.min(to, tab.size - 1); i++) free[i] = v;
    };
    if (want !== undefined) for (const [o, old] of oldAt) mark(o, o + old.length, 1);
    for (const x of moving) mark(x.off, endOf(x.off), 1);
    for (let i = 0; i < spans.starts.length; i++) mark(spans.starts[i]!, spans.ends[i]!, 0);
    for (const [a, b] of taken) mark(a, b, 0);
    const placed = new Map<string, number>();
    const alloc = (s: Buffer): number | undefined => {
      let run = 0;
      for (let i = 0; i < tab.size; i++) {
        run = free[i] ? run + 1 : 0;
        if (run === s.length + 1) {
          const at = i - s.length;
          mark(at, i, 0);
          return at;
        }
      }
      return undefined;
    };
    for (const from of desc.needed) {
      const to = renames.get(from);
      if (to === undefined || placed.has(to)) continue;
      const bytes = encode(r, to, 'DT_NEEDED name');
      const at = alloc(bytes);
      if (at === undefined) {
        const need = [...new Set(desc.needed.filter((n) => renames.has(n)).map((n) => renames.get(n)!))];
        r.unsupported(
          `no room in the dynamic string table for the new DT_NEEDED names (${need.join(', ')}): the bytes freed by the old search path and names are too few`,
        );
      }
      placed.set(to, at);
      const out = Buffer.alloc(bytes.length + 1);
      bytes.copy(out);
      writes.push({ pos: tab.off + at, bytes: out });
      changes.push(`NEEDED ${from} -> ${to}`);
    }
    for (const x of moving) {
      const to = renames.get(refString(p, tab, x.off)!)!;
      const at = placed.get(to);
      if (at === undefined) continue; // a version need for a library that is not a DT_NEEDED: left alone
      if (x.kind === 'dyn') {
        const bytes = Buffer.alloc(8);
        bytes.writeBigUInt64LE(BigInt(at), 0);
        writes.push({ pos: x.pos! + 8, bytes });
      } else {
        const bytes = Buffer.alloc(4);
        bytes.writeUInt32LE(at, 0);
        writes.push({ pos: x.pos!, bytes });
      }
      movedTo.set(x, at);
    }
  }
  const refs = allRefs.map((x) => {
    const at = movedTo.get(x);
    return at === undefined ? x : { ...x, off: at };
  });

  for (const w of writes) {
    if (w.pos < tab.off || w.pos >= tab.off + tab.size) continue;
    for (const s of structuralRanges(p)) {
      if (overlaps(w.pos, w.bytes.length, s.off, s.len)) {
        r.unsupported(`the dynamic string table overlaps ${s.what}`);
      }
    }
  }
  return { refs, spans, value: want, needed: neededAfter };
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Checks the patched bytes say exactly what was asked and nothing else changed: a problem, or undefined. May throw ElfError. */
function verifyPatch(
  buf: Buffer,
  file: string,
  before: Parsed,
  desc: ElfFile,
  req: PatchRequest,
  plan: StringPlan | undefined,
  journal: readonly { pos: number; old: Buffer }[],
): string | undefined {
  const after = parse(buf, file);
  const d = describe(after);
  if (d.type !== desc.type || d.machine !== desc.machine) return 'the ELF header changed';
  if (!sameStrings(d.needed, plan?.needed ?? desc.needed) || d.soname !== desc.soname) {
    return 'DT_NEEDED or DT_SONAME did not come out as asked';
  }
  if (d.interp !== (req.interp ?? desc.interp)) return 'PT_INTERP did not come out as asked';
  const tab = before.strtab;
  if (after.strtab?.off !== tab?.off || after.strtab?.size !== tab?.size) {
    return 'the dynamic string table moved';
  }
  if (after.dyn.length !== before.dyn.length) return 'the dynamic section changed length';
  if (req.rpath === undefined) {
    if (d.rpath !== desc.rpath || d.runpath !== desc.runpath) return 'the search path changed';
  } else if (d.rpath !== req.rpath || d.runpath !== undefined) {
    return 'the search path did not come out as asked';
  }
  if (!plan || !tab) return undefined;
  const r = new Reader(buf, file);
  if (plan.value !== undefined) {
    const entries = after.dyn.filter((x) => x.tag === DT_RPATH || x.tag === DT_RUNPATH);
    const strs = dynStrings(after, r, entries);
    if (!entries.every((e) => e.tag === DT_RPATH && strs.get(e)!.equals(plan.value!))) {
      return 'not every search path entry came out as asked';
    }
  }
  const refs = collectRefs(after, r, tab);
  if (refs.length !== plan.refs.length || refs.some((x, i) => x.off !== plan.refs[i]!.off)) {
    return 'references into the dynamic string table changed';
  }
  for (const j of journal) {
    for (let i = 0; i < j.old.length; i++) {
      const pos = j.pos + i;
      if (buf[pos] === j.old[i]) continue;
      const rel = pos - tab.off;
      if (rel >= 0 && rel < tab.size && plan.spans.firstOverlap(rel, rel)) {
        return `a string still in use at .dynstr offset ${rel} would change`;
      }
    }
  }
  return undefined;
}

/**
 * Patches buf in place (its length never changes). Returns human-readable changes, [] when nothing
 * needed changing. Throws ElfPatchUnsupported (buf untouched) when an in-place patch is impossible,
 * ElfError for malformed input.
 */
export function patchElf(buf: Buffer, req: PatchRequest, file: string = DEFAULT_NAME): string[] {
  const p = parse(buf, file);
  const desc = describe(p);
  const r = new Reader(buf, file);
  const writes: Write[] = [];
  const changes: string[] = [];
  if (req.interp !== undefined) planInterp(p, r, req.interp, writes, changes);
  const plan = planStrings(p, r, req, writes, changes);
  if (writes.length === 0) return [];

  const journal: { pos: number; old: Buffer }[] = [];
  for (const w of writes) {
    journal.push({ pos: w.pos, old: Buffer.from(buf.subarray(w.pos, w.pos + w.bytes.length)) });
    w.bytes.copy(buf, w.pos);
  }
  let problem: string | undefined;
  try {
    problem = verifyPatch(buf, file, p, desc, req, plan, journal);
  } catch (e) {
    problem = e instanceof Error ? e.message : String(e);
  }
  if (problem !== undefined) {
    for (let i = journal.length - 1; i >= 0; i--) journal[i]!.old.copy(buf, journal[i]!.pos);
    r.unsupported(`the in-place rewrite would not give a consistent file (${problem})`);
  }
  return changes;
}
