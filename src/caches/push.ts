import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import { CommandError, run } from '../util/exec.js';
import { formatBytes } from '../util/format.js';
import { findOnPath } from '../util/fs.js';
import type { Logger } from '../util/log.js';
import type { NixCli } from '../nix/cli.js';
import { makeSecretDir, removeSecretFiles, writePrivateFile } from '../util/secrets.js';

/**
 * Pushing the build's runtime closure (post step): to Cachix with the `cachix` CLI, and to any
 * Nix binary cache with `nix copy --to URL`, signed with `secret-key=` (a 0600 file removed
 * right after). Secrets reach the processes through their environment or a file, never argv.
 */

export interface PushEnv {
  nix: NixCli;
  log: Logger;
  /** Folder for the temporary key file. */
  tempDir: string;
}

/** Splits paths into those to push and those push-filter excludes. */
export function applyPushFilter(
  paths: readonly string[],
  filterSource: string | undefined,
): { keep: string[]; skipped: string[] } {
  if (!filterSource) return { keep: [...paths], skipped: [] };
  const re = new RegExp(filterSource);
  const keep: string[] = [];
  const skipped: string[] = [];
  for (const p of paths) (re.test(p) ? skipped : keep).push(p);
  return { keep, skipped };
}

/** Adds a store parameter to a store URL (`?k=v` or `&k=v`). */
export function withStoreParam(url: string, key: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${key}=${value}`;
}

/** Store paths `nix copy` reports copying ("copying path '/nix/store/...' to 'URL'..."). */
export function copiedPaths(output: string): string[] {
  const out = new Set<string>();
  for (const m of output.matchAll(/copying path '(\/nix\/store\/[^']+)' to '/g)) out.add(m[1]!);
  return [...out];
}

const sum = (paths: readonly string[], sizes: Map<string, number>): number =>
  paths.reduce((acc, p) => acc + (sizes.get(p) ?? 0), 0);

export interface PushReport {
  target: string;
  /** Paths handed over. */
  offered: number;
  /** Paths actually transferred (nix copy reports them; cachix decides itself). */
  pushed: number;
  bytes: number;
}

/** `nix copy --to URL paths`, signed with signingKey when given. Throws on failure. */
export async function pushToStore(
  env: PushEnv,
  url: string,
  paths: readonly string[],
  signingKey: string,
  excluded: readonly string[] = [],
): Promise<PushReport> {
  const { log } = env;
  let keyDir: string | undefined;
  let keyFile: string | undefined;
  try {
    let target = url;
    if (signingKey) {
      keyDir = makeSecretDir(env.tempDir);
      keyFile = writePrivateFile(keyDir, 'signing-key', signingKey);
      target = withStoreParam(url, 'secret-key', keyFile);
    }
    const sizes = await env.nix.narSizes(paths);
    log.info(
      `nix copy --to ${url}: ${paths.length} store paths (${formatBytes(sum(paths, sizes))})${signingKey ? ', signed with push-signing-key' : ''}`,
    );
    const output = await env.nix.copy(target, paths, {
      errorTitle: `Push to ${url} failed`,
      onLine: (l) => {
        log.info(l);
      },
    });
    const copied = copiedPaths(output);
    const anyway = copied.filter((p) => excluded.includes(p));
    if (anyway.length > 0) {
      const more = await env.nix.narSizes(anyway);
      for (const [p, n] of more) sizes.set(p, n);
      log.info(
        `${anyway.length} store path${anyway.length === 1 ? '' : 's'} matching push-filter went along: pushed paths reference ${anyway.length === 1 ? 'it' : 'them'}, and a Nix binary cache must hold the closure of what it serves (${anyway.join(', ')}).`,
      );
    }
    const bytes = sum(copied, sizes);
    log.info(
      `Pushed ${copied.length} store paths (${formatBytes(bytes)}, ${bytes} bytes NAR) to ${url}; ${paths.length - (copied.length - anyway.length)} were already there.`,
    );
    return { target: url, offered: paths.length, pushed: copied.length, bytes };
  } finally {
    if (keyFile) removeSecretFiles([keyFile], log);
  }
}

/** The cachix executable: on PATH, else realised through Nix from nixpkgs. */
export async function findCachix(env: PushEnv, pathVar = process.env['PATH'] ?? ''): Promise<string> {
  const onPath = findOnPath(['cachix'], pathVar);
  if (onPath) return onPath;
  env.log.info('cachix is not on PATH; realising nixpkgs#cachix through Nix');
  let problem: string;
  try {
    const built = await env.nix.build('nixpkgs#cachix');
    for (const out of [built.outputs['bin'], built.outputs['out']]) {
      if (out && fs.existsSync(path.join(out, 'bin', 'cachix'))) return path.join(out, 'bin', 'cachix');
    }
    problem = `it has no bin/cachix (outputs: ${Object.values(built.outputs).join(', ')})`;
  } catch (e) {
    problem = e instanceof CommandError ? e.stderr : e instanceof Error ? e.message : String(e);
  }
  const tail = problem.trim().split('\n').slice(-3).join('\n');
  throw new ActionError(
    'cachix not available',
    `cachix is not on PATH and nixpkgs#cachix could not be built:\n${tail}`,
  );
}

/** `cachix push CACHE paths`, with CACHIX_AUTH_TOKEN / CACHIX_SIGNING_KEY in its environment. Throws on failure. */
export async function pushToCachix(
  env: PushEnv,
  cacheName: string,
  paths: readonly string[],
  secrets: { authToken: string; signingKey: string },
): Promise<PushReport> {
  const { log } = env;
  if (!secrets.authToken && !secrets.signingKey)
    throw new ActionError(
      'Nothing to push with',
      'pushing to Cachix needs cachix-auth-token or cachix-signing-key.',
    );
  const cachixBin = await findCachix(env);
  const sizes = await env.nix.narSizes(paths);
  const bytes = sum(paths, sizes);
  log.info(`cachix push ${cacheName}: ${paths.length} store paths (${formatBytes(bytes)})`);
  const childEnv: Record<string, string | undefined> = {
    CACHIX_AUTH_TOKEN: secrets.authToken || undefined,
    CACHIX_SIGNING_KEY: secrets.signingKey || undefined,
  };
  await run(cachixBin, ['push', cacheName, ...paths], {
    env: childEnv,
    errorTitle: `Push to Cachix cache ${cacheName} failed`,
    onLine: (l) => {
      log.info(l);
    },
    streamStdout: true,
  });
  log.info(
    `Pushed to Cachix cache "${cacheName}": ${paths.length} store paths (${formatBytes(bytes)}, ${bytes} bytes NAR; cachix skips those it already has).`,
  );
  return { target: `cachix:${cacheName}`, offered: paths.length, pushed: paths.length, bytes };
}
