import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import type { CommandError } from '../util/exec.js';
import type { Logger } from '../util/log.js';

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

/** Turns Nix's failure into an error that says what to do. */
export function explainBuildFailure(err: CommandError, target: BuildTarget, tail: string): ActionError {
  const stderr = err.stderr;
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
