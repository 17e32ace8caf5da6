import { packageOutputs } from '../action/outputs.js';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BuildResult, JobContext, PackageResult } from '../context.js';
import {
  bundleClosure,
  bundleIncludes,
  patchIncludes,
  staticCheck,
  type BundleEntry,
  type BundleSource,
} from '../bundle/bundle.js';
import { ClosureResolver, nameMatcher, type ClosureResult, type LoadedObject } from '../bundle/closure.js';
import { ElfError, isElf } from '../bundle/elf.js';
import { ActionError, errorMessage } from '../util/errors.js';
import type { PackageInputs } from '../inputs/package.js';
import type { Log } from '../host.js';
import { describeProblem, findReferences, isProblem, type ReferenceFinding } from '../bundle/references.js';
import { loaderCheck } from '../bundle/verify.js';
import {
  AUTO_LOCALE_ARCHIVE_LIMIT,
  BUNDLED_CA_PATH,
  DATA_SET_DEFS,
  dataSetOf,
  findDataSet,
  runtimeEnvFor,
  type DataSetId,
} from '../bundle/runtime-env.js';
import { scanStoreReferences } from '../bundle/store-path.js';
import { writeZip } from '../zip/write.js';
import { defaultCacheDir } from '../zip/deflate.js';
import { LAMBDA_ZIP_LIMIT, LAMBDA_UNZIPPED_LIMIT, type LambdaArch } from '../lambda.js';
import { formatBytes, plural } from '../util/format.js';
import { errnoCode } from '../util/fs.js';

/**
 * Stage 4: de-nixify the program. Resolve its library closure in the store (DT_NEEDED, what it
 * loads with dlopen, the `include`d ELF objects' own), bundle the data its files name by store path,
 * patch copies so the bundle wins over Amazon Linux's libraries, check the result in a Lambda-like
 * root, and write a byte-reproducible zip.
 */

export async function packageStage(ctx: JobContext): Promise<void> {
  try {
    await packageBuild(ctx);
  } catch (err) {
    // The reader's message names the file and what is wrong with it; say what it means for the user.
    if (err instanceof ElfError)
      throw new ActionError(
        'Malformed ELF file',
        `${err.message}\nThe build output holds an ELF file that cannot be read (damaged, truncated, or not a Linux program or library): check the program (input \`program\`) and rebuild.`,
        { cause: err },
      );
    // A file system error (disk full, read-only, permissions) while writing the bundle or the zip.
    const code = errnoCode(err);
    if (code && !(err instanceof ActionError)) {
      const full = code === 'ENOSPC' || code === 'EDQUOT';
      throw new ActionError(
        full ? 'No space left on the disk' : 'Could not write the package',
        `${errorMessage(err)}\nThe package stage writes the bundle folder under RUNNER_TEMP (${path.join(ctx.runner.tempDir, 'nix-lambda')}) and the zip at ${ctx.inputs.package.zipPath} (input \`zip-path\`)` +
          (full
            ? ': free some space there, or point zip-path at a larger disk. No zip was written.'
            : '. No zip was written.'),
        { cause: err },
      );
    }
    throw err;
  }
}

/** Phase timings, for ACTIONS_STEP_DEBUG. */
function phaseTimer(log: Log): (what: string) => void {
  let t = performance.now();
  return (what) => {
    const now = performance.now();
    log.debug(`package: ${what} in ${Math.round(now - t)} ms`);
    t = now;
  };
}

async function packageBuild(ctx: JobContext): Promise<void> {
  const { log } = ctx;
  const inputs = ctx.inputs.package;
  const build = ctx.build;
  if (!build)
    throw new ActionError('Nothing to package', 'the package stage needs the build stage in the same run.');
  const work = path.join(ctx.runner.tempDir, 'nix-lambda');
  await fsp.mkdir(work, { recursive: true });
  const phase = phaseTimer(log);

  const resolver = await ClosureResolver.open(build.programPath, { closure: build.closure });
  const elf = resolver.program.elf;
  const arch: LambdaArch | undefined = elf.arch;
  if (!arch)
    throw new ActionError(
      'Unsupported architecture',
      `${build.programRel} is an ELF for machine ${elf.machine}; Lambda runs x86_64 and arm64 programs only.`,
    );
  if (elf.isStatic) log.info(`${build.programRel} is statically linked: packaged as it is.`);
  await resolver.resolve();
  await addExtraLibraries(resolver, inputs.extraLibraries);
  await resolver.detectDlopen(nameMatcher(inputs.excludeLibraries));
  phase(`resolved ${resolver.libraries.length} libraries`);

  const data = chooseDataSets(resolver, build, inputs, log);
  const includeEntries = await bundleIncludes(
    [...inputs.include, ...data.sources],
    build.outPath,
    build.closure,
  );
  await resolver.addIncludes(
    includeEntries.filter((e) => isElf(e.data)).map((e) => ({ file: e.source, target: e.name })),
  );
  const closure = resolver.result();
  checkResolution(closure, build, arch, inputs, log);

  const patchOpts = {
    taskRoot: inputs.taskRoot,
    tempDir: work,
    log: (m: string) => {
      log.info(m);
    },
  };
  const entries: BundleEntry[] = [
    ...(await bundleClosure(closure, patchOpts)),
    ...(await patchIncludes(includeEntries, closure, patchOpts)),
  ];
  phase(`read and patched ${entries.length} files`);
  checkNames(entries);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  logEntries(entries, log);
  const unzippedBytes = entries.reduce((n, e) => n + e.bytes, 0);
  if (unzippedBytes > LAMBDA_UNZIPPED_LIMIT)
    throw new ActionError(
      'Bundle too large',
      `the bundle is ${formatBytes(unzippedBytes)} unzipped; Lambda's limit is ${formatBytes(LAMBDA_UNZIPPED_LIMIT)} (with layers). Trim the closure, or ship large data in a layer or a container image.`,
    );

  const musl = resolver.isMusl;
  const problems = staticCheck(entries, { musl });
  if (problems.length > 0)
    throw new ActionError(
      'Bundle still depends on Nix',
      `these bundled files still point into /nix/store${musl ? ' or would load libraries from LD_LIBRARY_PATH' : ''}:\n${problems.map((p) => `${p.name}: ${p.problem}`).join('\n')}`,
    );
  const references = reportReferences(entries, closure, data, inputs.taskRoot, log);
  phase('checked the references');

  const { bundleDir, root } = await writeBundleFolder(work, inputs.taskRoot, entries);
  phase('wrote the bundle folder');
  const verified = await checkLoader(ctx, closure, entries, root, arch);
  phase('checked the bundle');

  const zip = await writeZip(
    entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode })),
    inputs.zipPath,
    // The bundle folder is written and checked: the zip writer may take the buffers' memory.
    { cacheDir: defaultCacheDir(process.env, ctx.runner.home), transferSources: true },
  );
  if (zip.cached.entries > 0)
    log.info(
      `Deflate cache: ${zip.cached.entries} files (${formatBytes(zip.cached.bytes)}) already compressed by an earlier run.`,
    );
  phase('wrote the zip');
  if (zip.bytes > LAMBDA_ZIP_LIMIT)
    log.warning(
      `the zip is ${formatBytes(zip.bytes)}, over Lambda's ${formatBytes(LAMBDA_ZIP_LIMIT)} limit for a direct upload: deploy it through S3 (input s3-bucket).`,
      'Zip over the direct-upload limit',
    );
  const libraryCount = entries.filter((e) => e.kind === 'library' || e.kind === 'interpreter').length;
  const includedCount = entries.filter((e) => e.kind === 'include').length;
  log.info(
    `Wrote ${zip.path}: ${formatBytes(zip.bytes)} (${formatBytes(unzippedBytes)} unzipped, ${plural(entries.length, 'file')}: the program, ${plural(libraryCount, 'library', 'libraries')}${includedCount > 0 ? `, ${plural(includedCount, 'included file')}` : ''}), CodeSha256 ${zip.codeSha256}`,
  );

  const runtimeEnv = runtimeEnvFor(
    entries.map((e) => e.name),
    inputs.taskRoot,
  );
  for (const [k, v] of Object.entries(runtimeEnv))
    log.info(`The bundle needs ${k}=${v} (the deploy stage sets it unless \`environment\` does).`);
  const libraries = entries
    .filter((e) => e.kind === 'library' || e.kind === 'interpreter')
    .map((e) => ({ soname: path.posix.basename(e.name), storePath: e.storePath, bytes: e.bytes }));
  const result: PackageResult = {
    zipPath: zip.path,
    codeSha256: zip.codeSha256,
    zipBytes: zip.bytes,
    unzippedBytes,
    architecture: arch,
    bundleDir,
    files: entries.map(({ data: _data, ...f }) => f),
    libraries,
    runtimeEnv,
    verified,
    references,
  };
  ctx.package = result;
  ctx.setOutputs(packageOutputs(result));
}

async function addExtraLibraries(resolver: ClosureResolver, specs: readonly string[]): Promise<void> {
  for (const spec of specs) {
    try {
      await resolver.addExtra(spec);
    } catch (e) {
      if (e instanceof ElfError) throw e;
      throw new ActionError('Extra library not found', `Input \`extra-libraries\`: ${errorMessage(e)}.`);
    }
  }
}

interface DataSetChoice {
  /** What to bundle for the chosen sets. */
  sources: BundleSource[];
  /** Bundled sets: id -> target in the zip. */
  bundled: Map<DataSetId, string>;
  /** Sets found referenced but not bundled: id -> why. */
  skipped: Map<DataSetId, string>;
}

/**
 * The data sets to bundle: those named in the input bundle-data (or bundle-certificates), and with
 * `auto` those a bundled file references by store path (the C library's references to its own
 * folders excepted: every glibc names its gconv folder). A target the `include` input already
 * fills is left to it.
 */
function chooseDataSets(
  resolver: ClosureResolver,
  build: BuildResult,
  inputs: PackageInputs,
  log: Log,
): DataSetChoice {
  const choice: DataSetChoice = { sources: [], bundled: new Map(), skipped: new Map() };
  const glibcStore = resolver.interpreter?.storePath;
  const found = new Map<DataSetId, { source: string; root: string; by: string }>();
  if (inputs.bundleData.auto) {
    const objects = [resolver.program, ...resolver.libraries];
    for (const obj of objects) {
      for (const ref of scanStoreReferences(obj.data)) {
        if (glibcStore !== undefined && obj.storePath === glibcStore && ref.storePath === glibcStore)
          continue;
        const set = dataSetOf(ref.sub);
        if (!set || found.has(set.id)) continue;
        const source = `${ref.storePath}/${set.root}`;
        if (!fs.existsSync(source)) continue;
        found.set(set.id, { source, root: set.root, by: obj.name });
      }
    }
  }
  for (const id of inputs.bundleData.sets) {
    if (found.has(id)) continue;
    const f = findDataSet(id, build.closure, id === 'gconv' && glibcStore ? [glibcStore] : []);
    if (!f) throw missingDataSet(id, inputs.bundleCertificates);
    found.set(id, { ...f, by: `input bundle-data` });
  }
  const userTargets = new Set(inputs.include.map((i) => i.target));
  for (const [id, f] of found) {
    const def = DATA_SET_DEFS[id];
    const target = def.target(f.root);
    if (userTargets.has(target)) continue;
    if (id === 'locales' && !inputs.bundleData.sets.includes('locales')) {
      const size = fs.statSync(f.source).size;
      if (f.root.endsWith('locale-archive') && size > AUTO_LOCALE_ARCHIVE_LIMIT) {
        choice.skipped.set(
          id,
          `the locale archive is ${formatBytes(size)}, too large to bundle unasked (bundle a smaller one, such as nixpkgs' glibcLocalesUtf8 or glibcLocales with only the locales you use)`,
        );
        continue;
      }
    }
    const reason =
      f.by === 'input bundle-data'
        ? `${def.what}: input bundle-data`
        : `${def.what}: ${f.by} references ${f.source}`;
    choice.sources.push({
      source: f.source,
      target,
      reason,
      ...(def.keep ? { keep: def.keep } : {}),
    });
    choice.bundled.set(id, target);
    log.info(
      `Bundling ${def.what} from ${f.source} as ${target} (${f.by === 'input bundle-data' ? 'input bundle-data' : `${f.by} references it`}).`,
    );
  }
  if (!choice.bundled.has('gconv') && !inputs.bundleData.sets.includes('gconv')) {
    // The program's own calls only: libraries (libidn2, libunistring...) convert the locale's
    // character set, which is UTF-8 on Lambda and needs no module.
    const caller = [resolver.program, ...resolver.included].find((o) => o.data.includes('iconv_open\0'));
    if (caller)
      log.notice(
        `${caller.name} calls iconv_open(): glibc converts UTF-8, UCS and ASCII by itself, but every other character set needs its gconv modules, which are not bundled. If the program converts other character sets, add gconv to the input bundle-data.`,
        'iconv without gconv modules',
      );
  }
  return choice;
}

function missingDataSet(id: DataSetId, viaCertificatesInput: boolean): ActionError {
  if (id === 'certificates')
    return new ActionError(
      'No CA certificates in the closure',
      `Input \`${viaCertificatesInput ? 'bundle-certificates' : 'bundle-data'}\`: no store path of the build's runtime closure holds a CA bundle (etc/ssl/certs/ca-bundle.crt). ` +
        'Make the program depend on nixpkgs\' cacert (for example refer to "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" in it), ' +
        `or bundle a file yourself with include: SOURCE:${BUNDLED_CA_PATH}.`,
    );
  const def = DATA_SET_DEFS[id];
  return new ActionError(
    `No ${def.what} in the closure`,
    `Input \`bundle-data\`: ${id} is asked for, but no store path of the build's runtime closure holds ${def.roots.join(' or ')}. Make the program refer to nixpkgs' ${def.nixpkgs} so Nix keeps it in the closure, or drop ${id} from bundle-data.`,
  );
}

/** Fails on libraries the program needs and the closure lacks; warns about the dlopen ones. */
function checkResolution(
  closure: ClosureResult,
  build: BuildResult,
  arch: LambdaArch,
  inputs: PackageInputs,
  log: Log,
): void {
  if (closure.conflicts.length > 0) throw new ActionError('Bundle conflict', closure.conflicts.join('\n'));
  const exclude = nameMatcher(inputs.excludeLibraries);
  const forbidden = [closure.program, ...closure.libraries, ...closure.included]
    .filter(
      (o) =>
        !o.optional &&
        o.via !== 'program' &&
        o.via !== 'include' &&
        (exclude(o.name) || (o.elf.soname !== undefined && exclude(o.elf.soname))),
    )
    .map((o) => `${o.name} (${o.reason})`);
  if (forbidden.length > 0)
    throw new ActionError(
      'Cannot exclude a needed library',
      `Input \`exclude-libraries\` names libraries the program needs to start: ${forbidden.join(', ')}. Only libraries loaded with dlopen can be left out.`,
    );
  const describeMissing = (m: ClosureResult['missing'][number]): string =>
    m.malformed
      ? `${m.soname} (needed by ${m.neededBy}): not a valid ELF file: ${m.malformed.join('; ')}`
      : m.wrongArch.length > 0
        ? `${m.soname} (needed by ${m.neededBy}): only found for another architecture: ${m.wrongArch.join(', ')}`
        : `${m.soname} (needed by ${m.neededBy}): searched ${m.searched.length > 0 ? m.searched.join(', ') : 'nowhere'}`;
  const optional = closure.missing.filter((m) => m.optional);
  if (optional.length > 0)
    log.warning(
      `libraries loaded with dlopen need libraries the closure does not have; they are bundled, and would fail to load under Nix too:\n${optional.map(describeMissing).join('\n')}`,
      'dlopen libraries with missing dependencies',
    );
  const missing = closure.missing.filter((m) => !m.optional);
  if (missing.length > 0) {
    const lines = missing.map(describeMissing);
    const n = plural(missing.length, 'library', 'libraries');
    if (missing.some((m) => m.malformed))
      throw new ActionError(
        'Malformed libraries',
        `${n} of ${build.programRel} (${arch}) could not be used:\n${lines.join('\n')}\n` +
          'A library file in the closure is damaged or is not an ELF shared object: rebuild the package that provides it.',
      );
    const wrong = missing.some((m) => m.wrongArch.length > 0);
    const elsewhere = missing.flatMap((m) =>
      findInClosure(m.soname, build.closure).map((f) => `${m.soname}: ${f}`),
    );
    throw new ActionError(
      wrong ? 'Wrong-architecture libraries' : 'Missing libraries',
      `${n} of ${build.programRel} (${arch}) not found in the search path of the object that needs it, nor in a lib folder of the build's closure:\n${lines.join('\n')}\n` +
        (wrong
          ? "The closure holds libraries built for another machine: build the flake output for the function's architecture."
          : elsewhere.length > 0
            ? `The closure does hold files of that name, in folders no search path reaches:\n${elsewhere.join('\n')}\nAdd their folder to the RUNPATH of the object that needs them (nixpkgs: patchelf --add-rpath in postFixup), or name them in the input extra-libraries.`
            : "No store path of the closure holds them: add the package that provides them to the program's runtime dependencies (buildInputs), so Nix records the reference."),
    );
  }
  for (const s of closure.dlopenSkipped)
    if (s.reason !== 'input exclude-libraries')
      log.warning(
        `${s.name} (${s.path}) is on a dlopen search path but not bundled: ${s.reason}.`,
        'dlopen library not bundled',
      );
    else log.info(`Not bundled (input exclude-libraries): ${s.name} (${s.path})`);
}

/** Files named soname anywhere below the closure's store paths (a few levels deep). */
function findInClosure(soname: string, closure: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number): void => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      const p = path.join(dir, d.name);
      if (d.name === soname && (d.isFile() || d.isSymbolicLink())) out.push(p);
      else if (d.isDirectory() && depth < 4) visit(p, depth + 1);
    }
  };
  for (const sp of closure) visit(sp, 0);
  return out.slice(0, 10);
}

function checkNames(entries: readonly BundleEntry[]): void {
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

function logEntries(entries: readonly BundleEntry[], log: Log): void {
  // A folder brought in by one include (a data set) is one line: it can hold thousands of files.
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

/**
 * Scans every bundled file for /nix/store paths: a reference the bundle does not satisfy is a
 * warning naming the file, the path and the fix (one annotation per file).
 */
function reportReferences(
  entries: readonly BundleEntry[],
  closure: ClosureResult,
  data: DataSetChoice,
  taskRoot: string,
  log: Log,
): PackageResult['references'] {
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

/** The bundle on disk, inside a root that the loader check can enter. */
async function writeBundleFolder(
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

/** A predicate: does the object load with every dependency it names (transitively) in the bundle? */
function completeObjects(closure: ClosureResult): (o: LoadedObject) => boolean {
  const missing = new Set(closure.missing.map((m) => `${m.neededBy}\0${m.soname}`));
  const memo = new Map<LoadedObject, boolean>();
  const ok = (o: LoadedObject): boolean => {
    const known = memo.get(o);
    if (known !== undefined) return known;
    memo.set(o, true); // cycles: assume complete while walking
    let good = true;
    for (const n of o.elf.needed) {
      if (missing.has(`${o.name}\0${n}`)) good = false;
      const dep = closure.byName.get(n);
      if (dep && dep !== o && !ok(dep)) good = false;
    }
    memo.set(o, good);
    return good;
  };
  return ok;
}

/** The loader check (verify.ts) with decoys under every bundled soname and the dlopen libraries preloaded. */
async function checkLoader(
  ctx: JobContext,
  closure: ClosureResult,
  entries: readonly BundleEntry[],
  root: string,
  arch: LambdaArch,
): Promise<'loader' | 'static'> {
  const { log } = ctx;
  const inputs = ctx.inputs.package;
  if (inputs.verify === 'false' || closure.program.elf.isStatic || !closure.interpreter) return 'static';
  // Libraries loaded with dlopen whose dependencies are all there, and included shared objects.
  const complete = completeObjects(closure);
  const preload = [
    ...closure.libraries
      .filter((l) => l.optional && complete(l))
      .map((l) => `${inputs.taskRoot}/lib/${l.name}`),
    ...closure.included
      .filter((o) => !o.elf.interp && complete(o))
      .map((o) => `${inputs.taskRoot}/${o.name}`),
  ];
  const decoys = entries.filter((e) => e.kind === 'library').map((e) => path.posix.basename(e.name));
  const programs = [
    'bootstrap',
    ...closure.included.filter((o) => o.elf.interp !== undefined && complete(o)).map((o) => o.name),
  ];
  const checks = [];
  for (const program of programs)
    checks.push(
      await loaderCheck(root, inputs.taskRoot, closure.interpreter.name, arch, ctx.runner.arch, {
        preload: program === 'bootstrap' ? preload : [],
        decoys,
        program,
      }),
    );
  const check = {
    ...checks[0]!,
    problems: checks.flatMap((c) => c.problems),
    outside: checks.flatMap((c) => c.outside),
    listed: checks.flatMap((c) => c.listed),
    output: checks.map((c) => c.output).join('\n'),
  };
  if (!check.ran) {
    if (inputs.verify === 'true')
      throw new ActionError(
        'Could not verify the bundle',
        `verify: true, but ${check.reason ?? 'the check could not run'}. Set verify: auto to skip it where the machine cannot run it.`,
      );
    log.notice(
      `Loader check skipped: ${check.reason ?? 'not possible here'}. The headers were checked.`,
      'Bundle verification',
    );
    return 'static';
  }
  log.debug(check.output);
  if (check.problems.length > 0 || check.outside.length > 0)
    throw new ActionError(
      'Bundle does not load',
      `the bundled loader, run in an isolated root with Lambda's LD_LIBRARY_PATH and Amazon Linux's library names in /lib64, reports:\n${[...check.problems, ...check.outside.map((o) => `loaded from outside the bundle: ${o}`)].join('\n')}`,
    );
  const dlopened = closure.libraries.filter((l) => l.optional && complete(l)).length;
  const extra = [
    ...(dlopened > 0 ? [plural(dlopened, 'dlopen library', 'dlopen libraries')] : []),
    ...(preload.length > dlopened ? [plural(preload.length - dlopened, 'included shared object')] : []),
    ...(programs.length > 1 ? [plural(programs.length - 1, 'included program')] : []),
  ];
  log.info(
    `Loader check passed: ${check.listed.length} objects${extra.length > 0 ? ` (with ${extra.join(', ')})` : ''}, all from ${inputs.taskRoot}, none from the decoys in /lib64.`,
  );
  return 'loader';
}
