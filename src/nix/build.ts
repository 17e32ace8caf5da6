import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import type { CommandError } from '../util/exec.js';
import type { Logger } from '../util/log.js';
import { describeSpace, type SpaceReport } from './disk.js';
import { findHashInFiles, parseHashMismatch, sameSpelling } from './hash-mismatch.js';

/**
 * What `nix build`'s log says: the lines kept for an error message, a binary cache whose signature
 * Nix refused, and a failure turned into an error that says what to do.
 */

/** Lines of the build log an error carries. */
export const BUILD_TAIL_LINES = 40;

/** Streams the build log into the log, keeps its tail, and warns (once) about a refused signature. */
export class BuildLog {
  private readonly lines: string[] = [];
  private warnedSignature = false;

  constructor(private readonly log: Logger) {}

  readonly onLine = (line: string): void => {
    this.log.info(line);
    if (
      /is not signed by any of the keys|does not have a valid signature/.test(line) &&
      !this.warnedSignature
    ) {
      this.warnedSignature = true;
      this.log.warning(
        `${line.trim()}: Nix refused a path from a binary cache whose signature it cannot check, and builds it instead. Check the cache's public key (trusted-public-keys, or the key Cachix reports for cachix-cache).`,
        'Substituter signature refused',
      );
    }
    this.lines.push(line);
    if (this.lines.length > BUILD_TAIL_LINES) this.lines.shift();
  };

  tail(): string {
    return this.lines.join('\n');
  }
}

/** A location in a .nix file, from Nix's error text, mapped back into the workspace. */
export function nixErrorLocation(
  stderr: string,
  flakeDir: string | undefined,
  workspace: string,
): { file: string; line: number } | undefined {
  const m = /at (\/nix\/store\/[a-z0-9]{32}-source)((?:\/[^:\s]+)*\/[^:\s/]+\.nix):(\d+)(?::\d+)?/.exec(
    stderr,
  );
  if (!m) return undefined;
  const inFlake = m[2]!.replace(/^\//, '');
  const abs = flakeDir ? path.join(flakeDir, inFlake) : inFlake;
  const rel = path.relative(workspace, abs);
  return { file: rel.startsWith('..') ? abs : rel, line: Number(m[3]) };
}

/** What was built: the flake as written, the installable, its folder, and the workspace. */
export interface BuildTarget {
  flake: string;
  installable: string;
  flakeDir: string | undefined;
  workspace: string;
}

/** A path as an annotation names it: relative to the workspace when inside it. */
function workspacePath(abs: string, workspace: string): string {
  const rel = path.relative(workspace, abs);
  return rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/** A fixed-output hash that changed: an error on the .nix line holding the old hash, giving the new one. */
export function explainHashMismatch(stderr: string, target: BuildTarget): ActionError | undefined {
  const mismatch = parseHashMismatch(stderr);
  if (!mismatch) return undefined;
  const where = target.flakeDir ? findHashInFiles(target.flakeDir, mismatch.specified) : undefined;
  const drv = mismatch.drv ? ` of ${mismatch.drv}` : '';
  if (!where)
    return new ActionError(
      'Fixed-output hash mismatch',
      `the fixed-output derivation${drv} produced ${mismatch.got}, not the hash written in the flake (${mismatch.specified}); no .nix file of ${target.flakeDir ?? 'the flake'} holds that hash, so replace it where it is written (an input or another flake) with ${mismatch.got}.`,
    );
  const file = workspacePath(where.file, target.workspace);
  const replacement = sameSpelling(where.written, mismatch.got);
  return new ActionError(
    'Fixed-output hash mismatch',
    `${file}:${where.line}: the fixed-output derivation${drv} produced ${mismatch.got}, not ${mismatch.specified}. Replace "${where.written}" with "${replacement}" on that line (after checking that the new content is the one you want: a changed upstream file changes its hash).`,
    { file, line: where.line },
  );
}

/** Nix's own words when its disk filled up, or when the daemon died building (it does when its disk is full). */
const DISK_FULL = /No space left on device|ENOSPC|Disk quota exceeded/;
const DAEMON_GONE =
  /cannot connect to socket at '[^']*daemon-socket[^']*'|error: unexpected end-of-file|daemon disconnected unexpectedly|error: writing to file: Broken pipe|error: reading from file: Connection reset by peer/;

/** "No space left on device" or a daemon gone mid-build: the disk is full, with the free space measured. */
export function explainDiskFull(
  stderr: string,
  tail: string,
  space: () => readonly SpaceReport[],
): ActionError | undefined {
  const full = DISK_FULL.test(stderr);
  if (!full && !DAEMON_GONE.test(stderr)) return undefined;
  const measured = describeSpace(space());
  return new ActionError(
    'Disk full during the build',
    `${tail}\n${full ? 'The build ran out of disk space' : 'The Nix daemon went away during the build, which it does when its disk fills up'}. Free space now: ${measured} (Nix removes a failed build's folder, so what it filled may be free again). Free some space (on GitHub-hosted runners, remove preinstalled toolchains you do not need, or use a larger runner), build less at once, or build on remote builders (input \`builders\`).`,
  );
}

/** Turns Nix's failure into an error that says what to do. */
export function explainBuildFailure(
  err: CommandError,
  target: BuildTarget,
  tail: string,
  space: () => readonly SpaceReport[] = () => [],
): ActionError {
  const stderr = err.stderr;
  const hash = explainHashMismatch(stderr, target);
  if (hash) return hash;
  const disk = explainDiskFull(stderr, tail, space);
  if (disk) return disk;
  const loc = nixErrorLocation(stderr, target.flakeDir, target.workspace);
  const locOpts = loc ? { file: loc.file, line: loc.line } : {};
  const attr = /does not provide attribute ([^\n]+)/.exec(stderr);
  if (attr)
    return new ActionError(
      'Flake attribute not found',
      `Input \`flake\`: "${target.flake}" does not provide attribute ${attr[1]!.trim()}. List what it provides with \`nix flake show\`.`,
    );
  if (
    /getting status of '\/nix\/store\/[^']*-source[^']*': No such file or directory/.test(stderr) ||
    /is not tracked by Git/.test(stderr)
  )
    return new ActionError(
      'File not tracked by Git',
      `${tail}\nNix only sees files that Git tracks in a git flake: \`git add\` new files (flake.nix, sources) before building.`,
      locOpts,
    );
  if (
    /error: (?:getting status of|path) '[^']*flake\.nix'/.test(stderr) ||
    /does not contain a 'flake\.nix'/.test(stderr)
  )
    return new ActionError('No flake', `Input \`flake\`: "${target.flake}" has no flake.nix.\n${tail}`);
  if (/HTTP error 403|API rate limit|rate limit exceeded/i.test(stderr))
    return new ActionError(
      'GitHub rate limit',
      `${tail}\nNix hit GitHub's rate limit fetching flake inputs: pass \`github-token\` (the default, \${{ github.token }}) and keep the install stage so nix.conf gets access-tokens.`,
      locOpts,
    );
  return new ActionError('Nix build failed', `nix build ${target.installable} failed:\n${tail}`, locOpts);
}
