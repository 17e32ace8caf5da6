/**
 * The Lambda deployment zip: byte-reproducible, with Unix modes, deflated in parallel.
 *
 * Determinism: entries are sorted by the bytes of their names, every parent folder gets an entry,
 * every timestamp is the DOS minimum (1980-01-01 00:00:00), modes are normalised to 0755/0644,
 * and no extra fields, comments or data descriptors are written. The same sources at the same
 * level give the same bytes, whatever the concurrency, the cache or the order of `sources`.
 *
 * Speed: files are deflated with libdeflate on worker threads, largest first (deflate.ts),
 * optionally through a cache of compressed files keyed by content. Entries are written in order
 * as soon as they are ready, and the SHA-256 is computed as the bytes go out.
 */
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { createDeflater, defaultWorkers, type Deflater } from './deflate.js';
import { openTemp, Output, trackTemp, untrackTemp } from './output.js';
import {
  centralDirectory,
  checkName,
  crc32,
  encodeName,
  FLAG_UTF8,
  fileMode,
  localHeader,
  MAX_ENTRIES,
  MAX_U32,
  METHOD_DEFLATED,
  METHOD_STORED,
  S_IFDIR,
  tooBig,
  type CentralRecord,
} from './format.js';

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
  /** Lambda's CodeSha256 of the zip file: base64 of its raw SHA-256. */
  codeSha256: string;
}

export interface ZipOptions {
  /** libdeflate level 0-12 (0 stores everything). Default 6. */
  level?: number;
  /** Worker threads deflating at once. Default one per core, at most 8. */
  concurrency?: number;
  /** Folder of the cache of compressed files (see DeflateCache); none by default. */
  cacheDir?: string | undefined;
  /** The most the cache folder may hold after the zip is written (default DEFLATE_CACHE_MAX_BYTES). */
  cacheMaxBytes?: number;
  /**
   * Let worker threads take the sources' memory instead of copying it. The caller must not use
   * a source Buffer after passing it (its bytes may have moved). Default false.
   */
  transferSources?: boolean;
  /**
   * A deflater made (and closed) by the caller, which may already be compressing the sources
   * (prefetchingDeflater); level, concurrency and the cache are then its own.
   */
  deflater?: Deflater;
}

const KiB = 1024;
const MiB = 1024 * KiB;

// ---------------------------------------------------------------------------------------------
// Planning: names, folders, modes (format.ts checks them)

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
  cacheMaxBytes: number | undefined;
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
    cacheMaxBytes: opts.cacheMaxBytes,
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
// Feeding the compressors

/**
 * Loads the sources and starts compressing them. Sources already in memory start largest first,
 * so the longest job never starts last (the output is still written in name order); loaders go
 * in name order, holding at most BUDGET loaded bytes that are not written yet.
 */
class Feed {
  private static readonly BUDGET = 64 * MiB;
  private held = 0;
  private heldEntries = 0;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly inMemory: boolean;

  constructor(
    private readonly entries: readonly Planned[],
    private readonly o: Resolved,
    private readonly deflater: Deflater,
  ) {
    this.inMemory = entries.every((e) => !e.source || Buffer.isBuffer(e.source.data));
  }

  /** Starts every entry's compression; never rejects (a failure rejects that entry). */
  async run(): Promise<void> {
    const order = this.inMemory
      ? [...this.entries].sort((a, b) => sourceBytes(b) - sourceBytes(a))
      : this.entries;
    for (const entry of order) {
      if (!entry.source) continue;
      while (!this.inMemory && !this.stopped && this.heldEntries > 0 && this.held >= Feed.BUDGET)
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      if (this.stopped) return;
      let data: Buffer;
      try {
        data = await load(entry.source, entry.name);
      } catch (err) {
        entry.reject(err);
        this.stopped = true;
        return;
      }
      this.held += data.length;
      this.heldEntries++;
      entry.held = data.length;
      compress(data, this.o, this.deflater).then(entry.resolve, entry.reject);
    }
  }

  /** The entry is written: its bytes no longer count against the budget. */
  release(entry: Planned): void {
    if (!entry.source) return;
    this.held -= entry.held;
    this.heldEntries--;
    entry.held = 0;
    this.resume();
  }

  stop(): void {
    this.stopped = true;
    this.resume();
  }

  private resume(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
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
  const deflater =
    opts.deflater ??
    createDeflater({
      level: o.level,
      workers: o.workers,
      cacheDir: o.cacheDir,
      cacheMaxBytes: o.cacheMaxBytes,
    });
  const feed = new Feed(entries, o, deflater);
  const fh = await openTemp(tmp, target);
  trackTemp(tmp);
  let open = true;
  let feeding: Promise<void> | undefined;
  try {
    feeding = feed.run();
    const out = new Output(fh);
    const unzippedBytes = await writeEntries(entries, out, feed);
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
      codeSha256: digest.toString('base64'),
    };
  } catch (err) {
    feed.stop();
    if (open) await fh.close().catch(() => undefined);
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    untrackTemp(tmp);
    feed.stop();
    // The feed never rejects; wait for it so no loader runs after we return.
    await feeding;
    if (!opts.deflater) await deflater.close();
  }
}

/** Writes every entry, in order, as soon as it is compressed, then the central directory. Returns the bytes unzipped. */
async function writeEntries(entries: readonly Planned[], out: Output, feed: Feed): Promise<number> {
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
    feed.release(entry);
  }
  out.push(centralDirectory(records, out.offset));
  await out.flush();
  return unzippedBytes;
}
