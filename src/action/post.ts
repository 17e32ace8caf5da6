import * as os from 'node:os';
import * as path from 'node:path';
import { saveClosureCache } from '../caches/closure-cache.js';
import { errorMessage } from '../util/errors.js';
import { SECRET_INPUTS, type InputReader } from '../inputs/read.js';
import { actionsLog, readInput, type Log } from '../host.js';
import { NixCli } from '../nix/cli.js';
import { applyPushFilter, pushToCachix, pushToStore, type PushEnv } from '../caches/push.js';
import { logCommandsTo } from '../util/exec.js';
import { registerSecret, removeSecretFiles, scrubSecrets, secretParts } from '../util/secrets.js';
import type { PostState } from '../context.js';
import { loadPostState } from './state.js';

/** Puts back the variables and PATH entries of the main step (a post step may not see GITHUB_ENV). */
function applyMainEnvironment(state: PostState): void {
  for (const [k, v] of Object.entries(state.exported ?? {})) process.env[k] = v;
  const current = (process.env['PATH'] ?? '').split(path.delimiter);
  const missing = (state.addedPath ?? []).filter((d) => !current.includes(d));
  if (missing.length > 0)
    process.env['PATH'] = [...[...missing].reverse(), ...current].filter(Boolean).join(path.delimiter);
}

async function pushAndCache(state: PostState, log: Log, read: InputReader): Promise<void> {
  const nix = new NixCli(state.nix);
  const env: PushEnv = { nix, log, tempDir: process.env['RUNNER_TEMP'] || os.tmpdir() };
  const closure = await nix.closure(state.storePaths);
  const { keep, skipped } = applyPushFilter(closure, state.pushFilter);
  if (state.cachixPush || state.pushTo) {
    log.info(
      `Runtime closure: ${closure.length} store paths; ${keep.length} to push${skipped.length ? `, ${skipped.length} excluded by push-filter` : ''}.`,
    );
  }
  if (state.cachixPush) {
    if (skipped.length > 0)
      log.info(
        'cachix push sends the closure of the paths it is given: excluded paths they reference may go along.',
      );
    try {
      await pushToCachix(env, state.cachixPush.cache, keep, {
        authToken: read('cachix-auth-token').trim(),
        signingKey: read('cachix-signing-key').trim(),
      });
    } catch (e) {
      log.warning(
        `Push to Cachix cache "${state.cachixPush.cache}" skipped or failed: ${scrubSecrets(errorMessage(e))}. The deploy is not affected.`,
        'Cachix push failed',
      );
    }
  }
  if (state.pushTo) {
    try {
      await pushToStore(env, state.pushTo, keep, read('push-signing-key').trim(), skipped);
    } catch (e) {
      log.warning(
        `Push to ${state.pushTo} failed: ${scrubSecrets(errorMessage(e))}. The deploy is not affected.`,
        'Push failed',
      );
    }
  }
  if (state.closureCache) {
    await saveClosureCache(state.closureCache, closure, nix, log);
  }
}

/**
 * The post step: runs after the job's other steps. Its failures are warnings,
 * never a red job: the deploy already happened. It always removes the secret files.
 */
export async function runPost(state: PostState, log: Log, read: InputReader = readInput): Promise<void> {
  try {
    for (const name of SECRET_INPUTS) for (const part of secretParts(read(name))) registerSecret(part);
    logCommandsTo((line) => {
      log.debug(line);
    });
    applyMainEnvironment(state);
    if (!state.buildSucceeded) {
      log.debug('post: nothing was built; nothing to push or cache');
    } else if (!state.nix) {
      log.debug('post: no nix recorded; nothing to push or cache');
    } else if (state.cachixPush || state.pushTo || state.closureCache) {
      await log.group('push and cache', () => pushAndCache(state, log, read));
    }
  } catch (e) {
    log.warning(
      `Post step: ${scrubSecrets(errorMessage(e))}. The deploy is not affected.`,
      'Post step problem',
    );
  } finally {
    const failed = removeSecretFiles(state.secretFiles, log);
    const removed = state.secretFiles.length - failed.length;
    if (removed > 0) log.info(`Removed ${removed} secret file${removed === 1 ? '' : 's'}.`);
  }
}

/** The runner's post step (dist/index.js loads only this for it). */
export async function runPostStep(): Promise<void> {
  await runPost(loadPostState(), actionsLog);
}
