import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ElfError, readElf, type ElfFile } from './elf.js';
import { scanSonames, storePathOf } from './store-path.js';

/**
 * Resolves a program's shared-library closure inside the Nix store the way the loader would
 * (ld.so(8), glibc's elf/dl-load.c): DT_RPATH of the object and of its loaders when it has no
 * DT_RUNPATH, then its DT_RUNPATH, then the loader's own folder, and, last, the lib folders of the
 * build's closure. An object already loaded under a name is reused. Candidates of another class or
 * machine are skipped, as the loader does.
 *
 * `$ORIGIN` is what glibc makes of it: for the program, the folder of its resolved path (glibc reads
 * /proc/self/exe, so a bin/bootstrap that is a symlink into another store path takes the real file's
 * folder); for a library, the folder of the path it was found at, symlinks left in place, `..`
 * resolved by the kernel when the file is opened (never lexically).
 *
 * Besides DT_NEEDED, the resolver finds what a program loads with dlopen() through its search paths
 * (detectDlopen): the libraries of search path folders that supply no DT_NEEDED library (nixpkgs
 * keeps dlopened libraries reachable with `patchelf --add-rpath`), and the library names written in
 * the bundled objects' strings that the loader would find on their search paths.
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

function dirsOf(obj: LoadedObject, which: 'rpath' | 'runpath'): string[] {
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

type Loaded = { real: string; data: Buffer; elf: ElfFile } | { error: string };

interface Found {
  obj: LoadedObject | undefined;
  wrongArch: string[];
  malformed: string[];
  searched: string[];
}

const MUSL_LOADER = /^ld-musl-[\w-]+\.so\.1$/;

/** The library-resolution state of one bundle: the program, then whatever else joins it. */
export class ClosureResolver {
  readonly libraries: LoadedObject[] = [];
  readonly included: LoadedObject[] = [];
  readonly missing: Missing[] = [];
  readonly dlopenSkipped: DlopenSkipped[] = [];
  /** Objects that cannot share the bundle (another loader, another machine): each says why. */
  readonly conflicts: string[] = [];
  interpreter: LoadedObject | undefined;
  private readonly byName = new Map<string, LoadedObject>();
  private readonly byReal = new Map<string, LoadedObject>();
  private readonly includedByReal = new Map<string, LoadedObject>();
  private readonly cache = new Map<string, Promise<Loaded>>();
  private readonly realDirs = new Map<string, Promise<string | undefined>>();
  /** Real folders from which some DT_NEEDED library was loaded. */
  private readonly supplying = new Set<string>();
  private readonly queue: LoadedObject[] = [];
  private readonly closureLibDirs: string[];
  private readonly closurePaths: readonly string[];
  private readonly readFile: (p: string) => Promise<Buffer>;

  private constructor(
    readonly program: LoadedObject,
    opts: ResolveOptions,
    readFile: (p: string) => Promise<Buffer>,
  ) {
    this.readFile = readFile;
    this.closurePaths = opts.closure;
    this.closureLibDirs = opts.closure.flatMap((sp) => [path.join(sp, 'lib'), path.join(sp, 'lib64')]);
  }

  /** Loads the program (and its interpreter); resolve() then walks its DT_NEEDED closure. */
  static async open(programPath: string, opts: ResolveOptions): Promise<ClosureResolver> {
    const readFile = opts.readFile ?? ((p: string) => fsp.readFile(p));
    const cache = new Map<string, Promise<Loaded>>();
    const first = await loadFile(programPath, cache, readFile);
    if (!first) throw new Error(`${programPath} does not exist`);
    if ('error' in first) throw new ElfError(first.error);
    const program = makeObject('bootstrap', programPath, first, {
      // glibc takes the program's $ORIGIN from /proc/self/exe: the resolved file.
      origin: dirnameRaw(first.real),
      neededBy: undefined,
      via: 'program',
      reason: 'the program',
      optional: false,
      loader: undefined,
    });
    const r = new ClosureResolver(program, opts, readFile);
    for (const [k, v] of cache) r.cache.set(k, v);
    await r.loadInterpreter(program);
    return r;
  }

  get isMusl(): boolean {
    return this.interpreter !== undefined && MUSL_LOADER.test(this.interpreter.name);
  }

  /** Walks the DT_NEEDED closure of everything loaded so far, then adds what glibc loads by itself. */
  async resolve(): Promise<void> {
    if (!this.byReal.has(this.program.real)) {
      this.byReal.set(this.program.real, this.program);
      this.queue.push(this.program);
    }
    await this.drain();
    await this.addGlibcExtras();
  }

  private async loadInterpreter(from: LoadedObject): Promise<void> {
    const interp = from.elf.interp;
    if (!interp) return;
    const l = await this.load(interp);
    if (this.interpreter) {
      if (l && !('error' in l) && l.real !== this.interpreter.real)
        this.conflicts.push(
          `${from.name} runs with the loader ${interp}, the program with ${this.interpreter.foundAt}: one bundle has one loader (lib/${this.interpreter.name}); build both against the same C library`,
        );
      return;
    }
    if (l && !('error' in l)) {
      const it = makeObject(path.basename(interp), interp, l, {
        origin: dirnameRaw(interp),
        neededBy: from.name,
        via: 'interp',
        reason: `the loader (PT_INTERP of ${from.name})`,
        optional: false,
        loader: undefined,
      });
      this.interpreter = it;
      this.byName.set(it.name, it);
      if (l.elf.soname) this.byName.set(l.elf.soname, it);
      this.byReal.set(l.real, it);
    } else {
      this.missing.push({
        soname: path.basename(interp),
        neededBy: `${from.name} (interpreter ${interp})`,
        wrongArch: [],
        searched: [dirnameRaw(interp)],
        optional: false,
        ...(l ? { malformed: [l.error] } : {}),
      });
    }
  }

  private load(p: string): Promise<Loaded | undefined> {
    return loadFile(p, this.cache, this.readFile);
  }

  /** The real folder of a path (cached), undefined when it does not exist. */
  private realDir(dir: string): Promise<string | undefined> {
    let r = this.realDirs.get(dir);
    if (!r) {
      r = fsp.realpath(dir).catch(() => undefined);
      this.realDirs.set(dir, r);
    }
    return r;
  }

  /** Inside a store path of the build's closure (dlopen folders must be: anything else is the build machine's). */
  private inClosure(p: string): boolean {
    return this.closurePaths.some((sp) => p === sp || p.startsWith(`${sp}/`));
  }

  private matches(e: ElfFile): boolean {
    return e.machine === this.program.elf.machine;
  }

  /** The folders the loader searches for a name needed (or dlopened) by obj, in order. */
  private searchOrder(obj: LoadedObject, withClosure: boolean): { dir: string; via: LoadVia }[] {
    const out: { dir: string; via: LoadVia }[] = [];
    // DT_RPATH of the object and its loaders (only objects without DT_RUNPATH), when the object has no DT_RUNPATH.
    if (obj.elf.runpath === undefined) {
      for (const l of obj.chain) {
        if (l.elf.runpath !== undefined) continue;
        for (const dir of dirsOf(l, 'rpath')) out.push({ dir, via: 'rpath' });
      }
    }
    for (const dir of dirsOf(obj, 'runpath')) out.push({ dir, via: 'runpath' });
    // Nix's glibc keeps libraries (libgcc_s) beside the loader: its default folder.
    if (this.interpreter) out.push({ dir: dirnameRaw(this.interpreter.foundAt), via: 'glibc' });
    if (withClosure) for (const dir of this.closureLibDirs) out.push({ dir, via: 'closure' });
    return out;
  }

  private async find(soname: string, obj: LoadedObject, withClosure = true): Promise<Found> {
    const wrongArch: string[] = [];
    const malformed: string[] = [];
    const searched: string[] = [];
    const attempt = async (p: string, via: LoadVia): Promise<LoadedObject | undefined> => {
      const l = await this.load(p);
      if (!l) return undefined;
      if ('error' in l) {
        // Not an ELF object the loader could use either: said as such, not as another architecture.
        if (!malformed.includes(l.error)) malformed.push(l.error);
        return undefined;
      }
      if (!this.matches(l.elf)) {
        if (!wrongArch.includes(p)) wrongArch.push(p);
        return undefined;
      }
      const known = this.byReal.get(l.real);
      if (known) return known;
      return makeObject(soname, p, l, {
        origin: dirnameRaw(p),
        neededBy: obj.name,
        via,
        reason: `DT_NEEDED of ${obj.name}`,
        optional: obj.optional,
        loader: obj,
      });
    };
    if (soname.includes('/')) {
      searched.push(dirnameRaw(soname));
      return { obj: await attempt(soname, 'path'), wrongArch, malformed, searched };
    }
    for (const { dir, via } of this.searchOrder(obj, withClosure)) {
      if (!searched.includes(dir)) searched.push(dir);
      const r = await attempt(joinRaw(dir, soname), via);
      if (r) return { obj: r, wrongArch, malformed, searched };
    }
    return { obj: undefined, wrongArch, malformed, searched };
  }

  private add(lo: LoadedObject): void {
    this.byName.set(lo.name, lo);
    if (lo.elf.soname && !this.byName.has(lo.elf.soname)) this.byName.set(lo.elf.soname, lo);
    this.byReal.set(lo.real, lo);
    this.libraries.push(lo);
    this.queue.push(lo);
  }

  /** Loads the queue's dependencies breadth-first, as the loader does. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const obj = this.queue.shift()!;
      for (const soname of obj.elf.needed) {
        if (this.byName.has(soname)) continue;
        const { obj: found, wrongArch, malformed, searched } = await this.find(soname, obj);
        if (!found) {
          this.missing.push({
            soname,
            neededBy: obj.name,
            wrongArch,
            searched,
            optional: obj.optional,
            ...(malformed.length ? { malformed } : {}),
          });
          this.byName.set(soname, obj); // report once
          continue;
        }
        if (found.via !== 'path') {
          const dir = await this.realDir(dirnameRaw(found.foundAt));
          if (dir) this.supplying.add(dir);
        }
        const inc = this.includedByReal.get(found.real);
        if (inc && obj.via === 'include' && dirnameRaw(inc.name) === dirnameRaw(obj.name)) continue;
        if (this.byReal.has(found.real)) this.byName.set(soname, this.byReal.get(found.real)!);
        else this.add(found);
      }
    }
  }

  /**
   * Files the loader opens without a DT_NEEDED: Nix's glibc dlopens libgcc_s.so.1 from its own lib/
   * (pthread_cancel, unwinding); glibc before 2.34 loads NSS modules for name lookups.
   */
  private async addGlibcExtras(): Promise<void> {
    if (!this.interpreter || this.isMusl) return;
    const glibcDir = dirnameRaw(this.interpreter.foundAt);
    const libc = this.byName.get('libc.so.6');
    const oldGlibc = libc !== undefined && !libc.data.includes('GLIBC_2.34\0');
    const extras: [string, string][] = [
      ['libgcc_s.so.1', 'loaded by glibc itself (pthread_cancel, unwinding)'],
      ...(oldGlibc
        ? ([
            ['libnss_files.so.2', 'NSS module glibc < 2.34 loads for name lookups'],
            ['libnss_dns.so.2', 'NSS module glibc < 2.34 loads for name lookups'],
            ['libresolv.so.2', 'needed by glibc < 2.34 for DNS lookups'],
          ] as [string, string][])
        : []),
    ];
    for (const [name, reason] of extras) {
      if (this.byName.has(name)) continue;
      const p = joinRaw(glibcDir, name);
      const l = await this.load(p);
      if (!l || 'error' in l || !this.matches(l.elf) || this.byReal.has(l.real)) continue;
      this.add(
        makeObject(name, p, l, {
          origin: glibcDir,
          neededBy: 'glibc',
          via: 'glibc',
          reason,
          optional: false,
          loader: this.program,
        }),
      );
    }
    await this.drain();
  }

  /**
   * ELF objects of the `include` input (bundled at their targets): their interpreter must be the
   * program's (one loader per bundle) and their dependencies join the bundle's lib/, unless the
   * dependency is itself an included file in the same folder (found there through `$ORIGIN`).
   * Static objects are left as they are. Returns the objects whose headers the bundle patches.
   */
  async addIncludes(files: readonly { file: string; target: string }[]): Promise<LoadedObject[]> {
    const added: LoadedObject[] = [];
    for (const { file, target } of files) {
      const l = await this.load(file);
      if (!l) throw new Error(`${file} does not exist`);
      if ('error' in l) throw new ElfError(l.error);
      if (l.elf.isStatic && l.elf.rpath === undefined && l.elf.runpath === undefined) continue;
      if (!this.matches(l.elf)) {
        this.conflicts.push(
          `${target} (include ${file}) is built for machine ${l.elf.machine}, the program for ${this.program.elf.machine}`,
        );
        continue;
      }
      const lo = makeObject(target, file, l, {
        origin: dirnameRaw(l.elf.interp ? l.real : file),
        neededBy: undefined,
        via: 'include',
        reason: `include ${target}`,
        optional: false,
        loader: undefined,
      });
      this.includedByReal.set(l.real, lo);
      added.push(lo);
    }
    for (const lo of added) {
      await this.loadInterpreter(lo);
      this.included.push(lo);
      this.queue.push(lo);
    }
    await this.drain();
    await this.addGlibcExtras();
    return added;
  }

  /**
   * A library the `extra-libraries` input names: a soname (searched like a dlopen from the program,
   * then in every lib folder of the closure) or a store path. Throws a plain Error when not found.
   */
  async addExtra(spec: string): Promise<LoadedObject> {
    let found: LoadedObject | undefined;
    if (spec.includes('/')) {
      const l = await this.load(spec);
      if (l && !('error' in l) && this.matches(l.elf))
        found =
          this.byReal.get(l.real) ??
          makeObject(path.basename(spec), spec, l, {
            origin: dirnameRaw(spec),
            neededBy: 'input extra-libraries',
            via: 'input',
            reason: 'input extra-libraries',
            optional: true,
            loader: this.program,
          });
    } else {
      const known = this.byName.get(spec);
      if (known && known !== this.program) return known;
      const r = await this.find(spec, this.program, true);
      if (r.obj) {
        found = r.obj;
        if (!this.byReal.has(found.real)) {
          found.via = 'input';
          found.reason = 'input extra-libraries';
          found.neededBy = 'input extra-libraries';
          found.optional = true;
        }
      } else
        throw new Error(
          `${spec} is not in the program's search path nor in a lib folder of the build's closure (searched ${r.searched.join(', ')})`,
        );
    }
    if (!found) throw new Error(`${spec} is not an ELF library for this architecture`);
    if (!this.byReal.has(found.real)) {
      this.add(found);
      await this.drain();
    }
    return found;
  }

  /**
   * Libraries the bundled objects can dlopen() through their search paths, bundled with their
   * dependencies: (1) every library in a RUNPATH/RPATH folder that supplies no DT_NEEDED library (not
   * the C library's own folder); (2) names written in a bundled object's strings (libfoo.so.1) that
   * the loader finds on that object's search path. Repeats until nothing new is found. Names matching
   * `exclude` are left out (and listed in dlopenSkipped).
   */
  async detectDlopen(exclude: (name: string) => boolean): Promise<void> {
    const interpDir = this.interpreter ? await this.realDir(dirnameRaw(this.interpreter.foundAt)) : undefined;
    const glibcStore = this.interpreter?.storePath;
    const scannedFolders = new Set<string>();
    const scannedNames = new Set<LoadedObject>();
    const skipped = new Set<string>();
    const skip = (name: string, p: string, reason: string): void => {
      const key = `${name}\0${p}`;
      if (skipped.has(key)) return;
      skipped.add(key);
      this.dlopenSkipped.push({ name, path: p, reason });
    };
    for (;;) {
      const before = this.libraries.length;
      const objects = [this.program, ...this.included, ...this.libraries];
      // (1) Search path folders that supply no DT_NEEDED library.
      for (const obj of objects) {
        for (const which of ['rpath', 'runpath'] as const) {
          for (const dir of dirsOf(obj, which)) {
            const real = await this.realDir(dir);
            if (!real || scannedFolders.has(real) || this.supplying.has(real) || real === interpDir) continue;
            if (!this.inClosure(real)) continue;
            scannedFolders.add(real);
            await this.addFolder(dir, real, obj, which, exclude, skip);
          }
        }
      }
      await this.drain();
      // (2) Library names in the strings of the bundled objects (glibc's own are handled above);
      // their DT_NEEDED names, written in the same bytes, are resolved by now.
      for (const obj of [this.program, ...this.included, ...this.libraries]) {
        if (scannedNames.has(obj) || (glibcStore !== undefined && obj.storePath === glibcStore)) continue;
        scannedNames.add(obj);
        for (const name of scanSonames(obj.data)) {
          if (this.byName.has(name) || obj.elf.needed.includes(name)) continue;
          const r = await this.find(name, obj, false);
          if (!r.obj) continue;
          const existing = this.byReal.get(r.obj.real);
          if (existing) {
            // Already bundled under another name: carry this one too, as the program asks for it.
            if (existing !== this.program && existing.name !== name && !existing.aliases.includes(name)) {
              if (exclude(name)) skip(name, r.obj.foundAt, 'input exclude-libraries');
              else existing.aliases.push(name);
            }
            continue;
          }
          if (exclude(name) || (r.obj.elf.soname !== undefined && exclude(r.obj.elf.soname))) {
            skip(name, r.obj.foundAt, 'input exclude-libraries');
            continue;
          }
          r.obj.via = 'dlopen-name';
          r.obj.reason = `named in the strings of ${obj.name} (dlopen by name), found in ${dirnameRaw(r.obj.foundAt)}`;
          r.obj.optional = true;
          this.add(r.obj);
        }
      }
      await this.drain();
      if (this.libraries.length === before) break;
    }
  }

  private async addFolder(
    dir: string,
    real: string,
    obj: LoadedObject,
    which: 'rpath' | 'runpath',
    exclude: (name: string) => boolean,
    skip: (name: string, p: string, reason: string) => void,
  ): Promise<void> {
    let names: string[];
    try {
      names = (await fsp.readdir(real)).filter((n) => /\.so(\.|$)/.test(n)).sort();
    } catch {
      return;
    }
    /** Files by their real path, with every name the folder gives them. */
    const files = new Map<
      string,
      { loaded: { real: string; data: Buffer; elf: ElfFile }; names: string[] }
    >();
    for (const n of names) {
      const l = await this.load(joinRaw(dir, n));
      if (!l) continue;
      if ('error' in l) {
        skip(n, joinRaw(dir, n), `not an ELF library: ${l.error}`);
        continue;
      }
      if (l.elf.type !== 3) continue; // ET_DYN only
      if (!this.matches(l.elf)) {
        skip(n, joinRaw(dir, n), 'built for another architecture');
        continue;
      }
      const f = files.get(l.real);
      if (f) f.names.push(n);
      else files.set(l.real, { loaded: l, names: [n] });
    }
    const tag = which === 'rpath' ? 'RPATH' : 'RUNPATH';
    for (const { loaded, names: fileNames } of files.values()) {
      const soname = loaded.elf.soname;
      const name =
        soname && fileNames.includes(soname)
          ? soname
          : fileNames.includes(path.basename(loaded.real))
            ? path.basename(loaded.real)
            : (soname ?? fileNames[0]!);
      const at = joinRaw(dir, fileNames.includes(name) ? name : fileNames[0]!);
      if (this.byReal.has(loaded.real)) continue;
      if (fileNames.some((n) => exclude(n)) || (soname !== undefined && exclude(soname))) {
        skip(name, at, 'input exclude-libraries');
        continue;
      }
      const other = this.byName.get(name);
      if (other) {
        skip(name, at, `another library of that name is already bundled (${other.foundAt})`);
        continue;
      }
      this.add(
        makeObject(name, at, loaded, {
          origin: dirnameRaw(at),
          neededBy: obj.name,
          via: 'dlopen-folder',
          reason: `in ${dir}, a ${tag} folder of ${obj.name} that supplies no DT_NEEDED library (dlopen)`,
          optional: true,
          loader: obj,
        }),
      );
    }
  }

  result(): ClosureResult {
    return {
      program: this.program,
      interpreter: this.interpreter,
      libraries: this.libraries,
      included: this.included,
      missing: this.missing,
      dlopenSkipped: this.dlopenSkipped,
      conflicts: this.conflicts,
      byName: this.byName,
    };
  }
}

async function loadFile(
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
function makeObject(
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

/** The DT_NEEDED closure of a program (see ClosureResolver). */
export async function resolveClosure(programPath: string, opts: ResolveOptions): Promise<ClosureResult> {
  const r = await ClosureResolver.open(programPath, opts);
  await r.resolve();
  return r.result();
}
