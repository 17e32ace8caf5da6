import * as fs from 'node:fs';
import * as path from 'node:path';
import { LAMBDA_RUNTIMES, RESERVED_ENVIRONMENT, type LambdaRuntime } from './lambda.js';
import { InputError } from './util/errors.js';
import { DATA_SETS, type DataSetId } from './bundle/runtime-env.js';

/**
 * Every input of the action, parsed and validated into one typed object before
 * any stage runs. A problem names the input and says how to fix it; all
 * problems are reported at once.
 */

export const STAGES = ['install', 'cachix', 'build', 'package', 'deploy'] as const;
export type Stage = (typeof STAGES)[number];

export type Tristate = 'auto' | 'true' | 'false';

export interface IncludeSpec {
  /** As written: a path relative to the build output, or an absolute /nix/store path. */
  source: string;
  /** Relative path inside the zip. */
  target: string;
}

export interface Inputs {
  stages: Stage[];
  // install
  nixInstaller: 'official' | 'determinate';
  installerUrl: string;
  installerSha256: string;
  nixVersion: string;
  githubToken: string;
  extraNixConfig: string;
  // cachix and caches
  cachixCache: string;
  cachixAuthToken: string;
  cachixSigningKey: string;
  extraPullCaches: string[];
  cachixPush: boolean;
  pushFilter: RegExp | undefined;
  cachixApiUrl: string;
  pushTo: string;
  pushSigningKey: string;
  cache: boolean;
  // build
  flake: string;
  /** The installable handed to `nix build`: path flakes made absolute. */
  installable: string;
  /** Folder of a path flake (where flake.lock lives), when the flake is local. */
  flakeDir: string | undefined;
  program: string;
  // package
  taskRoot: string;
  include: IncludeSpec[];
  bundleCertificates: boolean;
  /** Data sets (certificates, locales, gconv, tzdata, terminfo) to bundle: those the files reference (auto), and those named. */
  bundleData: { auto: boolean; sets: DataSetId[] };
  /** Libraries to bundle that no DT_NEEDED names (dlopen): sonames or store paths. */
  extraLibraries: string[];
  /** Library names (shell patterns) the dlopen detection leaves out. */
  excludeLibraries: string[];
  zipPath: string;
  verify: Tristate;
  // deploy
  functionNames: string[];
  awsRegion: string;
  publish: boolean;
  alias: string;
  skipUnchanged: boolean;
  dryRun: boolean;
  wait: boolean;
  waitTimeoutSeconds: number;
  s3Bucket: string;
  s3Key: string;
  roleToAssume: string;
  // create and configuration
  create: boolean;
  runtime: LambdaRuntime;
  role: string;
  memorySize: number | undefined;
  timeout: number | undefined;
  environment: Record<string, string> | undefined;
  environmentMode: 'merge' | 'replace';
  description: string | undefined;
  layers: string[] | undefined;
  ephemeralStorage: number | undefined;
}

/** Inputs holding secrets: masked before anything else happens. */
export const SECRET_INPUTS = [
  'github-token',
  'cachix-auth-token',
  'cachix-signing-key',
  'push-signing-key',
] as const;

/** Defaults used when an input is absent (the local command, tests). They equal action.yml's. */
export const DEFAULTS: Readonly<Record<string, string>> = {
  stages: STAGES.join(','),
  'nix-installer': 'official',
  'installer-url': '',
  'installer-sha256': '',
  'nix-version': '',
  'github-token': '',
  'extra-nix-config': '',
  'cachix-cache': '',
  'cachix-auth-token': '',
  'cachix-signing-key': '',
  'extra-pull-caches': '',
  'cachix-push': '',
  'push-filter': '',
  'cachix-api-url': 'https://cachix.org/api/v1',
  'push-to': '',
  'push-signing-key': '',
  cache: 'true',
  flake: '.',
  program: '',
  'task-root': '/var/task',
  include: '',
  'bundle-certificates': 'false',
  'bundle-data': 'auto',
  'extra-libraries': '',
  'exclude-libraries': '',
  'zip-path': '',
  verify: 'auto',
  'function-name': '',
  'aws-region': '',
  publish: 'false',
  alias: '',
  'skip-unchanged': 'true',
  'dry-run': 'false',
  wait: 'true',
  'wait-timeout-seconds': '300',
  's3-bucket': '',
  's3-key': '',
  'role-to-assume': '',
  create: 'false',
  runtime: 'provided.al2023',
  role: '',
  'memory-size': '',
  timeout: '',
  environment: '',
  'environment-mode': 'merge',
  description: '',
  layers: '',
  'ephemeral-storage': '',
};

export type InputReader = (name: string) => string;

export interface ParseEnv {
  /** Folder relative flake paths are resolved against (GITHUB_WORKSPACE, else cwd). */
  workspace: string;
  /** Folder for the default zip path (RUNNER_TEMP, else the OS temp dir). */
  tempDir: string;
  env: NodeJS.ProcessEnv;
}

const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_ARN = /^(arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:)?\d{12}:function:[A-Za-z0-9_-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ALIAS = /^(?!\d+$)[A-Za-z0-9_-]{1,128}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const LAYER_ARN = /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d:\d{12}:layer:[A-Za-z0-9_-]{1,140}:\d+$/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CACHIX_NAME = /^[a-z0-9][a-z0-9-]*$/;
const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Splits a list input on newlines and commas; trims; drops empties and # comments. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

export function parseInputs(read: InputReader, penv: ParseEnv): Inputs {
  const problems: string[] = [];
  const get = (name: string): string => {
    const raw = read(name);
    return (raw === '' ? (DEFAULTS[name] ?? '') : raw).trim();
  };
  const bad = (name: string, msg: string): void => {
    problems.push(`Input \`${name}\`: ${msg}`);
  };
  const bool = (name: string): boolean => {
    const v = get(name);
    if (/^(true|yes|on|1)$/i.test(v)) return true;
    if (/^(false|no|off|0)$/i.test(v)) return false;
    bad(name, `expected true or false, got "${v}".`);
    return false;
  };
  const int = (name: string, min: number, max: number): number | undefined => {
    const v = get(name);
    if (v === '') return undefined;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      bad(name, `expected a whole number from ${min} to ${max}, got "${v}".`);
      return undefined;
    }
    return Number(v);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T => {
    const v = get(name);
    if ((allowed as readonly string[]).includes(v)) return v as T;
    bad(name, `expected one of ${allowed.join(', ')}, got "${v}".`);
    return allowed[0]!;
  };

  // stages
  const stageNames = splitList(get('stages'));
  const stages: Stage[] = [];
  for (const s of stageNames) {
    if ((STAGES as readonly string[]).includes(s)) {
      if (!stages.includes(s as Stage)) stages.push(s as Stage);
    } else bad('stages', `unknown stage "${s}"; the stages are ${STAGES.join(', ')}.`);
  }
  if (stageNames.length === 0) bad('stages', `no stage selected; list some of ${STAGES.join(', ')}.`);
  stages.sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b));
  const has = (s: Stage): boolean => stages.includes(s);

  // install
  const nixInstaller = oneOf('nix-installer', ['official', 'determinate'] as const);
  const installerUrl = get('installer-url');
  if (installerUrl && !/^(https?|file):\/\/\S+$/.test(installerUrl))
    bad('installer-url', `"${installerUrl}" is not an http(s):// or file:// URL.`);
  const installerSha256 = get('installer-sha256').toLowerCase();
  if (installerSha256 && !SHA256_HEX.test(installerSha256))
    bad('installer-sha256', 'expected 64 hexadecimal digits (the output of `sha256sum`).');
  const nixVersion = get('nix-version');
  if (nixVersion && !/^\d+\.\d+(\.\d+)?$/.test(nixVersion))
    bad('nix-version', `expected a version such as 2.24.9, got "${nixVersion}".`);

  // cachix
  const cachixCache = get('cachix-cache');
  if (cachixCache && !CACHIX_NAME.test(cachixCache))
    bad(
      'cachix-cache',
      `"${cachixCache}" is not a Cachix cache name (lower-case letters, digits and dashes; the name, not the URL).`,
    );
  const extraPullCaches = splitList(get('extra-pull-caches'));
  for (const c of extraPullCaches)
    if (!CACHIX_NAME.test(c)) bad('extra-pull-caches', `"${c}" is not a Cachix cache name.`);
  const cachixAuthToken = get('cachix-auth-token');
  const cachixSigningKey = get('cachix-signing-key');
  const pushRaw = get('cachix-push');
  let cachixPush = cachixAuthToken !== '' || cachixSigningKey !== '';
  if (pushRaw !== '') cachixPush = bool('cachix-push');
  if (cachixPush && pushRaw !== '' && !cachixCache)
    bad('cachix-push', 'pushing needs `cachix-cache`: set the cache to push to, or set cachix-push: false.');
  if (cachixPush && !cachixCache && (cachixAuthToken || cachixSigningKey)) {
    bad('cachix-cache', 'a Cachix token or signing key is set but no cache name: set `cachix-cache`.');
  }
  let pushFilter: RegExp | undefined;
  const pf = get('push-filter');
  if (pf) {
    try {
      pushFilter = new RegExp(pf);
    } catch (e) {
      bad('push-filter', `not a valid regular expression: ${(e as Error).message}.`);
    }
  }
  const cachixApiUrl = get('cachix-api-url').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(cachixApiUrl))
    bad('cachix-api-url', `"${cachixApiUrl}" is not an http(s) URL.`);
  const pushTo = get('push-to');
  if (pushTo && !/^[a-z][a-z0-9+]*:\/\/\S+$/.test(pushTo))
    bad('push-to', `"${pushTo}" is not a Nix store URL such as s3://bucket, file:///path or https://host.`);
  const pushSigningKey = get('push-signing-key');
  if (pushSigningKey && !/^[^:\s]+:[A-Za-z0-9+/=]+$/.test(pushSigningKey))
    bad(
      'push-signing-key',
      'expected a Nix secret key, NAME:BASE64, as printed by `nix key generate-secret`.',
    );

  // build
  const flake = get('flake');
  let installable = flake;
  let flakeDir: string | undefined;
  if (flake === '') bad('flake', 'empty; give a flake reference such as `.` or `.#my-function`.');
  else if (/\s/.test(flake))
    bad('flake', `"${flake}" contains whitespace; give one flake reference such as \`.#my-function\`.`);
  else {
    const hash = flake.indexOf('#');
    const ref = hash < 0 ? flake : flake.slice(0, hash);
    const attr = hash < 0 ? '' : flake.slice(hash + 1);
    if (hash >= 0 && !/^[A-Za-z0-9_'"."-]+$/.test(attr))
      bad(
        'flake',
        `"${flake}": the attribute after # is empty or malformed; write e.g. \`.#packages.x86_64-linux.default\`.`,
      );
    const isPath =
      ref === '' ||
      ref.startsWith('.') ||
      ref.startsWith('/') ||
      ref.startsWith('path:') ||
      !ref.includes(':');
    if (isPath) {
      const p = ref.startsWith('path:') ? ref.slice(5).split('?')[0]! : ref === '' ? '.' : ref.split('?')[0]!;
      const dir = path.resolve(penv.workspace, p);
      if (!fs.existsSync(path.join(dir, 'flake.nix'))) {
        bad(
          'flake',
          `no flake.nix in ${dir} (from "${flake}", resolved against ${penv.workspace}); check out the repository first (actions/checkout) or fix the path.`,
        );
      } else {
        flakeDir = dir;
        const query = ref.includes('?') ? ref.slice(ref.indexOf('?')) : '';
        installable = `${ref.startsWith('path:') ? 'path:' : ''}${dir}${query}${hash < 0 ? '' : `#${attr}`}`;
      }
    } else if (!/^[a-z][a-z0-9+-]*:\S+$/.test(ref)) {
      bad(
        'flake',
        `"${flake}" is not a flake reference; examples: \`.\`, \`.#app\`, \`github:owner/repo#app\`.`,
      );
    }
  }
  const program = get('program');
  if (program) {
    const norm = path.posix.normalize(program);
    if (program.startsWith('/') || norm === '..' || norm.startsWith('../'))
      bad('program', `"${program}" must be a path inside the build output, such as bin/bootstrap.`);
  }

  // package
  const taskRoot = get('task-root').replace(/(.)\/+$/, '$1');
  if (!/^\/[A-Za-z0-9_./-]*$/.test(taskRoot) || taskRoot.split('/').includes('..'))
    bad('task-root', `"${taskRoot}" must be an absolute path without spaces, such as /var/task.`);
  else if (taskRoot.length > 64)
    bad('task-root', 'longer than 64 characters; the interpreter path must fit into the ELF header.');
  const include: IncludeSpec[] = [];
  for (const line of splitList(get('include'))) {
    const sep = line.lastIndexOf(':');
    const source = (sep < 0 ? line : line.slice(0, sep)).trim();
    let target = (sep < 0 ? '' : line.slice(sep + 1)).trim();
    if (source === '') {
      bad('include', `"${line}" has no source; write SOURCE or SOURCE:TARGET.`);
      continue;
    }
    if (source.startsWith('/') && !source.startsWith('/nix/store/')) {
      bad(
        'include',
        `"${source}" is outside the Nix store; give a path relative to the build output or a /nix/store path from its closure.`,
      );
      continue;
    }
    if (!source.startsWith('/') && path.posix.normalize(source).startsWith('..')) {
      bad('include', `"${source}" escapes the build output.`);
      continue;
    }
    if (target === '')
      target = source.startsWith('/') ? path.posix.basename(source) : path.posix.normalize(source);
    const nt = path.posix.normalize(target).replace(/\/+$/, '');
    if (target.startsWith('/') || nt === '..' || nt.startsWith('../') || nt === '.' || nt === '') {
      bad('include', `target "${target}" must be a relative path inside the zip.`);
      continue;
    }
    if (nt === 'bootstrap') {
      bad('include', `target "${target}" would replace the bootstrap.`);
      continue;
    }
    include.push({ source, target: nt });
  }
  const bundleCertificates = bool('bundle-certificates');
  const bundleData: Inputs['bundleData'] = { auto: false, sets: [] };
  const dataItems = splitList(get('bundle-data'));
  for (const item of dataItems) {
    if (item === 'auto') bundleData.auto = true;
    else if (item === 'none') {
      if (dataItems.length > 1) bad('bundle-data', '`none` cannot be combined with other entries.');
    } else if ((DATA_SETS as readonly string[]).includes(item)) {
      if (!bundleData.sets.includes(item as DataSetId)) bundleData.sets.push(item as DataSetId);
    } else
      bad(
        'bundle-data',
        `unknown entry "${item}"; write auto, none, or some of ${DATA_SETS.join(', ')} (with or without auto).`,
      );
  }
  if (bundleCertificates && !bundleData.sets.includes('certificates')) bundleData.sets.push('certificates');
  const LIBRARY_NAME = /^[A-Za-z0-9_+.*?-]+$/;
  const extraLibraries = splitList(get('extra-libraries'));
  for (const lib of extraLibraries)
    if (!(lib.startsWith('/nix/store/') || /^lib[A-Za-z0-9_+.-]*\.so(\.[0-9]+)*$/.test(lib)))
      bad(
        'extra-libraries',
        `"${lib}" is neither a library name (libfoo.so.1) nor a /nix/store path of the build's closure.`,
      );
  const excludeLibraries = splitList(get('exclude-libraries'));
  for (const lib of excludeLibraries)
    if (!LIBRARY_NAME.test(lib))
      bad('exclude-libraries', `"${lib}" is not a library name or a pattern such as libGL*.so*.`);
  let zipPath = get('zip-path');
  if (zipPath) {
    zipPath = path.resolve(penv.workspace, zipPath);
    const parent = path.dirname(zipPath);
    if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory())
      bad('zip-path', `folder ${parent} does not exist; create it first or choose another path.`);
    else if (fs.existsSync(zipPath) && fs.statSync(zipPath).isDirectory())
      bad('zip-path', `${zipPath} is a folder; give a file name such as function.zip.`);
  } else {
    zipPath = path.join(penv.tempDir, 'nix-lambda', 'function.zip');
  }
  const verify = oneOf('verify', ['auto', 'true', 'false'] as const);

  // deploy
  const functionNames = splitList(get('function-name'));
  for (const f of functionNames)
    if (!FUNCTION_NAME.test(f) && !FUNCTION_ARN.test(f))
      bad(
        'function-name',
        `"${f}" is not a function name (letters, digits, - and _, at most 64) or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, without a version or alias).`,
      );
  if (new Set(functionNames).size !== functionNames.length) bad('function-name', 'lists a function twice.');
  let awsRegion = get('aws-region') || penv.env['AWS_REGION'] || penv.env['AWS_DEFAULT_REGION'] || '';
  if (!awsRegion) {
    const fromArn = functionNames.map((f) => /^arn:aws[a-z-]*:lambda:([^:]+):/.exec(f)?.[1]).find(Boolean);
    if (fromArn) awsRegion = fromArn;
  }
  if (awsRegion && !REGION.test(awsRegion))
    bad('aws-region', `"${awsRegion}" is not an AWS Region such as us-east-1.`);
  const publish = bool('publish');
  const alias = get('alias');
  if (alias && !ALIAS.test(alias))
    bad('alias', `"${alias}" is not an alias name (letters, digits, - and _, not only digits).`);
  if (alias && !publish) bad('alias', 'an alias points at a published version: set `publish: true` as well.');
  const skipUnchanged = bool('skip-unchanged');
  const dryRun = bool('dry-run');
  const wait = bool('wait');
  const waitTimeoutSeconds = int('wait-timeout-seconds', 1, 3600) ?? 300;
  const s3Bucket = get('s3-bucket');
  const s3Key = get('s3-key');
  if (s3Bucket && (!BUCKET.test(s3Bucket) || s3Bucket.includes('..')))
    bad('s3-bucket', `"${s3Bucket}" is not an S3 bucket name (the name only, not s3:// or an ARN).`);
  if (s3Key && !s3Bucket) bad('s3-key', 'set `s3-bucket` too; the key names an object inside that bucket.');
  if (s3Key && (s3Key.startsWith('/') || s3Key.length > 1024))
    bad('s3-key', 'must be a relative object key of at most 1024 characters.');
  const roleToAssume = get('role-to-assume');
  if (roleToAssume && !ROLE_ARN.test(roleToAssume))
    bad('role-to-assume', `"${roleToAssume}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);

  // create and configuration
  const create = bool('create');
  const runtime = oneOf('runtime', LAMBDA_RUNTIMES);
  const role = get('role');
  if (role && !ROLE_ARN.test(role))
    bad('role', `"${role}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
  if (create && !role && has('deploy'))
    bad('role', 'creating a function (create: true) needs its execution role: set `role` to the role ARN.');
  const memorySize = int('memory-size', 128, 10240);
  const timeout = int('timeout', 1, 900);
  const ephemeralStorage = int('ephemeral-storage', 512, 10240);
  let environment: Record<string, string> | undefined;
  const envRaw = get('environment');
  if (envRaw) {
    try {
      const parsed: unknown = JSON.parse(envRaw);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new Error('not an object');
      environment = {};
      for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
        if (!ENV_KEY.test(k)) bad('environment', `"${k}" is not a valid variable name.`);
        else if (RESERVED_ENVIRONMENT.has(k))
          bad('environment', `"${k}" is reserved by Lambda and cannot be set.`);
        if (typeof v === 'string') environment[k] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') environment[k] = String(v);
        else bad('environment', `value of "${k}" must be a string.`);
      }
    } catch {
      bad('environment', 'expected a JSON object of strings, such as {"LOG_LEVEL": "info"}.');
    }
  }
  const environmentMode = oneOf('environment-mode', ['merge', 'replace'] as const);
  const descRaw = read('description');
  const description = descRaw === '' ? undefined : descRaw.trim();
  if (description !== undefined && description.length > 256)
    bad('description', 'longer than 256 characters.');
  const layersRaw = get('layers');
  let layers: string[] | undefined;
  if (layersRaw) {
    layers = splitList(layersRaw);
    if (layers.length === 1 && layers[0] === 'none') layers = [];
    for (const l of layers)
      if (!LAYER_ARN.test(l))
        bad(
          'layers',
          `"${l}" is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION).`,
        );
    if (layers.length > 5) bad('layers', 'a function takes at most 5 layers.');
  }

  if (has('deploy')) {
    if (functionNames.length === 0)
      bad(
        'function-name',
        'the deploy stage needs a function: set `function-name`, or leave deploy out of `stages` to build and package only.',
      );
    if (!awsRegion && functionNames.length > 0)
      bad(
        'aws-region',
        'no Region: set `aws-region`, or AWS_REGION (aws-actions/configure-aws-credentials sets it).',
      );
  }
  if (has('package') && !has('build'))
    bad('stages', 'the package stage needs the build stage: add build to `stages`.');
  if (has('deploy') && !has('package') && !(get('zip-path') && fs.existsSync(zipPath)))
    bad(
      'zip-path',
      'deploy without the package stage deploys an existing zip: set `zip-path` to it, or add package to `stages`.',
    );
  const cache = bool('cache');

  if (problems.length > 0) throw new InputError(problems);

  return {
    stages,
    nixInstaller,
    installerUrl,
    installerSha256,
    nixVersion,
    githubToken: get('github-token') || penv.env['GITHUB_TOKEN'] || '',
    extraNixConfig: read('extra-nix-config'),
    cachixCache,
    cachixAuthToken,
    cachixSigningKey,
    extraPullCaches,
    cachixPush,
    pushFilter,
    cachixApiUrl,
    pushTo,
    pushSigningKey,
    cache,
    flake,
    installable,
    flakeDir,
    program: program ? path.posix.normalize(program) : '',
    taskRoot,
    include,
    bundleCertificates,
    bundleData,
    extraLibraries,
    excludeLibraries,
    zipPath,
    verify,
    functionNames,
    awsRegion,
    publish,
    alias,
    skipUnchanged,
    dryRun,
    wait,
    waitTimeoutSeconds,
    s3Bucket,
    s3Key,
    roleToAssume,
    create,
    runtime,
    role,
    memorySize,
    timeout,
    environment,
    environmentMode,
    description,
    layers,
    ephemeralStorage,
  };
}
