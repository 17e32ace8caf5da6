import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { Preflight } from './function.js';
import { getFunction } from './function.js';
import { checkLayerLimits, deletedLayerVersion, desiredLayers, layerArnFor, unversioned } from './layer.js';
import type { DeployEnv, DeployResult, LayerVersionSource } from './types.js';

/**
 * The library layer applied to each function of the run: the limits checked for every function
 * before any is changed, the layer version found or published once, then each function's Layers
 * (its other layers kept, an older version of the library layer replaced) planned as a
 * configuration change that travels with the code (update.ts sends it first, under the RevisionId
 * read before, then the code under the RevisionId that update returned). A version deleted
 * between the lookup and the update is replaced, and that function's deploy starts again.
 */

/** The layer version ARNs the function has now (none for a function to create). */
function currentLayers(cfg: FunctionConfiguration | undefined): string[] {
  return (cfg?.Layers ?? []).map((l) => l.Arn ?? '').filter(Boolean);
}

/** Checks every function against the limits with the library layer, then looks the version up (publishing a new one). */
export async function prepareLayer(
  env: DeployEnv,
  layer: LayerVersionSource,
  pre: readonly Preflight[],
): Promise<void> {
  const input = env.inputs.configuration.layers;
  for (const p of pre) {
    const arn = p.config?.FunctionArn ? layerArnFor(p.config.FunctionArn, layer.name) : layer.name;
    checkLayerLimits(
      p.fn,
      p.config,
      desiredLayers(currentLayers(p.config), input, arn, `${arn}:new`),
      layer.sizes,
      arn,
    );
  }
  await layer.resolve(env);
}

/** The deploy env of one function: its configuration's Layers are those it should end up with. */
export function withLayerConfig(env: DeployEnv, p: Preflight, layer: LayerVersionSource): DeployEnv {
  const got = layer.current;
  if (!got) throw new Error('the library layer is not resolved');
  const fnArn = p.config?.FunctionArn;
  const layerArn = got.arn ? unversioned(got.arn) : fnArn ? layerArnFor(fnArn, got.name) : got.name;
  const version = got.arn || `${layerArn}:(new version)`;
  const layers = desiredLayers(currentLayers(p.config), env.inputs.configuration.layers, layerArn, version);
  return {
    ...env,
    inputs: { ...env.inputs, configuration: { ...env.inputs.configuration, layers } },
  };
}

/**
 * Deploys one function with the layer; when Lambda says the layer version no longer exists (deleted
 * since it was looked up: nothing of this function was changed by the call that failed), another
 * version is found or published and the function is read and deployed again, once.
 */
export async function deployWithLayer(
  env: DeployEnv,
  layer: LayerVersionSource,
  p: Preflight,
  deployOne: (env: DeployEnv, p: Preflight) => Promise<DeployResult>,
): Promise<DeployResult> {
  try {
    return await deployOne(withLayerConfig(env, p, layer), p);
  } catch (err) {
    const gone = deletedLayerVersion(err);
    const ours = layer.current?.arn;
    if (gone === undefined || !ours || unversioned(gone) !== unversioned(ours)) throw err;
    await layer.replace(env, gone);
    const again: Preflight = p.config ? { fn: p.fn, config: await getFunction(env, p.fn) } : p;
    return deployOne(withLayerConfig(env, again, layer), again);
  }
}
