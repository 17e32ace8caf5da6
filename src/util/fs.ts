import * as fs from 'node:fs';
import * as path from 'node:path';
import * as fsp from 'node:fs/promises';

/** File system questions asked in several places (a module without state). */

/** Whether this process may run p: a regular file with execute permission for it. */
export function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first of `names` found executable in a folder of PATH, folders in order. */
export function findOnPath(
  names: readonly string[],
  pathVar: string = process.env['PATH'] ?? '',
): string | undefined {
  for (const dir of pathVar.split(path.delimiter).filter(Boolean)) {
    for (const n of names) {
      const p = path.join(dir, n);
      if (isExecutable(p)) return p;
    }
  }
  return undefined;
}

/** The errno code (ENOSPC, EACCES...) of a file system error, or of the error that caused it. */
export function errnoCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

/** The bytes of the regular files below dir. */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}

/**
 * A file's bytes in shared memory: a worker that gets the Buffer (postMessage) sees the same bytes
 * instead of a copy. The bundle's files go to the deflate workers while the main thread still
 * needs them (the bundle folder, the checks), so this spares a copy of each in flight.
 */
export async function readFileShared(p: string): Promise<Buffer> {
  const fh = await fsp.open(p, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.from(new SharedArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const { bytesRead } = await fh.read(buf, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    // A file that shrank meanwhile: only what was read.
    return at === size ? buf : buf.subarray(0, at);
  } finally {
    await fh.close();
  }
}

/** A copy of data in shared memory (see readFileShared). */
export function copyShared(data: Buffer): Buffer {
  const buf = Buffer.from(new SharedArrayBuffer(data.length));
  data.copy(buf);
  return buf;
}
