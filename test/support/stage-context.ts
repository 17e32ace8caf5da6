import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createContext, runnerInfo, type JobContext, type RunnerInfo } from '../../src/context.js';
import { registerSecret } from '../../src/exec.js';
import { parseInputs, SECRET_INPUTS } from '../../src/inputs.js';
import { consoleLog, type Log } from '../../src/log.js';
import { emptyPostState } from '../../src/state.js';

/**
 * A job context for calling one stage (or the post step) in-process, with a plain-text log
 * captured into a string. Secrets are registered as main.ts does.
 */

export interface StageContext {
  ctx: JobContext;
  log: Log;
  text: () => string;
  tempDir: string;
}

export function stageContext(
  inputs: Record<string, string>,
  opts: { workspace: string; env?: Record<string, string>; runner?: Partial<RunnerInfo> },
): StageContext {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-'));
  let text = '';
  const stream = {
    write: (s: string): boolean => {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const log = consoleLog({ verbose: true, stream });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: tempDir,
    ...opts.env,
  };
  delete env['GITHUB_ACTIONS'];
  const all: Record<string, string> = { stages: 'install,cachix', ...inputs };
  const read = (n: string): string => all[n] ?? '';
  for (const name of SECRET_INPUTS) {
    const v = read(name).trim();
    if (v) {
      log.setSecret(v);
      registerSecret(v);
    }
  }
  const parsed = parseInputs(read, { workspace: opts.workspace, tempDir, env });
  const ctx = createContext(parsed, log, { ...runnerInfo(env), ...opts.runner }, emptyPostState());
  return { ctx, log, text: () => text, tempDir };
}

/** Snapshot of process.env; the returned function puts it back. */
export function saveProcessEnv(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) Reflect.deleteProperty(process.env, k);
    Object.assign(process.env, saved);
  };
}

/** A workspace with a flake.nix (the inputs require one; install-only runs never evaluate it). */
export function dummyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-'));
  fs.writeFileSync(path.join(dir, 'flake.nix'), '{ outputs = { self }: { }; }\n');
  return dir;
}
