import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMain, type RunOutcome } from '../../src/action/main.js';
import { capturedLog, localEnv } from './doubles.js';
import { NIX_CONFIG_LINES } from './nix.js';

/**
 * Runs the action's main step in this process, as the local command does: inputs from a
 * record, a plain-text log captured into a string, RUNNER_TEMP in a fresh folder.
 */
export interface PipelineRun extends RunOutcome {
  log: string;
  outputs: Map<string, string>;
  tempDir: string;
}

export async function runPipeline(
  inputs: Record<string, string>,
  opts: { workspace?: string; env?: Record<string, string>; tempDir?: string } = {},
): Promise<PipelineRun> {
  process.env['NIX_CONFIG'] = NIX_CONFIG_LINES.join('\n');
  const tempDir = opts.tempDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
  const { log, text } = capturedLog();
  const env = localEnv(opts.workspace ?? process.cwd(), tempDir, opts.env);
  const outcome = await runMain({ read: (n) => inputs[n] ?? '', log, env });
  return { ...outcome, log: text(), outputs: log.outputs, tempDir };
}
