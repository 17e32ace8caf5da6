import * as path from 'node:path';
import { findOnPath } from '../util/fs.js';

/** Where a Nix already on the machine is found. */

export const DEFAULT_PROFILE_BIN = '/nix/var/nix/profiles/default/bin';

/** Finds `nix`: on PATH first, then in the default profile, then in the user's profile. */
export function findNix(env: NodeJS.ProcessEnv = process.env, home = env['HOME'] ?? ''): string | undefined {
  const dirs = [env['PATH'] ?? '', DEFAULT_PROFILE_BIN];
  if (home) dirs.push(path.join(home, '.nix-profile', 'bin'));
  return findOnPath(['nix'], dirs.join(path.delimiter));
}

/** Nix reads ~ from $HOME; the OS account's home when HOME is unset. */
export function nixHome(env: NodeJS.ProcessEnv, accountHome: string): string {
  const h = env['HOME'];
  return h && path.isAbsolute(h) ? h : accountHome;
}
