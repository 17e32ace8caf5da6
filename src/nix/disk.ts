import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatBytes } from '../util/format.js';

/**
 * Free space where a build writes (the store, the temporary folder), measured with statfs: what a
 * "No space left on device" or a daemon that died mid-build is explained with.
 */

export interface SpaceReport {
  /** The folder as asked. */
  path: string;
  /** Bytes available to an unprivileged writer, and the file system's size; undefined when unknown. */
  free: number | undefined;
  total: number | undefined;
}

/** statfs of each folder (or of its nearest existing parent). */
export function measureSpace(folders: readonly string[]): SpaceReport[] {
  return [...new Set(folders)].map((p) => {
    let at = path.resolve(p);
    while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
    try {
      const s = fs.statfsSync(at);
      return { path: p, free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    } catch {
      return { path: p, free: undefined, total: undefined };
    }
  });
}

/** "/nix/store: 1.2 MiB free of 64.0 MiB (2%)", one per folder, joined. */
export function describeSpace(reports: readonly SpaceReport[]): string {
  return reports
    .map((r) =>
      r.free === undefined || r.total === undefined
        ? `${r.path}: could not be measured`
        : `${r.path}: ${formatBytes(r.free)} free of ${formatBytes(r.total)} (${r.total > 0 ? Math.round((r.free / r.total) * 100) : 0}%)`,
    )
    .join('; ');
}
