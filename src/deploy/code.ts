import {
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type FunctionCode,
  type FunctionConfiguration,
} from '@aws-sdk/client-lambda';
import type { LambdaArch } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { formatBytes } from '../util/format.js';
import { awsCall, isAwsError } from './aws-errors.js';
import { describeChange, type ConfigPlan } from './configuration.js';
import { changedMeanwhile, functionArch, getFunction, withConflictRetry } from './function.js';
import { defaultS3Key, uploadZip } from './s3.js';
import type { ConfigChange, DeployEnv, ZipInfo } from './types.js';

/** The writes to one function: its code (from the zip or S3) and its configuration. */

/** Where the code comes from: the zip itself, or an S3 object (uploaded once per run and key). */
export async function codeSource(
  env: DeployEnv,
  fn: string,
): Promise<{ code: FunctionCode; bytes: number; upload: string }> {
  const { zip } = env;
  const s3 = env.inputs.s3;
  if (!s3) return { code: { ZipFile: zip.bytes }, bytes: zip.bytes.length, upload: 'direct' };
  const key = s3.key || defaultS3Key(fn, zip.codeSha256);
  const where = `s3://${s3.bucket}/${key}`;
  let pending = env.uploads.get(where);
  let bytes = 0;
  if (!pending) {
    env.log.info(`${fn}: uploading ${formatBytes(zip.bytes.length)} to ${where}`);
    pending = uploadZip(env.clients.s3, s3.bucket, key, zip.bytes, zip.codeSha256, env.opts.s3PartSize);
    env.uploads.set(where, pending);
    bytes = zip.bytes.length;
  } else env.log.info(`${fn}: using ${where}, uploaded earlier in this run`);
  await pending;
  return { code: { S3Bucket: s3.bucket, S3Key: key }, bytes, upload: where };
}

/** Refuses a call whose CodeSha256 is not the zip's: Lambda did not receive this zip. */
export function checkSha(fn: string, zip: ZipInfo, got: string | undefined, call: string): void {
  if (got !== undefined && got !== zip.codeSha256)
    throw new ActionError(
      'Code mismatch',
      `${fn}: after ${call}, Lambda reports CodeSha256 ${got}, but the zip's is ${zip.codeSha256}; the code Lambda received is not this zip.`,
    );
}

/** One log line per configuration change (dry: what would change). */
export function logChanges(env: DeployEnv, fn: string, changes: ConfigChange[], dry: boolean): void {
  for (const c of changes) env.log.info(`${fn}: ${dry ? 'would change ' : ''}${describeChange(c)}`);
}

/** UpdateFunctionCode with the RevisionId read before (412: the function changed since, nothing overwritten). */
export async function updateCode(
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
      if (now.CodeSha256 === env.zip.codeSha256 && functionArch(now) === arch) {
        env.log.warning(
          `${fn}: UpdateFunctionCode reported a revision mismatch, but the function already holds this zip (an earlier attempt of the same call was applied); continuing.`,
        );
        return now;
      }
    }
    throw changedMeanwhile(fn, 'nothing was overwritten', err);
  }
}

/**
 * UpdateFunctionConfiguration with the planned fields and the RevisionId read before. A 412 says
 * what was not done: `notDone` (default: the configuration, after the new code went in).
 */
export async function updateConfiguration(
  env: DeployEnv,
  fn: string,
  plan: ConfigPlan,
  revisionId: string | undefined,
  notDone = 'its configuration was not changed (the new code is in place)',
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
    if (isAwsError(err, 'PreconditionFailedException')) throw changedMeanwhile(fn, notDone, err);
    throw err;
  });
}
