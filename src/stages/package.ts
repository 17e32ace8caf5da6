import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { JobContext, LambdaArch } from '../context.js';
import { bundleClosure, bundleIncludes, staticCheck, type BundleEntry } from '../bundle.js';
import { resolveClosure } from '../closure.js';
import { ElfError } from '../elf.js';
import { ActionError, errorMessage } from '../errors.js';
import { loaderCheck } from '../verify.js';
import { BUNDLED_CA_PATH, findCaBundle, runtimeEnvFor } from '../runtime-env.js';
import { writeZip } from '../zip.js';
import { defaultCacheDir } from '../deflate.js';
import { formatBytes, LAMBDA_ZIP_LIMIT, LAMBDA_UNZIPPED_LIMIT } from '../limits.js';

/**
 * Stage 4: de-nixify the program. Resolve its library closure in the store,
 * patch copies so the bundle wins over Amazon Linux's libraries, check the
 * result, and write a byte-reproducible zip.
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
        `${errorMessage(err)}\nThe package stage writes the bundle folder under RUNNER_TEMP (${path.join(ctx.runner.tempDir, 'nix-lambda')}) and the zip at ${ctx.inputs.zipPath} (input \`zip-path\`)` +
          (full
            ? ': free some space there, or point zip-path at a larger disk. No zip was written.'
            : '. No zip was written.'),
        { cause: err },
      );
    }
    throw err;
  }
}

/** The errno code (ENOSPC, EACCES...) of a file system error, or of the error that caused it. */
function errnoCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  }
  return undefined;
}

async function packageBuild(ctx: JobContext): Promise<void> {
  const { inputs, log } = ctx;
  const build = ctx.build;
  if (!build)
    throw new ActionError('Nothing to package', 'the package stage needs the build stage in the same run.');
  const work = path.join(ctx.runner.tempDir, 'nix-lambda');
  await fsp.mkdir(work, { recursive: true });

  let t = performance.now();
  /** Phase timings, for ACTIONS_STEP_DEBUG. */
  const phase = (what: string): void => {
    const now = performance.now();
    log.debug(`package: ${what} in ${Math.round(now - t)} ms`);
    t = now;
  };
  const closure = await resolveClosure(build.programPath, { closure: build.closure });
  phase(`resolved ${closure.libraries.length} libraries`);
  const elf = closure.program.elf;
  const arch: LambdaArch | undefined = elf.arch;
  if (!arch)
    throw new ActionError(
      'Unsupported architecture',
      `${build.programRel} is an ELF for machine ${elf.machine}; Lambda runs x86_64 and arm64 programs only.`,
    );
  if (closure.missing.length > 0) {
    const lines = closure.missing.map((m) =>
      m.malformed
        ? `${m.soname} (needed by ${m.neededBy}): not a valid ELF file: ${m.malformed.join('; ')}`
        : m.wrongArch.length > 0
          ? `${m.soname} (needed by ${m.neededBy}): only found for another architecture: ${m.wrongArch.join(', ')}`
          : `${m.soname} (needed by ${m.neededBy})`,
    );
    const broken = closure.missing.some((m) => m.malformed);
    if (broken)
      throw new ActionError(
        'Malformed libraries',
        `${closure.missing.length} librar${closure.missing.length === 1 ? 'y' : 'ies'} of ${build.programRel} (${arch}) could not be used:\n${lines.join('\n')}\n` +
          'A library file in the closure is damaged or is not an ELF shared object: rebuild the package that provides it.',
      );
    const wrong = closure.missing.some((m) => m.wrongArch.length > 0);
    throw new ActionError(
      wrong ? 'Wrong-architecture libraries' : 'Missing libraries',
      `${closure.missing.length} librar${closure.missing.length === 1 ? 'y' : 'ies'} of ${build.programRel} (${arch}) not found in its RPATH/RUNPATH or the build's closure:\n${lines.join('\n')}\n` +
        (wrong
          ? "The closure holds libraries built for another machine: build the flake output for the function's architecture."
          : "Add the package that provides them to the program's runtime dependencies (buildInputs), so Nix records the reference."),
    );
  }

  if (elf.isStatic) log.info(`${build.programRel} is statically linked: packaged as it is.`);
  const includes = [...inputs.include];
  if (inputs.bundleCertificates) {
    const ca = findCaBundle(build.closure);
    if (!ca)
      throw new ActionError(
        'No CA certificates in the closure',
        "Input `bundle-certificates`: no store path of the build's runtime closure holds a CA bundle (etc/ssl/certs/ca-bundle.crt). " +
          'Make the program depend on nixpkgs\' cacert (for example refer to "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" in it), ' +
          `or bundle a file yourself with include: SOURCE:${BUNDLED_CA_PATH}.`,
      );
    log.info(`CA certificates: ${ca}`);
    includes.push({ source: ca, target: BUNDLED_CA_PATH });
  }
  const entries: BundleEntry[] = [
    ...(await bundleClosure(closure, {
      taskRoot: inputs.taskRoot,
      tempDir: work,
      log: (m) => {
        log.info(m);
      },
    })),
    ...(await bundleIncludes(includes, build.outPath, build.closure)),
  ];
  phase(`read and patched ${entries.length} files`);
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
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    log.info(
      `${e.name.padEnd(32)} ${formatBytes(e.bytes).padStart(9)}  ${e.source}${e.patched.length > 0 ? `  [${e.patched.join('; ')}]` : ''}`,
    );
  }
  const unzippedBytes = entries.reduce((n, e) => n + e.bytes, 0);
  if (unzippedBytes > LAMBDA_UNZIPPED_LIMIT)
    throw new ActionError(
      'Bundle too large',
      `the bundle is ${formatBytes(unzippedBytes)} unzipped; Lambda's limit is ${formatBytes(LAMBDA_UNZIPPED_LIMIT)} (with layers). Trim the closure, or ship large data in a layer or a container image.`,
    );

  const problems = staticCheck(entries);
  if (problems.length > 0)
    throw new ActionError(
      'Bundle still depends on Nix',
      `these bundled files still point into /nix/store:\n${problems.map((p) => `${p.name}: ${p.problem}`).join('\n')}`,
    );

  // The bundle on disk, inside a root that the loader check can enter.
  const root = path.join(work, 'root');
  await fsp.rm(root, { recursive: true, force: true });
  const bundleDir = path.join(root, inputs.taskRoot);
  await fsp.mkdir(bundleDir, { recursive: true });
  const dirs = new Set(entries.map((e) => path.dirname(path.join(bundleDir, e.name))));
  for (const d of dirs) await fsp.mkdir(d, { recursive: true });
  await Promise.all(
    entries.map((e) => fsp.writeFile(path.join(bundleDir, e.name), e.data, { mode: e.mode | 0o444 })),
  );

  phase('wrote the bundle folder');
  let verified: 'loader' | 'static' = 'static';
  if (inputs.verify !== 'false' && !elf.isStatic && closure.interpreter) {
    const check = await loaderCheck(root, inputs.taskRoot, closure.interpreter.name, arch, ctx.runner.arch);
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
    } else {
      log.debug(check.output);
      if (check.problems.length > 0 || check.outside.length > 0)
        throw new ActionError(
          'Bundle does not load',
          `the bundled loader, run in an empty root with Lambda's LD_LIBRARY_PATH, reports:\n${[...check.problems, ...check.outside.map((o) => `loaded from outside the bundle: ${o}`)].join('\n')}`,
        );
      verified = 'loader';
      log.info(`Loader check passed: ${check.listed.length} objects, all from ${inputs.taskRoot}.`);
    }
  }

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
  log.info(
    `Wrote ${zip.path}: ${formatBytes(zip.bytes)} (${formatBytes(unzippedBytes)} unzipped, ${entries.length} files), CodeSha256 ${zip.sha256}`,
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
  ctx.package = {
    zipPath: zip.path,
    zipSha256: zip.sha256,
    zipBytes: zip.bytes,
    unzippedBytes,
    architecture: arch,
    bundleDir,
    files: entries.map(({ data: _data, ...f }) => f),
    libraries,
    runtimeEnv,
    verified,
  };
  ctx.setOutput('architecture', arch);
  ctx.setOutput('zip-path', zip.path);
  ctx.setOutput('zip-sha256', zip.sha256);
  ctx.setOutput('zip-bytes', zip.bytes);
  ctx.setOutput('unzipped-bytes', unzippedBytes);
  ctx.setOutput('libraries', JSON.stringify(libraries));
  ctx.setOutput('bundle-dir', bundleDir);
}
