import { MAX_LAYERS } from '../lambda.js';
import type { InputSource, Stage } from './read.js';

/**
 * The library layer (input library-layer): the loader and the libraries go into a Lambda layer of
 * that name, content-addressed, and the function zip holds the bootstrap and the includes. Read by
 * the package stage (the split) and the deploy stage (publish or reuse, the function's Layers).
 */
export interface LayerInputs {
  /** The layer's name (LayerName): its versions are this action's, one per content hash and architecture. */
  name: string;
}

const LAYER_NAME = /^[A-Za-z0-9_-]{1,140}$/;

/** The layer of a version ARN (arn:...:layer:NAME:VERSION), or undefined. */
export function layerNameOf(versionArn: string): string | undefined {
  return /:layer:([A-Za-z0-9_-]+):\d+$/.exec(versionArn)?.[1];
}

/**
 * library-layer: a layer name; with `layers`, the layer is added to them (so they hold at most four,
 * and none of this layer's versions). Its layer is published by the deploy stage from what the
 * package stage wrote, so both run in the same job.
 */
export function parseLayerInputs(
  src: InputSource,
  o: { stages: readonly Stage[]; layers: readonly string[] | undefined },
): LayerInputs | undefined {
  const name = src.get('library-layer');
  if (!name) return undefined;
  if (!LAYER_NAME.test(name)) {
    src.bad(
      'library-layer',
      `"${name}" is not a layer name (letters, digits, - and _, at most 140; the name, not an ARN).`,
    );
    return undefined;
  }
  if (o.stages.includes('deploy') && !o.stages.includes('package'))
    src.bad(
      'library-layer',
      'the layer is made by the package stage: add build and package to `stages`, or leave library-layer empty to deploy an existing single zip.',
    );
  const layers = o.layers ?? [];
  if (layers.some((l) => layerNameOf(l) === name))
    src.bad(
      'layers',
      `lists a version of ${name}, the library layer: leave it out (the deploy stage sets the version that holds this build's libraries).`,
    );
  else if (layers.length + 1 > MAX_LAYERS)
    src.bad(
      'library-layer',
      `with the ${layers.length} layers of \`layers\` the function would have ${layers.length + 1}; Lambda takes at most ${MAX_LAYERS}. Drop one from \`layers\`, or leave library-layer empty.`,
    );
  return { name };
}
