import { getExecOutput } from '@actions/exec';
import { spawn } from 'node:child_process';
import { ActionError } from './errors.js';
import { holdsSecret, scrubSecrets } from './secrets.js';

/**
 * The one way this action runs an external command. It refuses a command line holding a
 * registered secret (secrets go through the environment or a 0600 file), writes the command line
 * to the debug log, captures stdout and stderr, can stream lines to the log, and turns a failure
 * into an ActionError that carries the tail of stderr (with secrets removed).
 */

let commandLog: ((line: string) => void) | undefined;

/** Where run() writes each command line (debug level): set by the main and the post step. */
export function logCommandsTo(sink: ((line: string) => void) | undefined): void {
  commandLog = sink;
}

export interface ExecOptions {
  cwd?: string;
  /** Variables added to (or, when undefined, removed from) the inherited environment. */
  env?: Record<string, string | undefined>;
  /** Start from an empty environment instead of this process's. */
  cleanEnv?: boolean;
  /** Bytes written to the command's stdin. */
  input?: string | Buffer;
  /** Called with every line of stderr (and of stdout when streamStdout is set), as it arrives. */
  onLine?: (line: string) => void;
  streamStdout?: boolean;
  /** Return the result instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
  /** How many trailing stderr lines an error carries. */
  tailLines?: number;
  /** Title of the error raised on failure. */
  errorTitle?: string;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends ActionError {
  readonly command: string;
  readonly code: number;
  readonly stderr: string;
  constructor(title: string, command: string, code: number, stderr: string, tailLines: number) {
    const tail = tailOf(scrubSecrets(stderr), tailLines);
    super(title, `\`${command}\` exited with code ${code}${tail ? `:\n${tail}` : ''}`);
    this.name = 'CommandError';
    this.command = command;
    this.code = code;
    this.stderr = scrubSecrets(stderr);
  }
}

export function tailOf(text: string, lines: number): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(Math.max(0, all.length - lines)).join('\n');
}

/**
 * What run() and start() do before spawning: refuse a secret in argv, build the environment (the
 * process's unless cleanEnv, then `env`, where undefined removes a variable), log the command line.
 */
function prepare(
  command: string,
  args: readonly string[],
  opts: Pick<ExecOptions, 'env' | 'cleanEnv' | 'cwd'>,
): { env: Record<string, string>; shown: string } {
  if ([command, ...args].some(holdsSecret))
    throw new ActionError(
      'Refused to run a command',
      `a secret would have appeared in the arguments of \`${command}\`; this is a bug in the action`,
    );
  const overrides = opts.env ?? {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...(opts.cleanEnv ? {} : process.env), ...overrides }))
    if (v !== undefined && !(k in overrides && overrides[k] === undefined)) env[k] = v;
  const shown = [command, ...args].map(quoteArg).join(' ');
  commandLog?.(scrubSecrets(`exec: ${shown}${opts.cwd !== undefined ? ` (in ${opts.cwd})` : ''}`));
  return { env, shown };
}

export async function run(
  command: string,
  args: readonly string[],
  opts: ExecOptions = {},
): Promise<ExecResult> {
  const { env, shown } = prepare(command, args, opts);
  let result: ExecResult;
  try {
    const listeners = opts.onLine
      ? { errline: opts.onLine, ...(opts.streamStdout ? { stdline: opts.onLine } : {}) }
      : {};
    const out = await getExecOutput(command, [...args], {
      silent: true,
      ignoreReturnCode: true,
      ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
      env,
      ...(opts.input !== undefined ? { input: Buffer.from(opts.input) } : {}),
      listeners,
    });
    result = { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
  } catch (err) {
    // Spawning failed: the program does not exist or is not executable.
    throw new ActionError(
      opts.errorTitle ?? 'Command failed',
      `could not run \`${shown}\`: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`,
      { cause: err },
    );
  }
  if (result.code !== 0 && !opts.allowFailure) {
    throw new CommandError(
      opts.errorTitle ?? 'Command failed',
      shown,
      result.code,
      result.stderr || result.stdout,
      opts.tailLines ?? 25,
    );
  }
  return result;
}

/** A process started with start(): its output so far, its end, and a way to end it. */
export interface StartedProcess {
  /** The last bytes of stdout and of stderr (at most tailBytes each), secrets removed. */
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited (never rejects). */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>;
  /** SIGKILL to the process and everything in its process group. */
  kill(): void;
  /** The process ID, which is also its process group's (undefined when it could not start). */
  readonly pid: number | undefined;
}

/**
 * Starts a command that runs until it is ended (a program under test), under the same contract as
 * run(): no secret in argv, the command line at debug, the environment built the same way. It runs
 * in a process group of its own, so kill() ends it with every process it started.
 */
export function start(
  command: string,
  args: readonly string[],
  opts: Pick<ExecOptions, 'env' | 'cleanEnv' | 'cwd'> & { tailBytes?: number } = {},
): StartedProcess {
  const { env } = prepare(command, args, opts);
  const limit = opts.tailBytes ?? 64 * 1024;
  const out = { stdout: '', stderr: '' };
  const keep = (which: 'stdout' | 'stderr') => (d: Buffer) => {
    out[which] = (out[which] + d.toString('utf8')).slice(-limit);
  };
  const child = spawn(command, [...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  child.stdout.on('data', keep('stdout'));
  child.stderr.on('data', keep('stderr'));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>(
    (resolve) => {
      child.on('error', (e) => {
        resolve({ code: null, signal: null, error: e.message });
      });
      child.on('close', (code, signal) => {
        resolve({ code, signal });
      });
    },
  );
  return {
    stdout: () => scrubSecrets(out.stdout),
    stderr: () => scrubSecrets(out.stderr),
    done,
    pid: child.pid,
    kill: () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}
