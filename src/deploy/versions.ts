import {
  DeleteFunctionCommand,
  paginateListAliases,
  paginateListVersionsByFunction,
  type AliasConfiguration,
} from '@aws-sdk/client-lambda';
import { errorMessage } from '../util/errors.js';
import { awsCall, explainAwsError, isAwsError } from './aws-errors.js';
import type { DeployEnv } from './types.js';

/**
 * keep-versions: after a successful publish (and the alias moved), published versions beyond the
 * newest N that no alias points to are deleted (DeleteFunction with the version as Qualifier):
 * Lambda keeps at most 75 GB of code a Region, and every version of a Nix bundle is a full copy.
 * Never $LATEST, never a version an alias points to (its FunctionVersion or a weight of its
 * RoutingConfig), never the version the deploy ends on. Housekeeping: a failure to delete is a
 * warning, never a failed deploy.
 */

/** The versions aliases point to: FunctionVersion and RoutingConfig.AdditionalVersionWeights. */
export function aliasedVersions(aliases: readonly AliasConfiguration[]): Set<string> {
  const out = new Set<string>();
  for (const a of aliases) {
    if (a.FunctionVersion) out.add(a.FunctionVersion);
    for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {})) out.add(v);
  }
  return out;
}

/** Which published versions to delete, oldest first (a pure function of what was listed). */
export function versionsToDelete(
  published: readonly string[],
  o: { keep: number; aliased: ReadonlySet<string>; current: string },
): string[] {
  const numbered = [...new Set(published.filter((v) => /^\d+$/.test(v)))].sort(
    (a, b) => Number(b) - Number(a),
  );
  return numbered
    .slice(o.keep)
    .filter((v) => !o.aliased.has(v) && v !== o.current)
    .sort((a, b) => Number(a) - Number(b));
}

/** Deletes the versions keep-versions leaves out; returns those deleted, oldest first. */
export async function pruneVersions(env: DeployEnv, fn: string, current: string): Promise<string[]> {
  const keep = env.inputs.keepVersions;
  if (keep === undefined || current === '$LATEST') return [];
  const { log } = env;
  let doomed: string[];
  try {
    const [published, aliases] = await Promise.all([listVersions(env, fn), listAliases(env, fn)]);
    doomed = versionsToDelete(published, { keep, aliased: aliasedVersions(aliases), current });
  } catch (err) {
    log.warning(
      `${fn}: keep-versions: could not list the versions and aliases, so none was deleted: ${errorMessage(err)}`,
      'Old versions not deleted',
    );
    return [];
  }
  if (doomed.length === 0) {
    log.info(`${fn}: keep-versions ${keep}: no version to delete.`);
    return [];
  }
  log.info(
    `${fn}: keep-versions ${keep}: deleting version${doomed.length === 1 ? '' : 's'} ${doomed.join(', ')}`,
  );
  const deleted: string[] = [];
  for (const v of doomed) {
    const outcome = await deleteVersion(env, fn, v);
    if (outcome === 'deleted') deleted.push(v);
    if (outcome === 'stop') break;
  }
  return deleted;
}

async function listVersions(env: DeployEnv, fn: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const page of paginateListVersionsByFunction(
      { client: env.clients.lambda },
      { FunctionName: fn },
    ))
      for (const v of page.Versions ?? []) if (v.Version) out.push(v.Version);
  } catch (err) {
    throw explainAwsError(err, 'ListVersionsByFunction', fn);
  }
  return out;
}

async function listAliases(env: DeployEnv, fn: string): Promise<AliasConfiguration[]> {
  const out: AliasConfiguration[] = [];
  try {
    for await (const page of paginateListAliases({ client: env.clients.lambda }, { FunctionName: fn }))
      out.push(...(page.Aliases ?? []));
  } catch (err) {
    throw explainAwsError(err, 'ListAliases', fn);
  }
  return out;
}

/** One DeleteFunction with a Qualifier: deleted, skipped (gone, or aliased meanwhile), or stop (denied, failing). */
async function deleteVersion(
  env: DeployEnv,
  fn: string,
  version: string,
): Promise<'deleted' | 'skipped' | 'stop'> {
  if (!/^\d+$/.test(version)) return 'skipped'; // never $LATEST, never an unqualified delete
  try {
    await awsCall(
      'DeleteFunction',
      `${fn}:${version}`,
      () => env.clients.lambda.send(new DeleteFunctionCommand({ FunctionName: fn, Qualifier: version })),
      (err) => isAwsError(err, 'ResourceConflictException', 'ResourceNotFoundException'),
    );
    env.log.info(`${fn}: deleted version ${version}`);
    return 'deleted';
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) return 'skipped';
    if (isAwsError(err, 'ResourceConflictException')) {
      env.log.info(
        `${fn}: version ${version} kept: Lambda refused to delete it (an alias points at it now?).`,
      );
      return 'skipped';
    }
    env.log.warning(
      `${fn}: keep-versions: ${errorMessage(err)}\nThe deploy itself succeeded; the versions left over are deleted by the next deploy that can.`,
      'Old versions not deleted',
    );
    return 'stop';
  }
}
