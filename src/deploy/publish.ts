import {
  CreateAliasCommand,
  GetAliasCommand,
  paginateListVersionsByFunction,
  PublishVersionCommand,
  UpdateAliasCommand,
  type AliasConfiguration,
} from '@aws-sdk/client-lambda';
import { ActionError } from '../util/errors.js';
import { awsCall, explainAwsError, isAwsError } from './aws-errors.js';
import { checkSha } from './code.js';
import { changedMeanwhile, functionArch, withConflictRetry } from './function.js';
import type { DeployEnv } from './types.js';

/**
 * Versions and the alias, shared by update.ts and create.ts: publish exactly the code that was
 * sent, reuse a version that already holds it, and move the alias only to such a version.
 */

/** The newest published version holding the zip's code (and architecture, and the library layer's version), if any. */
export async function findVersion(env: DeployEnv, fn: string): Promise<string | undefined> {
  let best: number | undefined;
  const layer = env.layer?.current?.arn;
  try {
    for await (const page of paginateListVersionsByFunction(
      { client: env.clients.lambda },
      { FunctionName: fn },
    )) {
      for (const v of page.Versions ?? []) {
        if (!v.Version || v.Version === '$LATEST') continue;
        if (v.CodeSha256 !== env.zip.codeSha256 || functionArch(v) !== env.zip.architecture) continue;
        if (layer !== undefined && !(v.Layers ?? []).some((l) => l.Arn === layer)) continue;
        const n = Number(v.Version);
        if (best === undefined || n > best) best = n;
      }
    }
  } catch (err) {
    throw explainAwsError(err, 'ListVersionsByFunction', fn);
  }
  return best === undefined ? undefined : String(best);
}

/** PublishVersion guarded by the zip's CodeSha256 (and the RevisionId read before): the version holds this code. */
export async function publish(env: DeployEnv, fn: string, revisionId: string | undefined): Promise<string> {
  const out = await awsCall(
    'PublishVersion',
    fn,
    () =>
      withConflictRetry(env, fn, 'PublishVersion', () =>
        env.clients.lambda.send(
          new PublishVersionCommand({
            FunctionName: fn,
            CodeSha256: env.zip.codeSha256,
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
export async function pointAlias(env: DeployEnv, fn: string, version: string): Promise<void> {
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
