import * as zlib from 'node:zlib';

/**
 * The zip format as this writer uses it (a pure module): the constants, CRC-32, entry names and
 * modes, and the local and central headers. No zip64, no extra fields, no data descriptors.
 */

/** Largest size or offset written: 0xffffffff itself means "look in the zip64 record" to readers. */
export const MAX_U32 = 0xfffffffe;
/** Largest entry count: 0xffff itself means "look in the zip64 record" to readers. */
export const MAX_ENTRIES = 0xfffe;
export const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
export const S_IFDIR = 0o040000;
export const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
export const VERSION_NEEDED = 20;
export const DOS_TIME = 0; // 00:00:00
export const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
export const FLAG_UTF8 = 0x0800;
export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;
export const LOCAL_HEADER = 30;
export const CENTRAL_HEADER = 46;
export const END_RECORD = 22;
export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_END = 0x06054b50;

// ---------------------------------------------------------------------------------------------
// CRC-32

let crcTable: Uint32Array | undefined;

/** Table-driven CRC-32 (IEEE), the fallback for Node versions without zlib.crc32 (before 20.15). */
export function tableCrc32(data: Uint8Array, value = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `value`: zlib's when Node has it, else the table. */
export const crc32: (data: Uint8Array, value?: number) => number =
  typeof nativeCrc32 === 'function' ? (data, value = 0) => nativeCrc32(data, value) : tableCrc32;

// ---------------------------------------------------------------------------------------------
// Names and modes

function badName(name: unknown, why: string): Error {
  return new Error(`zip: invalid entry name ${JSON.stringify(name)}: ${why}`);
}

/** A valid entry name: relative, '/'-separated, no '..', '.', empty segment or NUL. */
export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw badName(name, 'must be a non-empty string');
  if (name.startsWith('/')) throw badName(name, 'absolute paths are not allowed');
  if (/^[A-Za-z]:/.test(name)) throw badName(name, 'drive-letter paths are not allowed');
  if (name.includes('\\')) throw badName(name, "use '/' as the separator, not '\\'");
  if (name.includes('\0')) throw badName(name, 'contains a NUL character');
  for (const segment of name.split('/')) {
    if (segment === '..') throw badName(name, "'..' segments are not allowed");
    if (segment === '.') throw badName(name, "'.' segments are not allowed");
    if (segment === '') throw badName(name, 'empty path segment (leading, trailing or doubled /)');
  }
  return name;
}

/** The name's UTF-8 bytes (at most 65535). */
export function encodeName(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.toString('utf8') !== name) throw badName(name, 'not well-formed Unicode');
  if (bytes.length > 0xffff) throw badName(name, 'longer than 65535 bytes');
  return bytes;
}

/** The st_mode an entry gets: a regular file, 0755 if any x bit is set, else 0644. */
export function fileMode(name: string, mode: unknown): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o177777)
    throw new Error(`zip: invalid mode ${String(mode)} for ${JSON.stringify(name)}`);
  const type = mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG)
    throw new Error(`zip: ${JSON.stringify(name)} has mode ${mode.toString(8)}, which is not a regular file`);
  return S_IFREG | ((mode & 0o111) !== 0 ? 0o755 : 0o644);
}

// ---------------------------------------------------------------------------------------------
// Headers

export function tooBig(what: string, value: number): Error {
  return new Error(
    `zip: ${what} would be ${value} bytes, past the 4 GiB limit of a zip without zip64 (Lambda's own limit is 250 MB unzipped)`,
  );
}

/** An entry as the headers describe it. */
export interface EntryHeader {
  nameBytes: Buffer;
  /** Full st_mode: type and permission bits. */
  mode: number;
}

export interface EntryData {
  method: number;
  crc: number;
  size: number;
  compressedSize: number;
}

export interface CentralRecord extends EntryData {
  entry: EntryHeader;
  flags: number;
  offset: number;
}

export function localHeader(entry: EntryHeader, flags: number, p: EntryData): Buffer {
  const h = Buffer.allocUnsafe(LOCAL_HEADER + entry.nameBytes.length);
  h.writeUInt32LE(SIG_LOCAL, 0);
  h.writeUInt16LE(VERSION_NEEDED, 4);
  h.writeUInt16LE(flags, 6);
  h.writeUInt16LE(p.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(p.crc, 14);
  h.writeUInt32LE(p.compressedSize, 18);
  h.writeUInt32LE(p.size, 22);
  h.writeUInt16LE(entry.nameBytes.length, 26);
  h.writeUInt16LE(0, 28);
  entry.nameBytes.copy(h, LOCAL_HEADER);
  return h;
}

export function centralDirectory(records: readonly CentralRecord[], cdOffset: number): Buffer {
  let cdSize = 0;
  for (const r of records) cdSize += CENTRAL_HEADER + r.entry.nameBytes.length;
  if (cdSize > MAX_U32) throw tooBig('the central directory', cdSize);
  if (cdOffset > MAX_U32) throw tooBig('the central directory offset', cdOffset);
  const out = Buffer.alloc(cdSize + END_RECORD);
  let at = 0;
  for (const p of records) {
    const { entry, flags, offset } = p;
    out.writeUInt32LE(SIG_CENTRAL, at);
    out.writeUInt16LE(VERSION_MADE_BY, at + 4);
    out.writeUInt16LE(VERSION_NEEDED, at + 6);
    out.writeUInt16LE(flags, at + 8);
    out.writeUInt16LE(p.method, at + 10);
    out.writeUInt16LE(DOS_TIME, at + 12);
    out.writeUInt16LE(DOS_DATE, at + 14);
    out.writeUInt32LE(p.crc, at + 16);
    out.writeUInt32LE(p.compressedSize, at + 20);
    out.writeUInt32LE(p.size, at + 24);
    out.writeUInt16LE(entry.nameBytes.length, at + 28);
    // extra length, comment length, disk number, internal attributes: 0 (Buffer.alloc zeroed them)
    out.writeUInt32LE((entry.mode << 16) >>> 0, at + 38);
    out.writeUInt32LE(offset, at + 42);
    entry.nameBytes.copy(out, at + CENTRAL_HEADER);
    at += CENTRAL_HEADER + entry.nameBytes.length;
  }
  out.writeUInt32LE(SIG_END, at);
  // disk numbers: 0
  out.writeUInt16LE(records.length, at + 8);
  out.writeUInt16LE(records.length, at + 10);
  out.writeUInt32LE(cdSize, at + 12);
  out.writeUInt32LE(cdOffset, at + 16);
  // comment length: 0
  return out;
}
