import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LAMBDA_SANDBOX_GID,
  LAMBDA_SANDBOX_UID,
  lambdaEnvironment,
  type LambdaArch,
  type LambdaFunctionFacts,
} from '../lambda.js';
import { ActionError } from '../util/errors.js';
import { start, tailOf } from '../util/exec.js';
import { formatDuration } from '../util/format.js';
import type { Logger } from '../util/log.js';
import { startRuntimeApi, type RuntimeOutcome } from './runtime-api.js';
import { killThroughSudo, withSudoEnv } from './sudo-env.js';
import { bundleDecoys, prepareRoot, setupLines, unshareAttempts } from './verify.js';

/**
 * The local smoke test: the bundle itself, started as Lambda starts it, asked to answer one event.
 * The root is the loader check's (the bundle at the task root, decoys under every bundled soname in
 * /lib64 and /usr/lib64, /tmp, /proc, /dev), entered with unshare --root (a mount namespace, no PID
 * namespace: the bootstrap is not PID 1 on Lambda either); the program runs as
 * Lambda's sandbox user (when this runs as root) with Lambda's environment, the bundle's
 * runtime-environment variables and the function's own, under qemu-aarch64 for arm64 on another
 * machine, against a local Runtime API (runtime-api.ts) that hands it the payload. Everything it
 * starts is killed at the end; a time limit covers the whole run.
 */

export type SmokeVerdict = 'passed' | 'failed' | 'skipped';

export interface LocalSmokeTest {
  result: SmokeVerdict;
  /** Why it failed or was skipped. */
  reason?: string;
  /** Start to the first GET .../invocation/next. */
  initMs?: number;
  /** The event handed out (first GET .../next) to the response or error. */
  firstResponseMs?: number;
  /** The response (or error) body, up to 4 KiB. */
  response?: string;
  /** The tail of the program's stderr (else stdout). */
  outputTail?: string;
  /** Ran through qemu-aarch64. */
  emulated?: boolean;
}

export interface SmokeOptions {
  root: string;
  arch: LambdaArch;
  hostArch: LambdaArch | 'other';
  /** The bundle's sonames (decoys) and its loader's name. */
  decoys: readonly string[];
  payload: string;
  expect: string | undefined;
  timeoutMs: number;
  function: Omit<LambdaFunctionFacts, 'runtimeApi'>;
  /** The bundle's runtime-environment variables, then the function's own (input environment). */
  variables: Readonly<Record<string, string>>;
}

const TAIL_LINES = 30;

/** Setup failures of unshare or sudo (as opposed to the program failing to start inside the root). */
function isSetupFailure(stderr: string): boolean {
  return setupLines(stderr).some((l) => !/^(unshare|sudo): failed to execute/.test(l));
}

/** Best-effort character devices in the root's /dev, as Lambda has them (mknod needs root). */
async function makeDevices(dev: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (const [name, major, minor] of [
    ['null', 1, 3],
    ['zero', 1, 5],
    ['random', 1, 8],
    ['urandom', 1, 9],
  ] as const) {
    if (fs.existsSync(path.join(dev, name))) continue;
    const ok = await new Promise<boolean>((resolve) => {
      execFile('mknod', ['-m', '666', path.join(dev, name), 'c', String(major), String(minor)], (e) => {
        resolve(e === null);
      });
    });
    if (!ok) return; // not allowed here (a container without CAP_MKNOD)
  }
}

function outputTail(p: { stderr(): string; stdout(): string }): string {
  const err = p.stderr().trim();
  return tailOf(err === '' ? p.stdout() : err, TAIL_LINES);
}

/** What the runtime did, as a verdict. */
function judge(o: RuntimeOutcome, expectText: string | undefined): { ok: boolean; reason?: string } {
  if (o.kind === 'init-error')
    return {
      ok: false,
      reason: `the program reported an init error (${o.errorType ?? 'no error type'}): ${o.body.slice(0, 1000)}`,
    };
  if (o.kind === 'invocation-error')
    return {
      ok: false,
      reason: `the program answered the event with an invocation error (${o.errorType ?? 'no error type'}): ${o.body.slice(0, 1000)}`,
    };
  if (expectText !== undefined && !o.body.includes(expectText))
    return {
      ok: false,
      reason: `the response does not contain the expected text "${expectText}" (smoke-test-expect)`,
    };
  return { ok: true };
}

/** Runs the smoke test (see the file comment). Never throws for the program's failures: they are the verdict. */
export async function runLocalSmokeTest(o: SmokeOptions): Promise<LocalSmokeTest> {
  const prepared = await prepareRoot(o.root, { arch: o.arch, hostArch: o.hostArch, decoys: o.decoys });
  if ('reason' in prepared) return { result: 'skipped', reason: prepared.reason };
  await makeDevices(path.join(o.root, 'dev'));
  // No PID namespace: Lambda's bootstrap is not PID 1 (init is Lambda's own), and a PID 1 ignores
  // the signals it sends itself (a qemu-aarch64 re-raising a guest's SIGSEGV would hang).
  const inner = [
    '--mount',
    '--fork',
    '--kill-child',
    '--mount-proc=/proc',
    `--root=${o.root}`,
    `--wd=${o.function.taskRoot}`,
    ...prepared.prefix,
    `${o.function.taskRoot}/bootstrap`,
  ];
  const failures: string[] = [];
  const attempts = unshareAttempts(inner, {
    asSandboxUser: [`--setgid=${LAMBDA_SANDBOX_GID}`, `--setuid=${LAMBDA_SANDBOX_UID}`],
  });
  for (const [cmd, args] of attempts) {
    const r = await attempt(cmd, args, o);
    if (typeof r === 'string') {
      failures.push(r);
      continue;
    }
    return { ...r, ...(prepared.prefix.length > 0 ? { emulated: true } : {}) };
  }
  return { result: 'skipped', reason: `cannot create an isolated root here (${failures.join('; ')})` };
}

/** One way of entering the root; a string when that way cannot set it up (the next is tried). */
async function attempt(cmd: string, args: string[], o: SmokeOptions): Promise<LocalSmokeTest | string> {
  const arn = `arn:aws:lambda:${o.function.region}:000000000000:function:${o.function.functionName}`;
  const t0 = performance.now();
  const api = await startRuntimeApi({
    payload: o.payload,
    functionArn: arn,
    deadlineMs: Date.now() + o.timeoutMs,
  });
  const env = { ...o.variables, ...lambdaEnvironment({ ...o.function, runtimeApi: api.address }) };
  const how = await withSudoEnv(cmd, args, env, path.dirname(o.root));
  const proc = start(how.cmd, how.args, { cleanEnv: true, env });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        resolve('timeout');
      }, o.timeoutMs);
    });
    const first = await Promise.race([api.outcome, proc.done, timeout]);
    const firstNext = api.firstNextAt();
    const times = {
      ...(firstNext !== undefined ? { initMs: Math.round(firstNext - t0) } : {}),
    };
    if (first === 'timeout') {
      const where =
        firstNext === undefined ? 'before asking for the event (init)' : 'after it was handed the event';
      return {
        result: 'failed',
        reason: `no answer within ${o.timeoutMs / 1000} s (smoke-test-timeout-seconds): the program was still running ${where}`,
        ...times,
        outputTail: outputTail(proc),
      };
    }
    if ('kind' in first) {
      const verdict = judge(first, o.expect);
      return {
        result: verdict.ok ? 'passed' : 'failed',
        ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
        ...times,
        ...(firstNext !== undefined ? { firstResponseMs: Math.round(first.at - firstNext) } : {}),
        response: first.body.slice(0, 4096),
        outputTail: outputTail(proc),
      };
    }
    // The process ended before answering.
    if (api.requests.length === 0 && (first.error !== undefined || isSetupFailure(proc.stderr())))
      return first.error ?? (proc.stderr().trim().split('\n')[0] || `${cmd} could not set up the root`);
    const how = first.signal ? `was killed by ${first.signal}` : `exited with code ${first.code ?? '?'}`;
    return {
      result: 'failed',
      reason: `the program ${how} ${firstNext === undefined ? 'during init, before asking for an event' : 'before answering the event'} (Runtime.ExitError)`,
      ...times,
      outputTail: outputTail(proc),
    };
  } finally {
    clearTimeout(timer);
    proc.kill();
    if (how.viaSudo) await killThroughSudo(proc.pid);
    // A process the program started in a session of its own (a daemon, a sidecar) escapes the
    // process group; it would run on, and keep proc.done waiting while it holds stderr.
    await killProcessesRootedIn(o.root);
    await proc.done;
    await api.close();
    await how.cleanup();
  }
}

/** The processes whose root is the folder or inside it (those in the isolated root). */
function processesRootedIn(folder: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const root = fs.readlinkSync(`/proc/${pid}/root`);
      if (root === folder || root.startsWith(`${folder}/`)) out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** SIGKILLs every process in the isolated root, again until none is left (one may be forking). */
async function killProcessesRootedIn(root: string): Promise<void> {
  let folder: string;
  try {
    folder = fs.realpathSync(root);
  } catch {
    return;
  }
  for (let round = 0; round < 50; round++) {
    const pids = processesRootedIn(folder);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The decoys of the smoke test's root: every bundled library's name, and the loader's. */
export function smokeDecoys(
  entries: readonly { kind: string; name: string }[],
  interpreter: { name: string } | undefined,
): string[] {
  return [...bundleDecoys(entries), ...(interpreter ? [interpreter.name] : [])];
}

/** Says how the smoke test went; throws when it failed, or could not run and was required. */
export function reportLocalSmokeTest(
  r: LocalSmokeTest,
  o: { mode: string; payload: boolean },
  log: Logger,
): void {
  if (r.result === 'skipped') {
    if (o.mode === 'true')
      throw new ActionError(
        'Could not run the local smoke test',
        `local-smoke-test: true, but ${r.reason ?? 'it cannot run here'}. Set local-smoke-test: auto to skip it where the machine cannot run it. Nothing was uploaded.`,
      );
    if (o.payload && o.mode === 'auto')
      log.notice(`Local smoke test skipped: ${r.reason ?? 'not possible here'}.`, 'Local smoke test');
    else log.debug(`local smoke test skipped: ${r.reason ?? ''}`);
    return;
  }
  const times = `init ${r.initMs === undefined ? '-' : formatDuration(r.initMs)}, first response ${r.firstResponseMs === undefined ? '-' : formatDuration(r.firstResponseMs)}${r.emulated ? ' (under qemu-aarch64)' : ''}`;
  if (r.result === 'failed')
    throw new ActionError(
      'Local smoke test failed',
      `${r.reason ?? 'the program did not answer'} (${times}).\nThe program's output (last lines):\n${r.outputTail || '(nothing)'}\nThe bundle was run in a Lambda-like root against a local Runtime API with the event of smoke-test-payload; nothing was uploaded. Fix the program, or set local-smoke-test: false to skip this check.`,
    );
  log.info(`Local smoke test passed: ${times}. Response: ${(r.response ?? '').slice(0, 300)}`);
}
