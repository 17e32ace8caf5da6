import * as fs from 'node:fs';
import { plural } from '../util/format.js';
import type { Logger } from '../util/log.js';
import type { BundleEntry } from './bundle.js';
import type { DataSetChoice } from './data-sets.js';
import type { ClosureResult, LoadedObject } from './loaded.js';
import { DATA_SET_DEFS, dataSetOf, type DataSetId } from './runtime-env.js';
import { scanStoreReferences, type StoreReference } from './store-path.js';

/**
 * Store paths baked into the bundled files' bytes: each reference is either satisfied on Lambda
 * (a bundled data set the deploy points the program at, a path the user bundled, a path that does
 * not exist under Nix either) or a problem to report, with the fix.
 */

export type Verdict =
  /** A bundled data set; the function's environment points the program at the copy. */
  | { kind: 'data'; set: DataSetId; target: string }
  /** Data of a known set that is not bundled (turned off, or too large to bundle unasked). */
  | { kind: 'data-not-bundled'; set: DataSetId; why: string }
  /** Nothing exists there in the store: the program sees the same on Lambda as under Nix. */
  | { kind: 'absent' }
  /** The C library's compiled-in folders (its own search path, message catalogues, helpers). */
  | { kind: 'glibc' }
  /** A source file (debug information, a panic message's location). */
  | { kind: 'source' }
  /** A bundled library loaded by its store path: on Lambda it is at lib/NAME. */
  | { kind: 'library'; target: string }
  /** The user bundled it (input include) and points the program at it. */
  | { kind: 'included'; target: string }
  /** Exists in the store and is not in the bundle. */
  | { kind: 'unbundled'; what: string };

/** A store path named in a bundled file that matters on Lambda, as the job summary lists it. */
export interface StoreReferenceNote {
  /** The bundled file naming it. */
  file: string;
  path: string;
  /** How it is judged (Verdict kinds): data, included, library, unbundled, data-not-bundled. */
  kind: string;
  /** bundled as X, or the problem and its fix. */
  note: string;
}

export interface ReferenceFinding {
  /** The bundled file whose bytes hold the reference (its name in the zip). */
  file: string;
  ref: StoreReference;
  verdict: Verdict;
}

export interface ReferenceContext {
  /** The C library's store path (the interpreter's), whose own references are its business. */
  glibcStore: string | undefined;
  /** Bundled data sets: id -> target in the zip. */
  dataSets: ReadonlyMap<DataSetId, string>;
  /** Data sets found but not bundled, with the reason (id -> why). */
  dataSetsSkipped: ReadonlyMap<DataSetId, string>;
  /** Bundled ELF libraries: real path -> name in the zip. */
  libraries: ReadonlyMap<string, string>;
  /** Include sources (real paths) -> target in the zip. */
  includes: ReadonlyMap<string, string>;
  /** stat that follows links; undefined when nothing is there. */
  stat?: (p: string) => { isDirectory: boolean; size: number } | undefined;
  realpath?: (p: string) => string | undefined;
}

const SOURCE_FILE = /\.(c|h|cc|cpp|cxx|hh|hpp|rs|hs|lhs|go|ml|mli|zig|s|S|y|l|d|nim|swift)$/;
const SOURCE_STORE =
  /^[0-9a-z]{32}-(.*-)?(source|src|vendor|vendor-staging|cargo-vendor-dir|go-modules)(-[^/]*)?$/;

function defaultStat(p: string): { isDirectory: boolean; size: number } | undefined {
  try {
    const st = fs.statSync(p);
    return { isDirectory: st.isDirectory(), size: st.size };
  } catch {
    return undefined;
  }
}

function defaultRealpath(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** What a reference found in `file` (from store path fileStore) means for the bundle. */
export function judgeReference(ref: StoreReference, fileStore: string, ctx: ReferenceContext): Verdict {
  const stat = ctx.stat ?? defaultStat;
  const realpath = ctx.realpath ?? defaultRealpath;
  if (ctx.glibcStore !== undefined && fileStore === ctx.glibcStore && ref.storePath === ctx.glibcStore)
    return { kind: 'glibc' };
  const storeName = ref.storePath.slice(ref.storePath.lastIndexOf('/') + 1);
  if (SOURCE_FILE.test(ref.sub) || SOURCE_STORE.test(storeName)) return { kind: 'source' };
  const set = dataSetOf(ref.sub);
  if (set) {
    const target = ctx.dataSets.get(set.id);
    if (target !== undefined) return { kind: 'data', set: set.id, target };
    if (stat(`${ref.storePath}/${set.root}`) === undefined) return { kind: 'absent' };
    return {
      kind: 'data-not-bundled',
      set: set.id,
      why: ctx.dataSetsSkipped.get(set.id) ?? 'not bundled',
    };
  }
  // The path itself, or (for a template such as DIR/%s) the deepest folder of it that exists.
  let at = ref.path;
  let st = stat(at);
  while (!st && at.length > ref.storePath.length) {
    at = at.slice(0, at.lastIndexOf('/'));
    if (at.length <= ref.storePath.length) break;
    st = stat(at);
  }
  if (!st) return { kind: 'absent' };
  const real = realpath(at) ?? at;
  const lib = ctx.libraries.get(real);
  if (lib !== undefined) return { kind: 'library', target: lib };
  for (const [source, target] of ctx.includes) {
    if (real === source) return { kind: 'included', target };
    if (real.startsWith(`${source}/`))
      return { kind: 'included', target: `${target}/${real.slice(source.length + 1)}` };
  }
  return {
    kind: 'unbundled',
    what: st.isDirectory ? `a folder (${at === ref.path ? 'as written' : at})` : `a file of ${st.size} bytes`,
  };
}

/** Every store path reference in the files, judged. */
export function findReferences(
  files: readonly { name: string; data: Buffer; storePath: string }[],
  ctx: ReferenceContext,
): ReferenceFinding[] {
  const out: ReferenceFinding[] = [];
  for (const f of files) {
    for (const ref of scanStoreReferences(f.data)) {
      out.push({ file: f.name, ref, verdict: judgeReference(ref, f.storePath, ctx) });
    }
  }
  return out;
}

/** Findings the user has to act on. */
export function isProblem(v: Verdict): boolean {
  return v.kind === 'data-not-bundled' || v.kind === 'library' || v.kind === 'unbundled';
}

/** One line for a finding that is a problem: what it is, and the fix. */
export function describeProblem(f: ReferenceFinding, taskRoot: string): string {
  const v = f.verdict;
  switch (v.kind) {
    case 'data-not-bundled':
      return `${f.ref.path}: ${DATA_SET_DEFS[v.set].what}, ${v.why}. Fix: add \`${v.set}\` to the input bundle-data.`;
    case 'library':
      return `${f.ref.path}: a library loaded by its store path, which does not exist on Lambda (the bundle has it at ${taskRoot}/${v.target}). Fix: load it by name (dlopen("${v.target.replace(/^lib\//, '')}")), which the bundle's RPATH resolves.`;
    case 'unbundled':
      return `${f.ref.path}: ${v.what} that the bundle does not carry, so the path does not exist on Lambda. Fix: bundle it with include: ${f.ref.path}:<target> and point the program at ${taskRoot}/<target> (a variable in the input environment), or drop the reference from the build (nixpkgs: removeReferencesTo) if it is not used at run time.`;
    default:
      return f.ref.path;
  }
}

/**
 * Scans every bundled file for /nix/store paths: a reference the bundle does not satisfy is a
 * warning naming the file, the path and the fix (one annotation per file).
 */
export function reportReferences(
  entries: readonly BundleEntry[],
  closure: ClosureResult,
  data: DataSetChoice,
  taskRoot: string,
  log: Logger,
): StoreReferenceNote[] {
  const libraries = new Map<string, string>();
  for (const o of [...closure.libraries, closure.interpreter].filter((x): x is LoadedObject => !!x))
    libraries.set(o.real, `lib/${o.name}`);
  const includes = new Map<string, string>();
  for (const e of entries.filter((x) => x.kind === 'include')) {
    try {
      includes.set(fs.realpathSync.native(e.source), e.name);
    } catch {
      // read a moment ago; a vanished file has nothing to say
    }
  }
  const findings = findReferences(entries, {
    glibcStore: closure.interpreter?.storePath,
    dataSets: data.bundled,
    dataSetsSkipped: data.skipped,
    libraries,
    includes,
  });
  const byFile = new Map<string, ReferenceFinding[]>();
  for (const f of findings.filter((x) => isProblem(x.verdict))) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  const SHOWN = 10;
  for (const [file, list] of byFile) {
    const lines = list.slice(0, SHOWN).map((f) => `- ${describeProblem(f, taskRoot)}`);
    if (list.length > SHOWN) lines.push(`- and ${list.length - SHOWN} more (see the job summary).`);
    log.warning(
      `${file} names ${plural(list.length, 'store path')} that will not exist on Lambda:\n${lines.join('\n')}`,
      `Store paths baked into ${file}`,
    );
  }
  const harmless = findings.filter((f) => !isProblem(f.verdict));
  if (harmless.length > 0)
    log.debug(
      `store path references handled or harmless: ${harmless.map((f) => `${f.file}: ${f.ref.path} (${f.verdict.kind})`).join('; ')}`,
    );
  return findings
    .filter((f) => f.verdict.kind !== 'absent' && f.verdict.kind !== 'source' && f.verdict.kind !== 'glibc')
    .map((f) => ({
      file: f.file,
      path: f.ref.path,
      kind: f.verdict.kind,
      note: isProblem(f.verdict)
        ? describeProblem(f, taskRoot)
        : 'target' in f.verdict
          ? `bundled as ${f.verdict.target}`
          : '',
    }));
}
