import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { localSmokeTestOutputs, packageOutputs } from '../action/outputs.js';
import {
  bundleClosure,
  checkBundleSize,
  checkNames,
  logEntries,
  patchIncludes,
  writeBundleFolder,
  type BundleEntry,
} from '../bundle/bundle.js';
import { ClosureResolver } from '../bundle/closure.js';
import { chooseDataSets, type DataSetChoice } from '../bundle/data-sets.js';
import { sizeWarnings } from '../bundle/limits.js';
import { isElf } from '../bundle/elf.js';
import { bundleIncludes } from '../bundle/include.js';
import {
  LAYER_LIB_DIR,
  layerHash,
  layerZipPathOf,
  layerZipSources,
  splitBundle,
  writeLayerFolder,
  type SplitBundle,
} from '../bundle/layer.js';
import { nameMatcher, type ClosureResult } from '../bundle/loaded.js';
import { staticCheck } from '../bundle/patch.js';
import { reportReferences } from '../bundle/references.js';
import { addExtraLibraries, checkResolution } from '../bundle/resolution.js';
import { runtimeEnvFor } from '../bundle/runtime-env.js';
import {
  reportLocalSmokeTest,
  runLocalSmokeTest,
  smokeDecoys,
  type LocalSmokeTest,
} from '../bundle/smoke.js';
import { checkLoader } from '../bundle/verify.js';
import { explainPackageFailure } from '../bundle/failure.js';
import type { BuildResult, JobContext, LayerPackage, PackageResult } from '../context.js';
import type { Log } from '../host.js';
import type { PackageInputs } from '../inputs/package.js';
import type { LambdaArch } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { formatBytes, plural } from '../util/format.js';
import { phaseTimer } from '../util/log.js';
import {
  defaultCacheDir,
  defaultWorkers,
  prefetchingDeflater,
  type PrefetchingDeflater,
} from '../zip/deflate.js';
import { writeZip, type ZipResult } from '../zip/write.js';

/**
 * Stage 4: de-nixify the program. Resolve its library closure in the store (DT_NEEDED, what it
 * loads with dlopen, the `include`d ELF objects' own), bundle the data its files name by store path,
 * patch copies so the bundle wins over Amazon Linux's libraries, check the result in a Lambda-like
 * root, and write a byte-reproducible zip. The work is bundle/'s and zip/'s; this is the order.
 */
export async function packageStage(ctx: JobContext): Promise<void> {
  try {
    await packageBuild(ctx);
  } catch (err) {
    throw explainPackageFailure(err, {
      workDir: path.join(ctx.runner.tempDir, 'nix-lambda'),
      zipPath: ctx.inputs.package.zipPath,
    });
  }
}

/** What the bundle holds, once resolved and patched. */
interface Bundle {
  closure: ClosureResult;
  arch: LambdaArch;
  musl: boolean;
  data: DataSetChoice;
  /** Sorted by name. */
  entries: BundleEntry[];
  unzippedBytes: number;
}

async function packageBuild(ctx: JobContext): Promise<void> {
  const { log } = ctx;
  const build = ctx.build;
  if (!build)
    throw new ActionError('Nothing to package', 'the package stage needs the build stage in the same run.');
  const work = path.join(ctx.runner.tempDir, 'nix-lambda');
  await fsp.mkdir(work, { recursive: true });
  const phase = phaseTimer(log);
  const libDir = ctx.inputs.layer ? LAYER_LIB_DIR : undefined;
  // The zip's deflating starts with each file as soon as it is patched (the libraries in a layer
  // wait: the deploy stage compresses them only for a new hash), beside the checks that follow.
  const deflater = prefetchingDeflater({
    level: 6,
    workers: defaultWorkers(),
    cacheDir: defaultCacheDir(process.env, ctx.runner.home),
  });
  try {
    const onEntry = (e: BundleEntry): void => {
      if (libDir === undefined || (e.kind !== 'library' && e.kind !== 'interpreter'))
        deflater.prefetch(e.data);
    };
    await packageWith(ctx, { build, work, phase, libDir, deflater, onEntry });
  } finally {
    await deflater.close();
  }
}

/** The package stage's work, with the deflater that the patched files are fed to as they come. */
async function packageWith(
  ctx: JobContext,
  o: {
    build: BuildResult;
    work: string;
    phase: (what: string) => void;
    libDir: string | undefined;
    deflater: PrefetchingDeflater;
    onEntry: (e: BundleEntry) => void;
  },
): Promise<void> {
  const { log } = ctx;
  const inputs = ctx.inputs.package;
  const { build, work, phase, libDir } = o;
  const bundle = await resolveBundle(build, inputs, work, log, phase, { libDir, onEntry: o.onEntry });
  const split = libDir !== undefined ? splitBundle(bundle.entries) : undefined;
  const layerSha256 = split ? layerHash(split.layer) : undefined;
  if (split) phase('hashed the layer');
  const references = reportReferences(bundle.entries, bundle.closure, bundle.data, inputs.taskRoot, log);
  phase('checked the references');
  const { bundleDir, root } = await writeBundleFolder(
    work,
    inputs.taskRoot,
    split?.function ?? bundle.entries,
  );
  const layerDir = split ? await writeLayerFolder(root, bundleDir, split.layer) : undefined;
  phase('wrote the bundle folder');
  const verified = await checkLoader(
    bundle.closure,
    bundle.entries,
    { root, arch: bundle.arch },
    {
      verify: inputs.verify,
      taskRoot: inputs.taskRoot,
      hostArch: ctx.runner.arch,
      ...(libDir !== undefined ? { libDir } : {}),
    },
    log,
  );
  phase('checked the bundle');
  await smokeBeforeShipping(ctx, bundle, root);
  phase('ran the local smoke test');
  const zipped = split ? { ...bundle, entries: split.function } : bundle;
  const viaS3 = ctx.inputs.deploy?.s3 !== undefined;
  const zip = await writePackageZip(zipped, inputs.zipPath, { deflater: o.deflater, viaS3 }, log);
  phase('wrote the zip');
  const result = packageResult(
    bundle,
    zip,
    { bundleDir, verified, references, taskRoot: inputs.taskRoot },
    log,
  );
  if (split && layerDir !== undefined && layerSha256 !== undefined)
    result.layer = await packageLayer(ctx, split, { dir: layerDir, sha256: layerSha256 }, result);
  ctx.package = result;
  ctx.setOutputs(packageOutputs(result));
}

/** The closure resolved (with the dlopen libraries, the data sets and the includes), patched and checked. */
async function resolveBundle(
  build: BuildResult,
  inputs: PackageInputs,
  work: string,
  log: Log,
  phase: (what: string) => void,
  o: { libDir: string | undefined; onEntry: (e: BundleEntry) => void },
): Promise<Bundle> {
  const resolver = await ClosureResolver.open(build.programPath, { closure: build.closure });
  const elf = resolver.program.elf;
  const arch = elf.arch;
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

  const data = chooseDataSets(
    resolver,
    build.closure,
    {
      ...inputs.bundleData,
      viaCertificatesInput: inputs.bundleCertificates,
      includeTargets: new Set(inputs.include.map((i) => i.target)),
    },
    log,
  );
  const includeEntries = await bundleIncludes(
    [...inputs.include, ...data.sources],
    build.outPath,
    build.closure,
  );
  await resolver.addIncludes(
    includeEntries.filter((e) => isElf(e.data)).map((e) => ({ file: e.source, target: e.name })),
  );
  const closure = resolver.result();
  checkResolution(
    closure,
    { programRel: build.programRel, arch, closure: build.closure, excludeLibraries: inputs.excludeLibraries },
    log,
  );

  const patchOpts = {
    taskRoot: inputs.taskRoot,
    tempDir: work,
    log: (m: string) => {
      log.info(m);
    },
    ...(o.libDir !== undefined ? { libDir: o.libDir } : {}),
    onEntry: o.onEntry,
  };
  const entries: BundleEntry[] = [
    ...(await bundleClosure(closure, patchOpts)),
    ...(await patchIncludes(includeEntries, closure, patchOpts)),
  ];
  phase(`read and patched ${entries.length} files`);
  checkNames(entries);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  logEntries(entries, log);
  const unzippedBytes = checkBundleSize(entries);
  const musl = resolver.isMusl;
  const problems = staticCheck(entries, { musl });
  if (problems.length > 0)
    throw new ActionError(
      'Bundle still depends on Nix',
      `these bundled files still point into /nix/store${musl ? ' or would load libraries from LD_LIBRARY_PATH' : ''}:\n${problems.map((p) => `${p.name}: ${p.problem}`).join('\n')}`,
    );
  return { closure, arch, musl, data, entries, unzippedBytes };
}

/** The zip, through the deflate cache; warns from 80% of Lambda's limits (bundle/limits.ts). */
async function writePackageZip(
  bundle: Bundle,
  zipPath: string,
  o: { deflater: PrefetchingDeflater; viaS3: boolean },
  log: Log,
): Promise<ZipResult> {
  const { deflater, viaS3 } = o;
  const { entries } = bundle;
  const zip = await writeZip(
    entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode })),
    zipPath,
    // Most files are being deflated already (prefetched as they were patched).
    { deflater },
  );
  if (zip.cached.entries > 0)
    log.info(
      `Deflate cache: ${zip.cached.entries} files (${formatBytes(zip.cached.bytes)}) already compressed by an earlier run.`,
    );
  for (const w of sizeWarnings({ zipBytes: zip.bytes, unzippedBytes: bundle.unzippedBytes }, { viaS3 }))
    log.warning(w.message, w.title);
  const libraryCount = entries.filter((e) => e.kind === 'library' || e.kind === 'interpreter').length;
  const includedCount = entries.filter((e) => e.kind === 'include').length;
  const what = [
    'the program',
    ...(libraryCount > 0 ? [plural(libraryCount, 'library', 'libraries')] : []),
    ...(includedCount > 0 ? [plural(includedCount, 'included file')] : []),
  ];
  log.info(
    `Wrote ${zip.path}: ${formatBytes(zip.bytes)} (${formatBytes(zip.unzippedBytes)} unzipped, ${plural(entries.length, 'file')}: ${what.join(', ')}), CodeSha256 ${zip.codeSha256}`,
  );
  return zip;
}

/**
 * The library layer: its folder and content hash for the deploy stage, which compresses it only when
 * no version holds that hash; a run without the deploy stage writes its zip here (an artifact).
 */
async function packageLayer(
  ctx: JobContext,
  split: SplitBundle,
  at: { dir: string; sha256: string },
  pkg: PackageResult,
): Promise<LayerPackage> {
  const files = split.layer.map((e) => ({ name: e.name, mode: e.mode, bytes: e.bytes }));
  const layer: LayerPackage = {
    ...at,
    files,
    unzippedBytes: files.reduce((n, f) => n + f.bytes, 0),
    zipPath: layerZipPathOf(pkg.zipPath),
  };
  const { log } = ctx;
  log.info(
    `Library layer ${ctx.inputs.layer?.name ?? ''}: ${plural(files.length, 'file')} under ${LAYER_LIB_DIR}, ${formatBytes(layer.unzippedBytes)} unzipped, content hash sha256:${at.sha256}; its folder is ${at.dir}.`,
  );
  if (ctx.inputs.stages.includes('deploy')) {
    log.info(
      'The layer zip is written by the deploy stage, and only when no version of the layer holds this hash.',
    );
    return layer;
  }
  const zip = await writeZip(layerZipSources(at.dir, files), layer.zipPath, {
    cacheDir: defaultCacheDir(process.env, ctx.runner.home),
  });
  log.info(`Wrote ${zip.path}: ${formatBytes(zip.bytes)} (the library layer), CodeSha256 ${zip.codeSha256}`);
  return { ...layer, zip: { bytes: zip.bytes, codeSha256: zip.codeSha256 } };
}

/** What the deploy stage and the summary get, with the variables the bundle needs on the function. */
function packageResult(
  bundle: Bundle,
  zip: ZipResult,
  o: Pick<PackageResult, 'bundleDir' | 'verified' | 'references'> & { taskRoot: string },
  log: Log,
): PackageResult {
  const { entries } = bundle;
  const runtimeEnv = runtimeEnvFor(
    entries.map((e) => e.name),
    o.taskRoot,
  );
  for (const [k, v] of Object.entries(runtimeEnv))
    log.info(`The bundle needs ${k}=${v} (the deploy stage sets it unless \`environment\` does).`);
  const libraries = entries
    .filter((e) => e.kind === 'library' || e.kind === 'interpreter')
    .map((e) => ({ soname: path.posix.basename(e.name), storePath: e.storePath, bytes: e.bytes }));
  return {
    zipPath: zip.path,
    codeSha256: zip.codeSha256,
    zipBytes: zip.bytes,
    unzippedBytes: zip.unzippedBytes,
    architecture: bundle.arch,
    bundleDir: o.bundleDir,
    files: entries.map(({ data: _data, ...f }) => f),
    libraries,
    runtimeEnv,
    verified: o.verified,
    references: o.references,
  };
}

/**
 * The local smoke test (input local-smoke-test, with smoke-test-payload): the bundle answers the
 * event in the Lambda-like root before the zip is written, so a failure ships nothing.
 */
async function smokeBeforeShipping(ctx: JobContext, bundle: Bundle, root: string): Promise<void> {
  const { log } = ctx;
  const mode = ctx.inputs.package.localSmokeTest;
  const st = ctx.inputs.smokeTest;
  let result: LocalSmokeTest;
  if (mode === 'false') result = { result: 'skipped', reason: 'local-smoke-test is false' };
  else if (st.payload === undefined) result = { result: 'skipped', reason: 'no smoke-test-payload' };
  else {
    const deploy = ctx.inputs.deploy;
    const name = deploy?.functionNames[0].replace(/^.*:function:/, '') ?? 'local-smoke-test';
    log.info(
      `Local smoke test: starting bootstrap in the isolated root with the event of smoke-test-payload`,
    );
    result = await runLocalSmokeTest({
      root,
      arch: bundle.arch,
      hostArch: ctx.runner.arch,
      decoys: smokeDecoys(bundle.entries, bundle.closure.interpreter),
      payload: st.payload,
      expect: st.expect,
      timeoutMs: st.timeoutSeconds * 1000,
      function: {
        functionName: name,
        region: deploy?.awsRegion || process.env['AWS_REGION'] || 'us-east-1',
        memoryMb: deploy?.configuration.memorySize ?? 128,
        taskRoot: ctx.inputs.package.taskRoot,
      },
      variables: {
        ...runtimeEnvFor(
          bundle.entries.map((e) => e.name),
          ctx.inputs.package.taskRoot,
        ),
        ...deploy?.configuration.environment,
      },
    });
  }
  if (mode !== 'false' && st.payload !== undefined) ctx.localSmokeTest = result;
  ctx.setOutputs(localSmokeTestOutputs(result));
  reportLocalSmokeTest(result, { mode, payload: st.payload !== undefined }, log);
}
