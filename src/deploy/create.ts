import {
  CreateFunctionCommand,
  type CreateFunctionCommandOutput,
  type FunctionCode,
} from '@aws-sdk/client-lambda';
import type { CreateInputs } from '../inputs/deploy.js';
import { BOOTSTRAP } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { formatBytes } from '../util/format.js';
import { awsCall, awsError, explainAwsError, isAwsError } from './aws-errors.js';
import { checkSha, codeSource, logChanges } from './code.js';
import { creationSettings, type CreateSettings } from './configuration.js';
import { waitActive } from './function.js';
import { findVersion, pointAlias, publish } from './publish.js';
import { smokeTest } from './smoke.js';
import type { DeployEnv, DeployResult } from './types.js';
import { pruneVersions } from './versions.js';

/**
 * Creating a function that preflight found missing (create: true): the OS-only runtime, handler
 * bootstrap, the zip's architecture (never an input that could disagree), the configuration the
 * workflow sets, then the wait until it is Active, the version, its smoke test and the alias as asked.
 */
export async function createFunction(
  env: DeployEnv,
  fn: string,
  create: CreateInputs,
): Promise<DeployResult> {
  const t0 = performance.now();
  const { inputs, zip, log } = env;
  const { settings, changes } = creationSettings(fn, inputs.configuration, zip.runtimeEnv);
  const base = {
    function: fn,
    alias: '',
    codeSha256: '',
    revisionId: '',
    configChanges: changes,
    codeUpdated: false,
    bytesUploaded: 0,
    upload: '',
    smokeTest: 'skipped' as const,
    deletedVersions: [],
  };
  if (inputs.dryRun) {
    log.info(
      `${fn}: dry run: would create the function (${create.runtime}, ${zip.architecture}, role ${create.role}).`,
    );
    logChanges(env, fn, changes, true);
    return { ...base, arn: fn, version: '$LATEST', status: 'dry-run', durationMs: performance.now() - t0 };
  }
  const src = await codeSource(env, fn);
  log.info(
    `${fn}: CreateFunction (${create.runtime}, ${zip.architecture}, ${formatBytes(zip.bytes.length)})`,
  );
  logChanges(env, fn, changes, false);
  const created = await sendCreate(env, fn, create, src.code, settings);
  checkSha(fn, zip, created.CodeSha256, 'CreateFunction');
  const cfg = await waitActive(env, fn);
  let version = '$LATEST';
  let smoke = false;
  let deletedVersions: string[] = [];
  if (inputs.publish) {
    version =
      created.Version && created.Version !== '$LATEST'
        ? created.Version
        : ((await findVersion(env, fn)) ?? (await publish(env, fn, cfg.RevisionId)));
    log.info(`${fn}: created with version ${version}`);
    smoke = await smokeTest(env, fn, version, { created: true });
    if (inputs.alias) await pointAlias(env, fn, version);
    deletedVersions = await pruneVersions(env, fn, version);
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
    smokeTest: smoke ? 'passed' : 'skipped',
    deletedVersions,
    durationMs: performance.now() - t0,
  };
}

/** CreateFunction; a function created meanwhile, or a role Lambda cannot use yet, said as such. */
async function sendCreate(
  env: DeployEnv,
  fn: string,
  create: CreateInputs,
  code: FunctionCode,
  settings: CreateSettings,
): Promise<CreateFunctionCommandOutput> {
  return awsCall(
    'CreateFunction',
    fn,
    () =>
      env.clients.lambda.send(
        new CreateFunctionCommand({
          FunctionName: fn,
          Runtime: create.runtime,
          Handler: BOOTSTRAP,
          Role: create.role,
          Code: code,
          Architectures: [env.zip.architecture],
          PackageType: 'Zip',
          Publish: env.inputs.publish,
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
}
