import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { maskSecrets } from '../../src/action/main.js';
import {
  createContext,
  emptyPostState,
  runnerInfo,
  type JobContext,
  type RunnerInfo,
} from '../../src/context.js';
import type { DeployEnv, DeployOptions } from '../../src/deploy/types.js';
import { consoleLog, type Log } from '../../src/host.js';
import { parseInputs } from '../../src/inputs/parse.js';
import type { ConfigInputs, DeployInputs } from '../../src/inputs/deploy.js';
import type { LambdaArch } from '../../src/lambda.js';
import { codeSha256 } from '../../src/util/hash.js';

/**
 * The test doubles of the action's own interfaces, in one place: logs that keep what is said, job
 * contexts for calling a stage in this process, and the inputs and environment of a deploy.
 * (Fake services and spies are in their own files of test/support: the Lambda API, Cachix and
 * HTTP files, the Actions cache, an installer, the argv recorder, the barrier proxy.)
 */

export interface MemoryLog extends Log {
  lines: string[];
  warnings: string[];
  secrets: string[];
  text(): string;
}

/** A log that keeps every line (warnings apart) and the values masked. */
export function memoryLog(): MemoryLog {
  const lines: string[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];
  return {
    lines,
    warnings,
    secrets,
    text: () => [...lines, ...warnings].join('\n'),
    info: (m) => lines.push(m),
    debug: (m) => lines.push(`debug: ${m}`),
    notice: (m) => lines.push(`notice: ${m}`),
    warning: (m) => warnings.push(m),
    error: (m) => lines.push(`error: ${m}`),
    group: async (_n, fn) => fn(),
    setOutput: () => undefined,
    setSecret: (v) => secrets.push(v),
    exportVariable: () => undefined,
    addPath: () => undefined,
    writeSummary: () => Promise.resolve(),
  };
}

/** A plain-text log (as the local command prints it, debug lines included) captured into a string. */
export function capturedLog(): { log: ReturnType<typeof consoleLog>; text: () => string } {
  let text = '';
  const stream = {
    write: (s: string): boolean => {
      text += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  return { log: consoleLog({ verbose: true, stream }), text: () => text };
}

/** Configuration inputs that set nothing. */
export const NO_CONFIGURATION: ConfigInputs = {
  memorySize: undefined,
  timeout: undefined,
  environment: undefined,
  environmentMode: 'merge',
  description: undefined,
  layers: undefined,
  ephemeralStorage: undefined,
};

/** Deploy inputs for one function, as parseInputs gives them with the defaults; `over` changes some. */
export function deployInputs(over: Partial<DeployInputs> = {}): DeployInputs {
  return {
    functionNames: ['api'],
    awsRegion: 'us-east-1',
    zipPath: 'function.zip',
    publish: false,
    alias: '',
    skipUnchanged: true,
    dryRun: false,
    wait: true,
    waitTimeoutSeconds: 300,
    s3: undefined,
    roleToAssume: '',
    allowedAccountIds: [],
    architectureChange: 'refuse',
    keepVersions: undefined,
    smokeTest: undefined,
    create: undefined,
    configuration: NO_CONFIGURATION,
    ...over,
  };
}

/** A deploy's environment around SDK clients that aws-sdk-client-mock intercepts. */
export function mockDeployEnv(o: {
  zipBytes: Buffer;
  architecture: LambdaArch;
  inputs: DeployInputs;
  opts: DeployOptions;
}): DeployEnv {
  return {
    clients: {
      lambda: new LambdaClient({ region: 'us-east-1' }),
      invoke: new LambdaClient({ region: 'us-east-1' }),
      s3: new S3Client({ region: 'us-east-1' }),
      sts: new STSClient({ region: 'us-east-1' }),
    },
    inputs: o.inputs,
    log: memoryLog(),
    zip: {
      path: 'z.zip',
      bytes: o.zipBytes,
      codeSha256: codeSha256(o.zipBytes),
      architecture: o.architecture,
      unzippedBytes: o.zipBytes.length,
      runtimeEnv: {},
    },
    opts: o.opts,
    uploads: new Map(),
    smokeTests: new Map(),
  };
}

/**
 * A job context as the main step makes it (secrets masked first, every input parsed), for calling
 * one stage in this process. `values` are the inputs given (the others take their defaults).
 */
export function jobContext<L extends Log>(
  values: Record<string, string>,
  o: { workspace: string; tempDir: string; env?: NodeJS.ProcessEnv; runner?: Partial<RunnerInfo>; log: L },
): JobContext & { log: L } {
  const read = (n: string): string => values[n] ?? '';
  maskSecrets(read, o.log);
  const env = o.env ?? { GITHUB_WORKSPACE: o.workspace, RUNNER_TEMP: o.tempDir };
  const inputs = parseInputs(read, { workspace: o.workspace, tempDir: o.tempDir, env });
  return createContext(inputs, o.log, { ...runnerInfo(env), ...o.runner }, emptyPostState()) as JobContext & {
    log: L;
  };
}

/** This process's environment as a run outside GitHub sees it, with the workspace and RUNNER_TEMP given. */
export function localEnv(
  workspace: string,
  tempDir: string,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: tempDir,
    ...extra,
  };
  delete env['GITHUB_ACTIONS'];
  return env;
}

export interface StageContext {
  ctx: JobContext;
  log: Log;
  text: () => string;
  tempDir: string;
}

/**
 * A job context for the install and cachix stages (the default stages), or the post step, outside
 * GitHub, in a fresh RUNNER_TEMP, with the plain-text log captured.
 */
export function stageContext(
  inputs: Record<string, string>,
  opts: { workspace: string; env?: Record<string, string>; runner?: Partial<RunnerInfo> },
): StageContext {
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-'));
  const { log, text } = capturedLog();
  const ctx = jobContext(
    { stages: 'install,cachix', ...inputs },
    {
      workspace: opts.workspace,
      tempDir,
      env: localEnv(opts.workspace, tempDir, opts.env),
      ...(opts.runner ? { runner: opts.runner } : {}),
      log,
    },
  );
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
