import type { JobContext } from '../context.js';
import { ActionError, errorMessage } from '../util/errors.js';
import { DEPRECATED_RUNTIMES, LAMBDA_ZIP_LIMIT } from '../lambda.js';
import { formatBytes } from '../util/format.js';
import { pool } from '../util/pool.js';
import { destroyClients, makeClients } from '../deploy/clients.js';
import { assumeRoleWithOidc } from '../deploy/credentials.js';
import {
  createFunction,
  preflight,
  updateFunction,
  type DeployEnv,
  type Preflight,
} from '../deploy/function.js';
import type { DeployOptions, DeployResult } from '../deploy/types.js';
import { packagedZip, readZip } from '../deploy/zipinfo.js';

/**
 * Stage 5: deploy the zip to every function of function-name. All functions
 * are read and checked first (existence, architecture, runtime), so a problem
 * with one is found before any is changed; then each is updated (or created):
 * code, wait, configuration, wait, publish, alias.
 */

export const DEFAULT_DEPLOY_OPTIONS: Readonly<DeployOptions> = {
  pollDelaySeconds: 1,
  pollMaxDelaySeconds: 5,
  directUploadLimit: LAMBDA_ZIP_LIMIT,
  concurrency: 4,
  maxAttempts: 8,
  retryMode: 'adaptive',
  conflictRetries: 5,
  connectTimeoutMs: 10_000,
  socketTimeoutMs: 120_000,
  s3PartSize: 8 * 1024 * 1024,
};

/**
 * The production options, except that NIX_LAMBDA_POLL_DELAY_SECONDS (internal,
 * for tests of the built action) lowers the waiters' poll delay.
 */
export function deployOptions(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DeployOptions> = {},
): DeployOptions {
  const opts: DeployOptions = { ...DEFAULT_DEPLOY_OPTIONS };
  const poll = Number(env['NIX_LAMBDA_POLL_DELAY_SECONDS'] ?? '');
  if (env['NIX_LAMBDA_POLL_DELAY_SECONDS'] && Number.isFinite(poll) && poll > 0) {
    opts.pollDelaySeconds = poll;
    opts.pollMaxDelaySeconds = poll * 5;
  }
  return { ...opts, ...overrides };
}

function failure(
  what: string,
  names: readonly string[],
  results: readonly (PromiseSettledResult<unknown> | undefined)[],
  doneLabel: string,
  note: string,
): ActionError | undefined {
  const errors: { fn: string; err: unknown }[] = [];
  results.forEach((r, i) => {
    if (r?.status === 'rejected') errors.push({ fn: names[i]!, err: r.reason });
  });
  const first = errors[0];
  if (!first) return undefined;
  if (names.length === 1)
    return first.err instanceof ActionError
      ? first.err
      : new ActionError(`${what} failed`, errorMessage(first.err), { cause: first.err });
  const done = names.filter((_, i) => results[i]?.status === 'fulfilled');
  const notStarted = names.filter((_, i) => results[i] === undefined);
  const lines = errors.map((e) => `- ${e.fn}: ${errorMessage(e.err)}`);
  if (done.length > 0) lines.push(`${doneLabel}: ${done.join(', ')}.`);
  if (notStarted.length > 0) lines.push(`Not attempted: ${notStarted.join(', ')}.`);
  if (note) lines.push(note);
  const title =
    errors.length > 1
      ? `${what} failed for ${errors.length} functions`
      : first.err instanceof ActionError
        ? first.err.title
        : `${what} failed`;
  return new ActionError(title, lines.join('\n'), { cause: first.err });
}

/** The deploy stage with explicit options (tests lower the delays and limits). */
export async function runDeploy(ctx: JobContext, opts: DeployOptions): Promise<DeployResult[]> {
  const { inputs, log } = ctx;
  const names = inputs.functionNames;
  if (names.length === 0)
    throw new ActionError('No function', 'the deploy stage needs a function: set `function-name`.');
  if (inputs.create && !inputs.role)
    throw new ActionError(
      'No execution role',
      'creating a function (create: true) needs its execution role: set `role` to the role ARN.',
    );

  const zip = ctx.package ? await packagedZip(ctx.package) : await readZip(inputs.zipPath);
  if (!ctx.package)
    log.info(`Deploying the existing zip ${zip.path} (${zip.architecture}, bootstrap's ELF header).`);
  if (zip.bytes.length > opts.directUploadLimit && !inputs.s3Bucket)
    throw new ActionError(
      'Zip too large for a direct upload',
      `the zip is ${formatBytes(zip.bytes.length)}; Lambda takes at most ${formatBytes(opts.directUploadLimit)} in a direct upload. ` +
        "Set `s3-bucket` to a bucket in the function's Region: the zip then goes through S3. Nothing was called.",
    );
  if (inputs.create && DEPRECATED_RUNTIMES.includes(inputs.runtime))
    log.warning(
      'provided.al2 (Amazon Linux 2) is deprecated; functions created now should use provided.al2023.',
      'Deprecated runtime',
    );

  const credentials = inputs.roleToAssume
    ? await assumeRoleWithOidc(inputs.roleToAssume, inputs.awsRegion, log, opts)
    : undefined;
  const clients = makeClients(inputs.awsRegion, credentials, opts);
  const env: DeployEnv = { clients, inputs, log, zip, opts, uploads: new Map() };
  try {
    log.info(
      `Zip ${zip.path}: ${formatBytes(zip.bytes.length)}, ${zip.architecture}, CodeSha256 ${zip.sha256}; ` +
        `${names.length} function${names.length === 1 ? '' : 's'} in ${inputs.awsRegion}${inputs.dryRun ? ' (dry run)' : ''}.`,
    );
    const checks = await pool(names, opts.concurrency, (fn) => preflight(env, fn));
    const checkFailure = failure('Deploy check', names, checks, 'Checked', 'No function was changed.');
    if (checkFailure) throw checkFailure;
    const pre = checks.map((r) => (r as PromiseFulfilledResult<Preflight>).value);

    const outcomes = await pool(pre, opts.concurrency, (p) =>
      p.config ? updateFunction(env, { fn: p.fn, config: p.config }) : createFunction(env, p.fn),
    );
    const deployments = outcomes.flatMap((r) => (r?.status === 'fulfilled' ? [r.value] : []));
    ctx.deployments = deployments;
    const deployFailure = failure('Deploy', names, outcomes, 'Deployed', '');
    if (deployFailure) throw deployFailure;

    for (const d of deployments)
      log.info(
        `${d.function}: ${d.status}, version ${d.version}${d.alias ? ` (alias ${d.alias})` : ''}, ` +
          `${formatBytes(d.bytesUploaded)} uploaded, ${d.configChanges.length} setting(s) changed, ${(d.durationMs / 1000).toFixed(1)} s`,
      );
    const lines = (pick: (d: DeployResult) => string): string => deployments.map(pick).join('\n');
    ctx.setOutput(
      'function-arn',
      lines((d) => d.arn),
    );
    ctx.setOutput(
      'function-version',
      lines((d) => d.version),
    );
    ctx.setOutput(
      'code-sha256',
      lines((d) => d.codeSha256),
    );
    ctx.setOutput(
      'revision-id',
      lines((d) => d.revisionId),
    );
    ctx.setOutput(
      'deploy-status',
      lines((d) => d.status),
    );
    ctx.setOutput('config-changes', JSON.stringify(deployments.flatMap((d) => d.configChanges)));
    return deployments;
  } finally {
    destroyClients(clients);
  }
}

/** Stage 5: UpdateFunctionCode (or CreateFunction), wait, configuration, publish, alias. */
export async function deploy(ctx: JobContext): Promise<void> {
  await runDeploy(ctx, deployOptions());
}
