import {
  GetFunctionCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import type { CreateInputs } from '../inputs/deploy.js';
import { DEFAULT_ARCHITECTURE } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { awsCall, awsError, explainAwsError, isAwsError } from './aws-errors.js';
import type { Clients, DeployEnv } from './types.js';

/**
 * One function as the deploy sees it: read before any write (preflight), waited on after each
 * update (Lambda takes one update at a time), and its writes retried while another update runs.
 * Every write is guarded with the RevisionId read before it: a function changed meanwhile is an
 * error, never overwritten.
 */

/** What the read before any write found. */
export type Preflight =
  | { fn: string; config: FunctionConfiguration }
  /** The function does not exist, and create is set. */
  | { fn: string; config: undefined; create: CreateInputs };

/** The function's architecture (Lambda's default when it lists none). */
export function functionArch(cfg: FunctionConfiguration): string {
  return cfg.Architectures?.[0] ?? DEFAULT_ARCHITECTURE;
}

export async function getFunction(env: DeployEnv, fn: string): Promise<FunctionConfiguration> {
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

/** Waits until a new function is Active (GetFunction polls); State Failed is an error. */
export async function waitActive(env: DeployEnv, fn: string): Promise<FunctionConfiguration> {
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
export async function withConflictRetry<T>(
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

/** A write refused because the function changed since it was read (RevisionId). */
export function changedMeanwhile(fn: string, what: string, err: unknown): ActionError {
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
    checkLayerLoader(env, fn, inputs.configuration.layers ?? []);
    log.info(`${fn}: does not exist in ${inputs.awsRegion}; it will be created (create: true).`);
    return { fn, config: undefined, create: inputs.create };
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
  checkLayerLoader(env, fn, inputs.configuration.layers ?? (cfg.Layers ?? []).flatMap((l) => l.Arn ?? []));
  const arch = functionArch(cfg);
  if (arch !== zip.architecture && inputs.architectureChange !== 'update')
    throw new ActionError(
      'Architecture mismatch',
      `zip is ${zip.architecture}, function ${fn} is ${arch}; nothing was uploaded. Build the flake for ${arch} ` +
        `(for example .#packages.${arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux.default), deploy to a ${zip.architecture} function, ` +
        `or set architecture-change: update to switch ${fn} to ${zip.architecture} with this code.`,
    );
  if (cfg.LastUpdateStatus === 'InProgress') {
    log.info(
      `${fn}: an update is already in progress; waiting for it to finish before reading the function.`,
    );
    cfg = await waitUpdated(env, fn, true);
  }
  return { fn, config: cfg };
}

/**
 * A zip made with library-layer, deployed without this run's layer (a deploy-only job): its
 * bootstrap loads its loader and libraries from /opt, so a function with no layers would fail at
 * every start. Refused before any change; with layers, said (which layer holds them is not known).
 */
function checkLayerLoader(env: DeployEnv, fn: string, layers: readonly string[]): void {
  const loader = env.zip.layerLoader;
  if (loader === undefined || env.layer) return;
  if (layers.length === 0)
    throw new ActionError(
      'Zip needs its library layer',
      `the bootstrap in ${env.zip.path} starts through ${loader} (it was packaged with library-layer), but ${fn} would have no layers: it could not start. ` +
        'Deploy in the run that packages it (with library-layer and the deploy stage), or give `layers` with the layer version it was built with. Nothing was uploaded.',
    );
  env.log.info(
    `${fn}: the bootstrap starts through ${loader}, from the function's layers (${layers.join(', ')}): they must hold the libraries it was packaged with.`,
  );
}
