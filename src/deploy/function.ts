import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  paginateListVersionsByFunction,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type AliasConfiguration,
  type FunctionCode,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import { DEFAULT_ARCHITECTURE, type LambdaArch } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import type { Inputs } from '../inputs.js';
import type { Log } from '../host.js';
import { formatBytes } from '../util/format.js';
import { awsCall, awsError, explainAwsError, isAwsError } from './aws-errors.js';
import type { Clients } from './clients.js';
import { creationSettings, describeChange, planConfiguration, type ConfigPlan } from './configuration.js';
import { defaultS3Key, uploadZip } from './s3.js';
import type { ConfigChange, DeployOptions, DeployResult, ZipInfo } from './types.js';

/**
 * One function's deploy, the way a careful operator does it: read the function
 * first (existence, architecture, current code), send the code only when it
 * differs, guard every write with the RevisionId that was read, wait for each
 * update to finish before the next, publish exactly the code that was sent,
 * and move the alias only to a version holding that code.
 */

export interface DeployEnv {
  clients: Clients;
  inputs: Inputs;
  log: Log;
  zip: ZipInfo;
  opts: DeployOptions;
  /** S3 uploads of this run, by s3://bucket/key: several functions share one upload. */
  uploads: Map<string, Promise<void>>;
}

/** What the read before any write found. */
export interface Preflight {
  fn: string;
  /** Undefined when the function does not exist (and create is set). */
  config: FunctionConfiguration | undefined;
}

function functionArch(cfg: FunctionConfiguration): string {
  return cfg.Architectures?.[0] ?? DEFAULT_ARCHITECTURE;
}

async function getFunction(env: DeployEnv, fn: string): Promise<FunctionConfiguration> {
  const out = await awsCall('GetFunction', fn, () =>
    env.clients.lambda.send(new GetFunctionCommand({ FunctionName: fn })),
  );
  if (!out.Configuration)
    throw new ActionError('GetFunction failed', `GetFunction on ${fn} returned no configuration.`);
  return out.Configuration;
}

function waiterConfig(env: DeployEnv): {
  client: Clients['lambda'];
  maxWaitTime: number;
  minDelay: number;
  maxDelay: number;
} {
  const minDelay = env.opts.pollDelaySeconds;
  return {
    client: env.clients.lambda,
    minDelay,
    maxDelay: Math.max(minDelay, env.opts.pollMaxDelaySeconds),
    maxWaitTime: Math.max(env.inputs.waitTimeoutSeconds, minDelay * 2),
  };
}

/**
 * Waits until LastUpdateStatus is no longer InProgress (GetFunction polls).
 * Failed is an error, unless `othersUpdate` (waiting out someone else's update
 * before ours: the function then simply kept its previous state).
 */
export async function waitUpdated(
  env: DeployEnv,
  fn: string,
  othersUpdate = false,
): Promise<FunctionConfiguration> {
  try {
    const r = await waitUntilFunctionUpdatedV2(waiterConfig(env), { FunctionName: fn });
    const cfg = r.final?.Configuration;
    return cfg ?? (await getFunction(env, fn));
  } catch (err) {
    if (awsError(err).name === 'TimeoutError')
      throw new ActionError(
        'Update timed out',
        `${fn}: the update was still in progress after ${env.inputs.waitTimeoutSeconds} s (wait-timeout-seconds). ` +
          'It goes on in AWS: check the function in the console, then re-run, or raise wait-timeout-seconds.',
        { cause: err },
      );
    const cfg = await getFunction(env, fn);
    if (cfg.LastUpdateStatus === 'Failed') {
      if (othersUpdate) return cfg;
      throw new ActionError(
        'Update failed',
        `${fn}: Lambda could not apply the update: LastUpdateStatus Failed` +
          `${cfg.LastUpdateStatusReasonCode ? ` (${cfg.LastUpdateStatusReasonCode})` : ''}: ${cfg.LastUpdateStatusReason ?? 'no reason given'}.`,
        { cause: err },
      );
    }
    if (cfg.LastUpdateStatus === 'Successful') return cfg;
    throw explainAwsError(err, 'GetFunction', fn);
  }
}

async function waitActive(env: DeployEnv, fn: string): Promise<FunctionConfiguration> {
  try {
    const r = await waitUntilFunctionActiveV2(waiterConfig(env), { FunctionName: fn });
    const cfg = r.final?.Configuration;
    return cfg ?? (await getFunction(env, fn));
  } catch (err) {
    if (awsError(err).name === 'TimeoutError')
      throw new ActionError(
        'Creation timed out',
        `${fn}: the new function was still Pending after ${env.inputs.waitTimeoutSeconds} s (wait-timeout-seconds); re-run once it is Active.`,
        { cause: err },
      );
    const cfg = await getFunction(env, fn);
    if (cfg.State === 'Failed')
      throw new ActionError(
        'Creation failed',
        `${fn}: the function was created but could not become Active: State Failed` +
          `${cfg.StateReasonCode ? ` (${cfg.StateReasonCode})` : ''}: ${cfg.StateReason ?? 'no reason given'}.`,
        { cause: err },
      );
    if (cfg.State === 'Active') return cfg;
    throw explainAwsError(err, 'GetFunction', fn);
  }
}

/**
 * Runs a write that Lambda refuses with ResourceConflictException (409) while
 * an update is in progress: waits the update out and tries again, a bounded
 * number of times. Throttling and 5xx are the SDK's to retry, not ours.
 */
async function withConflictRetry<T>(
  env: DeployEnv,
  fn: string,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isAwsError(err, 'ResourceConflictException') || attempt >= env.opts.conflictRetries) throw err;
      env.log.info(
        `${fn}: ${operation}: another update is in progress (ResourceConflictException); waiting for it to finish.`,
      );
      await waitUpdated(env, fn, true);
    }
  }
}

function changedMeanwhile(fn: string, what: string, err: unknown): ActionError {
  return new ActionError(
    'Function changed meanwhile',
    `${fn}: the function changed since it was read (another deploy?); ${what}; re-run.`,
    { cause: err },
  );
}

/** Reads the function before any write; refuses what cannot work. */
export async function preflight(env: DeployEnv, fn: string): Promise<Preflight> {
  const { inputs, zip, log } = env;
  let cfg: FunctionConfiguration;
  try {
    cfg = await awsCall(
      'GetFunction',
      fn,
      async () => {
        const out = await env.clients.lambda.send(new GetFunctionCommand({ FunctionName: fn }));
        if (!out.Configuration)
          throw new ActionError('GetFunction failed', `GetFunction on ${fn} returned no configuration.`);
        return out.Configuration;
      },
      (err) => isAwsError(err, 'ResourceNotFoundException'),
    );
  } catch (err) {
    if (!isAwsError(err, 'ResourceNotFoundException')) throw err;
    if (!inputs.create)
      throw new ActionError(
        'Function not found',
        `function ${fn} does not exist in ${inputs.awsRegion}; create it, fix function-name, or set create: true with role.`,
        { cause: err },
      );
    log.info(`${fn}: does not exist in ${inputs.awsRegion}; it will be created (create: true).`);
    return { fn, config: undefined };
  }
  if (cfg.PackageType === 'Image')
    throw new ActionError(
      'Container image function',
      `${fn} is deployed from a container image; a zip cannot be deployed to it. Use a function with package type Zip.`,
    );
  if (cfg.Runtime && !cfg.Runtime.startsWith('provided'))
    throw new ActionError(
      'Wrong runtime',
      `${fn} has runtime ${cfg.Runtime}, which never runs a bootstrap; the zip needs provided.al2023 (or provided.al2). ` +
        "Change the function's runtime first (aws lambda update-function-configuration --runtime provided.al2023 --handler bootstrap).",
    );
  const arch = functionArch(cfg);
  if (arch !== zip.architecture)
    throw new ActionError(
      'Architecture mismatch',
      `zip is ${zip.architecture}, function ${fn} is ${arch}; nothing was uploaded. Build the flake for ${arch} ` +
        `(for example .#packages.${arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux.default), or deploy to a ${zip.architecture} function.`,
    );
  if (cfg.LastUpdateStatus === 'InProgress') {
    log.info(
      `${fn}: an update is already in progress; waiting for it to finish before reading the function.`,
    );
    cfg = await waitUpdated(env, fn, true);
  }
  return { fn, config: cfg };
}

/** Where the code comes from: the zip itself, or an S3 object (uploaded once per run and key). */
async function codeSource(
  env: DeployEnv,
  fn: string,
): Promise<{ code: FunctionCode; bytes: number; upload: string }> {
  const { inputs, zip } = env;
  if (!inputs.s3Bucket) return { code: { ZipFile: zip.bytes }, bytes: zip.bytes.length, upload: 'direct' };
  const key = inputs.s3Key || defaultS3Key(fn, zip.sha256);
  const where = `s3://${inputs.s3Bucket}/${key}`;
  let pending = env.uploads.get(where);
  let bytes = 0;
  if (!pending) {
    env.log.info(`${fn}: uploading ${formatBytes(zip.bytes.length)} to ${where}`);
    pending = uploadZip(env.clients.s3, inputs.s3Bucket, key, zip.bytes, zip.sha256, env.opts.s3PartSize);
    env.uploads.set(where, pending);
    bytes = zip.bytes.length;
  } else env.log.info(`${fn}: using ${where}, uploaded earlier in this run`);
  await pending;
  return { code: { S3Bucket: inputs.s3Bucket, S3Key: key }, bytes, upload: where };
}

function checkSha(fn: string, zip: ZipInfo, got: string | undefined, call: string): void {
  if (got !== undefined && got !== zip.sha256)
    throw new ActionError(
      'Code mismatch',
      `${fn}: after ${call}, Lambda reports CodeSha256 ${got}, but the zip's is ${zip.sha256}; the code Lambda received is not this zip.`,
    );
}

/** The newest published version holding the zip's code (and architecture), if any. */
export async function findVersion(env: DeployEnv, fn: string): Promise<string | undefined> {
  let best: number | undefined;
  try {
    for await (const page of paginateListVersionsByFunction(
      { client: env.clients.lambda },
      { FunctionName: fn },
    )) {
      for (const v of page.Versions ?? []) {
        if (!v.Version || v.Version === '$LATEST') continue;
        if (v.CodeSha256 !== env.zip.sha256 || functionArch(v) !== env.zip.architecture) continue;
        const n = Number(v.Version);
        if (best === undefined || n > best) best = n;
      }
    }
  } catch (err) {
    throw explainAwsError(err, 'ListVersionsByFunction', fn);
  }
  return best === undefined ? undefined : String(best);
}

async function publish(env: DeployEnv, fn: string, revisionId: string | undefined): Promise<string> {
  const out = await awsCall(
    'PublishVersion',
    fn,
    () =>
      withConflictRetry(env, fn, 'PublishVersion', () =>
        env.clients.lambda.send(
          new PublishVersionCommand({
            FunctionName: fn,
            CodeSha256: env.zip.sha256,
            ...(revisionId ? { RevisionId: revisionId } : {}),
          }),
        ),
      ),
    (err) => isAwsError(err, 'PreconditionFailedException'),
  ).catch((err: unknown) => {
    if (isAwsError(err, 'PreconditionFailedException'))
      throw changedMeanwhile(fn, 'no version was published', err);
    throw err;
  });
  checkSha(fn, env.zip, out.CodeSha256, 'PublishVersion');
  if (!out.Version || out.Version === '$LATEST')
    throw new ActionError('PublishVersion failed', `${fn}: PublishVersion returned no version number.`);
  env.log.info(`${fn}: published version ${out.Version}`);
  return out.Version;
}

/** Points the alias at version (creating it when missing). A weighted alias loses its extra weights: they would send traffic to other code. */
async function pointAlias(env: DeployEnv, fn: string, version: string): Promise<void> {
  const name = env.inputs.alias;
  const lambda = env.clients.lambda;
  let alias: AliasConfiguration | undefined;
  try {
    alias = await awsCall(
      'GetAlias',
      `${fn}:${name}`,
      () => lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name })),
      (err) => isAwsError(err, 'ResourceNotFoundException'),
    );
  } catch (err) {
    if (!isAwsError(err, 'ResourceNotFoundException')) throw err;
  }
  if (!alias) {
    try {
      await awsCall(
        'CreateAlias',
        `${fn}:${name}`,
        () => lambda.send(new CreateAliasCommand({ FunctionName: fn, Name: name, FunctionVersion: version })),
        (e) => isAwsError(e, 'ResourceConflictException'),
      );
      env.log.info(`${fn}: created alias ${name} -> ${version}`);
      return;
    } catch (err) {
      if (!isAwsError(err, 'ResourceConflictException')) throw err;
      // Created by someone else in between: read it and update it like any other.
      alias = await awsCall('GetAlias', `${fn}:${name}`, () =>
        lambda.send(new GetAliasCommand({ FunctionName: fn, Name: name })),
      );
    }
  }
  const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  const weighted = Object.keys(weights).length > 0;
  if (alias.FunctionVersion === version && !weighted) {
    env.log.info(`${fn}: alias ${name} already points at version ${version}`);
    return;
  }
  if (weighted)
    env.log.warning(
      `${fn}: alias ${name} routed part of its traffic to version(s) ${Object.keys(weights).join(', ')}; that routing is removed so the alias serves only version ${version}.`,
      'Alias routing removed',
    );
  await awsCall(
    'UpdateAlias',
    `${fn}:${name}`,
    () =>
      lambda.send(
        new UpdateAliasCommand({
          FunctionName: fn,
          Name: name,
          FunctionVersion: version,
          ...(alias.RevisionId ? { RevisionId: alias.RevisionId } : {}),
          ...(weighted ? { RoutingConfig: { AdditionalVersionWeights: {} } } : {}),
        }),
      ),
    (e) => isAwsError(e, 'PreconditionFailedException'),
  ).catch((err: unknown) => {
    if (isAwsError(err, 'PreconditionFailedException'))
      throw new ActionError(
        'Alias changed meanwhile',
        `${fn}: alias ${name} changed since it was read (another deploy?); it was left as the other change set it; version ${version} is published; re-run.`,
        { cause: err },
      );
    throw err;
  });
  env.log.info(`${fn}: alias ${name}: ${alias.FunctionVersion ?? '?'} -> ${version}`);
}

function logChanges(env: DeployEnv, fn: string, changes: ConfigChange[], dry: boolean): void {
  for (const c of changes) env.log.info(`${fn}: ${dry ? 'would change ' : ''}${describeChange(c)}`);
}

/** UpdateFunctionCode with the RevisionId read before (412: the function changed since, nothing overwritten). */
async function updateCode(
  env: DeployEnv,
  fn: string,
  code: FunctionCode,
  revisionId: string | undefined,
  dryRun: boolean,
): Promise<FunctionConfiguration> {
  const arch: LambdaArch = env.zip.architecture;
  try {
    return await awsCall(
      'UpdateFunctionCode',
      fn,
      () =>
        withConflictRetry(env, fn, 'UpdateFunctionCode', () =>
          env.clients.lambda.send(
            new UpdateFunctionCodeCommand({
              FunctionName: fn,
              ...code,
              Architectures: [arch],
              ...(revisionId ? { RevisionId: revisionId } : {}),
              Publish: false,
              DryRun: dryRun,
            }),
          ),
        ),
      (err) => isAwsError(err, 'PreconditionFailedException'),
    );
  } catch (err) {
    if (!isAwsError(err, 'PreconditionFailedException')) throw err;
    if (!dryRun) {
      // A retried request whose first attempt was applied (its response lost) also lands here: check.
      const now = await getFunction(env, fn);
      if (now.CodeSha256 === env.zip.sha256 && functionArch(now) === arch) {
        env.log.warning(
          `${fn}: UpdateFunctionCode reported a revision mismatch, but the function already holds this zip (an earlier attempt of the same call was applied); continuing.`,
        );
        return now;
      }
    }
    throw changedMeanwhile(fn, 'nothing was overwritten', err);
  }
}

async function updateConfiguration(
  env: DeployEnv,
  fn: string,
  plan: ConfigPlan,
  revisionId: string | undefined,
): Promise<FunctionConfiguration> {
  return awsCall(
    'UpdateFunctionConfiguration',
    fn,
    () =>
      withConflictRetry(env, fn, 'UpdateFunctionConfiguration', () =>
        env.clients.lambda.send(
          new UpdateFunctionConfigurationCommand({
            FunctionName: fn,
            ...plan.update,
            ...(revisionId ? { RevisionId: revisionId } : {}),
          }),
        ),
      ),
    (err) => isAwsError(err, 'PreconditionFailedException'),
  ).catch((err: unknown) => {
    if (isAwsError(err, 'PreconditionFailedException'))
      throw changedMeanwhile(fn, 'its configuration was not changed (the new code is in place)', err);
    throw err;
  });
}

/** Deploys the zip to an existing function (after preflight). */
export async function updateFunction(
  env: DeployEnv,
  pre: Preflight & { config: FunctionConfiguration },
): Promise<DeployResult> {
  const t0 = performance.now();
  const { inputs, zip, log } = env;
  const fn = pre.fn;
  let cfg = pre.config;
  const plan = planConfiguration(fn, cfg, inputs, zip.runtimeEnv);
  const lastFailed = cfg.LastUpdateStatus === 'Failed';
  const sameCode =
    inputs.skipUnchanged &&
    !lastFailed &&
    cfg.CodeSha256 === zip.sha256 &&
    functionArch(cfg) === zip.architecture;
  if (lastFailed && cfg.CodeSha256 === zip.sha256)
    log.info(
      `${fn}: its last update failed (${cfg.LastUpdateStatusReason ?? 'no reason given'}); sending the code again.`,
    );
  const result = (over: Partial<DeployResult>): DeployResult => ({
    function: fn,
    arn: cfg.FunctionArn ?? fn,
    version: '$LATEST',
    alias: '',
    codeSha256: cfg.CodeSha256 ?? '',
    revisionId: cfg.RevisionId ?? '',
    status: 'updated',
    codeUpdated: false,
    bytesUploaded: 0,
    upload: '',
    configChanges: plan.changes,
    durationMs: performance.now() - t0,
    ...over,
  });

  if (inputs.dryRun) {
    logChanges(env, fn, plan.changes, true);
    if (sameCode) {
      log.info(
        `${fn}: dry run: the function already runs this zip (CodeSha256 ${zip.sha256}); nothing to upload.`,
      );
      return result({ status: 'unchanged' });
    }
    if (zip.bytes.length > env.opts.directUploadLimit) {
      log.info(
        `${fn}: dry run: would upload ${formatBytes(zip.bytes.length)} through S3 and update the code; S3 is not written in a dry run.`,
      );
      return result({ status: 'dry-run' });
    }
    const out = await updateCode(env, fn, { ZipFile: zip.bytes }, cfg.RevisionId, true);
    log.info(`${fn}: dry run: UpdateFunctionCode accepted the zip; nothing was changed.`);
    return result({
      status: 'dry-run',
      bytesUploaded: zip.bytes.length,
      upload: 'direct',
      revisionId: out.RevisionId ?? cfg.RevisionId ?? '',
    });
  }

  let bytesUploaded = 0;
  let upload = '';
  if (sameCode) {
    log.info(
      `${fn}: unchanged: the function already runs this zip (CodeSha256 ${zip.sha256}); nothing uploaded.`,
    );
  } else {
    const src = await codeSource(env, fn);
    bytesUploaded = src.bytes;
    upload = src.upload;
    log.info(
      `${fn}: UpdateFunctionCode (${zip.architecture}, ${formatBytes(zip.bytes.length)}, ${src.upload === 'direct' ? 'direct upload' : src.upload})`,
    );
    const out = await updateCode(env, fn, src.code, cfg.RevisionId, false);
    checkSha(fn, zip, out.CodeSha256, 'UpdateFunctionCode');
    cfg = { ...cfg, ...out };
  }

  const mustWait = inputs.wait || inputs.publish || plan.changes.length > 0;
  if (!sameCode && mustWait) {
    cfg = await waitUpdated(env, fn);
    checkSha(fn, zip, cfg.CodeSha256, 'the update');
  }
  /** A failure after the code went in: the message says what is in place and what is not. */
  const partly = (err: unknown, call: string, notDone: string): ActionError => {
    const e = err instanceof ActionError ? err : explainAwsError(err, call, fn);
    if (sameCode || /new code is in place/.test(e.message)) return e;
    return new ActionError(
      e.title,
      `${e.message}\n${fn}: the new code is in place on $LATEST (CodeSha256 ${zip.sha256}), but ${notDone}; re-run to finish.`,
      { cause: err },
    );
  };
  if (plan.changes.length > 0) {
    logChanges(env, fn, plan.changes, false);
    try {
      const out = await updateConfiguration(env, fn, plan, cfg.RevisionId);
      cfg = { ...cfg, ...out };
      if (inputs.wait || inputs.publish) cfg = await waitUpdated(env, fn);
    } catch (err) {
      throw partly(
        err,
        'UpdateFunctionConfiguration',
        `the configuration was not changed${inputs.publish ? ' and no version was published' : ''}`,
      );
    }
  }

  let version = '$LATEST';
  if (inputs.publish) {
    let found: string | undefined;
    if (sameCode && plan.changes.length === 0) {
      found = await findVersion(env, fn);
      if (found) log.info(`${fn}: version ${found} already holds this code; nothing new published.`);
    }
    try {
      version = found ?? (await publish(env, fn, cfg.RevisionId));
    } catch (err) {
      throw partly(
        err,
        'PublishVersion',
        `no version was published${inputs.alias ? ` and alias ${inputs.alias} was not moved` : ''}`,
      );
    }
    if (inputs.alias) await pointAlias(env, fn, version);
  }
  const changed = !sameCode || plan.changes.length > 0;
  return result({
    status: changed ? 'updated' : 'unchanged',
    codeUpdated: !sameCode,
    version,
    alias: inputs.alias,
    bytesUploaded,
    upload,
    codeSha256: cfg.CodeSha256 ?? '',
    revisionId: cfg.RevisionId ?? '',
  });
}

/** Creates a missing function (create: true) with the zip, then publishes and aliases it as asked. */
export async function createFunction(env: DeployEnv, fn: string): Promise<DeployResult> {
  const t0 = performance.now();
  const { inputs, zip, log } = env;
  const { settings, changes } = creationSettings(fn, inputs, zip.runtimeEnv);
  if (!inputs.role)
    throw new ActionError(
      'No execution role',
      `creating ${fn} needs its execution role: set \`role\` to the role ARN.`,
    );
  const base = {
    function: fn,
    alias: '',
    codeSha256: '',
    revisionId: '',
    configChanges: changes,
    codeUpdated: false,
    bytesUploaded: 0,
    upload: '',
  };
  if (inputs.dryRun) {
    log.info(
      `${fn}: dry run: would create the function (${inputs.runtime}, ${zip.architecture}, role ${inputs.role}).`,
    );
    logChanges(env, fn, changes, true);
    return { ...base, arn: fn, version: '$LATEST', status: 'dry-run', durationMs: performance.now() - t0 };
  }
  const src = await codeSource(env, fn);
  log.info(
    `${fn}: CreateFunction (${inputs.runtime}, ${zip.architecture}, ${formatBytes(zip.bytes.length)})`,
  );
  logChanges(env, fn, changes, false);
  const created = await awsCall(
    'CreateFunction',
    fn,
    () =>
      env.clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn,
          Runtime: inputs.runtime,
          Handler: 'bootstrap',
          Role: inputs.role,
          Code: src.code,
          Architectures: [zip.architecture],
          PackageType: 'Zip',
          Publish: inputs.publish,
          ...settings,
        }),
      ),
    (err) => isAwsError(err, 'ResourceConflictException', 'InvalidParameterValueException'),
  ).catch((err: unknown) => {
    if (isAwsError(err, 'ResourceConflictException'))
      throw new ActionError(
        'Function created meanwhile',
        `${fn} was created by someone else after it was found missing; re-run to update it.`,
        {
          cause: err,
        },
      );
    const { message } = awsError(err);
    if (/assume|role/i.test(message))
      throw new ActionError(
        'Execution role rejected',
        `CreateFunction ${fn}: ${message}. The role must trust lambda.amazonaws.com; a role created moments ago can take a few seconds to be usable: re-run.`,
        { cause: err },
      );
    throw explainAwsError(err, 'CreateFunction', fn);
  });
  checkSha(fn, zip, created.CodeSha256, 'CreateFunction');
  const cfg = await waitActive(env, fn);
  let version = '$LATEST';
  if (inputs.publish) {
    version =
      created.Version && created.Version !== '$LATEST'
        ? created.Version
        : ((await findVersion(env, fn)) ?? (await publish(env, fn, cfg.RevisionId)));
    log.info(`${fn}: created with version ${version}`);
    if (inputs.alias) await pointAlias(env, fn, version);
  } else log.info(`${fn}: created`);
  return {
    ...base,
    arn: cfg.FunctionArn ?? created.FunctionArn ?? fn,
    version,
    alias: inputs.alias,
    codeSha256: cfg.CodeSha256 ?? created.CodeSha256 ?? '',
    revisionId: cfg.RevisionId ?? created.RevisionId ?? '',
    status: 'created',
    codeUpdated: true,
    bytesUploaded: src.bytes,
    upload: src.upload,
    durationMs: performance.now() - t0,
  };
}
