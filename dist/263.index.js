export const id = 263;
export const ids = [263];
export const modules = {

/***/ 2238:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Hq: () => (/* binding */ ElfPatchUnsupported),
/* harmony export */   QH: () => (/* binding */ ElfError),
/* harmony export */   aB: () => (/* binding */ isElf),
/* harmony export */   oU: () => (/* binding */ readElf),
/* harmony export */   yj: () => (/* binding */ patchElf)
/* harmony export */ });
/* unused harmony exports EM_X86_64, EM_AARCH64 */
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
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
/** Any problem with the input bytes. The message starts with the file name. */
class ElfError extends Error {
    name = 'ElfError';
}
/** An in-place patch is impossible (the caller falls back to patchelf); the message says why. */
class ElfPatchUnsupported extends ElfError {
    name = 'ElfPatchUnsupported';
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
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_SONAME = 14;
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
const STRING_TAGS = new Map([
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
function isElf(buf) {
    return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}
function archOf(machine) {
    if (machine === EM_X86_64)
        return 'x86_64';
    if (machine === EM_AARCH64)
        return 'arm64';
    return undefined;
}
function tagName(tag) {
    return STRING_TAGS.get(tag) ?? `tag 0x${tag.toString(16)}`;
}
function hex(v) {
    return `0x${v.toString(16)}`;
}
class Reader {
    buf;
    file;
    constructor(buf, file) {
        this.buf = buf;
        this.file = file;
    }
    fail(msg) {
        throw new ElfError(`${this.file}: ${msg}`);
    }
    unsupported(msg) {
        throw new ElfPatchUnsupported(`${this.file}: ${msg}`);
    }
    /** Throws unless [.., end) lies inside the file. */
    need(end, what) {
        if (!(end <= this.buf.length)) {
            this.fail(`truncated: ${what} ends at ${end}, file has ${this.buf.length} bytes`);
        }
    }
    u16(off) {
        return this.buf.readUInt16LE(off);
    }
    u32(off) {
        return this.buf.readUInt32LE(off);
    }
    /** A 64-bit value as a number (imprecise above 2^53, which is past the end of any buffer anyway). */
    u64(off) {
        return Number(this.buf.readBigUInt64LE(off));
    }
    big(off) {
        return this.buf.readBigUInt64LE(off);
    }
}
function parse(buf, file) {
    const r = new Reader(buf, file);
    if (!isElf(buf)) {
        const magic = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
        if (buf.length < 4 && magic.subarray(0, buf.length).equals(buf)) {
            r.fail(`truncated: ELF header ends at ${EHDR_SIZE}, file has ${buf.length} bytes`);
        }
        r.fail('not an ELF file (bad magic)');
    }
    const cls = buf[4];
    if (cls === 1)
        r.fail('32-bit ELF (ELFCLASS32) is not supported: only 64-bit objects are');
    if (cls !== undefined && cls !== 2)
        r.fail(`invalid ELF class ${cls}`);
    const data = buf[5];
    if (data === 2)
        r.fail('big-endian ELF (ELFDATA2MSB) is not supported: only little-endian objects are');
    if (data !== undefined && data !== 1)
        r.fail(`invalid ELF data encoding ${data}`);
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
    const sections = [];
    if (shoff !== 0) {
        if (shentsize !== SHDR_SIZE)
            r.fail(`section header entry size is ${shentsize}, expected ${SHDR_SIZE}`);
        r.need(shoff + SHDR_SIZE, 'section header table');
        if (shnum === 0)
            shnum = r.u64(shoff + 32);
        if (shstrndx === 0xffff)
            shstrndx = r.u32(shoff + 40);
        if (phnum === 0xffff)
            phnum = r.u32(shoff + 44);
        r.need(shoff + shnum * SHDR_SIZE, `section header table (${shnum} entries at offset ${shoff})`);
        for (let i = 0; i < shnum; i++) {
            const o = shoff + i * SHDR_SIZE;
            const s = {
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
    const segments = [];
    if (phnum > 0) {
        if (phentsize !== PHDR_SIZE)
            r.fail(`program header entry size is ${phentsize}, expected ${PHDR_SIZE}`);
        r.need(phoff + phnum * PHDR_SIZE, `program header table (${phnum} entries at offset ${phoff})`);
        for (let i = 0; i < phnum; i++) {
            const o = phoff + i * PHDR_SIZE;
            const s = {
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
    let interp;
    if (interpSeg) {
        const bytes = buf.subarray(interpSeg.offset, interpSeg.offset + interpSeg.filesz);
        const nul = bytes.indexOf(0);
        if (nul < 0) {
            r.fail(`PT_INTERP string (${interpSeg.filesz} bytes at offset ${interpSeg.offset}) has no terminating NUL`);
        }
        interp = bytes.subarray(0, nul);
    }
    const dynSeg = segments.find((s) => s.type === PT_DYNAMIC);
    const dyn = [];
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
            if (lo === DT_NULL && hi === 0)
                break;
            dyn.push({ pos, tag: hi === 0 ? lo : -1, val });
        }
    }
    const p = {
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
function segmentName(s) {
    const names = {
        [PT_LOAD]: 'PT_LOAD',
        [PT_DYNAMIC]: 'PT_DYNAMIC',
        [PT_INTERP]: 'PT_INTERP',
    };
    return `${names[s.type] ?? `segment type ${hex(s.type)}`} (program header ${s.index})`;
}
/** The last value of a dynamic tag (the loader keeps the last one). */
function lastDyn(p, tag) {
    let v;
    for (const d of p.dyn)
        if (d.tag === tag)
            v = d.val;
    return v;
}
/** Maps a virtual address to a file offset through the PT_LOAD segments; avail = file bytes from there to the segment's end. */
function mapAddr(p, addr) {
    for (const s of p.segments) {
        if (s.type !== PT_LOAD)
            continue;
        if (addr >= s.vaddr && addr < s.vaddr + BigInt(s.filesz)) {
            const delta = Number(addr - s.vaddr);
            return { off: s.offset + delta, avail: s.filesz - delta };
        }
    }
    return undefined;
}
function sectionName(p, s) {
    const t = p.sections[p.shstrndx];
    if (!t || t.type !== SHT_STRTAB || s.name >= t.size)
        return undefined;
    const bytes = p.buf.subarray(t.offset + s.name, t.offset + t.size);
    const nul = bytes.indexOf(0);
    return nul < 0 ? undefined : bytes.toString('latin1', 0, nul);
}
function findStrtab(p, r) {
    const addr = lastDyn(p, DT_STRTAB);
    if (addr === undefined)
        return undefined;
    const szv = lastDyn(p, DT_STRSZ);
    const size = szv === undefined ? undefined : Number(szv);
    const m = mapAddr(p, addr);
    if (m && (size === undefined || size <= m.avail))
        return { off: m.off, size: size ?? m.avail };
    // Fall back to the section headers' .dynstr.
    const dynSec = p.sections.find((s) => s.type === SHT_DYNAMIC);
    const linked = dynSec ? p.sections[dynSec.link] : undefined;
    const sec = p.sections.find((s) => s.type === SHT_STRTAB && s.addr === addr) ??
        p.sections.find((s) => s.type === SHT_STRTAB && sectionName(p, s) === '.dynstr') ??
        (linked?.type === SHT_STRTAB ? linked : undefined);
    const what = `DT_STRTAB ${hex(addr)}${size === undefined ? '' : ` (DT_STRSZ ${size})`}`;
    if (!sec)
        r.fail(`${what} is not inside any PT_LOAD segment and there is no .dynstr section`);
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
function nulEnds(buf, tab, sorted) {
    const out = [];
    let cur = -1;
    for (const rel of sorted) {
        if (rel > cur) {
            const idx = buf.subarray(tab.off + rel, tab.off + tab.size).indexOf(0);
            cur = idx < 0 ? tab.size : rel + idx;
        }
        out.push(cur >= tab.size ? -1 : cur);
    }
    return out;
}
function sortedUnique(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.filter((v, i) => i === 0 || v !== sorted[i - 1]);
}
/** Reads the strings of string-valued dynamic entries; throws ElfError on bad offsets or a missing NUL. */
function dynStrings(p, r, entries) {
    const out = new Map();
    if (entries.length === 0)
        return out;
    const tab = p.strtab;
    if (!tab)
        r.fail(`the dynamic section has ${tagName(entries[0].tag)} entries but no DT_STRTAB`);
    for (const e of entries) {
        if (e.val >= BigInt(tab.size)) {
            r.fail(`${tagName(e.tag)} string offset ${e.val} is outside the dynamic string table (${tab.size} bytes)`);
        }
    }
    const offs = sortedUnique(entries.map((e) => Number(e.val)));
    const ends = nulEnds(p.buf, tab, offs);
    const endOf = new Map(offs.map((o, i) => [o, ends[i]]));
    for (const e of entries) {
        const rel = Number(e.val);
        const end = endOf.get(rel);
        if (end < 0) {
            r.fail(`${tagName(e.tag)} string at offset ${rel} runs past the end of the dynamic string table (${tab.size} bytes at file offset ${tab.off}): no terminating NUL`);
        }
        out.set(e, p.buf.subarray(tab.off + rel, tab.off + end));
    }
    return out;
}
function describe(p) {
    const r = new Reader(p.buf, p.file);
    const entries = p.dyn.filter((d) => STRING_TAGS.has(d.tag));
    const strs = dynStrings(p, r, entries);
    const needed = [];
    let soname;
    let rpath;
    let runpath;
    for (const e of entries) {
        const s = strs.get(e).toString('utf8');
        if (e.tag === DT_NEEDED)
            needed.push(s);
        else if (e.tag === DT_SONAME)
            soname = s;
        else if (e.tag === DT_RPATH)
            rpath = s;
        else if (e.tag === DT_RUNPATH)
            runpath = s;
    }
    const interp = p.interp?.toString('utf8');
    return {
        file: p.file,
        type: p.type,
        machine: p.machine,
        arch: archOf(p.machine),
        interp,
        needed,
        soname,
        rpath,
        runpath,
        isStatic: interp === undefined && needed.length === 0,
    };
}
/** Reads an ELF64 little-endian object's headers. Throws ElfError on any problem with the bytes. */
function readElf(buf, file = DEFAULT_NAME) {
    return describe(parse(buf, file));
}
function refLabel(ref) {
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
function dynsymCount(p, r) {
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
        if (!m || m.avail < 8)
            r.fail(`DT_HASH ${hex(hash)} is not inside a PT_LOAD segment`);
        return r.u32(m.off + 4);
    }
    const gnu = lastDyn(p, DT_GNU_HASH);
    if (gnu !== undefined) {
        const m = mapAddr(p, gnu);
        if (!m || m.avail < 16)
            r.fail(`DT_GNU_HASH ${hex(gnu)} is not inside a PT_LOAD segment`);
        const nbuckets = r.u32(m.off);
        const symoffset = r.u32(m.off + 4);
        const bloomSize = r.u32(m.off + 8);
        const buckets = 16 + bloomSize * 8;
        const chains = buckets + nbuckets * 4;
        if (chains > m.avail)
            r.fail(`DT_GNU_HASH table (${nbuckets} buckets) runs past the end of its segment`);
        let max = 0;
        for (let i = 0; i < nbuckets; i++)
            max = Math.max(max, r.u32(m.off + buckets + i * 4));
        if (max < symoffset)
            return symoffset;
        let i = max;
        for (;;) {
            const at = chains + (i - symoffset) * 4;
            if (at + 4 > m.avail)
                r.fail('DT_GNU_HASH chain runs past the end of its segment');
            const h = r.u32(m.off + at);
            i++;
            if (h & 1)
                return i;
        }
    }
    return undefined;
}
function collectRefs(p, r, tab) {
    const refs = [];
    for (const d of p.dyn) {
        if (d.tag === DT_GNU_LIBLIST) {
            r.unsupported('prelinked object (DT_GNU_LIBLIST): its library list also names strings');
        }
        if (STRING_TAGS.has(d.tag) && d.tag !== DT_RPATH && d.tag !== DT_RUNPATH) {
            refs.push({ off: Number(d.val), kind: 'dyn', n: d.tag });
        }
    }
    // The dynamic symbol table (through DT_SYMTAB, as the loader sees it).
    const symtab = lastDyn(p, DT_SYMTAB);
    let symtabOff;
    const syment = lastDyn(p, DT_SYMENT);
    if (syment !== undefined && syment !== BigInt(SYM_SIZE)) {
        r.fail(`DT_SYMENT is ${syment}, expected ${SYM_SIZE}`);
    }
    if (symtab !== undefined) {
        const count = dynsymCount(p, r);
        if (count === undefined) {
            r.unsupported('cannot tell how many dynamic symbols there are (no section headers, DT_HASH or DT_GNU_HASH)');
        }
        const m = mapAddr(p, symtab);
        const sec = p.sections.find((s) => s.type === SHT_DYNSYM);
        let off;
        symtabOff = m?.off;
        if (m) {
            if (count * SYM_SIZE > m.avail) {
                r.fail(`dynamic symbol table (${count} symbols) runs past the end of its segment`);
            }
            off = m.off;
        }
        else if (sec) {
            off = sec.offset;
        }
        else {
            r.fail(`DT_SYMTAB ${hex(symtab)} is not inside any PT_LOAD segment`);
        }
        for (let i = 0; i < count; i++)
            refs.push({ off: r.u32(off + i * SYM_SIZE), kind: 'symbol', n: i });
    }
    // Any symbol table section whose names live in the same string table.
    for (const s of p.sections) {
        if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM)
            continue;
        const l = p.sections[s.link];
        if (!l || l.type !== SHT_STRTAB || l.offset !== tab.off || s.offset === symtabOff)
            continue;
        const count = Math.floor(s.size / SYM_SIZE);
        for (let i = 0; i < count; i++)
            refs.push({ off: r.u32(s.offset + i * SYM_SIZE), kind: 'symbol', n: i });
    }
    // Section names, in the odd case the section name table is the dynamic string table.
    const shstr = p.sections[p.shstrndx];
    if (shstr && shstr.type === SHT_STRTAB && shstr.offset === tab.off) {
        for (const s of p.sections)
            refs.push({ off: s.name, kind: 'section-name', n: s.index });
    }
    let steps = 0;
    const step = () => {
        if (++steps > MAX_VERSION_ENTRIES)
            r.fail(`version tables have more than ${MAX_VERSION_ENTRIES} entries`);
    };
    const verdef = lastDyn(p, DT_VERDEF);
    if (verdef !== undefined) {
        const m = mapAddr(p, verdef);
        if (!m)
            r.fail(`DT_VERDEF ${hex(verdef)} is not inside any PT_LOAD segment`);
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
                if (next === 0)
                    break;
                a += next;
            }
            const next = r.u32(off + 16);
            if (next === 0)
                break;
            off += next;
        }
    }
    const verneed = lastDyn(p, DT_VERNEED);
    if (verneed !== undefined) {
        const m = mapAddr(p, verneed);
        if (!m)
            r.fail(`DT_VERNEED ${hex(verneed)} is not inside any PT_LOAD segment`);
        const num = lastDyn(p, DT_VERNEEDNUM);
        let off = m.off;
        for (let i = 0; num === undefined || i < num; i++) {
            step();
            r.need(off + 16, `version need ${i}`);
            const cnt = r.u16(off + 2);
            refs.push({ off: r.u32(off + 4), kind: 'verneed-file', n: i });
            let a = off + r.u32(off + 8);
            for (let j = 0; j < cnt; j++) {
                step();
                r.need(a + 16, `version need ${i} auxiliary entry ${j}`);
                refs.push({ off: r.u32(a + 8), kind: 'verneed-name', n: i });
                const next = r.u32(a + 12);
                if (next === 0)
                    break;
                a += next;
            }
            const next = r.u32(off + 12);
            if (next === 0)
                break;
            off += next;
        }
    }
    return refs;
}
/** The byte spans [start, end] (end = the NUL, inclusive) of referenced strings, merged, sorted. */
class Spans {
    starts = [];
    ends = [];
    constructor(buf, tab, offsets) {
        const offs = sortedUnique(offsets.filter((o) => o >= 0 && o < tab.size));
        const ends = nulEnds(buf, tab, offs);
        offs.forEach((o, i) => {
            const e = ends[i] < 0 ? tab.size - 1 : ends[i];
            const last = this.ends.length - 1;
            if (last >= 0 && o <= this.ends[last])
                this.ends[last] = Math.max(this.ends[last], e);
            else {
                this.starts.push(o);
                this.ends.push(e);
            }
        });
    }
    /** The first merged span intersecting [a, b] (inclusive), if any. */
    firstOverlap(a, b) {
        let lo = 0;
        let hi = this.ends.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.ends[mid] < a)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < this.ends.length && this.starts[lo] <= b) {
            return { start: this.starts[lo], end: this.ends[lo] };
        }
        return undefined;
    }
}
function encode(r, value, what) {
    const b = Buffer.from(value, 'utf8');
    if (b.includes(0))
        r.unsupported(`the new ${what} contains a NUL byte`);
    return b;
}
function overlaps(a, alen, b, blen) {
    return alen > 0 && blen > 0 && a < b + blen && b < a + alen;
}
/** Structures an interp or string write must never touch. */
function structuralRanges(p) {
    const out = [
        { off: 0, len: EHDR_SIZE, what: 'the ELF header' },
        { off: p.phoff, len: p.phnum * PHDR_SIZE, what: 'the program header table' },
    ];
    if (p.dynSeg)
        out.push({ off: p.dynSeg.offset, len: p.dynSeg.filesz, what: 'the dynamic section' });
    return out;
}
function planInterp(p, r, value, writes, changes) {
    const seg = p.interpSeg;
    if (!seg || !p.interp) {
        r.unsupported('no PT_INTERP segment to rewrite (not a dynamically linked executable)');
    }
    const bytes = encode(r, value, 'interpreter');
    if (bytes.equals(p.interp))
        return;
    if (bytes.length + 1 > seg.filesz) {
        r.unsupported(`the new interpreter ${value} needs ${bytes.length + 1} bytes with its NUL, the PT_INTERP segment has ${seg.filesz}`);
    }
    const ranges = structuralRanges(p);
    if (p.strtab)
        ranges.push({ off: p.strtab.off, len: p.strtab.size, what: 'the dynamic string table' });
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
function planRpath(p, r, value, writes, changes) {
    const entries = p.dyn.filter((d) => d.tag === DT_RPATH || d.tag === DT_RUNPATH);
    if (entries.length === 0)
        r.unsupported('no RPATH or RUNPATH entry');
    const want = encode(r, value, 'RPATH');
    const strs = dynStrings(p, r, entries);
    const tab = p.strtab;
    if (entries.every((e) => e.tag === DT_RPATH && strs.get(e).equals(want)))
        return undefined;
    const refs = collectRefs(p, r, tab);
    const spans = new Spans(p.buf, tab, refs.map((x) => x.off));
    const endCache = new Map();
    const endOf = (off) => {
        let e = endCache.get(off);
        if (e === undefined) {
            e = nulEnds(p.buf, tab, [off])[0];
            if (e < 0)
                e = tab.size - 1;
            endCache.set(off, e);
        }
        return e;
    };
    /** Names a reference whose string shares bytes with [a, b] (for the message). */
    const conflictWith = (a, b) => {
        const span = spans.firstOverlap(a, b);
        const hit = span && refs.find((x) => x.off >= span.start && x.off <= b && endOf(x.off) >= a);
        if (!hit)
            return 'another string';
        const s = p.buf.toString('utf8', tab.off + hit.off, tab.off + endOf(hit.off));
        return `${refLabel(hit)} ("${s}" at offset ${hit.off})`;
    };
    // The old strings, by offset, in entry order.
    const oldAt = new Map();
    for (const e of entries)
        if (!oldAt.has(Number(e.val)))
            oldAt.set(Number(e.val), strs.get(e));
    // Where the new string goes: a string that already says it, else the first old one that can take it.
    let target;
    for (const [o, old] of oldAt) {
        if (old.equals(want)) {
            target = o;
            break;
        }
    }
    const reasons = [];
    if (target === undefined) {
        for (const [o, old] of oldAt) {
            const shown = old.toString('utf8');
            if (want.length > old.length) {
                reasons.push(`the new RPATH ${value} (${want.length} bytes) is longer than the old string ${shown} (${old.length} bytes)`);
            }
            else if (spans.firstOverlap(o, o + want.length)) {
                reasons.push(`the old string ${shown} at .dynstr offset ${o} shares bytes ${o}..${o + want.length} with ${conflictWith(o, o + want.length)}`);
            }
            else {
                target = o;
                break;
            }
            if (reasons.length >= 3)
                break;
        }
    }
    if (target === undefined)
        r.unsupported(`cannot rewrite the search path in place: ${reasons.join('; ')}`);
    const t = target;
    const tOld = oldAt.get(t);
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
    const seen = new Set();
    for (const e of entries) {
        if (e.tag !== DT_RPATH || e.val !== BigInt(t)) {
            const bytes = Buffer.alloc(DYN_SIZE);
            bytes.writeBigUInt64LE(BigInt(DT_RPATH), 0);
            bytes.writeBigUInt64LE(BigInt(t), 8);
            writes.push({ pos: e.pos, bytes });
        }
        const old = strs.get(e);
        if (e.tag === DT_RPATH && old.equals(want))
            continue;
        const msg = `${tagName(e.tag)} ${old.toString('utf8')} -> RPATH ${value}`;
        if (!seen.has(msg))
            changes.push(msg);
        seen.add(msg);
    }
    for (const w of writes) {
        if (w.pos < tab.off || w.pos >= tab.off + tab.size)
            continue;
        for (const s of structuralRanges(p)) {
            if (overlaps(w.pos, w.bytes.length, s.off, s.len)) {
                r.unsupported(`the dynamic string table overlaps ${s.what}`);
            }
        }
    }
    return { refs, spans, value: want };
}
function sameStrings(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
/** Checks the patched bytes say exactly what was asked and nothing else changed: a problem, or undefined. May throw ElfError. */
function verifyPatch(buf, file, before, desc, req, plan, journal) {
    const after = parse(buf, file);
    const d = describe(after);
    if (d.type !== desc.type || d.machine !== desc.machine)
        return 'the ELF header changed';
    if (!sameStrings(d.needed, desc.needed) || d.soname !== desc.soname) {
        return 'DT_NEEDED or DT_SONAME changed';
    }
    if (d.interp !== (req.interp ?? desc.interp))
        return 'PT_INTERP did not come out as asked';
    const tab = before.strtab;
    if (after.strtab?.off !== tab?.off || after.strtab?.size !== tab?.size) {
        return 'the dynamic string table moved';
    }
    if (after.dyn.length !== before.dyn.length)
        return 'the dynamic section changed length';
    if (req.rpath === undefined) {
        if (d.rpath !== desc.rpath || d.runpath !== desc.runpath)
            return 'the search path changed';
        return undefined;
    }
    if (d.rpath !== req.rpath || d.runpath !== undefined)
        return 'the search path did not come out as asked';
    if (!plan || !tab)
        return undefined;
    const r = new Reader(buf, file);
    const entries = after.dyn.filter((x) => x.tag === DT_RPATH || x.tag === DT_RUNPATH);
    const strs = dynStrings(after, r, entries);
    if (!entries.every((e) => e.tag === DT_RPATH && strs.get(e).equals(plan.value))) {
        return 'not every search path entry came out as asked';
    }
    const refs = collectRefs(after, r, tab);
    if (refs.length !== plan.refs.length || refs.some((x, i) => x.off !== plan.refs[i].off)) {
        return 'references into the dynamic string table changed';
    }
    for (const j of journal) {
        for (let i = 0; i < j.old.length; i++) {
            const pos = j.pos + i;
            if (buf[pos] === j.old[i])
                continue;
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
function patchElf(buf, req, file = DEFAULT_NAME) {
    const p = parse(buf, file);
    const desc = describe(p);
    const r = new Reader(buf, file);
    const writes = [];
    const changes = [];
    if (req.interp !== undefined)
        planInterp(p, r, req.interp, writes, changes);
    const plan = req.rpath !== undefined ? planRpath(p, r, req.rpath, writes, changes) : undefined;
    if (writes.length === 0)
        return [];
    const journal = [];
    for (const w of writes) {
        journal.push({ pos: w.pos, old: Buffer.from(buf.subarray(w.pos, w.pos + w.bytes.length)) });
        w.bytes.copy(buf, w.pos);
    }
    let problem;
    try {
        problem = verifyPatch(buf, file, p, desc, req, plan, journal);
    }
    catch (e) {
        problem = e instanceof Error ? e.message : String(e);
    }
    if (problem !== undefined) {
        for (let i = journal.length - 1; i >= 0; i--)
            journal[i].old.copy(buf, journal[i].pos);
        r.unsupported(`the in-place rewrite would not give a consistent file (${problem})`);
    }
    return changes;
}


/***/ }),

/***/ 1812:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CI: () => (/* binding */ storePathOf),
/* harmony export */   LO: () => (/* binding */ NIX_FEATURE_ARGS),
/* harmony export */   Sp: () => (/* binding */ DEFAULT_PROFILE_BIN),
/* harmony export */   TQ: () => (/* binding */ closureOf),
/* harmony export */   TV: () => (/* binding */ isExecutable),
/* harmony export */   Tg: () => (/* binding */ describeNix),
/* harmony export */   Tl: () => (/* binding */ closureOfPaths),
/* harmony export */   dI: () => (/* binding */ runNix),
/* harmony export */   ij: () => (/* binding */ ensureNix),
/* harmony export */   rv: () => (/* binding */ findNix),
/* harmony export */   wF: () => (/* binding */ nix)
/* harmony export */ });
/* unused harmony export parseNixVersion */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _exec_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3190);




/** Enables flakes on every Nix from 2.8 on, whatever its configuration says. */
const NIX_FEATURE_ARGS = ['--extra-experimental-features', 'nix-command flakes'];
const DEFAULT_PROFILE_BIN = '/nix/var/nix/profiles/default/bin';
function isExecutable(p) {
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.accessSync(p, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.X_OK);
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(p).isFile();
    }
    catch {
        return false;
    }
}
/** Finds `nix`: on PATH first, then in the default profile, then in the user's profile. */
function findNix(env = process.env, home = env['HOME'] ?? '') {
    const dirs = (env['PATH'] ?? '').split(node_path__WEBPACK_IMPORTED_MODULE_1__.delimiter).filter(Boolean);
    dirs.push(DEFAULT_PROFILE_BIN);
    if (home)
        dirs.push(node_path__WEBPACK_IMPORTED_MODULE_1__.join(home, '.nix-profile', 'bin'));
    for (const d of dirs) {
        const p = node_path__WEBPACK_IMPORTED_MODULE_1__.join(d, 'nix');
        if (isExecutable(p))
            return p;
    }
    return undefined;
}
/** "nix (Nix) 2.8.0" -> "2.8.0"; "nix (Determinate Nix 3.6.2) 2.29.0" -> "2.29.0". */
function parseNixVersion(text) {
    const m = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(text.trim().split('\n')[0] ?? '');
    if (!m)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Unrecognised Nix', `could not read a version from \`nix --version\`: "${text.trim()}"`);
    return m[1];
}
async function describeNix(nix, installed) {
    const { stdout } = await (0,_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(nix, ['--version'], { errorTitle: 'Nix does not run' });
    const daemonSocket = '/nix/var/nix/daemon-socket/socket';
    return {
        nix,
        binDir: node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(nix),
        version: parseNixVersion(stdout),
        installed,
        daemon: node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(daemonSocket) && process.getuid?.() !== 0,
    };
}
/** The Nix this job uses: the install stage's, or one found now (when install is not among the stages). */
async function ensureNix(ctx) {
    if (ctx.nix)
        return ctx.nix;
    const nix = findNix(process.env, ctx.runner.home);
    if (!nix)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Nix not found', `no \`nix\` on PATH, in ${DEFAULT_PROFILE_BIN} or in ~/.nix-profile/bin; add install to \`stages\` or install Nix in an earlier step.`);
    ctx.nix = await describeNix(nix, false);
    ctx.post.nix = nix;
    return ctx.nix;
}
/** Runs `<nixBin> <args>` with flakes enabled (for the post step, which has no job context). */
function runNix(nixBin, args, opts = {}) {
    return (0,_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(nixBin, [...NIX_FEATURE_ARGS, ...args], opts);
}
/** Runs `nix <args>` with flakes enabled. */
async function nix(ctx, args, opts = {}) {
    return runNix((await ensureNix(ctx)).nix, args, opts);
}
/** The runtime closure of store paths (`nix path-info -r`), sorted. */
async function closureOfPaths(nixBin, paths) {
    const { stdout } = await runNix(nixBin, ['path-info', '-r', ...paths], {
        errorTitle: 'Could not read the closure',
    });
    return [
        ...new Set(stdout
            .split('\n')
            .map((s) => s.trim())
            .filter((s) => s.startsWith('/'))),
    ].sort();
}
/** The runtime closure of store paths, with the job's Nix. */
async function closureOf(ctx, paths) {
    return closureOfPaths((await ensureNix(ctx)).nix, paths);
}
/** /nix/store/HASH-NAME/... -> /nix/store/HASH-NAME */
function storePathOf(p, storeDir = '/nix/store') {
    if (!p.startsWith(`${storeDir}/`))
        return undefined;
    const rest = p.slice(storeDir.length + 1);
    const name = rest.split('/')[0];
    return name ? `${storeDir}/${name}` : undefined;
}


/***/ })

};
