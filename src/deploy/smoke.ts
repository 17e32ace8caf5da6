import { InvokeCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import type { SmokeTestInputs } from '../inputs/smoke-test.js';
import { ActionError } from '../util/errors.js';
import { formatBytes, formatDuration } from '../util/format.js';
import type { Logger } from '../util/log.js';
import { scrubSecrets } from '../util/secrets.js';
import { awsError, isAwsError, PERMISSIONS } from './aws-errors.js';
import type { DeployEnv, SmokeTestReport } from './types.js';

/**
 * The smoke test: after publishing, Invoke the new version itself (Qualifier = the version,
 * RequestResponse, LogType Tail) with smoke-test-payload, before the alias moves. A FunctionError,
 * a status other than 200, no answer within smoke-test-timeout-seconds, or a response without
 * smoke-test-expect fails it; the caller then leaves the alias where it was. The function's error
 * and the end of its log (X-Amz-Log-Result) go to the log, the error and the job summary.
 */

/** How much of the response a report keeps. */
const RESPONSE_KEEP = 4096;
/** How many lines of the log tail an error message carries (the log and the summary have it all). */
const TAIL_LINES_IN_ERROR = 20;

/** What Invoke returned, as far as the smoke test looks (InvokeCommandOutput's fields). */
export interface Invocation {
  StatusCode?: number | undefined;
  FunctionError?: string | undefined;
  Payload?: Uint8Array | undefined;
  /** base64 of the end of the log (LogType Tail). */
  LogResult?: string | undefined;
  ExecutedVersion?: string | undefined;
}

/** The invocation's answer judged against the inputs (a pure function of what Invoke returned). */
export function judgeInvocation(
  out: Invocation,
  test: Pick<SmokeTestInputs, 'expect'>,
  at: { fn: string; version: string; durationMs: number },
): SmokeTestReport {
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  const logTail = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '';
  let reason = '';
  if (out.FunctionError)
    reason = `the function returned an error (FunctionError ${out.FunctionError}): ${oneLine(text) || '(no payload)'}`;
  else if (out.StatusCode !== 200)
    reason = `Invoke answered with status ${out.StatusCode ?? 'none'}, not 200`;
  else if (out.ExecutedVersion && out.ExecutedVersion !== at.version)
    reason = `Lambda ran version ${out.ExecutedVersion}, not version ${at.version}`;
  else if (test.expect !== undefined && !text.includes(test.expect))
    reason = `the response does not contain the expected text ${JSON.stringify(test.expect)} (smoke-test-expect)`;
  return {
    function: at.fn,
    version: at.version,
    result: reason ? 'failed' : 'passed',
    reason: scrubSecrets(reason),
    statusCode: out.StatusCode,
    functionError: out.FunctionError ?? '',
    response: scrubSecrets(cut(text)),
    logTail: scrubSecrets(logTail),
    durationMs: at.durationMs,
  };
}

/** A smoke test whose Invoke did not answer: timed out, throttled to the end, refused. */
export function failedInvocation(
  err: unknown,
  test: Pick<SmokeTestInputs, 'timeoutSeconds'>,
  at: { fn: string; version: string; durationMs: number; timedOut: boolean },
): SmokeTestReport {
  const { name, message, status } = awsError(err);
  let reason: string;
  if (at.timedOut)
    reason = `no answer within ${test.timeoutSeconds} s (smoke-test-timeout-seconds); the invocation was abandoned`;
  else if (name === 'TooManyRequestsException')
    reason = `Invoke was throttled (TooManyRequestsException) on every attempt, so the version never ran: ${message}. Raise the function's concurrency (or the account's), or re-run later`;
  else if (name === 'AccessDeniedException' || status === 403)
    reason = `Invoke was denied: the deploy role needs ${PERMISSIONS['Invoke'] ?? 'lambda:InvokeFunction'} on the function's versions. AWS said: ${message}`;
  else reason = `Invoke failed: ${name}: ${message}`;
  return {
    function: at.fn,
    version: at.version,
    result: 'failed',
    reason: scrubSecrets(reason),
    statusCode: undefined,
    functionError: '',
    response: '',
    logTail: '',
    durationMs: at.durationMs,
  };
}

/**
 * Runs the smoke test of `version` (when smoke-test-payload is set): records the report in
 * env.smokeTests, logs it, and throws a titled error when it failed. Returns whether it ran.
 */
export async function smokeTest(
  env: DeployEnv,
  fn: string,
  version: string,
  o: { created?: boolean } = {},
): Promise<boolean> {
  const test = env.inputs.smokeTest;
  if (test?.payload === undefined) return false;
  env.log.info(
    `${fn}: smoke test: Invoke version ${version} with smoke-test-payload (${formatBytes(Buffer.byteLength(test.payload))}), at most ${test.timeoutSeconds} s`,
  );
  const report = await invoke(env, fn, version, test as SmokeTestInputs & { payload: string });
  env.smokeTests.set(fn, report);
  logReport(env.log, report);
  if (report.result === 'failed') throw smokeTestError(report, env.inputs.alias, o);
  return true;
}

/** Invoke within the time limit; a version not Active yet (409) is waited for once, within the same limit. */
async function invoke(
  env: DeployEnv,
  fn: string,
  version: string,
  test: SmokeTestInputs & { payload: string },
): Promise<SmokeTestReport> {
  const t0 = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => {
    abort.abort();
  }, test.timeoutSeconds * 1000);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await env.clients.invoke.send(
          new InvokeCommand({
            FunctionName: fn,
            Qualifier: version,
            InvocationType: 'RequestResponse',
            LogType: 'Tail',
            Payload: Buffer.from(test.payload),
          }),
          { abortSignal: abort.signal },
        );
        return judgeInvocation(out, test, { fn, version, durationMs: performance.now() - t0 });
      } catch (err) {
        if (attempt === 1 && !abort.signal.aborted && isAwsError(err, 'ResourceConflictException')) {
          await waitForVersion(env, fn, version, { err, abortSignal: abort.signal, test });
          continue;
        }
        const durationMs = performance.now() - t0;
        return failedInvocation(err, test, { fn, version, durationMs, timedOut: abort.signal.aborted });
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** A version Lambda cannot invoke yet (State Pending): GetFunction polls until it is Active, or the limit. */
async function waitForVersion(
  env: DeployEnv,
  fn: string,
  version: string,
  o: { err: unknown; abortSignal: AbortSignal; test: SmokeTestInputs },
): Promise<void> {
  env.log.info(
    `${fn}: version ${version} cannot be invoked yet (${awsError(o.err).message}); waiting until it is Active.`,
  );
  const minDelay = env.opts.pollDelaySeconds;
  await waitUntilFunctionActiveV2(
    {
      client: env.clients.lambda,
      minDelay,
      maxDelay: Math.max(minDelay, env.opts.pollMaxDelaySeconds),
      maxWaitTime: Math.max(o.test.timeoutSeconds, minDelay * 2),
      abortSignal: o.abortSignal,
    },
    { FunctionName: fn, Qualifier: version },
  ).catch(() => undefined); // the Invoke after it says what is wrong
}

function logReport(log: Logger, r: SmokeTestReport): void {
  const took = formatDuration(r.durationMs);
  if (r.result === 'passed')
    log.info(
      `${r.function}: smoke test of version ${r.version} passed in ${took} (status ${r.statusCode ?? '?'}, ${formatBytes(Buffer.byteLength(r.response))} of response)`,
    );
  else log.info(`${r.function}: smoke test of version ${r.version} FAILED after ${took}: ${r.reason}`);
  if (r.result === 'failed' && r.response) log.info(`${r.function}: response: ${r.response}`);
  if (r.logTail) {
    log.info(`${r.function}: log tail of version ${r.version} (X-Amz-Log-Result):`);
    for (const line of r.logTail.replace(/\n$/, '').split('\n')) log.info(`  | ${line}`);
  }
}

/**
 * The failure: what failed, where the alias stays, the error and the end of the log. `created`: the
 * function was created by this deploy, so it exists now and its alias does not.
 */
export function smokeTestError(
  r: SmokeTestReport,
  alias: string,
  o: { created?: boolean } = {},
): ActionError {
  const kept = `Version ${r.version} stays published (and $LATEST holds its code); fix the code and deploy again.`;
  const lines = [
    `${r.function}: version ${r.version} failed its smoke test: ${r.reason}.`,
    o.created
      ? `${r.function} was created by this deploy and stays${alias ? `; alias ${alias} was not created` : ''}. ${kept}`
      : alias
        ? `Alias ${alias} was not moved: it is as it was before this deploy. ${kept}`
        : kept,
  ];
  const tail = r.logTail.replace(/\n$/, '').split('\n').filter(Boolean);
  if (tail.length > 0) {
    const shown = tail.slice(-TAIL_LINES_IN_ERROR);
    lines.push(
      `Log tail${shown.length < tail.length ? ` (last ${shown.length} lines)` : ''}:`,
      ...shown.map((l) => `  ${l}`),
    );
  }
  return new ActionError('Smoke test failed', lines.join('\n'));
}

function oneLine(s: string): string {
  return cut(s.replace(/\s*\n\s*/g, ' ').trim(), 1000);
}

function cut(s: string, max = RESPONSE_KEEP): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}
