import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import type { ElfFile } from './elf.js';
import {
  dirnameRaw,
  dirsOf,
  joinRaw,
  loadFile,
  makeObject,
  MUSL_LOADER,
  type DlopenSkipped,
  type Found,
  type Loaded,
  type LoadedObject,
  type LoadVia,
  type Missing,
  type ResolveOptions,
} from './loaded.js';

/**
 * The loader's search, as glibc's elf/dl-load.c does it (see closure.ts): the folders searched for
 * a name and in which order, an object found once under any of its names, the breadth-first walk
 * of DT_NEEDED, and the files glibc loads by itself. ClosureResolver (closure.ts) adds what the
 * bundle asks of it.
 */
export abstract class ClosureWalker {
  readonly libraries: LoadedObject[] = [];
  readonly included: LoadedObject[] = [];
  readonly missing: Missing[] = [];
  readonly dlopenSkipped: DlopenSkipped[] = [];
  /** Objects that cannot share the bundle (another loader, another machine): each says why. */
  readonly conflicts: string[] = [];
  interpreter: LoadedObject | undefined;
  protected readonly byName = new Map<string, LoadedObject>();
  protected readonly byReal = new Map<string, LoadedObject>();
  protected readonly includedByReal = new Map<string, LoadedObject>();
  protected readonly cache = new Map<string, Promise<Loaded>>();
  protected readonly realDirs = new Map<string, Promise<string | undefined>>();
  /** Real folders from which some DT_NEEDED library was loaded. */
  protected readonly supplying = new Set<string>();
  protected readonly queue: LoadedObject[] = [];
  protected readonly closureLibDirs: string[];
  protected readonly closurePaths: readonly string[];
  protected readonly readFile: (p: string) => Promise<Buffer>;

  protected constructor(
    readonly program: LoadedObject,
    opts: ResolveOptions,
    readFile: (p: string) => Promise<Buffer>,
  ) {
    this.readFile = readFile;
    this.closurePaths = opts.closure;
    this.closureLibDirs = opts.closure.flatMap((sp) => [path.join(sp, 'lib'), path.join(sp, 'lib64')]);
  }

  get isMusl(): boolean {
    return this.interpreter !== undefined && MUSL_LOADER.test(this.interpreter.name);
  }

  protected async loadInterpreter(from: LoadedObject): Promise<void> {
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

  protected load(p: string): Promise<Loaded | undefined> {
    return loadFile(p, this.cache, this.readFile);
  }

  /** The real folder of a path (cached), undefined when it does not exist. */
  protected realDir(dir: string): Promise<string | undefined> {
    let r = this.realDirs.get(dir);
    if (!r) {
      r = fsp.realpath(dir).catch(() => undefined);
      this.realDirs.set(dir, r);
    }
    return r;
  }

  /** Inside a store path of the build's closure (dlopen folders must be: anything else is the build machine's). */
  protected inClosure(p: string): boolean {
    return this.closurePaths.some((sp) => p === sp || p.startsWith(`${sp}/`));
  }

  protected matches(e: ElfFile): boolean {
    return e.machine === this.program.elf.machine;
  }

  /** The folders the loader searches for a name needed (or dlopened) by obj, in order. */
  protected searchOrder(obj: LoadedObject, withClosure: boolean): { dir: string; via: LoadVia }[] {
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

  protected async find(soname: string, obj: LoadedObject, withClosure = true): Promise<Found> {
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

  protected add(lo: LoadedObject): void {
    this.byName.set(lo.name, lo);
    if (lo.elf.soname && !this.byName.has(lo.elf.soname)) this.byName.set(lo.elf.soname, lo);
    this.byReal.set(lo.real, lo);
    this.libraries.push(lo);
    this.queue.push(lo);
  }

  /** Loads the queue's dependencies breadth-first, as the loader does. */
  protected async drain(): Promise<void> {
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
  protected async addGlibcExtras(): Promise<void> {
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
}
