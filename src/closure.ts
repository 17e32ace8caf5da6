import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ElfError, readElf, type ElfFile } from './elf.js';
import { storePathOf } from './nix.js';

/**
 * Resolves a program's shared-library closure inside the Nix store the way
 * glibc's loader would (ld.so(8)): DT_RPATH of the object and of its loaders
 * when it has no DT_RUNPATH, then its DT_RUNPATH, and, last, the lib folders
 * of the build's closure. An object already loaded under a name is reused.
 * Candidates of another class or machine are skipped, as the loader does.
 */

export interface LoadedObject {
  /** Name in the bundle (the DT_NEEDED name, or the interpreter's file name). */
  name: string;
  /** Path where it was found (not resolved through symlinks), for $ORIGIN. */
  foundAt: string;
  /** Store path holding the file (after resolving symlinks). */
  storePath: string;
  /** The file's bytes, read once. */
  data: Buffer;
  elf: ElfFile;
  /** Who needed it first (a bundle name), or undefined for the program. */
  neededBy: string | undefined;
  /** How it was found. */
  via: 'interp' | 'rpath' | 'runpath' | 'closure' | 'glibc' | 'program' | 'path';
  /** Objects whose search paths apply to its dependencies (itself first, then its loaders). */
  chain: LoadedObject[];
}

export interface Missing {
  soname: string;
  neededBy: string;
  /** Files of that name that exist but are for another architecture or class. */
  wrongArch: string[];
  /** Files of that name that are not readable ELF objects: the reader's message for each (set when any). */
  malformed?: string[];
}

export interface ClosureResult {
  program: LoadedObject;
  interpreter: LoadedObject | undefined;
  /** Every library, in load (breadth-first) order, the interpreter excluded. */
  libraries: LoadedObject[];
  missing: Missing[];
}

export interface ResolveOptions {
  /** Store paths of the build's runtime closure: their lib folders are the last resort. */
  closure: readonly string[];
  /** Read a file (injectable for tests and for counting reads). */
  readFile?: (p: string) => Promise<Buffer>;
}

const PLATFORM: Record<number, string> = { 62: 'x86_64', 183: 'aarch64' };

function expandTokens(dir: string, origin: string, machine: number): string {
  return dir
    .replace(/\$\{ORIGIN\}|\$ORIGIN(?![A-Za-z0-9_])/g, origin)
    .replace(/\$\{LIB\}|\$LIB(?![A-Za-z0-9_])/g, 'lib64')
    .replace(/\$\{PLATFORM\}|\$PLATFORM(?![A-Za-z0-9_])/g, PLATFORM[machine] ?? '');
}

function searchDirs(value: string | undefined, obj: LoadedObject): string[] {
  if (!value) return [];
  return value
    .split(':')
    .filter((d) => d !== '')
    .map((d) => expandTokens(d, path.dirname(obj.foundAt), obj.elf.machine));
}

export async function resolveClosure(programPath: string, opts: ResolveOptions): Promise<ClosureResult> {
  const readFile = opts.readFile ?? ((p: string) => fsp.readFile(p));
  const cache = new Map<string, Promise<{ real: string; data: Buffer; elf: ElfFile } | { error: string }>>();
  /** Reads and parses a file once; undefined when it does not exist. */
  const load = async (
    p: string,
  ): Promise<{ real: string; data: Buffer; elf: ElfFile } | { error: string } | undefined> => {
    let real: string;
    try {
      real = await fsp.realpath(p);
      if (!(await fsp.stat(real)).isFile()) return undefined;
    } catch {
      return undefined;
    }
    let entry = cache.get(real);
    if (!entry) {
      entry = (async () => {
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
  };

  const progLoaded = await load(programPath);
  if (!progLoaded) throw new Error(`${programPath} does not exist`);
  if ('error' in progLoaded) throw new ElfError(progLoaded.error);
  const pelf = progLoaded.elf;
  const program: LoadedObject = {
    name: 'bootstrap',
    foundAt: programPath,
    storePath: storePathOf(progLoaded.real) ?? path.dirname(progLoaded.real),
    data: progLoaded.data,
    elf: pelf,
    neededBy: undefined,
    via: 'program',
    chain: [],
  };
  program.chain = [program];

  const matches = (e: ElfFile): boolean => e.machine === pelf.machine;
  /** Loaded objects by every name they answer to (DT_NEEDED name and SONAME). */
  const byName = new Map<string, LoadedObject>();
  const byReal = new Map<string, LoadedObject>();
  const libraries: LoadedObject[] = [];
  const missing: Missing[] = [];
  const closureLibDirs = opts.closure.flatMap((sp) => [path.join(sp, 'lib'), path.join(sp, 'lib64')]);

  let interpreter: LoadedObject | undefined;
  if (pelf.interp) {
    const l = await load(pelf.interp);
    if (l && !('error' in l)) {
      interpreter = {
        name: path.basename(pelf.interp),
        foundAt: pelf.interp,
        storePath: storePathOf(l.real) ?? path.dirname(l.real),
        data: l.data,
        elf: l.elf,
        neededBy: 'bootstrap',
        via: 'interp',
        chain: [],
      };
      interpreter.chain = [interpreter];
      byName.set(interpreter.name, interpreter);
      if (l.elf.soname) byName.set(l.elf.soname, interpreter);
      byReal.set(l.real, interpreter);
    } else {
      missing.push({
        soname: path.basename(pelf.interp),
        neededBy: `bootstrap (interpreter ${pelf.interp})`,
        wrongArch: [],
        ...(l ? { malformed: [l.error] } : {}),
      });
    }
  }

  const queue: LoadedObject[] = [program];
  const find = async (
    soname: string,
    obj: LoadedObject,
  ): Promise<{ obj: LoadedObject | undefined; wrongArch: string[]; malformed: string[] }> => {
    const wrongArch: string[] = [];
    const malformed: string[] = [];
    const attempt = async (dir: string, via: LoadedObject['via']): Promise<LoadedObject | undefined> => {
      const p = path.join(dir, soname);
      const l = await load(p);
      if (!l) return undefined;
      if ('error' in l) {
        // Not an ELF object the loader could use either: said as such, not as another architecture.
        if (!malformed.includes(l.error)) malformed.push(l.error);
        return undefined;
      }
      if (!matches(l.elf)) {
        if (!wrongArch.includes(p)) wrongArch.push(p);
        return undefined;
      }
      const known = byReal.get(l.real);
      if (known) return known;
      const lo: LoadedObject = {
        name: soname,
        foundAt: p,
        storePath: storePathOf(l.real) ?? path.dirname(l.real),
        data: l.data,
        elf: l.elf,
        neededBy: obj.name,
        via,
        chain: [],
      };
      lo.chain = [lo, ...obj.chain];
      return lo;
    };
    if (soname.includes('/'))
      return { obj: await attempt(path.dirname(soname), 'path'), wrongArch, malformed };
    // DT_RPATH of the object and its loaders (only objects without DT_RUNPATH), when the object has no DT_RUNPATH.
    if (obj.elf.runpath === undefined) {
      for (const l of obj.chain) {
        if (l.elf.runpath !== undefined) continue;
        for (const d of searchDirs(l.elf.rpath, l)) {
          const r = await attempt(d, 'rpath');
          if (r) return { obj: r, wrongArch, malformed };
        }
      }
    }
    for (const d of searchDirs(obj.elf.runpath, obj)) {
      const r = await attempt(d, 'runpath');
      if (r) return { obj: r, wrongArch, malformed };
    }
    // Nix's glibc keeps libraries (libgcc_s) beside the loader.
    if (interpreter) {
      const r = await attempt(path.dirname(interpreter.foundAt), 'glibc');
      if (r) return { obj: r, wrongArch, malformed };
    }
    for (const d of closureLibDirs) {
      const r = await attempt(d, 'closure');
      if (r) return { obj: r, wrongArch, malformed };
    }
    return { obj: undefined, wrongArch, malformed };
  };

  const addLoaded = (lo: LoadedObject, real: string): void => {
    byName.set(lo.name, lo);
    if (lo.elf.soname && !byName.has(lo.elf.soname)) byName.set(lo.elf.soname, lo);
    byReal.set(real, lo);
    libraries.push(lo);
    queue.push(lo);
  };

  /** Loads the queue's dependencies breadth-first, as the loader does. */
  const drain = async (): Promise<void> => {
    while (queue.length > 0) {
      const obj = queue.shift()!;
      for (const soname of obj.elf.needed) {
        if (byName.has(soname)) continue;
        const { obj: found, wrongArch, malformed } = await find(soname, obj);
        if (!found) {
          missing.push({ soname, neededBy: obj.name, wrongArch, ...(malformed.length ? { malformed } : {}) });
          byName.set(soname, obj); // report once
          continue;
        }
        const real = await fsp.realpath(found.foundAt);
        const known = byReal.get(real);
        if (known) byName.set(soname, known);
        else addLoaded(found, real);
      }
    }
  };
  await drain();

  // Files the loader opens without a DT_NEEDED: Nix's glibc dlopens libgcc_s.so.1 from its own
  // lib/ (pthread_cancel, unwinding); glibc before 2.34 loads NSS modules for name lookups.
  if (interpreter) {
    const glibcDir = path.dirname(interpreter.foundAt);
    const libc = byName.get('libc.so.6');
    const oldGlibc = libc !== undefined && !libc.data.includes('GLIBC_2.34\0');
    const extras = [
      'libgcc_s.so.1',
      ...(oldGlibc ? ['libnss_files.so.2', 'libnss_dns.so.2', 'libresolv.so.2'] : []),
    ];
    for (const name of extras) {
      if (byName.has(name)) continue;
      const p = path.join(glibcDir, name);
      const l = await load(p);
      if (!l || 'error' in l || !matches(l.elf) || byReal.has(l.real)) continue;
      const lo: LoadedObject = {
        name,
        foundAt: p,
        storePath: storePathOf(l.real) ?? path.dirname(l.real),
        data: l.data,
        elf: l.elf,
        neededBy: 'glibc',
        via: 'glibc',
        chain: [],
      };
      lo.chain = [lo, program];
      addLoaded(lo, l.real);
    }
    await drain();
  }

  return { program, interpreter, libraries, missing };
}
