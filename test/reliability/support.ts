import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import type { ReliabilityRow } from '../support/reliability-reporter.js';
import { FLAKES_DIR, nixEnv } from '../support/nix.js';
import type { StartedStep } from '../support/runner.js';

/**
 * Shared by the reliability suite: cases that record what they tried and what happened (for the
 * closing table, test/support/reliability-reporter.ts), the suite's own flake, helpers around a
 * dist/index.js step started as a runner starts it (test/support/runner.ts), and readers for the
 * state left behind. Its doubles (argv-recorder.ts, barrier-proxy.ts) are in test/support.
 */

const execFileP = promisify(execFile);

// ---- cases ----------------------------------------------------------------------------------

export interface CaseContext {
  /** Records what the action did (before asserting it), for the table. */
  saw: (outcome: string) => void;
  /** Records the calls the case made (callList of the server's request log), listed after the table. */
  calls: (list: readonly string[]) => void;
  /** The row as recorded so far. */
  row: ReliabilityRow;
}

/**
 * Declares one case of the suite: a vitest test that records {group, case, tried, outcome} in its
 * task meta. The case must record an outcome and make at least one assertion; `passed` is set only
 * when its body returned without a failed assertion.
 */
export function reliabilityCase(
  group: string,
  name: string,
  tried: string,
  body: (c: CaseContext) => Promise<void> | void,
  timeout?: number,
): void {
  it(
    name,
    async ({ task }) => {
      expect.hasAssertions();
      const row: ReliabilityRow = { group, case: name, tried, outcome: '', passed: false };
      task.meta.reliability = row;
      await body({
        row,
        saw: (o) => {
          row.outcome = o;
        },
        calls: (list) => {
          row.calls = list.join(', ');
        },
      });
      expect(row.outcome, 'the case recorded no outcome').not.toBe('');
      row.passed = true;
    },
    timeout,
  );
}

/**
 * The calls of a request log, in order, for the closing note: the operation, the version it named
 * (Invoke, DeleteFunction, GetFunction with a Qualifier), its status when it failed ("no answer":
 * the connection was cut or given up before an answer), and repeats folded (`Invoke 429 ×3`).
 */
export function callList(requests: readonly { op: string; status: number; path: string }[]): string[] {
  const named = requests.map((r) => {
    const q = /[?&]Qualifier=([^&]+)/.exec(r.path)?.[1];
    const status = r.status === 0 ? ' (no answer)' : r.status >= 300 ? ` ${r.status}` : '';
    return `${r.op}${q ? `(${decodeURIComponent(q)})` : ''}${status}`;
  });
  const out: string[] = [];
  for (let i = 0; i < named.length;) {
    let j = i;
    while (j < named.length && named[j] === named[i]) j++;
    out.push(j - i > 1 ? `${named[i]!} ×${j - i}` : named[i]!);
    i = j;
  }
  return out;
}

/** First line of an error message, for the table. */
export function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '') ?? s;
}

// ---- the suite's flake --------------------------------------------------------------------------

export const RELIABILITY_FLAKE = path.join(import.meta.dirname, 'flake');

let preparedFlake: string | undefined;

/**
 * Copies test/reliability/flake (as <tmp>/reliability) with the fixtures' lib.nix and hello.c into a
 * throw-away git repository, as test/support/nix.ts does for the fixtures; returns the flake dir.
 */
export function prepareReliabilityFlake(): string {
  if (preparedFlake && fs.existsSync(preparedFlake)) return preparedFlake;
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'reliability-flake-'));
  for (const f of ['lib.nix', 'hello.c']) fs.copyFileSync(path.join(FLAKES_DIR, f), path.join(repo, f));
  fs.cpSync(RELIABILITY_FLAKE, path.join(repo, 'reliability'), { recursive: true });
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q', repo]);
  execFileSync('git', ['add', '-A'], { cwd: repo });
  preparedFlake = path.join(repo, 'reliability');
  process.once('exit', () => {
    fs.rmSync(repo, { recursive: true, force: true });
  });
  return preparedFlake;
}

/** `nix build <flake>#<attr> --json --no-link` with the offline settings; the output path. */
export async function buildReliability(attr: string): Promise<string> {
  const dir = prepareReliabilityFlake();
  const { stdout } = await execFileP('nix', ['build', `${dir}#${attr}`, '--json', '--no-link'], {
    env: nixEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const parsed = JSON.parse(stdout) as { outputs: Record<string, string> }[];
  const out = parsed[0]?.outputs['out'];
  if (!out) throw new Error(`nix build ${attr}: no output in ${stdout}`);
  return out;
}

/** `nix path-info -r`: the runtime closure, sorted. */
export function closureOf(storePath: string): string[] {
  return execFileSync('nix', ['path-info', '-r', storePath], { env: nixEnv(), encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith('/'))
    .sort();
}

// ---- dist/index.js, as a runner runs it ----------------------------------------------------------

/** Kills what is left of a detached step's process group (children it spawned). */
export function killGroup(step: StartedStep): void {
  if (step.child.pid === undefined) return;
  try {
    process.kill(-step.child.pid, 'SIGKILL');
  } catch {
    // the group is gone
  }
}

/** Raw text of every file command a step wrote (outputs, state, env, path, summary). */
export function fileCommandText(step: StartedStep): string {
  return Object.values(step.files)
    .map((f) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : ''))
    .join('\n');
}

/** Waits until cond() holds, polling; throws after timeoutMs. */
export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// ---- the state left behind ----------------------------------------------------------------------

/** Every file and folder under dir, relative, sorted ('' when dir does not exist). */
export function listTree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)) + (e.isDirectory() ? '/' : ''))
    .sort();
}

/** Temporary files the zip writer leaves while it works (.NAME.PID.RANDOM.tmp). */
export function strayTemps(dir: string): string[] {
  return listTree(dir).filter((f) => /(^|\/)\.[^/]*\.tmp$/.test(f));
}

export interface RawZipEntry {
  /** The name bytes as stored, decoded as UTF-8. */
  name: string;
  /** High 16 bits of the external attributes (Unix st_mode) when made on Unix. */
  mode: number;
  madeBy: number;
}

/** Reads a zip's central directory itself (no library normalising names). */
export function rawZipEntries(buf: Buffer): RawZipEntry[] {
  let end = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('no end of central directory record');
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const out: RawZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header at ${at}`);
    const madeBy = buf.readUInt16LE(at + 4);
    const nameLen = buf.readUInt16LE(at + 28);
    const extraLen = buf.readUInt16LE(at + 30);
    const commentLen = buf.readUInt16LE(at + 32);
    const attr = buf.readUInt32LE(at + 38);
    out.push({ name: buf.toString('utf8', at + 46, at + 46 + nameLen), mode: attr >>> 16, madeBy });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Problems with a zip's entries as Lambda would unpack them: absolute, '..', symlinks, modes. */
export function zipEntryProblems(buf: Buffer): string[] {
  const problems: string[] = [];
  for (const e of rawZipEntries(buf)) {
    const n = e.name;
    const type = e.mode & 0o170000;
    if (n.startsWith('/') || /^[A-Za-z]:/.test(n) || n.includes('\\')) problems.push(`${n}: absolute path`);
    if (n.split('/').includes('..')) problems.push(`${n}: '..' component`);
    if (e.madeBy >> 8 !== 3) problems.push(`${n}: not made on Unix (mode unknown)`);
    if (type === 0o120000) problems.push(`${n}: symlink`);
    else if (type !== 0o100000 && type !== 0o040000) problems.push(`${n}: file type ${type.toString(8)}`);
    if (e.mode & 0o002) problems.push(`${n}: world-writable`);
    if ((e.mode & 0o444) !== 0o444) problems.push(`${n}: not readable by everyone`);
    if (type === 0o040000 && (e.mode & 0o111) !== 0o111) problems.push(`${n}: folder not searchable`);
  }
  return problems;
}
