import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { run } from '../util/exec.js';
import { findOnPath } from '../util/fs.js';

/**
 * Entering the isolated root through passwordless sudo (a runner that is not root and may not make
 * user namespaces, such as Ubuntu 24.04's AppArmor default) loses the environment: sudo starts its
 * command with an environment of its own (env_reset, secure_path), and drops LD_LIBRARY_PATH even
 * with --preserve-env or -E. The loader check would then run without Lambda's LD_LIBRARY_PATH
 * (proving nothing about the decoys) and the smoke test's program without AWS_LAMBDA_RUNTIME_API.
 *
 * So through sudo the variables go in a file only this user can read (0600), which a shell reads
 * just before it runs unshare, after `env -i` has cleared what sudo set: the program gets exactly
 * the variables given, none of sudo's, and no value (the function's `environment` may hold
 * secrets) is ever on a command line. The caller removes the file once the attempt is over.
 */

/** A name the shell can export (Lambda takes only these too). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The file's text: one `export NAME='value'` line per variable, quoted for sh. */
export function envFileText(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .filter(([k]) => NAME.test(k))
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

/** The sh program that reads the file ($0) and runs the rest of its arguments (without the PWD sh sets). */
const LOAD_AND_RUN = '. "$0" && unset PWD OLDPWD && exec "$@"';

export interface SudoAttempt {
  cmd: string;
  args: string[];
  /** It runs as root through sudo: this user cannot signal it (see killThroughSudo). */
  viaSudo: boolean;
  /** Removes the variables' file (a no-op when there is none). */
  cleanup: () => Promise<void>;
}

/**
 * An attempt from unshareAttempts, ready to run with `env`: unchanged unless it goes through sudo;
 * then `sudo -n env -i sh -c '. FILE && exec "$@"' FILE unshare ...`, the file written in `dir`.
 */
export async function withSudoEnv(
  cmd: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  dir: string,
): Promise<SudoAttempt> {
  if (cmd !== 'sudo' || args[0] !== '-n' || args[1] !== 'unshare')
    return { cmd, args: [...args], viaSudo: false, cleanup: () => Promise.resolve() };
  const file = path.join(dir, `.sudo-env-${randomBytes(6).toString('hex')}`);
  await fsp.writeFile(file, envFileText(env), { mode: 0o600, flag: 'wx' });
  const unshare = findOnPath(['unshare']) ?? 'unshare';
  return {
    cmd,
    args: ['-n', '/usr/bin/env', '-i', '/bin/sh', '-c', LOAD_AND_RUN, file, unshare, ...args.slice(2)],
    viaSudo: true,
    cleanup: () => fsp.rm(file, { force: true }),
  };
}

/**
 * Ends a process group started through sudo: it runs as root (and the program as Lambda's sandbox
 * user), so this user's SIGKILL is refused, and the program would run on after the action.
 */
export async function killThroughSudo(pgid: number | undefined): Promise<void> {
  if (pgid === undefined) return;
  await run('sudo', ['-n', 'kill', '-KILL', '--', `-${pgid}`], { allowFailure: true }).catch(() => undefined);
}
