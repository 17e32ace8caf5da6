import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import { run, type ExecOptions, type ExecResult } from '../util/exec.js';

/**
 * NixCli: every `nix` command this action runs, in one place (as actions/checkout's
 * GitCommandManager is for git). Each method builds the argv of one command and parses what it
 * prints; the commands run through exec.ts (no secret in argv, stderr tail in errors, the command
 * line at debug). Every command but `--version` turns flakes on, whatever nix.conf says.
 */

/** Enables flakes on every Nix from 2.8 on, whatever its configuration says. */
export const NIX_FEATURE_ARGS = ['--extra-experimental-features', 'nix-command flakes'] as const;

const DAEMON_SOCKET = '/nix/var/nix/daemon-socket/socket';

/** What kind of Nix the job uses. */
export interface NixInfo {
  /** Absolute path of the `nix` executable. */
  nix: string;
  /** Folder holding nix and its companions (nix-store, ...). */
  binDir: string;
  version: string;
  /** Installed by this run (as opposed to found). */
  installed: boolean;
  /** A nix-daemon serves the store (multi-user install). */
  daemon: boolean;
}

/** One result of `nix build --json`. */
export interface BuildJson {
  drvPath: string;
  outputs: Record<string, string>;
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

/** The build result of `nix build --json` for one installable. */
export function parseBuildJson(stdout: string): BuildJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new ActionError(
      'Unexpected nix output',
      `\`nix build --json\` printed something that is not JSON: ${stdout.slice(0, 200)}`,
    );
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (
    !first ||
    typeof first !== 'object' ||
    typeof (first as BuildJson).drvPath !== 'string' ||
    typeof (first as BuildJson).outputs !== 'object'
  )
    throw new ActionError(
      'Unexpected nix output',
      `\`nix build --json\` printed no build result: ${stdout.slice(0, 200)}`,
    );
  if (parsed instanceof Array && parsed.length > 1)
    throw new ActionError(
      'Several installables',
      'the flake reference selected several packages; select one with `flake: .#name`.',
    );
  return first as BuildJson;
}

/** Store paths printed one per line (`nix path-info -r`), each once, sorted. */
export function parseStorePaths(stdout: string): string[] {
  return [
    ...new Set(
      stdout
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s.startsWith('/')),
    ),
  ].sort();
}

/** NAR sizes from `nix path-info --json` (Nix 2.8: an array with `path`; Nix >= 2.19: an object keyed by path). */
export function parsePathInfoSizes(stdout: string): Map<string, number> {
  const parsed = JSON.parse(stdout) as unknown;
  const out = new Map<string, number>();
  const add = (p: unknown, info: unknown): void => {
    if (typeof p !== 'string' || !info || typeof info !== 'object') return;
    const n = (info as { narSize?: unknown }).narSize;
    if (typeof n === 'number') out.set(p, n);
  };
  if (Array.isArray(parsed)) for (const i of parsed) add((i as { path?: unknown }).path, i);
  else if (parsed && typeof parsed === 'object')
    for (const [p, i] of Object.entries(parsed as Record<string, unknown>)) add(p, i);
  return out;
}

export interface BuildOptions {
  /** `--print-build-logs`: the build's log lines on stderr (streamed with onLine). */
  printBuildLogs?: boolean;
  onLine?: (line: string) => void;
  tailLines?: number;
  errorTitle?: string;
}

export class NixCli {
  /** @param nix the absolute path of the `nix` executable. */
  constructor(readonly nix: string) {}

  /** `nix --version`, and whether a daemon serves the store: what kind of Nix this is. */
  async describe(installed: boolean): Promise<NixInfo> {
    const { stdout } = await run(this.nix, ['--version'], { errorTitle: 'Nix does not run' });
    return {
      nix: this.nix,
      binDir: path.dirname(this.nix),
      version: parseNixVersion(stdout),
      installed,
      daemon: fs.existsSync(DAEMON_SOCKET) && process.getuid?.() !== 0,
    };
  }

  /** `nix build INSTALLABLE --json --no-link`: the build result (one installable). */
  async build(installable: string, opts: BuildOptions = {}): Promise<BuildJson> {
    const { stdout } = await this.run(
      ['build', installable, '--json', '--no-link', ...(opts.printBuildLogs ? ['--print-build-logs'] : [])],
      {
        ...(opts.onLine !== undefined ? { onLine: opts.onLine } : {}),
        ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
        ...(opts.errorTitle !== undefined ? { errorTitle: opts.errorTitle } : {}),
      },
    );
    return parseBuildJson(stdout);
  }

  /** The runtime closure of store paths (`nix path-info -r`), sorted. */
  async closure(paths: readonly string[]): Promise<string[]> {
    const { stdout } = await this.run(['path-info', '-r', ...paths], {
      errorTitle: 'Could not read the closure',
    });
    return parseStorePaths(stdout);
  }

  /** NAR sizes of store paths (`nix path-info --json`). */
  async narSizes(paths: readonly string[]): Promise<Map<string, number>> {
    if (paths.length === 0) return new Map();
    const { stdout } = await this.run(['path-info', '--json', ...paths], {
      errorTitle: 'Could not read path sizes',
    });
    return parsePathInfoSizes(stdout);
  }

  /** `nix copy --to URL paths`; returns what it printed (stderr), which names the paths copied. */
  async copy(
    to: string,
    paths: readonly string[],
    opts: { errorTitle: string; onLine?: (line: string) => void },
  ): Promise<string> {
    let output = '';
    await this.run(['copy', '--to', to, ...paths], {
      errorTitle: opts.errorTitle,
      onLine: (l) => {
        output += `${l}\n`;
        opts.onLine?.(l);
      },
    });
    return output;
  }

  /**
   * `nix show-config --json` (`nix config show` from 2.20 on), parsed; undefined when it cannot be
   * read. Its output holds access-tokens: it is parsed and never logged. systemOnly: what a daemon
   * reads (the system nix.conf), not NIX_CONFIG or the user's nix.conf.
   */
  async settings(opts: { systemOnly?: boolean } = {}): Promise<unknown> {
    const env = opts.systemOnly ? { NIX_CONFIG: undefined, NIX_USER_CONF_FILES: '/dev/null' } : {};
    for (const cmd of [['show-config'], ['config', 'show']]) {
      const r = await this.run([...cmd, '--json'], { allowFailure: true, env });
      if (r.code !== 0) continue;
      try {
        return JSON.parse(r.stdout) as unknown;
      } catch {
        // try the other spelling
      }
    }
    return undefined;
  }

  /** Any other `nix` command, with flakes on. */
  run(args: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return run(this.nix, [...NIX_FEATURE_ARGS, ...args], opts);
  }
}
