import {
  EPHEMERAL_STORAGE_MB,
  LAMBDA_RUNTIMES,
  MAX_DESCRIPTION_LENGTH,
  MAX_LAYERS,
  MEMORY_SIZE_MB,
  RESERVED_ENVIRONMENT,
  TIMEOUT_SECONDS,
  type LambdaRuntime,
} from '../lambda.js';
import { splitList, type InputSource } from './read.js';
import type { SmokeTestInputs } from './smoke-test.js';

/**
 * The deploy stage's inputs, parsed when deploy is among the stages. What the types say was
 * checked here, once: there is at least one function and a Region, an S3 key comes with its
 * bucket, and a function to create has its execution role.
 */
export interface DeployInputs {
  functionNames: [string, ...string[]];
  awsRegion: string;
  /** The zip to deploy when the package stage does not run (it exists). */
  zipPath: string;
  publish: boolean;
  /** The alias to point at the published version, or ''. */
  alias: string;
  skipUnchanged: boolean;
  dryRun: boolean;
  wait: boolean;
  waitTimeoutSeconds: number;
  /** The zip goes through S3 (s3-bucket, and s3-key or '' for the default key). */
  s3: { bucket: string; key: string } | undefined;
  roleToAssume: string;
  /** allowed-account-ids: the accounts the deploy may change (empty: no guard). */
  allowedAccountIds: string[];
  /** architecture-change: refuse a function of the other architecture, or change it with the code. */
  architectureChange: 'refuse' | 'update';
  /** keep-versions: published versions to keep (newest first); undefined keeps them all. */
  keepVersions: number | undefined;
  /** The smoke test of each published version before its alias moves (smoke-test-payload set). */
  smokeTest: SmokeTestInputs | undefined;
  /** create: true, with what a new function needs. */
  create: CreateInputs | undefined;
  configuration: ConfigInputs;
}

/** A function created by the deploy (create: true). */
export interface CreateInputs {
  /** The execution role (input role). */
  role: string;
  runtime: LambdaRuntime;
}

/** Configuration that travels with the code: undefined leaves the function's setting alone. */
export interface ConfigInputs {
  memorySize: number | undefined;
  timeout: number | undefined;
  environment: Record<string, string> | undefined;
  environmentMode: 'merge' | 'replace';
  description: string | undefined;
  /** [] removes every layer. */
  layers: string[] | undefined;
  ephemeralStorage: number | undefined;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_ARN = /^(arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:)?\d{12}:function:[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ALIAS = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:layer:[A-Za-z0-9_-]{1,140}:\d+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
const ACCOUNT_ID = /^\d{12}$/;
/** Versions keep-versions may keep (Lambda has no limit on their number; its limit is on code storage). */
const KEEP_VERSIONS = { min: 1, max: 10000 } as const;

/**
 * Checks every deploy input (whatever the stages); returns the deploy stage's inputs when it runs
 * (deploying), else undefined.
 */
export function parseDeployInputs(
  src: InputSource,
  o: { deploying: boolean; zipPath: string; env: NodeJS.ProcessEnv; smokeTest: SmokeTestInputs },
): DeployInputs | undefined {
  const functionNames = parseFunctionNames(src);
  const awsRegion = parseRegion(src, functionNames, o.env);
  const publish = src.bool('publish');
  const alias = src.get('alias');
  if (alias && !ALIAS.test(alias))
    src.bad('alias', `"${alias}" is not an alias name (letters, digits, - and _, not only digits).`);
  if (alias && !publish)
    src.bad('alias', 'an alias points at a published version: set `publish: true` as well.');
  const skipUnchanged = src.bool('skip-unchanged');
  const dryRun = src.bool('dry-run');
  const wait = src.bool('wait');
  const waitTimeoutSeconds = src.int('wait-timeout-seconds', { min: 1, max: 3600 }) ?? 300;
  const s3 = parseS3(src);
  const roleToAssume = src.get('role-to-assume');
  if (roleToAssume && !ROLE_ARN.test(roleToAssume))
    src.bad('role-to-assume', `"${roleToAssume}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
  const guards = parseGuards(src, { functionNames, roleToAssume, publish, ...o });
  const create = parseCreate(src, o.deploying);
  const configuration = parseConfiguration(src);
  if (!o.deploying) return undefined;
  const [first, ...more] = functionNames;
  if (first === undefined)
    src.bad(
      'function-name',
      'the deploy stage needs a function: set `function-name`, or leave deploy out of `stages` to build and package only.',
    );
  else if (!awsRegion)
    src.bad(
      'aws-region',
      'no Region: set `aws-region`, or AWS_REGION (aws-actions/configure-aws-credentials sets it).',
    );
  if (first === undefined) return undefined;
  return {
    functionNames: [first, ...more],
    awsRegion,
    zipPath: o.zipPath,
    publish,
    alias,
    skipUnchanged,
    dryRun,
    wait,
    waitTimeoutSeconds,
    s3,
    roleToAssume,
    ...guards,
    create,
    configuration,
  };
}

type Guards = Pick<DeployInputs, 'allowedAccountIds' | 'architectureChange' | 'keepVersions' | 'smokeTest'>;

/**
 * What protects the functions: the accounts allowed (function and role ARNs name theirs, checked
 * here, before any call), the architecture change, old versions, and the smoke test (it invokes
 * the published version, so it needs publish).
 */
function parseGuards(
  src: InputSource,
  o: {
    functionNames: readonly string[];
    roleToAssume: string;
    publish: boolean;
    deploying: boolean;
    smokeTest: SmokeTestInputs;
  },
): Guards {
  const allowedAccountIds = splitList(src.get('allowed-account-ids'));
  for (const id of allowedAccountIds)
    if (!ACCOUNT_ID.test(id))
      src.bad('allowed-account-ids', `"${id}" is not an AWS account ID (12 digits, such as 123456789012).`);
  if (allowedAccountIds.length > 0) {
    const named = [
      ...o.functionNames.map((f) => ({ what: `function ${f}`, account: /(\d{12}):function:/.exec(f)?.[1] })),
      {
        what: `role-to-assume ${o.roleToAssume}`,
        account: /^arn:[^:]+:iam::(\d{12}):/.exec(o.roleToAssume)?.[1],
      },
    ];
    for (const { what, account } of named)
      if (account !== undefined && !allowedAccountIds.includes(account))
        src.bad(
          'allowed-account-ids',
          `${what} is in account ${account}, which is not listed (${allowedAccountIds.join(', ')}): fix the ARN, or add the account.`,
        );
  }
  const architectureChange = src.oneOf('architecture-change', ['refuse', 'update'] as const);
  const keepVersions = src.int('keep-versions', KEEP_VERSIONS);
  if (keepVersions !== undefined && !o.publish)
    src.bad(
      'keep-versions',
      'old versions are removed after a new one is published: set `publish: true` as well.',
    );
  const smokeTest = o.smokeTest.payload === undefined ? undefined : o.smokeTest;
  if (smokeTest && o.deploying && !o.publish)
    src.bad(
      'smoke-test-payload',
      'the smoke test invokes the published version before the alias moves: set `publish: true` as well (or leave deploy out of `stages`).',
    );
  return { allowedAccountIds, architectureChange, keepVersions, smokeTest };
}

function parseFunctionNames(src: InputSource): string[] {
  const functionNames = splitList(src.get('function-name'));
  for (const f of functionNames)
    if (!FUNCTION_NAME.test(f) && !FUNCTION_ARN.test(f))
      src.bad(
        'function-name',
        `"${f}" is not a function name (letters, digits, - and _, at most 64) or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, without a version or alias).`,
      );
  if (new Set(functionNames).size !== functionNames.length)
    src.bad('function-name', 'lists a function twice.');
  return functionNames;
}

/** aws-region, else AWS_REGION or AWS_DEFAULT_REGION, else the Region of a function ARN; '' when none. */
function parseRegion(src: InputSource, functionNames: readonly string[], env: NodeJS.ProcessEnv): string {
  let awsRegion = src.get('aws-region') || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || '';
  if (!awsRegion) {
    const fromArn = functionNames.map((f) => /^arn:aws[a-z-]*:lambda:([^:]+):/.exec(f)?.[1]).find(Boolean);
    if (fromArn) awsRegion = fromArn;
  }
  if (awsRegion && !REGION.test(awsRegion))
    src.bad('aws-region', `"${awsRegion}" is not an AWS Region such as us-east-1.`);
  return awsRegion;
}

function parseS3(src: InputSource): DeployInputs['s3'] {
  const bucket = src.get('s3-bucket');
  const key = src.get('s3-key');
  if (bucket && (!BUCKET.test(bucket) || bucket.includes('..')))
    src.bad('s3-bucket', `"${bucket}" is not an S3 bucket name (the name only, not s3:// or an ARN).`);
  if (key && !bucket) src.bad('s3-key', 'set `s3-bucket` too; the key names an object inside that bucket.');
  if (key && (key.startsWith('/') || key.length > 1024))
    src.bad('s3-key', 'must be a relative object key of at most 1024 characters.');
  return bucket ? { bucket, key } : undefined;
}

/** create, runtime and role: a function to create needs its execution role (when deploy runs). */
function parseCreate(src: InputSource, deploying: boolean): CreateInputs | undefined {
  const create = src.bool('create');
  const runtime = src.oneOf('runtime', LAMBDA_RUNTIMES);
  const role = src.get('role');
  if (role && !ROLE_ARN.test(role))
    src.bad('role', `"${role}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
  if (create && !role && deploying)
    src.bad(
      'role',
      'creating a function (create: true) needs its execution role: set `role` to the role ARN.',
    );
  return create && role ? { role, runtime } : undefined;
}

function parseConfiguration(src: InputSource): ConfigInputs {
  const memorySize = src.int('memory-size', MEMORY_SIZE_MB);
  const timeout = src.int('timeout', TIMEOUT_SECONDS);
  const ephemeralStorage = src.int('ephemeral-storage', EPHEMERAL_STORAGE_MB);
  const environment = parseEnvironment(src);
  const environmentMode = src.oneOf('environment-mode', ['merge', 'replace'] as const);
  const descRaw = src.raw('description');
  const description = descRaw === '' ? undefined : descRaw.trim();
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH)
    src.bad('description', `longer than ${MAX_DESCRIPTION_LENGTH} characters.`);
  const layersRaw = src.get('layers');
  let layers: string[] | undefined;
  if (layersRaw) {
    layers = splitList(layersRaw);
    if (layers.length === 1 && layers[0] === 'none') layers = [];
    for (const l of layers)
      if (!LAYER_ARN.test(l))
        src.bad(
          'layers',
          `"${l}" is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION).`,
        );
    if (layers.length > MAX_LAYERS) src.bad('layers', `a function takes at most ${MAX_LAYERS} layers.`);
  }
  return { memorySize, timeout, environment, environmentMode, description, layers, ephemeralStorage };
}

/** environment: a JSON object of strings (numbers and booleans taken as strings), no reserved name. */
function parseEnvironment(src: InputSource): Record<string, string> | undefined {
  const envRaw = src.get('environment');
  if (!envRaw) return undefined;
  try {
    const parsed: unknown = JSON.parse(envRaw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new Error('not an object');
    const environment: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (!ENV_KEY.test(k)) src.bad('environment', `"${k}" is not a valid variable name.`);
      else if (RESERVED_ENVIRONMENT.has(k))
        src.bad('environment', `"${k}" is reserved by Lambda and cannot be set.`);
      if (typeof v === 'string') environment[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') environment[k] = String(v);
      else src.bad('environment', `value of "${k}" must be a string.`);
    }
    return environment;
  } catch {
    src.bad('environment', 'expected a JSON object of strings, such as {"LOG_LEVEL": "info"}.');
    return undefined;
  }
}
