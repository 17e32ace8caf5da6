import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from './log.js';

/**
 * Secrets, kept out of everything that outlives the job.
 *
 * The registry: every secret (the secret inputs, STS credentials, the OIDC token) is registered
 * first; no command line may then contain one (exec.ts refuses it) and every error message is
 * scrubbed of them.
 *
 * Secret files (the github.com access token for Nix, a netrc for private caches, signing keys):
 * each lives in a private folder (0700) under RUNNER_TEMP and is written with mode 0600 before
 * any byte of the secret. The job's files are listed in PostState.secretFiles (context.ts) so the
 * post step removes them; outside a runner (the local command, which has no post step) they are
 * removed when the process exits.
 */

const secrets = new Set<string>();

/** Remembers a secret so that no command line may contain it and no error shows it. */
export function registerSecret(value: string): void {
  if (value.length >= 4) secrets.add(value);
}

/**
 * What to mask of a secret: the whole value and, for a multi-line one (an SSH key), each line of
 * it (a log shows a multi-line value line by line), but not PEM armour lines such as
 * "-----BEGIN OPENSSH PRIVATE KEY-----", which are no secret.
 */
export function secretParts(value: string): string[] {
  const v = value.trim();
  if (v === '') return [];
  const lines = v
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && !/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(l));
  return [...new Set([v, ...(lines.length > 1 ? lines : [])])];
}

/** Replaces every registered secret in s with ***. */
export function scrubSecrets(s: string): string {
  let out = s;
  for (const sec of secrets) out = out.split(sec).join('***');
  return out;
}

/** Whether s holds a registered secret. */
export function holdsSecret(s: string): boolean {
  for (const sec of secrets) if (s.includes(sec)) return true;
  return false;
}

export const SECRET_DIR_PREFIX = 'nix-lambda-secrets-';

let exitHookSet = false;
const removeAtExit: string[] = [];

/** Creates a private folder for secret files under base (0700). */
export function makeSecretDir(base: string): string {
  fs.mkdirSync(base, { recursive: true });
  const dir = fs.mkdtempSync(path.join(base, SECRET_DIR_PREFIX));
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

/** The private folder among those of `files` that still exists, else a new one under base. */
export function secretDirFor(files: readonly string[], base: string): string {
  const known = files.map((f) => path.dirname(f)).find((d) => path.basename(d).startsWith(SECRET_DIR_PREFIX));
  if (known && fs.existsSync(known)) return known;
  return makeSecretDir(base);
}

/** Removes the file when this process exits (where no post step will). */
export function removeAtProcessExit(file: string): void {
  removeAtExit.push(file);
  if (!exitHookSet) {
    exitHookSet = true;
    process.once('exit', () => {
      removeSecretFiles(removeAtExit.splice(0));
    });
  }
}

/**
 * Removes secret files and, once empty, the private folders holding them. Never throws;
 * returns the files it could not remove (with the reason in the log, when given one).
 */
export function removeSecretFiles(files: readonly string[], log?: Pick<Logger, 'warning'>): string[] {
  const failed: string[] = [];
  const dirs = new Set<string>();
  for (const f of files) {
    try {
      fs.rmSync(f, { force: true });
      const d = path.dirname(f);
      if (path.basename(d).startsWith(SECRET_DIR_PREFIX)) dirs.add(d);
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
