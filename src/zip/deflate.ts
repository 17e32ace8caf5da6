import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { sha256Hex } from '../util/hash.js';
// The engine's own package.json (its `exports` hide the file from a bare `libdeflate/package.json`):
// read from node_modules by tests and local runs, inlined by the bundler (only `version` is kept) in dist/.
import libdeflatePackage from '../../node_modules/libdeflate/package.json' with { type: 'json' };

/**
 * Raw DEFLATE for the zip writer: libdeflate (WebAssembly), which at level 6 writes
 * smaller output than Info-ZIP's `zip -6` or Node's zlib at the same speed, run
 * file by file on worker threads (largest first) so every core works, with an
 * optional content-addressed cache of compressed files: store paths never change,
 * so packaging the same closure again deflates nothing.
 */

/**
 * libdeflate's Emscripten module, which holds the WebAssembly as a base64 data URI. A literal
 * `new URL(..., import.meta.url)`: from src/ it is the file in node_modules; the bundler copies it
 * beside dist/index.js (the bundled engine is built from the same file), so both read the same bytes.
 */
const ENGINE_MODULE = new URL('../../node_modules/libdeflate/dist/libdeflate.wasm.mjs', import.meta.url);

export interface DeflateEngine {
  name: 'libdeflate';
  /** The version in libdeflate's package.json. */
  version: string;
  /** SHA-256 (hex) of the WebAssembly module that does the compressing. */
  wasmSha256: string;
}

let engine: DeflateEngine | undefined;

/** The WebAssembly bytes inside an Emscripten module's source (its `data:...;base64,` URI). */
export function wasmFromModuleSource(source: string): Buffer {
  const found = [...source.matchAll(/data:application\/octet-stream;base64,([A-Za-z0-9+/]+={0,2})/g)];
  if (found.length !== 1)
    throw new Error(`expected one base64 WebAssembly module in libdeflate's module, found ${found.length}`);
  const wasm = Buffer.from(found[0]![1]!, 'base64');
  if (!wasm.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])))
    throw new Error("libdeflate's embedded module does not start with WebAssembly's magic number");
  return wasm;
}

/**
 * The compressor that produces the deflated bytes: libdeflate's version and the SHA-256 of its
 * WebAssembly. Read once per process, on first use (only the deflate cache needs it).
 */
export function deflateEngine(): DeflateEngine {
  if (!engine) {
    let wasm: Buffer;
    try {
      wasm = wasmFromModuleSource(fs.readFileSync(ENGINE_MODULE, 'utf8'));
    } catch (err) {
      throw new Error(
        `deflate: cannot identify the compressor (${fileURLToPath(ENGINE_MODULE)}): ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    engine = {
      name: 'libdeflate',
      version: libdeflatePackage.version,
      wasmSha256: sha256Hex(wasm),
    };
  }
  return engine;
}

/**
 * The compressor's part of every cache key: another libdeflate version, or the same version built
 * into different WebAssembly, never reads entries this one wrote (it could deflate differently).
 */
export function compressorId(e: DeflateEngine = deflateEngine()): string {
  return `${e.name}-${e.version.replace(/[^\w.-]/g, '_')}-${e.wasmSha256}`;
}

/** Files smaller than this are compressed on the calling thread: a round trip costs more. */
const SMALL = 64 * 1024;

/** The most the deflate cache folder holds after a zip is written: the least recently used entries go first. */
export const DEFLATE_CACHE_MAX_BYTES = 512 * 1024 * 1024;

let libdeflate: Promise<typeof import('libdeflate')> | undefined;

/**
 * libdeflate on this thread (for small files), loaded on first use: a step that never zips (the
 * post step, a deploy-only run) never loads it. The worker threads load their own copy.
 */
function deflateHere(data: Buffer, level: number): Promise<Buffer> {
  libdeflate ??= import('libdeflate');
  return libdeflate.then((m) => Buffer.from(m.deflate(data, level)));
}

interface Job {
  data: Buffer;
  level: number;
  /** Hand data's memory to the worker instead of copying it (it comes back with the result). */
  transfer: boolean;
  resolve: (r: DeflateResult) => void;
  reject: (err: unknown) => void;
}

export interface DeflateResult {
  out: Buffer;
  /** The input: the same Buffer, or, when it was transferred to a worker, the one it came back in. */
  data: Buffer;
}

/** A Buffer whose memory can move to a worker: it spans its whole ArrayBuffer (not a pool slice). */
function ownsMemory(b: Buffer): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/** Where the worker script lives, relative to this module (src/ or dist/). */
const WORKER_FILE = ['deflate-worker', 'index.mjs'];

/** The worker script beside this module: src/deflate-worker/index.mjs, or dist/deflate-worker/index.mjs once bundled. */
function workerUrl(): URL {
  // Computed at run time so that the bundler does not copy the unbundled source as an asset:
  // scripts/build.mjs bundles the worker (with libdeflate) on its own.
  return new URL(WORKER_FILE.map(encodeURIComponent).join('/'), import.meta.url);
}

/** Workers by default: one per core, at most 8. */
export function defaultWorkers(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(n, 8));
}

export class DeflatePool {
  private readonly slots: Slot[] = [];
  /** Waiting jobs, largest first (longest-processing-time scheduling keeps the makespan short). */
  private readonly queue: Job[] = [];
  private closed = false;

  constructor(private readonly size: number) {}

  deflate(data: Buffer, level: number, transfer = false): Promise<DeflateResult> {
    if (this.closed) return Promise.reject(new Error('deflate: the pool is closed'));
    if (data.length < SMALL || this.size <= 1) return deflateHere(data, level).then((out) => ({ out, data }));
    return new Promise<DeflateResult>((resolve, reject) => {
      const job: Job = { data, level, transfer: transfer && ownsMemory(data), resolve, reject };
      const at = this.queue.findIndex((j) => j.data.length < data.length);
      if (at < 0) this.queue.push(job);
      else this.queue.splice(at, 0, job);
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.job = job;
      if (job.transfer)
        slot.worker.postMessage({ data: job.data, level: job.level, back: true }, [
          job.data.buffer as ArrayBuffer,
        ]);
      else slot.worker.postMessage({ data: job.data, level: job.level, back: false });
    }
  }

  private spawn(): Slot {
    const worker = new Worker(workerUrl());
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (msg: { out?: Uint8Array; data?: Uint8Array; error?: string }) => {
      const job = slot.job;
      slot.job = undefined;
      if (job) {
        const data = msg.data
          ? Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength)
          : job.data;
        if (msg.out)
          job.resolve({ out: Buffer.from(msg.out.buffer, msg.out.byteOffset, msg.out.byteLength), data });
        else job.reject(new Error(`deflate: ${msg.error ?? 'the worker failed'}`));
      }
      this.dispatch();
    });
    worker.on('error', (err) => {
      this.fail(slot, err);
    });
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(slot, new Error(`deflate: a worker exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private fail(slot: Slot, err: unknown): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    slot.job?.reject(err);
    slot.job = undefined;
    for (const job of this.queue.splice(0)) job.reject(err);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('deflate: the pool was closed'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}

/**
 * Compressed files by the SHA-256 of their bytes, the level and the compressor (compressorId).
 * Entries are written atomically (temporary file, rename), so a crash leaves no half entry, and
 * each starts with the SHA-256 of the compressed bytes that follow: a damaged entry is a miss.
 */
export class DeflateCache {
  constructor(readonly dir: string) {}

  key(data: Buffer, level: number): string {
    return `${sha256Hex(data)}-${level}-${compressorId()}`;
  }

  async get(key: string): Promise<Buffer | undefined> {
    const file = path.join(this.dir, `${key}.deflate`);
    let raw: Buffer;
    try {
      raw = await fsp.readFile(file);
    } catch {
      return undefined;
    }
    const out = raw.subarray(32);
    if (raw.length < 32 || !createHash('sha256').update(out).digest().equals(raw.subarray(0, 32))) {
      await fsp.rm(file, { force: true }).catch(() => undefined);
      return undefined;
    }
    // Mark it used, for pruning; a failure here is harmless.
    const now = new Date();
    await fsp.utimes(file, now, now).catch(() => undefined);
    return out;
  }

  async put(key: string, compressed: Buffer): Promise<void> {
    const file = path.join(this.dir, `${key}.deflate`);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fsp.mkdir(this.dir, { recursive: true });
      await fsp.writeFile(tmp, Buffer.concat([createHash('sha256').update(compressed).digest(), compressed]));
      await fsp.rename(tmp, file);
    } catch {
      // A cache that cannot be written (read-only home, full disk) only costs speed.
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  /** Removes the least recently used entries until the folder holds at most maxBytes. */
  async prune(maxBytes: number): Promise<void> {
    let names: string[];
    try {
      names = (await fsp.readdir(this.dir)).filter((n) => n.endsWith('.deflate') || n.endsWith('.tmp'));
    } catch {
      return;
    }
    const entries = (
      await Promise.all(
        names.map(async (n) => {
          try {
            const st = await fsp.stat(path.join(this.dir, n));
            return { n, size: st.size, used: st.mtimeMs };
          } catch {
            return undefined;
          }
        }),
      )
    ).filter((e) => e !== undefined);
    let total = entries.reduce((s, e) => s + e.size, 0);
    entries.sort((a, b) => a.used - b.used);
    for (const e of entries) {
      if (total <= maxBytes) break;
      await fsp.rm(path.join(this.dir, e.n), { force: true }).catch(() => undefined);
      total -= e.size;
    }
  }
}

/** The default cache folder: $XDG_CACHE_HOME/nix-lambda/deflate, else ~/.cache/nix-lambda/deflate. */
export function defaultCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  home = env['HOME'] ?? '',
): string | undefined {
  const base = env['XDG_CACHE_HOME'] || (home ? path.join(home, '.cache') : '');
  if (!base) return undefined;
  try {
    fs.mkdirSync(base, { recursive: true });
  } catch {
    return undefined;
  }
  return path.join(base, 'nix-lambda', 'deflate');
}

export interface Deflater {
  /** Raw DEFLATE of data (see DeflatePool.deflate for transfer). */
  deflate(data: Buffer, transfer?: boolean): Promise<DeflateResult>;
  /** Entries served from the cache, and compressed, in this run. */
  readonly stats: { cached: number; compressed: number; cachedBytes: number };
  /** Stops the workers, then prunes the cache to its bound. */
  close(): Promise<void>;
}

export function createDeflater(opts: {
  level: number;
  workers: number;
  cacheDir?: string | undefined;
  /** The bound the cache folder is pruned to when the deflater closes (default DEFLATE_CACHE_MAX_BYTES). */
  cacheMaxBytes?: number | undefined;
}): Deflater {
  const pool = new DeflatePool(opts.workers);
  const cache = opts.cacheDir ? new DeflateCache(opts.cacheDir) : undefined;
  const stats = { cached: 0, compressed: 0, cachedBytes: 0 };
  return {
    stats,
    async deflate(data, transfer = false) {
      if (!cache || data.length < SMALL) {
        stats.compressed++;
        return pool.deflate(data, opts.level, transfer);
      }
      const key = cache.key(data, opts.level);
      const hit = await cache.get(key);
      if (hit) {
        stats.cached++;
        stats.cachedBytes += data.length;
        return { out: hit, data };
      }
      const r = await pool.deflate(data, opts.level, transfer);
      stats.compressed++;
      await cache.put(key, r.out);
      return r;
    },
    async close() {
      await pool.close();
      // Store paths never change, so the cache only grows: keep it bounded (self-hosted runners keep it).
      await cache?.prune(opts.cacheMaxBytes ?? DEFLATE_CACHE_MAX_BYTES);
    },
  };
}

/** A Deflater whose work can start before the zip is written (the package stage starts each file once it is patched). */
export interface PrefetchingDeflater extends Deflater {
  /** Starts deflating data now; the zip writer's deflate() of the same Buffer takes the result. */
  prefetch(data: Buffer): void;
}

export function prefetchingDeflater(opts: Parameters<typeof createDeflater>[0]): PrefetchingDeflater {
  const inner = createDeflater(opts);
  const started = new Map<Buffer, Promise<DeflateResult>>();
  return {
    stats: inner.stats,
    prefetch(data) {
      if (started.has(data)) return;
      const p = inner.deflate(data, false);
      p.catch(() => undefined); // taken (and its failure reported) by deflate(), or dropped at close
      started.set(data, p);
    },
    deflate(data, transfer = false) {
      const p = started.get(data);
      if (!p) return inner.deflate(data, transfer);
      started.delete(data);
      return p;
    },
    async close() {
      started.clear();
      await inner.close();
    },
  };
}
