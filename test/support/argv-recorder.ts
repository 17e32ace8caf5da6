import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Records the argv of every command the action spawns through PATH (a spy of the reliability
 * suite: no secret may ever be on a command line).
 */

export const WRAPPED_COMMANDS = [
  'nix',
  'nix-store',
  'nix-env',
  'nix-build',
  'nix-daemon',
  'cachix',
  'patchelf',
  'unshare',
  'sudo',
  'git',
  'tar',
  'zstd',
  'gzip',
  'curl',
  'bash',
  'sh',
  'systemctl',
  'ssh',
] as const;

export interface Spawned {
  /** Name the command was called by (the wrapper's file name). */
  cmd: string;
  args: string[];
}

export interface ArgvRecorder {
  /** Put this folder first on PATH. */
  dir: string;
  log: string;
  calls(): Spawned[];
  /** Raw recorded bytes (argv, NUL separated), to search for secrets. */
  raw(): string;
  clear(): void;
}

function realCommand(name: string, skip: string): string | undefined {
  for (const d of (process.env['PATH'] ?? '').split(':')) {
    if (!d || path.resolve(d) === skip) continue;
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Wrapper scripts, one per command the action may spawn through PATH: each appends its argv
 * (base64 of the NUL-joined words, one line per call) to a log, then execs the real command.
 */
export function argvRecorder(): ArgvRecorder {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argv-'));
  const log = path.join(dir, 'argv.log');
  fs.writeFileSync(log, '');
  for (const name of WRAPPED_COMMANDS) {
    const real = realCommand(name, dir);
    if (!real) continue;
    const script = [
      '#!/bin/sh',
      `line=$(printf '%s\\0' "${name}" "$@" | base64 -w0)`,
      `printf '%s\\n' "$line" >> '${log}'`,
      `exec '${real}' "$@"`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, name), script, { mode: 0o755 });
  }
  const raw = (): string =>
    fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => Buffer.from(l, 'base64').toString('utf8'))
      .join('\n');
  return {
    dir,
    log,
    raw,
    calls: () =>
      fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const words = Buffer.from(l, 'base64').toString('utf8').split('\0');
          words.pop();
          return { cmd: words[0] ?? '', args: words.slice(1) };
        }),
    clear: () => {
      fs.writeFileSync(log, '');
    },
  };
}

/** The subcommand words of a nix call, past the global flags (`--extra-experimental-features X`). */
export function nixSubcommand(s: Spawned): string {
  const words: string[] = [];
  for (let i = 0; i < s.args.length; i++) {
    const a = s.args[i]!;
    if (a === '--extra-experimental-features' || a === '--option') {
      i += a === '--option' ? 2 : 1;
      continue;
    }
    if (a.startsWith('-')) continue;
    words.push(a);
  }
  return words[0] ?? '';
}
