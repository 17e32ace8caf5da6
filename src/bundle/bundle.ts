import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ClosureResult, LoadedObject } from './closure.js';
import { ElfPatchUnsupported, isElf, patchElf, readElf, type PatchRequest } from './elf.js';
import { ActionError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { storePathOf } from './store-path.js';

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
}

/** A file of the bundle with its (patched) bytes. */
export interface BundleEntry extends BundledFile {
  data: Buffer;
}

export const PROGRAM_RPATH = '$ORIGIN/lib';
export const LIBRARY_RPATH = '$ORIGIN';

export interface PatchOutcome {
  changes: string[];
  /** Set when patchelf had to do it, with the reason. */
  patchelf?: string;
}

/**
 * Patches the bundle's copy of a file: `data` holds bytes read from the store (never the store
 * file itself) and is rewritten in place, or replaced by patchelf's output when an in-place
 * rewrite cannot work (patchElf leaves data unchanged then).
 */
export async function patchCopy(
  data: Buffer,
  name: string,
  req: PatchRequest,
  tempDir: string,
): Promise<{ data: Buffer; outcome: PatchOutcome }> {
  try {
    const changes = patchElf(data, req, name);
    return { data, outcome: { changes } };
  } catch (err) {
    if (!(err instanceof ElfPatchUnsupported)) throw err;
    const reason = err.message;
    const dir = await fsp.mkdtemp(path.join(tempDir, 'patch-'));
    const file = path.join(dir, path.basename(name));
    try {
      await fsp.writeFile(file, data, { mode: 0o755 });
      const args: string[] = [];
      if (req.interp !== undefined) args.push('--set-interpreter', req.interp);
      if (req.rpath !== undefined) args.push('--set-rpath', req.rpath, '--force-rpath');
      for (const [from, to] of Object.entries(req.needed ?? {})) args.push('--replace-needed', from, to);
      await run('patchelf', [...args, file], {
        errorTitle: 'Could not patch a bundled file',
      }).catch((e: unknown) => {
        throw new ActionError(
          'Could not patch a bundled file',
          `${name}: the in-place rewrite is not possible (${reason}) and patchelf failed or is not installed: ${e instanceof Error ? e.message : String(e)}`,
        );
      });
      const out = await fsp.readFile(file);
      const changes = [
        ...(req.interp !== undefined ? [`interp -> ${req.interp}`] : []),
        ...(req.rpath !== undefined ? [`RPATH ${req.rpath}`] : []),
        ...Object.entries(req.needed ?? {}).map(([from, to]) => `NEEDED ${from} -> ${to}`),
      ];
      return { data: out, outcome: { changes, patchelf: reason } };
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
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
}

/** Names musl's loader takes as itself (ldso/dynlink.c): libc, libpthread, librt, libm, libdl, libutil, libxnet. */
const MUSL_RESERVED = /^lib(c|pthread|rt|m|dl|util|xnet)\./;

/** The search path a bundled file at `name` (a path in the zip) gets: its folder, then lib/. */
export function rpathFor(name: string): string {
  const dir = path.posix.dirname(name);
  if (dir === 'lib') return LIBRARY_RPATH;
  const rel = path.posix.relative(dir, 'lib');
  return dir === '.' ? PROGRAM_RPATH : `${LIBRARY_RPATH}:$ORIGIN/${rel}`;
}

/**
 * musl's loader searches LD_LIBRARY_PATH (Lambda's /lib64 first) before any RPATH, so a musl bundle
 * names its libraries by absolute path: DT_NEEDED libfoo.so.1 becomes <task-root>/lib/libfoo.so.1,
 * which both musl and glibc open directly. musl's own names (libc.so...) stay.
 */
function muslNeeded(obj: LoadedObject, c: ClosureResult, taskRoot: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of obj.elf.needed) {
    if (n.includes('/') || MUSL_RESERVED.test(n)) continue;
    const lib = c.byName.get(n);
    if (lib && lib !== c.interpreter && lib.via !== 'include' && lib !== c.program)
      out[n] = `${taskRoot}/lib/${lib.name}`;
    else if (obj.via === 'include') out[n] = `${taskRoot}/${path.posix.dirname(obj.name)}/${n}`;
  }
  return out;
}

/** Bundle entries for the program and its libraries, patched. */
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
      const needed = muslNeeded(obj, c, opts.taskRoot);
      if (Object.keys(needed).length > 0) req = { ...req, needed };
    }
    if (req.interp !== undefined || req.rpath !== undefined || req.needed !== undefined) {
      const r = await patchCopy(obj.data, names[0]!, req, opts.tempDir);
      data = r.data;
      patched = r.outcome.changes;
      if (r.outcome.patchelf) opts.log(`${names[0]!}: patched with patchelf because ${r.outcome.patchelf}`);
    }
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
  };

  const interpFor = (obj: LoadedObject): string | undefined =>
    obj.elf.interp && c.interpreter ? `${opts.taskRoot}/lib/${c.interpreter.name}` : undefined;
  const withPath = (obj: LoadedObject): boolean =>
    obj.elf.needed.length > 0 || obj.elf.rpath !== undefined || obj.elf.runpath !== undefined;
  const prog = c.program;
  const progReq: PatchRequest = {};
  const progInterp = interpFor(prog);
  if (progInterp !== undefined) progReq.interp = progInterp;
  if (withPath(prog)) progReq.rpath = PROGRAM_RPATH;
  const jobs: Promise<void>[] = [add(prog, ['bootstrap'], 'program', progReq)];
  if (c.interpreter) jobs.push(add(c.interpreter, [`lib/${c.interpreter.name}`], 'interpreter', {}));
  for (const lib of c.libraries) {
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
      if (!obj) return e;
      const req: PatchRequest = {};
      if (obj.elf.interp && c.interpreter) req.interp = `${opts.taskRoot}/lib/${c.interpreter.name}`;
      // As for the program and the libraries: a program always gets a search path (else its libraries
      // come from LD_LIBRARY_PATH), a library only when it had one (else it inherits its loader's).
      const hasPath = obj.elf.rpath !== undefined || obj.elf.runpath !== undefined;
      if (hasPath || (obj.elf.interp !== undefined && obj.elf.needed.length > 0))
        req.rpath = rpathFor(e.name);
      if (musl) {
        const needed = muslNeeded(obj, c, opts.taskRoot);
        if (Object.keys(needed).length > 0) req.needed = needed;
      }
      if (req.interp === undefined && req.rpath === undefined && req.needed === undefined) return e;
      const r = await patchCopy(Buffer.from(e.data), e.name, req, opts.tempDir);
      if (r.outcome.patchelf) opts.log(`${e.name}: patched with patchelf because ${r.outcome.patchelf}`);
      return { ...e, data: r.data, bytes: r.data.length, patched: r.outcome.changes };
    }),
  );
}

/**
 * Files under dir (following links), each checked with `check` before it is read or descended
 * into: a link out of the closure (to /etc, to /) is refused, never followed.
 */
async function walk(
  dir: string,
  seen: Set<string>,
  check: (p: string) => Promise<string>,
): Promise<string[]> {
  const real = await check(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const out: string[] = [];
  for (const name of (await fsp.readdir(dir)).sort()) {
    const p = path.join(dir, name);
    const st = await fsp.stat(await check(p));
    if (st.isDirectory()) out.push(...(await walk(p, seen, check)));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** A file or folder to bundle (input include). */
export interface IncludeSpec {
  /** As written: a path relative to the build output, or an absolute /nix/store path. */
  source: string;
  /** Relative path inside the zip. */
  target: string;
}

/** What to bundle besides the closure: an `include` entry, or a data set found in the closure. */
export interface BundleSource extends IncludeSpec {
  /** For a folder: which files (relative to it) to take; all when undefined. */
  keep?: (rel: string) => boolean;
  /** Why it is bundled, for the log and the summary. */
  reason?: string;
}

/** Entries for the `include` input: files or folders from the output or the closure. */
export async function bundleIncludes(
  specs: readonly BundleSource[],
  outPath: string,
  closure: readonly string[],
): Promise<BundleEntry[]> {
  const inClosure = new Set(closure);
  const outStore = storePathOf(outPath);
  /** The real path of p, which must lie in the build output or its closure (links are followed). */
  const check = async (p: string): Promise<string> => {
    let real: string;
    try {
      real = await fsp.realpath(p);
    } catch {
      throw new ActionError(
        'Include not found',
        `Input \`include\`: ${p} does not exist or cannot be read (a dangling link?).`,
      );
    }
    const sp = storePathOf(real);
    const inside =
      (sp !== undefined && (inClosure.has(sp) || sp === outStore)) ||
      real === outPath ||
      real.startsWith(`${outPath}/`);
    if (!inside)
      throw new ActionError(
        'Include points outside the closure',
        `Input \`include\`: ${p} leads to ${real}, outside the build's runtime closure; only files of the output and the store paths it depends on are bundled (a link out of the closure would copy a file of the build machine into the zip).`,
      );
    return real;
  };
  const entries: BundleEntry[] = [];
  for (const spec of specs) {
    const source = spec.source.startsWith('/') ? spec.source : path.join(outPath, spec.source);
    if (spec.source.startsWith('/')) {
      const sp = storePathOf(spec.source);
      if (!sp || !inClosure.has(sp))
        throw new ActionError(
          'Include not in the closure',
          `Input \`include\`: ${spec.source} is not in the build's runtime closure; only store paths the program depends on can be bundled.`,
        );
    }
    let st: fs.Stats;
    try {
      st = await fsp.stat(source);
      await fsp.access(source, fs.constants.R_OK);
    } catch {
      throw new ActionError(
        'Include not found',
        `Input \`include\`: ${source} does not exist or cannot be read.`,
      );
    }
    await check(source);
    let files = st.isDirectory() ? await walk(source, new Set(), check) : [source];
    if (st.isDirectory() && spec.keep) {
      const keep = spec.keep;
      files = files.filter((f) => keep(path.relative(source, f).split(path.sep).join('/')));
    }
    for (const f of files) {
      const name = st.isDirectory()
        ? path.posix.join(spec.target, path.relative(source, f).split(path.sep).join('/'))
        : spec.target;
      let data: Buffer;
      let fst: fs.Stats;
      try {
        data = await fsp.readFile(f);
        fst = await fsp.stat(f);
      } catch {
        throw new ActionError('Include not readable', `Input \`include\`: ${f} cannot be read.`);
      }
      const real = await fsp.realpath(f);
      entries.push({
        name,
        source: f,
        storePath: storePathOf(real) ?? storePathOf(f) ?? outPath,
        kind: 'include',
        bytes: data.length,
        mode: fst.mode & 0o777,
        patched: [],
        reason: spec.reason ?? `include ${spec.source}`,
        data,
      });
    }
  }
  return entries;
}

export interface StaticCheckProblem {
  name: string;
  problem: string;
}

/**
 * Re-reads every bundled ELF (included ones too): nothing may point into /nix/store, no DT_RUNPATH
 * may remain, and in a musl bundle every DT_NEEDED but musl's own names must be an absolute path
 * (musl searches LD_LIBRARY_PATH before any RPATH).
 */
export function staticCheck(
  entries: readonly BundleEntry[],
  opts: { musl?: boolean } = {},
): StaticCheckProblem[] {
  const problems: StaticCheckProblem[] = [];
  for (const e of entries) {
    if (e.kind === 'include' && !isElf(e.data)) continue;
    const elf = readElf(e.data, e.name);
    if (elf.interp?.includes('/nix/store'))
      problems.push({ name: e.name, problem: `interpreter ${elf.interp}` });
    if (elf.rpath?.includes('/nix/store')) problems.push({ name: e.name, problem: `RPATH ${elf.rpath}` });
    if (elf.runpath !== undefined) problems.push({ name: e.name, problem: `RUNPATH ${elf.runpath}` });
    for (const n of elf.needed) {
      if (n.includes('/nix/store')) problems.push({ name: e.name, problem: `DT_NEEDED ${n}` });
      else if (opts.musl && e.kind !== 'interpreter' && !n.includes('/') && !MUSL_RESERVED.test(n))
        problems.push({
          name: e.name,
          problem: `DT_NEEDED ${n} is a bare name: musl's loader would look in LD_LIBRARY_PATH (Amazon Linux's /lib64) first`,
        });
    }
  }
  return problems;
}
