import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';

/**
 * Runs dist/index.js exactly as a GitHub runner does: every input of action.yml
 * as INPUT_<NAME> (defaults filled in, as the runner does), the file commands
 * (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY),
 * then the post step with the saved state as STATE_<name>.
 * With act: true it sets what nektos/act sets (ACT=true, no cache service).
 */

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const DIST = path.join(ROOT, 'dist', 'index.js');

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}

export function actionInputs(): Record<string, { default?: string }> {
  return (parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as ActionYml).inputs;
}

/** Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file (name=value and heredoc forms). */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const value: string[] = [];
      i++;
      while (i < lines.length && lines[i] !== delim) value.push(lines[i++]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  addedPath: string[];
  summary: string;
  /** argv and env of nothing: the log is stdout+stderr. */
  log: string;
}

export interface RunStepOptions {
  inputs?: Record<string, string>;
  env?: Record<string, string | undefined>;
  workspace?: string;
  act?: boolean;
  /** State from a main step, for the post step. */
  state?: Record<string, string>;
  timeoutMs?: number;
  /** Folder for the file-command files. */
  dir?: string;
  /** RUNNER_TEMP, shared by a job's steps. */
  runnerTemp?: string;
  /** Run `prefix... node dist/index.js` instead of node directly (unshare, a shell script). */
  prefix?: string[];
  /** Start it as a process group leader, so the whole group can be killed. */
  detached?: boolean;
}

export type FileCommand =
  'GITHUB_OUTPUT' | 'GITHUB_STATE' | 'GITHUB_ENV' | 'GITHUB_PATH' | 'GITHUB_STEP_SUMMARY';

export interface StartedStep {
  child: ChildProcess;
  dir: string;
  files: Record<FileCommand, string>;
  runnerTemp: string;
  /** stdout+stderr so far. */
  output(): string;
  done: Promise<StepResult & { signal: NodeJS.Signals | null }>;
}

/** Starts dist/index.js as a runner does and returns at once (so a test can signal it mid-run). */
export function startStep(opts: RunStepOptions = {}): StartedStep {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'runner-'));
  fs.mkdirSync(dir, { recursive: true });
  const files: Record<FileCommand, string> = {
    GITHUB_OUTPUT: path.join(dir, 'output'),
    GITHUB_STATE: path.join(dir, 'state'),
    GITHUB_ENV: path.join(dir, 'env'),
    GITHUB_PATH: path.join(dir, 'path'),
    GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
  };
  for (const f of Object.values(files)) fs.writeFileSync(f, '');
  const runnerTemp = opts.runnerTemp ?? path.join(dir, 'runner-temp');
  fs.mkdirSync(runnerTemp, { recursive: true });
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'NIX_CONFIG', 'LANG', 'TMPDIR']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  Object.assign(env, files, {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: opts.workspace ?? ROOT,
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: os.arch() === 'arm64' ? 'ARM64' : 'X64',
    GITHUB_REPOSITORY: 'example/repo',
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_RUN_ID: '1',
  });
  if (opts.act) env['ACT'] = 'true';
  for (const [name, spec] of Object.entries(actionInputs())) {
    let def = spec.default ?? '';
    if (def.includes('${{')) def = ''; // expressions: the tests give explicit values
    env[`INPUT_${name.toUpperCase()}`] = def;
  }
  for (const [name, value] of Object.entries(opts.inputs ?? {})) env[`INPUT_${name.toUpperCase()}`] = value;
  for (const [k, v] of Object.entries(opts.state ?? {})) env[`STATE_${k}`] = v;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) Reflect.deleteProperty(env, k);
    else env[k] = v;
  }
  const argv = [...(opts.prefix ?? []), process.execPath, DIST];
  const child = spawn(argv[0]!, argv.slice(1), {
    env,
    cwd: opts.workspace ?? ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let stdout = '';
  let stderr = '';
  let both = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    both += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    both += d.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
  const done = new Promise<StepResult & { signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const read = (f: string): string => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
      resolve({
        code,
        signal,
        stdout,
        stderr,
        outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
        state: parseFileCommands(read(files.GITHUB_STATE)),
        exportedEnv: parseFileCommands(read(files.GITHUB_ENV)),
        addedPath: read(files.GITHUB_PATH).split('\n').filter(Boolean),
        summary: read(files.GITHUB_STEP_SUMMARY),
        log: both,
      });
    });
  });
  return { child, dir, files, runnerTemp, output: () => both, done };
}

/** Runs dist/index.js as a runner does, to the end. */
export async function runStep(opts: RunStepOptions = {}): Promise<StepResult> {
  return startStep(opts).done;
}

/** Runs the main step, then the post step with the state it saved (as action.yml's post does). */
export async function runMainAndPost(
  opts: RunStepOptions = {},
): Promise<{ main: StepResult; post: StepResult }> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'runner-'));
  const runnerTemp = opts.runnerTemp ?? path.join(dir, 'runner-temp');
  for (const d of ['main', 'post']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const main = await runStep({ ...opts, runnerTemp, dir: path.join(dir, 'main') });
  const post = await runStep({ ...opts, runnerTemp, state: main.state, dir: path.join(dir, 'post') });
  return { main, post };
}

/**
 * Records the modules a step loads: pass `env` to the step (NODE_OPTIONS imports
 * module-log.mjs), then `loaded()` gives the file names of the modules, dist/'s chunks among them.
 */
export function moduleLog(): { env: Record<string, string>; loaded: () => string[] } {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'modules-')), 'loaded');
  fs.writeFileSync(file, '');
  const hook = path.join(import.meta.dirname, 'module-log.mjs');
  return {
    env: { NODE_OPTIONS: `--import ${hook}`, NIX_LAMBDA_MODULE_LOG: file },
    loaded: () =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('file://'))
        .map((l) => path.basename(new URL(l).pathname)),
  };
}

/** The file of dist/ whose text holds `marker` (a string only one bundled library has). */
export function distFileHolding(marker: string): string {
  const files = fs.readdirSync(path.dirname(DIST)).filter((f) => f.endsWith('.js'));
  const holders = files.filter((f) =>
    fs.readFileSync(path.join(path.dirname(DIST), f), 'utf8').includes(marker),
  );
  if (holders.length !== 1)
    throw new Error(`expected one file of dist/ holding ${marker}, found ${holders.join(', ')}`);
  return holders[0]!;
}
