import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DeployInputs } from '../inputs/deploy.js';
import type { LambdaArch } from '../lambda.js';
import type { Logger } from '../util/log.js';

/**
 * What the deploy stage reports, one result per function, and the internal
 * knobs that tests turn (poll delays, the direct-upload limit).
 */

/** updated: code and/or configuration changed; created: the function was created; unchanged: nothing changed; dry-run: validated only. */
export type DeployStatus = 'updated' | 'created' | 'unchanged' | 'dry-run';

/** One configuration setting changed (or, in a dry run, that would change). Environment values are never recorded: only whether a variable is set. */
export interface ConfigChange {
  function: string;
  /** MemorySize, Timeout, Description, Layers, EphemeralStorage, or Environment.NAME. */
  setting: string;
  from: string | number | string[] | null;
  to: string | number | string[] | null;
}

export interface DeployResult {
  /** As given in function-name. */
  function: string;
  arn: string;
  /** Published version, or $LATEST. */
  version: string;
  /** The alias pointed at version, or '' when none was asked for. */
  alias: string;
  /** CodeSha256 of the function after the deploy. */
  codeSha256: string;
  /** RevisionId of $LATEST after the deploy. */
  revisionId: string;
  status: DeployStatus;
  /** The code was sent (UpdateFunctionCode or CreateFunction, not a dry run). */
  codeUpdated: boolean;
  /** Bytes of zip sent to Lambda or S3 for this function (0 when unchanged or when an earlier function of the run already uploaded the same S3 object). */
  bytesUploaded: number;
  /** Where the code went: 'direct' (ZipFile), 's3://bucket/key', or '' when nothing was sent. */
  upload: string;
  configChanges: ConfigChange[];
  /** The function's architecture changed with the code (architecture-change: update). */
  architectureChange?: { from: string; to: string };
  /** The smoke test of the published version: passed, or skipped (none asked for, or a dry run). A failed one fails the deploy. */
  smokeTest: 'passed' | 'skipped';
  /** Published versions removed by keep-versions, oldest first. */
  deletedVersions: string[];
  durationMs: number;
}

/** One smoke test: Invoke of the published version (LogType Tail) before its alias moves. */
export interface SmokeTestReport {
  function: string;
  version: string;
  result: 'passed' | 'failed';
  /** Why it failed (one sentence); '' when it passed. */
  reason: string;
  /** Invoke's StatusCode; undefined when Invoke itself failed. */
  statusCode: number | undefined;
  /** Invoke's FunctionError (Unhandled, Handled), or ''. */
  functionError: string;
  /** The response payload as text, cut to a few KiB (secrets scrubbed). */
  response: string;
  /** The end of the invocation's log (X-Amz-Log-Result, decoded; secrets scrubbed), or ''. */
  logTail: string;
  durationMs: number;
}

/** The library layer version the functions of a run get (library-layer). */
export interface LayerDeployResult {
  name: string;
  /** LayerVersionArn ('' in a dry run that would publish). */
  arn: string;
  /** Version number ('' in a dry run that would publish). */
  version: string;
  /** published: a new version; reused: a version with the same content hash; dry-run: one would be published. */
  status: 'published' | 'reused' | 'dry-run';
  /** Content hash (hex SHA-256) of its files. */
  sha256: string;
  /** The layer zip's size, when it was written in this run. */
  zipBytes: number;
  /** Bytes sent to Lambda or S3 for it (0 when reused). */
  bytesUploaded: number;
  /** 'direct', 's3://bucket/key', or '' when nothing was sent. */
  upload: string;
}

/** The zip the stage deploys: from the package stage, or read from zip-path in deploy-only runs. */
export interface ZipInfo {
  path: string;
  bytes: Buffer;
  /** Lambda's CodeSha256 of the zip: base64 of its raw SHA-256. */
  codeSha256: string;
  architecture: LambdaArch;
  /** The files' sizes added up (Lambda's 250 MB limit is on this, layers included). */
  unzippedBytes: number;
  /** Variables the bundle needs on the function (runtime-env.ts, from the names of its files). */
  runtimeEnv: Record<string, string>;
  /**
   * A zip this run did not package whose bootstrap's loader is in a layer (PT_INTERP under /opt: a
   * zip made with library-layer): the loader's path. The function must have layers.
   */
  layerLoader?: string;
}

/** Internal options: production defaults, lowered by tests. Not inputs. */
export interface DeployOptions {
  /** Waiter minimum poll delay in seconds (AWS's default for these waiters: 1). */
  pollDelaySeconds: number;
  /** Waiter maximum poll delay in seconds. */
  pollMaxDelaySeconds: number;
  /** Zip size above which a direct upload is refused (Lambda: 50 MiB). */
  directUploadLimit: number;
  /** Functions deployed at the same time. */
  concurrency: number;
  /** SDK attempts per call (throttling, 5xx and connection errors are retried by the SDK). */
  maxAttempts: number;
  /** The SDK's retry mode. */
  retryMode: 'standard' | 'adaptive';
  /** How many times a ResourceConflictException (update in progress) is waited out before giving up. */
  conflictRetries: number;
  /** Connection set-up limit, and how long a connection may stay silent before the SDK drops and retries the request (ms). */
  connectTimeoutMs: number;
  socketTimeoutMs: number;
  /** Multipart part size for S3 uploads (S3's minimum: 5 MiB). */
  s3PartSize: number;
  /** AssumeRoleWithWebIdentity attempts when STS cannot check the token yet (configure-aws-credentials: 12). */
  oidcAttempts: number;
  /** Backoff between those attempts: full jitter over base * 2^n, capped (ms). */
  oidcBackoffBaseMs: number;
  oidcBackoffMaxMs: number;
}

/** Temporary credentials from STS (the shape the SDK clients take). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** The SDK clients of a deploy (clients.ts makes them). */
export interface Clients {
  lambda: LambdaClient;
  /** Lambda for the smoke test's Invoke: its socket stays open as long as the smoke test may take. */
  invoke: LambdaClient;
  s3: S3Client;
  sts: STSClient;
}

/** The run's library layer (deploy/layer.ts): its version, found or published once for every function. */
export interface LayerVersionSource {
  readonly name: string;
  /** Unzipped bytes of the function zip and of the layer (the 250 MB limit counts both). */
  readonly sizes: { functionBytes: number; layerBytes: number };
  /** The version this run uses (looked up, and published when new, on the first call). */
  resolve(env: DeployEnv): Promise<LayerDeployResult>;
  /** The version `arn` was deleted meanwhile: another one, found or published. */
  replace(env: DeployEnv, arn: string): Promise<LayerDeployResult>;
  /** The version settled on so far, if any. */
  readonly current: LayerDeployResult | undefined;
}

/** What every call of one deploy works with. */
export interface DeployEnv {
  clients: Clients;
  inputs: DeployInputs;
  log: Logger;
  zip: ZipInfo;
  opts: DeployOptions;
  /** S3 uploads of this run, by s3://bucket/key: several functions share one upload. */
  uploads: Map<string, Promise<void>>;
  /** The smoke tests of this run, by function (failed ones too: the stage reports them). */
  smokeTests: Map<string, SmokeTestReport>;
  /** With library-layer: the layer version every function gets (with the code, under the same guard). */
  layer?: LayerVersionSource;
}
