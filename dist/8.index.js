export const id = 8;
export const ids = [8];
export const modules = {

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   gJ: () => (/* binding */ errorMessage),
/* harmony export */   lZ: () => (/* binding */ ActionError)
/* harmony export */ });
/**
 * Errors the action raises on purpose. Each carries a title (used for the
 * annotation) and a message written for the person reading the workflow log.
 */
class ActionError extends Error {
    title;
    /** A `.nix` file and line to attach the annotation to, when Nix reported one. */
    file;
    line;
    constructor(title, message, opts = {}) {
        super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
        this.name = 'ActionError';
        this.title = title;
        if (opts.file !== undefined)
            this.file = opts.file;
        if (opts.line !== undefined)
            this.line = opts.line;
    }
}
/** One or more inputs are invalid. Raised before any stage runs. */
class InputError extends ActionError {
    problems;
    constructor(problems) {
        super(problems.length === 1 ? 'Invalid input' : `${problems.length} invalid inputs`, problems.length === 1 ? problems[0] : problems.map((p) => `- ${p}`).join('\n'));
        this.name = 'InputError';
        this.problems = problems;
    }
}
function errorMessage(err) {
    if (err instanceof Error)
        return err.message;
    return String(err);
}


/***/ }),

/***/ 3190:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Qd: () => (/* binding */ CommandError),
/* harmony export */   Zg: () => (/* binding */ scrubSecrets),
/* harmony export */   cl: () => (/* binding */ registerSecret),
/* harmony export */   eF: () => (/* binding */ run)
/* harmony export */ });
/* unused harmony export tailOf */
/* harmony import */ var _actions_exec__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1955);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);


/**
 * The one way this action runs an external command. It never echoes argv,
 * captures stdout and stderr, can stream lines to the log, and turns a failure
 * into an ActionError that carries the tail of stderr (with secrets removed).
 */
const secrets = new Set();
/** Remembers a secret so that no command line may contain it and no error shows it. */
function registerSecret(value) {
    if (value.length >= 4)
        secrets.add(value);
}
/** Replaces every registered secret in s with ***. */
function scrubSecrets(s) {
    let out = s;
    for (const sec of secrets)
        out = out.split(sec).join('***');
    return out;
}
class CommandError extends _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ {
    command;
    code;
    stderr;
    constructor(title, command, code, stderr, tailLines) {
        const tail = tailOf(scrubSecrets(stderr), tailLines);
        super(title, `\`${command}\` exited with code ${code}${tail ? `:\n${tail}` : ''}`);
        this.name = 'CommandError';
        this.command = command;
        this.code = code;
        this.stderr = scrubSecrets(stderr);
    }
}
function tailOf(text, lines) {
    const all = text.replace(/\s+$/, '').split('\n');
    return all.slice(Math.max(0, all.length - lines)).join('\n');
}
async function run(command, args, opts = {}) {
    for (const a of [command, ...args]) {
        for (const sec of secrets) {
            if (a.includes(sec))
                throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ('Refused to run a command', `a secret would have appeared in the arguments of \`${command}\`; this is a bug in the action`);
        }
    }
    const overrides = opts.env ?? {};
    const env = {};
    const base = opts.cleanEnv ? {} : process.env;
    for (const [k, v] of Object.entries({ ...base, ...overrides }))
        if (v !== undefined && !(k in overrides && overrides[k] === undefined))
            env[k] = v;
    const shown = [command, ...args].map(quoteArg).join(' ');
    let result;
    try {
        const listeners = opts.onLine
            ? { errline: opts.onLine, ...(opts.streamStdout ? { stdline: opts.onLine } : {}) }
            : {};
        const out = await (0,_actions_exec__WEBPACK_IMPORTED_MODULE_0__/* .getExecOutput */ .H)(command, [...args], {
            silent: true,
            ignoreReturnCode: true,
            ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
            env,
            ...(opts.input !== undefined ? { input: Buffer.from(opts.input) } : {}),
            listeners,
        });
        result = { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
    }
    catch (err) {
        // Spawning failed: the program does not exist or is not executable.
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .ActionError */ .lZ(opts.errorTitle ?? 'Command failed', `could not run \`${shown}\`: ${scrubSecrets(err instanceof Error ? err.message : String(err))}`, { cause: err });
    }
    if (result.code !== 0 && !opts.allowFailure) {
        throw new CommandError(opts.errorTitle ?? 'Command failed', shown, result.code, result.stderr || result.stdout, opts.tailLines ?? 25);
    }
    return result;
}
function quoteArg(a) {
    return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}


/***/ }),

/***/ 8422:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TL: () => (/* binding */ parseInputs),
/* harmony export */   an: () => (/* binding */ STAGES),
/* harmony export */   pH: () => (/* binding */ SECRET_INPUTS),
/* harmony export */   zY: () => (/* binding */ DEFAULTS)
/* harmony export */ });
/* unused harmony export splitList */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);



/**
 * Every input of the action, parsed and validated into one typed object before
 * any stage runs. A problem names the input and says how to fix it; all
 * problems are reported at once.
 */
const STAGES = ['install', 'cachix', 'build', 'package', 'deploy'];
/** Inputs holding secrets: masked before anything else happens. */
const SECRET_INPUTS = [
    'github-token',
    'cachix-auth-token',
    'cachix-signing-key',
    'push-signing-key',
];
/** Defaults used when an input is absent (the local command, tests). They equal action.yml's. */
const DEFAULTS = {
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
/** Variables Lambda reserves; setting them fails the configuration update. */
const RESERVED_ENV = new Set([
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
/** Splits a list input on newlines and commas; trims; drops empties and # comments. */
function splitList(value) {
    return value
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('#'));
}
function parseInputs(read, penv) {
    const problems = [];
    const get = (name) => {
        const raw = read(name);
        return (raw === '' ? (DEFAULTS[name] ?? '') : raw).trim();
    };
    const bad = (name, msg) => {
        problems.push(`Input \`${name}\`: ${msg}`);
    };
    const bool = (name) => {
        const v = get(name);
        if (/^(true|yes|on|1)$/i.test(v))
            return true;
        if (/^(false|no|off|0)$/i.test(v))
            return false;
        bad(name, `expected true or false, got "${v}".`);
        return false;
    };
    const int = (name, min, max) => {
        const v = get(name);
        if (v === '')
            return undefined;
        if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
            bad(name, `expected a whole number from ${min} to ${max}, got "${v}".`);
            return undefined;
        }
        return Number(v);
    };
    const oneOf = (name, allowed) => {
        const v = get(name);
        if (allowed.includes(v))
            return v;
        bad(name, `expected one of ${allowed.join(', ')}, got "${v}".`);
        return allowed[0];
    };
    // stages
    const stageNames = splitList(get('stages'));
    const stages = [];
    for (const s of stageNames) {
        if (STAGES.includes(s)) {
            if (!stages.includes(s))
                stages.push(s);
        }
        else
            bad('stages', `unknown stage "${s}"; the stages are ${STAGES.join(', ')}.`);
    }
    if (stageNames.length === 0)
        bad('stages', `no stage selected; list some of ${STAGES.join(', ')}.`);
    stages.sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b));
    const has = (s) => stages.includes(s);
    // install
    const nixInstaller = oneOf('nix-installer', ['official', 'determinate']);
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
        bad('cachix-cache', `"${cachixCache}" is not a Cachix cache name (lower-case letters, digits and dashes; the name, not the URL).`);
    const extraPullCaches = splitList(get('extra-pull-caches'));
    for (const c of extraPullCaches)
        if (!CACHIX_NAME.test(c))
            bad('extra-pull-caches', `"${c}" is not a Cachix cache name.`);
    const cachixAuthToken = get('cachix-auth-token');
    const cachixSigningKey = get('cachix-signing-key');
    const pushRaw = get('cachix-push');
    let cachixPush = cachixAuthToken !== '' || cachixSigningKey !== '';
    if (pushRaw !== '')
        cachixPush = bool('cachix-push');
    if (cachixPush && pushRaw !== '' && !cachixCache)
        bad('cachix-push', 'pushing needs `cachix-cache`: set the cache to push to, or set cachix-push: false.');
    if (cachixPush && !cachixCache && (cachixAuthToken || cachixSigningKey)) {
        bad('cachix-cache', 'a Cachix token or signing key is set but no cache name: set `cachix-cache`.');
    }
    let pushFilter;
    const pf = get('push-filter');
    if (pf) {
        try {
            pushFilter = new RegExp(pf);
        }
        catch (e) {
            bad('push-filter', `not a valid regular expression: ${e.message}.`);
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
        bad('push-signing-key', 'expected a Nix secret key, NAME:BASE64, as printed by `nix key generate-secret`.');
    // build
    const flake = get('flake');
    let installable = flake;
    let flakeDir;
    if (flake === '')
        bad('flake', 'empty; give a flake reference such as `.` or `.#my-function`.');
    else if (/\s/.test(flake))
        bad('flake', `"${flake}" contains whitespace; give one flake reference such as \`.#my-function\`.`);
    else {
        const hash = flake.indexOf('#');
        const ref = hash < 0 ? flake : flake.slice(0, hash);
        const attr = hash < 0 ? '' : flake.slice(hash + 1);
        if (hash >= 0 && !/^[A-Za-z0-9_'"."-]+$/.test(attr))
            bad('flake', `"${flake}": the attribute after # is empty or malformed; write e.g. \`.#packages.x86_64-linux.default\`.`);
        const isPath = ref === '' ||
            ref.startsWith('.') ||
            ref.startsWith('/') ||
            ref.startsWith('path:') ||
            !ref.includes(':');
        if (isPath) {
            const p = ref.startsWith('path:') ? ref.slice(5).split('?')[0] : ref === '' ? '.' : ref.split('?')[0];
            const dir = node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(penv.workspace, p);
            if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(node_path__WEBPACK_IMPORTED_MODULE_1__.join(dir, 'flake.nix'))) {
                bad('flake', `no flake.nix in ${dir} (from "${flake}", resolved against ${penv.workspace}); check out the repository first (actions/checkout) or fix the path.`);
            }
            else {
                flakeDir = dir;
                const query = ref.includes('?') ? ref.slice(ref.indexOf('?')) : '';
                installable = `${ref.startsWith('path:') ? 'path:' : ''}${dir}${query}${hash < 0 ? '' : `#${attr}`}`;
            }
        }
        else if (!/^[a-z][a-z0-9+-]*:\S+$/.test(ref)) {
            bad('flake', `"${flake}" is not a flake reference; examples: \`.\`, \`.#app\`, \`github:owner/repo#app\`.`);
        }
    }
    const program = get('program');
    if (program) {
        const norm = node_path__WEBPACK_IMPORTED_MODULE_1__.posix.normalize(program);
        if (program.startsWith('/') || norm === '..' || norm.startsWith('../'))
            bad('program', `"${program}" must be a path inside the build output, such as bin/bootstrap.`);
    }
    // package
    const taskRoot = get('task-root').replace(/(.)\/+$/, '$1');
    if (!/^\/[A-Za-z0-9_./-]*$/.test(taskRoot) || taskRoot.split('/').includes('..'))
        bad('task-root', `"${taskRoot}" must be an absolute path without spaces, such as /var/task.`);
    else if (taskRoot.length > 64)
        bad('task-root', 'longer than 64 characters; the interpreter path must fit into the ELF header.');
    const include = [];
    for (const line of splitList(get('include'))) {
        const sep = line.lastIndexOf(':');
        const source = (sep < 0 ? line : line.slice(0, sep)).trim();
        let target = (sep < 0 ? '' : line.slice(sep + 1)).trim();
        if (source === '') {
            bad('include', `"${line}" has no source; write SOURCE or SOURCE:TARGET.`);
            continue;
        }
        if (source.startsWith('/') && !source.startsWith('/nix/store/')) {
            bad('include', `"${source}" is outside the Nix store; give a path relative to the build output or a /nix/store path from its closure.`);
            continue;
        }
        if (!source.startsWith('/') && node_path__WEBPACK_IMPORTED_MODULE_1__.posix.normalize(source).startsWith('..')) {
            bad('include', `"${source}" escapes the build output.`);
            continue;
        }
        if (target === '')
            target = source.startsWith('/') ? node_path__WEBPACK_IMPORTED_MODULE_1__.posix.basename(source) : node_path__WEBPACK_IMPORTED_MODULE_1__.posix.normalize(source);
        const nt = node_path__WEBPACK_IMPORTED_MODULE_1__.posix.normalize(target).replace(/\/+$/, '');
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
    let zipPath = get('zip-path');
    if (zipPath) {
        zipPath = node_path__WEBPACK_IMPORTED_MODULE_1__.resolve(penv.workspace, zipPath);
        const parent = node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(zipPath);
        if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(parent) || !node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(parent).isDirectory())
            bad('zip-path', `folder ${parent} does not exist; create it first or choose another path.`);
        else if (node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(zipPath) && node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(zipPath).isDirectory())
            bad('zip-path', `${zipPath} is a folder; give a file name such as function.zip.`);
    }
    else {
        zipPath = node_path__WEBPACK_IMPORTED_MODULE_1__.join(penv.tempDir, 'nix-lambda', 'function.zip');
    }
    const verify = oneOf('verify', ['auto', 'true', 'false']);
    // deploy
    const functionNames = splitList(get('function-name'));
    for (const f of functionNames)
        if (!FUNCTION_NAME.test(f) && !FUNCTION_ARN.test(f))
            bad('function-name', `"${f}" is not a function name (letters, digits, - and _, at most 64) or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, without a version or alias).`);
    if (new Set(functionNames).size !== functionNames.length)
        bad('function-name', 'lists a function twice.');
    let awsRegion = get('aws-region') || penv.env['AWS_REGION'] || penv.env['AWS_DEFAULT_REGION'] || '';
    if (!awsRegion) {
        const fromArn = functionNames.map((f) => /^arn:aws[a-z-]*:lambda:([^:]+):/.exec(f)?.[1]).find(Boolean);
        if (fromArn)
            awsRegion = fromArn;
    }
    if (awsRegion && !REGION.test(awsRegion))
        bad('aws-region', `"${awsRegion}" is not an AWS Region such as us-east-1.`);
    const publish = bool('publish');
    const alias = get('alias');
    if (alias && !ALIAS.test(alias))
        bad('alias', `"${alias}" is not an alias name (letters, digits, - and _, not only digits).`);
    if (alias && !publish)
        bad('alias', 'an alias points at a published version: set `publish: true` as well.');
    const skipUnchanged = bool('skip-unchanged');
    const dryRun = bool('dry-run');
    const wait = bool('wait');
    const waitTimeoutSeconds = int('wait-timeout-seconds', 1, 3600) ?? 300;
    const s3Bucket = get('s3-bucket');
    const s3Key = get('s3-key');
    if (s3Bucket && (!BUCKET.test(s3Bucket) || s3Bucket.includes('..')))
        bad('s3-bucket', `"${s3Bucket}" is not an S3 bucket name (the name only, not s3:// or an ARN).`);
    if (s3Key && !s3Bucket)
        bad('s3-key', 'set `s3-bucket` too; the key names an object inside that bucket.');
    if (s3Key && (s3Key.startsWith('/') || s3Key.length > 1024))
        bad('s3-key', 'must be a relative object key of at most 1024 characters.');
    const roleToAssume = get('role-to-assume');
    if (roleToAssume && !ROLE_ARN.test(roleToAssume))
        bad('role-to-assume', `"${roleToAssume}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
    // create and configuration
    const create = bool('create');
    const runtime = oneOf('runtime', ['provided.al2023', 'provided.al2']);
    const role = get('role');
    if (role && !ROLE_ARN.test(role))
        bad('role', `"${role}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
    if (create && !role && has('deploy'))
        bad('role', 'creating a function (create: true) needs its execution role: set `role` to the role ARN.');
    const memorySize = int('memory-size', 128, 10240);
    const timeout = int('timeout', 1, 900);
    const ephemeralStorage = int('ephemeral-storage', 512, 10240);
    let environment;
    const envRaw = get('environment');
    if (envRaw) {
        try {
            const parsed = JSON.parse(envRaw);
            if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
                throw new Error('not an object');
            environment = {};
            for (const [k, v] of Object.entries(parsed)) {
                if (!ENV_KEY.test(k))
                    bad('environment', `"${k}" is not a valid variable name.`);
                else if (RESERVED_ENV.has(k))
                    bad('environment', `"${k}" is reserved by Lambda and cannot be set.`);
                if (typeof v === 'string')
                    environment[k] = v;
                else if (typeof v === 'number' || typeof v === 'boolean')
                    environment[k] = String(v);
                else
                    bad('environment', `value of "${k}" must be a string.`);
            }
        }
        catch {
            bad('environment', 'expected a JSON object of strings, such as {"LOG_LEVEL": "info"}.');
        }
    }
    const environmentMode = oneOf('environment-mode', ['merge', 'replace']);
    const descRaw = read('description');
    const description = descRaw === '' ? undefined : descRaw.trim();
    if (description !== undefined && description.length > 256)
        bad('description', 'longer than 256 characters.');
    const layersRaw = get('layers');
    let layers;
    if (layersRaw) {
        layers = splitList(layersRaw);
        if (layers.length === 1 && layers[0] === 'none')
            layers = [];
        for (const l of layers)
            if (!LAYER_ARN.test(l))
                bad('layers', `"${l}" is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION).`);
        if (layers.length > 5)
            bad('layers', 'a function takes at most 5 layers.');
    }
    if (has('deploy')) {
        if (functionNames.length === 0)
            bad('function-name', 'the deploy stage needs a function: set `function-name`, or leave deploy out of `stages` to build and package only.');
        if (!awsRegion && functionNames.length > 0)
            bad('aws-region', 'no Region: set `aws-region`, or AWS_REGION (aws-actions/configure-aws-credentials sets it).');
    }
    if (has('package') && !has('build'))
        bad('stages', 'the package stage needs the build stage: add build to `stages`.');
    if (has('deploy') && !has('package') && !(get('zip-path') && node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(zipPath)))
        bad('zip-path', 'deploy without the package stage deploys an existing zip: set `zip-path` to it, or add package to `stages`.');
    const cache = bool('cache');
    if (problems.length > 0)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .InputError */ .dz(problems);
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
        program: program ? node_path__WEBPACK_IMPORTED_MODULE_1__.posix.normalize(program) : '',
        taskRoot,
        include,
        bundleCertificates,
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


/***/ }),

/***/ 351:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KA: () => (/* binding */ LAMBDA_UNZIPPED_LIMIT),
/* harmony export */   mX: () => (/* binding */ LAMBDA_ZIP_LIMIT),
/* harmony export */   z3: () => (/* binding */ formatBytes)
/* harmony export */ });
/** Lambda's package limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
const LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024;
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
function formatBytes(n) {
    if (n < 1024)
        return `${n} B`;
    if (n < 1024 * 1024)
        return `${(n / 1024).toFixed(1)} KiB`;
    return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}


/***/ }),

/***/ 5625:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   _: () => (/* binding */ actionsLog),
/* harmony export */   a: () => (/* binding */ consoleLog)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3838);

const actionsLog = {
    info: (m) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(m);
    },
    debug: (m) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .debug */ .Yz(m);
    },
    notice: (m, title) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .notice */ .lm(m, title === undefined ? {} : { title });
    },
    warning: (m, title) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(m, title === undefined ? {} : { title });
    },
    error: (m, props = {}) => {
        const p = {};
        if (props.title !== undefined)
            p.title = props.title;
        if (props.file !== undefined)
            p.file = props.file;
        if (props.line !== undefined)
            p.startLine = props.line;
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .error */ .z3(m, p);
    },
    group: (name, fn) => _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .group */ .Os(name, fn),
    setOutput: (n, v) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setOutput */ .uH(n, v);
    },
    setSecret: (v) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .setSecret */ .Pq(v);
    },
    exportVariable: (n, v) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .exportVariable */ .dN(n, v);
    },
    addPath: (d) => {
        _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .addPath */ .fM(d);
    },
    writeSummary: async (md) => {
        if (!process.env['GITHUB_STEP_SUMMARY'])
            return;
        await _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .summary */ .z.addRaw(md, true).write();
    },
};
/** Plain-text log for the local command: no workflow commands, outputs printed at the end. */
function consoleLog(opts = {}) {
    const out = opts.stream ?? process.stderr;
    const write = (s) => {
        out.write(s.endsWith('\n') ? s : `${s}\n`);
    };
    const outputs = new Map();
    const secrets = [];
    const scrub = (s) => secrets.reduce((acc, sec) => acc.split(sec).join('***'), s);
    return {
        outputs,
        info: (m) => {
            write(scrub(m));
        },
        debug: (m) => {
            if (opts.verbose)
                write(scrub(`debug: ${m}`));
        },
        notice: (m, t) => {
            write(scrub(t ? `notice: ${t}: ${m}` : `notice: ${m}`));
        },
        warning: (m, t) => {
            write(scrub(t ? `warning: ${t}: ${m}` : `warning: ${m}`));
        },
        error: (m, p = {}) => {
            const where = p.file ? ` (${p.file}${p.line ? `:${p.line}` : ''})` : '';
            write(scrub(`error: ${p.title ? `${p.title}: ` : ''}${m}${where}`));
        },
        group: async (name, fn) => {
            write(`== ${name}`);
            return fn();
        },
        setOutput: (n, v) => outputs.set(n, v),
        setSecret: (v) => {
            if (v)
                secrets.push(v);
        },
        exportVariable: (n, v) => {
            process.env[n] = v;
        },
        addPath: (d) => {
            process.env['PATH'] = `${d}:${process.env['PATH'] ?? ''}`;
        },
        writeSummary: async () => {
            await Promise.resolve();
        },
    };
}


/***/ }),

/***/ 4008:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  maskSecrets: () => (/* binding */ maskSecrets),
  reportFailure: () => (/* binding */ reportFailure),
  run: () => (/* binding */ run),
  runAction: () => (/* binding */ runAction),
  runMain: () => (/* binding */ runMain)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/context.ts

function runnerInfo(env = process.env) {
    const info = external_node_os_.userInfo();
    const arch = external_node_os_.arch() === 'x64' ? 'x86_64' : external_node_os_.arch() === 'arm64' ? 'arm64' : 'other';
    const isAct = env['ACT'] === 'true';
    return {
        workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
        tempDir: env['RUNNER_TEMP'] || external_node_os_.tmpdir(),
        arch,
        isAct,
        isActions: env['GITHUB_ACTIONS'] === 'true',
        hasCacheService: !isAct && Boolean(env['ACTIONS_CACHE_URL'] || env['ACTIONS_RESULTS_URL']),
        user: info.username,
        uid: info.uid,
        home: info.homedir || env['HOME'] || '/root',
    };
}
function createContext(inputs, log, runner, post) {
    const outputs = {};
    return {
        inputs,
        runner,
        log,
        post,
        stages: [],
        outputs,
        setOutput(name, value) {
            const v = String(value);
            outputs[name] = v;
            log.setOutput(name, v);
        },
    };
}

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec.ts
var exec = __webpack_require__(3190);
// EXTERNAL MODULE: ./src/inputs.ts
var src_inputs = __webpack_require__(8422);
// EXTERNAL MODULE: ./src/log.ts
var src_log = __webpack_require__(5625);
// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
;// CONCATENATED MODULE: ./src/pipeline.ts


/**
 * Each stage's module is loaded when the stage runs, so a run that never deploys
 * never parses the AWS SDK (start-up time: see the README's performance section).
 */
const STAGE_FUNCTIONS = {
    install: async (ctx) => (await __webpack_require__.e(/* import() */ 465).then(__webpack_require__.bind(__webpack_require__, 1465))).install(ctx),
    cachix: async (ctx) => (await Promise.all(/* import() */[__webpack_require__.e(863), __webpack_require__.e(656)]).then(__webpack_require__.bind(__webpack_require__, 656))).cachix(ctx),
    build: async (ctx) => (await Promise.all(/* import() */[__webpack_require__.e(263), __webpack_require__.e(722)]).then(__webpack_require__.bind(__webpack_require__, 4722))).build(ctx),
    package: async (ctx) => (await Promise.all(/* import() */[__webpack_require__.e(316), __webpack_require__.e(230), __webpack_require__.e(263), __webpack_require__.e(869)]).then(__webpack_require__.bind(__webpack_require__, 7869))).packageStage(ctx),
    deploy: async (ctx) => (await Promise.all(/* import() */[__webpack_require__.e(316), __webpack_require__.e(323), __webpack_require__.e(556)]).then(__webpack_require__.bind(__webpack_require__, 8556))).deploy(ctx),
};
function formatDuration(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
/**
 * Runs the selected stages in order, each in its own log group that ends with
 * its duration. The first failure stops the run; later stages are recorded as skipped.
 */
async function runStages(ctx, fns = STAGE_FUNCTIONS) {
    const selected = src_inputs/* STAGES */.an.filter((s) => ctx.inputs.stages.includes(s));
    for (const [i, stage] of selected.entries()) {
        const t0 = external_node_perf_hooks_.performance.now();
        try {
            await ctx.log.group(stage, async () => {
                try {
                    await fns[stage](ctx);
                }
                finally {
                    ctx.log.info(`${stage} took ${formatDuration(external_node_perf_hooks_.performance.now() - t0)}`);
                }
            });
            ctx.stages.push({ stage, status: 'success', durationMs: external_node_perf_hooks_.performance.now() - t0 });
        }
        catch (err) {
            ctx.stages.push({ stage, status: 'failed', durationMs: external_node_perf_hooks_.performance.now() - t0 });
            for (const later of selected.slice(i + 1))
                ctx.stages.push({ stage: later, status: 'skipped', durationMs: 0 });
            throw err;
        }
    }
}

// EXTERNAL MODULE: ./src/signals.ts
var signals = __webpack_require__(970);
;// CONCATENATED MODULE: ./src/state.ts

const KEY = 'nix-lambda';
function emptyPostState() {
    return { storePaths: [], nix: '', secretFiles: [], buildSucceeded: false };
}
function isPostStep() {
    return core/* getState */.Gu('isPost') === 'true';
}
function markMainStep() {
    core/* saveState */.LZ('isPost', 'true');
}
function savePostState(state) {
    core/* saveState */.LZ(KEY, JSON.stringify(state));
}
function loadPostState() {
    const raw = core/* getState */.Gu(KEY);
    if (!raw)
        return emptyPostState();
    try {
        return { ...emptyPostState(), ...JSON.parse(raw) };
    }
    catch {
        return emptyPostState();
    }
}

// EXTERNAL MODULE: ./src/limits.ts
var limits = __webpack_require__(351);
;// CONCATENATED MODULE: ./src/summary.ts

function collectSummary(ctx, error) {
    const data = {
        ok: error === undefined,
        stages: [...ctx.stages],
        deployments: [...(ctx.deployments ?? [])],
    };
    if (error)
        data.error = error;
    if (ctx.nix)
        data.nixVersion = ctx.nix.version;
    if (ctx.build)
        data.build = {
            installable: ctx.build.installable,
            outPath: ctx.build.outPath,
            program: ctx.build.programRel,
            closurePaths: ctx.build.closure.length,
        };
    const p = ctx.package;
    if (p)
        data.bundle = {
            architecture: p.architecture,
            verified: p.verified,
            zipPath: p.zipPath,
            zipBytes: p.zipBytes,
            unzippedBytes: p.unzippedBytes,
            zipSha256: p.zipSha256,
            files: p.files.map(({ mode: _mode, ...f }) => f),
        };
    return data;
}
const STATUS_ICON = {
    success: '✅ success',
    failed: '❌ failed',
    skipped: '⏭️ skipped',
};
function duration(ms) {
    if (ms === 0)
        return '';
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
/** Escapes text for a Markdown table cell. */
function cell(s) {
    return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}
function code(s) {
    return s ? `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '&#124;')}</code>` : '';
}
function table(head, rows) {
    return [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---').join(' | ')} |`,
        ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
}
function percent(part, whole) {
    return `${((part / whole) * 100).toFixed(part / whole < 0.1 ? 1 : 0)}%`;
}
/** Short store-path form: /nix/store/abcdefgh…-name. */
function shortStorePath(p) {
    const m = /^\/nix\/store\/([a-z0-9]{32})-(.*)$/.exec(p);
    return m ? `/nix/store/${m[1].slice(0, 8)}…-${m[2]}` : p;
}
function renderSummary(d) {
    const out = [];
    out.push(`## Nix flake to AWS Lambda: ${d.ok ? 'succeeded' : 'failed'}`);
    if (d.error)
        out.push(`> [!CAUTION]\n> **${cell(d.error.title)}**: ${d.error.message.split('\n').map(cell).join('<br>')}`);
    if (d.stages.length > 0) {
        out.push('### Stages');
        out.push(table(['Stage', 'Status', 'Duration'], d.stages.map((s) => [s.stage, STATUS_ICON[s.status] ?? s.status, duration(s.durationMs)])));
    }
    if (d.build) {
        out.push('### Build');
        const rows = [
            ['Installable', code(d.build.installable)],
            ['Output', code(d.build.outPath)],
            ['Program', `${code(d.build.program)} (shipped as ${code('bootstrap')})`],
            ['Runtime closure', `${d.build.closurePaths} store paths`],
        ];
        if (d.nixVersion)
            rows.push(['Nix', d.nixVersion]);
        out.push(table(['', ''], rows));
    }
    if (d.bundle) {
        const b = d.bundle;
        out.push('### Bundle');
        const libs = b.files
            .filter((f) => f.kind === 'library' || f.kind === 'interpreter')
            .sort((x, y) => y.bytes - x.bytes || (x.name < y.name ? -1 : 1));
        const other = b.files
            .filter((f) => f.kind === 'program' || f.kind === 'include')
            .sort((x, y) => y.bytes - x.bytes || (x.name < y.name ? -1 : 1));
        const rows = [...other, ...libs].map((f) => [
            code(f.name),
            f.kind,
            code(shortStorePath(f.storePath)),
            (0,limits/* formatBytes */.z3)(f.bytes),
        ]);
        rows.push(['**Total**', `${b.files.length} files`, '', `**${(0,limits/* formatBytes */.z3)(b.unzippedBytes)}**`]);
        out.push(`${b.architecture} · ${libs.length} ${libs.length === 1 ? 'library' : 'libraries'} · checked by ${b.verified === 'loader' ? 'running the bundled loader in an isolated root' : 'reading the ELF headers'}`);
        out.push(table(['File', 'Kind', 'From', 'Size'], rows));
        out.push('### Zip and Lambda limits');
        const zipOk = b.zipBytes <= limits/* LAMBDA_ZIP_LIMIT */.mX;
        const unzOk = b.unzippedBytes <= limits/* LAMBDA_UNZIPPED_LIMIT */.KA;
        out.push(table(['', 'Size', 'Limit', 'Used'], [
            [
                'Zip (direct upload)',
                (0,limits/* formatBytes */.z3)(b.zipBytes),
                (0,limits/* formatBytes */.z3)(limits/* LAMBDA_ZIP_LIMIT */.mX),
                `${percent(b.zipBytes, limits/* LAMBDA_ZIP_LIMIT */.mX)}${zipOk ? '' : ' ⚠️ use s3-bucket'}`,
            ],
            [
                'Unzipped (with layers)',
                (0,limits/* formatBytes */.z3)(b.unzippedBytes),
                (0,limits/* formatBytes */.z3)(limits/* LAMBDA_UNZIPPED_LIMIT */.KA),
                `${percent(b.unzippedBytes, limits/* LAMBDA_UNZIPPED_LIMIT */.KA)}${unzOk ? '' : ' ❌'}`,
            ],
        ]));
        out.push(`CodeSha256 ${code(b.zipSha256)} · ${code(b.zipPath)}`);
    }
    if (d.deployments.length > 0) {
        out.push('### Deploy');
        out.push(table(['Function', 'Status', 'Version', 'Alias', 'CodeSha256', 'Uploaded', 'Configuration'], d.deployments.map((r) => [
            code(r.function),
            r.status,
            r.version,
            r.alias,
            code(r.codeSha256),
            r.upload ? `${(0,limits/* formatBytes */.z3)(r.bytesUploaded)} (${r.upload})` : 'nothing',
            r.configChanges.length > 0 ? r.configChanges.map((c) => cell(c.setting)).join(', ') : '',
        ])));
    }
    return `${out.join('\n\n')}\n`;
}

;// CONCATENATED MODULE: ./src/main.ts










/** Masks every secret input before anything else can print or pass it on. */
function maskSecrets(read, log) {
    for (const name of src_inputs/* SECRET_INPUTS */.pH) {
        const v = read(name).trim();
        if (v) {
            log.setSecret(v);
            (0,exec/* registerSecret */.cl)(v);
        }
    }
}
/** Reports a failure: an annotation with a title (and a .nix location when known). */
function reportFailure(log, err) {
    const message = (0,exec/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(err));
    if (err instanceof errors/* ActionError */.lZ) {
        const props = { title: err.title };
        if (err.file !== undefined)
            props.file = err.file;
        if (err.line !== undefined)
            props.line = err.line;
        log.error(message, props);
    }
    else {
        log.error(message, { title: 'Unexpected error' });
        if (err instanceof Error && err.stack)
            log.debug((0,exec/* scrubSecrets */.Zg)(err.stack));
    }
    return message;
}
/** The main step: parse every input, then run the selected stages. Reports failures to the log; never throws. */
async function runMain(opts = {}) {
    const read = opts.read ?? ((name) => core/* getInput */.V4(name));
    const log = opts.log ?? src_log/* actionsLog */._;
    const env = opts.env ?? process.env;
    maskSecrets(read, log);
    const runner = runnerInfo(env);
    let inputs;
    try {
        inputs = (0,src_inputs/* parseInputs */.TL)(read, { workspace: runner.workspace, tempDir: runner.tempDir, env });
    }
    catch (err) {
        reportFailure(log, err);
        await finishSummary(undefined, log, err);
        return { ctx: undefined, error: err };
    }
    const ctx = createContext(inputs, log, runner, emptyPostState());
    // A cancelled job (the runner sends SIGINT, then SIGTERM) still runs the post step: leave it
    // the state it needs to remove the secret files written so far.
    const stopSaving = runner.isActions
        ? (0,signals/* onTermination */.o)(() => {
            savePostState(ctx.post);
        })
        : undefined;
    let error;
    try {
        await runStages(ctx);
    }
    catch (err) {
        error = err;
        reportFailure(log, err);
    }
    finally {
        stopSaving?.();
    }
    if (runner.isActions)
        savePostState(ctx.post);
    await finishSummary(ctx, log, error);
    return error === undefined ? { ctx } : { ctx, error };
}
function describeError(err) {
    return {
        title: err instanceof errors/* ActionError */.lZ ? err.title : 'Unexpected error',
        message: (0,exec/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(err)),
    };
}
/** The job summary and the summary-json output; a failure to write them is only a warning. */
async function finishSummary(ctx, log, error) {
    const err = error === undefined ? undefined : describeError(error);
    const data = ctx
        ? collectSummary(ctx, err)
        : { ok: false, ...(err ? { error: err } : {}), stages: [], deployments: [] };
    if (ctx)
        ctx.setOutput('summary-json', JSON.stringify(data));
    try {
        await log.writeSummary(renderSummary(data));
    }
    catch (e) {
        log.warning(`could not write the job summary: ${(0,errors/* errorMessage */.gJ)(e)}`);
    }
}
/** Entry point of dist/index.js when a runner (or act) runs it. */
async function runAction() {
    if (isPostStep()) {
        const { runPost } = await Promise.all(/* import() */[__webpack_require__.e(863), __webpack_require__.e(106)]).then(__webpack_require__.bind(__webpack_require__, 5106));
        await runPost(loadPostState(), src_log/* actionsLog */._);
        return;
    }
    markMainStep();
    const { error } = await runMain();
    if (error !== undefined)
        process.exitCode = 1;
}
/** The entry point @github/local-action calls (`local-action . src/main.ts .env`). */
async function run() {
    await runAction();
}


/***/ }),

/***/ 970:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   o: () => (/* binding */ onTermination)
/* harmony export */ });
/**
 * A runner cancelling a job sends SIGINT, then SIGTERM; Node's default action ends the process at
 * once. onTermination runs a clean-up first, then raises the signal again so that it ends the
 * process as it would have (once every watcher has stopped listening).
 * Returns the function that stops watching.
 */
function onTermination(cleanup) {
    const handle = (signal) => {
        stop();
        try {
            cleanup();
        }
        finally {
            process.kill(process.pid, signal);
        }
    };
    const onInt = () => {
        handle('SIGINT');
    };
    const onTerm = () => {
        handle('SIGTERM');
    };
    const stop = () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return stop;
}


/***/ })

};
