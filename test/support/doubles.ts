import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { DeployEnv, DeployOptions } from '../../src/deploy/types.js';
import { consoleLog, type Log } from '../../src/host.js';
import type { ConfigInputs, DeployInputs } from '../../src/inputs/deploy.js';
import type { LambdaArch } from '../../src/lambda.js';
import { codeSha256 } from '../../src/util/hash.js';

/**
 * The test doubles of the action's own interfaces, in one place: logs that keep what is said,
 * and the inputs and environment of a deploy. (Fake services — the Lambda API, Cachix, the Actions
 * cache, an installer — are in their own files of test/support.)
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
    clients: { lambda: new LambdaClient({ region: 'us-east-1' }), s3: new S3Client({ region: 'us-east-1' }) },
    inputs: o.inputs,
    log: memoryLog(),
    zip: {
      path: 'z.zip',
      bytes: o.zipBytes,
      codeSha256: codeSha256(o.zipBytes),
      architecture: o.architecture,
      runtimeEnv: {},
    },
    opts: o.opts,
    uploads: new Map(),
  };
}
