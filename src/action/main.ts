import { createContext, emptyPostState, runnerInfo, type JobContext } from '../context.js';
import { ActionError, errorMessage } from '../util/errors.js';
import { logCommandsTo } from '../util/exec.js';
import { registerSecret, scrubSecrets, secretParts } from '../util/secrets.js';
import { parseInputs } from '../inputs/parse.js';
import { SECRET_INPUTS, type InputReader } from '../inputs/read.js';
import { actionsLog, readInput, type Log } from '../host.js';
import { summaryOutputs } from './outputs.js';
import { runStages } from './pipeline.js';
import { runPost } from './post.js';
import { onTermination } from '../util/signals.js';
import { loadPostState, markMainStep, savePostState } from './state.js';
import { isPostStep } from './step.js';
import { collectSummary, renderSummary } from './summary.js';

/** Masks every secret input before anything else can print or pass it on. */
export function maskSecrets(read: InputReader, log: Log): void {
  for (const name of SECRET_INPUTS)
    for (const part of secretParts(read(name))) {
      log.setSecret(part);
      registerSecret(part);
    }
}

/** Reports a failure: an annotation with a title (and a .nix location when known). */
export function reportFailure(log: Log, err: unknown): string {
  const message = scrubSecrets(errorMessage(err));
  if (err instanceof ActionError) {
    const props: { title: string; file?: string; line?: number } = { title: err.title };
    if (err.file !== undefined) props.file = err.file;
    if (err.line !== undefined) props.line = err.line;
    log.error(message, props);
  } else {
    log.error(message, { title: 'Unexpected error' });
    if (err instanceof Error && err.stack) log.debug(scrubSecrets(err.stack));
  }
  return message;
}

export interface RunOptions {
  read?: InputReader;
  log?: Log;
  env?: NodeJS.ProcessEnv;
}

export interface RunOutcome {
  /** Undefined when the inputs were invalid (nothing ran). */
  ctx: JobContext | undefined;
  /** The failure, already reported to the log. */
  error?: unknown;
}

/** The main step: parse every input, then run the selected stages. Reports failures to the log; never throws. */
export async function runMain(opts: RunOptions = {}): Promise<RunOutcome> {
  const read = opts.read ?? readInput;
  const log = opts.log ?? actionsLog;
  const env = opts.env ?? process.env;
  maskSecrets(read, log);
  logCommandsTo((line) => {
    log.debug(line);
  });
  const runner = runnerInfo(env);
  let inputs;
  try {
    inputs = parseInputs(read, { workspace: runner.workspace, tempDir: runner.tempDir, env });
  } catch (err) {
    reportFailure(log, err);
    await finishSummary(undefined, log, err);
    return { ctx: undefined, error: err };
  }
  const ctx = createContext(inputs, log, runner, emptyPostState());
  // A cancelled job (the runner sends SIGINT, then SIGTERM) still runs the post step: leave it
  // the state it needs to remove the secret files written so far.
  const stopSaving = runner.isActions
    ? onTermination(() => {
        savePostState(ctx.post);
      })
    : undefined;
  let error: unknown;
  try {
    await runStages(ctx);
  } catch (err) {
    error = err;
    reportFailure(log, err);
  } finally {
    stopSaving?.();
  }
  if (runner.isActions) savePostState(ctx.post);
  await finishSummary(ctx, log, error);
  return error === undefined ? { ctx } : { ctx, error };
}

function describeError(err: unknown): { title: string; message: string } {
  return {
    title: err instanceof ActionError ? err.title : 'Unexpected error',
    message: scrubSecrets(errorMessage(err)),
  };
}

/** The job summary and the summary-json output; a failure to write them is only a warning. */
async function finishSummary(ctx: JobContext | undefined, log: Log, error: unknown): Promise<void> {
  const err = error === undefined ? undefined : describeError(error);
  const data = ctx
    ? collectSummary(ctx, err)
    : { ok: false, ...(err ? { error: err } : {}), stages: [], deployments: [] };
  if (ctx) ctx.setOutputs(summaryOutputs(data));
  try {
    await log.writeSummary(renderSummary(data));
  } catch (e) {
    log.warning(`could not write the job summary: ${errorMessage(e)}`);
  }
}

/** Entry point of dist/index.js when a runner (or act) runs it. */
export async function runAction(): Promise<void> {
  if (isPostStep()) {
    await runPost(loadPostState(), actionsLog);
    return;
  }
  markMainStep();
  const { error } = await runMain();
  if (error !== undefined) process.exitCode = 1;
}

/** The entry point @github/local-action calls (`local-action . src/action/main.ts .env`). */
export async function run(): Promise<void> {
  await runAction();
}
