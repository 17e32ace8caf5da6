import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { readFileShared } from '../util/fs.js';
import { ElfError, type ElfFile } from './elf.js';
import { ClosureWalker } from './closure-walk.js';
import {
  dirnameRaw,
  dirsOf,
  joinRaw,
  loadFile,
  makeObject,
  type ClosureResult,
  type Loaded,
  type LoadedObject,
  type ResolveOptions,
} from './loaded.js';
import { scanSonames } from './store-path.js';

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

/** The library-resolution state of one bundle: the program, then whatever else joins it. */
export class ClosureResolver extends ClosureWalker {
  private constructor(program: LoadedObject, opts: ResolveOptions, readFile: (p: string) => Promise<Buffer>) {
    super(program, opts, readFile);
  }

  /** Loads the program (and its interpreter); resolve() then walks its DT_NEEDED closure. */
  static async open(programPath: string, opts: ResolveOptions): Promise<ClosureResolver> {
    const readFile = opts.readFile ?? readFileShared;
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

  /** Walks the DT_NEEDED closure of everything loaded so far, then adds what glibc loads by itself. */
  async resolve(): Promise<void> {
    if (!this.byReal.has(this.program.real)) {
      this.byReal.set(this.program.real, this.program);
      this.queue.push(this.program);
    }
    await this.drain();
    await this.addGlibcExtras();
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

/** The DT_NEEDED closure of a program (see ClosureResolver). */
export async function resolveClosure(programPath: string, opts: ResolveOptions): Promise<ClosureResult> {
  const r = await ClosureResolver.open(programPath, opts);
  await r.resolve();
  return r.result();
}
