import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { onTermination } from '../util/signals.js';

/**
 * The zip file being written (write.ts): a temporary file beside the target, removed when the
 * job is cancelled or the process exits before it is renamed over the target; writes gathered
 * into large writev calls; the SHA-256 computed as the bytes go out.
 */

const MiB = 1024 * 1024;
/** Write to the file once this much is pending. */
const FLUSH_BYTES = 1 * MiB;
const FLUSH_BUFFERS = 256;

/** The zip file as it is written: buffered writes, the running SHA-256 of what went out. */
export class Output {
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

export function trackTemp(file: string): void {
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

export function untrackTemp(file: string): void {
  if (!pendingTemps.delete(file)) return;
  if (pendingTemps.size === 0) {
    stopWatching?.();
    stopWatching = undefined;
  }
}

/** Creates the temporary file (mode 0644, never an existing one). */
export async function openTemp(tmp: string, target: string): Promise<fsp.FileHandle> {
  try {
    return await fsp.open(tmp, 'wx', 0o644);
  } catch (err) {
    throw new Error(
      `zip: cannot create a temporary file next to ${target}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}
