import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import { run } from '../util/exec.js';
import { ElfPatchUnsupported, isElf, patchElf, readElf, type PatchRequest } from './elf.js';
import type { ClosureResult, LoadedObject } from './loaded.js';

/**
 * Patching the bundle's copies (elf.ts in place; patchelf only where that cannot work), what each
 * bundled object's search path becomes, and the check that nothing in the bundle still points
 * into /nix/store.
 */

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
        // Absolute DT_NEEDED names are how a musl bundle beats LD_LIBRARY_PATH: without them it
        // would break on Lambda, so say what it is and the ways out.
        const musl = req.needed
          ? " This is a musl program: its libraries must be named by absolute path, because musl's loader searches LD_LIBRARY_PATH (Amazon Linux's /lib64) before any RPATH. Install patchelf on the runner (apt-get install patchelf, or nix profile install nixpkgs#patchelf), or link the program statically (nixpkgs: pkgsStatic)."
          : '';
        throw new ActionError(
          req.needed ? 'Could not patch a musl program' : 'Could not patch a bundled file',
          `${name}: the in-place rewrite is not possible (${reason}) and patchelf failed or is not installed: ${(e instanceof Error ? e.message : String(e)).replace(/\.?$/, '.')}${musl}`,
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

/** Names musl's loader takes as itself (ldso/dynlink.c): libc, libpthread, librt, libm, libdl, libutil, libxnet. */
export const MUSL_RESERVED = /^lib(c|pthread|rt|m|dl|util|xnet)\./;

/**
 * The search path a bundled file at `name` (a path in the zip) gets: its folder, then lib/; with
 * the libraries in a layer (libDir, /opt/lib), its folder then that folder.
 */
export function rpathFor(name: string, libDir?: string): string {
  const dir = path.posix.dirname(name);
  if (libDir !== undefined) return dir === '.' ? libDir : `${LIBRARY_RPATH}:${libDir}`;
  if (dir === 'lib') return LIBRARY_RPATH;
  const rel = path.posix.relative(dir, 'lib');
  return dir === '.' ? PROGRAM_RPATH : `${LIBRARY_RPATH}:$ORIGIN/${rel}`;
}

/**
 * musl's loader searches LD_LIBRARY_PATH (Lambda's /lib64 first) before any RPATH, so a musl bundle
 * names its libraries by absolute path: DT_NEEDED libfoo.so.1 becomes <task-root>/lib/libfoo.so.1
 * (with a library layer, /opt/lib/libfoo.so.1), which both musl and glibc open directly. musl's own
 * names (libc.so...) stay.
 */
export function muslNeeded(
  obj: LoadedObject,
  c: ClosureResult,
  taskRoot: string,
  libDir = `${taskRoot}/lib`,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of obj.elf.needed) {
    if (n.includes('/') || MUSL_RESERVED.test(n)) continue;
    const lib = c.byName.get(n);
    if (lib && lib !== c.interpreter && lib.via !== 'include' && lib !== c.program)
      out[n] = `${libDir}/${lib.name}`;
    else if (obj.via === 'include') out[n] = `${taskRoot}/${path.posix.dirname(obj.name)}/${n}`;
  }
  return out;
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
  entries: readonly { name: string; kind: string; data: Buffer }[],
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
