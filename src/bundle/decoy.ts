/**
 * Decoy libraries for the loader check (a pure module): the smallest ELF64 shared object a loader
 * accepts, carrying only a SONAME. The check's isolated root holds one under every soname the bundle
 * ships, in /lib64 and /usr/lib64, where Amazon Linux keeps its own (older, incompatible) copies:
 * a bundle that would take a library from LD_LIBRARY_PATH instead of its own lib/ lists it from there.
 */
import { DT_HASH, DT_NULL, DT_SONAME, DT_STRSZ, DT_STRTAB, DT_SYMENT, DT_SYMTAB } from './elf.js';

const EHDR = 64;
const PHDR = 56;
const DYN = 16;
const SYM = 24;

const align8 = (n: number): number => (n + 7) & ~7;

/** A shared object for machine (e_machine: 62 x86_64, 183 aarch64) whose only content is its SONAME. */
export function decoyLibrary(soname: string, machine: number): Buffer {
  const name = Buffer.from(soname, 'utf8');
  if (name.includes(0) || name.includes(0x2f))
    throw new Error(`not a library name: ${JSON.stringify(soname)}`);
  const phoff = EHDR;
  const strOff = phoff + 2 * PHDR;
  const strtab = Buffer.concat([Buffer.from([0]), name, Buffer.from([0])]);
  const symOff = align8(strOff + strtab.length);
  const hashOff = symOff + SYM; // one (null) symbol
  const dynOff = align8(hashOff + 16); // nbucket, nchain, bucket[0], chain[0]
  const dyn: [number, number][] = [
    [DT_HASH, hashOff],
    [DT_STRTAB, strOff],
    [DT_SYMTAB, symOff],
    [DT_STRSZ, strtab.length],
    [DT_SYMENT, SYM],
    [DT_SONAME, 1],
    [DT_NULL, 0],
  ];
  const size = dynOff + dyn.length * DYN;
  const b = Buffer.alloc(size);
  // ELF header: ELFCLASS64, little-endian, version 1, System V ABI; ET_DYN.
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  b.writeUInt16LE(3, 16); // e_type ET_DYN
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(0n, 24); // e_entry
  b.writeBigUInt64LE(BigInt(phoff), 32);
  b.writeBigUInt64LE(0n, 40); // no section headers
  b.writeUInt16LE(EHDR, 52);
  b.writeUInt16LE(PHDR, 54);
  b.writeUInt16LE(2, 56);
  b.writeUInt16LE(64, 58); // e_shentsize (no sections, but the usual size)
  // PT_LOAD: the whole file, read-write (loaders adjust the dynamic section in place).
  const load = phoff;
  b.writeUInt32LE(1, load);
  b.writeUInt32LE(6, load + 4);
  b.writeBigUInt64LE(0n, load + 8);
  b.writeBigUInt64LE(0n, load + 16);
  b.writeBigUInt64LE(0n, load + 24);
  b.writeBigUInt64LE(BigInt(size), load + 32);
  b.writeBigUInt64LE(BigInt(size), load + 40);
  b.writeBigUInt64LE(0x10000n, load + 48);
  // PT_DYNAMIC
  const dynPh = phoff + PHDR;
  b.writeUInt32LE(2, dynPh);
  b.writeUInt32LE(6, dynPh + 4);
  b.writeBigUInt64LE(BigInt(dynOff), dynPh + 8);
  b.writeBigUInt64LE(BigInt(dynOff), dynPh + 16);
  b.writeBigUInt64LE(BigInt(dynOff), dynPh + 24);
  b.writeBigUInt64LE(BigInt(dyn.length * DYN), dynPh + 32);
  b.writeBigUInt64LE(BigInt(dyn.length * DYN), dynPh + 40);
  b.writeBigUInt64LE(8n, dynPh + 48);
  strtab.copy(b, strOff);
  b.writeUInt32LE(1, hashOff); // nbucket
  b.writeUInt32LE(1, hashOff + 4); // nchain
  dyn.forEach(([tag, val], i) => {
    b.writeBigUInt64LE(BigInt(tag), dynOff + i * DYN);
    b.writeBigUInt64LE(BigInt(val), dynOff + i * DYN + 8);
  });
  return b;
}
