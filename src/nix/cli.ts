import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobContext, NixInfo } from '../context.js';
import { ActionError } from '../util/errors.js';
import { run, type ExecOptions, type ExecResult } from '../util/exec.js';
import { findOnPath } from '../util/fs.js';

/** Enables flakes on every Nix from 2.8 on, whatever its configuration says. */
export const NIX_FEATURE_ARGS = ['--extra-experimental-features', 'nix-command flakes'] as const;

export const DEFAULT_PROFILE_BIN = '/nix/var/nix/profiles/default/bin';

/** Finds `nix`: on PATH first, then in the default profile, then in the user's profile. */
export function findNix(env: NodeJS.ProcessEnv = process.env, home = env['HOME'] ?? ''): string | undefined {
  const dirs = [env['PATH'] ?? '', DEFAULT_PROFILE_BIN];
  if (home) dirs.push(path.join(home, '.nix-profile', 'bin'));
  return findOnPath(['nix'], dirs.join(path.delimiter));
}

/** "nix (Nix) 2.8.0" -> "2.8.0"; "nix (Determinate Nix 3.6.2) 2.29.0" -> "2.29.0". */
export function parseNixVersion(text: string): string {
  const m = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(text.trim().split('\n')[0] ?? '');
  if (!m)
    throw new ActionError(
      'Unrecognised Nix',
      `could not read a version from \`nix --version\`: "${text.trim()}"`,
    );
  return m[1]!;
}

export async function describeNix(nix: string, installed: boolean): Promise<NixInfo> {
  const { stdout } = await run(nix, ['--version'], { errorTitle: 'Nix does not run' });
  const daemonSocket = '/nix/var/nix/daemon-socket/socket';
  return {
    nix,
    binDir: path.dirname(nix),
    version: parseNixVersion(stdout),
    installed,
    daemon: fs.existsSync(daemonSocket) && process.getuid?.() !== 0,
  };
}

/** The Nix this job uses: the install stage's, or one found now (when install is not among the stages). */
export async function ensureNix(ctx: JobContext): Promise<NixInfo> {
  if (ctx.nix) return ctx.nix;
  const nix = findNix(process.env, ctx.runner.home);
  if (!nix)
    throw new ActionError(
      'Nix not found',
      `no \`nix\` on PATH, in ${DEFAULT_PROFILE_BIN} or in ~/.nix-profile/bin; add install to \`stages\` or install Nix in an earlier step.`,
    );
  ctx.nix = await describeNix(nix, false);
  ctx.post.nix = nix;
  return ctx.nix;
}

/** Runs `<nixBin> <args>` with flakes enabled (for the post step, which has no job context). */
export function runNix(nixBin: string, args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return run(nixBin, [...NIX_FEATURE_ARGS, ...args], opts);
}

/** Runs `nix <args>` with flakes enabled. */
export async function nix(
  ctx: JobContext,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  return runNix((await ensureNix(ctx)).nix, args, opts);
}

/** The runtime closure of store paths (`nix path-info -r`), sorted. */
export async function closureOfPaths(nixBin: string, paths: readonly string[]): Promise<string[]> {
  const { stdout } = await runNix(nixBin, ['path-info', '-r', ...paths], {
    errorTitle: 'Could not read the closure',
  });
  return [
    ...new Set(
      stdout
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s.startsWith('/')),
    ),
  ].sort();
}

/** The runtime closure of store paths, with the job's Nix. */
export async function closureOf(ctx: JobContext, paths: readonly string[]): Promise<string[]> {
  return closureOfPaths((await ensureNix(ctx)).nix, paths);
}
