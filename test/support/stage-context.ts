import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  createContext,
  emptyPostState,
  runnerInfo,
  type JobContext,
  type RunnerInfo,
} from '../../src/context.js';
import { parseInputs } from '../../src/inputs/parse.js';
import type { Log } from '../../src/host.js';
import { maskSecrets } from '../../src/action/main.js';
import { capturedLog, localEnv } from './pipeline.js';

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
  const { log, text } = capturedLog();
  const env = localEnv(opts.workspace, tempDir, opts.env);
  const all: Record<string, string> = { stages: 'install,cachix', ...inputs };
  const read = (n: string): string => all[n] ?? '';
  maskSecrets(read, log);
  const parsed = parseInputs(read, { workspace: opts.workspace, tempDir, env });
  const ctx = createContext(parsed, log, { ...runnerInfo(env), ...opts.runner }, emptyPostState());
  return { ctx, log, text, tempDir };
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
