import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { LAMBDA_UNZIPPED_LIMIT } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { copyShared } from '../util/fs.js';
import { formatBytes, plural } from '../util/format.js';
import type { Logger } from '../util/log.js';
import type { PatchRequest } from './elf.js';
import type { ClosureResult, LoadedObject } from './loaded.js';
import { LIBRARY_RPATH, muslNeeded, patchCopy, PROGRAM_RPATH, rpathFor } from './patch.js';

/**
 * Turns a resolved closure into the files of the bundle, patched:
 * - bootstrap: PT_INTERP <task-root>/lib/<loader>, DT_RPATH $ORIGIN/lib;
 * - lib/<name>: every library that had a search path gets DT_RPATH $ORIGIN, and none keeps a DT_RUNPATH
 *   (LD_LIBRARY_PATH is searched before DT_RUNPATH, so on Lambda /lib64 would win);
 * - the loader and path-less libraries are copied as they are.
 * Each file is patched once, on a copy, in place (same size). patchelf is used only when
 * that cannot work: an object without any RPATH/RUNPATH entry, or a new string that does not fit.
 */

/** A file of the bundle, as the job summary and the outputs describe it. */
export interface BundledFile {
  /** Path inside the zip. */
  name: string;
  /** Where it came from in the store. */
  source: string;
  /** Store path (/nix/store/HASH-NAME) holding the source. */
  storePath: string;
  kind: 'program' | 'interpreter' | 'library' | 'include';
  bytes: number;
  mode: number;
  /** What was changed in the copy (interp, rpath), empty when copied as is. */
  patched: string[];
  /** Why it is in the bundle (DT_NEEDED of X, a dlopen folder, a data set, include). */
  reason?: string;
  /** In the library layer's zip (its name is then under /opt), not in the function zip. */
  layer?: boolean;
}

/** A file of the bundle with its (patched) bytes. */
export interface BundleEntry extends BundledFile {
  data: Buffer;
}

function fileMode(data: LoadedObject): number {
  try {
    return fs.statSync(data.foundAt).mode & 0o777;
  } catch {
    return 0o755;
  }
}

export interface PlanOptions {
  taskRoot: string;
  tempDir: string;
  log: (msg: string) => void;
  /**
   * Where the loader and the libraries are at run time when they are not in the task root's lib/:
   * a layer's /opt/lib (layer.ts). The program then gets that PT_INTERP and RPATH, an include that
   * search path, and a musl bundle names its libraries there; the libraries keep `$ORIGIN`.
   */
  libDir?: string;
  /** Called with each file once its bytes are final (patched), largest libraries first: the zip can start on it. */
  onEntry?: (e: BundleEntry) => void;
}

/** The folder holding the loader and the libraries at run time. */
function libDirOf(opts: PlanOptions): string {
  return opts.libDir ?? `${opts.taskRoot}/lib`;
}

export async function bundleClosure(c: ClosureResult, opts: PlanOptions): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  const musl = c.interpreter !== undefined && /^ld-musl-/.test(c.interpreter.name);
  const add = async (
    obj: LoadedObject,
    names: string[],
    kind: BundleEntry['kind'],
    req: PatchRequest,
  ): Promise<void> => {
    let data = obj.data;
    let patched: string[] = [];
    if (musl && obj !== c.interpreter) {
      const needed = muslNeeded(obj, c, opts.taskRoot, libDirOf(opts));
      if (Object.keys(needed).length > 0) req = { ...req, needed };
    }
    if (req.interp !== undefined || req.rpath !== undefined || req.needed !== undefined) {
      const r = await patchCopy(obj.data, names[0]!, req, opts.tempDir);
      data = r.data;
      patched = r.outcome.changes;
      if (r.outcome.patchelf) opts.log(`${names[0]!}: patched with patchelf because ${r.outcome.patchelf}`);
    }
    const first = entries.length;
    for (const name of names)
      entries.push({
        name,
        source: obj.foundAt,
        storePath: obj.storePath,
        kind,
        bytes: data.length,
        mode: kind === 'program' || kind === 'interpreter' ? 0o755 : fileMode(obj),
        patched,
        reason: name === names[0] ? obj.reason : `${obj.reason}; also named ${name} in the strings`,
        data,
      });
    opts.onEntry?.(entries[first]!);
  };

  const interpFor = (obj: LoadedObject): string | undefined =>
    obj.elf.interp && c.interpreter ? `${libDirOf(opts)}/${c.interpreter.name}` : undefined;
  const withPath = (obj: LoadedObject): boolean =>
    obj.elf.needed.length > 0 || obj.elf.rpath !== undefined || obj.elf.runpath !== undefined;
  const prog = c.program;
  const progReq: PatchRequest = {};
  const progInterp = interpFor(prog);
  if (progInterp !== undefined) progReq.interp = progInterp;
  if (withPath(prog)) progReq.rpath = opts.libDir ?? PROGRAM_RPATH;
  const jobs: Promise<void>[] = [add(prog, ['bootstrap'], 'program', progReq)];
  if (c.interpreter) jobs.push(add(c.interpreter, [`lib/${c.interpreter.name}`], 'interpreter', {}));
  // Largest first: the zip's longest deflate jobs start while the others are patched.
  for (const lib of [...c.libraries].sort((a, b) => b.data.length - a.data.length)) {
    const hasPath = lib.elf.rpath !== undefined || lib.elf.runpath !== undefined;
    jobs.push(
      add(
        lib,
        [lib.name, ...lib.aliases].map((n) => `lib/${n}`),
        'library',
        hasPath ? { rpath: LIBRARY_RPATH } : {},
      ),
    );
  }
  await Promise.all(jobs);
  return entries;
}

/**
 * Patches the include entries that are dynamically linked ELF objects (resolved by
 * ClosureResolver.addIncludes): the loader in the bundle, a search path that finds their folder and
 * lib/ from where they sit in the zip, and for musl absolute DT_NEEDED names. Returns the entries
 * with their patched bytes.
 */
export async function patchIncludes(
  entries: BundleEntry[],
  c: ClosureResult,
  opts: PlanOptions,
): Promise<BundleEntry[]> {
  const byName = new Map(c.included.map((o) => [o.name, o]));
  const musl = c.interpreter !== undefined && /^ld-musl-/.test(c.interpreter.name);
  return Promise.all(
    entries.map(async (e) => {
      const obj = byName.get(e.name);
      if (!obj) {
        opts.onEntry?.(e);
        return e;
      }
      const req: PatchRequest = {};
      if (obj.elf.interp && c.interpreter) req.interp = `${libDirOf(opts)}/${c.interpreter.name}`;
      // As for the program and the libraries: a program always gets a search path (else its libraries
      // come from LD_LIBRARY_PATH), a library only when it had one (else it inherits its loader's).
      const hasPath = obj.elf.rpath !== undefined || obj.elf.runpath !== undefined;
      if (hasPath || (obj.elf.interp !== undefined && obj.elf.needed.length > 0))
        req.rpath = rpathFor(e.name, opts.libDir);
      if (musl) {
        const needed = muslNeeded(obj, c, opts.taskRoot, libDirOf(opts));
        if (Object.keys(needed).length > 0) req.needed = needed;
      }
      if (req.interp === undefined && req.rpath === undefined && req.needed === undefined) {
        opts.onEntry?.(e);
        return e;
      }
      const r = await patchCopy(copyShared(e.data), e.name, req, opts.tempDir);
      if (r.outcome.patchelf) opts.log(`${e.name}: patched with patchelf because ${r.outcome.patchelf}`);
      const patched = { ...e, data: r.data, bytes: r.data.length, patched: r.outcome.changes };
      opts.onEntry?.(patched);
      return patched;
    }),
  );
}

/** Refuses two files under one name in the zip (an `include` target over a bundled file). */
export function checkNames(entries: readonly BundleEntry[]): void {
  const names = new Map<string, BundleEntry>();
  for (const e of entries) {
    const prev = names.get(e.name);
    if (prev)
      throw new ActionError(
        'Bundle conflict',
        `two files would be bundled as ${e.name}: ${prev.source} and ${e.source}; change the \`include\` target.`,
      );
    names.set(e.name, e);
  }
}

/** One log line per bundled file; a folder brought in by one include (a data set) is one line. */
export function logEntries(entries: readonly BundleEntry[], log: Logger): void {
  const groups = new Map<string, BundleEntry[]>();
  for (const e of entries.filter((x) => x.kind === 'include')) {
    const key = e.reason ?? e.name;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const e of entries) {
    const group = e.kind === 'include' ? groups.get(e.reason ?? e.name)! : [e];
    if (group.length > 3) {
      if (group[0] !== e) continue;
      const bytes = group.reduce((n, x) => n + x.bytes, 0);
      const patched = group.filter((x) => x.patched.length > 0).length;
      log.info(
        `${`${path.posix.dirname(e.name)}/`.padEnd(32)} ${formatBytes(bytes).padStart(9)}  ${plural(group.length, 'file')}${patched > 0 ? `, ${patched} ELF objects patched` : ''}  (${e.reason ?? 'include'})`,
      );
      continue;
    }
    const why =
      e.kind === 'library' && e.reason && !e.reason.startsWith('DT_NEEDED') ? `  (${e.reason})` : '';
    log.info(
      `${e.name.padEnd(32)} ${formatBytes(e.bytes).padStart(9)}  ${e.source}${e.patched.length > 0 ? `  [${e.patched.join('; ')}]` : ''}${why}`,
    );
  }
}

/** The bytes of the bundle unzipped, refused above Lambda's limit. */
export function checkBundleSize(entries: readonly BundleEntry[]): number {
  const unzippedBytes = entries.reduce((n, e) => n + e.bytes, 0);
  if (unzippedBytes > LAMBDA_UNZIPPED_LIMIT)
    throw new ActionError(
      'Bundle too large',
      `the bundle is ${formatBytes(unzippedBytes)} unzipped; Lambda's limit is ${formatBytes(LAMBDA_UNZIPPED_LIMIT)} (with layers). Trim the closure, or ship large data in a layer or a container image.`,
    );
  return unzippedBytes;
}

/** The bundle on disk, inside a root that the loader check can enter. */
export async function writeBundleFolder(
  work: string,
  taskRoot: string,
  entries: readonly BundleEntry[],
): Promise<{ root: string; bundleDir: string }> {
  const root = path.join(work, 'root');
  await fsp.rm(root, { recursive: true, force: true });
  const bundleDir = path.join(root, taskRoot);
  await fsp.mkdir(bundleDir, { recursive: true });
  const dirs = new Set(entries.map((e) => path.dirname(path.join(bundleDir, e.name))));
  for (const d of dirs) await fsp.mkdir(d, { recursive: true });
  await Promise.all(
    entries.map((e) => fsp.writeFile(path.join(bundleDir, e.name), e.data, { mode: e.mode | 0o444 })),
  );
  return { root, bundleDir };
}
