import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { BundleEntry } from './bundle.js';

/**
 * The library layer (input library-layer): the bundle split in two. Lambda extracts a layer's zip
 * under /opt, so the loader and the libraries, at lib/<name> in the layer zip, are at /opt/lib;
 * the function zip keeps the bootstrap and the includes at the task root. The program's PT_INTERP
 * is /opt/lib/<loader> and its RPATH /opt/lib (bundle.ts, PlanOptions.libDir); the libraries keep
 * `$ORIGIN`, which is /opt/lib for them.
 *
 * The layer is content-addressed: its hash covers the names, modes and patched bytes of its files,
 * computed before anything is compressed, so the deploy stage can find a version that already
 * holds them (the hash is in the version's description) and compress and publish only a new one.
 */

/** Where Lambda extracts layers. */
export const LAYER_ROOT = '/opt';
/** Where the bundled loader and libraries are at run time with a library layer. */
export const LAYER_LIB_DIR = `${LAYER_ROOT}/lib`;

/** What goes where: the function zip's entries and the layer zip's. */
export interface SplitBundle {
  /** The bootstrap and the includes (the task root). */
  function: BundleEntry[];
  /** The loader and the libraries, named lib/<name> (under /opt). */
  layer: BundleEntry[];
}

/** The libraries and the loader go to the layer (marked `layer`); the rest stays in the function zip. */
export function splitBundle(entries: readonly BundleEntry[]): SplitBundle {
  const layer = entries.filter((e) => e.kind === 'library' || e.kind === 'interpreter');
  for (const e of layer) e.layer = true;
  const fn = entries.filter((e) => e.kind !== 'library' && e.kind !== 'interpreter');
  return { function: fn, layer };
}

/** The mode a file gets in the zip (zip/format.ts normalises the same way): 0755 when any x bit is set. */
function zipMode(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644;
}

/** Version of the layer hash's input format: a change here starts new hashes (one new layer version). */
const HASH_FORMAT = 'nix-lambda library layer 1';

/**
 * The layer's content hash (hex SHA-256): over each file, sorted by name, its name, its mode as the
 * zip stores it, its size and the SHA-256 of its patched bytes. The zip's own bytes (compressor,
 * level) are left out: the same files make the same layer whatever compresses them.
 */
export function layerHash(files: readonly { name: string; mode: number; data: Buffer }[]): string {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const h = createHash('sha256').update(`${HASH_FORMAT}\n`);
  for (const f of sorted) {
    const digest = createHash('sha256').update(f.data).digest('hex');
    h.update(`${f.name}\0${zipMode(f.mode).toString(8)}\0${f.data.length}\0${digest}\n`);
  }
  return h.digest('hex');
}

/** The hash as the layer version's description carries it, and how the deploy stage finds it. */
export function layerDescription(hash: string, arch: string): string {
  return `nix-lambda library layer (${arch}) sha256:${hash}`;
}

/** The content hash a layer version's description names, if any. */
export function hashInDescription(description: string | undefined): string | undefined {
  return /(?:^|\s)sha256:([0-9a-f]{64})(?:\s|$)/.exec(description ?? '')?.[1];
}

/** The layer's folder: bundle-dir's sibling, `<bundle-dir>-layer` (lib/ inside it, as under /opt). */
export function layerFolderOf(bundleDir: string): string {
  return path.join(path.dirname(bundleDir), `${path.basename(bundleDir)}-layer`);
}

/**
 * Writes the layer's files into bundle-dir's sibling folder and makes the check root's /opt lead
 * there (a relative link inside the root, so the isolated root sees the layer at /opt as Lambda
 * extracts it; the loader takes `$ORIGIN` from the path it opened, /opt/lib).
 */
export async function writeLayerFolder(
  root: string,
  bundleDir: string,
  entries: readonly BundleEntry[],
): Promise<string> {
  const dir = layerFolderOf(bundleDir);
  await fsp.rm(dir, { recursive: true, force: true });
  await fsp.mkdir(dir, { recursive: true });
  const dirs = new Set(entries.map((e) => path.dirname(path.join(dir, e.name))));
  for (const d of dirs) await fsp.mkdir(d, { recursive: true });
  await Promise.all(
    entries.map((e) => fsp.writeFile(path.join(dir, e.name), e.data, { mode: e.mode | 0o444 })),
  );
  const opt = path.join(root, LAYER_ROOT);
  await fsp.rm(opt, { recursive: true, force: true });
  await fsp.symlink(path.relative(path.dirname(opt), dir), opt);
  return dir;
}

/** The layer zip's path: beside zip-path, `<name>-layer.zip`. */
export function layerZipPathOf(zipPath: string): string {
  const base = path.basename(zipPath).replace(/\.zip$/i, '');
  return path.join(path.dirname(zipPath), `${base}-layer.zip`);
}

/** The layer's files as zip sources, each read from the layer's folder when its turn comes. */
export function layerZipSources(
  dir: string,
  files: readonly { name: string; mode: number }[],
): { name: string; mode: number; data: () => Promise<Buffer> }[] {
  return files.map((f) => ({ name: f.name, mode: f.mode, data: () => fsp.readFile(path.join(dir, f.name)) }));
}
