/**
 * What this action knows about AWS Lambda (a module of constants and pure functions that imports
 * nothing else from src/): its architectures, the OS-only runtimes, the package and setting limits,
 * the environment a bootstrap starts in, and the variables Lambda reserves.
 * Sources: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html.
 */

/** Lambda's names for the architectures it runs. */
export const LAMBDA_ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type LambdaArch = (typeof LAMBDA_ARCHITECTURES)[number];

/** A function created without Architectures runs on x86_64 (GetFunction then omits the field). */
export const DEFAULT_ARCHITECTURE: LambdaArch = 'x86_64';

/** The ELF e_machine of each architecture: EM_X86_64 and EM_AARCH64. */
export const ELF_MACHINE: Readonly<Record<LambdaArch, number>> = { x86_64: 62, arm64: 183 };

/** Lambda's architecture for an ELF e_machine; undefined for a machine Lambda does not run. */
export function lambdaArchOf(machine: number): LambdaArch | undefined {
  return LAMBDA_ARCHITECTURES.find((a) => ELF_MACHINE[a] === machine);
}

/** Lambda's architecture for Node's os.arch(); undefined for any other. */
export function lambdaArchOfNode(arch: string): LambdaArch | undefined {
  return arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'arm64' : undefined;
}

/** The OS-only runtimes, which run /var/task/bootstrap; the first is the one to create functions with. */
export const LAMBDA_RUNTIMES = ['provided.al2023', 'provided.al2'] as const;
export type LambdaRuntime = (typeof LAMBDA_RUNTIMES)[number];
/** Runtimes Lambda has deprecated (Amazon Linux 2). */
export const DEPRECATED_RUNTIMES: readonly LambdaRuntime[] = ['provided.al2'];
/** The handler of a custom runtime: the file Lambda starts. */
export const BOOTSTRAP = 'bootstrap';

/** The largest zip UpdateFunctionCode and CreateFunction take in the request (ZipFile). */
export const LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024;
/** The largest deployment package unzipped, layers included. */
export const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;

/** Settings a function takes, and their ranges. */
export const MEMORY_SIZE_MB = { min: 128, max: 10240 } as const;
export const TIMEOUT_SECONDS = { min: 1, max: 900 } as const;
export const EPHEMERAL_STORAGE_MB = { min: 512, max: 10240, default: 512 } as const;
export const MAX_LAYERS = 5;
export const MAX_DESCRIPTION_LENGTH = 256;

/** Where the zip is unpacked. */
export const LAMBDA_TASK_ROOT = '/var/task';
/** LD_LIBRARY_PATH as a provided runtime's bootstrap finds it: Amazon Linux's /lib64 comes before the task root. */
export const LAMBDA_LD_LIBRARY_PATH =
  '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';
/** PATH as a provided runtime's bootstrap finds it. */
export const LAMBDA_PATH = '/usr/local/bin:/usr/bin/:/bin:/opt/bin';

/** Variables Lambda reserves: setting one fails the configuration update. */
export const RESERVED_ENVIRONMENT: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** Lambda's sandbox user and group on provided runtimes (sbx_user1051): files must be world-readable. */
export const LAMBDA_SANDBOX_UID = 993;
export const LAMBDA_SANDBOX_GID = 990;

/** What the environment of a function names: the function, its Region and memory, where it runs. */
export interface LambdaFunctionFacts {
  functionName: string;
  region: string;
  memoryMb: number;
  taskRoot: string;
  /** "HOST:PORT" of the Runtime API. */
  runtimeApi: string;
}

/**
 * The environment Lambda starts a provided.al2023 bootstrap with (the runtime's reserved variables;
 * the function's own variables and the execution role's credentials are added by Lambda besides).
 */
export function lambdaEnvironment(f: LambdaFunctionFacts): Record<string, string> {
  return {
    LD_LIBRARY_PATH: LAMBDA_LD_LIBRARY_PATH,
    PATH: LAMBDA_PATH,
    LAMBDA_TASK_ROOT: f.taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: BOOTSTRAP,
    AWS_REGION: f.region,
    AWS_DEFAULT_REGION: f.region,
    AWS_LAMBDA_FUNCTION_NAME: f.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(f.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${f.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local/[$LATEST]00000000000000000000000000000000',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_RUNTIME_API: f.runtimeApi,
  };
}
