import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NixCli } from '../nix/cli.js';
import { folderBytes } from '../util/fs.js';
import { sha256Hex } from '../util/hash.js';
import type { Logger } from '../util/log.js';

/**
 * The closure cache: a local Nix binary cache folder kept between runs with the Actions
 * cache. Restored before the build and added as a substituter; in the post step, after a
 * successful build whose key missed, the build's runtime closure is copied into a fresh
 * folder (`nix copy --to file://...`) and saved.
 *
 * Trust: the folder is added as `file://DIR?trusted=1`, so Nix accepts its unsigned paths.
 * Signing it with a key generated here would add nothing: the key would have to be stored in
 * the same Actions cache, so whoever can write the cache can sign. Nix honours a substituter
 * (signed or not) from NIX_CONFIG only for root, single-user installs and trusted users of a
 * daemon, and a daemon install made by this action trusts the runner user.
 */

/** Bump to invalidate every closure cache written by older layouts. */
export const CLOSURE_CACHE_VERSION = 'v1';

/** $XDG_CACHE_HOME/nix-lambda/closure, else ~/.cache/nix-lambda/closure: a stable path (part of the cache version). */
export function closureCacheDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env['XDG_CACHE_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.cache');
  return path.join(base, 'nix-lambda', 'closure');
}

/** @actions/cache (with its Azure storage client) is large: loaded only when the cache is used. */
const loadCacheLibrary = (): Promise<typeof import('@actions/cache')> => import('@actions/cache');

/** SHA-256 of the flake's lock file; "nolock" when the flake has none or is not local. */
export function flakeLockHash(flakeDir: string | undefined): string {
  if (!flakeDir) return 'nolock';
  try {
    return sha256Hex(fs.readFileSync(path.join(flakeDir, 'flake.lock'))).slice(0, 32);
  } catch {
    return 'nolock';
  }
}

export interface ClosureCacheKey {
  key: string;
  /** Prefixes tried when the key itself misses: same OS, architecture and installable, another lock. */
  restoreKeys: string[];
}

/** nix-lambda-closure-v1-OS-ARCH-<installable hash>-<flake.lock hash> */
export function closureCacheKey(o: {
  platform: string;
  arch: string;
  installable: string;
  lockHash: string;
}): ClosureCacheKey {
  const prefix = `nix-lambda-closure-${CLOSURE_CACHE_VERSION}-${o.platform}-${o.arch}-${sha256Hex(o.installable).slice(0, 16)}-`;
  return { key: `${prefix}${o.lockHash}`, restoreKeys: [prefix] };
}

/** The substituter for a restored folder: trusted (unsigned paths accepted), tried before remote caches. */
export function closureSubstituter(dir: string): string {
  return `file://${dir}?trusted=1&priority=10`;
}

/** Why the closure cache cannot be used here, or undefined when it can. */
export function closureCacheUnavailable(runner: {
  isAct: boolean;
  hasCacheService: boolean;
}): string | undefined {
  if (runner.isAct) return 'running under act, which has no Actions cache service unless started with one';
  if (!runner.hasCacheService)
    return 'no Actions cache service (ACTIONS_CACHE_URL and ACTIONS_RESULTS_URL are unset)';
  return undefined;
}

/** The closure cache of this run: where it lives and under which keys. */
export interface ClosureCachePlan {
  dir: string;
  key: string;
  restoreKeys: string[];
}

/**
 * Whether this run uses the closure cache, and its folder and keys; undefined (with the reason in
 * the log) when it does not.
 */
export function planClosureCache(
  o: {
    enabled: boolean;
    runner: { isActions: boolean; isAct: boolean; hasCacheService: boolean };
    installable: string;
    flakeDir: string | undefined;
    home: string;
  },
  log: Logger,
): ClosureCachePlan | undefined {
  if (!o.enabled) {
    log.debug('closure cache: off (cache: false)');
    return undefined;
  }
  if (!o.runner.isActions) {
    log.debug('closure cache: only on a runner (it is saved by the post step)');
    return undefined;
  }
  const why = closureCacheUnavailable(o.runner);
  if (why) {
    log.notice(
      `${why[0]!.toUpperCase()}${why.slice(1)}. The build goes on without it.`,
      'Closure cache skipped',
    );
    return undefined;
  }
  const dir = closureCacheDir(process.env, o.home);
  const { key, restoreKeys } = closureCacheKey({
    platform: os.platform(),
    arch: os.arch(),
    installable: o.installable,
    lockHash: flakeLockHash(o.flakeDir),
  });
  return { dir, key, restoreKeys };
}

/**
 * Restores the closure cache folder; returns the nix.conf lines that add it as a substituter
 * (none when nothing was restored), and whether the exact key was restored. Never throws: a
 * problem is a notice and the run goes on.
 */
export async function restoreClosureCache(
  plan: ClosureCachePlan,
  log: Logger,
): Promise<{ lines: string[]; hit: boolean }> {
  const { dir, key, restoreKeys } = plan;
  let hit = false;
  try {
    fs.mkdirSync(dir, { recursive: true });
    const cache = await loadCacheLibrary();
    const matched = await cache.restoreCache([dir], key, restoreKeys);
    if (!matched) {
      // @actions/cache reports a failing service with its own warning and returns nothing, as for a miss.
      log.info(
        `Closure cache: nothing restored for ${key} (no entry yet, or the cache service failed: see any warning above); the post step saves one after a successful build.`,
      );
      return { lines: [], hit };
    }
    hit = matched === key;
    log.info(
      `Closure cache: restored ${hit ? key : `${matched} (an older lock; saved again under ${key})`} into ${dir}`,
    );
    if (!fs.existsSync(path.join(dir, 'nix-cache-info'))) {
      log.notice(`Closure cache ${matched} holds no binary cache; ignoring it.`, 'Closure cache');
      return { lines: [], hit };
    }
    return { lines: [`extra-substituters = ${closureSubstituter(dir)}`], hit };
  } catch (e) {
    log.notice(
      `Closure cache not restored: ${(e as Error).message}. The build goes on without it.`,
      'Closure cache',
    );
    return { lines: [], hit };
  }
}

/**
 * Post step: copies the closure into a fresh folder and saves it under the key, unless the key
 * was restored exactly. Never throws.
 */
export async function saveClosureCache(
  state: { dir: string; key: string; hit: boolean },
  closure: readonly string[],
  nix: NixCli,
  log: Logger,
): Promise<void> {
  if (state.hit) {
    log.info(`Closure cache: ${state.key} was restored as is; nothing to save.`);
    return;
  }
  if (closure.length === 0) return;
  try {
    fs.rmSync(state.dir, { recursive: true, force: true });
    fs.mkdirSync(state.dir, { recursive: true });
    await nix.copy(`file://${state.dir}?compression=none`, closure, { errorTitle: 'nix copy failed' });
    const bytes = folderBytes(state.dir);
    const cache = await loadCacheLibrary();
    const id = await cache.saveCache([state.dir], state.key);
    if (id === -1) {
      log.notice(`Closure cache ${state.key} was not saved (see the cache messages above).`, 'Closure cache');
      return;
    }
    log.info(
      `Closure cache: saved ${closure.length} store paths (${bytes} bytes before compression) as ${state.key}`,
    );
  } catch (e) {
    log.notice(`Closure cache not saved: ${(e as Error).message}`, 'Closure cache');
  }
}
