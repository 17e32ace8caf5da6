import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobContext } from '../context.js';
import type { Log } from '../host.js';

/**
 * Files that hold secrets (the github.com access token for Nix, a netrc for private caches,
 * signing keys). Each lives in a private folder (0700) under RUNNER_TEMP, is written with
 * mode 0600 before any byte of the secret, and is listed in PostState.secretFiles so the
 * post step removes it. Outside a runner (the local command, which has no post step) they
 * are removed when the process exits.
 */

const DIR_PREFIX = 'nix-lambda-secrets-';

let exitHookSet = false;
const removeAtExit: string[] = [];

/** Creates a private folder for secret files under base (0700). */
export function makeSecretDir(base: string): string {
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, DIR_PREFIX));
  fs.chmodSync(dir, 0o700);
  return dir;
}

/** Writes content to dir/name with mode 0600 (created with that mode; never world-readable). */
export function writePrivateFile(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  fs.rmSync(file, { force: true });
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

/** The job's folder for secret files (one per job context). */
function jobSecretDir(ctx: JobContext): string {
  const known = ctx.post.secretFiles
    .map((f) => path.dirname(f))
    .find((d) => path.basename(d).startsWith(DIR_PREFIX));
  if (known && fs.existsSync(known)) return known;
  return makeSecretDir(ctx.runner.tempDir);
}

/** Writes a secret file for this job and lists it for removal by the post step. */
export function writeSecretFile(ctx: JobContext, name: string, content: string): string {
  const file = writePrivateFile(jobSecretDir(ctx), name, content);
  if (!ctx.post.secretFiles.includes(file)) ctx.post.secretFiles.push(file);
  if (!ctx.runner.isActions) {
    removeAtExit.push(file);
    if (!exitHookSet) {
      exitHookSet = true;
      process.once('exit', () => {
        removeSecretFiles(removeAtExit.splice(0));
      });
    }
  }
  return file;
}

/**
 * Removes secret files and, once empty, the private folders holding them. Never throws;
 * returns the files it could not remove (with the reason in the log, when given one).
 */
export function removeSecretFiles(files: readonly string[], log?: Log): string[] {
  const failed: string[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    try {
      fs.rmSync(f, { force: true });
      const d = path.dirname(f);
      if (path.basename(d).startsWith(DIR_PREFIX)) dirs.add(d);
    } catch (e) {
      failed.push(f);
      log?.warning(`Could not remove ${f}: ${(e as Error).message}`, 'Secret file left behind');
    }
  }
  for (const d of dirs) {
    try {
      if (fs.readdirSync(d).length === 0) fs.rmdirSync(d);
    } catch {
      // already gone, or not empty: nothing to do
    }
  }
  return failed;
}
