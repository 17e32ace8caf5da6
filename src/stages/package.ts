import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
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
import { ElfError, isElf } from '../bundle/elf.js';
import { bundleIncludes } from '../bundle/include.js';
import { nameMatcher, type ClosureResult } from '../bundle/loaded.js';
import { staticCheck } from '../bundle/patch.js';
import { reportReferences } from '../bundle/references.js';
import { addExtraLibraries, checkResolution } from '../bundle/resolution.js';
import { runtimeEnvFor } from '../bundle/runtime-env.js';
import { runLocalSmokeTest, type LocalSmokeTest } from '../bundle/smoke.js';
import { checkLoader } from '../bundle/verify.js';
import type { BuildResult, JobContext, PackageResult } from '../context.js';
import type { Log } from '../host.js';
import type { PackageInputs } from '../inputs/package.js';
import type { LambdaArch } from '../lambda.js';
import { ActionError, errorMessage } from '../util/errors.js';
import { formatBytes, formatDuration, plural } from '../util/format.js';
import { errnoCode } from '../util/fs.js';
import { defaultCacheDir } from '../zip/deflate.js';
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
    throw explainFailure(err, ctx);
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
  const inputs = ctx.inputs.package;
  const build = ctx.build;
  if (!build)
    throw new ActionError('Nothing to package', 'the package stage needs the build stage in the same run.');
  const work = path.join(ctx.runner.tempDir, 'nix-lambda');
  await fsp.mkdir(work, { recursive: true });
  const phase = phaseTimer(log);
  const bundle = await resolveBundle(build, inputs, work, log, phase);
  const references = reportReferences(bundle.entries, bundle.closure, bundle.data, inputs.taskRoot, log);
  phase('checked the references');
  const { bundleDir, root } = await writeBundleFolder(work, inputs.taskRoot, bundle.entries);
  phase('wrote the bundle folder');
  const verified = await checkLoader(
    bundle.closure,
    bundle.entries,
    { root, arch: bundle.arch },
    { verify: inputs.verify, taskRoot: inputs.taskRoot, hostArch: ctx.runner.arch },
    log,
  );
  phase('checked the bundle');
  await smokeBeforeShipping(ctx, bundle, root);
  phase('ran the local smoke test');
  const viaS3 = ctx.inputs.deploy?.s3 !== undefined;
  const zip = await writePackageZip(bundle, inputs.zipPath, { home: ctx.runner.home, viaS3 }, log);
  phase('wrote the zip');
  const result = packageResult(
    bundle,
    zip,
    { bundleDir, verified, references, taskRoot: inputs.taskRoot },
    log,
  );
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
  o: { home: string; viaS3: boolean },
  log: Log,
): Promise<ZipResult> {
  const { home, viaS3 } = o;
  const { entries } = bundle;
  const zip = await writeZip(
    entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode })),
    zipPath,
    // The bundle folder is written and checked: the zip writer may take the buffers' memory.
    { cacheDir: defaultCacheDir(process.env, home), transferSources: true },
  );
  if (zip.cached.entries > 0)
    log.info(
      `Deflate cache: ${zip.cached.entries} files (${formatBytes(zip.cached.bytes)}) already compressed by an earlier run.`,
    );
  for (const w of sizeWarnings({ zipBytes: zip.bytes, unzippedBytes: bundle.unzippedBytes }, { viaS3 }))
    log.warning(w.message, w.title);
  const libraryCount = entries.filter((e) => e.kind === 'library' || e.kind === 'interpreter').length;
  const includedCount = entries.filter((e) => e.kind === 'include').length;
  log.info(
    `Wrote ${zip.path}: ${formatBytes(zip.bytes)} (${formatBytes(bundle.unzippedBytes)} unzipped, ${plural(entries.length, 'file')}: the program, ${plural(libraryCount, 'library', 'libraries')}${includedCount > 0 ? `, ${plural(includedCount, 'included file')}` : ''}), CodeSha256 ${zip.codeSha256}`,
  );
  return zip;
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
    unzippedBytes: bundle.unzippedBytes,
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
      decoys: [
        ...bundle.entries.filter((e) => e.kind === 'library').map((e) => path.posix.basename(e.name)),
        ...(bundle.closure.interpreter ? [bundle.closure.interpreter.name] : []),
      ],
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
  reportSmokeTest(result, { mode, payload: st.payload !== undefined }, log);
}

/** Says how the smoke test went; throws when it failed, or could not run and was required. */
function reportSmokeTest(r: LocalSmokeTest, o: { mode: string; payload: boolean }, log: Log): void {
  if (r.result === 'skipped') {
    if (o.mode === 'true')
      throw new ActionError(
        'Could not run the local smoke test',
        `local-smoke-test: true, but ${r.reason ?? 'it cannot run here'}. Set local-smoke-test: auto to skip it where the machine cannot run it. Nothing was uploaded.`,
      );
    if (o.payload && o.mode === 'auto')
      log.notice(`Local smoke test skipped: ${r.reason ?? 'not possible here'}.`, 'Local smoke test');
    else log.debug(`local smoke test skipped: ${r.reason ?? ''}`);
    return;
  }
  const times = `init ${r.initMs === undefined ? '-' : formatDuration(r.initMs)}, first response ${r.firstResponseMs === undefined ? '-' : formatDuration(r.firstResponseMs)}${r.emulated ? ' (under qemu-aarch64)' : ''}`;
  if (r.result === 'failed')
    throw new ActionError(
      'Local smoke test failed',
      `${r.reason ?? 'the program did not answer'} (${times}).\nThe program's output (last lines):\n${r.outputTail || '(nothing)'}\nThe bundle was run in a Lambda-like root against a local Runtime API with the event of smoke-test-payload; nothing was uploaded. Fix the program, or set local-smoke-test: false to skip this check.`,
    );
  log.info(`Local smoke test passed: ${times}. Response: ${(r.response ?? '').slice(0, 300)}`);
}

/** A reader's or the file system's error, said as what it means for the user. */
function explainFailure(err: unknown, ctx: JobContext): unknown {
  // The reader's message names the file and what is wrong with it; say what it means for the user.
  if (err instanceof ElfError)
    return new ActionError(
      'Malformed ELF file',
      `${err.message}\nThe build output holds an ELF file that cannot be read (damaged, truncated, or not a Linux program or library): check the program (input \`program\`) and rebuild.`,
      { cause: err },
    );
  // A file system error (disk full, read-only, permissions) while writing the bundle or the zip.
  const code = errnoCode(err);
  if (code && !(err instanceof ActionError)) {
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    return new ActionError(
      full ? 'No space left on the disk' : 'Could not write the package',
      `${errorMessage(err)}\nThe package stage writes the bundle folder under RUNNER_TEMP (${path.join(ctx.runner.tempDir, 'nix-lambda')}) and the zip at ${ctx.inputs.package.zipPath} (input \`zip-path\`)` +
        (full
          ? ': free some space there, or point zip-path at a larger disk. No zip was written.'
          : '. No zip was written.'),
      { cause: err },
    );
  }
  return err;
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
