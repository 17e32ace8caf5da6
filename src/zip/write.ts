/**
 * The Lambda deployment zip: byte-reproducible, with Unix modes, deflated in parallel.
 *
 * Determinism: entries are sorted by the bytes of their names, every parent folder gets an entry,
 * every timestamp is the DOS minimum (1980-01-01 00:00:00), modes are normalised to 0755/0644,
 * and no extra fields, comments or data descriptors are written. The same sources at the same
 * level give the same bytes, whatever the concurrency, the cache or the order of `sources`.
 *
 * Speed: files are deflated with libdeflate on worker threads, largest first (src/zip/deflate.ts),
 * optionally through a cache of compressed files keyed by content. Entries are written in order
 * as soon as they are ready, and the SHA-256 is computed as the bytes go out.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import AdmZip from 'adm-zip';
import { createDeflater, defaultWorkers, type Deflater } from './deflate.js';
import { onTermination } from '../util/signals.js';

export interface ZipSource {
  /** Path inside the zip, '/'-separated, relative, no '..'. */
  name: string;
  /** The bytes, or a loader called once when the entry's turn comes (lets callers bound memory). */
  data: Buffer | (() => Promise<Buffer>);
  /** Permission bits, e.g. 0o755 or 0o644. Normalised: 0o755 if any x bit is set, else 0o644. */
  mode: number;
}

export interface ZipResult {
  /** Files whose compressed bytes came from the cache, and how many bytes they held unzipped. */
  cached: { entries: number; bytes: number };
  /** Absolute path of the zip written. */
  path: string;
  /** Size of the zip file. */
  bytes: number;
  /** Entries in the zip, files and folders. */
  entries: number;
  /** Sum of the file sizes. */
  unzippedBytes: number;
  /** base64 of the raw SHA-256 of the zip file (Lambda's CodeSha256 format). */
  sha256: string;
  sha256Hex: string;
}

export interface ZipOptions {
  /** libdeflate level 0-12 (0 stores everything). Default 6. */
  level?: number;
  /** Worker threads deflating at once. Default one per core, at most 8. */
  concurrency?: number;
  /** Folder of the cache of compressed files (see DeflateCache); none by default. */
  cacheDir?: string | undefined;
  /**
   * Let worker threads take the sources' memory instead of copying it. The caller must not use
   * a source Buffer after passing it (its bytes may have moved). Default false.
   */
  transferSources?: boolean;
}

export interface ZipListing {
  name: string;
  /** The Unix st_mode from the high 16 bits of the external attributes (type bits included). */
  mode: number;
  isDirectory: boolean;
  size: number;
  compressedSize: number;
  crc: number;
  /** 0 stored, 8 deflated. */
  method: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** Largest size or offset written: 0xffffffff itself means "look in the zip64 record" to readers. */
const MAX_U32 = 0xfffffffe;
/** Largest entry count: 0xffff itself means "look in the zip64 record" to readers. */
const MAX_ENTRIES = 0xfffe;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
const VERSION_NEEDED = 20;
const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
/** Write to the file once this much is pending. */
const FLUSH_BYTES = 1 * MiB;
const FLUSH_BUFFERS = 256;

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
// Planning: names, folders, modes

interface Prepared {
  method: number;
  crc: number;
  size: number;
  compressedSize: number;
  parts: Buffer[];
}

interface Planned {
  name: string;
  nameBytes: Buffer;
  isDirectory: boolean;
  /** Full st_mode: type and permission bits. */
  mode: number;
  source?: ZipSource;
  ready: Promise<Prepared>;
  resolve: (p: Prepared) => void;
  reject: (err: unknown) => void;
  /** Loaded bytes held for this entry until it is written. */
  held: number;
}

function badName(name: unknown, why: string): Error {
  return new Error(`zip: invalid entry name ${JSON.stringify(name)}: ${why}`);
}

function checkName(name: unknown): string {
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

function encodeName(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.toString('utf8') !== name) throw badName(name, 'not well-formed Unicode');
  if (bytes.length > 0xffff) throw badName(name, 'longer than 65535 bytes');
  return bytes;
}

function fileMode(name: string, mode: unknown): number {
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o177777)
    throw new Error(`zip: invalid mode ${String(mode)} for ${JSON.stringify(name)}`);
  const type = mode & S_IFMT;
  if (type !== 0 && type !== S_IFREG)
    throw new Error(`zip: ${JSON.stringify(name)} has mode ${mode.toString(8)}, which is not a regular file`);
  return S_IFREG | ((mode & 0o111) !== 0 ? 0o755 : 0o644);
}

function deferred(): Pick<Planned, 'ready' | 'resolve' | 'reject'> {
  let resolve!: (p: Prepared) => void;
  let reject!: (err: unknown) => void;
  const ready = new Promise<Prepared>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Entries that fail after the writer has stopped waiting must not become unhandled rejections.
  ready.catch(() => undefined);
  return { ready, resolve, reject };
}

const EMPTY: Prepared = { method: METHOD_STORED, crc: 0, size: 0, compressedSize: 0, parts: [] };

function plan(sources: readonly ZipSource[]): Planned[] {
  const files = new Map<string, ZipSource>();
  const dirs = new Set<string>();
  for (const source of sources) {
    const name = checkName(source.name);
    if (files.has(name)) throw new Error(`zip: duplicate entry name ${JSON.stringify(name)}`);
    files.set(name, source);
    let slash = name.indexOf('/');
    while (slash !== -1) {
      dirs.add(name.slice(0, slash));
      slash = name.indexOf('/', slash + 1);
    }
  }
  for (const dir of dirs)
    if (files.has(dir)) throw new Error(`zip: ${JSON.stringify(dir)} is both a file and a folder`);

  const planned: Planned[] = [];
  for (const [name, source] of files) {
    planned.push({
      name,
      nameBytes: encodeName(name),
      isDirectory: false,
      mode: fileMode(name, source.mode),
      source,
      held: 0,
      ...deferred(),
    });
  }
  for (const dir of dirs) {
    const name = `${dir}/`;
    const d = deferred();
    d.resolve({ ...EMPTY, parts: [] });
    planned.push({
      name,
      nameBytes: encodeName(name),
      isDirectory: true,
      mode: S_IFDIR | 0o755,
      held: 0,
      ...d,
    });
  }
  planned.sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes));
  if (planned.length > MAX_ENTRIES)
    throw new Error(
      `zip: ${planned.length} entries (files and folders) is more than a zip without zip64 can hold (${MAX_ENTRIES})`,
    );
  return planned;
}

// ---------------------------------------------------------------------------------------------
// Options

interface Resolved {
  level: number;
  workers: number;
  cacheDir: string | undefined;
  transfer: boolean;
}

function resolveOptions(opts: ZipOptions): Resolved {
  const level = opts.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 12)
    throw new Error(`zip: level must be an integer from 0 to 12, got ${level}`);
  const concurrency = opts.concurrency ?? defaultWorkers();
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`zip: concurrency must be a positive integer, got ${concurrency}`);
  return {
    level,
    workers: Math.min(concurrency, 8),
    cacheDir: opts.cacheDir,
    transfer: opts.transferSources ?? false,
  };
}

// ---------------------------------------------------------------------------------------------
// Compression

async function compress(data: Buffer, o: Resolved, deflater: Deflater): Promise<Prepared> {
  const size = data.length;
  const crc = size === 0 ? 0 : crc32(data);
  const stored = (bytes: Buffer): Prepared => ({
    method: METHOD_STORED,
    crc,
    size,
    compressedSize: size,
    parts: size > 0 ? [bytes] : [],
  });
  if (size === 0 || o.level === 0) return stored(data);
  const { out, data: back } = await deflater.deflate(data, o.transfer);
  if (out.length >= size) return stored(back);
  return { method: METHOD_DEFLATED, crc, size, compressedSize: out.length, parts: [out] };
}

function sourceBytes(e: Planned): number {
  return e.source && Buffer.isBuffer(e.source.data) ? e.source.data.length : 0;
}

async function load(source: ZipSource, name: string): Promise<Buffer> {
  let data: unknown;
  try {
    data = typeof source.data === 'function' ? await source.data() : source.data;
  } catch (err) {
    throw new Error(
      `zip: could not read ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  }
  if (!(data instanceof Uint8Array))
    throw new Error(`zip: the data for ${JSON.stringify(name)} is not a Buffer`);
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length > MAX_U32)
    throw new Error(
      `zip: ${JSON.stringify(name)} is ${buf.length} bytes, more than a zip without zip64 can hold`,
    );
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Output

class Output {
  offset = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly hash = createHash('sha256');

  constructor(private readonly fh: fsp.FileHandle) {}

  push(buf: Buffer): void {
    if (buf.length === 0) return;
    this.hash.update(buf);
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.offset += buf.length;
  }

  async maybeFlush(): Promise<void> {
    if (this.pendingBytes >= FLUSH_BYTES || this.pending.length >= FLUSH_BUFFERS) await this.flush();
  }

  async flush(): Promise<void> {
    let bufs = this.pending;
    let left = this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    while (left > 0) {
      const { bytesWritten } = await this.fh.writev(bufs);
      if (bytesWritten <= 0) throw new Error('zip: write made no progress');
      left -= bytesWritten;
      if (left === 0) break;
      // A short write: drop what went out and write the rest.
      let skip = bytesWritten;
      const rest: Buffer[] = [];
      for (const b of bufs) {
        if (skip >= b.length) skip -= b.length;
        else {
          rest.push(skip > 0 ? b.subarray(skip) : b);
          skip = 0;
        }
      }
      bufs = rest;
    }
  }

  digest(): Buffer {
    return this.hash.digest();
  }
}

function tooBig(what: string, value: number): Error {
  return new Error(
    `zip: ${what} would be ${value} bytes, past the 4 GiB limit of a zip without zip64 (Lambda's own limit is 250 MB unzipped)`,
  );
}

interface CentralRecord {
  entry: Planned;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

function localHeader(entry: Planned, flags: number, p: Omit<Prepared, 'parts'>): Buffer {
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

function centralDirectory(records: readonly CentralRecord[], cdOffset: number): Buffer {
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

// ---------------------------------------------------------------------------------------------
// Temporary files and signals

/**
 * Temporary zips being written: a cancelled job (SIGINT, SIGTERM) or a process.exit removes them
 * first, so no `.NAME.PID.RANDOM.tmp` is left beside zip-path.
 */
const pendingTemps = new Set<string>();
let stopWatching: (() => void) | undefined;

function removePendingTemps(): void {
  for (const f of pendingTemps) {
    try {
      fs.rmSync(f, { force: true });
    } catch {
      // already gone, or not ours to remove any more
    }
  }
  pendingTemps.clear();
}

function trackTemp(file: string): void {
  if (pendingTemps.size === 0) {
    process.on('exit', removePendingTemps);
    const stopSignals = onTermination(removePendingTemps);
    stopWatching = () => {
      process.off('exit', removePendingTemps);
      stopSignals();
    };
  }
  pendingTemps.add(file);
}

function untrackTemp(file: string): void {
  if (!pendingTemps.delete(file)) return;
  if (pendingTemps.size === 0) {
    stopWatching?.();
    stopWatching = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// writeZip

/**
 * Write `sources` as a deterministic zip at `outPath`, through a temporary file in the same
 * folder that is renamed over `outPath` only once complete. On failure `outPath` is untouched.
 */
export async function writeZip(
  sources: ZipSource[],
  outPath: string,
  opts: ZipOptions = {},
): Promise<ZipResult> {
  const o = resolveOptions(opts);
  const entries = plan(sources);
  const target = path.resolve(outPath);
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );

  const deflater = createDeflater({ level: o.level, workers: o.workers, cacheDir: o.cacheDir });
  // Loaded bytes not yet written: the loader waits while this is over budget.
  const budget = 64 * MiB;
  let held = 0;
  let heldEntries = 0;
  let stopped = false;
  let wake: (() => void) | undefined;
  const release = (entry: Planned): void => {
    if (!entry.source) return;
    held -= entry.held;
    heldEntries--;
    entry.held = 0;
    const w = wake;
    wake = undefined;
    w?.();
  };

  // Sources already in memory start compressing largest first, so the longest job never starts
  // last (the output is still written in name order). Loaders go in name order, under the budget.
  const inMemory = entries.every((e) => !e.source || Buffer.isBuffer(e.source.data));
  const order = inMemory ? [...entries].sort((a, b) => sourceBytes(b) - sourceBytes(a)) : entries;
  const produce = async (): Promise<void> => {
    for (const entry of order) {
      if (!entry.source) continue;
      while (!inMemory && !stopped && heldEntries > 0 && held >= budget)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      if (stopped) return;
      let data: Buffer;
      try {
        data = await load(entry.source, entry.name);
      } catch (err) {
        entry.reject(err);
        stopped = true;
        return;
      }
      held += data.length;
      heldEntries++;
      entry.held = data.length;
      compress(data, o, deflater).then(entry.resolve, entry.reject);
    }
  };

  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(tmp, 'wx', 0o644);
  } catch (err) {
    throw new Error(
      `zip: cannot create a temporary file next to ${target}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  trackTemp(tmp);
  let open = true;
  let producing: Promise<void> | undefined;
  try {
    producing = produce();
    const out = new Output(fh);
    const records: CentralRecord[] = [];
    let unzippedBytes = 0;
    for (const entry of entries) {
      const prepared = await entry.ready;
      if (out.offset > MAX_U32) throw tooBig(`the offset of ${JSON.stringify(entry.name)}`, out.offset);
      const flags = entry.nameBytes.some((b) => b >= 0x80) ? FLAG_UTF8 : 0;
      const { method, crc, compressedSize, size, parts } = prepared;
      records.push({ entry, flags, method, crc, compressedSize, size, offset: out.offset });
      out.push(localHeader(entry, flags, prepared));
      for (const part of parts) out.push(part);
      // The resolved promise keeps `prepared` alive: let the data go once it is out.
      prepared.parts = [];
      unzippedBytes += size;
      await out.maybeFlush();
      release(entry);
    }
    out.push(centralDirectory(records, out.offset));
    await out.flush();
    const digest = out.digest();
    open = false;
    await fh.close();
    await fsp.rename(tmp, target);
    return {
      cached: { entries: deflater.stats.cached, bytes: deflater.stats.cachedBytes },
      path: target,
      bytes: out.offset,
      entries: entries.length,
      unzippedBytes,
      sha256: digest.toString('base64'),
      sha256Hex: digest.toString('hex'),
    };
  } catch (err) {
    stopped = true;
    wake?.();
    if (open) await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    untrackTemp(tmp);
    stopped = true;
    wake?.();
    // The producer never rejects; wait for it so no loader runs after we return.
    await producing;
    await deflater.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Reading back

function readZip(zip: Buffer | string): Buffer {
  return typeof zip === 'string' ? fs.readFileSync(zip) : zip;
}

/** The entries of a zip as adm-zip reads them, in central-directory order. */
export function listZip(zip: Buffer | string): ZipListing[] {
  const admZip = new AdmZip(readZip(zip), { noSort: true });
  return admZip.getEntries().map((e) => ({
    name: e.entryName,
    mode: e.header.attr >>> 16,
    isDirectory: e.isDirectory,
    size: e.header.size,
    compressedSize: e.header.compressedSize,
    crc: e.header.crc,
    method: e.header.method,
  }));
}

/**
 * Read every entry back with adm-zip (which checks each CRC against the local header) and check
 * that local and central headers agree, sizes match and names are unique. Throws on any problem.
 */
export function verifyZip(zip: Buffer | string): void {
  const buf = readZip(zip);
  const admZip = new AdmZip(buf, { noSort: true });
  const seen = new Set<string>();
  for (const e of admZip.getEntries()) {
    const h = e.header;
    const name = e.entryName;
    const fail = (why: string): never => {
      throw new Error(`zip: ${JSON.stringify(name)}: ${why}`);
    };
    if (seen.has(name)) fail('duplicate entry');
    seen.add(name);
    // The local header, parsed here rather than trusted to adm-zip.
    const at = h.offset;
    if (at + LOCAL_HEADER > buf.length || buf.readUInt32LE(at) !== SIG_LOCAL)
      fail(`no local header at offset ${at}`);
    const local = {
      method: buf.readUInt16LE(at + 8),
      crc: buf.readUInt32LE(at + 14),
      compressedSize: buf.readUInt32LE(at + 18),
      size: buf.readUInt32LE(at + 22),
      nameLength: buf.readUInt16LE(at + 26),
      extraLength: buf.readUInt16LE(at + 28),
    };
    if (local.method !== h.method)
      fail(`method ${local.method} in the local header, ${h.method} in the central`);
    if (local.crc !== h.crc) fail('local and central CRC-32 differ');
    if (local.compressedSize !== h.compressedSize || local.size !== h.size)
      fail('local and central sizes differ');
    const localName = buf.subarray(at + LOCAL_HEADER, at + LOCAL_HEADER + local.nameLength);
    if (!localName.equals(e.rawEntryName)) fail('local and central names differ');
    const dataEnd = at + LOCAL_HEADER + local.nameLength + local.extraLength + h.compressedSize;
    if (dataEnd > buf.length) fail('data runs past the end of the file');
    if (e.isDirectory) {
      if (h.size !== 0 || h.compressedSize !== 0) fail('a folder entry with data');
      continue;
    }
    if (h.method !== METHOD_STORED && h.method !== METHOD_DEFLATED) fail(`unsupported method ${h.method}`);
    let data: Buffer;
    try {
      data = e.getData();
    } catch (err) {
      return fail(`cannot be read back: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (data.length !== h.size) fail(`read back ${data.length} bytes, the header says ${h.size}`);
    if (crc32(data) !== h.crc) fail('CRC-32 mismatch');
  }
}
