import { ActionError, errorMessage } from '../util/errors.js';
import { pool } from '../util/pool.js';
import { createFunction } from './create.js';
import { preflight, type Preflight } from './function.js';
import { deployWithLayer, prepareLayer } from './layer-apply.js';
import type { DeployEnv, DeployResult } from './types.js';
import { updateFunction } from './update.js';

/**
 * Deploying to several functions: every function is read and checked first (existence,
 * architecture, runtime), so a problem with one is found before any is changed; then each is
 * updated or created, `concurrency` at a time. A failure stops new deploys and says which
 * functions were deployed, which failed and which were not attempted.
 */
export async function deployFunctions(
  env: DeployEnv,
  names: readonly string[],
): Promise<{ deployments: DeployResult[]; error: ActionError | undefined }> {
  const checks = await pool(names, env.opts.concurrency, (fn) => preflight(env, fn));
  const checkFailure = failure('Deploy check', names, checks, 'Checked', 'No function was changed.');
  if (checkFailure) return { deployments: [], error: checkFailure };
  const pre = checks.map((r) => (r as PromiseFulfilledResult<Preflight>).value);
  const layer = env.layer;
  if (layer) {
    // Limits for every function, then the layer version (found, or published): before any function changes.
    const err = await prepareLayer(env, layer, pre).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (err !== undefined)
      return {
        deployments: [],
        error:
          err instanceof ActionError
            ? err
            : new ActionError('Deploy failed', `${errorMessage(err)}\nNo function was changed.`, {
                cause: err,
              }),
      };
  }
  const deployOne = (e: DeployEnv, p: Preflight): Promise<DeployResult> =>
    p.config ? updateFunction(e, { fn: p.fn, config: p.config }) : createFunction(e, p.fn, p.create);
  const outcomes = await pool(pre, env.opts.concurrency, (p) =>
    layer ? deployWithLayer(env, layer, p, deployOne) : deployOne(env, p),
  );
  const deployments = outcomes.flatMap((r) => (r?.status === 'fulfilled' ? [r.value] : []));
  return { deployments, error: failure('Deploy', names, outcomes, 'Deployed', '') };
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
