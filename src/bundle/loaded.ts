import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ElfError, readElf, type ElfFile } from './elf.js';
import { storePathOf } from './store-path.js';

/**
 * What the closure resolver (closure-walk.ts, closure.ts) works with: the objects it loads, the
 * one factory that makes them, and search path strings as the loader expands them.
 */

export type LoadVia =
  | 'program'
  | 'interp'
  | 'rpath'
  | 'runpath'
  | 'glibc'
  | 'closure'
  | 'path'
  | 'dlopen-folder'
  | 'dlopen-name'
  | 'input'
  | 'include';

export interface LoadedObject {
  /** Name in the bundle (the DT_NEEDED name, the interpreter's file name, or a dlopen name). */
  name: string;
  /** Path where it was found (not resolved through symlinks). */
  foundAt: string;
  /** The folder `$ORIGIN` stands for in its own search paths. */
  origin: string;
  /** The file, symlinks resolved. */
  real: string;
  /** Store path holding the file (after resolving symlinks). */
  storePath: string;
  /** The file's bytes, read once. */
  data: Buffer;
  elf: ElfFile;
  /** Who needed it first (a bundle name), or undefined for the program. */
  neededBy: string | undefined;
  /** How it was found. */
  via: LoadVia;
  /** Why it is in the bundle, for the log and the job summary. */
  reason: string;
  /** Loaded with dlopen (directly or as a dependency of such a library): not needed to start. */
  optional: boolean;
  /** Objects whose search paths apply to its dependencies (itself first, then its loaders). */
  chain: LoadedObject[];
  /** Other names the bundle also carries it under (dlopen names written in the program's strings). */
  aliases: string[];
}

export interface Missing {
  soname: string;
  neededBy: string;
  /** Files of that name that exist but are for another architecture or class. */
  wrongArch: string[];
  /** Files of that name that are not readable ELF objects: the reader's message for each (set when any). */
  malformed?: string[];
  /** The folders searched, in order, with `$ORIGIN` and the other tokens expanded. */
  searched: string[];
  /** Needed only by a library loaded with dlopen: the program starts without it. */
  optional: boolean;
}

/** A library a dlopen search path reaches that is not in the bundle, and why. */
export interface DlopenSkipped {
  name: string;
  path: string;
  reason: string;
}

export interface ClosureResult {
  program: LoadedObject;
  interpreter: LoadedObject | undefined;
  /** Every library, in load (breadth-first) order, the interpreter excluded. */
  libraries: LoadedObject[];
  /** ELF objects the `include` input bundles, with their dependencies resolved like the program's. */
  included: LoadedObject[];
  missing: Missing[];
  dlopenSkipped: DlopenSkipped[];
  /** Objects that cannot share the bundle (another loader, another machine): each says why. */
  conflicts: string[];
  /** The loaded object each DT_NEEDED name resolves to (by name or SONAME). */
  byName: ReadonlyMap<string, LoadedObject>;
}

export interface ResolveOptions {
  /** Store paths of the build's runtime closure: their lib folders are the last resort. */
  closure: readonly string[];
  /** Read a file (injectable for tests and for counting reads). */
  readFile?: (p: string) => Promise<Buffer>;
}

const PLATFORM: Record<number, string> = { 62: 'x86_64', 183: 'aarch64' };

/** Expands $ORIGIN, $LIB and $PLATFORM (and their ${...} forms) in a search path entry. */
export function expandTokens(dir: string, origin: string, machine: number): string {
  return dir
    .replace(/\$\{ORIGIN\}|\$ORIGIN(?![A-Za-z0-9_])/g, origin)
    .replace(/\$\{LIB\}|\$LIB(?![A-Za-z0-9_])/g, 'lib64')
    .replace(/\$\{PLATFORM\}|\$PLATFORM(?![A-Za-z0-9_])/g, PLATFORM[machine] ?? '');
}

/** dir + '/' + name, with nothing normalised: `..` is the kernel's to resolve, through symlinks. */
export function joinRaw(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The folder part of a path as the loader takes it (glibc strips the last component; nothing else). */
export function dirnameRaw(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  return i === 0 ? '/' : p.slice(0, i);
}

/** The expanded entries of a search path string, for an object whose $ORIGIN is origin. */
export function searchDirs(value: string | undefined, origin: string, machine: number): string[] {
  if (!value) return [];
  return value
    .split(':')
    .filter((d) => d !== '')
    .map((d) => expandTokens(d, origin, machine));
}

/** The expanded entries of an object's DT_RPATH or DT_RUNPATH. */
export function dirsOf(obj: LoadedObject, which: 'rpath' | 'runpath'): string[] {
  return searchDirs(obj.elf[which], obj.origin, obj.elf.machine);
}

/** Shell-style patterns (`*`, `?`) for library names. */
export function nameMatcher(patterns: readonly string[]): (name: string) => boolean {
  const res = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('')
          .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
          .join('')}$`,
      ),
  );
  return (name) => res.some((r) => r.test(name));
}

/** A file read and parsed (or why it is not an ELF object the loader could use). */
export type Loaded = { real: string; data: Buffer; elf: ElfFile } | { error: string };

/** A search for a name: what was found, and what was found wanting. */
export interface Found {
  obj: LoadedObject | undefined;
  wrongArch: string[];
  malformed: string[];
  searched: string[];
}

/** musl's loader, by its name. */
export const MUSL_LOADER = /^ld-musl-[\w-]+\.so\.1$/;

/** Reads and parses the file at p (its real path, cached: a file is read once). */
export async function loadFile(
  p: string,
  cache: Map<string, Promise<Loaded>>,
  readFile: (p: string) => Promise<Buffer>,
): Promise<Loaded | undefined> {
  let real: string;
  try {
    // Native realpath(3): `..` after a symlink is resolved from the symlink's target, as the kernel does.
    real = await fsp.realpath(p);
    if (!(await fsp.stat(real)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  let entry = cache.get(real);
  if (!entry) {
    entry = (async (): Promise<Loaded> => {
      const data = await readFile(real);
      try {
        return { real, data, elf: readElf(data, real) };
      } catch (e) {
        if (e instanceof ElfError) return { error: e.message };
        throw e;
      }
    })();
    cache.set(real, entry);
  }
  return entry;
}

/** The one factory of loaded objects. */
export function makeObject(
  name: string,
  foundAt: string,
  l: { real: string; data: Buffer; elf: ElfFile },
  o: {
    origin: string;
    neededBy: string | undefined;
    via: LoadVia;
    reason: string;
    optional: boolean;
    /** The object whose search paths its dependencies inherit (the one that loaded it). */
    loader: LoadedObject | undefined;
  },
): LoadedObject {
  const lo: LoadedObject = {
    name,
    foundAt,
    origin: o.origin,
    real: l.real,
    storePath: storePathOf(l.real) ?? path.dirname(l.real),
    data: l.data,
    elf: l.elf,
    neededBy: o.neededBy,
    via: o.via,
    reason: o.reason,
    optional: o.optional,
    chain: [],
    aliases: [],
  };
  lo.chain = [lo, ...(o.loader?.chain ?? [])];
  return lo;
}
