import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { ActionError } from '../util/errors.js';
import { formatBytes } from '../util/format.js';
import { explainAwsError } from './aws-errors.js';
import { checkSha, codeSource, logChanges, updateCode, updateConfiguration } from './code.js';
import { planConfiguration, type ConfigPlan } from './configuration.js';
import { changedMeanwhile, functionArch, waitUpdated } from './function.js';
import { findVersion, pointAlias, publish } from './publish.js';
import { smokeTest } from './smoke.js';
import type { DeployEnv, DeployResult } from './types.js';
import { pruneVersions } from './versions.js';

/**
 * Deploying to an existing function (after preflight), in phases: plan (is the code the same?
 * which settings differ?), then the code (only when it differs), wait, the configuration (only
 * what differs), wait, publish, the smoke test of that version, move the alias, delete old
 * versions (keep-versions). A dry run stops after the plan.
 */

/** One function's update as it goes. */
interface Update {
  fn: string;
  /** The function's configuration, as the last call returned it. */
  cfg: FunctionConfiguration;
  plan: ConfigPlan;
  /** The function already runs this zip (and skip-unchanged is on): no code is sent. */
  sameCode: boolean;
  /** The architecture changes with the code (architecture-change: update). */
  archChange: { from: string; to: string } | undefined;
  /** The code went in (UpdateFunctionCode answered). */
  codeSent: boolean;
  t0: number;
}

/**
 * With a library layer whose version changes along with the code, the configuration (the new
 * Layers) goes first and the code second: UpdateFunctionCode cannot take Layers. The old program
 * keeps running with its own libraries meanwhile (a program that was in one zip has them under
 * /var/task; a layer program takes a newer layer's libraries, which keep their old symbols), and
 * no version is published, nor the alias moved, until both are in (PublishVersion checks the code).
 */
function layersFirst(env: DeployEnv, u: Update): boolean {
  return env.layer !== undefined && u.plan.update.Layers !== undefined && !u.sameCode;
}

/** The code after the new Layers; a failure says that the layer is in place and the code is not. */
async function sendCodeAfterLayers(
  env: DeployEnv,
  u: Update,
): Promise<{ bytesUploaded: number; upload: string }> {
  try {
    return await sendCode(env, u);
  } catch (err) {
    const e = err instanceof ActionError ? err : explainAwsError(err, 'UpdateFunctionCode', u.fn);
    if (u.codeSent) throw e;
    throw new ActionError(
      e.title,
      `${e.message}\n${u.fn}: its Layers are updated on $LATEST but its code is not (no version was published, no alias moved); re-run to finish.`,
      { cause: err },
    );
  }
}

/** Deploys the zip to an existing function (after preflight). */
export async function updateFunction(
  env: DeployEnv,
  pre: { fn: string; config: FunctionConfiguration },
): Promise<DeployResult> {
  const u = planUpdate(env, pre.fn, pre.config);
  if (env.inputs.dryRun) return dryRun(env, u);
  const sent = layersFirst(env, u)
    ? await applyConfiguration(env, u, true).then(() => sendCodeAfterLayers(env, u))
    : await sendCode(env, u).then(async (r) => {
        await applyConfiguration(env, u);
        return r;
      });
  const { version, smoke, deletedVersions } = await publishUpdate(env, u);
  const changed = !u.sameCode || u.plan.changes.length > 0;
  return result(u, {
    status: changed ? 'updated' : 'unchanged',
    codeUpdated: !u.sameCode,
    version,
    alias: env.inputs.alias,
    smokeTest: smoke ? 'passed' : 'skipped',
    deletedVersions,
    ...sent,
    codeSha256: u.cfg.CodeSha256 ?? '',
    revisionId: u.cfg.RevisionId ?? '',
  });
}

function planUpdate(env: DeployEnv, fn: string, cfg: FunctionConfiguration): Update {
  const { inputs, zip, log } = env;
  const t0 = performance.now();
  const plan = planConfiguration(fn, cfg, inputs.configuration, zip.runtimeEnv);
  const lastFailed = cfg.LastUpdateStatus === 'Failed';
  const arch = functionArch(cfg);
  const archChange = arch === zip.architecture ? undefined : { from: arch, to: zip.architecture };
  const sameCode = inputs.skipUnchanged && !lastFailed && cfg.CodeSha256 === zip.codeSha256 && !archChange;
  if (lastFailed && cfg.CodeSha256 === zip.codeSha256)
    log.info(
      `${fn}: its last update failed (${cfg.LastUpdateStatusReason ?? 'no reason given'}); sending the code again.`,
    );
  if (archChange)
    log.info(
      `${fn}: architecture ${archChange.from} -> ${archChange.to} (architecture-change: update), in the same UpdateFunctionCode as the code.`,
    );
  return { fn, cfg, plan, sameCode, archChange, codeSent: false, t0 };
}

/** The result as the function stands now (its last configuration read), with what this deploy did. */
function result(u: Update, over: Partial<DeployResult>): DeployResult {
  return {
    function: u.fn,
    arn: u.cfg.FunctionArn ?? u.fn,
    version: '$LATEST',
    alias: '',
    codeSha256: u.cfg.CodeSha256 ?? '',
    revisionId: u.cfg.RevisionId ?? '',
    status: 'updated',
    codeUpdated: false,
    bytesUploaded: 0,
    upload: '',
    configChanges: u.plan.changes,
    ...(u.archChange ? { architectureChange: u.archChange } : {}),
    smokeTest: 'skipped',
    deletedVersions: [],
    durationMs: performance.now() - u.t0,
    ...over,
  };
}

/** dry-run: what would change, and UpdateFunctionCode's own validation (DryRun) of a direct upload. */
async function dryRun(env: DeployEnv, u: Update): Promise<DeployResult> {
  const { zip, log } = env;
  const { fn, cfg } = u;
  logChanges(env, fn, u.plan.changes, true);
  if (env.inputs.smokeTest)
    log.info(
      `${fn}: dry run: no version is published, so there is no smoke test (smoke-test-result skipped).`,
    );
  if (u.sameCode) {
    log.info(
      `${fn}: dry run: the function already runs this zip (CodeSha256 ${zip.codeSha256}); nothing to upload.`,
    );
    // Settings that would change (the library layer's new version among them) are no 'unchanged'.
    return result(u, { status: u.plan.changes.length > 0 ? 'dry-run' : 'unchanged' });
  }
  if (zip.bytes.length > env.opts.directUploadLimit) {
    log.info(
      `${fn}: dry run: would upload ${formatBytes(zip.bytes.length)} through S3 and update the code; S3 is not written in a dry run.`,
    );
    return result(u, { status: 'dry-run' });
  }
  const out = await updateCode(env, fn, { ZipFile: zip.bytes }, cfg.RevisionId, true);
  log.info(`${fn}: dry run: UpdateFunctionCode accepted the zip; nothing was changed.`);
  return result(u, {
    status: 'dry-run',
    bytesUploaded: zip.bytes.length,
    upload: 'direct',
    revisionId: out.RevisionId ?? cfg.RevisionId ?? '',
  });
}

/** The code, unless the function already runs it; then the wait when anything follows it. */
async function sendCode(env: DeployEnv, u: Update): Promise<{ bytesUploaded: number; upload: string }> {
  const { inputs, zip, log } = env;
  const { fn } = u;
  let bytesUploaded = 0;
  let upload = '';
  if (u.sameCode) {
    log.info(
      `${fn}: unchanged: the function already runs this zip (CodeSha256 ${zip.codeSha256}); nothing uploaded.`,
    );
  } else {
    const src = await codeSource(env, fn);
    bytesUploaded = src.bytes;
    upload = src.upload;
    log.info(
      `${fn}: UpdateFunctionCode (${zip.architecture}, ${formatBytes(zip.bytes.length)}, ${src.upload === 'direct' ? 'direct upload' : src.upload})`,
    );
    const out = await updateCode(env, fn, src.code, u.cfg.RevisionId, false);
    u.codeSent = true;
    checkSha(fn, zip, out.CodeSha256, 'UpdateFunctionCode');
    u.cfg = { ...u.cfg, ...out };
  }
  const mustWait = inputs.wait || inputs.publish || u.plan.changes.length > 0;
  if (!u.sameCode && mustWait) {
    u.cfg = await waitUpdated(env, fn);
    checkSha(fn, zip, u.cfg.CodeSha256, 'the update');
  }
  return { bytesUploaded, upload };
}

/** A failure after the code went in: the message says what is in place and what is not. */
function partly(env: DeployEnv, u: Update, err: unknown, call: string, notDone: string): ActionError {
  const e = err instanceof ActionError ? err : explainAwsError(err, call, u.fn);
  if (!u.codeSent || /new code is in place/.test(e.message)) return e;
  return new ActionError(
    e.title,
    `${e.message}\n${u.fn}: the new code is in place on $LATEST (CodeSha256 ${env.zip.codeSha256}), but ${notDone}; re-run to finish.`,
    { cause: err },
  );
}

/** What a 412 on the configuration leaves when no code went in before it. */
function configNotChanged(beforeCode: boolean): string {
  return beforeCode
    ? 'its Layers and configuration were not changed and its code was not sent'
    : 'its configuration was not changed (its code was already this zip)';
}

/**
 * The settings that differ, then the wait when a version follows or the workflow waits (always
 * before the code: `beforeCode`, and the function must still hold the code it was read with).
 */
async function applyConfiguration(env: DeployEnv, u: Update, beforeCode = false): Promise<void> {
  const { inputs } = env;
  if (u.plan.changes.length === 0) return;
  logChanges(env, u.fn, u.plan.changes, false);
  const readSha = u.cfg.CodeSha256;
  try {
    const out = await updateConfiguration(
      env,
      u.fn,
      u.plan,
      u.cfg.RevisionId,
      u.codeSent ? undefined : configNotChanged(beforeCode),
    );
    u.cfg = { ...u.cfg, ...out };
    if (inputs.wait || inputs.publish || beforeCode) u.cfg = await waitUpdated(env, u.fn);
    if (beforeCode && u.cfg.CodeSha256 !== readSha)
      throw changedMeanwhile(
        u.fn,
        'its code changed while its Layers were updated; its code was not sent',
        null,
      );
  } catch (err) {
    throw partly(
      env,
      u,
      err,
      'UpdateFunctionConfiguration',
      `the configuration was not changed${inputs.publish ? ' and no version was published' : ''}`,
    );
  }
}

/**
 * publish: a version holding this code (an existing one when nothing changed), its smoke test
 * (a failure leaves the alias where it was), then the alias, then the old versions deleted.
 */
async function publishUpdate(
  env: DeployEnv,
  u: Update,
): Promise<{ version: string; smoke: boolean; deletedVersions: string[] }> {
  const { inputs, log } = env;
  if (!inputs.publish) return { version: '$LATEST', smoke: false, deletedVersions: [] };
  let found: string | undefined;
  if (u.sameCode && u.plan.changes.length === 0) {
    found = await findVersion(env, u.fn);
    if (found) log.info(`${u.fn}: version ${found} already holds this code; nothing new published.`);
  }
  let version: string;
  try {
    version = found ?? (await publish(env, u.fn, u.cfg.RevisionId));
  } catch (err) {
    throw partly(
      env,
      u,
      err,
      'PublishVersion',
      `no version was published${inputs.alias ? ` and alias ${inputs.alias} was not moved` : ''}`,
    );
  }
  // A version found rather than published may be one whose smoke test failed before: tested again.
  const smoke = await smokeTest(env, u.fn, version);
  if (inputs.alias) await pointAlias(env, u.fn, version);
  return { version, smoke, deletedVersions: await pruneVersions(env, u.fn, version) };
}
