import * as fsp from 'node:fs/promises';
import { deployOutputs, layerOutputs, runtimeEnvOutputs, smokeTestOutputs } from '../action/outputs.js';
import { layerZipSources } from '../bundle/layer.js';
import { sizeWarnings } from '../bundle/limits.js';
import type { JobContext } from '../context.js';
import { checkAccount } from '../deploy/account.js';
import { destroyClients, makeClients } from '../deploy/clients.js';
import { assumeRoleWithOidc } from '../deploy/credentials.js';
import { deployOptions } from '../deploy/options.js';
import { LibraryLayer } from '../deploy/layer.js';
import { deployFunctions } from '../deploy/run.js';
import type { DeployEnv, DeployOptions, DeployResult, ZipInfo } from '../deploy/types.js';
import { existingZip, packagedZip } from '../deploy/zipinfo.js';
import { requestIdToken } from '../host.js';
import type { DeployInputs } from '../inputs/deploy.js';
import { DEPRECATED_RUNTIMES, LAMBDA_UNZIPPED_LIMIT } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { formatBytes } from '../util/format.js';
import { defaultCacheDir } from '../zip/deflate.js';
import { writeZip } from '../zip/write.js';

/**
 * Stage 5: deploy the zip to every function of function-name (deploy/run.ts): the account is
 * checked (allowed-account-ids), all functions are read and checked before any is changed, then
 * each is updated (or created): code, wait, configuration, wait, publish, smoke test, alias, old
 * versions deleted.
 */

/** Stage 5, with the production options. */
export async function deploy(ctx: JobContext): Promise<void> {
  await runDeploy(ctx, deployOptions());
}

/** The deploy stage with explicit options (tests lower the delays and limits). */
export async function runDeploy(ctx: JobContext, opts: DeployOptions): Promise<DeployResult[]> {
  const { log } = ctx;
  const inputs = ctx.inputs.deploy;
  if (!inputs)
    throw new Error('the deploy stage runs without its inputs (parseInputs gives them when it is selected)');
  const zip = await zipToDeploy(ctx, inputs, opts);
  const credentials = inputs.roleToAssume
    ? await assumeRoleWithOidc(inputs.roleToAssume, inputs.awsRegion, log, opts, { idToken: requestIdToken })
    : undefined;
  const invokeTimeoutMs = inputs.smokeTest ? inputs.smokeTest.timeoutSeconds * 1000 : undefined;
  const clients = makeClients(
    inputs.awsRegion,
    credentials,
    opts,
    invokeTimeoutMs ? { invokeTimeoutMs } : {},
  );
  const env: DeployEnv = { clients, inputs, log, zip, opts, uploads: new Map(), smokeTests: new Map() };
  const layer = libraryLayer(ctx);
  if (layer) env.layer = layer;
  const names = inputs.functionNames;
  try {
    await checkAccount(clients.sts, inputs.allowedAccountIds, log);
    log.info(
      `Zip ${zip.path}: ${formatBytes(zip.bytes.length)}, ${zip.architecture}, CodeSha256 ${zip.codeSha256}; ` +
        `${names.length} function${names.length === 1 ? '' : 's'} in ${inputs.awsRegion}${inputs.dryRun ? ' (dry run)' : ''}.`,
    );
    const { deployments, error } = await deployFunctions(env, names);
    ctx.deployments = deployments;
    ctx.smokeTests = names.flatMap((n) => env.smokeTests.get(n) ?? []);
    // Set on failure too: a later step (if: failure()) can tell a failed smoke test apart.
    ctx.setOutputs(smokeTestOutputs(names, env.smokeTests));
    if (layer?.current) {
      ctx.layer = layer.current;
      ctx.setOutputs(layerOutputs(layer.current));
    }
    if (error) throw error;
    for (const d of deployments)
      log.info(
        `${d.function}: ${d.status}, version ${d.version}${d.alias ? ` (alias ${d.alias})` : ''}, ` +
          `${formatBytes(d.bytesUploaded)} uploaded, ${d.configChanges.length} setting(s) changed, ${(d.durationMs / 1000).toFixed(1)} s`,
      );
    ctx.setOutputs(deployOutputs(deployments));
    return deployments;
  } finally {
    destroyClients(clients);
  }
}

/** The library layer of the package stage (library-layer): its zip is written here, and only for a new hash. */
function libraryLayer(ctx: JobContext): LibraryLayer | undefined {
  const name = ctx.inputs.layer?.name;
  const pkg = ctx.package;
  const made = pkg?.layer;
  if (name === undefined || !pkg || !made) return undefined;
  return new LibraryLayer({
    name,
    sha256: made.sha256,
    functionBytes: pkg.unzippedBytes,
    layerBytes: made.unzippedBytes,
    zip: async () => {
      const z = await writeZip(layerZipSources(made.dir, made.files), made.zipPath, {
        cacheDir: defaultCacheDir(process.env, ctx.runner.home),
      });
      made.zip = { bytes: z.bytes, codeSha256: z.codeSha256 };
      ctx.log.info(
        `Wrote ${z.path}: ${formatBytes(z.bytes)} (the library layer), CodeSha256 ${z.codeSha256}`,
      );
      return { bytes: await fsp.readFile(z.path), codeSha256: z.codeSha256, path: z.path };
    },
  });
}

/** The package stage's zip, else the zip of zip-path; refused before any call when Lambda cannot take it. */
async function zipToDeploy(ctx: JobContext, inputs: DeployInputs, opts: DeployOptions): Promise<ZipInfo> {
  const { log } = ctx;
  const zip = ctx.package
    ? await packagedZip(ctx.package)
    : await existingZip(inputs.zipPath, ctx.inputs.package.taskRoot);
  if (zip.bytes.length > opts.directUploadLimit && !inputs.s3)
    throw new ActionError(
      'Zip too large for a direct upload',
      `the zip is ${formatBytes(zip.bytes.length)}; Lambda takes at most ${formatBytes(opts.directUploadLimit)} in a direct upload. ` +
        "Set `s3-bucket` to a bucket in the function's Region: the zip then goes through S3. Nothing was called.",
    );
  if (!ctx.package) existingZipChecks(ctx, zip, inputs);
  if (inputs.create && DEPRECATED_RUNTIMES.includes(inputs.create.runtime))
    log.warning(
      'provided.al2 (Amazon Linux 2) is deprecated; functions created now should use provided.al2023.',
      'Deprecated runtime',
    );
  return zip;
}

/**
 * A zip no package stage of this run made (deploy-only): what the package stage would have said
 * about it, from its entries: the limits, and the variables the bundle needs.
 */
function existingZipChecks(ctx: JobContext, zip: ZipInfo, inputs: DeployInputs): void {
  const { log } = ctx;
  log.info(`Deploying the existing zip ${zip.path} (${zip.architecture}, bootstrap's ELF header).`);
  if (zip.unzippedBytes > LAMBDA_UNZIPPED_LIMIT)
    throw new ActionError(
      'Bundle over the unzipped limit',
      `Input \`zip-path\`: ${zip.path} unzips to ${formatBytes(zip.unzippedBytes)}; Lambda's limit is ${formatBytes(LAMBDA_UNZIPPED_LIMIT)} (with layers). Nothing was called.`,
    );
  const sizes = { zipBytes: zip.bytes.length, unzippedBytes: zip.unzippedBytes };
  for (const w of sizeWarnings(sizes, { viaS3: inputs.s3 !== undefined })) log.warning(w.message, w.title);
  for (const [k, v] of Object.entries(zip.runtimeEnv))
    log.info(`The bundle needs ${k}=${v} (set on the function unless \`environment\` does).`);
  ctx.setOutputs(runtimeEnvOutputs(zip.runtimeEnv));
}
