import {
  GetLayerVersionCommand,
  paginateListLayerVersions,
  PublishLayerVersionCommand,
  type FunctionConfiguration,
  type LayerVersionContentInput,
} from '@aws-sdk/client-lambda';
import { hashInDescription, layerDescription } from '../bundle/layer.js';
import { LAMBDA_RUNTIMES, LAMBDA_UNZIPPED_LIMIT, MAX_LAYERS } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { formatBytes } from '../util/format.js';
import { awsCall, explainAwsError, isAwsError } from './aws-errors.js';
import { uploadZip } from './s3.js';
import type { DeployEnv, LayerDeployResult, LayerVersionSource } from './types.js';

/**
 * The library layer's version for this run (library-layer): found by its content hash, or
 * published. ListLayerVersions (this architecture) gives the versions whose description carries the
 * hash; GetLayerVersion confirms the newest still exists; only when none does is the layer zip
 * written (by the stage's callback) and published, through S3 above the direct-upload limit. Every
 * function of the run gets that one version; the functions are checked against the limits (five
 * layers, 250 MB unzipped with the layers) before any of them is changed.
 */

/** What the package stage made, as the deploy needs it. */
export interface LayerRequest {
  name: string;
  /** Content hash (hex SHA-256) of the layer's files. */
  sha256: string;
  /** Unzipped bytes of the function zip and of the layer. */
  functionBytes: number;
  layerBytes: number;
  /** Writes the layer zip (when the hash is new) and gives its bytes. */
  zip: () => Promise<{ bytes: Buffer; codeSha256: string; path: string }>;
}

/** The layer's ARN without a version, in the function's account and Region. */
export function layerArnFor(functionArn: string, name: string): string {
  const m = /^(arn:[^:]+:lambda:[^:]+:\d{12}):function:/.exec(functionArn);
  if (!m) throw new Error(`not a function ARN: ${functionArn}`);
  return `${m[1]!}:layer:${name}`;
}

/** The unversioned ARN of a layer version ARN. */
export function unversioned(versionArn: string): string {
  return versionArn.replace(/:\d+$/, '');
}

/**
 * The function's layers with this run's version: `layers` (the input) or its current ones, any
 * version of the library layer dropped, the new version last (so its /opt/lib files win over
 * another layer's of the same name).
 */
export function desiredLayers(
  current: readonly string[],
  input: readonly string[] | undefined,
  layerArn: string,
  versionArn: string,
): string[] {
  return [...(input ?? current).filter((a) => unversioned(a) !== layerArn), versionArn];
}

/** Lambda's limits for the function with its new layers; refused before any function is changed. */
export function checkLayerLimits(
  fn: string,
  cfg: FunctionConfiguration | undefined,
  layers: readonly string[],
  req: Pick<LayerRequest, 'functionBytes' | 'layerBytes'>,
  layerArn: string,
): void {
  if (layers.length > MAX_LAYERS)
    throw new ActionError(
      'Too many layers',
      `${fn} would have ${layers.length} layers with the library layer (${layers.join(', ')}); Lambda takes at most ${MAX_LAYERS}. Remove one (input \`layers\`), or leave library-layer empty. No function was changed.`,
    );
  // Lambda reports the other layers' zipped size only: their unzipped size is at least that.
  const others = (cfg?.Layers ?? []).filter(
    (l) => l.Arn !== undefined && unversioned(l.Arn) !== layerArn && layers.includes(l.Arn),
  );
  const otherBytes = others.reduce((n, l) => n + (l.CodeSize ?? 0), 0);
  const total = req.functionBytes + req.layerBytes + otherBytes;
  if (total > LAMBDA_UNZIPPED_LIMIT)
    throw new ActionError(
      'Bundle too large',
      `${fn}: the function (${formatBytes(req.functionBytes)}), the library layer (${formatBytes(req.layerBytes)}) and its other layers (at least ${formatBytes(otherBytes)}) come to ${formatBytes(total)} unzipped; Lambda's limit is ${formatBytes(LAMBDA_UNZIPPED_LIMIT)}. No function was changed.`,
    );
}

/** The newest version of the layer holding this hash and architecture that still exists, if any. */
async function findLayerVersion(
  env: DeployEnv,
  req: LayerRequest,
  skip: ReadonlySet<string>,
): Promise<{ arn: string; version: string } | undefined> {
  const arch = env.zip.architecture;
  const found: { arn: string; version: number }[] = [];
  try {
    for await (const page of paginateListLayerVersions(
      { client: env.clients.lambda },
      { LayerName: req.name, CompatibleArchitecture: arch },
    ))
      for (const v of page.LayerVersions ?? [])
        if (v.LayerVersionArn && v.Version && hashInDescription(v.Description) === req.sha256)
          if (!skip.has(v.LayerVersionArn)) found.push({ arn: v.LayerVersionArn, version: v.Version });
  } catch (err) {
    if (isAwsError(err, 'ResourceNotFoundException')) return undefined; // no version of it yet
    throw explainAwsError(err, 'ListLayerVersions', req.name);
  }
  for (const v of found.sort((a, b) => b.version - a.version)) {
    const got = await awsCall(
      'GetLayerVersion',
      v.arn,
      () =>
        env.clients.lambda.send(
          new GetLayerVersionCommand({ LayerName: req.name, VersionNumber: v.version }),
        ),
      (err) => isAwsError(err, 'ResourceNotFoundException'),
    ).catch((err: unknown) => {
      if (isAwsError(err, 'ResourceNotFoundException')) return undefined;
      throw err;
    });
    if (got && hashInDescription(got.Description) === req.sha256)
      return { arn: v.arn, version: String(v.version) };
    env.log.info(`${req.name}: version ${v.version} was deleted since it was listed; looking further.`);
  }
  return undefined;
}

/** Publishes the layer zip (written now) as a new version; through S3 above the direct-upload limit. */
async function publishLayer(env: DeployEnv, req: LayerRequest): Promise<LayerDeployResult> {
  const zip = await req.zip();
  const size = formatBytes(zip.bytes.length);
  let content: LayerVersionContentInput = { ZipFile: zip.bytes };
  let upload = 'direct';
  if (zip.bytes.length > env.opts.directUploadLimit) {
    const s3 = env.inputs.s3;
    if (!s3)
      throw new ActionError(
        'Layer zip too large for a direct upload',
        `the library layer's zip is ${size}; Lambda takes at most ${formatBytes(env.opts.directUploadLimit)} in a direct upload. Set \`s3-bucket\` to a bucket in the function's Region: the layer then goes through S3. No function was changed.`,
      );
    const key = `nix-lambda/layers/${req.name}/${req.sha256}.zip`;
    upload = `s3://${s3.bucket}/${key}`;
    env.log.info(`${req.name}: uploading the layer zip (${size}) to ${upload}`);
    await uploadZip(env.clients.s3, s3.bucket, key, zip.bytes, zip.codeSha256, env.opts.s3PartSize);
    content = { S3Bucket: s3.bucket, S3Key: key };
  }
  env.log.info(`${req.name}: PublishLayerVersion (${env.zip.architecture}, ${size}, ${upload})`);
  const out = await awsCall('PublishLayerVersion', req.name, () =>
    env.clients.lambda.send(
      new PublishLayerVersionCommand({
        LayerName: req.name,
        Description: layerDescription(req.sha256, env.zip.architecture),
        Content: content,
        CompatibleArchitectures: [env.zip.architecture],
        CompatibleRuntimes: [...LAMBDA_RUNTIMES],
      }),
    ),
  ).catch((err: unknown) => {
    const e = explainAwsError(err, 'PublishLayerVersion', req.name);
    throw new ActionError(e.title, `${e.message}\nNo function was changed.`, { cause: err });
  });
  if (!out.LayerVersionArn || out.Version === undefined)
    throw new ActionError(
      'PublishLayerVersion failed',
      `${req.name}: PublishLayerVersion returned no version.`,
    );
  if (out.Content?.CodeSha256 !== undefined && out.Content.CodeSha256 !== zip.codeSha256)
    throw new ActionError(
      'Code mismatch',
      `${req.name}: Lambda reports CodeSha256 ${out.Content.CodeSha256} for the new layer version, but its zip's is ${zip.codeSha256}.`,
    );
  env.log.info(`${req.name}: published version ${out.Version} (${out.LayerVersionArn})`);
  return {
    name: req.name,
    arn: out.LayerVersionArn,
    version: String(out.Version),
    status: 'published',
    sha256: req.sha256,
    zipBytes: zip.bytes.length,
    bytesUploaded: zip.bytes.length,
    upload,
  };
}

/** The run's layer version: one lookup (and at most one publication) shared by every function. */
export class LibraryLayer implements LayerVersionSource {
  private pending: Promise<LayerDeployResult> | undefined;
  private readonly gone = new Set<string>();
  current: LayerDeployResult | undefined;

  constructor(readonly req: LayerRequest) {}

  get name(): string {
    return this.req.name;
  }

  get sizes(): { functionBytes: number; layerBytes: number } {
    return { functionBytes: this.req.functionBytes, layerBytes: this.req.layerBytes };
  }

  /** The version found or published (once per run). */
  resolve(env: DeployEnv): Promise<LayerDeployResult> {
    this.pending ??= this.lookUp(env);
    return this.pending;
  }

  /** The version `arn` was deleted meanwhile: find or publish another (once per deleted version). */
  async replace(env: DeployEnv, arn: string): Promise<LayerDeployResult> {
    const now = await this.resolve(env);
    if (now.arn !== arn || this.gone.has(arn)) return now;
    this.gone.add(arn);
    env.log.warning(
      `${this.req.name}: layer version ${arn} was deleted while this deploy used it; finding or publishing another.`,
      'Layer version deleted',
    );
    this.pending = this.lookUp(env);
    return this.pending;
  }

  private async lookUp(env: DeployEnv): Promise<LayerDeployResult> {
    this.current = await this.find(env);
    return this.current;
  }

  private async find(env: DeployEnv): Promise<LayerDeployResult> {
    const { req } = this;
    const base = { name: req.name, sha256: req.sha256, zipBytes: 0, bytesUploaded: 0, upload: '' };
    const found = await findLayerVersion(env, req, this.gone);
    if (found) {
      env.log.info(
        `${req.name}: version ${found.version} already holds these libraries (sha256:${req.sha256}); reused, nothing compressed or uploaded.`,
      );
      return { ...base, ...found, status: 'reused' };
    }
    if (env.inputs.dryRun) {
      const zip = await req.zip();
      env.log.info(
        `${req.name}: dry run: would publish a new version (${formatBytes(zip.bytes.length)} zipped, sha256:${req.sha256}).`,
      );
      return { ...base, arn: '', version: '', status: 'dry-run', zipBytes: zip.bytes.length };
    }
    return publishLayer(env, req);
  }
}

/** The layer version an error says does not exist (deleted meanwhile), if that is what it says. */
export function deletedLayerVersion(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const m = /Layer version (arn:\S+?:layer:[\w-]+:\d+) does not exist/.exec(e.message);
    if (m) return m[1];
  }
  return undefined;
}
