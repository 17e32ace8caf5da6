export const id = 819;
export const ids = [819];
export const modules = {

/***/ 819:
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

// EXTERNAL MODULE: ./src/context.ts
var context = __webpack_require__(788);
// EXTERNAL MODULE: ./src/util/errors.ts
var errors = __webpack_require__(17);
// EXTERNAL MODULE: ./src/util/exec.ts
var exec = __webpack_require__(7895);
// EXTERNAL MODULE: ./src/util/secrets.ts
var secrets = __webpack_require__(4537);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
;// CONCATENATED MODULE: ./src/nix/builders.ts
/**
 * Nix's distributed builds (a pure module): the `builders` string as Nix reads it, checked, and
 * completed with the job's SSH key and builders' host keys, so that the ssh Nix starts (in this
 * process, or in a nix-daemon that never sees the step's environment) authenticates with the key
 * and checks the builder against builder-known-hosts.
 *
 * A builders entry is `URI [SYSTEMS [SSH-KEY [MAX-JOBS [SPEED [FEATURES [MANDATORY [HOST-KEY]]]]]]]`
 * ("-" leaves a field empty); entries are separated by `;` or newlines; `@FILE` reads them from a
 * file. HOST-KEY is the base64 of a known_hosts key ("ssh-ed25519 AAAA..."): Nix writes it into a
 * known_hosts file of its own for that ssh, which works where NIX_SSHOPTS does not reach (a daemon).
 */
const URI = /^(ssh|ssh-ng):\/\/(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.:[\]_-]+$/;
/** Field positions after the URI. */
const F_KEY = 1;
const F_MAX_JOBS = 2;
const F_SPEED = 3;
const F_HOST_KEY = 6;
/** Splits and checks a builders string (what the input `builders` holds). */
function parseBuilders(text) {
    const out = { entries: [], files: [], problems: [] };
    for (const raw of text.split(/[;\n]/)) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        if (line.startsWith('@')) {
            out.files.push(line);
            continue;
        }
        const [uri, ...fields] = line.split(/\s+/);
        if (!URI.test(uri)) {
            out.problems.push(`"${uri}" is not a builder Nix reaches over SSH: write ssh://user@host or ssh-ng://user@host, then the systems (x86_64-linux,aarch64-linux), the key file or -, max jobs, speed, features.`);
            continue;
        }
        if (fields.length > 7) {
            out.problems.push(`"${line}" has ${fields.length + 1} fields; a builder has at most 8.`);
            continue;
        }
        for (const [i, what] of [
            [F_MAX_JOBS, 'max jobs'],
            [F_SPEED, 'speed factor'],
        ]) {
            const v = fields[i];
            if (v !== undefined && v !== '-' && !/^\d+$/.test(v))
                out.problems.push(`"${line}": the ${what} (field ${i + 2}) must be a whole number, got "${v}".`);
        }
        out.entries.push({ uri: uri, fields });
    }
    if (out.entries.length === 0 && out.files.length === 0 && out.problems.length === 0)
        out.problems.push('no builder given.');
    return out;
}
/** The host of a builder URI, as ssh and known_hosts name it (no user; [host]:port kept as written). */
function builderHost(uri) {
    const rest = uri.replace(/^[a-z-]+:\/\//, '');
    return rest.includes('@') ? rest.slice(rest.lastIndexOf('@') + 1) : rest;
}
/** Parses known_hosts text; lines that are not `HOSTS TYPE KEY [comment]` are returned as problems. */
function parseKnownHosts(text) {
    const hosts = [];
    const problems = [];
    for (const raw of text.split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        const parts = line.split(/\s+/);
        // An optional marker (@cert-authority, @revoked) comes first.
        const [h, type, key] = parts[0].startsWith('@') ? parts.slice(1) : parts;
        if (!h ||
            !type ||
            !key ||
            !/^[A-Za-z0-9+/]{20,}=*$/.test(key) ||
            !/^(ssh|ecdsa|sk)-[a-z0-9@.-]+$/.test(type)) {
            problems.push(`"${line.slice(0, 60)}" is not a known_hosts line (HOST KEYTYPE BASE64KEY).`);
            continue;
        }
        hosts.push({ hosts: h.split(','), key: `${type} ${key}` });
    }
    return { hosts, problems };
}
/**
 * The builders string Nix gets: every entry without a key file gets `keyFile`, and every entry
 * without a host key gets the one builder-known-hosts holds for its host (a plain host name; a
 * builder on another port is checked through the known_hosts file instead: see sshOptions).
 */
function completeBuilders(parsed, o) {
    const lines = parsed.entries.map((e) => {
        const f = [...e.fields];
        const set = (i, v) => {
            while (f.length < i)
                f.push('-');
            if (f[i] === undefined || f[i] === '-' || f[i] === '')
                f[i] = v;
        };
        if (o.keyFile)
            set(F_KEY, o.keyFile);
        const host = builderHost(e.uri);
        const known = o.knownHosts?.find((k) => k.hosts.includes(host));
        if (known && (f[F_HOST_KEY] === undefined || f[F_HOST_KEY] === '-'))
            set(F_HOST_KEY, Buffer.from(known.key).toString('base64'));
        return [e.uri, ...f].join(' ');
    });
    return [...lines, ...parsed.files].join(' ; ');
}
/** NIX_SSHOPTS for the ssh Nix runs itself (no daemon): the job's known_hosts file, checked strictly. */
function sshOptions(existing, knownHostsFile) {
    const add = knownHostsFile ? [`-oUserKnownHostsFile=${knownHostsFile}`, '-oStrictHostKeyChecking=yes'] : [];
    return [existing.trim(), ...add].filter(Boolean).join(' ');
}
/** Whether text holds an OpenSSH or PEM private key (the only thing builder-ssh-key takes). */
function looksLikePrivateKey(text) {
    return /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\r?\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----\s*$/.test(text.trim() + '\n');
}

;// CONCATENATED MODULE: ./src/inputs/build.ts



/** checkDisk: look for the flake.nix of a path flake (when the build stage runs: other jobs have no checkout). */
function parseBuildInputs(src, workspace, o = { checkDisk: true }) {
    const flake = src.get('flake');
    const { installable, flakeDir } = resolveFlake(flake, workspace, src, o.checkDisk);
    const program = src.get('program');
    if (program) {
        const norm = external_node_path_.posix.normalize(program);
        if (program.startsWith('/') || norm === '..' || norm.startsWith('../'))
            src.bad('program', `"${program}" must be a path inside the build output, such as bin/bootstrap.`);
    }
    const builders = parseRemoteBuilders(src);
    return { flake, installable, flakeDir, program: program ? external_node_path_.posix.normalize(program) : '', builders };
}
/** builders, builder-ssh-key and builder-known-hosts; the key's text never appears in a problem. */
function parseRemoteBuilders(src) {
    const text = src.get('builders');
    const sshKey = src.raw('builder-ssh-key').replace(/\r\n/g, '\n').trim();
    const knownHostsText = src.raw('builder-known-hosts').replace(/\r\n/g, '\n').trim();
    if (text === '') {
        for (const name of ['builder-ssh-key', 'builder-known-hosts'])
            if ((name === 'builder-ssh-key' ? sshKey : knownHostsText) !== '')
                src.bad(name, "needs `builders`: the remote builders (Nix's builders string) it is for.");
        return undefined;
    }
    const parsed = parseBuilders(text);
    for (const p of parsed.problems)
        src.bad('builders', p);
    if (/PRIVATE KEY/.test(text))
        src.bad('builders', 'holds a private key: give the key in `builder-ssh-key` (from a secret), never in builders.');
    if (sshKey !== '' && !looksLikePrivateKey(sshKey))
        src.bad('builder-ssh-key', 'is not an SSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ... -----END OPENSSH PRIVATE KEY-----); pass the whole key from a secret.');
    const known = parseKnownHosts(knownHostsText);
    for (const p of known.problems)
        src.bad('builder-known-hosts', p);
    return {
        parsed,
        sshKey: sshKey === '' ? '' : `${sshKey}\n`,
        knownHostsText: knownHostsText === '' ? '' : `${knownHostsText}\n`,
        knownHosts: known.hosts,
    };
}
/** The installable of a flake reference: a path flake resolved against the workspace (it must hold a flake.nix). */
function resolveFlake(flake, workspace, src, checkDisk) {
    const none = { installable: flake, flakeDir: undefined };
    if (flake === '') {
        src.bad('flake', 'empty; give a flake reference such as `.` or `.#my-function`.');
        return none;
    }
    if (/\s/.test(flake)) {
        src.bad('flake', `"${flake}" contains whitespace; give one flake reference such as \`.#my-function\`.`);
        return none;
    }
    const hash = flake.indexOf('#');
    const ref = hash < 0 ? flake : flake.slice(0, hash);
    const attr = hash < 0 ? '' : flake.slice(hash + 1);
    if (hash >= 0 && !/^[A-Za-z0-9_'"."-]+$/.test(attr))
        src.bad('flake', `"${flake}": the attribute after # is empty or malformed; write e.g. \`.#packages.x86_64-linux.default\`.`);
    const isPath = ref === '' || ref.startsWith('.') || ref.startsWith('/') || ref.startsWith('path:') || !ref.includes(':');
    if (!isPath) {
        if (!/^[a-z][a-z0-9+-]*:\S+$/.test(ref))
            src.bad('flake', `"${flake}" is not a flake reference; examples: \`.\`, \`.#app\`, \`github:owner/repo#app\`.`);
        return none;
    }
    const p = ref.startsWith('path:') ? ref.slice(5).split('?')[0] : ref === '' ? '.' : ref.split('?')[0];
    const dir = external_node_path_.resolve(workspace, p);
    if (checkDisk && !external_node_fs_.existsSync(external_node_path_.join(dir, 'flake.nix'))) {
        src.bad('flake', `no flake.nix in ${dir} (from "${flake}", resolved against ${workspace}); check out the repository first (actions/checkout) or fix the path.`);
        return none;
    }
    const query = ref.includes('?') ? ref.slice(ref.indexOf('?')) : '';
    return {
        installable: `${ref.startsWith('path:') ? 'path:' : ''}${dir}${query}${hash < 0 ? '' : `#${attr}`}`,
        flakeDir: dir,
    };
}

// EXTERNAL MODULE: ./src/inputs/read.ts
var inputs_read = __webpack_require__(4245);
;// CONCATENATED MODULE: ./src/inputs/cachix.ts

const CACHIX_NAME = /^[a-z0-9][a-z0-9-]*$/;
function parseCachixInputs(src) {
    const cachixCache = src.get('cachix-cache');
    if (cachixCache && !CACHIX_NAME.test(cachixCache))
        src.bad('cachix-cache', `"${cachixCache}" is not a Cachix cache name (lower-case letters, digits and dashes; the name, not the URL).`);
    const extraPullCaches = (0,inputs_read/* splitList */.ry)(src.get('extra-pull-caches'));
    for (const c of extraPullCaches)
        if (!CACHIX_NAME.test(c))
            src.bad('extra-pull-caches', `"${c}" is not a Cachix cache name.`);
    const cachixAuthToken = src.get('cachix-auth-token');
    const cachixSigningKey = src.get('cachix-signing-key');
    const pushRaw = src.get('cachix-push');
    let cachixPush = cachixAuthToken !== '' || cachixSigningKey !== '';
    if (pushRaw !== '')
        cachixPush = src.bool('cachix-push');
    if (cachixPush && pushRaw !== '' && !cachixCache)
        src.bad('cachix-push', 'pushing needs `cachix-cache`: set the cache to push to, or set cachix-push: false.');
    if (cachixPush && !cachixCache && (cachixAuthToken || cachixSigningKey))
        src.bad('cachix-cache', 'a Cachix token or signing key is set but no cache name: set `cachix-cache`.');
    let pushFilter;
    const pf = src.get('push-filter');
    if (pf) {
        try {
            pushFilter = new RegExp(pf);
        }
        catch (e) {
            src.bad('push-filter', `not a valid regular expression: ${e.message}.`);
        }
    }
    const cachixApiUrl = src.get('cachix-api-url').replace(/\/+$/, '');
    if (!/^https?:\/\/\S+$/.test(cachixApiUrl))
        src.bad('cachix-api-url', `"${cachixApiUrl}" is not an http(s) URL.`);
    const pushTo = src.get('push-to');
    if (pushTo && !/^[a-z][a-z0-9+]*:\/\/\S+$/.test(pushTo))
        src.bad('push-to', `"${pushTo}" is not a Nix store URL such as s3://bucket, file:///path or https://host.`);
    const pushSigningKey = src.get('push-signing-key');
    if (pushSigningKey && !/^[^:\s]+:[A-Za-z0-9+/=]+$/.test(pushSigningKey))
        src.bad('push-signing-key', 'expected a Nix secret key, NAME:BASE64, as printed by `nix key generate-secret`.');
    const cache = src.bool('cache');
    return {
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
    };
}

// EXTERNAL MODULE: ./src/lambda.ts
var lambda = __webpack_require__(6896);
;// CONCATENATED MODULE: ./src/inputs/deploy.ts


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
const KEEP_VERSIONS = { min: 1, max: 10000 };
/**
 * Checks every deploy input (whatever the stages); returns the deploy stage's inputs when it runs
 * (deploying), else undefined.
 */
function parseDeployInputs(src, o) {
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
    if (!o.deploying)
        return undefined;
    const [first, ...more] = functionNames;
    if (first === undefined)
        src.bad('function-name', 'the deploy stage needs a function: set `function-name`, or leave deploy out of `stages` to build and package only.');
    else if (!awsRegion)
        src.bad('aws-region', 'no Region: set `aws-region`, or AWS_REGION (aws-actions/configure-aws-credentials sets it).');
    if (first === undefined)
        return undefined;
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
/**
 * What protects the functions: the accounts allowed (function and role ARNs name theirs, checked
 * here, before any call), the architecture change, old versions, and the smoke test (it invokes
 * the published version, so it needs publish).
 */
function parseGuards(src, o) {
    const allowedAccountIds = (0,inputs_read/* splitList */.ry)(src.get('allowed-account-ids'));
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
                src.bad('allowed-account-ids', `${what} is in account ${account}, which is not listed (${allowedAccountIds.join(', ')}): fix the ARN, or add the account.`);
    }
    const architectureChange = src.oneOf('architecture-change', ['refuse', 'update']);
    const keepVersions = src.int('keep-versions', KEEP_VERSIONS);
    if (keepVersions !== undefined && !o.publish)
        src.bad('keep-versions', 'old versions are removed after a new one is published: set `publish: true` as well.');
    const smokeTest = o.smokeTest.payload === undefined ? undefined : o.smokeTest;
    if (smokeTest && o.deploying && !o.publish)
        src.bad('smoke-test-payload', 'the smoke test invokes the published version before the alias moves: set `publish: true` as well (or leave deploy out of `stages`).');
    return { allowedAccountIds, architectureChange, keepVersions, smokeTest };
}
function parseFunctionNames(src) {
    const functionNames = (0,inputs_read/* splitList */.ry)(src.get('function-name'));
    for (const f of functionNames)
        if (!FUNCTION_NAME.test(f) && !FUNCTION_ARN.test(f))
            src.bad('function-name', `"${f}" is not a function name (letters, digits, - and _, at most 64) or ARN (arn:aws:lambda:REGION:ACCOUNT:function:NAME, without a version or alias).`);
    if (new Set(functionNames).size !== functionNames.length)
        src.bad('function-name', 'lists a function twice.');
    return functionNames;
}
/** aws-region, else AWS_REGION or AWS_DEFAULT_REGION, else the Region of a function ARN; '' when none. */
function parseRegion(src, functionNames, env) {
    let awsRegion = src.get('aws-region') || env['AWS_REGION'] || env['AWS_DEFAULT_REGION'] || '';
    if (!awsRegion) {
        const fromArn = functionNames.map((f) => /^arn:aws[a-z-]*:lambda:([^:]+):/.exec(f)?.[1]).find(Boolean);
        if (fromArn)
            awsRegion = fromArn;
    }
    if (awsRegion && !REGION.test(awsRegion))
        src.bad('aws-region', `"${awsRegion}" is not an AWS Region such as us-east-1.`);
    return awsRegion;
}
function parseS3(src) {
    const bucket = src.get('s3-bucket');
    const key = src.get('s3-key');
    if (bucket && (!BUCKET.test(bucket) || bucket.includes('..')))
        src.bad('s3-bucket', `"${bucket}" is not an S3 bucket name (the name only, not s3:// or an ARN).`);
    if (key && !bucket)
        src.bad('s3-key', 'set `s3-bucket` too; the key names an object inside that bucket.');
    if (key && (key.startsWith('/') || key.length > 1024))
        src.bad('s3-key', 'must be a relative object key of at most 1024 characters.');
    return bucket ? { bucket, key } : undefined;
}
/** create, runtime and role: a function to create needs its execution role (when deploy runs). */
function parseCreate(src, deploying) {
    const create = src.bool('create');
    const runtime = src.oneOf('runtime', lambda/* LAMBDA_RUNTIMES */._9);
    const role = src.get('role');
    if (role && !ROLE_ARN.test(role))
        src.bad('role', `"${role}" is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).`);
    if (create && !role && deploying)
        src.bad('role', 'creating a function (create: true) needs its execution role: set `role` to the role ARN.');
    return create && role ? { role, runtime } : undefined;
}
function parseConfiguration(src) {
    const memorySize = src.int('memory-size', lambda/* MEMORY_SIZE_MB */.as);
    const timeout = src.int('timeout', lambda/* TIMEOUT_SECONDS */.yj);
    const ephemeralStorage = src.int('ephemeral-storage', lambda/* EPHEMERAL_STORAGE_MB */.gH);
    const environment = parseEnvironment(src);
    const environmentMode = src.oneOf('environment-mode', ['merge', 'replace']);
    const descRaw = src.raw('description');
    const description = descRaw === '' ? undefined : descRaw.trim();
    if (description !== undefined && description.length > lambda/* MAX_DESCRIPTION_LENGTH */.Lj)
        src.bad('description', `longer than ${lambda/* MAX_DESCRIPTION_LENGTH */.Lj} characters.`);
    const layersRaw = src.get('layers');
    let layers;
    if (layersRaw) {
        layers = (0,inputs_read/* splitList */.ry)(layersRaw);
        if (layers.length === 1 && layers[0] === 'none')
            layers = [];
        for (const l of layers)
            if (!LAYER_ARN.test(l))
                src.bad('layers', `"${l}" is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION).`);
        if (layers.length > lambda/* MAX_LAYERS */.Uf)
            src.bad('layers', `a function takes at most ${lambda/* MAX_LAYERS */.Uf} layers.`);
    }
    return { memorySize, timeout, environment, environmentMode, description, layers, ephemeralStorage };
}
/** environment: a JSON object of strings (numbers and booleans taken as strings), no reserved name. */
function parseEnvironment(src) {
    const envRaw = src.get('environment');
    if (!envRaw)
        return undefined;
    try {
        const parsed = JSON.parse(envRaw);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
            throw new Error('not an object');
        const environment = {};
        for (const [k, v] of Object.entries(parsed)) {
            if (!ENV_KEY.test(k))
                src.bad('environment', `"${k}" is not a valid variable name.`);
            else if (lambda/* RESERVED_ENVIRONMENT */.LM.has(k))
                src.bad('environment', `"${k}" is reserved by Lambda and cannot be set.`);
            if (typeof v === 'string')
                environment[k] = v;
            else if (typeof v === 'number' || typeof v === 'boolean')
                environment[k] = String(v);
            else
                src.bad('environment', `value of "${k}" must be a string.`);
        }
        return environment;
    }
    catch {
        src.bad('environment', 'expected a JSON object of strings, such as {"LOG_LEVEL": "info"}.');
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/inputs/install.ts
const SHA256_HEX = /^[0-9a-f]{64}$/;
function parseInstallInputs(src, env) {
    const nixInstaller = src.oneOf('nix-installer', ['official', 'determinate']);
    const installerUrl = src.get('installer-url');
    if (installerUrl && !/^(https?|file):\/\/\S+$/.test(installerUrl))
        src.bad('installer-url', `"${installerUrl}" is not an http(s):// or file:// URL.`);
    const installerSha256 = src.get('installer-sha256').toLowerCase();
    if (installerSha256 && !SHA256_HEX.test(installerSha256))
        src.bad('installer-sha256', 'expected 64 hexadecimal digits (the output of `sha256sum`).');
    const nixVersion = src.get('nix-version');
    if (nixVersion && !/^\d+\.\d+(\.\d+)?$/.test(nixVersion))
        src.bad('nix-version', `expected a version such as 2.24.9, got "${nixVersion}".`);
    return {
        nixInstaller,
        installerUrl,
        installerSha256,
        nixVersion,
        githubToken: src.get('github-token') || env['GITHUB_TOKEN'] || '',
        extraNixConfig: src.raw('extra-nix-config'),
    };
}

;// CONCATENATED MODULE: ./src/inputs/layer.ts

const LAYER_NAME = /^[A-Za-z0-9_-]{1,140}$/;
/** The layer of a version ARN (arn:...:layer:NAME:VERSION), or undefined. */
function layerNameOf(versionArn) {
    return /:layer:([A-Za-z0-9_-]+):\d+$/.exec(versionArn)?.[1];
}
/**
 * library-layer: a layer name; with `layers`, the layer is added to them (so they hold at most four,
 * and none of this layer's versions). Its layer is published by the deploy stage from what the
 * package stage wrote, so both run in the same job.
 */
function parseLayerInputs(src, o) {
    const name = src.get('library-layer');
    if (!name)
        return undefined;
    if (!LAYER_NAME.test(name)) {
        src.bad('library-layer', `"${name}" is not a layer name (letters, digits, - and _, at most 140; the name, not an ARN).`);
        return undefined;
    }
    if (o.stages.includes('deploy') && !o.stages.includes('package'))
        src.bad('library-layer', 'the layer is made by the package stage: add build and package to `stages`, or leave library-layer empty to deploy an existing single zip.');
    const layers = o.layers ?? [];
    if (layers.some((l) => layerNameOf(l) === name))
        src.bad('layers', `lists a version of ${name}, the library layer: leave it out (the deploy stage sets the version that holds this build's libraries).`);
    else if (layers.length + 1 > lambda/* MAX_LAYERS */.Uf)
        src.bad('library-layer', `with the ${layers.length} layers of \`layers\` the function would have ${layers.length + 1}; Lambda takes at most ${lambda/* MAX_LAYERS */.Uf}. Drop one from \`layers\`, or leave library-layer empty.`);
    return { name };
}

// EXTERNAL MODULE: ./src/bundle/runtime-env.ts
var runtime_env = __webpack_require__(3162);
;// CONCATENATED MODULE: ./src/inputs/package.ts




const LIBRARY_NAME = /^[A-Za-z0-9_+.*?-]+$/;
/** where.checkDisk: check zip-path's folder (when a stage writes or reads the zip; default true). */
function parsePackageInputs(src, where) {
    const taskRoot = src.get('task-root').replace(/(.)\/+$/, '$1');
    if (!/^\/[A-Za-z0-9_./-]*$/.test(taskRoot) || taskRoot.split('/').includes('..'))
        src.bad('task-root', `"${taskRoot}" must be an absolute path without spaces, such as /var/task.`);
    else if (taskRoot.length > 64)
        src.bad('task-root', 'longer than 64 characters; the interpreter path must fit into the ELF header.');
    const include = parseInclude(src);
    const bundleCertificates = src.bool('bundle-certificates');
    const bundleData = parseBundleData(src, bundleCertificates);
    const extraLibraries = (0,inputs_read/* splitList */.ry)(src.get('extra-libraries'));
    for (const lib of extraLibraries)
        if (!(lib.startsWith('/nix/store/') || /^lib[A-Za-z0-9_+.-]*\.so(\.[0-9]+)*$/.test(lib)))
            src.bad('extra-libraries', `"${lib}" is neither a library name (libfoo.so.1) nor a /nix/store path of the build's closure.`);
    const excludeLibraries = (0,inputs_read/* splitList */.ry)(src.get('exclude-libraries'));
    for (const lib of excludeLibraries)
        if (!LIBRARY_NAME.test(lib))
            src.bad('exclude-libraries', `"${lib}" is not a library name or a pattern such as libGL*.so*.`);
    const zipPath = parseZipPath(src, where);
    const verify = src.oneOf('verify', ['auto', 'true', 'false']);
    const localSmokeTest = src.oneOf('local-smoke-test', ['auto', 'true', 'false']);
    return {
        taskRoot,
        include,
        bundleCertificates,
        bundleData,
        extraLibraries,
        excludeLibraries,
        zipPath,
        verify,
        localSmokeTest,
    };
}
/** include: one SOURCE or SOURCE:TARGET a line; a source in the output or the store, a target inside the zip. */
function parseInclude(src) {
    const include = [];
    for (const line of (0,inputs_read/* splitList */.ry)(src.get('include'))) {
        const sep = line.lastIndexOf(':');
        const source = (sep < 0 ? line : line.slice(0, sep)).trim();
        let target = (sep < 0 ? '' : line.slice(sep + 1)).trim();
        if (source === '') {
            src.bad('include', `"${line}" has no source; write SOURCE or SOURCE:TARGET.`);
            continue;
        }
        if (source.startsWith('/') && !source.startsWith('/nix/store/')) {
            src.bad('include', `"${source}" is outside the Nix store; give a path relative to the build output or a /nix/store path from its closure.`);
            continue;
        }
        if (!source.startsWith('/') && external_node_path_.posix.normalize(source).startsWith('..')) {
            src.bad('include', `"${source}" escapes the build output.`);
            continue;
        }
        if (target === '')
            target = source.startsWith('/') ? external_node_path_.posix.basename(source) : external_node_path_.posix.normalize(source);
        const nt = external_node_path_.posix.normalize(target).replace(/\/+$/, '');
        if (target.startsWith('/') || nt === '..' || nt.startsWith('../') || nt === '.' || nt === '') {
            src.bad('include', `target "${target}" must be a relative path inside the zip.`);
            continue;
        }
        if (nt === 'bootstrap') {
            src.bad('include', `target "${target}" would replace the bootstrap.`);
            continue;
        }
        include.push({ source, target: nt });
    }
    return include;
}
/** bundle-data: auto, none, or data sets by name; bundle-certificates adds certificates. */
function parseBundleData(src, bundleCertificates) {
    const bundleData = { auto: false, sets: [] };
    const dataItems = (0,inputs_read/* splitList */.ry)(src.get('bundle-data'));
    for (const item of dataItems) {
        if (item === 'auto')
            bundleData.auto = true;
        else if (item === 'none') {
            if (dataItems.length > 1)
                src.bad('bundle-data', '`none` cannot be combined with other entries.');
        }
        else if (runtime_env/* DATA_SETS */.zw.includes(item)) {
            if (!bundleData.sets.includes(item))
                bundleData.sets.push(item);
        }
        else
            src.bad('bundle-data', `unknown entry "${item}"; write auto, none, or some of ${runtime_env/* DATA_SETS */.zw.join(', ')} (with or without auto).`);
    }
    if (bundleCertificates && !bundleData.sets.includes('certificates'))
        bundleData.sets.push('certificates');
    return bundleData;
}
/** zip-path resolved against the workspace (its folder must exist), else RUNNER_TEMP/nix-lambda/function.zip. */
function parseZipPath(src, where) {
    const given = src.get('zip-path');
    if (!given)
        return external_node_path_.join(where.tempDir, 'nix-lambda', 'function.zip');
    const zipPath = external_node_path_.resolve(where.workspace, given);
    const parent = external_node_path_.dirname(zipPath);
    if (where.checkDisk === false)
        return zipPath;
    if (!external_node_fs_.existsSync(parent) || !external_node_fs_.statSync(parent).isDirectory())
        src.bad('zip-path', `folder ${parent} does not exist; create it first or choose another path.`);
    else if (external_node_fs_.existsSync(zipPath) && external_node_fs_.statSync(zipPath).isDirectory())
        src.bad('zip-path', `${zipPath} is a folder; give a file name such as function.zip.`);
    return zipPath;
}

;// CONCATENATED MODULE: ./src/inputs/smoke-test.ts
/** Lambda's limit on a synchronous invocation's request payload (6 MB). */
const MAX_SMOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda's longest function timeout: no invocation takes longer. */
const SMOKE_TIMEOUT_SECONDS = { min: 1, max: 900, default: 30 };
function parseSmokeTestInputs(src) {
    const raw = src.get('smoke-test-payload');
    let payload;
    if (raw !== '') {
        try {
            JSON.parse(raw);
            payload = raw;
        }
        catch (err) {
            src.bad('smoke-test-payload', `not a JSON document (${err.message}); write the event the function gets, such as {"path": "/health"}.`);
        }
        if (Buffer.byteLength(raw) > MAX_SMOKE_PAYLOAD_BYTES)
            src.bad('smoke-test-payload', 'larger than the 6 MB Lambda takes in a synchronous invocation.');
    }
    const expectText = src.raw('smoke-test-expect');
    if (expectText !== '' && raw === '')
        src.bad('smoke-test-expect', 'there is no smoke test to check: set `smoke-test-payload` to the event to send.');
    const timeoutSeconds = src.int('smoke-test-timeout-seconds', SMOKE_TIMEOUT_SECONDS) ?? SMOKE_TIMEOUT_SECONDS.default;
    return { payload, expect: expectText === '' ? undefined : expectText, timeoutSeconds };
}

;// CONCATENATED MODULE: ./src/inputs/parse.ts










function parseInputs(read, penv) {
    const src = new inputs_read/* InputSource */.KP(read);
    const stages = parseStages(src);
    const has = (s) => stages.includes(s);
    const install = parseInstallInputs(src, penv.env);
    const cachix = parseCachixInputs(src);
    // Inputs are checked against the disk only for the stages that use them: a deploy-only job that
    // downloaded the zip has no checkout, so no flake.nix.
    const build = parseBuildInputs(src, penv.workspace, { checkDisk: has('build') });
    const pkg = parsePackageInputs(src, { ...penv, checkDisk: has('package') || has('deploy') });
    const smokeTest = parseSmokeTestInputs(src);
    const deploy = parseDeployInputs(src, {
        deploying: has('deploy'),
        zipPath: pkg.zipPath,
        env: penv.env,
        smokeTest,
    });
    if (pkg.localSmokeTest === 'true' && src.get('smoke-test-payload') === '')
        src.bad('local-smoke-test', 'true needs `smoke-test-payload`: the event the bundle is asked to answer.');
    const layer = parseLayerInputs(src, { stages, layers: deploy?.configuration.layers });
    if (has('package') && !has('build'))
        src.bad('stages', 'the package stage needs the build stage: add build to `stages`.');
    if (has('deploy') && !has('package') && !(src.get('zip-path') && external_node_fs_.existsSync(pkg.zipPath)))
        src.bad('zip-path', 'deploy without the package stage deploys an existing zip: set `zip-path` to it, or add package to `stages`.');
    if (src.problems.length > 0)
        throw new errors/* InputError */.dz(src.problems);
    return { stages, install, cachix, build, package: pkg, smokeTest, deploy, layer };
}
/** The stages, in their order, each once. */
function parseStages(src) {
    const stageNames = (0,inputs_read/* splitList */.ry)(src.get('stages'));
    const stages = [];
    for (const s of stageNames) {
        if (inputs_read/* STAGES */.an.includes(s)) {
            if (!stages.includes(s))
                stages.push(s);
        }
        else
            src.bad('stages', `unknown stage "${s}"; the stages are ${inputs_read/* STAGES */.an.join(', ')}.`);
    }
    if (stageNames.length === 0)
        src.bad('stages', `no stage selected; list some of ${inputs_read/* STAGES */.an.join(', ')}.`);
    stages.sort((a, b) => inputs_read/* STAGES */.an.indexOf(a) - inputs_read/* STAGES */.an.indexOf(b));
    return stages;
}

// EXTERNAL MODULE: ./src/host.ts
var host = __webpack_require__(2237);
// EXTERNAL MODULE: ./src/action/outputs.ts
var action_outputs = __webpack_require__(8948);
// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
// EXTERNAL MODULE: ./src/util/format.ts
var format = __webpack_require__(2693);
// EXTERNAL MODULE: ./src/bundle/elf.ts
var bundle_elf = __webpack_require__(7233);
;// CONCATENATED MODULE: ./src/bundle/program.ts




/** A regular file with an execute bit set (in the store: a program, whoever may run it here). */
function markedExecutable(p) {
    try {
        const st = external_node_fs_.statSync(p);
        return st.isFile() && (st.mode & 0o111) !== 0;
    }
    catch {
        return false;
    }
}
/** Resolves `requested` (or the default rules) inside outPath. */
function chooseProgram(outPath, requested) {
    if (requested) {
        const p = external_node_path_.join(outPath, requested);
        const rel = external_node_path_.relative(outPath, p);
        if (rel.startsWith('..') || external_node_path_.isAbsolute(rel))
            throw new errors/* ActionError */.lZ('Program not found', `Input \`program\`: "${requested}" is outside the build output ${outPath}.`);
        if (!external_node_fs_.existsSync(p))
            throw new errors/* ActionError */.lZ('Program not found', `Input \`program\`: ${requested} does not exist in ${outPath}. ${describeBin(outPath)}`);
        if (!markedExecutable(p))
            throw new errors/* ActionError */.lZ('Program not executable', `Input \`program\`: ${p} is not an executable file.`);
        return { rel, path: p };
    }
    const bin = external_node_path_.join(outPath, 'bin');
    const bootstrap = external_node_path_.join(bin, 'bootstrap');
    if (markedExecutable(bootstrap))
        return { rel: 'bin/bootstrap', path: bootstrap };
    const executables = listBin(outPath).filter((n) => markedExecutable(external_node_path_.join(bin, n)) && !n.startsWith('.'));
    if (executables.length === 1)
        return { rel: `bin/${executables[0]}`, path: external_node_path_.join(bin, executables[0]) };
    throw new errors/* ActionError */.lZ('Program not found', executables.length > 1
        ? `${outPath}/bin holds ${executables.length} executables (${executables.join(', ')}) and no bootstrap: set \`program\` to the one to deploy, e.g. program: bin/${executables[0]}.`
        : `no bin/bootstrap in ${outPath} and no other executable in bin/. ${describeBin(outPath)} Set \`program\` to the path of the executable inside the output.`);
}
function listBin(outPath) {
    try {
        return external_node_fs_.readdirSync(external_node_path_.join(outPath, 'bin')).sort();
    }
    catch {
        return [];
    }
}
function describeBin(outPath) {
    const names = listBin(outPath);
    if (names.length > 0)
        return `bin/ holds: ${names.join(', ')}.`;
    let top = [];
    try {
        top = external_node_fs_.readdirSync(outPath).sort();
    }
    catch {
        // outPath is a file (a single-file output) or unreadable
    }
    return top.length > 0 ? `The output has no bin/; it holds: ${top.join(', ')}.` : 'The output has no bin/.';
}
/** Reads a script the way makeWrapper writes them. undefined when data is not a script. */
function parseScript(data) {
    if (data.length < 2 || data[0] !== 0x23 || data[1] !== 0x21)
        return undefined;
    const text = data.subarray(0, 64 * 1024).toString('utf8');
    const first = text.split('\n', 1)[0];
    const interpreter = first.slice(2).trim().split(/\s+/)[0] ?? '';
    let wrapped;
    const variables = new Set();
    for (const line of text.split('\n')) {
        const exec = /^\s*exec\s+(?:-a\s+\S+\s+)?["']?(\/nix\/store\/[^"'\s]+)/.exec(line);
        if (exec)
            wrapped = exec[1];
        const exp = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
        if (exp && line.includes('export'))
            variables.add(exp[1]);
    }
    return { interpreter, wrapped, variables: [...variables].sort() };
}
/**
 * Refuses a program that cannot be Lambda's bootstrap, with the way out.
 * `data` holds the first bytes of the program (or all of it).
 */
function checkProgram(rel, programPath, data, outPath) {
    if ((0,bundle_elf/* isElf */.aB)(data))
        return;
    const script = parseScript(data);
    if (script && (script.interpreter.startsWith('/nix/store/') || script.wrapped)) {
        const target = script.wrapped;
        const inOutput = target?.startsWith(`${outPath}/`) ? external_node_path_.relative(outPath, target) : undefined;
        const vars = script.variables.length > 0
            ? ` It sets ${script.variables.join(', ')}; set those in the function's environment instead.`
            : '';
        throw new errors/* ActionError */.lZ('Program is a Nix wrapper script', `${rel} (${programPath}) is a shell script whose interpreter ${script.interpreter} lives in /nix/store: a Nix wrapper, not a program Lambda can start.` +
            (target
                ? ` It wraps ${target}.${inOutput ? ` Set \`program: ${inOutput}\` to bundle the wrapped program itself.` : ' Point `program` at the wrapped program (in its own output) instead.'}`
                : ' Point `program` at the ELF executable it runs.') +
            vars);
    }
    throw new errors/* ActionError */.lZ('Program is not an ELF executable', `${rel} (${programPath}) is ${script ? `a script for ${script.interpreter}` : 'not an ELF executable'}; Lambda's bootstrap must be a Linux executable. Set \`program\` to the compiled binary.`);
}
/** Reads the first 64 KiB of the chosen program and refuses what cannot be a bootstrap (checkProgram). */
function checkProgramFile(choice, outPath) {
    const head = Buffer.alloc(64 * 1024);
    const fd = external_node_fs_.openSync(choice.path, 'r');
    let n;
    try {
        n = external_node_fs_.readSync(fd, head, 0, head.length, 0);
    }
    finally {
        external_node_fs_.closeSync(fd);
    }
    checkProgram(choice.rel, choice.path, head.subarray(0, n), outPath);
}

;// CONCATENATED MODULE: ./src/nix/disk.ts



/** statfs of each folder (or of its nearest existing parent). */
function measureSpace(folders) {
    return [...new Set(folders)].map((p) => {
        let at = external_node_path_.resolve(p);
        while (!external_node_fs_.existsSync(at) && external_node_path_.dirname(at) !== at)
            at = external_node_path_.dirname(at);
        try {
            const s = external_node_fs_.statfsSync(at);
            return { path: p, free: s.bavail * s.bsize, total: s.blocks * s.bsize };
        }
        catch {
            return { path: p, free: undefined, total: undefined };
        }
    });
}
/** "/nix/store: 1.2 MiB free of 64.0 MiB (2%)", one per folder, joined. */
function describeSpace(reports) {
    return reports
        .map((r) => r.free === undefined || r.total === undefined
        ? `${r.path}: could not be measured`
        : `${r.path}: ${(0,format/* formatBytes */.z3)(r.free)} free of ${(0,format/* formatBytes */.z3)(r.total)} (${r.total > 0 ? Math.round((r.free / r.total) * 100) : 0}%)`)
        .join('; ');
}

;// CONCATENATED MODULE: ./src/nix/hash-mismatch.ts


/** The first hash mismatch in a build log. */
function parseHashMismatch(log) {
    const m = /hash mismatch in fixed-output derivation '([^']+)':\s*\n\s*specified:\s*(\S+)\s*\n\s*got:\s*(\S+)/.exec(log);
    if (!m)
        return undefined;
    return { drv: m[1], specified: m[2], got: m[3] };
}
const NIX32 = '0123456789abcdfghijklmnpqrsvwxyz';
/** Nix's base-32 (printHash32): 5-bit groups from the end, its own alphabet. */
function nix32(bytes) {
    const len = Math.ceil((bytes.length * 8) / 5);
    let s = '';
    for (let n = len - 1; n >= 0; n--) {
        const b = n * 5;
        const i = Math.floor(b / 8);
        const j = b % 8;
        const c = (bytes[i] >> j) | (i + 1 < bytes.length ? bytes[i + 1] << (8 - j) : 0);
        s += NIX32.charAt(c & 0x1f);
    }
    return s;
}
/** Nix's base-32 decoded (the inverse of nix32); undefined when s is not base-32 of that length. */
function fromNix32(s, size) {
    if (Math.ceil((size * 8) / 5) !== s.length)
        return undefined;
    const out = Buffer.alloc(size);
    for (let n = 0; n < s.length; n++) {
        const digit = NIX32.indexOf(s[s.length - n - 1]);
        if (digit < 0)
            return undefined;
        const b = n * 5;
        const i = Math.floor(b / 8);
        const j = b % 8;
        out[i] = out[i] | ((digit << j) & 0xff);
        if (i + 1 < size)
            out[i + 1] = out[i + 1] | (digit >> (8 - j));
    }
    return out;
}
const SIZES = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };
/** The raw digest of a hash as Nix prints it: SRI, or ALGO:HASH in base-16, base-32 or base-64. */
function hashBytes(text) {
    const m = /^(md5|sha1|sha256|sha512)[-:](.+)$/.exec(text.trim());
    if (!m)
        return undefined;
    const algo = m[1];
    const size = SIZES[algo];
    const v = m[2];
    if (/^[0-9a-f]+$/i.test(v) && v.length === size * 2)
        return { algo, bytes: Buffer.from(v, 'hex') };
    const b32 = fromNix32(v, size);
    if (b32)
        return { algo, bytes: b32 };
    const b64 = Buffer.from(v, 'base64');
    return b64.length === size ? { algo, bytes: b64 } : undefined;
}
/** Every spelling of a hash a .nix file may hold, longest first. */
function hashSpellings(text) {
    const h = hashBytes(text);
    if (!h)
        return [text];
    const b64 = h.bytes.toString('base64');
    return [
        ...new Set([
            `${h.algo}-${b64}`,
            `${h.algo}:${nix32(h.bytes)}`,
            nix32(h.bytes),
            h.bytes.toString('hex'),
            b64,
            text,
        ]),
    ];
}
/** The same hash, written the way the old one was (SRI in, SRI out; base-32 in, base-32 out...). */
function sameSpelling(oldWritten, newHash) {
    const h = hashBytes(newHash);
    if (!h)
        return newHash;
    if (oldWritten.startsWith(`${h.algo}-`))
        return `${h.algo}-${h.bytes.toString('base64')}`;
    if (oldWritten.startsWith(`${h.algo}:`))
        return `${h.algo}:${nix32(h.bytes)}`;
    if (/^[0-9a-f]+$/.test(oldWritten) && oldWritten.length === h.bytes.length * 2)
        return h.bytes.toString('hex');
    if (/^[0-9a-z]+$/.test(oldWritten) && oldWritten.length === nix32(h.bytes).length)
        return nix32(h.bytes);
    return `${h.algo}-${h.bytes.toString('base64')}`;
}
const SKIP = new Set(['.git', 'node_modules', 'result', '.direnv']);
/** The .nix files under dir (not following symlinks; at most 2000). */
function nixFiles(dir) {
    const out = [];
    const walk = (d) => {
        let entries;
        try {
            entries = external_node_fs_.readdirSync(d, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const e of entries) {
            if (out.length >= 2000)
                return;
            if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('result-'))
                walk(external_node_path_.join(d, e.name));
            else if (e.isFile() && e.name.endsWith('.nix'))
                out.push(external_node_path_.join(d, e.name));
        }
    };
    walk(dir);
    return out.sort();
}
/** The line of a .nix file under dir that holds the old hash (flake.nix first), in any spelling. */
function findHashInFiles(dir, specified) {
    const spellings = hashSpellings(specified);
    const files = nixFiles(dir).sort((a, b) => Number(external_node_path_.basename(b) === 'flake.nix') - Number(external_node_path_.basename(a) === 'flake.nix'));
    for (const file of files) {
        const lines = external_node_fs_.readFileSync(file, 'utf8').split('\n');
        for (const [i, text] of lines.entries()) {
            const written = spellings.find((s) => new RegExp(`(^|[^A-Za-z0-9+/=:-])${hash_mismatch_escape(s)}($|[^A-Za-z0-9+/=])`).test(text));
            if (written)
                return { file, line: i + 1, written };
        }
    }
    return undefined;
}
function hash_mismatch_escape(s) {
    return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

;// CONCATENATED MODULE: ./src/nix/build.ts




/**
 * What `nix build`'s log says: the lines kept for an error message, a binary cache whose signature
 * Nix refused, and a failure turned into an error that says what to do.
 */
/** Lines of the build log an error carries. */
const BUILD_TAIL_LINES = 40;
/** Streams the build log into the log, keeps its tail, and warns (once) about a refused signature. */
class BuildLog {
    log;
    lines = [];
    warnedSignature = false;
    constructor(log) {
        this.log = log;
    }
    onLine = (line) => {
        this.log.info(line);
        if (/is not signed by any of the keys|does not have a valid signature/.test(line) &&
            !this.warnedSignature) {
            this.warnedSignature = true;
            this.log.warning(`${line.trim()}: Nix refused a path from a binary cache whose signature it cannot check, and builds it instead. Check the cache's public key (trusted-public-keys, or the key Cachix reports for cachix-cache).`, 'Substituter signature refused');
        }
        this.lines.push(line);
        if (this.lines.length > BUILD_TAIL_LINES)
            this.lines.shift();
    };
    tail() {
        return this.lines.join('\n');
    }
}
/** A location in a .nix file, from Nix's error text, mapped back into the workspace. */
function nixErrorLocation(stderr, flakeDir, workspace) {
    const m = /at (\/nix\/store\/[a-z0-9]{32}-source)((?:\/[^:\s]+)*\/[^:\s/]+\.nix):(\d+)(?::\d+)?/.exec(stderr);
    if (!m)
        return undefined;
    const inFlake = m[2].replace(/^\//, '');
    const abs = flakeDir ? external_node_path_.join(flakeDir, inFlake) : inFlake;
    const rel = external_node_path_.relative(workspace, abs);
    return { file: rel.startsWith('..') ? abs : rel, line: Number(m[3]) };
}
/** A path as an annotation names it: relative to the workspace when inside it. */
function workspacePath(abs, workspace) {
    const rel = external_node_path_.relative(workspace, abs);
    return rel.startsWith('..') || external_node_path_.isAbsolute(rel) ? abs : rel;
}
/** A fixed-output hash that changed: an error on the .nix line holding the old hash, giving the new one. */
function explainHashMismatch(stderr, target) {
    const mismatch = parseHashMismatch(stderr);
    if (!mismatch)
        return undefined;
    const where = target.flakeDir ? findHashInFiles(target.flakeDir, mismatch.specified) : undefined;
    const drv = mismatch.drv ? ` of ${mismatch.drv}` : '';
    if (!where)
        return new errors/* ActionError */.lZ('Fixed-output hash mismatch', `the fixed-output derivation${drv} produced ${mismatch.got}, not the hash written in the flake (${mismatch.specified}); no .nix file of ${target.flakeDir ?? 'the flake'} holds that hash, so replace it where it is written (an input or another flake) with ${mismatch.got}.`);
    const file = workspacePath(where.file, target.workspace);
    const replacement = sameSpelling(where.written, mismatch.got);
    return new errors/* ActionError */.lZ('Fixed-output hash mismatch', `${file}:${where.line}: the fixed-output derivation${drv} produced ${mismatch.got}, not ${mismatch.specified}. Replace "${where.written}" with "${replacement}" on that line (after checking that the new content is the one you want: a changed upstream file changes its hash).`, { file, line: where.line });
}
/** Nix's own words when its disk filled up, or when the daemon died building (it does when its disk is full). */
const DISK_FULL = /No space left on device|ENOSPC|Disk quota exceeded/;
const DAEMON_GONE = /cannot connect to socket at '[^']*daemon-socket[^']*'|error: unexpected end-of-file|daemon disconnected unexpectedly|error: writing to file: Broken pipe|error: reading from file: Connection reset by peer/;
/** "No space left on device" or a daemon gone mid-build: the disk is full, with the free space measured. */
function explainDiskFull(stderr, tail, space) {
    const full = DISK_FULL.test(stderr);
    if (!full && !DAEMON_GONE.test(stderr))
        return undefined;
    const measured = describeSpace(space());
    return new errors/* ActionError */.lZ('Disk full during the build', `${tail}\n${full ? 'The build ran out of disk space' : 'The Nix daemon went away during the build, which it does when its disk fills up'}. Free space now: ${measured} (Nix removes a failed build's folder, so what it filled may be free again). Free some space (on GitHub-hosted runners, remove preinstalled toolchains you do not need, or use a larger runner), build less at once, or build on remote builders (input \`builders\`).`);
}
/** Turns Nix's failure into an error that says what to do. */
function explainBuildFailure(err, target, tail, space = () => []) {
    const stderr = err.stderr;
    const hash = explainHashMismatch(stderr, target);
    if (hash)
        return hash;
    const disk = explainDiskFull(stderr, tail, space);
    if (disk)
        return disk;
    const loc = nixErrorLocation(stderr, target.flakeDir, target.workspace);
    const locOpts = loc ? { file: loc.file, line: loc.line } : {};
    const attr = /does not provide attribute ([^\n]+)/.exec(stderr);
    if (attr)
        return new errors/* ActionError */.lZ('Flake attribute not found', `Input \`flake\`: "${target.flake}" does not provide attribute ${attr[1].trim()}. List what it provides with \`nix flake show\`.`);
    if (/getting status of '\/nix\/store\/[^']*-source[^']*': No such file or directory/.test(stderr) ||
        /is not tracked by Git/.test(stderr))
        return new errors/* ActionError */.lZ('File not tracked by Git', `${tail}\nNix only sees files that Git tracks in a git flake: \`git add\` new files (flake.nix, sources) before building.`, locOpts);
    if (/error: (?:getting status of|path) '[^']*flake\.nix'/.test(stderr) ||
        /does not contain a 'flake\.nix'/.test(stderr))
        return new errors/* ActionError */.lZ('No flake', `Input \`flake\`: "${target.flake}" has no flake.nix.\n${tail}`);
    if (/HTTP error 403|API rate limit|rate limit exceeded/i.test(stderr))
        return new errors/* ActionError */.lZ('GitHub rate limit', `${tail}\nNix hit GitHub's rate limit fetching flake inputs: pass \`github-token\` (the default, \${{ github.token }}) and keep the install stage so nix.conf gets access-tokens.`, locOpts);
    return new errors/* ActionError */.lZ('Nix build failed', `nix build ${target.installable} failed:\n${tail}`, locOpts);
}

// EXTERNAL MODULE: ./src/util/fs.ts
var fs = __webpack_require__(1917);
;// CONCATENATED MODULE: ./src/stages/build.ts









/**
 * Stage 3: `nix build <flake> --json --no-link`, with the build log streamed
 * into the log group, then the runtime closure and the program inside the output.
 */
async function build(ctx) {
    const { log } = ctx;
    const inputs = ctx.inputs.build;
    log.info(`nix build ${inputs.installable}`);
    const nix = await (0,context/* jobNix */.p9)(ctx);
    if (inputs.builders)
        configureBuilders(ctx);
    const buildLog = new BuildLog(log);
    let result;
    try {
        result = await nix.build(inputs.installable, {
            printBuildLogs: true,
            errorTitle: 'Nix build failed',
            tailLines: BUILD_TAIL_LINES,
            onLine: buildLog.onLine,
        });
    }
    catch (err) {
        if (err instanceof exec/* CommandError */.Qd)
            throw explainBuildFailure(err, { ...inputs, workspace: ctx.runner.workspace }, buildLog.tail(), () => measureSpace(['/nix/store', process.env['TMPDIR'] || '/tmp']));
        throw err;
    }
    const outputs = result.outputs;
    const outPath = outputs['out'] ?? Object.values(outputs)[0];
    if (!outPath)
        throw new errors/* ActionError */.lZ('Nothing built', `nix build ${inputs.installable} reported no outputs.`);
    const closure = await nix.closure([outPath]);
    log.info(`Built ${outPath} (runtime closure: ${closure.length} store paths)`);
    ctx.post.storePaths = Object.values(outputs);
    ctx.post.buildSucceeded = true;
    ctx.setOutputs((0,action_outputs/* builtOutputs */.xT)(outPath));
    const choice = chooseProgram(outPath, inputs.program);
    checkProgramFile(choice, outPath);
    ctx.build = {
        installable: inputs.installable,
        drvPath: result.drvPath,
        outPath,
        outputs,
        closure,
        programRel: choice.rel,
        programPath: choice.path,
    };
    ctx.setOutputs((0,action_outputs/* programOutputs */.Hk)(ctx.build));
    log.info(`Program: ${choice.rel}`);
}
/**
 * Remote builders: the SSH key in a 0600 file of the job's private folder (the post step removes
 * it), builder-known-hosts in a known_hosts file beside it, and `builders` completed with both
 * (nix/builders.ts) in NIX_CONFIG. NIX_SSHOPTS points the ssh Nix runs itself at the known_hosts
 * file; a nix-daemon reads the key file and the host keys from the builders string.
 */
function configureBuilders(ctx) {
    const { log } = ctx;
    const b = ctx.inputs.build.builders;
    if (!ctx.nix?.daemon && !(0,fs/* findOnPath */.aY)(['ssh']))
        throw new errors/* ActionError */.lZ('ssh not found', 'Input `builders`: Nix reaches remote builders with `ssh`, which is not on PATH: install the OpenSSH client (apt-get install openssh-client) in an earlier step.');
    const keyFile = b.sshKey ? (0,context/* writeSecretFile */.AK)(ctx, 'builder-ssh-key', b.sshKey) : undefined;
    const knownHostsFile = b.knownHostsText
        ? (0,context/* writeSecretFile */.AK)(ctx, 'builder-known-hosts', b.knownHostsText)
        : undefined;
    const builders = completeBuilders(b.parsed, { keyFile, knownHosts: b.knownHosts });
    (0,context/* applyNixConfig */.u_)(ctx, [`builders = ${builders}`]);
    if (knownHostsFile)
        (0,context/* exportVar */.q8)(ctx, 'NIX_SSHOPTS', sshOptions(process.env['NIX_SSHOPTS'] ?? '', knownHostsFile));
    log.info(`Remote builders: ${builders}`);
    if (keyFile)
        log.info(`The builders' SSH key is in ${keyFile} (mode 0600); the post step removes it.`);
    if (knownHostsFile)
        log.info(`Their host keys are in ${knownHostsFile}, checked strictly (NIX_SSHOPTS).`);
}

// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
;// CONCATENATED MODULE: ./src/util/http.ts


class FetchError extends Error {
    attempts;
    constructor(message, attempts) {
        super(message);
        this.name = 'FetchError';
        this.attempts = attempts;
    }
}
const sleep = (ms) => new Promise((resolve) => {
    setTimeout(resolve, ms);
});
function withTimeout(p, ms, what) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => {
            reject(new Error(`${what} timed out after ${ms} ms`));
        }, ms);
    });
    return Promise.race([p, timeout]).finally(() => {
        clearTimeout(timer);
    });
}
/** Whether a status is worth another attempt. */
function isRetryableStatus(status) {
    return status === 408 || status === 429 || status >= 500;
}
/** GET url (http, https, or file:// for a local file). Throws FetchError when every attempt failed to get an answer. */
async function fetchUrl(url, opts = {}) {
    if (url.startsWith('file://')) {
        try {
            return { status: 200, body: external_node_fs_.readFileSync((0,external_node_url_.fileURLToPath)(url)), attempts: 1 };
        }
        catch (e) {
            throw new FetchError(`cannot read ${url}: ${e.message}`, 1);
        }
    }
    // Loaded here, not at start-up: with undici it is most of the action's code, and most runs fetch nothing.
    const { HttpClient } = await __webpack_require__.e(/* import() */ 942).then(__webpack_require__.bind(__webpack_require__, 4942));
    const attempts = Math.max(1, opts.attempts ?? 4);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let delay = opts.retryDelayMs ?? 1000;
    let lastReason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
        const client = new HttpClient('nix-lambda', [], {
            socketTimeout: timeoutMs,
            allowRetries: false,
            keepAlive: false,
            allowRedirects: true,
            maxRedirects: 5,
        });
        try {
            const result = await withTimeout((async () => {
                const res = await client.get(url, opts.headers ?? {});
                const body = res.readBodyBuffer ? await res.readBodyBuffer() : Buffer.from(await res.readBody());
                return { status: res.message.statusCode ?? 0, body };
            })(), timeoutMs, `GET ${url}`);
            if (!isRetryableStatus(result.status) || attempt === attempts)
                return { ...result, attempts: attempt };
            lastReason = `HTTP ${result.status}`;
        }
        catch (e) {
            lastReason = e.message || String(e);
            if (attempt === attempts)
                break;
        }
        finally {
            client.dispose();
        }
        opts.onRetry?.(attempt, lastReason);
        await sleep(delay);
        delay *= 2;
    }
    throw new FetchError(`GET ${url} failed after ${attempts} attempts: ${lastReason}`, attempts);
}

;// CONCATENATED MODULE: ./src/caches/cachix-api.ts


/** Parses the API's answer; undefined when it is not a usable cache description. */
function parseCacheInfo(name, body) {
    let json;
    try {
        json = JSON.parse(body);
    }
    catch {
        return undefined;
    }
    if (!json || typeof json !== 'object')
        return undefined;
    const o = json;
    const uri = typeof o['uri'] === 'string' ? o['uri'].replace(/\/+$/, '') : '';
    if (!/^https?:\/\/[^\s]+$/.test(uri))
        return undefined;
    const keys = Array.isArray(o['publicSigningKeys'])
        ? o['publicSigningKeys'].filter((k) => typeof k === 'string' && /^[^:\s]+:[A-Za-z0-9+/=]+$/.test(k))
        : [];
    return { name, uri, publicSigningKeys: keys, isPublic: o['isPublic'] !== false };
}
/** Looks a cache up. Never throws: a failure says why, for a warning that names the cache. */
async function lookupCache(apiUrl, name, token, opts = {}) {
    const url = `${apiUrl.replace(/\/+$/, '')}/cache/${encodeURIComponent(name)}`;
    const headers = { accept: 'application/json' };
    if (token)
        headers['authorization'] = `Bearer ${token}`;
    let res;
    try {
        res = await fetchUrl(url, { attempts: 3, retryDelayMs: 1000, timeoutMs: 20_000, ...opts, headers });
    }
    catch (e) {
        return {
            ok: false,
            name,
            reason: 'unreachable',
            message: `the Cachix API at ${apiUrl} could not be reached (${e instanceof FetchError ? e.message : String(e)})`,
        };
    }
    if (res.status === 404)
        return {
            ok: false,
            name,
            reason: 'not-found',
            message: token
                ? `Cachix has no cache named "${name}" (or the token cannot see it)`
                : `Cachix has no public cache named "${name}"; a private cache needs cachix-auth-token`,
        };
    if (res.status === 401 || res.status === 403)
        return {
            ok: false,
            name,
            reason: 'unauthorized',
            message: token
                ? `Cachix refused the token for cache "${name}" (HTTP ${res.status})`
                : `cache "${name}" is private (HTTP ${res.status}); set cachix-auth-token to pull from it`,
        };
    if (res.status !== 200)
        return {
            ok: false,
            name,
            reason: 'unreachable',
            message: `the Cachix API answered HTTP ${res.status} for cache "${name}"`,
        };
    const cache = parseCacheInfo(name, res.body.toString('utf8'));
    if (!cache)
        return {
            ok: false,
            name,
            reason: 'bad-response',
            message: `the Cachix API's answer for cache "${name}" has no usable uri`,
        };
    return { ok: true, cache };
}
/** nix.conf lines for pulling from caches: one extra-substituters and one extra-trusted-public-keys line. */
function substituterLines(caches) {
    if (caches.length === 0)
        return [];
    const uris = [...new Set(caches.map((c) => c.uri))];
    const keys = [...new Set(caches.flatMap((c) => c.publicSigningKeys))];
    const out = [`extra-substituters = ${uris.join(' ')}`];
    if (keys.length > 0)
        out.push(`extra-trusted-public-keys = ${keys.join(' ')}`);
    return out;
}
/** netrc entries (Cachix's form: machine HOST password TOKEN) for the private caches. */
function netrcEntries(caches, token) {
    if (!token)
        return '';
    const hosts = [...new Set(caches.filter((c) => !c.isPublic).map((c) => new URL(c.uri).hostname))];
    return hosts.map((h) => `machine ${h} password ${token}\n`).join('');
}
/**
 * Looks up each cache; a cache that cannot be used is a warning naming it (the build goes on
 * without it). Returns the usable ones.
 */
async function lookupCaches(names, o, log) {
    const caches = [];
    for (const name of names) {
        const r = await lookupCache(o.apiUrl, name, o.token, o.fetch);
        if (!r.ok) {
            log.warning(`Cachix cache "${name}" is not used: ${r.message}. The build goes on without it.`, 'Cachix cache skipped');
            continue;
        }
        caches.push(r.cache);
        log.info(`Cachix cache "${name}": ${r.cache.uri} (${r.cache.isPublic ? 'public' : 'private'}; keys: ${r.cache.publicSigningKeys.join(' ') || 'none'})`);
        if (r.cache.publicSigningKeys.length === 0)
            log.warning(`Cachix cache "${name}" lists no public signing key: Nix will refuse its paths unless they are signed by a key it already trusts.`, 'Cachix cache has no key');
    }
    return caches;
}
/**
 * The netrc to give Nix: the credentials of the netrc it already reads (its netrc-file setting),
 * then the entries for the private caches.
 */
function netrcWithExisting(currentNetrcFile, entries) {
    let before = '';
    if (typeof currentNetrcFile === 'string' && currentNetrcFile) {
        try {
            before = external_node_fs_.readFileSync(currentNetrcFile, 'utf8');
            if (before && !before.endsWith('\n'))
                before += '\n';
        }
        catch {
            // no such file, or not readable: nothing to keep
        }
    }
    return before + entries;
}

// EXTERNAL MODULE: ./src/caches/closure-cache.ts
var closure_cache = __webpack_require__(6841);
// EXTERNAL MODULE: ./src/nix/cli.ts
var cli = __webpack_require__(8449);
// EXTERNAL MODULE: ./src/nix/locate.ts
var locate = __webpack_require__(6545);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./src/nix/trust.ts


/**
 * Who a Nix daemon trusts: a substituter, a public key or a netrc given through NIX_CONFIG is
 * honoured only for root, a single-user (writable) store, and the daemon's trusted-users.
 * The settings come from NixCli.settings() (`nix show-config --json`).
 */
/** `nix show-config --json`: { name: { value } } (every version from 2.8 on), or { name: value }. */
function settingValue(json, name) {
    if (!json || typeof json !== 'object')
        return undefined;
    const v = json[name];
    if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v)
        return v.value;
    return v;
}
function settingList(json, name) {
    const v = settingValue(json, name);
    if (Array.isArray(v))
        return v.filter((x) => typeof x === 'string');
    if (typeof v === 'string')
        return v.split(/\s+/).filter(Boolean);
    return [];
}
/** Whether trusted-users admits user (by name, `*`, or `@group`). */
function isTrustedUser(trustedUsers, user, groups) {
    return trustedUsers.some((t) => t === '*' || t === user || (t.startsWith('@') && groups.includes(t.slice(1))));
}
/** Whether a group of that name exists in /etc/group. */
function groupExists(name, groupFile = '/etc/group') {
    try {
        return external_node_fs_.readFileSync(groupFile, 'utf8')
            .split('\n')
            .some((l) => l.split(':')[0] === name);
    }
    catch {
        return false;
    }
}
/** The groups of a user, from /etc/group (supplementary) plus the primary group. */
function userGroups(user, gid, groupFile = '/etc/group') {
    let text = '';
    try {
        text = external_node_fs_.readFileSync(groupFile, 'utf8');
    }
    catch {
        return [];
    }
    const out = new Set();
    for (const line of text.split('\n')) {
        const [name, , id, members] = line.split(':');
        if (!name || id === undefined)
            continue;
        if (Number(id) === gid || (members ?? '').split(',').includes(user))
            out.add(name);
    }
    return [...out];
}
/**
 * Whether the Nix daemon accepts this user's substituters, keys and netrc from NIX_CONFIG:
 * root, a writable store (single-user), or trusted-users naming the user or one of its groups.
 */
function daemonTrustsUser(settings, who, storeWritable = canWriteStore(), groupFile = '/etc/group') {
    if (who.uid === 0 || storeWritable)
        return true;
    return isTrustedUser(settingList(settings, 'trusted-users'), who.user, userGroups(who.user, who.gid, groupFile));
}
/** A writable /nix/store means no daemon stands between this user and the store. */
function canWriteStore() {
    try {
        external_node_fs_.accessSync('/nix/store', external_node_fs_.constants.W_OK);
        return true;
    }
    catch {
        return false;
    }
}
/** The primary gid of the account running the action. */
function currentGid() {
    return external_node_os_.userInfo().gid;
}

;// CONCATENATED MODULE: ./src/stages/cachix.ts






/**
 * Stage 2: binary caches. Pull from Cachix caches (the API gives each cache's URI and public
 * keys; private caches get a netrc entry), restore the closure cache, and record what the
 * post step pushes (Cachix, push-to). Every cache problem is a warning or a notice: the build
 * goes on without that cache.
 */
async function cachix(ctx, opts = {}) {
    const { log } = ctx;
    const inputs = ctx.inputs.cachix;
    const nixInfo = await (0,context/* ensureNix */.ij)(ctx);
    const names = [...new Set([inputs.cachixCache, ...inputs.extraPullCaches].filter(Boolean))];
    const lines = [...(await cachixLines(ctx, nixInfo, names, opts)), ...(await closureCacheLines(ctx))];
    if (lines.length > 0) {
        (0,context/* applyNixConfig */.u_)(ctx, lines);
        log.info('Nix configuration: exported NIX_CONFIG (this step and later ones) with:');
        for (const l of lines)
            log.info(`  ${l}`);
        if (nixInfo.daemon && !nixInfo.installed)
            await warnUntrusted(ctx, nixInfo, opts);
    }
    else if (names.length === 0) {
        log.info('No Cachix cache to pull from.');
    }
    recordPushes(ctx);
}
/** Substituters and keys of the Cachix caches to pull from, and a netrc for the private ones. */
async function cachixLines(ctx, nixInfo, names, opts) {
    const { log } = ctx;
    const inputs = ctx.inputs.cachix;
    const caches = await lookupCaches(names, { apiUrl: inputs.cachixApiUrl, token: inputs.cachixAuthToken, fetch: opts.fetch }, log);
    const lines = substituterLines(caches);
    const netrc = netrcEntries(caches, inputs.cachixAuthToken);
    if (netrc) {
        // Keep the credentials of the netrc Nix already reads (default /etc/nix/netrc); with a
        // daemon, the one the daemon reads.
        const settings = await new cli/* NixCli */.ut(nixInfo.nix).settings({ systemOnly: nixInfo.daemon });
        const file = (0,context/* writeSecretFile */.AK)(ctx, 'netrc', netrcWithExisting(settingValue(settings, 'netrc-file'), netrc));
        lines.push(`netrc-file = ${file}`);
        log.info(`Private cache credentials: netrc ${file} (mode 0600).`);
    }
    return lines;
}
/** The closure cache restored (see caches/closure-cache.ts), recorded for the post step to save. */
async function closureCacheLines(ctx) {
    const { runner, log } = ctx;
    const plan = (0,closure_cache/* planClosureCache */.hf)({
        enabled: ctx.inputs.cachix.cache,
        runner,
        installable: ctx.inputs.build.installable,
        flakeDir: ctx.inputs.build.flakeDir,
        home: (0,locate/* nixHome */.Li)(process.env, runner.home),
    }, log);
    if (!plan)
        return [];
    const record = { dir: plan.dir, key: plan.key, hit: false };
    ctx.post.closureCache = record;
    const restored = await (0,closure_cache/* restoreClosureCache */.U1)(plan, log);
    record.hit = restored.hit;
    return restored.lines;
}
/** A daemon this action did not install may ignore NIX_CONFIG's substituters for an untrusted user. */
async function warnUntrusted(ctx, nixInfo, opts) {
    const { runner, log } = ctx;
    const trusted = daemonTrustsUser(await new cli/* NixCli */.ut(nixInfo.nix).settings({ systemOnly: true }), { user: runner.user, uid: runner.uid, gid: currentGid() }, opts.storeWritable);
    if (!trusted)
        log.warning(`Nix runs with a daemon and user ${runner.user} is not in its trusted-users: the daemon may ignore the substituters, keys and netrc set here. Add \`trusted-users = root ${runner.user}\` (or trusted-substituters and trusted-public-keys) to /etc/nix/nix.conf and restart nix-daemon, or let this action install Nix.`, 'Substituters may be ignored');
}
/** What the post step pushes: the build's closure to Cachix and to push-to. */
function recordPushes(ctx) {
    const { log } = ctx;
    const inputs = ctx.inputs.cachix;
    if (inputs.cachixPush && inputs.cachixCache)
        ctx.post.cachixPush = { cache: inputs.cachixCache };
    if (inputs.pushTo)
        ctx.post.pushTo = inputs.pushTo;
    if (inputs.pushFilter)
        ctx.post.pushFilter = inputs.pushFilter.source;
    const targets = [
        ...(ctx.post.cachixPush ? [`Cachix cache "${ctx.post.cachixPush.cache}"`] : []),
        ...(ctx.post.pushTo ? [ctx.post.pushTo] : []),
    ];
    if (targets.length > 0)
        log.info(`After a successful build the post step pushes its runtime closure${inputs.pushFilter ? ` (minus paths matching /${inputs.pushFilter.source}/)` : ''} to ${targets.join(' and ')}.`);
}

// EXTERNAL MODULE: ./src/nix/config.ts
var config = __webpack_require__(8977);
;// CONCATENATED MODULE: ./src/nix/environment.ts



/**
 * The machine Nix runs on: whether its build sandbox can work here, and what Nix's profile script
 * (nix-daemon.sh / nix.sh) would set up for steps that never source it.
 */
/** Whether Nix's build sandbox cannot work here (containers and act), with the reason. */
function sandboxUnavailable(f) {
    if (f.isAct)
        return 'running under act (a container)';
    if (f.container)
        return 'running in a container';
    return undefined;
}
/** /.dockerenv or /run/.containerenv: Docker or Podman. */
function inContainer(exists = external_node_fs_.existsSync) {
    return exists('/.dockerenv') || exists('/run/.containerenv');
}
/** CA bundles, in the order nix-profile.sh and install-nix-action look for them. */
function caBundleCandidates(home) {
    return [
        '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, NixOS
        '/etc/ssl/ca-bundle.pem', // openSUSE
        '/etc/ssl/certs/ca-bundle.crt', // old NixOS
        '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, CentOS, Amazon Linux
        `${locate/* DEFAULT_PROFILE_BIN */.Sp.replace(/\/bin$/, '')}/etc/ssl/certs/ca-bundle.crt`,
        external_node_path_.join(home, '.nix-profile', 'etc', 'ssl', 'certs', 'ca-bundle.crt'),
    ];
}
/** What the profile script (nix-daemon.sh / nix.sh) would set, for steps that never source it. */
function profileEnvironment(home, env, exists = external_node_fs_.existsSync) {
    const userProfile = external_node_path_.join(home, '.nix-profile');
    const vars = {
        NIX_PROFILES: `${locate/* DEFAULT_PROFILE_BIN */.Sp.replace(/\/bin$/, '')} ${userProfile}`,
    };
    const current = env['NIX_SSL_CERT_FILE'];
    if (!(current && exists(current))) {
        const bundle = caBundleCandidates(home).find((p) => exists(p));
        if (bundle)
            vars['NIX_SSL_CERT_FILE'] = bundle;
    }
    return { paths: [locate/* DEFAULT_PROFILE_BIN */.Sp, external_node_path_.join(userProfile, 'bin')], vars };
}

// EXTERNAL MODULE: ./src/util/hash.ts
var hash = __webpack_require__(5138);
;// CONCATENATED MODULE: ./src/nix/installer.ts










/**
 * Daemon (multi-user) only where systemd runs, the user can sudo without a password, and we
 * are neither under act nor in a container (GitHub-hosted runners); single-user everywhere
 * else (containers, act, root without systemd, no sudo).
 */
function chooseInstallMode(f) {
    if (f.isAct)
        return { mode: 'single-user', reason: 'running under act: a container with no systemd' };
    if (f.container)
        return { mode: 'single-user', reason: 'running in a container' };
    if (!f.systemd)
        return {
            mode: 'single-user',
            reason: f.isRoot
                ? 'running as root without systemd'
                : 'systemd is not running (no /run/systemd/system)',
        };
    if (!f.isRoot && !f.canSudo)
        return { mode: 'single-user', reason: 'the user cannot run sudo without a password' };
    return { mode: 'daemon', reason: 'systemd runs and the user can sudo' };
}
const OFFICIAL_INSTALLER_URL = 'https://nixos.org/nix/install';
const DETERMINATE_INSTALLER_URL = 'https://install.determinate.systems/nix';
function defaultInstallerUrl(kind, nixVersion) {
    if (kind === 'determinate')
        return DETERMINATE_INSTALLER_URL;
    return nixVersion ? `https://releases.nixos.org/nix/nix-${nixVersion}/install` : OFFICIAL_INSTALLER_URL;
}
/**
 * Arguments and environment of the installer script.
 * official: `--daemon`/`--no-daemon`, `--no-channel-add`, `--nix-extra-conf-file FILE`
 *   (prepended to /etc/nix/nix.conf by the daemon installer), NIX_INSTALLER_YES=1 (no prompts;
 *   works with installers older than `--yes`).
 * determinate: `install` (systemd planner) or `install linux --init none` (no daemon), with
 *   `--no-confirm`; the configuration goes in NIX_INSTALLER_EXTRA_CONF.
 */
function installerInvocation(kind, mode, conf) {
    if (kind === 'determinate') {
        return {
            args: ['install', ...(mode === 'single-user' ? ['linux', '--init', 'none'] : []), '--no-confirm'],
            env: { NIX_INSTALLER_NO_CONFIRM: 'true', NIX_INSTALLER_EXTRA_CONF: conf.text },
        };
    }
    return {
        args: [
            mode === 'daemon' ? '--daemon' : '--no-daemon',
            '--no-channel-add',
            '--nix-extra-conf-file',
            conf.file,
        ],
        env: { NIX_INSTALLER_YES: '1' },
    };
}
/** Refuses an installer whose SHA-256 is not the expected one. */
function checkInstallerSha256(actual, expected, url) {
    if (expected && actual.toLowerCase() !== expected.toLowerCase())
        throw new errors/* ActionError */.lZ('Installer checksum mismatch', `the installer downloaded from ${url} has SHA-256 ${actual}, but input \`installer-sha256\` expects ${expected}. Nothing was run. Check the URL, or update installer-sha256 after reviewing the new installer.`);
}
async function sudoWorks() {
    try {
        const r = await (0,exec/* run */.eF)('sudo', ['-n', 'true'], { allowFailure: true });
        return r.code === 0;
    }
    catch {
        return false;
    }
}
/** Looks at this machine. `sudo -n true` runs only when its answer matters. */
async function detectInstallFacts(runner) {
    const isRoot = runner.uid === 0;
    const systemd = external_node_fs_.existsSync('/run/systemd/system');
    const container = inContainer();
    const isAct = runner.isAct;
    const canSudo = isRoot || (systemd && !container && !isAct ? await sudoWorks() : false);
    return { systemd, canSudo, isRoot, isAct, container };
}
/** Downloads the installer; returns its bytes and SHA-256. */
async function downloadInstaller(url, log, opts = {}) {
    let res;
    try {
        res = await fetchUrl(url, {
            attempts: 4,
            timeoutMs: 60_000,
            retryDelayMs: 2000,
            onRetry: (n, reason) => {
                log.info(`Download of ${url} failed (${reason}); retrying (attempt ${n + 1})`);
            },
            ...opts,
        });
    }
    catch (e) {
        throw new errors/* ActionError */.lZ('Installer download failed', `${e instanceof FetchError ? e.message : String(e)}. Check the network, or set \`installer-url\`.`);
    }
    if (res.status !== 200)
        throw new errors/* ActionError */.lZ('Installer download failed', `GET ${url} answered HTTP ${res.status}${res.status === 404 ? ' (no such installer; check `nix-version` or `installer-url`)' : ''}.`);
    return { body: res.body, sha256: (0,hash/* sha256Hex */.fg)(res.body) };
}
/** Phase 1: downloads the installer and checks its SHA-256; nothing runs before that. */
async function fetchInstaller(req, log, fetch = {}) {
    const { kind } = req;
    const url = req.url || defaultInstallerUrl(kind, req.nixVersion);
    if (kind === 'determinate' && req.nixVersion)
        log.warning(`nix-version ${req.nixVersion} is ignored: the determinate installer installs its own Nix release.`, 'nix-version ignored');
    log.info(`No Nix found; downloading the ${kind} installer from ${url}`);
    const { body, sha256 } = await downloadInstaller(url, log, fetch);
    log.info(`Installer: ${body.length} bytes, SHA-256 ${sha256}`);
    checkInstallerSha256(sha256, req.sha256, url);
    if (req.sha256)
        log.info('Installer SHA-256 matches installer-sha256.');
    else
        log.info('Pin this installer with `installer-sha256` to refuse any other one.');
    return { kind, url, body };
}
/** Phase 2: the install mode for this machine (and the sandbox), said in the log. */
function planInstall(kind, facts, log) {
    const choice = chooseInstallMode(facts);
    log.info(`Install mode: ${choice.mode} (${choice.reason})`);
    const noSandbox = sandboxUnavailable(facts);
    if (noSandbox)
        log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);
    return {
        ...choice,
        kind,
        facts,
        noSandbox,
        noBuildUsers: kind === 'official' && choice.mode === 'single-user',
        extendFeatures: kind === 'determinate',
    };
}
/** Phase 3: runs the installer script with the nix.conf text (confText), from a folder under tempDir. */
async function runInstaller(installer, plan, confText, o) {
    const { kind } = installer;
    const { facts } = plan;
    const { log } = o;
    const workDir = external_node_fs_.mkdtempSync(external_node_path_.join(o.tempDir, 'nix-lambda-install-'));
    try {
        const script = external_node_path_.join(workDir, 'install');
        external_node_fs_.writeFileSync(script, installer.body, { mode: 0o700 });
        const confFile = external_node_path_.join(workDir, 'nix.conf');
        external_node_fs_.writeFileSync(confFile, confText, { mode: 0o644 });
        const inv = installerInvocation(kind, plan.mode, { file: confFile, text: confText });
        if (kind === 'official' && plan.mode === 'single-user' && facts.isRoot && !external_node_fs_.existsSync('/nix')) {
            // The single-user installer creates /nix with sudo, which containers often lack; root needs none.
            external_node_fs_.mkdirSync('/nix', { mode: 0o755 });
            log.info('Created /nix (the single-user installer would ask sudo for it).');
        }
        // The single-user installer needs $USER, which containers may leave unset.
        if (!process.env['USER'])
            inv.env['USER'] = o.user;
        log.info(`Running the installer: sh install ${inv.args.join(' ')}`);
        await (0,exec/* run */.eF)('/bin/sh', [script, ...inv.args], {
            env: inv.env,
            onLine: (l) => {
                log.info(l);
            },
            streamStdout: true,
            errorTitle: 'Nix installer failed',
            tailLines: 30,
        });
    }
    catch (e) {
        if (e instanceof exec/* CommandError */.Qd && !facts.isRoot && !facts.canSudo) {
            const hint = kind === 'determinate'
                ? 'The determinate installer needs root, and this user cannot sudo: use nix-installer: official, or run the job as root.'
                : `A single-user install needs a /nix the user owns, and this user cannot sudo to create it: create it in an earlier step (as root: mkdir -m 0755 /nix && chown ${o.user} /nix), or run the job where sudo works.`;
            throw new errors/* ActionError */.lZ('Nix installer failed', `${e.message}\n${hint}`, { cause: e });
        }
        throw e;
    }
    finally {
        external_node_fs_.rmSync(workDir, { recursive: true, force: true });
    }
}
/**
 * Phase 4: where the installed Nix reads the configuration: the installers write the system
 * nix.conf; after an official single-user install, this writes the user's (userConf).
 */
function writeInstalledConf(plan, confText, userConf) {
    if (plan.kind === 'determinate')
        return '/etc/nix/nix.conf (by the determinate installer, from NIX_INSTALLER_EXTRA_CONF)';
    if (plan.mode === 'daemon')
        return '/etc/nix/nix.conf (by the installer, from --nix-extra-conf-file)';
    external_node_fs_.mkdirSync(external_node_path_.dirname(userConf), { recursive: true });
    const before = external_node_fs_.existsSync(userConf) ? external_node_fs_.readFileSync(userConf, 'utf8') : '';
    external_node_fs_.writeFileSync(userConf, (0,config/* replaceMarkedBlock */.y4)(before, confText));
    return `${userConf} (the user's nix.conf)`;
}
/** Phase 5: the nix the install put in the profile's folders (once they are on PATH). */
async function findInstalledNix(profile, plan) {
    const found = [...profile.paths]
        .reverse()
        .map((d) => external_node_path_.join(d, 'nix'))
        .find((p) => (0,fs/* isExecutable */.TV)(p));
    if (!found)
        throw new errors/* ActionError */.lZ('Nix not found after install', `the installer finished but there is no nix in ${[...profile.paths].reverse().join(' or ')}.`);
    const info = await new cli/* NixCli */.ut(found).describe(true);
    info.daemon = plan.mode === 'daemon';
    return info;
}

;// CONCATENATED MODULE: ./src/stages/install.ts








async function install(ctx, opts = {}) {
    const existing = ctx.nix?.nix ?? (0,locate/* findNix */.rv)(process.env, (0,locate/* nixHome */.Li)(process.env, ctx.runner.home));
    const info = existing ? await configureExistingNix(ctx, existing) : await installNix(ctx, opts);
    ctx.setOutputs((0,action_outputs/* nixOutputs */.cY)(info));
}
/** A Nix that was already there: used as it is, configured through NIX_CONFIG. */
async function configureExistingNix(ctx, nixPath) {
    const { log } = ctx;
    const inputs = ctx.inputs.install;
    const info = (0,context/* useNix */.lp)(ctx, ctx.nix ?? (await new cli/* NixCli */.ut(nixPath).describe(false)));
    log.info(`Using Nix ${info.version} at ${info.nix}${info.daemon ? ' (with a nix-daemon)' : ''}; nothing installed`);
    if (inputs.nixVersion && info.version !== inputs.nixVersion)
        log.warning(`nix-version ${inputs.nixVersion} was requested but Nix ${info.version} is already installed; using it.`, 'Nix already installed');
    const noSandbox = sandboxUnavailable({ isAct: ctx.runner.isAct, container: inContainer() });
    if (noSandbox)
        log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);
    // Root with no daemon builds through build users (group nixbld by default): without that
    // group (containers, Debian's nix-bin) every build fails, so build as root instead.
    let noBuildUsers = false;
    if (ctx.runner.uid === 0 && !info.daemon) {
        const group = settingValue(await new cli/* NixCli */.ut(info.nix).settings(), 'build-users-group');
        if (typeof group === 'string' && group !== '' && !groupExists(group)) {
            noBuildUsers = true;
            log.info(`build-users-group is ${group}, a group that does not exist here: build-users-group = (builds run as root)`);
        }
    }
    const tokenFile = (0,context/* writeTokenFile */.Hk)(ctx);
    const lines = (0,config/* existingNixLines */.cQ)({ sandboxOff: noSandbox !== undefined, tokenFile, noBuildUsers });
    (0,context/* applyNixConfig */.u_)(ctx, lines);
    log.info('Nix configuration: exported NIX_CONFIG for this step and later ones; /etc/nix/nix.conf and the user nix.conf are left as they are. Lines added:');
    for (const l of lines)
        log.info(`  ${l}`);
    if (inputs.extraNixConfig.trim())
        log.info('  (then extra-nix-config)');
    if (tokenFile)
        log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from NIX_CONFIG.`);
    return info;
}
/** No Nix here: download, check and run the installer, then put Nix on PATH for this and later steps. */
async function installNix(ctx, opts) {
    const { log, runner } = ctx;
    const inputs = ctx.inputs.install;
    const installer = await fetchInstaller({
        kind: inputs.nixInstaller,
        url: inputs.installerUrl,
        nixVersion: inputs.nixVersion,
        sha256: inputs.installerSha256,
    }, log, opts.fetch);
    const plan = planInstall(installer.kind, opts.facts ?? (await detectInstallFacts(runner)), log);
    const home = (0,locate/* nixHome */.Li)(process.env, runner.home);
    const tokenFile = (0,context/* writeTokenFile */.Hk)(ctx);
    const confText = (0,config/* freshNixConf */.s5)({
        mode: plan.mode,
        user: runner.user,
        sandboxOff: plan.noSandbox !== undefined,
        tokenFile,
        extra: inputs.extraNixConfig,
        noBuildUsers: plan.noBuildUsers,
        extendFeatures: plan.extendFeatures,
    });
    await runInstaller(installer, plan, confText, { tempDir: runner.tempDir, user: runner.user, log });
    const where = writeInstalledConf(plan, confText, (0,config/* userNixConfPath */.cb)(process.env, home));
    log.info(`Nix configuration written to ${where}:`);
    for (const l of confText.trimEnd().split('\n'))
        log.info(`  ${l}`);
    if (tokenFile)
        log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from that nix.conf.`);
    const profile = profileEnvironment(home, process.env);
    for (const dir of profile.paths)
        (0,context/* addPath */.fM)(ctx, dir);
    for (const [k, v] of Object.entries(profile.vars))
        (0,context/* exportVar */.q8)(ctx, k, v);
    log.info(`Added to PATH: ${[...profile.paths].reverse().join(', ')}`);
    log.info(`Exported: ${Object.entries(profile.vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`);
    const info = (0,context/* useNix */.lp)(ctx, await findInstalledNix(profile, plan));
    log.info(`Installed Nix ${info.version} at ${info.nix}`);
    return info;
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
;// CONCATENATED MODULE: ./src/bundle/patch.ts





/**
 * Patching the bundle's copies (elf.ts in place; patchelf only where that cannot work), what each
 * bundled object's search path becomes, and the check that nothing in the bundle still points
 * into /nix/store.
 */
const PROGRAM_RPATH = '$ORIGIN/lib';
const LIBRARY_RPATH = '$ORIGIN';
/**
 * Patches the bundle's copy of a file: `data` holds bytes read from the store (never the store
 * file itself) and is rewritten in place, or replaced by patchelf's output when an in-place
 * rewrite cannot work (patchElf leaves data unchanged then).
 */
async function patchCopy(data, name, req, tempDir) {
    try {
        const changes = (0,bundle_elf/* patchElf */.yj)(data, req, name);
        return { data, outcome: { changes } };
    }
    catch (err) {
        if (!(err instanceof bundle_elf/* ElfPatchUnsupported */.Hq))
            throw err;
        const reason = err.message;
        const dir = await promises_.mkdtemp(external_node_path_.join(tempDir, 'patch-'));
        const file = external_node_path_.join(dir, external_node_path_.basename(name));
        try {
            await promises_.writeFile(file, data, { mode: 0o755 });
            const args = [];
            if (req.interp !== undefined)
                args.push('--set-interpreter', req.interp);
            if (req.rpath !== undefined)
                args.push('--set-rpath', req.rpath, '--force-rpath');
            for (const [from, to] of Object.entries(req.needed ?? {}))
                args.push('--replace-needed', from, to);
            await (0,exec/* run */.eF)('patchelf', [...args, file], {
                errorTitle: 'Could not patch a bundled file',
            }).catch((e) => {
                // Absolute DT_NEEDED names are how a musl bundle beats LD_LIBRARY_PATH: without them it
                // would break on Lambda, so say what it is and the ways out.
                const musl = req.needed
                    ? " This is a musl program: its libraries must be named by absolute path, because musl's loader searches LD_LIBRARY_PATH (Amazon Linux's /lib64) before any RPATH. Install patchelf on the runner (apt-get install patchelf, or nix profile install nixpkgs#patchelf), or link the program statically (nixpkgs: pkgsStatic)."
                    : '';
                throw new errors/* ActionError */.lZ(req.needed ? 'Could not patch a musl program' : 'Could not patch a bundled file', `${name}: the in-place rewrite is not possible (${reason}) and patchelf failed or is not installed: ${(e instanceof Error ? e.message : String(e)).replace(/\.?$/, '.')}${musl}`);
            });
            const out = await promises_.readFile(file);
            const changes = [
                ...(req.interp !== undefined ? [`interp -> ${req.interp}`] : []),
                ...(req.rpath !== undefined ? [`RPATH ${req.rpath}`] : []),
                ...Object.entries(req.needed ?? {}).map(([from, to]) => `NEEDED ${from} -> ${to}`),
            ];
            return { data: out, outcome: { changes, patchelf: reason } };
        }
        finally {
            await promises_.rm(dir, { recursive: true, force: true });
        }
    }
}
/** Names musl's loader takes as itself (ldso/dynlink.c): libc, libpthread, librt, libm, libdl, libutil, libxnet. */
const MUSL_RESERVED = /^lib(c|pthread|rt|m|dl|util|xnet)\./;
/**
 * The search path a bundled file at `name` (a path in the zip) gets: its folder, then lib/; with
 * the libraries in a layer (libDir, /opt/lib), its folder then that folder.
 */
function rpathFor(name, libDir) {
    const dir = external_node_path_.posix.dirname(name);
    if (libDir !== undefined)
        return dir === '.' ? libDir : `${LIBRARY_RPATH}:${libDir}`;
    if (dir === 'lib')
        return LIBRARY_RPATH;
    const rel = external_node_path_.posix.relative(dir, 'lib');
    return dir === '.' ? PROGRAM_RPATH : `${LIBRARY_RPATH}:$ORIGIN/${rel}`;
}
/**
 * musl's loader searches LD_LIBRARY_PATH (Lambda's /lib64 first) before any RPATH, so a musl bundle
 * names its libraries by absolute path: DT_NEEDED libfoo.so.1 becomes <task-root>/lib/libfoo.so.1
 * (with a library layer, /opt/lib/libfoo.so.1), which both musl and glibc open directly. musl's own
 * names (libc.so...) stay.
 */
function muslNeeded(obj, c, taskRoot, libDir = `${taskRoot}/lib`) {
    const out = {};
    for (const n of obj.elf.needed) {
        if (n.includes('/') || MUSL_RESERVED.test(n))
            continue;
        const lib = c.byName.get(n);
        if (lib && lib !== c.interpreter && lib.via !== 'include' && lib !== c.program)
            out[n] = `${libDir}/${lib.name}`;
        else if (obj.via === 'include')
            out[n] = `${taskRoot}/${external_node_path_.posix.dirname(obj.name)}/${n}`;
    }
    return out;
}
/**
 * Re-reads every bundled ELF (included ones too): nothing may point into /nix/store, no DT_RUNPATH
 * may remain, and in a musl bundle every DT_NEEDED but musl's own names must be an absolute path
 * (musl searches LD_LIBRARY_PATH before any RPATH).
 */
function staticCheck(entries, opts = {}) {
    const problems = [];
    for (const e of entries) {
        if (e.kind === 'include' && !(0,bundle_elf/* isElf */.aB)(e.data))
            continue;
        const elf = (0,bundle_elf/* readElf */.oU)(e.data, e.name);
        if (elf.interp?.includes('/nix/store'))
            problems.push({ name: e.name, problem: `interpreter ${elf.interp}` });
        if (elf.rpath?.includes('/nix/store'))
            problems.push({ name: e.name, problem: `RPATH ${elf.rpath}` });
        if (elf.runpath !== undefined)
            problems.push({ name: e.name, problem: `RUNPATH ${elf.runpath}` });
        for (const n of elf.needed) {
            if (n.includes('/nix/store'))
                problems.push({ name: e.name, problem: `DT_NEEDED ${n}` });
            else if (opts.musl && e.kind !== 'interpreter' && !n.includes('/') && !MUSL_RESERVED.test(n))
                problems.push({
                    name: e.name,
                    problem: `DT_NEEDED ${n} is a bare name: musl's loader would look in LD_LIBRARY_PATH (Amazon Linux's /lib64) first`,
                });
        }
    }
    return problems;
}

;// CONCATENATED MODULE: ./src/bundle/bundle.ts








function fileMode(data) {
    try {
        return external_node_fs_.statSync(data.foundAt).mode & 0o777;
    }
    catch {
        return 0o755;
    }
}
/** The folder holding the loader and the libraries at run time. */
function libDirOf(opts) {
    return opts.libDir ?? `${opts.taskRoot}/lib`;
}
async function bundleClosure(c, opts) {
    const entries = [];
    const musl = c.interpreter !== undefined && /^ld-musl-/.test(c.interpreter.name);
    const add = async (obj, names, kind, req) => {
        let data = obj.data;
        let patched = [];
        if (musl && obj !== c.interpreter) {
            const needed = muslNeeded(obj, c, opts.taskRoot, libDirOf(opts));
            if (Object.keys(needed).length > 0)
                req = { ...req, needed };
        }
        if (req.interp !== undefined || req.rpath !== undefined || req.needed !== undefined) {
            const r = await patchCopy(obj.data, names[0], req, opts.tempDir);
            data = r.data;
            patched = r.outcome.changes;
            if (r.outcome.patchelf)
                opts.log(`${names[0]}: patched with patchelf because ${r.outcome.patchelf}`);
        }
        const first = entries.length;
        for (const name of names)
            entries.push({
                name,
                source: obj.foundAt,
                storePath: obj.storePath,
                kind,
                bytes: data.length,
                mode: kind === 'program' || kind === 'interpreter' ? 0o755 : fileMode(obj),
                patched,
                reason: name === names[0] ? obj.reason : `${obj.reason}; also named ${name} in the strings`,
                data,
            });
        opts.onEntry?.(entries[first]);
    };
    const interpFor = (obj) => obj.elf.interp && c.interpreter ? `${libDirOf(opts)}/${c.interpreter.name}` : undefined;
    const withPath = (obj) => obj.elf.needed.length > 0 || obj.elf.rpath !== undefined || obj.elf.runpath !== undefined;
    const prog = c.program;
    const progReq = {};
    const progInterp = interpFor(prog);
    if (progInterp !== undefined)
        progReq.interp = progInterp;
    if (withPath(prog))
        progReq.rpath = opts.libDir ?? PROGRAM_RPATH;
    const jobs = [add(prog, ['bootstrap'], 'program', progReq)];
    if (c.interpreter)
        jobs.push(add(c.interpreter, [`lib/${c.interpreter.name}`], 'interpreter', {}));
    // Largest first: the zip's longest deflate jobs start while the others are patched.
    for (const lib of [...c.libraries].sort((a, b) => b.data.length - a.data.length)) {
        const hasPath = lib.elf.rpath !== undefined || lib.elf.runpath !== undefined;
        jobs.push(add(lib, [lib.name, ...lib.aliases].map((n) => `lib/${n}`), 'library', hasPath ? { rpath: LIBRARY_RPATH } : {}));
    }
    await Promise.all(jobs);
    return entries;
}
/**
 * Patches the include entries that are dynamically linked ELF objects (resolved by
 * ClosureResolver.addIncludes): the loader in the bundle, a search path that finds their folder and
 * lib/ from where they sit in the zip, and for musl absolute DT_NEEDED names. Returns the entries
 * with their patched bytes.
 */
async function patchIncludes(entries, c, opts) {
    const byName = new Map(c.included.map((o) => [o.name, o]));
    const musl = c.interpreter !== undefined && /^ld-musl-/.test(c.interpreter.name);
    return Promise.all(entries.map(async (e) => {
        const obj = byName.get(e.name);
        if (!obj) {
            opts.onEntry?.(e);
            return e;
        }
        const req = {};
        if (obj.elf.interp && c.interpreter)
            req.interp = `${libDirOf(opts)}/${c.interpreter.name}`;
        // As for the program and the libraries: a program always gets a search path (else its libraries
        // come from LD_LIBRARY_PATH), a library only when it had one (else it inherits its loader's).
        const hasPath = obj.elf.rpath !== undefined || obj.elf.runpath !== undefined;
        if (hasPath || (obj.elf.interp !== undefined && obj.elf.needed.length > 0))
            req.rpath = rpathFor(e.name, opts.libDir);
        if (musl) {
            const needed = muslNeeded(obj, c, opts.taskRoot, libDirOf(opts));
            if (Object.keys(needed).length > 0)
                req.needed = needed;
        }
        if (req.interp === undefined && req.rpath === undefined && req.needed === undefined) {
            opts.onEntry?.(e);
            return e;
        }
        const r = await patchCopy((0,fs/* copyShared */.dW)(e.data), e.name, req, opts.tempDir);
        if (r.outcome.patchelf)
            opts.log(`${e.name}: patched with patchelf because ${r.outcome.patchelf}`);
        const patched = { ...e, data: r.data, bytes: r.data.length, patched: r.outcome.changes };
        opts.onEntry?.(patched);
        return patched;
    }));
}
/** Refuses two files under one name in the zip (an `include` target over a bundled file). */
function checkNames(entries) {
    const names = new Map();
    for (const e of entries) {
        const prev = names.get(e.name);
        if (prev)
            throw new errors/* ActionError */.lZ('Bundle conflict', `two files would be bundled as ${e.name}: ${prev.source} and ${e.source}; change the \`include\` target.`);
        names.set(e.name, e);
    }
}
/** One log line per bundled file; a folder brought in by one include (a data set) is one line. */
function logEntries(entries, log) {
    const groups = new Map();
    for (const e of entries.filter((x) => x.kind === 'include')) {
        const key = e.reason ?? e.name;
        groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    for (const e of entries) {
        const group = e.kind === 'include' ? groups.get(e.reason ?? e.name) : [e];
        if (group.length > 3) {
            if (group[0] !== e)
                continue;
            const bytes = group.reduce((n, x) => n + x.bytes, 0);
            const patched = group.filter((x) => x.patched.length > 0).length;
            log.info(`${`${external_node_path_.posix.dirname(e.name)}/`.padEnd(32)} ${(0,format/* formatBytes */.z3)(bytes).padStart(9)}  ${(0,format/* plural */.LS)(group.length, 'file')}${patched > 0 ? `, ${patched} ELF objects patched` : ''}  (${e.reason ?? 'include'})`);
            continue;
        }
        const why = e.kind === 'library' && e.reason && !e.reason.startsWith('DT_NEEDED') ? `  (${e.reason})` : '';
        log.info(`${e.name.padEnd(32)} ${(0,format/* formatBytes */.z3)(e.bytes).padStart(9)}  ${e.source}${e.patched.length > 0 ? `  [${e.patched.join('; ')}]` : ''}${why}`);
    }
}
/** The bytes of the bundle unzipped, refused above Lambda's limit. */
function checkBundleSize(entries) {
    const unzippedBytes = entries.reduce((n, e) => n + e.bytes, 0);
    if (unzippedBytes > lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)
        throw new errors/* ActionError */.lZ('Bundle too large', `the bundle is ${(0,format/* formatBytes */.z3)(unzippedBytes)} unzipped; Lambda's limit is ${(0,format/* formatBytes */.z3)(lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)} (with layers). Trim the closure, or ship large data in a layer or a container image.`);
    return unzippedBytes;
}
/** The bundle on disk, inside a root that the loader check can enter. */
async function writeBundleFolder(work, taskRoot, entries) {
    const root = external_node_path_.join(work, 'root');
    await promises_.rm(root, { recursive: true, force: true });
    const bundleDir = external_node_path_.join(root, taskRoot);
    await promises_.mkdir(bundleDir, { recursive: true });
    const dirs = new Set(entries.map((e) => external_node_path_.dirname(external_node_path_.join(bundleDir, e.name))));
    for (const d of dirs)
        await promises_.mkdir(d, { recursive: true });
    await Promise.all(entries.map((e) => promises_.writeFile(external_node_path_.join(bundleDir, e.name), e.data, { mode: e.mode | 0o444 })));
    return { root, bundleDir };
}

;// CONCATENATED MODULE: ./src/bundle/store-path.ts
/**
 * Nix store paths as strings (a pure module): which store path a file lies in, and the store path
 * references baked into a file's bytes.
 */
const STORE_DIR = '/nix/store';
/** /nix/store/HASH-NAME/... -> /nix/store/HASH-NAME */
function storePathOf(p, storeDir = STORE_DIR) {
    if (!p.startsWith(`${storeDir}/`))
        return undefined;
    const rest = p.slice(storeDir.length + 1);
    const name = rest.split('/')[0];
    return name ? `${storeDir}/${name}` : undefined;
}
/** Characters of a store hash (Nix's base-32 alphabet). */
const HASH = /^[0-9abcdfghijklmnpqrsvwxyz]{32}$/;
const isNameByte = (b) => (b >= 0x30 && b <= 0x39) || // 0-9
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    b === 0x2b || // +
    b === 0x2d || // -
    b === 0x2e || // .
    b === 0x5f || // _
    b === 0x3f || // ?
    b === 0x3d; // =
/** Bytes of a path below a store path: name bytes, '/', and a few more that file names use. */
const isPathByte = (b) => isNameByte(b) || b === 0x2f || b === 0x2c || b === 0x40 || b === 0x25 || b === 0x7e || b === 0x23;
/**
 * Every /nix/store/HASH-NAME[/...] reference in the bytes (as text: C strings, Rust and Go string
 * literals, scripts), each once, sorted. A path ends at the first byte that cannot be part of one.
 */
function scanStoreReferences(data, storeDir = STORE_DIR) {
    const needle = Buffer.from(`${storeDir}/`, 'latin1');
    const found = new Map();
    let i = data.indexOf(needle);
    while (i >= 0) {
        const start = i;
        let end = start + needle.length;
        while (end < data.length && isPathByte(data[end]))
            end++;
        // Sentence punctuation after a path in a message.
        while (end > start + needle.length && (data[end - 1] === 0x2e || data[end - 1] === 0x2c))
            end--;
        const text = data.toString('latin1', start, end);
        const rest = text.slice(needle.length);
        const slash = rest.indexOf('/');
        const base = slash < 0 ? rest : rest.slice(0, slash);
        const dash = base.indexOf('-');
        if (dash === 32 && HASH.test(base.slice(0, 32)) && base.length > 33) {
            const storePath = `${storeDir}/${base}`;
            const sub = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
            const p = sub ? `${storePath}/${sub}` : storePath;
            if (!found.has(p))
                found.set(p, { path: p, storePath, sub });
        }
        i = data.indexOf(needle, Math.max(end, start + 1));
    }
    return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
const SO = Buffer.from('.so', 'latin1');
const isSonameByte = (b) => isNameByte(b) && b !== 0x3f && b !== 0x3d;
const isDigit = (b) => b >= 0x30 && b <= 0x39;
/**
 * Library names written in the bytes as a program passes them to dlopen(): `lib<name>.so` with an
 * optional version (libfoo.so, libfoo.so.1, libfoo-2.so.0.3), standing alone (not inside a path or a
 * longer word). Each once, sorted.
 */
function scanSonames(data) {
    const names = new Set();
    let i = data.indexOf(SO);
    while (i >= 0) {
        let start = i;
        while (start > 0 && i - start < 255 && isSonameByte(data[start - 1]))
            start--;
        let end = i + SO.length;
        while (end + 1 < data.length && data[end] === 0x2e && isDigit(data[end + 1])) {
            end++;
            while (end < data.length && isDigit(data[end]))
                end++;
        }
        const before = start > 0 ? data[start - 1] : 0;
        const after = end < data.length ? data[end] : 0;
        if (end - start > 6 &&
            data[start] === 0x6c && // l
            data[start + 1] === 0x69 && // i
            data[start + 2] === 0x62 && // b
            start + 3 < i &&
            before !== 0x2f && // not the end of a path
            !isSonameByte(before) &&
            !isSonameByte(after))
            names.add(data.toString('latin1', start, end));
        i = data.indexOf(SO, Math.max(end, i + 1));
    }
    return [...names].sort();
}

;// CONCATENATED MODULE: ./src/bundle/loaded.ts




const PLATFORM = { 62: 'x86_64', 183: 'aarch64' };
/** Expands $ORIGIN, $LIB and $PLATFORM (and their ${...} forms) in a search path entry. */
function expandTokens(dir, origin, machine) {
    return dir
        .replace(/\$\{ORIGIN\}|\$ORIGIN(?![A-Za-z0-9_])/g, origin)
        .replace(/\$\{LIB\}|\$LIB(?![A-Za-z0-9_])/g, 'lib64')
        .replace(/\$\{PLATFORM\}|\$PLATFORM(?![A-Za-z0-9_])/g, PLATFORM[machine] ?? '');
}
/** dir + '/' + name, with nothing normalised: `..` is the kernel's to resolve, through symlinks. */
function joinRaw(dir, name) {
    return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}
/** The folder part of a path as the loader takes it (glibc strips the last component; nothing else). */
function dirnameRaw(p) {
    const i = p.lastIndexOf('/');
    if (i < 0)
        return '.';
    return i === 0 ? '/' : p.slice(0, i);
}
/** The expanded entries of a search path string, for an object whose $ORIGIN is origin. */
function searchDirs(value, origin, machine) {
    if (!value)
        return [];
    return value
        .split(':')
        .filter((d) => d !== '')
        .map((d) => expandTokens(d, origin, machine));
}
/** The expanded entries of an object's DT_RPATH or DT_RUNPATH. */
function dirsOf(obj, which) {
    return searchDirs(obj.elf[which], obj.origin, obj.elf.machine);
}
/** Shell-style patterns (`*`, `?`) for library names. */
function nameMatcher(patterns) {
    const res = patterns.map((p) => new RegExp(`^${p
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
        .join('')}$`));
    return (name) => res.some((r) => r.test(name));
}
/** musl's loader, by its name. */
const MUSL_LOADER = /^ld-musl-[\w-]+\.so\.1$/;
/** Reads and parses the file at p (its real path, cached: a file is read once). */
async function loadFile(p, cache, readFile) {
    let real;
    try {
        // Native realpath(3): `..` after a symlink is resolved from the symlink's target, as the kernel does.
        real = await promises_.realpath(p);
        if (!(await promises_.stat(real)).isFile())
            return undefined;
    }
    catch {
        return undefined;
    }
    let entry = cache.get(real);
    if (!entry) {
        entry = (async () => {
            const data = await readFile(real);
            try {
                return { real, data, elf: (0,bundle_elf/* readElf */.oU)(data, real) };
            }
            catch (e) {
                if (e instanceof bundle_elf/* ElfError */.QH)
                    return { error: e.message };
                throw e;
            }
        })();
        cache.set(real, entry);
    }
    return entry;
}
/** The one factory of loaded objects. */
function makeObject(name, foundAt, l, o) {
    const lo = {
        name,
        foundAt,
        origin: o.origin,
        real: l.real,
        storePath: storePathOf(l.real) ?? external_node_path_.dirname(l.real),
        data: l.data,
        elf: l.elf,
        neededBy: o.neededBy,
        via: o.via,
        reason: o.reason,
        optional: o.optional,
        chain: [],
        aliases: [],
    };
    lo.chain = [lo, ...(o.loader?.chain ?? [])];
    return lo;
}

;// CONCATENATED MODULE: ./src/bundle/closure-walk.ts



/**
 * The loader's search, as glibc's elf/dl-load.c does it (see closure.ts): the folders searched for
 * a name and in which order, an object found once under any of its names, the breadth-first walk
 * of DT_NEEDED, and the files glibc loads by itself. ClosureResolver (closure.ts) adds what the
 * bundle asks of it.
 */
class ClosureWalker {
    program;
    libraries = [];
    included = [];
    missing = [];
    dlopenSkipped = [];
    /** Objects that cannot share the bundle (another loader, another machine): each says why. */
    conflicts = [];
    interpreter;
    byName = new Map();
    byReal = new Map();
    includedByReal = new Map();
    cache = new Map();
    realDirs = new Map();
    /** Real folders from which some DT_NEEDED library was loaded. */
    supplying = new Set();
    queue = [];
    closureLibDirs;
    closurePaths;
    readFile;
    constructor(program, opts, readFile) {
        this.program = program;
        this.readFile = readFile;
        this.closurePaths = opts.closure;
        this.closureLibDirs = opts.closure.flatMap((sp) => [external_node_path_.join(sp, 'lib'), external_node_path_.join(sp, 'lib64')]);
    }
    get isMusl() {
        return this.interpreter !== undefined && MUSL_LOADER.test(this.interpreter.name);
    }
    async loadInterpreter(from) {
        const interp = from.elf.interp;
        if (!interp)
            return;
        const l = await this.load(interp);
        if (this.interpreter) {
            if (l && !('error' in l) && l.real !== this.interpreter.real)
                this.conflicts.push(`${from.name} runs with the loader ${interp}, the program with ${this.interpreter.foundAt}: one bundle has one loader (lib/${this.interpreter.name}); build both against the same C library`);
            return;
        }
        if (l && !('error' in l)) {
            const it = makeObject(external_node_path_.basename(interp), interp, l, {
                origin: dirnameRaw(interp),
                neededBy: from.name,
                via: 'interp',
                reason: `the loader (PT_INTERP of ${from.name})`,
                optional: false,
                loader: undefined,
            });
            this.interpreter = it;
            this.byName.set(it.name, it);
            if (l.elf.soname)
                this.byName.set(l.elf.soname, it);
            this.byReal.set(l.real, it);
        }
        else {
            this.missing.push({
                soname: external_node_path_.basename(interp),
                neededBy: `${from.name} (interpreter ${interp})`,
                wrongArch: [],
                searched: [dirnameRaw(interp)],
                optional: false,
                ...(l ? { malformed: [l.error] } : {}),
            });
        }
    }
    load(p) {
        return loadFile(p, this.cache, this.readFile);
    }
    /** The real folder of a path (cached), undefined when it does not exist. */
    realDir(dir) {
        let r = this.realDirs.get(dir);
        if (!r) {
            r = promises_.realpath(dir).catch(() => undefined);
            this.realDirs.set(dir, r);
        }
        return r;
    }
    /** Inside a store path of the build's closure (dlopen folders must be: anything else is the build machine's). */
    inClosure(p) {
        return this.closurePaths.some((sp) => p === sp || p.startsWith(`${sp}/`));
    }
    matches(e) {
        return e.machine === this.program.elf.machine;
    }
    /** The folders the loader searches for a name needed (or dlopened) by obj, in order. */
    searchOrder(obj, withClosure) {
        const out = [];
        // DT_RPATH of the object and its loaders (only objects without DT_RUNPATH), when the object has no DT_RUNPATH.
        if (obj.elf.runpath === undefined) {
            for (const l of obj.chain) {
                if (l.elf.runpath !== undefined)
                    continue;
                for (const dir of dirsOf(l, 'rpath'))
                    out.push({ dir, via: 'rpath' });
            }
        }
        for (const dir of dirsOf(obj, 'runpath'))
            out.push({ dir, via: 'runpath' });
        // Nix's glibc keeps libraries (libgcc_s) beside the loader: its default folder.
        if (this.interpreter)
            out.push({ dir: dirnameRaw(this.interpreter.foundAt), via: 'glibc' });
        if (withClosure)
            for (const dir of this.closureLibDirs)
                out.push({ dir, via: 'closure' });
        return out;
    }
    async find(soname, obj, withClosure = true) {
        const wrongArch = [];
        const malformed = [];
        const searched = [];
        const attempt = async (p, via) => {
            const l = await this.load(p);
            if (!l)
                return undefined;
            if ('error' in l) {
                // Not an ELF object the loader could use either: said as such, not as another architecture.
                if (!malformed.includes(l.error))
                    malformed.push(l.error);
                return undefined;
            }
            if (!this.matches(l.elf)) {
                if (!wrongArch.includes(p))
                    wrongArch.push(p);
                return undefined;
            }
            const known = this.byReal.get(l.real);
            if (known)
                return known;
            return makeObject(soname, p, l, {
                origin: dirnameRaw(p),
                neededBy: obj.name,
                via,
                reason: `DT_NEEDED of ${obj.name}`,
                optional: obj.optional,
                loader: obj,
            });
        };
        if (soname.includes('/')) {
            searched.push(dirnameRaw(soname));
            return { obj: await attempt(soname, 'path'), wrongArch, malformed, searched };
        }
        for (const { dir, via } of this.searchOrder(obj, withClosure)) {
            if (!searched.includes(dir))
                searched.push(dir);
            const r = await attempt(joinRaw(dir, soname), via);
            if (r)
                return { obj: r, wrongArch, malformed, searched };
        }
        return { obj: undefined, wrongArch, malformed, searched };
    }
    add(lo) {
        this.byName.set(lo.name, lo);
        if (lo.elf.soname && !this.byName.has(lo.elf.soname))
            this.byName.set(lo.elf.soname, lo);
        this.byReal.set(lo.real, lo);
        this.libraries.push(lo);
        this.queue.push(lo);
    }
    /** Loads the queue's dependencies breadth-first, as the loader does. */
    async drain() {
        while (this.queue.length > 0) {
            const obj = this.queue.shift();
            for (const soname of obj.elf.needed) {
                if (this.byName.has(soname))
                    continue;
                const { obj: found, wrongArch, malformed, searched } = await this.find(soname, obj);
                if (!found) {
                    this.missing.push({
                        soname,
                        neededBy: obj.name,
                        wrongArch,
                        searched,
                        optional: obj.optional,
                        ...(malformed.length ? { malformed } : {}),
                    });
                    this.byName.set(soname, obj); // report once
                    continue;
                }
                if (found.via !== 'path') {
                    const dir = await this.realDir(dirnameRaw(found.foundAt));
                    if (dir)
                        this.supplying.add(dir);
                }
                const inc = this.includedByReal.get(found.real);
                if (inc && obj.via === 'include' && dirnameRaw(inc.name) === dirnameRaw(obj.name))
                    continue;
                if (this.byReal.has(found.real))
                    this.byName.set(soname, this.byReal.get(found.real));
                else
                    this.add(found);
            }
        }
    }
    /**
     * Files the loader opens without a DT_NEEDED: Nix's glibc dlopens libgcc_s.so.1 from its own lib/
     * (pthread_cancel, unwinding); glibc before 2.34 loads NSS modules for name lookups.
     */
    async addGlibcExtras() {
        if (!this.interpreter || this.isMusl)
            return;
        const glibcDir = dirnameRaw(this.interpreter.foundAt);
        const libc = this.byName.get('libc.so.6');
        const oldGlibc = libc !== undefined && !libc.data.includes('GLIBC_2.34\0');
        const extras = [
            ['libgcc_s.so.1', 'loaded by glibc itself (pthread_cancel, unwinding)'],
            ...(oldGlibc
                ? [
                    ['libnss_files.so.2', 'NSS module glibc < 2.34 loads for name lookups'],
                    ['libnss_dns.so.2', 'NSS module glibc < 2.34 loads for name lookups'],
                    ['libresolv.so.2', 'needed by glibc < 2.34 for DNS lookups'],
                ]
                : []),
        ];
        for (const [name, reason] of extras) {
            if (this.byName.has(name))
                continue;
            const p = joinRaw(glibcDir, name);
            const l = await this.load(p);
            if (!l || 'error' in l || !this.matches(l.elf) || this.byReal.has(l.real))
                continue;
            this.add(makeObject(name, p, l, {
                origin: glibcDir,
                neededBy: 'glibc',
                via: 'glibc',
                reason,
                optional: false,
                loader: this.program,
            }));
        }
        await this.drain();
    }
}

;// CONCATENATED MODULE: ./src/bundle/closure.ts







/**
 * Resolves a program's shared-library closure inside the Nix store the way the loader would
 * (ld.so(8), glibc's elf/dl-load.c): DT_RPATH of the object and of its loaders when it has no
 * DT_RUNPATH, then its DT_RUNPATH, then the loader's own folder, and, last, the lib folders of the
 * build's closure. An object already loaded under a name is reused. Candidates of another class or
 * machine are skipped, as the loader does.
 *
 * `$ORIGIN` is what glibc makes of it: for the program, the folder of its resolved path (glibc reads
 * /proc/self/exe, so a bin/bootstrap that is a symlink into another store path takes the real file's
 * folder); for a library, the folder of the path it was found at, symlinks left in place, `..`
 * resolved by the kernel when the file is opened (never lexically).
 *
 * Besides DT_NEEDED, the resolver finds what a program loads with dlopen() through its search paths
 * (detectDlopen): the libraries of search path folders that supply no DT_NEEDED library (nixpkgs
 * keeps dlopened libraries reachable with `patchelf --add-rpath`), and the library names written in
 * the bundled objects' strings that the loader would find on their search paths.
 */
/** The library-resolution state of one bundle: the program, then whatever else joins it. */
class ClosureResolver extends ClosureWalker {
    constructor(program, opts, readFile) {
        super(program, opts, readFile);
    }
    /** Loads the program (and its interpreter); resolve() then walks its DT_NEEDED closure. */
    static async open(programPath, opts) {
        const readFile = opts.readFile ?? fs/* readFileShared */._V;
        const cache = new Map();
        const first = await loadFile(programPath, cache, readFile);
        if (!first)
            throw new Error(`${programPath} does not exist`);
        if ('error' in first)
            throw new bundle_elf/* ElfError */.QH(first.error);
        const program = makeObject('bootstrap', programPath, first, {
            // glibc takes the program's $ORIGIN from /proc/self/exe: the resolved file.
            origin: dirnameRaw(first.real),
            neededBy: undefined,
            via: 'program',
            reason: 'the program',
            optional: false,
            loader: undefined,
        });
        const r = new ClosureResolver(program, opts, readFile);
        for (const [k, v] of cache)
            r.cache.set(k, v);
        await r.loadInterpreter(program);
        return r;
    }
    /** Walks the DT_NEEDED closure of everything loaded so far, then adds what glibc loads by itself. */
    async resolve() {
        if (!this.byReal.has(this.program.real)) {
            this.byReal.set(this.program.real, this.program);
            this.queue.push(this.program);
        }
        await this.drain();
        await this.addGlibcExtras();
    }
    /**
     * ELF objects of the `include` input (bundled at their targets): their interpreter must be the
     * program's (one loader per bundle) and their dependencies join the bundle's lib/, unless the
     * dependency is itself an included file in the same folder (found there through `$ORIGIN`).
     * Static objects are left as they are. Returns the objects whose headers the bundle patches.
     */
    async addIncludes(files) {
        const added = [];
        for (const { file, target } of files) {
            const l = await this.load(file);
            if (!l)
                throw new Error(`${file} does not exist`);
            if ('error' in l)
                throw new bundle_elf/* ElfError */.QH(l.error);
            if (l.elf.isStatic && l.elf.rpath === undefined && l.elf.runpath === undefined)
                continue;
            if (!this.matches(l.elf)) {
                this.conflicts.push(`${target} (include ${file}) is built for machine ${l.elf.machine}, the program for ${this.program.elf.machine}`);
                continue;
            }
            const lo = makeObject(target, file, l, {
                origin: dirnameRaw(l.elf.interp ? l.real : file),
                neededBy: undefined,
                via: 'include',
                reason: `include ${target}`,
                optional: false,
                loader: undefined,
            });
            this.includedByReal.set(l.real, lo);
            added.push(lo);
        }
        for (const lo of added) {
            await this.loadInterpreter(lo);
            this.included.push(lo);
            this.queue.push(lo);
        }
        await this.drain();
        await this.addGlibcExtras();
        return added;
    }
    /**
     * A library the `extra-libraries` input names: a soname (searched like a dlopen from the program,
     * then in every lib folder of the closure) or a store path. Throws a plain Error when not found.
     */
    async addExtra(spec) {
        let found;
        if (spec.includes('/')) {
            const l = await this.load(spec);
            if (l && !('error' in l) && this.matches(l.elf))
                found =
                    this.byReal.get(l.real) ??
                        makeObject(external_node_path_.basename(spec), spec, l, {
                            origin: dirnameRaw(spec),
                            neededBy: 'input extra-libraries',
                            via: 'input',
                            reason: 'input extra-libraries',
                            optional: true,
                            loader: this.program,
                        });
        }
        else {
            const known = this.byName.get(spec);
            if (known && known !== this.program)
                return known;
            const r = await this.find(spec, this.program, true);
            if (r.obj) {
                found = r.obj;
                if (!this.byReal.has(found.real)) {
                    found.via = 'input';
                    found.reason = 'input extra-libraries';
                    found.neededBy = 'input extra-libraries';
                    found.optional = true;
                }
            }
            else
                throw new Error(`${spec} is not in the program's search path nor in a lib folder of the build's closure (searched ${r.searched.join(', ')})`);
        }
        if (!found)
            throw new Error(`${spec} is not an ELF library for this architecture`);
        if (!this.byReal.has(found.real)) {
            this.add(found);
            await this.drain();
        }
        return found;
    }
    /**
     * Libraries the bundled objects can dlopen() through their search paths, bundled with their
     * dependencies: (1) every library in a RUNPATH/RPATH folder that supplies no DT_NEEDED library (not
     * the C library's own folder); (2) names written in a bundled object's strings (libfoo.so.1) that
     * the loader finds on that object's search path. Repeats until nothing new is found. Names matching
     * `exclude` are left out (and listed in dlopenSkipped).
     */
    async detectDlopen(exclude) {
        const interpDir = this.interpreter ? await this.realDir(dirnameRaw(this.interpreter.foundAt)) : undefined;
        const glibcStore = this.interpreter?.storePath;
        const scannedFolders = new Set();
        const scannedNames = new Set();
        const skipped = new Set();
        const skip = (name, p, reason) => {
            const key = `${name}\0${p}`;
            if (skipped.has(key))
                return;
            skipped.add(key);
            this.dlopenSkipped.push({ name, path: p, reason });
        };
        for (;;) {
            const before = this.libraries.length;
            const objects = [this.program, ...this.included, ...this.libraries];
            // (1) Search path folders that supply no DT_NEEDED library.
            for (const obj of objects) {
                for (const which of ['rpath', 'runpath']) {
                    for (const dir of dirsOf(obj, which)) {
                        const real = await this.realDir(dir);
                        if (!real || scannedFolders.has(real) || this.supplying.has(real) || real === interpDir)
                            continue;
                        if (!this.inClosure(real))
                            continue;
                        scannedFolders.add(real);
                        await this.addFolder(dir, real, obj, which, exclude, skip);
                    }
                }
            }
            await this.drain();
            // (2) Library names in the strings of the bundled objects (glibc's own are handled above);
            // their DT_NEEDED names, written in the same bytes, are resolved by now.
            for (const obj of [this.program, ...this.included, ...this.libraries]) {
                if (scannedNames.has(obj) || (glibcStore !== undefined && obj.storePath === glibcStore))
                    continue;
                scannedNames.add(obj);
                for (const name of scanSonames(obj.data)) {
                    if (this.byName.has(name) || obj.elf.needed.includes(name))
                        continue;
                    const r = await this.find(name, obj, false);
                    if (!r.obj)
                        continue;
                    const existing = this.byReal.get(r.obj.real);
                    if (existing) {
                        // Already bundled under another name: carry this one too, as the program asks for it.
                        if (existing !== this.program && existing.name !== name && !existing.aliases.includes(name)) {
                            if (exclude(name))
                                skip(name, r.obj.foundAt, 'input exclude-libraries');
                            else
                                existing.aliases.push(name);
                        }
                        continue;
                    }
                    if (exclude(name) || (r.obj.elf.soname !== undefined && exclude(r.obj.elf.soname))) {
                        skip(name, r.obj.foundAt, 'input exclude-libraries');
                        continue;
                    }
                    r.obj.via = 'dlopen-name';
                    r.obj.reason = `named in the strings of ${obj.name} (dlopen by name), found in ${dirnameRaw(r.obj.foundAt)}`;
                    r.obj.optional = true;
                    this.add(r.obj);
                }
            }
            await this.drain();
            if (this.libraries.length === before)
                break;
        }
    }
    async addFolder(dir, real, obj, which, exclude, skip) {
        let names;
        try {
            names = (await promises_.readdir(real)).filter((n) => /\.so(\.|$)/.test(n)).sort();
        }
        catch {
            return;
        }
        /** Files by their real path, with every name the folder gives them. */
        const files = new Map();
        for (const n of names) {
            const l = await this.load(joinRaw(dir, n));
            if (!l)
                continue;
            if ('error' in l) {
                skip(n, joinRaw(dir, n), `not an ELF library: ${l.error}`);
                continue;
            }
            if (l.elf.type !== 3)
                continue; // ET_DYN only
            if (!this.matches(l.elf)) {
                skip(n, joinRaw(dir, n), 'built for another architecture');
                continue;
            }
            const f = files.get(l.real);
            if (f)
                f.names.push(n);
            else
                files.set(l.real, { loaded: l, names: [n] });
        }
        const tag = which === 'rpath' ? 'RPATH' : 'RUNPATH';
        for (const { loaded, names: fileNames } of files.values()) {
            const soname = loaded.elf.soname;
            const name = soname && fileNames.includes(soname)
                ? soname
                : fileNames.includes(external_node_path_.basename(loaded.real))
                    ? external_node_path_.basename(loaded.real)
                    : (soname ?? fileNames[0]);
            const at = joinRaw(dir, fileNames.includes(name) ? name : fileNames[0]);
            if (this.byReal.has(loaded.real))
                continue;
            if (fileNames.some((n) => exclude(n)) || (soname !== undefined && exclude(soname))) {
                skip(name, at, 'input exclude-libraries');
                continue;
            }
            const other = this.byName.get(name);
            if (other) {
                skip(name, at, `another library of that name is already bundled (${other.foundAt})`);
                continue;
            }
            this.add(makeObject(name, at, loaded, {
                origin: dirnameRaw(at),
                neededBy: obj.name,
                via: 'dlopen-folder',
                reason: `in ${dir}, a ${tag} folder of ${obj.name} that supplies no DT_NEEDED library (dlopen)`,
                optional: true,
                loader: obj,
            }));
        }
    }
    result() {
        return {
            program: this.program,
            interpreter: this.interpreter,
            libraries: this.libraries,
            included: this.included,
            missing: this.missing,
            dlopenSkipped: this.dlopenSkipped,
            conflicts: this.conflicts,
            byName: this.byName,
        };
    }
}
/** The DT_NEEDED closure of a program (see ClosureResolver). */
async function resolveClosure(programPath, opts) {
    const r = await ClosureResolver.open(programPath, opts);
    await r.resolve();
    return r.result();
}

;// CONCATENATED MODULE: ./src/bundle/data-sets.ts





/**
 * The data sets to bundle: those named in the input bundle-data (or bundle-certificates), and with
 * `auto` those a bundled file references by store path (the C library's references to its own
 * folders excepted: every glibc names its gconv folder). A target the `include` input already
 * fills is left to it.
 */
function chooseDataSets(objects, closure, request, log) {
    const choice = { sources: [], bundled: new Map(), skipped: new Map() };
    const glibcStore = objects.interpreter?.storePath;
    const found = new Map();
    if (request.auto) {
        for (const obj of [objects.program, ...objects.libraries]) {
            for (const ref of scanStoreReferences(obj.data)) {
                if (glibcStore !== undefined && obj.storePath === glibcStore && ref.storePath === glibcStore)
                    continue;
                const set = (0,runtime_env/* dataSetOf */.SH)(ref.sub);
                if (!set || found.has(set.id))
                    continue;
                const source = `${ref.storePath}/${set.root}`;
                if (!external_node_fs_.existsSync(source))
                    continue;
                found.set(set.id, { source, root: set.root, by: obj.name });
            }
        }
    }
    for (const id of request.sets) {
        if (found.has(id))
            continue;
        const f = (0,runtime_env/* findDataSet */._h)(id, closure, id === 'gconv' && glibcStore ? [glibcStore] : []);
        if (!f)
            throw missingDataSet(id, request.viaCertificatesInput);
        found.set(id, { ...f, by: `input bundle-data` });
    }
    for (const [id, f] of found) {
        const def = runtime_env/* DATA_SET_DEFS */.v6[id];
        const target = def.target(f.root);
        if (request.includeTargets.has(target))
            continue;
        if (id === 'locales' && !request.sets.includes('locales')) {
            const size = external_node_fs_.statSync(f.source).size;
            if (f.root.endsWith('locale-archive') && size > runtime_env/* AUTO_LOCALE_ARCHIVE_LIMIT */._A) {
                choice.skipped.set(id, `the locale archive is ${(0,format/* formatBytes */.z3)(size)}, too large to bundle unasked (bundle a smaller one, such as nixpkgs' glibcLocalesUtf8 or glibcLocales with only the locales you use)`);
                continue;
            }
        }
        const reason = f.by === 'input bundle-data'
            ? `${def.what}: input bundle-data`
            : `${def.what}: ${f.by} references ${f.source}`;
        choice.sources.push({
            source: f.source,
            target,
            reason,
            ...(def.keep ? { keep: def.keep } : {}),
        });
        choice.bundled.set(id, target);
        log.info(`Bundling ${def.what} from ${f.source} as ${target} (${f.by === 'input bundle-data' ? 'input bundle-data' : `${f.by} references it`}).`);
    }
    if (!choice.bundled.has('gconv') && !request.sets.includes('gconv')) {
        // The program's own calls only: libraries (libidn2, libunistring...) convert the locale's
        // character set, which is UTF-8 on Lambda and needs no module.
        const caller = [objects.program, ...objects.included].find((o) => o.data.includes('iconv_open\0'));
        if (caller)
            log.notice(`${caller.name} calls iconv_open(): glibc converts UTF-8, UCS and ASCII by itself, but every other character set needs its gconv modules, which are not bundled. If the program converts other character sets, add gconv to the input bundle-data.`, 'iconv without gconv modules');
    }
    return choice;
}
function missingDataSet(id, viaCertificatesInput) {
    if (id === 'certificates')
        return new errors/* ActionError */.lZ('No CA certificates in the closure', `Input \`${viaCertificatesInput ? 'bundle-certificates' : 'bundle-data'}\`: no store path of the build's runtime closure holds a CA bundle (etc/ssl/certs/ca-bundle.crt). ` +
            'Make the program depend on nixpkgs\' cacert (for example refer to "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" in it), ' +
            `or bundle a file yourself with include: SOURCE:${runtime_env/* BUNDLED_CA_PATH */.qX}.`);
    const def = runtime_env/* DATA_SET_DEFS */.v6[id];
    return new errors/* ActionError */.lZ(`No ${def.what} in the closure`, `Input \`bundle-data\`: ${id} is asked for, but no store path of the build's runtime closure holds ${def.roots.join(' or ')}. Make the program refer to nixpkgs' ${def.nixpkgs} so Nix keeps it in the closure, or drop ${id} from bundle-data.`);
}

// EXTERNAL MODULE: ./src/bundle/limits.ts
var limits = __webpack_require__(4146);
;// CONCATENATED MODULE: ./src/bundle/include.ts






/**
 * What the bundle carries besides the closure: the `include` input's files and folders and the
 * data sets (data-sets.ts), read from the build output or its runtime closure and nowhere else.
 */
/**
 * Files under dir (following links), each checked with `check` before it is read or descended
 * into: a link out of the closure (to /etc, to /) is refused, never followed.
 */
async function walk(dir, seen, check) {
    const real = await check(dir);
    if (seen.has(real))
        return [];
    seen.add(real);
    const out = [];
    for (const name of (await promises_.readdir(dir)).sort()) {
        const p = external_node_path_.join(dir, name);
        const st = await promises_.stat(await check(p));
        if (st.isDirectory())
            out.push(...(await walk(p, seen, check)));
        else if (st.isFile())
            out.push(p);
    }
    return out;
}
/** Entries for the `include` input: files or folders from the output or the closure. */
async function bundleIncludes(specs, outPath, closure) {
    const inClosure = new Set(closure);
    const outStore = storePathOf(outPath);
    /** The real path of p, which must lie in the build output or its closure (links are followed). */
    const check = async (p) => {
        let real;
        try {
            real = await promises_.realpath(p);
        }
        catch {
            throw new errors/* ActionError */.lZ('Include not found', `Input \`include\`: ${p} does not exist or cannot be read (a dangling link?).`);
        }
        const sp = storePathOf(real);
        const inside = (sp !== undefined && (inClosure.has(sp) || sp === outStore)) ||
            real === outPath ||
            real.startsWith(`${outPath}/`);
        if (!inside)
            throw new errors/* ActionError */.lZ('Include points outside the closure', `Input \`include\`: ${p} leads to ${real}, outside the build's runtime closure; only files of the output and the store paths it depends on are bundled (a link out of the closure would copy a file of the build machine into the zip).`);
        return real;
    };
    const entries = [];
    for (const spec of specs) {
        const source = spec.source.startsWith('/') ? spec.source : external_node_path_.join(outPath, spec.source);
        if (spec.source.startsWith('/')) {
            const sp = storePathOf(spec.source);
            if (!sp || !inClosure.has(sp))
                throw new errors/* ActionError */.lZ('Include not in the closure', `Input \`include\`: ${spec.source} is not in the build's runtime closure; only store paths the program depends on can be bundled.`);
        }
        let st;
        try {
            st = await promises_.stat(source);
            await promises_.access(source, external_node_fs_.constants.R_OK);
        }
        catch {
            throw new errors/* ActionError */.lZ('Include not found', `Input \`include\`: ${source} does not exist or cannot be read.`);
        }
        await check(source);
        let files = st.isDirectory() ? await walk(source, new Set(), check) : [source];
        if (st.isDirectory() && spec.keep) {
            const keep = spec.keep;
            files = files.filter((f) => keep(external_node_path_.relative(source, f).split(external_node_path_.sep).join('/')));
        }
        for (const f of files) {
            const name = st.isDirectory()
                ? external_node_path_.posix.join(spec.target, external_node_path_.relative(source, f).split(external_node_path_.sep).join('/'))
                : spec.target;
            let data;
            let fst;
            try {
                data = await (0,fs/* readFileShared */._V)(f);
                fst = await promises_.stat(f);
            }
            catch {
                throw new errors/* ActionError */.lZ('Include not readable', `Input \`include\`: ${f} cannot be read.`);
            }
            const real = await promises_.realpath(f);
            entries.push({
                name,
                source: f,
                storePath: storePathOf(real) ?? storePathOf(f) ?? outPath,
                kind: 'include',
                bytes: data.length,
                mode: fst.mode & 0o777,
                patched: [],
                reason: spec.reason ?? `include ${spec.source}`,
                data,
            });
        }
    }
    return entries;
}

// EXTERNAL MODULE: ./src/bundle/layer.ts
var bundle_layer = __webpack_require__(4817);
;// CONCATENATED MODULE: ./src/bundle/references.ts




const SOURCE_FILE = /\.(c|h|cc|cpp|cxx|hh|hpp|rs|hs|lhs|go|ml|mli|zig|s|S|y|l|d|nim|swift)$/;
const SOURCE_STORE = /^[0-9a-z]{32}-(.*-)?(source|src|vendor|vendor-staging|cargo-vendor-dir|go-modules)(-[^/]*)?$/;
function defaultStat(p) {
    try {
        const st = external_node_fs_.statSync(p);
        return { isDirectory: st.isDirectory(), size: st.size };
    }
    catch {
        return undefined;
    }
}
function defaultRealpath(p) {
    try {
        return external_node_fs_.realpathSync.native(p);
    }
    catch {
        return undefined;
    }
}
/** What a reference found in `file` (from store path fileStore) means for the bundle. */
function judgeReference(ref, fileStore, ctx) {
    const stat = ctx.stat ?? defaultStat;
    const realpath = ctx.realpath ?? defaultRealpath;
    if (ctx.glibcStore !== undefined && fileStore === ctx.glibcStore && ref.storePath === ctx.glibcStore)
        return { kind: 'glibc' };
    const storeName = ref.storePath.slice(ref.storePath.lastIndexOf('/') + 1);
    if (SOURCE_FILE.test(ref.sub) || SOURCE_STORE.test(storeName))
        return { kind: 'source' };
    const set = (0,runtime_env/* dataSetOf */.SH)(ref.sub);
    if (set) {
        const target = ctx.dataSets.get(set.id);
        if (target !== undefined)
            return { kind: 'data', set: set.id, target };
        if (stat(`${ref.storePath}/${set.root}`) === undefined)
            return { kind: 'absent' };
        return {
            kind: 'data-not-bundled',
            set: set.id,
            why: ctx.dataSetsSkipped.get(set.id) ?? 'not bundled',
        };
    }
    // The path itself, or (for a template such as DIR/%s) the deepest folder of it that exists.
    let at = ref.path;
    let st = stat(at);
    while (!st && at.length > ref.storePath.length) {
        at = at.slice(0, at.lastIndexOf('/'));
        if (at.length <= ref.storePath.length)
            break;
        st = stat(at);
    }
    if (!st)
        return { kind: 'absent' };
    const real = realpath(at) ?? at;
    const lib = ctx.libraries.get(real);
    if (lib !== undefined)
        return { kind: 'library', target: lib };
    for (const [source, target] of ctx.includes) {
        if (real === source)
            return { kind: 'included', target };
        if (real.startsWith(`${source}/`))
            return { kind: 'included', target: `${target}/${real.slice(source.length + 1)}` };
    }
    return {
        kind: 'unbundled',
        what: st.isDirectory ? `a folder (${at === ref.path ? 'as written' : at})` : `a file of ${st.size} bytes`,
    };
}
/** Every store path reference in the files, judged. */
function findReferences(files, ctx) {
    const out = [];
    for (const f of files) {
        for (const ref of scanStoreReferences(f.data)) {
            out.push({ file: f.name, ref, verdict: judgeReference(ref, f.storePath, ctx) });
        }
    }
    return out;
}
/** Findings the user has to act on. */
function isProblem(v) {
    return v.kind === 'data-not-bundled' || v.kind === 'library' || v.kind === 'unbundled';
}
/** One line for a finding that is a problem: what it is, and the fix. */
function describeProblem(f, taskRoot) {
    const v = f.verdict;
    switch (v.kind) {
        case 'data-not-bundled':
            return `${f.ref.path}: ${runtime_env/* DATA_SET_DEFS */.v6[v.set].what}, ${v.why}. Fix: add \`${v.set}\` to the input bundle-data.`;
        case 'library':
            return `${f.ref.path}: a library loaded by its store path, which does not exist on Lambda (the bundle has it at ${taskRoot}/${v.target}). Fix: load it by name (dlopen("${v.target.replace(/^lib\//, '')}")), which the bundle's RPATH resolves.`;
        case 'unbundled':
            return `${f.ref.path}: ${v.what} that the bundle does not carry, so the path does not exist on Lambda. Fix: bundle it with include: ${f.ref.path}:<target> and point the program at ${taskRoot}/<target> (a variable in the input environment), or drop the reference from the build (nixpkgs: removeReferencesTo) if it is not used at run time.`;
        default:
            return f.ref.path;
    }
}
/**
 * Scans every bundled file for /nix/store paths: a reference the bundle does not satisfy is a
 * warning naming the file, the path and the fix (one annotation per file).
 */
function reportReferences(entries, closure, data, taskRoot, log) {
    const libraries = new Map();
    for (const o of [...closure.libraries, closure.interpreter].filter((x) => !!x))
        libraries.set(o.real, `lib/${o.name}`);
    const includes = new Map();
    for (const e of entries.filter((x) => x.kind === 'include')) {
        try {
            includes.set(external_node_fs_.realpathSync.native(e.source), e.name);
        }
        catch {
            // read a moment ago; a vanished file has nothing to say
        }
    }
    const findings = findReferences(entries, {
        glibcStore: closure.interpreter?.storePath,
        dataSets: data.bundled,
        dataSetsSkipped: data.skipped,
        libraries,
        includes,
    });
    const byFile = new Map();
    for (const f of findings.filter((x) => isProblem(x.verdict))) {
        const list = byFile.get(f.file) ?? [];
        list.push(f);
        byFile.set(f.file, list);
    }
    const SHOWN = 10;
    for (const [file, list] of byFile) {
        const lines = list.slice(0, SHOWN).map((f) => `- ${describeProblem(f, taskRoot)}`);
        if (list.length > SHOWN)
            lines.push(`- and ${list.length - SHOWN} more (see the job summary).`);
        log.warning(`${file} names ${(0,format/* plural */.LS)(list.length, 'store path')} that will not exist on Lambda:\n${lines.join('\n')}`, `Store paths baked into ${file}`);
    }
    const harmless = findings.filter((f) => !isProblem(f.verdict));
    if (harmless.length > 0)
        log.debug(`store path references handled or harmless: ${harmless.map((f) => `${f.file}: ${f.ref.path} (${f.verdict.kind})`).join('; ')}`);
    return findings
        .filter((f) => f.verdict.kind !== 'absent' && f.verdict.kind !== 'source' && f.verdict.kind !== 'glibc')
        .map((f) => ({
        file: f.file,
        path: f.ref.path,
        kind: f.verdict.kind,
        note: isProblem(f.verdict)
            ? describeProblem(f, taskRoot)
            : 'target' in f.verdict
                ? `bundled as ${f.verdict.target}`
                : '',
    }));
}

;// CONCATENATED MODULE: ./src/bundle/resolution.ts






/**
 * The resolved closure judged: libraries the program needs and the closure lacks (with where
 * they are, when the closure holds them elsewhere), needed libraries the inputs would leave out,
 * dlopen libraries that cannot come along.
 */
/** Adds the libraries input extra-libraries names (and their dependencies) to the bundle. */
async function addExtraLibraries(resolver, specs) {
    for (const spec of specs) {
        try {
            await resolver.addExtra(spec);
        }
        catch (e) {
            if (e instanceof bundle_elf/* ElfError */.QH)
                throw e;
            throw new errors/* ActionError */.lZ('Extra library not found', `Input \`extra-libraries\`: ${(0,errors/* errorMessage */.gJ)(e)}.`);
        }
    }
}
/** Fails on libraries the program needs and the closure lacks; warns about the dlopen ones. */
function checkResolution(closure, o, log) {
    if (closure.conflicts.length > 0)
        throw new errors/* ActionError */.lZ('Bundle conflict', closure.conflicts.join('\n'));
    const exclude = nameMatcher(o.excludeLibraries);
    const forbidden = [closure.program, ...closure.libraries, ...closure.included]
        .filter((o) => !o.optional &&
        o.via !== 'program' &&
        o.via !== 'include' &&
        (exclude(o.name) || (o.elf.soname !== undefined && exclude(o.elf.soname))))
        .map((o) => `${o.name} (${o.reason})`);
    if (forbidden.length > 0)
        throw new errors/* ActionError */.lZ('Cannot exclude a needed library', `Input \`exclude-libraries\` names libraries the program needs to start: ${forbidden.join(', ')}. Only libraries loaded with dlopen can be left out.`);
    const describeMissing = (m) => m.malformed
        ? `${m.soname} (needed by ${m.neededBy}): not a valid ELF file: ${m.malformed.join('; ')}`
        : m.wrongArch.length > 0
            ? `${m.soname} (needed by ${m.neededBy}): only found for another architecture: ${m.wrongArch.join(', ')}`
            : `${m.soname} (needed by ${m.neededBy}): searched ${m.searched.length > 0 ? m.searched.join(', ') : 'nowhere'}`;
    const optional = closure.missing.filter((m) => m.optional);
    if (optional.length > 0)
        log.warning(`libraries loaded with dlopen need libraries the closure does not have; they are bundled, and would fail to load under Nix too:\n${optional.map(describeMissing).join('\n')}`, 'dlopen libraries with missing dependencies');
    const missing = closure.missing.filter((m) => !m.optional);
    if (missing.length > 0) {
        const lines = missing.map(describeMissing);
        const n = (0,format/* plural */.LS)(missing.length, 'library', 'libraries');
        if (missing.some((m) => m.malformed))
            throw new errors/* ActionError */.lZ('Malformed libraries', `${n} of ${o.programRel} (${o.arch}) could not be used:\n${lines.join('\n')}\n` +
                'A library file in the closure is damaged or is not an ELF shared object: rebuild the package that provides it.');
        const wrong = missing.some((m) => m.wrongArch.length > 0);
        const elsewhere = missing.flatMap((m) => findInClosure(m.soname, o.closure).map((f) => `${m.soname}: ${f}`));
        throw new errors/* ActionError */.lZ(wrong ? 'Wrong-architecture libraries' : 'Missing libraries', `${n} of ${o.programRel} (${o.arch}) not found in the search path of the object that needs it, nor in a lib folder of the build's closure:\n${lines.join('\n')}\n` +
            (wrong
                ? "The closure holds libraries built for another machine: build the flake output for the function's architecture."
                : elsewhere.length > 0
                    ? `The closure does hold files of that name, in folders no search path reaches:\n${elsewhere.join('\n')}\nAdd their folder to the RUNPATH of the object that needs them (nixpkgs: patchelf --add-rpath in postFixup), or name them in the input extra-libraries.`
                    : "No store path of the closure holds them: add the package that provides them to the program's runtime dependencies (buildInputs), so Nix records the reference."));
    }
    for (const s of closure.dlopenSkipped)
        if (s.reason !== 'input exclude-libraries')
            log.warning(`${s.name} (${s.path}) is on a dlopen search path but not bundled: ${s.reason}.`, 'dlopen library not bundled');
        else
            log.info(`Not bundled (input exclude-libraries): ${s.name} (${s.path})`);
}
/** Files named soname anywhere below the closure's store paths (a few levels deep). */
function findInClosure(soname, closure) {
    const out = [];
    const visit = (dir, depth) => {
        let names;
        try {
            names = external_node_fs_.readdirSync(dir, { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const d of names) {
            const p = external_node_path_.join(dir, d.name);
            if (d.name === soname && (d.isFile() || d.isSymbolicLink()))
                out.push(p);
            else if (d.isDirectory() && depth < 4)
                visit(p, depth + 1);
        }
    };
    for (const sp of closure)
        visit(sp, 0);
    return out.slice(0, 10);
}

// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __webpack_require__(1421);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:http"
var external_node_http_ = __webpack_require__(7067);
;// CONCATENATED MODULE: ./src/bundle/runtime-api.ts


/**
 * A local Lambda Runtime API (version 2018-06-01) on 127.0.0.1 that hands one event to a custom
 * runtime and reports what the runtime did with it, as Lambda's own endpoint behaves:
 *
 *   GET  /2018-06-01/runtime/invocation/next          the event, with Lambda-Runtime-Aws-Request-Id,
 *                                                     -Deadline-Ms, -Invoked-Function-Arn, -Trace-Id;
 *                                                     no timeout (a later GET waits until close())
 *   POST /2018-06-01/runtime/invocation/{id}/response 202; over 6 MB: 413 and an invocation error
 *   POST /2018-06-01/runtime/invocation/{id}/error    202; an invocation error
 *   POST /2018-06-01/runtime/init/error               202; an init error (403 once the event is out)
 *
 * A request ID that is not the event's answers 400 InvalidRequestID; any other route 404.
 */
const RUNTIME_API_PREFIX = '/2018-06-01/runtime';
/** Lambda's limit on a synchronous response. */
const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
function reply(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}
/** The body, or undefined when it is over limit bytes (the rest is read and dropped). */
function readBody(req, limit) {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        req.on('data', (c) => {
            size += c.length;
            if (size <= limit)
                chunks.push(c);
        });
        req.on('end', () => {
            resolve(size > limit ? undefined : Buffer.concat(chunks).toString('utf8'));
        });
        req.on('error', reject);
    });
}
/** A request ID from the path, undefined when its percent-encoding is malformed (then not the event's). */
function decodedId(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return undefined;
    }
}
function errorType(req) {
    const h = req.headers['lambda-runtime-function-error-type'];
    return typeof h === 'string' ? h : undefined;
}
/** The event, with the headers Lambda sends along. */
function sendEvent(res, opts, requestId) {
    const traceTime = Math.floor(Date.now() / 1000).toString(16);
    res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(opts.payload),
        'Lambda-Runtime-Aws-Request-Id': requestId,
        'Lambda-Runtime-Deadline-Ms': String(opts.deadlineMs),
        'Lambda-Runtime-Invoked-Function-Arn': opts.functionArn,
        'Lambda-Runtime-Trace-Id': `Root=1-${traceTime}-${(0,external_node_crypto_.randomBytes)(12).toString('hex')};Parent=${(0,external_node_crypto_.randomBytes)(8).toString('hex')};Sampled=0`,
    });
    res.end(opts.payload);
}
/** Listens on 127.0.0.1 (a free port); GET .../next has no timeout on Lambda. */
async function listen(handler) {
    const server = external_node_http_.createServer(handler);
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            resolve();
        });
    });
    return { server, port: server.address().port };
}
/** Starts the server; close() ends it (and every GET still waiting). */
async function startRuntimeApi(opts) {
    const requestId = (0,external_node_crypto_.randomUUID)();
    const requests = [];
    let firstNext;
    let handedOut = false;
    let settled = false;
    let settle;
    const outcome = new Promise((resolve) => {
        settle = (o) => {
            if (settled)
                return;
            settled = true;
            resolve(o);
        };
    });
    const deliver = (res) => {
        handedOut = true;
        sendEvent(res, opts, requestId);
    };
    const handle = async (req, res) => {
        const url = (req.url ?? '').split('?')[0] ?? '';
        const method = req.method ?? '';
        const log = (status) => {
            requests.push(`${method} ${url} ${status}`);
        };
        if (method === 'GET' && url === `${RUNTIME_API_PREFIX}/invocation/next`) {
            firstNext ??= performance.now();
            log(handedOut ? 0 : 200);
            // One event: later GETs wait, as Lambda's do between invocations, until close().
            if (!handedOut && !settled)
                deliver(res);
            return;
        }
        const body = method === 'POST' ? await readBody(req, MAX_RESPONSE_BYTES) : '';
        const at = performance.now();
        const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
        if (method === 'POST' && m) {
            if (decodedId(m[1]) !== requestId || !handedOut) {
                log(400);
                reply(res, 400, { errorMessage: `Invalid request ID: ${m[1]}`, errorType: 'InvalidRequestID' });
                return;
            }
            if (body === undefined) {
                log(413);
                reply(res, 413, {
                    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
                    errorType: 'RequestEntityTooLarge',
                });
                settle({
                    kind: 'invocation-error',
                    errorType: 'Function.ResponseSizeTooLarge',
                    body: `the response is over Lambda's ${MAX_RESPONSE_BYTES} bytes`,
                    at,
                });
                return;
            }
            log(202);
            reply(res, 202, { status: 'OK' });
            if (m[2] === 'response')
                settle({ kind: 'response', body, at });
            else
                settle({ kind: 'invocation-error', errorType: errorType(req), body, at });
            return;
        }
        if (method === 'POST' && url === `${RUNTIME_API_PREFIX}/init/error`) {
            if (handedOut) {
                log(403);
                reply(res, 403, {
                    errorMessage: 'init/error after the first invocation',
                    errorType: 'InvalidStateTransition',
                });
                return;
            }
            log(202);
            reply(res, 202, { status: 'OK' });
            settle({ kind: 'init-error', errorType: errorType(req), body: body ?? '', at });
            return;
        }
        log(404);
        reply(res, 404, { errorMessage: `no route ${method} ${url}`, errorType: 'NotFound' });
    };
    const { server, port } = await listen((req, res) => {
        handle(req, res).catch((e) => {
            if (!res.headersSent)
                reply(res, 500, { errorMessage: String(e), errorType: 'ServerError' });
        });
    });
    return {
        address: `127.0.0.1:${port}`,
        requestId,
        firstNextAt: () => firstNext,
        outcome,
        requests,
        close: () => new Promise((resolve) => {
            server.close(() => {
                resolve();
            });
            server.closeAllConnections();
        }),
    };
}

;// CONCATENATED MODULE: ./src/bundle/sudo-env.ts





/**
 * Entering the isolated root through passwordless sudo (a runner that is not root and may not make
 * user namespaces, such as Ubuntu 24.04's AppArmor default) loses the environment: sudo starts its
 * command with an environment of its own (env_reset, secure_path), and drops LD_LIBRARY_PATH even
 * with --preserve-env or -E. The loader check would then run without Lambda's LD_LIBRARY_PATH
 * (proving nothing about the decoys) and the smoke test's program without AWS_LAMBDA_RUNTIME_API.
 *
 * So through sudo the variables go in a file only this user can read (0600), which a shell reads
 * just before it runs unshare, after `env -i` has cleared what sudo set: the program gets exactly
 * the variables given, none of sudo's, and no value (the function's `environment` may hold
 * secrets) is ever on a command line. The caller removes the file once the attempt is over.
 */
/** A name the shell can export (Lambda takes only these too). */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The file's text: one `export NAME='value'` line per variable, quoted for sh. */
function envFileText(env) {
    return Object.entries(env)
        .filter(([k]) => NAME.test(k))
        .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
        .join('');
}
/** The sh program that reads the file ($0) and runs the rest of its arguments (without the PWD sh sets). */
const LOAD_AND_RUN = '. "$0" && unset PWD OLDPWD && exec "$@"';
/**
 * An attempt from unshareAttempts, ready to run with `env`: unchanged unless it goes through sudo;
 * then `sudo -n env -i sh -c '. FILE && exec "$@"' FILE unshare ...`, the file written in `dir`.
 */
async function withSudoEnv(cmd, args, env, dir) {
    if (cmd !== 'sudo' || args[0] !== '-n' || args[1] !== 'unshare')
        return { cmd, args: [...args], viaSudo: false, cleanup: () => Promise.resolve() };
    const file = external_node_path_.join(dir, `.sudo-env-${(0,external_node_crypto_.randomBytes)(6).toString('hex')}`);
    await promises_.writeFile(file, envFileText(env), { mode: 0o600, flag: 'wx' });
    const unshare = (0,fs/* findOnPath */.aY)(['unshare']) ?? 'unshare';
    return {
        cmd,
        args: ['-n', '/usr/bin/env', '-i', '/bin/sh', '-c', LOAD_AND_RUN, file, unshare, ...args.slice(2)],
        viaSudo: true,
        cleanup: () => promises_.rm(file, { force: true }),
    };
}
/**
 * Ends a process group started through sudo: it runs as root (and the program as Lambda's sandbox
 * user), so this user's SIGKILL is refused, and the program would run on after the action.
 */
async function killThroughSudo(pgid) {
    if (pgid === undefined)
        return;
    await (0,exec/* run */.eF)('sudo', ['-n', 'kill', '-KILL', '--', `-${pgid}`], { allowFailure: true }).catch(() => undefined);
}

;// CONCATENATED MODULE: ./src/bundle/decoy.ts
/**
 * Decoy libraries for the loader check (a pure module): the smallest ELF64 shared object a loader
 * accepts, carrying only a SONAME. The check's isolated root holds one under every soname the bundle
 * ships, in /lib64 and /usr/lib64, where Amazon Linux keeps its own (older, incompatible) copies:
 * a bundle that would take a library from LD_LIBRARY_PATH instead of its own lib/ lists it from there.
 */

const EHDR = 64;
const PHDR = 56;
const DYN = 16;
const SYM = 24;
const align8 = (n) => (n + 7) & ~7;
/** A shared object for machine (e_machine: 62 x86_64, 183 aarch64) whose only content is its SONAME. */
function decoyLibrary(soname, machine) {
    const name = Buffer.from(soname, 'utf8');
    if (name.includes(0) || name.includes(0x2f))
        throw new Error(`not a library name: ${JSON.stringify(soname)}`);
    const phoff = EHDR;
    const strOff = phoff + 2 * PHDR;
    const strtab = Buffer.concat([Buffer.from([0]), name, Buffer.from([0])]);
    const symOff = align8(strOff + strtab.length);
    const hashOff = symOff + SYM; // one (null) symbol
    const dynOff = align8(hashOff + 16); // nbucket, nchain, bucket[0], chain[0]
    const dyn = [
        [bundle_elf/* DT_HASH */.oe, hashOff],
        [bundle_elf/* DT_STRTAB */.G0, strOff],
        [bundle_elf/* DT_SYMTAB */.UH, symOff],
        [bundle_elf/* DT_STRSZ */.Oo, strtab.length],
        [bundle_elf/* DT_SYMENT */.EO, SYM],
        [bundle_elf/* DT_SONAME */.P8, 1],
        [bundle_elf/* DT_NULL */.p9, 0],
    ];
    const size = dynOff + dyn.length * DYN;
    const b = Buffer.alloc(size);
    // ELF header: ELFCLASS64, little-endian, version 1, System V ABI; ET_DYN.
    b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
    b.writeUInt16LE(3, 16); // e_type ET_DYN
    b.writeUInt16LE(machine, 18);
    b.writeUInt32LE(1, 20); // e_version
    b.writeBigUInt64LE(0n, 24); // e_entry
    b.writeBigUInt64LE(BigInt(phoff), 32);
    b.writeBigUInt64LE(0n, 40); // no section headers
    b.writeUInt16LE(EHDR, 52);
    b.writeUInt16LE(PHDR, 54);
    b.writeUInt16LE(2, 56);
    b.writeUInt16LE(64, 58); // e_shentsize (no sections, but the usual size)
    // PT_LOAD: the whole file, read-write (loaders adjust the dynamic section in place).
    const load = phoff;
    b.writeUInt32LE(1, load);
    b.writeUInt32LE(6, load + 4);
    b.writeBigUInt64LE(0n, load + 8);
    b.writeBigUInt64LE(0n, load + 16);
    b.writeBigUInt64LE(0n, load + 24);
    b.writeBigUInt64LE(BigInt(size), load + 32);
    b.writeBigUInt64LE(BigInt(size), load + 40);
    b.writeBigUInt64LE(0x10000n, load + 48);
    // PT_DYNAMIC
    const dynPh = phoff + PHDR;
    b.writeUInt32LE(2, dynPh);
    b.writeUInt32LE(6, dynPh + 4);
    b.writeBigUInt64LE(BigInt(dynOff), dynPh + 8);
    b.writeBigUInt64LE(BigInt(dynOff), dynPh + 16);
    b.writeBigUInt64LE(BigInt(dynOff), dynPh + 24);
    b.writeBigUInt64LE(BigInt(dyn.length * DYN), dynPh + 32);
    b.writeBigUInt64LE(BigInt(dyn.length * DYN), dynPh + 40);
    b.writeBigUInt64LE(8n, dynPh + 48);
    strtab.copy(b, strOff);
    b.writeUInt32LE(1, hashOff); // nbucket
    b.writeUInt32LE(1, hashOff + 4); // nchain
    dyn.forEach(([tag, val], i) => {
        b.writeBigUInt64LE(BigInt(tag), dynOff + i * DYN);
        b.writeBigUInt64LE(BigInt(val), dynOff + i * DYN + 8);
    });
    return b;
}

;// CONCATENATED MODULE: ./src/bundle/verify.ts











/** Parses `ld.so --list` output. */
function parseLoaderList(stdout, stderr, taskRoot, 
/** Another folder the bundle's objects are loaded from: a library layer's /opt/lib. */
libDir) {
    const inside = (p) => p.startsWith(`${taskRoot}/`) || (libDir !== undefined && p.startsWith(`${libDir}/`));
    const problems = [];
    const outside = [];
    const listed = [];
    for (const raw of stdout.split('\n')) {
        const line = raw.trim();
        if (!line)
            continue;
        const nf = /^(\S+) => not found/.exec(line);
        if (nf) {
            problems.push(`${nf[1]} not found`);
            continue;
        }
        const m = /^(?:(\S+) => )?(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
        if (m) {
            listed.push(m[2]);
            if (!inside(m[2]))
                outside.push(m[2]);
        }
    }
    for (const raw of stderr.split('\n')) {
        const line = raw.trim();
        if (line &&
            /not found|error while loading|cannot open|undefined symbol|cannot be preloaded|Error loading|Error relocating/.test(line))
            problems.push(line);
    }
    return { problems, outside, listed };
}
/** A statically linked qemu-user for arm64, which can run inside an empty root. */
function findQemu() {
    const p = (0,fs/* findOnPath */.aY)(['qemu-aarch64-static', 'qemu-aarch64']);
    if (!p)
        return undefined;
    try {
        return (0,bundle_elf/* readElf */.oU)(external_node_fs_.readFileSync(external_node_fs_.realpathSync(p)), p).isStatic ? p : undefined;
    }
    catch {
        return undefined;
    }
}
async function loaderCheck(root, taskRoot, loaderName, bundleArch, hostArch, opts = {}) {
    const notRun = (reason) => ({
        ran: false,
        reason,
        problems: [],
        outside: [],
        listed: [],
        output: '',
    });
    const prepared = await prepareRoot(root, {
        arch: bundleArch,
        hostArch,
        decoys: [...(opts.decoys ?? []), loaderName],
    });
    if ('reason' in prepared)
        return notRun(prepared.reason);
    const prefix = prepared.prefix;
    const preload = opts.preload ?? [];
    const inner = [
        '--mount',
        '--pid',
        '--fork',
        '--mount-proc=/proc',
        `--root=${root}`,
        `--wd=${taskRoot}`,
        ...prefix,
        `${opts.libDir ?? `${taskRoot}/lib`}/${loaderName}`,
        '--list',
        ...(preload.length > 0 ? ['--preload', preload.join(':')] : []),
        `${taskRoot}/${opts.program ?? 'bootstrap'}`,
    ];
    const env = {
        LD_LIBRARY_PATH: lambda/* LAMBDA_LD_LIBRARY_PATH */.PW,
        PATH: lambda/* LAMBDA_PATH */.c5,
        LAMBDA_TASK_ROOT: taskRoot,
    };
    const failures = [];
    for (const [how, howArgs] of unshareAttempts(inner)) {
        const { cmd, args, cleanup } = await withSudoEnv(how, howArgs, env, external_node_path_.dirname(root));
        let r;
        try {
            r = await (0,exec/* run */.eF)(cmd, args, { allowFailure: true, cleanEnv: true, env });
        }
        catch (e) {
            failures.push(e instanceof Error ? e.message : String(e));
            continue;
        }
        finally {
            await cleanup();
        }
        const setupFailed = setupLines(r.stderr).length > 0 && !r.stdout.trim();
        if (setupFailed) {
            failures.push(r.stderr.trim().split('\n')[0] ?? `${cmd} failed`);
            continue;
        }
        return {
            ran: true,
            ...parseLoaderList(r.stdout, r.stderr, taskRoot, opts.libDir),
            output: `${r.stdout}${r.stderr}`,
        };
    }
    return notRun(`cannot create an isolated root here (${failures.join('; ')})`);
}
/**
 * The isolated root's fixed parts: /proc, /tmp (1777), /dev, /etc, a decoy under each name in
 * /lib64 and /usr/lib64 (for the bundle's machine), and for arm64 on another machine a static
 * qemu-aarch64 at /qemu-aarch64, which `prefix` runs the program through. Can be called again.
 * Returns the reason instead when this machine cannot run the bundle's code.
 */
async function prepareRoot(root, o) {
    if (!(0,fs/* findOnPath */.aY)(['unshare']))
        return { reason: 'unshare (util-linux) is not installed' };
    let prefix = [];
    if (o.arch !== o.hostArch) {
        if (o.arch !== 'arm64')
            return { reason: `cannot run ${o.arch} code on this ${o.hostArch} machine` };
        const qemu = findQemu();
        if (!qemu)
            return {
                reason: `cannot run arm64 code on this ${o.hostArch} machine without a static qemu-aarch64 (apt-get install qemu-user-static)`,
            };
        await promises_.copyFile(qemu, external_node_path_.join(root, 'qemu-aarch64'));
        await promises_.chmod(external_node_path_.join(root, 'qemu-aarch64'), 0o755);
        prefix = ['/qemu-aarch64'];
    }
    await promises_.chmod(root, 0o755);
    for (const d of ['proc', 'tmp', 'dev', 'etc'])
        await promises_.mkdir(external_node_path_.join(root, d), { recursive: true });
    await promises_.chmod(external_node_path_.join(root, 'tmp'), 0o1777);
    const machine = lambda/* ELF_MACHINE */.aC[o.arch];
    for (const d of ['lib64', 'usr/lib64']) {
        await promises_.mkdir(external_node_path_.join(root, d), { recursive: true });
        for (const name of new Set(o.decoys))
            await promises_.writeFile(external_node_path_.join(root, d, name), decoyLibrary(name, machine), { mode: 0o755 });
    }
    return { prefix };
}
/**
 * The lines of stderr in which unshare or sudo speak (a root they could not set up), leaving out
 * sudo's warnings that come before a command that ran: "unable to resolve host" (a container whose
 * /etc/hosts lacks its hostname) would otherwise turn a failing bundle into a check not run.
 */
function setupLines(stderr) {
    return stderr
        .split('\n')
        .filter((l) => /^(unshare|sudo): /.test(l) && !/^sudo: unable to resolve host/.test(l));
}
/**
 * How to run `unshare ARGS` here: as root directly; otherwise in a user namespace (uid 0 inside
 * it), else through passwordless sudo. `asSandboxUser` (root only) adds Lambda's sandbox user and
 * group (--setuid/--setgid, util-linux 2.38 on), with a plain attempt after it for older ones.
 */
function unshareAttempts(inner, o = {}) {
    const user = o.asSandboxUser ?? [];
    const root = (extra) => [...extra, ...inner];
    if (process.getuid?.() === 0)
        return user.length > 0
            ? [
                ['unshare', root(user)],
                ['unshare', root([])],
            ]
            : [['unshare', root([])]];
    return [
        ['unshare', ['--user', '--map-root-user', ...inner]],
        ...(user.length > 0 ? [['sudo', ['-n', 'unshare', ...root(user)]]] : []),
        ['sudo', ['-n', 'unshare', ...inner]],
    ];
}
/** A predicate: does the object load with every dependency it names (transitively) in the bundle? */
function completeObjects(closure) {
    const missing = new Set(closure.missing.map((m) => `${m.neededBy}\0${m.soname}`));
    const memo = new Map();
    const ok = (o) => {
        const known = memo.get(o);
        if (known !== undefined)
            return known;
        memo.set(o, true); // cycles: assume complete while walking
        let good = true;
        for (const n of o.elf.needed) {
            if (missing.has(`${o.name}\0${n}`))
                good = false;
            const dep = closure.byName.get(n);
            if (dep && dep !== o && !ok(dep))
                good = false;
        }
        memo.set(o, good);
        return good;
    };
    return ok;
}
/** The names the isolated root gets a decoy under: every bundled library's (the loader's is added where it is known). */
function bundleDecoys(entries) {
    return entries.filter((e) => e.kind === 'library').map((e) => external_node_path_.posix.basename(e.name));
}
/** The loader check (verify.ts) with decoys under every bundled soname and the dlopen libraries preloaded. */
async function checkLoader(closure, entries, at, opts, log) {
    const { root, arch } = at;
    if (opts.verify === 'false' || closure.program.elf.isStatic || !closure.interpreter)
        return 'static';
    // Libraries loaded with dlopen whose dependencies are all there, and included shared objects.
    const complete = completeObjects(closure);
    const preload = [
        ...closure.libraries
            .filter((l) => l.optional && complete(l))
            .map((l) => `${opts.libDir ?? `${opts.taskRoot}/lib`}/${l.name}`),
        ...closure.included.filter((o) => !o.elf.interp && complete(o)).map((o) => `${opts.taskRoot}/${o.name}`),
    ];
    const decoys = bundleDecoys(entries);
    const programs = [
        'bootstrap',
        ...closure.included.filter((o) => o.elf.interp !== undefined && complete(o)).map((o) => o.name),
    ];
    const checks = [];
    for (const program of programs)
        checks.push(await loaderCheck(root, opts.taskRoot, closure.interpreter.name, arch, opts.hostArch, {
            preload: program === 'bootstrap' ? preload : [],
            decoys,
            program,
            ...(opts.libDir !== undefined ? { libDir: opts.libDir } : {}),
        }));
    const check = {
        ...checks[0],
        problems: checks.flatMap((c) => c.problems),
        outside: checks.flatMap((c) => c.outside),
        listed: checks.flatMap((c) => c.listed),
        output: checks.map((c) => c.output).join('\n'),
    };
    if (!check.ran) {
        if (opts.verify === 'true')
            throw new errors/* ActionError */.lZ('Could not verify the bundle', `verify: true, but ${check.reason ?? 'the check could not run'}. Set verify: auto to skip it where the machine cannot run it.`);
        log.notice(`Loader check skipped: ${check.reason ?? 'not possible here'}. The headers were checked.`, 'Bundle verification');
        return 'static';
    }
    log.debug(check.output);
    if (check.problems.length > 0 || check.outside.length > 0)
        throw new errors/* ActionError */.lZ('Bundle does not load', `the bundled loader, run in an isolated root with Lambda's LD_LIBRARY_PATH and Amazon Linux's library names in /lib64, reports:\n${[...check.problems, ...check.outside.map((o) => `loaded from outside the bundle: ${o}`)].join('\n')}`);
    const dlopened = closure.libraries.filter((l) => l.optional && complete(l)).length;
    const extra = [
        ...(dlopened > 0 ? [(0,format/* plural */.LS)(dlopened, 'dlopen library', 'dlopen libraries')] : []),
        ...(preload.length > dlopened ? [(0,format/* plural */.LS)(preload.length - dlopened, 'included shared object')] : []),
        ...(programs.length > 1 ? [(0,format/* plural */.LS)(programs.length - 1, 'included program')] : []),
    ];
    log.info(`Loader check passed: ${check.listed.length} objects${extra.length > 0 ? ` (with ${extra.join(', ')})` : ''}, all from ${opts.taskRoot}${opts.libDir !== undefined ? ` and the layer's ${opts.libDir}` : ''}, none from the decoys in /lib64.`);
    return 'loader';
}

;// CONCATENATED MODULE: ./src/bundle/smoke.ts










const TAIL_LINES = 30;
/** Setup failures of unshare or sudo (as opposed to the program failing to start inside the root). */
function isSetupFailure(stderr) {
    return setupLines(stderr).some((l) => !/^(unshare|sudo): failed to execute/.test(l));
}
/** Best-effort character devices in the root's /dev, as Lambda has them (mknod needs root). */
async function makeDevices(dev) {
    if (process.getuid?.() !== 0)
        return;
    for (const [name, major, minor] of [
        ['null', 1, 3],
        ['zero', 1, 5],
        ['random', 1, 8],
        ['urandom', 1, 9],
    ]) {
        if (external_node_fs_.existsSync(external_node_path_.join(dev, name)))
            continue;
        const ok = await new Promise((resolve) => {
            (0,external_node_child_process_.execFile)('mknod', ['-m', '666', external_node_path_.join(dev, name), 'c', String(major), String(minor)], (e) => {
                resolve(e === null);
            });
        });
        if (!ok)
            return; // not allowed here (a container without CAP_MKNOD)
    }
}
function outputTail(p) {
    const err = p.stderr().trim();
    return (0,exec/* tailOf */.Cj)(err === '' ? p.stdout() : err, TAIL_LINES);
}
/** What the runtime did, as a verdict. */
function judge(o, expectText) {
    if (o.kind === 'init-error')
        return {
            ok: false,
            reason: `the program reported an init error (${o.errorType ?? 'no error type'}): ${o.body.slice(0, 1000)}`,
        };
    if (o.kind === 'invocation-error')
        return {
            ok: false,
            reason: `the program answered the event with an invocation error (${o.errorType ?? 'no error type'}): ${o.body.slice(0, 1000)}`,
        };
    if (expectText !== undefined && !o.body.includes(expectText))
        return {
            ok: false,
            reason: `the response does not contain the expected text "${expectText}" (smoke-test-expect)`,
        };
    return { ok: true };
}
/** Runs the smoke test (see the file comment). Never throws for the program's failures: they are the verdict. */
async function runLocalSmokeTest(o) {
    const prepared = await prepareRoot(o.root, { arch: o.arch, hostArch: o.hostArch, decoys: o.decoys });
    if ('reason' in prepared)
        return { result: 'skipped', reason: prepared.reason };
    await makeDevices(external_node_path_.join(o.root, 'dev'));
    // No PID namespace: Lambda's bootstrap is not PID 1 (init is Lambda's own), and a PID 1 ignores
    // the signals it sends itself (a qemu-aarch64 re-raising a guest's SIGSEGV would hang).
    const inner = [
        '--mount',
        '--fork',
        '--kill-child',
        '--mount-proc=/proc',
        `--root=${o.root}`,
        `--wd=${o.function.taskRoot}`,
        ...prepared.prefix,
        `${o.function.taskRoot}/bootstrap`,
    ];
    const failures = [];
    const attempts = unshareAttempts(inner, {
        asSandboxUser: [`--setgid=${lambda/* LAMBDA_SANDBOX_GID */.pC}`, `--setuid=${lambda/* LAMBDA_SANDBOX_UID */.bG}`],
    });
    for (const [cmd, args] of attempts) {
        const r = await attempt(cmd, args, o);
        if (typeof r === 'string') {
            failures.push(r);
            continue;
        }
        return { ...r, ...(prepared.prefix.length > 0 ? { emulated: true } : {}) };
    }
    return { result: 'skipped', reason: `cannot create an isolated root here (${failures.join('; ')})` };
}
/** One way of entering the root; a string when that way cannot set it up (the next is tried). */
async function attempt(cmd, args, o) {
    const arn = `arn:aws:lambda:${o.function.region}:000000000000:function:${o.function.functionName}`;
    const t0 = performance.now();
    const api = await startRuntimeApi({
        payload: o.payload,
        functionArn: arn,
        deadlineMs: Date.now() + o.timeoutMs,
    });
    const env = { ...o.variables, ...(0,lambda/* lambdaEnvironment */.b2)({ ...o.function, runtimeApi: api.address }) };
    const how = await withSudoEnv(cmd, args, env, external_node_path_.dirname(o.root));
    const proc = (0,exec/* start */.ni)(how.cmd, how.args, { cleanEnv: true, env });
    let timer;
    try {
        const timeout = new Promise((resolve) => {
            timer = setTimeout(() => {
                resolve('timeout');
            }, o.timeoutMs);
        });
        const first = await Promise.race([api.outcome, proc.done, timeout]);
        const firstNext = api.firstNextAt();
        const times = {
            ...(firstNext !== undefined ? { initMs: Math.round(firstNext - t0) } : {}),
        };
        if (first === 'timeout') {
            const where = firstNext === undefined ? 'before asking for the event (init)' : 'after it was handed the event';
            return {
                result: 'failed',
                reason: `no answer within ${o.timeoutMs / 1000} s (smoke-test-timeout-seconds): the program was still running ${where}`,
                ...times,
                outputTail: outputTail(proc),
            };
        }
        if ('kind' in first) {
            const verdict = judge(first, o.expect);
            return {
                result: verdict.ok ? 'passed' : 'failed',
                ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
                ...times,
                ...(firstNext !== undefined ? { firstResponseMs: Math.round(first.at - firstNext) } : {}),
                response: first.body.slice(0, 4096),
                outputTail: outputTail(proc),
            };
        }
        // The process ended before answering.
        if (api.requests.length === 0 && (first.error !== undefined || isSetupFailure(proc.stderr())))
            return first.error ?? (proc.stderr().trim().split('\n')[0] || `${cmd} could not set up the root`);
        const how = first.signal ? `was killed by ${first.signal}` : `exited with code ${first.code ?? '?'}`;
        return {
            result: 'failed',
            reason: `the program ${how} ${firstNext === undefined ? 'during init, before asking for an event' : 'before answering the event'} (Runtime.ExitError)`,
            ...times,
            outputTail: outputTail(proc),
        };
    }
    finally {
        clearTimeout(timer);
        proc.kill();
        if (how.viaSudo)
            await killThroughSudo(proc.pid);
        // A process the program started in a session of its own (a daemon, a sidecar) escapes the
        // process group; it would run on, and keep proc.done waiting while it holds stderr.
        await killProcessesRootedIn(o.root);
        await proc.done;
        await api.close();
        await how.cleanup();
    }
}
/** The processes whose root is the folder or inside it (those in the isolated root). */
function processesRootedIn(folder) {
    const out = [];
    for (const pid of external_node_fs_.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        try {
            const root = external_node_fs_.readlinkSync(`/proc/${pid}/root`);
            if (root === folder || root.startsWith(`${folder}/`))
                out.push(Number(pid));
        }
        catch {
            // gone, or not ours to read
        }
    }
    return out;
}
/** SIGKILLs every process in the isolated root, again until none is left (one may be forking). */
async function killProcessesRootedIn(root) {
    let folder;
    try {
        folder = external_node_fs_.realpathSync(root);
    }
    catch {
        return;
    }
    for (let round = 0; round < 50; round++) {
        const pids = processesRootedIn(folder);
        if (pids.length === 0)
            return;
        for (const pid of pids) {
            try {
                process.kill(pid, 'SIGKILL');
            }
            catch {
                // gone already
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}
/** The decoys of the smoke test's root: every bundled library's name, and the loader's. */
function smokeDecoys(entries, interpreter) {
    return [...bundleDecoys(entries), ...(interpreter ? [interpreter.name] : [])];
}
/** Says how the smoke test went; throws when it failed, or could not run and was required. */
function reportLocalSmokeTest(r, o, log) {
    if (r.result === 'skipped') {
        if (o.mode === 'true')
            throw new errors/* ActionError */.lZ('Could not run the local smoke test', `local-smoke-test: true, but ${r.reason ?? 'it cannot run here'}. Set local-smoke-test: auto to skip it where the machine cannot run it. Nothing was uploaded.`);
        if (o.payload && o.mode === 'auto')
            log.notice(`Local smoke test skipped: ${r.reason ?? 'not possible here'}.`, 'Local smoke test');
        else
            log.debug(`local smoke test skipped: ${r.reason ?? ''}`);
        return;
    }
    const times = `init ${r.initMs === undefined ? '-' : (0,format/* formatDuration */.a3)(r.initMs)}, first response ${r.firstResponseMs === undefined ? '-' : (0,format/* formatDuration */.a3)(r.firstResponseMs)}${r.emulated ? ' (under qemu-aarch64)' : ''}`;
    if (r.result === 'failed')
        throw new errors/* ActionError */.lZ('Local smoke test failed', `${r.reason ?? 'the program did not answer'} (${times}).\nThe program's output (last lines):\n${r.outputTail || '(nothing)'}\nThe bundle was run in a Lambda-like root against a local Runtime API with the event of smoke-test-payload; nothing was uploaded. Fix the program, or set local-smoke-test: false to skip this check.`);
    log.info(`Local smoke test passed: ${times}. Response: ${(r.response ?? '').slice(0, 300)}`);
}

;// CONCATENATED MODULE: ./src/bundle/failure.ts



/** A reader's or the file system's error, said as what it means for the user. */
function explainPackageFailure(err, where) {
    // The reader's message names the file and what is wrong with it; say what it means for the user.
    if (err instanceof bundle_elf/* ElfError */.QH)
        return new errors/* ActionError */.lZ('Malformed ELF file', `${err.message}\nThe build output holds an ELF file that cannot be read (damaged, truncated, or not a Linux program or library): check the program (input \`program\`) and rebuild.`, { cause: err });
    // A file system error (disk full, read-only, permissions) while writing the bundle or the zip.
    const code = (0,fs/* errnoCode */.UK)(err);
    if (code && !(err instanceof errors/* ActionError */.lZ)) {
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        return new errors/* ActionError */.lZ(full ? 'No space left on the disk' : 'Could not write the package', `${(0,errors/* errorMessage */.gJ)(err)}\nThe package stage writes the bundle folder under RUNNER_TEMP (${where.workDir}) and the zip at ${where.zipPath} (input \`zip-path\`)` +
            (full
                ? ': free some space there, or point zip-path at a larger disk. No zip was written.'
                : '. No zip was written.'), { cause: err });
    }
    return err;
}

;// CONCATENATED MODULE: ./src/util/log.ts
/** Phase timings at debug (ACTIONS_STEP_DEBUG): each call logs the time since the last. */
function phaseTimer(log) {
    let t = performance.now();
    return (what) => {
        const now = performance.now();
        log.debug(`package: ${what} in ${Math.round(now - t)} ms`);
        t = now;
    };
}

// EXTERNAL MODULE: ./src/zip/deflate.ts + 1 modules
var deflate = __webpack_require__(6117);
// EXTERNAL MODULE: ./src/zip/write.ts + 1 modules
var write = __webpack_require__(8817);
;// CONCATENATED MODULE: ./src/stages/package.ts























/**
 * Stage 4: de-nixify the program. Resolve its library closure in the store (DT_NEEDED, what it
 * loads with dlopen, the `include`d ELF objects' own), bundle the data its files name by store path,
 * patch copies so the bundle wins over Amazon Linux's libraries, check the result in a Lambda-like
 * root, and write a byte-reproducible zip. The work is bundle/'s and zip/'s; this is the order.
 */
async function packageStage(ctx) {
    try {
        await packageBuild(ctx);
    }
    catch (err) {
        throw explainPackageFailure(err, {
            workDir: external_node_path_.join(ctx.runner.tempDir, 'nix-lambda'),
            zipPath: ctx.inputs.package.zipPath,
        });
    }
}
async function packageBuild(ctx) {
    const { log } = ctx;
    const build = ctx.build;
    if (!build)
        throw new errors/* ActionError */.lZ('Nothing to package', 'the package stage needs the build stage in the same run.');
    const work = external_node_path_.join(ctx.runner.tempDir, 'nix-lambda');
    await promises_.mkdir(work, { recursive: true });
    const phase = phaseTimer(log);
    const libDir = ctx.inputs.layer ? bundle_layer/* LAYER_LIB_DIR */.MY : undefined;
    // The zip's deflating starts with each file as soon as it is patched (the libraries in a layer
    // wait: the deploy stage compresses them only for a new hash), beside the checks that follow.
    const deflater = (0,deflate/* prefetchingDeflater */.jF)({
        level: 6,
        workers: (0,deflate/* defaultWorkers */.Vs)(),
        cacheDir: (0,deflate/* defaultCacheDir */.$g)(process.env, ctx.runner.home),
    });
    try {
        const onEntry = (e) => {
            if (libDir === undefined || (e.kind !== 'library' && e.kind !== 'interpreter'))
                deflater.prefetch(e.data);
        };
        await packageWith(ctx, { build, work, phase, libDir, deflater, onEntry });
    }
    finally {
        await deflater.close();
    }
}
/** The package stage's work, with the deflater that the patched files are fed to as they come. */
async function packageWith(ctx, o) {
    const { log } = ctx;
    const inputs = ctx.inputs.package;
    const { build, work, phase, libDir } = o;
    const bundle = await resolveBundle(build, inputs, work, log, phase, { libDir, onEntry: o.onEntry });
    const split = libDir !== undefined ? (0,bundle_layer/* splitBundle */.Jj)(bundle.entries) : undefined;
    const layerSha256 = split ? (0,bundle_layer/* layerHash */._p)(split.layer) : undefined;
    if (split)
        phase('hashed the layer');
    const references = reportReferences(bundle.entries, bundle.closure, bundle.data, inputs.taskRoot, log);
    phase('checked the references');
    const { bundleDir, root } = await writeBundleFolder(work, inputs.taskRoot, split?.function ?? bundle.entries);
    const layerDir = split ? await (0,bundle_layer/* writeLayerFolder */.nT)(root, bundleDir, split.layer) : undefined;
    phase('wrote the bundle folder');
    const verified = await checkLoader(bundle.closure, bundle.entries, { root, arch: bundle.arch }, {
        verify: inputs.verify,
        taskRoot: inputs.taskRoot,
        hostArch: ctx.runner.arch,
        ...(libDir !== undefined ? { libDir } : {}),
    }, log);
    phase('checked the bundle');
    await smokeBeforeShipping(ctx, bundle, root);
    phase('ran the local smoke test');
    const zipped = split ? { ...bundle, entries: split.function } : bundle;
    const viaS3 = ctx.inputs.deploy?.s3 !== undefined;
    const zip = await writePackageZip(zipped, inputs.zipPath, { deflater: o.deflater, viaS3 }, log);
    phase('wrote the zip');
    const result = packageResult(bundle, zip, { bundleDir, verified, references, taskRoot: inputs.taskRoot }, log);
    if (split && layerDir !== undefined && layerSha256 !== undefined)
        result.layer = await packageLayer(ctx, split, { dir: layerDir, sha256: layerSha256 }, result);
    ctx.package = result;
    ctx.setOutputs((0,action_outputs/* packageOutputs */.P2)(result));
}
/** The closure resolved (with the dlopen libraries, the data sets and the includes), patched and checked. */
async function resolveBundle(build, inputs, work, log, phase, o) {
    const resolver = await ClosureResolver.open(build.programPath, { closure: build.closure });
    const elf = resolver.program.elf;
    const arch = elf.arch;
    if (!arch)
        throw new errors/* ActionError */.lZ('Unsupported architecture', `${build.programRel} is an ELF for machine ${elf.machine}; Lambda runs x86_64 and arm64 programs only.`);
    if (elf.isStatic)
        log.info(`${build.programRel} is statically linked: packaged as it is.`);
    await resolver.resolve();
    await addExtraLibraries(resolver, inputs.extraLibraries);
    await resolver.detectDlopen(nameMatcher(inputs.excludeLibraries));
    phase(`resolved ${resolver.libraries.length} libraries`);
    const data = chooseDataSets(resolver, build.closure, {
        ...inputs.bundleData,
        viaCertificatesInput: inputs.bundleCertificates,
        includeTargets: new Set(inputs.include.map((i) => i.target)),
    }, log);
    const includeEntries = await bundleIncludes([...inputs.include, ...data.sources], build.outPath, build.closure);
    await resolver.addIncludes(includeEntries.filter((e) => (0,bundle_elf/* isElf */.aB)(e.data)).map((e) => ({ file: e.source, target: e.name })));
    const closure = resolver.result();
    checkResolution(closure, { programRel: build.programRel, arch, closure: build.closure, excludeLibraries: inputs.excludeLibraries }, log);
    const patchOpts = {
        taskRoot: inputs.taskRoot,
        tempDir: work,
        log: (m) => {
            log.info(m);
        },
        ...(o.libDir !== undefined ? { libDir: o.libDir } : {}),
        onEntry: o.onEntry,
    };
    const entries = [
        ...(await bundleClosure(closure, patchOpts)),
        ...(await patchIncludes(includeEntries, closure, patchOpts)),
    ];
    phase(`read and patched ${entries.length} files`);
    checkNames(entries);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    logEntries(entries, log);
    const unzippedBytes = checkBundleSize(entries);
    const musl = resolver.isMusl;
    const problems = staticCheck(entries, { musl });
    if (problems.length > 0)
        throw new errors/* ActionError */.lZ('Bundle still depends on Nix', `these bundled files still point into /nix/store${musl ? ' or would load libraries from LD_LIBRARY_PATH' : ''}:\n${problems.map((p) => `${p.name}: ${p.problem}`).join('\n')}`);
    return { closure, arch, musl, data, entries, unzippedBytes };
}
/** The zip, through the deflate cache; warns from 80% of Lambda's limits (bundle/limits.ts). */
async function writePackageZip(bundle, zipPath, o, log) {
    const { deflater, viaS3 } = o;
    const { entries } = bundle;
    const zip = await (0,write/* writeZip */.z)(entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode })), zipPath, 
    // Most files are being deflated already (prefetched as they were patched).
    { deflater });
    if (zip.cached.entries > 0)
        log.info(`Deflate cache: ${zip.cached.entries} files (${(0,format/* formatBytes */.z3)(zip.cached.bytes)}) already compressed by an earlier run.`);
    for (const w of (0,limits/* sizeWarnings */.i)({ zipBytes: zip.bytes, unzippedBytes: bundle.unzippedBytes }, { viaS3 }))
        log.warning(w.message, w.title);
    const libraryCount = entries.filter((e) => e.kind === 'library' || e.kind === 'interpreter').length;
    const includedCount = entries.filter((e) => e.kind === 'include').length;
    const what = [
        'the program',
        ...(libraryCount > 0 ? [(0,format/* plural */.LS)(libraryCount, 'library', 'libraries')] : []),
        ...(includedCount > 0 ? [(0,format/* plural */.LS)(includedCount, 'included file')] : []),
    ];
    log.info(`Wrote ${zip.path}: ${(0,format/* formatBytes */.z3)(zip.bytes)} (${(0,format/* formatBytes */.z3)(zip.unzippedBytes)} unzipped, ${(0,format/* plural */.LS)(entries.length, 'file')}: ${what.join(', ')}), CodeSha256 ${zip.codeSha256}`);
    return zip;
}
/**
 * The library layer: its folder and content hash for the deploy stage, which compresses it only when
 * no version holds that hash; a run without the deploy stage writes its zip here (an artifact).
 */
async function packageLayer(ctx, split, at, pkg) {
    const files = split.layer.map((e) => ({ name: e.name, mode: e.mode, bytes: e.bytes }));
    const layer = {
        ...at,
        files,
        unzippedBytes: files.reduce((n, f) => n + f.bytes, 0),
        zipPath: (0,bundle_layer/* layerZipPathOf */.xD)(pkg.zipPath),
    };
    const { log } = ctx;
    log.info(`Library layer ${ctx.inputs.layer?.name ?? ''}: ${(0,format/* plural */.LS)(files.length, 'file')} under ${bundle_layer/* LAYER_LIB_DIR */.MY}, ${(0,format/* formatBytes */.z3)(layer.unzippedBytes)} unzipped, content hash sha256:${at.sha256}; its folder is ${at.dir}.`);
    if (ctx.inputs.stages.includes('deploy')) {
        log.info('The layer zip is written by the deploy stage, and only when no version of the layer holds this hash.');
        return layer;
    }
    const zip = await (0,write/* writeZip */.z)((0,bundle_layer/* layerZipSources */.B0)(at.dir, files), layer.zipPath, {
        cacheDir: (0,deflate/* defaultCacheDir */.$g)(process.env, ctx.runner.home),
    });
    log.info(`Wrote ${zip.path}: ${(0,format/* formatBytes */.z3)(zip.bytes)} (the library layer), CodeSha256 ${zip.codeSha256}`);
    return { ...layer, zip: { bytes: zip.bytes, codeSha256: zip.codeSha256 } };
}
/** What the deploy stage and the summary get, with the variables the bundle needs on the function. */
function packageResult(bundle, zip, o, log) {
    const { entries } = bundle;
    const runtimeEnv = (0,runtime_env/* runtimeEnvFor */.p)(entries.map((e) => e.name), o.taskRoot);
    for (const [k, v] of Object.entries(runtimeEnv))
        log.info(`The bundle needs ${k}=${v} (the deploy stage sets it unless \`environment\` does).`);
    const libraries = entries
        .filter((e) => e.kind === 'library' || e.kind === 'interpreter')
        .map((e) => ({ soname: external_node_path_.posix.basename(e.name), storePath: e.storePath, bytes: e.bytes }));
    return {
        zipPath: zip.path,
        codeSha256: zip.codeSha256,
        zipBytes: zip.bytes,
        unzippedBytes: zip.unzippedBytes,
        architecture: bundle.arch,
        bundleDir: o.bundleDir,
        files: entries.map(({ data: _data, ...f }) => f),
        libraries,
        runtimeEnv,
        verified: o.verified,
        references: o.references,
    };
}
/**
 * The local smoke test (input local-smoke-test, with smoke-test-payload): the bundle answers the
 * event in the Lambda-like root before the zip is written, so a failure ships nothing.
 */
async function smokeBeforeShipping(ctx, bundle, root) {
    const { log } = ctx;
    const mode = ctx.inputs.package.localSmokeTest;
    const st = ctx.inputs.smokeTest;
    let result;
    if (mode === 'false')
        result = { result: 'skipped', reason: 'local-smoke-test is false' };
    else if (st.payload === undefined)
        result = { result: 'skipped', reason: 'no smoke-test-payload' };
    else {
        const deploy = ctx.inputs.deploy;
        const name = deploy?.functionNames[0].replace(/^.*:function:/, '') ?? 'local-smoke-test';
        log.info(`Local smoke test: starting bootstrap in the isolated root with the event of smoke-test-payload`);
        result = await runLocalSmokeTest({
            root,
            arch: bundle.arch,
            hostArch: ctx.runner.arch,
            decoys: smokeDecoys(bundle.entries, bundle.closure.interpreter),
            payload: st.payload,
            expect: st.expect,
            timeoutMs: st.timeoutSeconds * 1000,
            function: {
                functionName: name,
                region: deploy?.awsRegion || process.env['AWS_REGION'] || 'us-east-1',
                memoryMb: deploy?.configuration.memorySize ?? 128,
                taskRoot: ctx.inputs.package.taskRoot,
            },
            variables: {
                ...(0,runtime_env/* runtimeEnvFor */.p)(bundle.entries.map((e) => e.name), ctx.inputs.package.taskRoot),
                ...deploy?.configuration.environment,
            },
        });
    }
    if (mode !== 'false' && st.payload !== undefined)
        ctx.localSmokeTest = result;
    ctx.setOutputs((0,action_outputs/* localSmokeTestOutputs */.F6)(result));
    reportLocalSmokeTest(result, { mode, payload: st.payload !== undefined }, log);
}

;// CONCATENATED MODULE: ./src/action/pipeline.ts







/**
 * The deploy stage is loaded when it runs, so a run that never deploys never parses the AWS
 * SDK nor adm-zip (start-up time: see the README's performance section); @actions/cache
 * (caches/closure-cache.ts) and libdeflate (zip/deflate.ts) are loaded the same way. The other
 * stages are light and share modules, so they are static.
 */
const STAGE_FUNCTIONS = {
    install: install,
    cachix: cachix,
    build: build,
    package: packageStage,
    deploy: async (ctx) => (await Promise.all(/* import() */[__webpack_require__.e(706), __webpack_require__.e(385)]).then(__webpack_require__.bind(__webpack_require__, 5385))).deploy(ctx),
};
/**
 * Runs the selected stages in order, each in its own log group that ends with
 * its duration. The first failure stops the run; later stages are recorded as skipped.
 */
async function runStages(ctx, fns = STAGE_FUNCTIONS) {
    const selected = inputs_read/* STAGES */.an.filter((s) => ctx.inputs.stages.includes(s));
    for (const [i, stage] of selected.entries()) {
        const t0 = external_node_perf_hooks_.performance.now();
        try {
            await ctx.log.group(stage, async () => {
                try {
                    await fns[stage](ctx);
                }
                finally {
                    ctx.log.info(`${stage} took ${(0,format/* formatDuration */.a3)(external_node_perf_hooks_.performance.now() - t0)}`);
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

// EXTERNAL MODULE: ./src/action/post.ts + 1 modules
var post = __webpack_require__(5809);
// EXTERNAL MODULE: ./src/util/signals.ts
var signals = __webpack_require__(6089);
// EXTERNAL MODULE: ./src/action/state.ts
var state = __webpack_require__(3175);
// EXTERNAL MODULE: ./src/action/step.ts
var step = __webpack_require__(9134);
;// CONCATENATED MODULE: ./src/action/summary.ts


function collectSummary(ctx, error) {
    const data = {
        ok: error === undefined,
        stages: [...ctx.stages],
        deployments: [...(ctx.deployments ?? [])],
    };
    if (error)
        data.error = error;
    if (ctx.smokeTests && ctx.smokeTests.length > 0)
        data.smokeTests = [...ctx.smokeTests];
    if (ctx.nix)
        data.nixVersion = ctx.nix.version;
    if (ctx.build)
        data.build = {
            installable: ctx.build.installable,
            outPath: ctx.build.outPath,
            program: ctx.build.programRel,
            closurePaths: ctx.build.closure.length,
        };
    if (ctx.localSmokeTest) {
        const { outputTail: _tail, ...smoke } = ctx.localSmokeTest;
        data.localSmokeTest = smoke;
    }
    const p = ctx.package;
    if (p)
        data.bundle = {
            architecture: p.architecture,
            verified: p.verified,
            zipPath: p.zipPath,
            zipBytes: p.zipBytes,
            unzippedBytes: p.unzippedBytes,
            zipSha256: p.codeSha256,
            files: p.files.map(({ mode: _mode, ...f }) => f),
            references: p.references,
        };
    if (p?.layer && data.bundle)
        data.bundle.layer = {
            sha256: p.layer.sha256,
            unzippedBytes: p.layer.unzippedBytes,
            zipPath: p.layer.zipPath,
            ...(p.layer.zip ? { zipBytes: p.layer.zip.bytes } : {}),
        };
    if (ctx.layer)
        data.layer = ctx.layer;
    return data;
}
const STATUS_ICON = {
    success: '✅ success',
    failed: '❌ failed',
    skipped: '⏭️ skipped',
};
/** A stage's duration; none for a stage that did not run. */
function duration(ms) {
    return ms === 0 ? '' : (0,format/* formatDuration */.a3)(ms);
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
/** The deepest folder holding every one of the paths. */
function commonFolder(names) {
    let parts = names[0].split('/').slice(0, -1);
    for (const n of names.slice(1)) {
        const p = n.split('/');
        let i = 0;
        while (i < parts.length && parts[i] === p[i])
            i++;
        parts = parts.slice(0, i);
    }
    return parts.join('/') || '.';
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
    if (d.bundle)
        out.push(...bundleSection(d.bundle), ...referencesSection(d.bundle), ...limitsSection(d.bundle));
    if (d.localSmokeTest)
        out.push(...localSmokeSection(d.localSmokeTest));
    if (d.smokeTests && d.smokeTests.length > 0)
        out.push(...smokeSection(d.smokeTests));
    if (d.deployments.length > 0)
        out.push(...deploySection(d.deployments));
    if (d.layer)
        out.push(layerLine(d.layer));
    return `${out.join('\n\n')}\n`;
}
/** The bundle's files: the program, what was included (one row per include), the libraries by size. */
function bundleSection(b) {
    const out = [];
    out.push('### Bundle');
    const libs = b.files
        .filter((f) => f.kind === 'library' || f.kind === 'interpreter')
        .sort((x, y) => y.bytes - x.bytes || (x.name < y.name ? -1 : 1));
    const programs = b.files.filter((f) => f.kind === 'program');
    // Included files: one row per include (a data set's folder holds hundreds of files).
    const groups = new Map();
    for (const f of b.files.filter((x) => x.kind === 'include')) {
        const key = f.reason ?? f.name;
        groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    const why = (f) => f.reason && !f.reason.startsWith('DT_NEEDED') && f.kind !== 'program' ? cell(f.reason) : '';
    const row = (f) => [
        code(f.layer ? `/opt/${f.name}` : f.name),
        f.kind,
        code(shortStorePath(f.storePath)),
        (0,format/* formatBytes */.z3)(f.bytes),
        why(f),
    ];
    const includeRows = [...groups.values()]
        .map((fs) => {
        const bytes = fs.reduce((n, f) => n + f.bytes, 0);
        if (fs.length === 1)
            return [bytes, row(fs[0])];
        const dir = commonFolder(fs.map((f) => f.name));
        return [
            bytes,
            [
                code(`${dir}/`),
                `include (${fs.length} files)`,
                code(shortStorePath(fs[0].storePath)),
                (0,format/* formatBytes */.z3)(bytes),
                why(fs[0]),
            ],
        ];
    })
        .sort((x, y) => y[0] - x[0])
        .map(([, r]) => r);
    const rows = [...programs.map(row), ...includeRows, ...libs.map(row)];
    const total = b.unzippedBytes + (b.layer?.unzippedBytes ?? 0);
    rows.push(['**Total**', `${b.files.length} files`, '', `**${(0,format/* formatBytes */.z3)(total)}**`, '']);
    out.push(`${b.architecture} · ${libs.length} ${libs.length === 1 ? 'library' : 'libraries'}${b.layer ? ' in the library layer (/opt/lib)' : ''} · checked by ${b.verified === 'loader' ? `running the bundled loader in an isolated root${b.layer ? ' with the layer at /opt' : ''}` : 'reading the ELF headers'}`);
    out.push(table(['File', 'Kind', 'From', 'Size', 'Why'], rows));
    return out;
}
/** Store paths named in the bundle, and what each is on Lambda. */
function referencesSection(b) {
    const out = [];
    const refs = b.references;
    if (refs.length > 0) {
        out.push('### Store paths named in the bundle');
        out.push(table(['File', 'Store path', 'On Lambda'], refs.map((r) => [
            code(r.file),
            code(shortStorePath(r.path)),
            `${r.kind === 'data' || r.kind === 'included' ? '✅' : '⚠️'} ${cell(r.note)}`,
        ])));
    }
    return out;
}
/** The zip against Lambda's limits, and its CodeSha256. */
function limitsSection(b) {
    const out = [];
    out.push('### Zip and Lambda limits');
    const zipRow = (label, bytes) => [
        label,
        (0,format/* formatBytes */.z3)(bytes),
        (0,format/* formatBytes */.z3)(lambda/* LAMBDA_ZIP_LIMIT */.mX),
        `${percent(bytes, lambda/* LAMBDA_ZIP_LIMIT */.mX)}${bytes <= lambda/* LAMBDA_ZIP_LIMIT */.mX ? '' : ' ⚠️ use s3-bucket'}`,
    ];
    const unzipped = b.unzippedBytes + (b.layer?.unzippedBytes ?? 0);
    const rows = [zipRow(b.layer ? 'Function zip (direct upload)' : 'Zip (direct upload)', b.zipBytes)];
    if (b.layer)
        rows.push(b.layer.zipBytes !== undefined
            ? zipRow('Layer zip (direct upload)', b.layer.zipBytes)
            : ['Layer zip', 'not written', '', 'a version with this content hash exists, or no deploy ran']);
    rows.push([
        b.layer ? 'Unzipped (function + library layer)' : 'Unzipped (with layers)',
        (0,format/* formatBytes */.z3)(unzipped),
        (0,format/* formatBytes */.z3)(lambda/* LAMBDA_UNZIPPED_LIMIT */.KA),
        `${percent(unzipped, lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)}${unzipped <= lambda/* LAMBDA_UNZIPPED_LIMIT */.KA ? '' : ' ❌'}`,
    ]);
    out.push(table(['', 'Size', 'Limit', 'Used'], rows));
    out.push(`CodeSha256 ${code(b.zipSha256)} · ${code(b.zipPath)}`);
    if (b.layer)
        out.push(`Library layer content hash ${code(`sha256:${b.layer.sha256}`)} · ${code(b.layer.zipPath)}`);
    return out;
}
const SMOKE_ICON = {
    passed: '✅ passed',
    failed: '❌ failed',
    skipped: '⏭️ skipped',
};
/** The bundle run against a local Runtime API: the verdict, the init and first-response times. */
function localSmokeSection(s) {
    const ms = (v) => (v === undefined ? '' : (0,format/* formatDuration */.a3)(v));
    const rows = [
        ['Result', `${SMOKE_ICON[s.result] ?? s.result}${s.emulated ? ' (under qemu-aarch64)' : ''}`],
        ['Init (start to the first GET next)', ms(s.initMs)],
        ['First response (event to answer)', ms(s.firstResponseMs)],
    ];
    if (s.reason)
        rows.push([s.result === 'skipped' ? 'Why' : 'What failed', cell(s.reason)]);
    if (s.response !== undefined)
        rows.push(['Response', code(s.response.slice(0, 300).replace(/\s+/g, ' '))]);
    return ['### Local smoke test', table(['', ''], rows)];
}
/** One row per function deployed. */
function deploySection(deployments) {
    const out = [];
    out.push('### Deploy');
    out.push(table(['Function', 'Status', 'Version', 'Alias', 'CodeSha256', 'Uploaded', 'Configuration'], deployments.map((r) => [
        code(r.function),
        r.status,
        r.version,
        r.alias,
        code(r.codeSha256),
        r.upload ? `${(0,format/* formatBytes */.z3)(r.bytesUploaded)} (${r.upload})` : 'nothing',
        r.configChanges.length > 0 ? r.configChanges.map((c) => cell(c.setting)).join(', ') : '',
    ])));
    for (const r of deployments) {
        if (r.architectureChange)
            out.push(`${code(r.function)}: architecture ${r.status === 'dry-run' ? 'would change' : 'changed'} from ${r.architectureChange.from} to ${r.architectureChange.to} with the code (architecture-change: update).`);
        if (r.deletedVersions.length > 0)
            out.push(`${code(r.function)}: deleted old version${r.deletedVersions.length === 1 ? '' : 's'} ${r.deletedVersions.join(', ')} (keep-versions).`);
    }
    return out;
}
function pre(s) {
    return `<pre>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</pre>`;
}
/** Each smoke test: its result, why it failed, and the end of the function's log. */
function smokeSection(reports) {
    const out = ['### Smoke test'];
    out.push(table(['Function', 'Version', 'Result', 'Time', 'Detail'], reports.map((r) => [
        code(r.function),
        r.version,
        r.result === 'passed' ? '✅ passed' : '❌ failed',
        (0,format/* formatDuration */.a3)(r.durationMs),
        cell(r.reason || `status ${r.statusCode ?? '?'}`),
    ])));
    for (const r of reports) {
        const failed = r.result === 'failed';
        if (failed && r.response)
            out.push(`<details open><summary>${cell(r.function)} version ${r.version}: response</summary>\n\n${pre(r.response)}\n</details>`);
        if (r.logTail)
            out.push(`<details${failed ? ' open' : ''}><summary>${cell(r.function)} version ${r.version}: log tail</summary>\n\n${pre(r.logTail)}\n</details>`);
    }
    return out;
}
/** The library layer version the functions got, and whether it was reused. */
function layerLine(l) {
    const what = l.status === 'reused'
        ? 'reused: a version with the same content hash existed, nothing compressed or uploaded'
        : l.status === 'published'
            ? `published: ${(0,format/* formatBytes */.z3)(l.bytesUploaded)} uploaded (${l.upload})`
            : `dry run: a new version would be published (${(0,format/* formatBytes */.z3)(l.zipBytes)} zipped)`;
    return `Library layer ${code(l.name)}${l.version ? ` version ${l.version}` : ''}: ${what}.`;
}

;// CONCATENATED MODULE: ./src/action/main.ts














/** Masks every secret input before anything else can print or pass it on. */
function maskSecrets(read, log) {
    for (const name of inputs_read/* SECRET_INPUTS */.pH)
        for (const part of (0,secrets/* secretParts */.Bm)(read(name))) {
            log.setSecret(part);
            (0,secrets/* registerSecret */.cl)(part);
        }
}
/** Reports a failure: an annotation with a title (and a .nix location when known). */
function reportFailure(log, err) {
    const message = (0,secrets/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(err));
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
            log.debug((0,secrets/* scrubSecrets */.Zg)(err.stack));
    }
    return message;
}
/** The main step: parse every input, then run the selected stages. Reports failures to the log; never throws. */
async function runMain(opts = {}) {
    const read = opts.read ?? host/* readInput */.R5;
    const log = opts.log ?? host/* actionsLog */._D;
    const env = opts.env ?? process.env;
    maskSecrets(read, log);
    (0,exec/* logCommandsTo */.Ee)((line) => {
        log.debug(line);
    });
    const runner = (0,context/* runnerInfo */.ZV)(env);
    let inputs;
    try {
        inputs = parseInputs(read, { workspace: runner.workspace, tempDir: runner.tempDir, env });
    }
    catch (err) {
        reportFailure(log, err);
        await finishSummary(undefined, log, err);
        return { ctx: undefined, error: err };
    }
    const ctx = (0,context/* createContext */.q6)(inputs, log, runner, (0,context/* emptyPostState */.xC)());
    // A cancelled job (the runner sends SIGINT, then SIGTERM) still runs the post step: leave it
    // the state it needs to remove the secret files written so far.
    const stopSaving = runner.isActions
        ? (0,signals/* onTermination */.o)(() => {
            (0,state/* savePostState */.Li)(ctx.post);
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
        (0,state/* savePostState */.Li)(ctx.post);
    await finishSummary(ctx, log, error);
    return error === undefined ? { ctx } : { ctx, error };
}
function describeError(err) {
    return {
        title: err instanceof errors/* ActionError */.lZ ? err.title : 'Unexpected error',
        message: (0,secrets/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(err)),
    };
}
/** The job summary and the summary-json output; a failure to write them is only a warning. */
async function finishSummary(ctx, log, error) {
    const err = error === undefined ? undefined : describeError(error);
    const data = ctx
        ? collectSummary(ctx, err)
        : { ok: false, ...(err ? { error: err } : {}), stages: [], deployments: [] };
    if (ctx)
        ctx.setOutputs((0,action_outputs/* summaryOutputs */.HE)(data));
    try {
        await log.writeSummary(renderSummary(data));
    }
    catch (e) {
        log.warning(`could not write the job summary: ${(0,errors/* errorMessage */.gJ)(e)}`);
    }
}
/** Entry point of dist/index.js when a runner (or act) runs it. */
async function runAction() {
    if ((0,step/* isPostStep */.p)()) {
        await (0,post.runPost)((0,state/* loadPostState */.CK)(), host/* actionsLog */._D);
        return;
    }
    (0,state/* markMainStep */.BV)();
    const { error } = await runMain();
    if (error !== undefined)
        process.exitCode = 1;
}
/** The entry point @github/local-action calls (`local-action . src/action/main.ts .env`). */
async function run() {
    await runAction();
}


/***/ }),

/***/ 8948:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   F6: () => (/* binding */ localSmokeTestOutputs),
/* harmony export */   HE: () => (/* binding */ summaryOutputs),
/* harmony export */   Hk: () => (/* binding */ programOutputs),
/* harmony export */   M9: () => (/* binding */ smokeTestOutputs),
/* harmony export */   P2: () => (/* binding */ packageOutputs),
/* harmony export */   Yl: () => (/* binding */ runtimeEnvOutputs),
/* harmony export */   cY: () => (/* binding */ nixOutputs),
/* harmony export */   gf: () => (/* binding */ deployOutputs),
/* harmony export */   oL: () => (/* binding */ layerOutputs),
/* harmony export */   xT: () => (/* binding */ builtOutputs)
/* harmony export */ });
/* unused harmony export OUTPUT_NAMES */
/**
 * Every output of action.yml, and the value each is set to: the stages and the main step set
 * their outputs through these functions only (a unit test checks that the names are action.yml's).
 * Several functions give one line per function, in the order of function-name.
 */
const OUTPUT_NAMES = (/* unused pure expression or super */ null && ([
    'nix-version',
    'store-path',
    'program-path',
    'architecture',
    'zip-path',
    'zip-sha256',
    'zip-bytes',
    'unzipped-bytes',
    'libraries',
    'bundle-dir',
    'runtime-environment',
    'local-smoke-test-result',
    'function-arn',
    'function-version',
    'code-sha256',
    'revision-id',
    'deploy-status',
    'config-changes',
    'smoke-test-result',
    'deleted-versions',
    'layer-arn',
    'layer-version',
    'layer-status',
    'summary-json',
]));
/** The install stage's. */
function nixOutputs(nix) {
    return { 'nix-version': nix.version };
}
/** The build stage's, once the build is done (before the program is chosen). */
function builtOutputs(outPath) {
    return { 'store-path': outPath };
}
/** The build stage's, once the program is chosen. */
function programOutputs(build) {
    return { 'program-path': build.programPath };
}
/** The package stage's. zip-sha256 is the zip's CodeSha256 (the output's name is public). */
function packageOutputs(pkg) {
    return {
        architecture: pkg.architecture,
        'zip-path': pkg.zipPath,
        'zip-sha256': pkg.codeSha256,
        'zip-bytes': String(pkg.zipBytes),
        'unzipped-bytes': String(pkg.unzippedBytes),
        libraries: JSON.stringify(pkg.libraries),
        'bundle-dir': pkg.bundleDir,
        ...runtimeEnvOutputs(pkg.runtimeEnv),
    };
}
/** The variables the bundle needs: the package stage's, or the deploy stage's for a zip it did not make. */
function runtimeEnvOutputs(runtimeEnv) {
    return { 'runtime-environment': JSON.stringify(runtimeEnv) };
}
/** The package stage's local smoke test. */
function localSmokeTestOutputs(r) {
    return { 'local-smoke-test-result': r.result };
}
/** The deploy stage's: one line per function. */
function deployOutputs(deployments) {
    const lines = (pick) => deployments.map(pick).join('\n');
    return {
        'function-arn': lines((d) => d.arn),
        'function-version': lines((d) => d.version),
        'code-sha256': lines((d) => d.codeSha256),
        'revision-id': lines((d) => d.revisionId),
        'deploy-status': lines((d) => d.status),
        'config-changes': JSON.stringify(deployments.flatMap((d) => d.configChanges)),
        'deleted-versions': lines((d) => d.deletedVersions.join(',')),
    };
}
/** The deploy stage's, set whether the deploy failed or not: passed, failed or skipped, one line per function. */
function smokeTestOutputs(functionNames, reports) {
    return { 'smoke-test-result': functionNames.map((f) => reports.get(f)?.result ?? 'skipped').join('\n') };
}
/** The deploy stage's, with library-layer: the layer version every function got. */
function layerOutputs(layer) {
    return { 'layer-arn': layer.arn, 'layer-version': layer.version, 'layer-status': layer.status };
}
/** The main step's, at the end of every run. */
function summaryOutputs(data) {
    return { 'summary-json': JSON.stringify(data) };
}


/***/ }),

/***/ 7233:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   EO: () => (/* binding */ DT_SYMENT),
/* harmony export */   G0: () => (/* binding */ DT_STRTAB),
/* harmony export */   Hq: () => (/* binding */ ElfPatchUnsupported),
/* harmony export */   Oo: () => (/* binding */ DT_STRSZ),
/* harmony export */   P8: () => (/* binding */ DT_SONAME),
/* harmony export */   QH: () => (/* binding */ ElfError),
/* harmony export */   UH: () => (/* binding */ DT_SYMTAB),
/* harmony export */   aB: () => (/* binding */ isElf),
/* harmony export */   oU: () => (/* binding */ readElf),
/* harmony export */   oe: () => (/* binding */ DT_HASH),
/* harmony export */   p9: () => (/* binding */ DT_NULL),
/* harmony export */   yj: () => (/* binding */ patchElf)
/* harmony export */ });
/* unused harmony exports EM_X86_64, EM_AARCH64 */
/* harmony import */ var _lambda_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6896);
/**
 * ELF64 little-endian reader and in-place patcher (a pure module: Buffers in, results out).
 *
 * Reading never runs code (unlike `ldd`), so it works for any architecture. Patching rewrites
 * PT_INTERP and the search path of a copy in place, never changing the file's length:
 * - PT_INTERP: the new string is written over the old one and the rest of the segment NUL-padded.
 * - DT_RUNPATH entries become DT_RPATH (a one-word change of d_tag) and the search path string is
 *   rewritten in .dynstr, respecting the linker's tail merging (another name may point into the
 *   middle of the old string: those bytes are left alone, or the patch is refused).
 * When an in-place patch is impossible, ElfPatchUnsupported says why (the caller then uses patchelf).
 * Every problem with the input bytes is an ElfError whose message starts with the file name.
 */

const EM_X86_64 = _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .ELF_MACHINE */ .aC.x86_64;
const EM_AARCH64 = _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .ELF_MACHINE */ .aC.arm64;
/** Any problem with the input bytes. The message starts with the file name. */
class ElfError extends Error {
    name = 'ElfError';
}
/** An in-place patch is impossible (the caller falls back to patchelf); the message says why. */
class ElfPatchUnsupported extends ElfError {
    name = 'ElfPatchUnsupported';
}
const DEFAULT_NAME = 'ELF data';
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const DYN_SIZE = 16;
const SYM_SIZE = 24;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_DYNAMIC = 6;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
const DT_NULL = 0;
const DT_NEEDED = 1;
const DT_HASH = 4;
const DT_STRTAB = 5;
const DT_SYMTAB = 6;
const DT_STRSZ = 10;
const DT_SYMENT = 11;
const DT_SONAME = 14;
const DT_RPATH = 15;
const DT_RUNPATH = 29;
const DT_GNU_HASH = 0x6ffffef5;
const DT_GNU_LIBLIST = 0x6ffffef9;
const DT_CONFIG = 0x6ffffefa;
const DT_DEPAUDIT = 0x6ffffefb;
const DT_AUDIT = 0x6ffffefc;
const DT_VERDEF = 0x6ffffffc;
const DT_VERDEFNUM = 0x6ffffffd;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;
const DT_AUXILIARY = 0x7ffffffd;
const DT_USED = 0x7ffffffe;
const DT_FILTER = 0x7fffffff;
/** Dynamic tags whose d_val is an offset into .dynstr. */
const STRING_TAGS = new Map([
    [DT_NEEDED, 'NEEDED'],
    [DT_SONAME, 'SONAME'],
    [DT_RPATH, 'RPATH'],
    [DT_RUNPATH, 'RUNPATH'],
    [DT_CONFIG, 'CONFIG'],
    [DT_DEPAUDIT, 'DEPAUDIT'],
    [DT_AUDIT, 'AUDIT'],
    [DT_AUXILIARY, 'AUXILIARY'],
    [DT_USED, 'USED'],
    [DT_FILTER, 'FILTER'],
]);
/** Real objects have well under a hundred dynamic entries. */
const MAX_DYNAMIC_ENTRIES = 1 << 16;
/** Upper bound on version-table entries walked, so a crafted file cannot make us loop for long. */
const MAX_VERSION_ENTRIES = 1 << 20;
function isElf(buf) {
    return buf.length >= 4 && buf[0] === 0x7f && buf[1] === 0x45 && buf[2] === 0x4c && buf[3] === 0x46;
}
function tagName(tag) {
    return STRING_TAGS.get(tag) ?? `tag 0x${tag.toString(16)}`;
}
function hex(v) {
    return `0x${v.toString(16)}`;
}
class Reader {
    buf;
    file;
    constructor(buf, file) {
        this.buf = buf;
        this.file = file;
    }
    fail(msg) {
        throw new ElfError(`${this.file}: ${msg}`);
    }
    unsupported(msg) {
        throw new ElfPatchUnsupported(`${this.file}: ${msg}`);
    }
    /** Throws unless [.., end) lies inside the file. */
    need(end, what) {
        if (!(end <= this.buf.length)) {
            this.fail(`truncated: ${what} ends at ${end}, file has ${this.buf.length} bytes`);
        }
    }
    u16(off) {
        return this.buf.readUInt16LE(off);
    }
    u32(off) {
        return this.buf.readUInt32LE(off);
    }
    /** A 64-bit value as a number (imprecise above 2^53, which is past the end of any buffer anyway). */
    u64(off) {
        return Number(this.buf.readBigUInt64LE(off));
    }
    big(off) {
        return this.buf.readBigUInt64LE(off);
    }
}
function parse(buf, file) {
    const r = new Reader(buf, file);
    if (!isElf(buf)) {
        const magic = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
        if (buf.length < 4 && magic.subarray(0, buf.length).equals(buf)) {
            r.fail(`truncated: ELF header ends at ${EHDR_SIZE}, file has ${buf.length} bytes`);
        }
        r.fail('not an ELF file (bad magic)');
    }
    const cls = buf[4];
    if (cls === 1)
        r.fail('32-bit ELF (ELFCLASS32) is not supported: only 64-bit objects are');
    if (cls !== undefined && cls !== 2)
        r.fail(`invalid ELF class ${cls}`);
    const data = buf[5];
    if (data === 2)
        r.fail('big-endian ELF (ELFDATA2MSB) is not supported: only little-endian objects are');
    if (data !== undefined && data !== 1)
        r.fail(`invalid ELF data encoding ${data}`);
    r.need(EHDR_SIZE, 'ELF header');
    const type = r.u16(16);
    const machine = r.u16(18);
    const phoff = r.u64(32);
    const shoff = r.u64(40);
    const phentsize = r.u16(54);
    let phnum = r.u16(56);
    const shentsize = r.u16(58);
    let shnum = r.u16(60);
    let shstrndx = r.u16(62);
    // Section headers (optional for loading, but they must be inside the file when present).
    const sections = [];
    if (shoff !== 0) {
        if (shentsize !== SHDR_SIZE)
            r.fail(`section header entry size is ${shentsize}, expected ${SHDR_SIZE}`);
        r.need(shoff + SHDR_SIZE, 'section header table');
        if (shnum === 0)
            shnum = r.u64(shoff + 32);
        if (shstrndx === 0xffff)
            shstrndx = r.u32(shoff + 40);
        if (phnum === 0xffff)
            phnum = r.u32(shoff + 44);
        r.need(shoff + shnum * SHDR_SIZE, `section header table (${shnum} entries at offset ${shoff})`);
        for (let i = 0; i < shnum; i++) {
            const o = shoff + i * SHDR_SIZE;
            const s = {
                index: i,
                name: r.u32(o),
                type: r.u32(o + 4),
                addr: r.big(o + 16),
                offset: r.u64(o + 24),
                size: r.u64(o + 32),
                link: r.u32(o + 40),
                entsize: r.u64(o + 56),
            };
            if (s.type !== 0 && s.type !== SHT_NOBITS && s.size > 0) {
                r.need(s.offset + s.size, `section ${i} (offset ${s.offset}, size ${s.size})`);
            }
            sections.push(s);
        }
    }
    // Program headers.
    const segments = [];
    if (phnum > 0) {
        if (phentsize !== PHDR_SIZE)
            r.fail(`program header entry size is ${phentsize}, expected ${PHDR_SIZE}`);
        r.need(phoff + phnum * PHDR_SIZE, `program header table (${phnum} entries at offset ${phoff})`);
        for (let i = 0; i < phnum; i++) {
            const o = phoff + i * PHDR_SIZE;
            const s = {
                index: i,
                type: r.u32(o),
                offset: r.u64(o + 8),
                vaddr: r.big(o + 16),
                filesz: r.u64(o + 32),
            };
            if (s.filesz > 0) {
                r.need(s.offset + s.filesz, `${segmentName(s)} (offset ${s.offset}, size ${s.filesz})`);
            }
            segments.push(s);
        }
    }
    const interpSeg = segments.find((s) => s.type === PT_INTERP);
    let interp;
    if (interpSeg) {
        const bytes = buf.subarray(interpSeg.offset, interpSeg.offset + interpSeg.filesz);
        const nul = bytes.indexOf(0);
        if (nul < 0) {
            r.fail(`PT_INTERP string (${interpSeg.filesz} bytes at offset ${interpSeg.offset}) has no terminating NUL`);
        }
        interp = bytes.subarray(0, nul);
    }
    const dynSeg = segments.find((s) => s.type === PT_DYNAMIC);
    const dyn = [];
    if (dynSeg) {
        const count = Math.floor(dynSeg.filesz / DYN_SIZE);
        for (let i = 0; i < count; i++) {
            if (i >= MAX_DYNAMIC_ENTRIES) {
                r.fail(`the dynamic section has more than ${MAX_DYNAMIC_ENTRIES} entries before DT_NULL`);
            }
            const pos = dynSeg.offset + i * DYN_SIZE;
            const lo = r.u32(pos);
            const hi = r.u32(pos + 4);
            const val = r.big(pos + 8);
            if (lo === DT_NULL && hi === 0)
                break;
            dyn.push({ pos, tag: hi === 0 ? lo : -1, val });
        }
    }
    const p = {
        buf,
        file,
        type,
        machine,
        phoff,
        phnum,
        segments,
        sections,
        shstrndx,
        interpSeg,
        interp,
        dynSeg,
        dyn,
        strtab: undefined,
    };
    p.strtab = findStrtab(p, r);
    return p;
}
function segmentName(s) {
    const names = {
        [PT_LOAD]: 'PT_LOAD',
        [PT_DYNAMIC]: 'PT_DYNAMIC',
        [PT_INTERP]: 'PT_INTERP',
    };
    return `${names[s.type] ?? `segment type ${hex(s.type)}`} (program header ${s.index})`;
}
/** The last value of a dynamic tag (the loader keeps the last one). */
function lastDyn(p, tag) {
    let v;
    for (const d of p.dyn)
        if (d.tag === tag)
            v = d.val;
    return v;
}
/** Maps a virtual address to a file offset through the PT_LOAD segments; avail = file bytes from there to the segment's end. */
function mapAddr(p, addr) {
    for (const s of p.segments) {
        if (s.type !== PT_LOAD)
            continue;
        if (addr >= s.vaddr && addr < s.vaddr + BigInt(s.filesz)) {
            const delta = Number(addr - s.vaddr);
            return { off: s.offset + delta, avail: s.filesz - delta };
        }
    }
    return undefined;
}
function sectionName(p, s) {
    const t = p.sections[p.shstrndx];
    if (!t || t.type !== SHT_STRTAB || s.name >= t.size)
        return undefined;
    const bytes = p.buf.subarray(t.offset + s.name, t.offset + t.size);
    const nul = bytes.indexOf(0);
    return nul < 0 ? undefined : bytes.toString('latin1', 0, nul);
}
function findStrtab(p, r) {
    const addr = lastDyn(p, DT_STRTAB);
    if (addr === undefined)
        return undefined;
    const szv = lastDyn(p, DT_STRSZ);
    const size = szv === undefined ? undefined : Number(szv);
    const m = mapAddr(p, addr);
    if (m && (size === undefined || size <= m.avail))
        return { off: m.off, size: size ?? m.avail };
    // Fall back to the section headers' .dynstr.
    const dynSec = p.sections.find((s) => s.type === SHT_DYNAMIC);
    const linked = dynSec ? p.sections[dynSec.link] : undefined;
    const sec = p.sections.find((s) => s.type === SHT_STRTAB && s.addr === addr) ??
        p.sections.find((s) => s.type === SHT_STRTAB && sectionName(p, s) === '.dynstr') ??
        (linked?.type === SHT_STRTAB ? linked : undefined);
    const what = `DT_STRTAB ${hex(addr)}${size === undefined ? '' : ` (DT_STRSZ ${size})`}`;
    if (!sec)
        r.fail(`${what} is not inside any PT_LOAD segment and there is no .dynstr section`);
    if (size !== undefined && size > sec.size) {
        r.fail(`${what} does not fit in a PT_LOAD segment nor in the .dynstr section (${sec.size} bytes)`);
    }
    return { off: sec.offset, size: size ?? sec.size };
}
/**
 * For sorted, unique offsets (relative to the table, all below its size), the relative position of
 * each string's terminating NUL, or -1 when the string runs to the end of the table. Linear in the
 * table size: a string starting inside the previous one ends at the same NUL.
 */
function nulEnds(buf, tab, sorted) {
    const out = [];
    const end = tab.off + tab.size;
    let cur = -1;
    for (const rel of sorted) {
        if (rel > cur) {
            // Searched in place (no subarray per string: a table can hold tens of thousands of names).
            const idx = buf.indexOf(0, tab.off + rel);
            cur = idx < 0 || idx >= end ? tab.size : idx - tab.off;
        }
        out.push(cur >= tab.size ? -1 : cur);
    }
    return out;
}
function sortedUnique(values) {
    const sorted = Float64Array.from(values).sort();
    const out = [];
    for (let i = 0; i < sorted.length; i++)
        if (i === 0 || sorted[i] !== sorted[i - 1])
            out.push(sorted[i]);
    return out;
}
/** Reads the strings of string-valued dynamic entries; throws ElfError on bad offsets or a missing NUL. */
function dynStrings(p, r, entries) {
    const out = new Map();
    if (entries.length === 0)
        return out;
    const tab = p.strtab;
    if (!tab)
        r.fail(`the dynamic section has ${tagName(entries[0].tag)} entries but no DT_STRTAB`);
    for (const e of entries) {
        if (e.val >= BigInt(tab.size)) {
            r.fail(`${tagName(e.tag)} string offset ${e.val} is outside the dynamic string table (${tab.size} bytes)`);
        }
    }
    const offs = sortedUnique(entries.map((e) => Number(e.val)));
    const ends = nulEnds(p.buf, tab, offs);
    const endOf = new Map(offs.map((o, i) => [o, ends[i]]));
    for (const e of entries) {
        const rel = Number(e.val);
        const end = endOf.get(rel);
        if (end < 0) {
            r.fail(`${tagName(e.tag)} string at offset ${rel} runs past the end of the dynamic string table (${tab.size} bytes at file offset ${tab.off}): no terminating NUL`);
        }
        out.set(e, p.buf.subarray(tab.off + rel, tab.off + end));
    }
    return out;
}
function describe(p) {
    const r = new Reader(p.buf, p.file);
    const entries = p.dyn.filter((d) => STRING_TAGS.has(d.tag));
    const strs = dynStrings(p, r, entries);
    const needed = [];
    let soname;
    let rpath;
    let runpath;
    for (const e of entries) {
        const s = strs.get(e).toString('utf8');
        if (e.tag === DT_NEEDED)
            needed.push(s);
        else if (e.tag === DT_SONAME)
            soname = s;
        else if (e.tag === DT_RPATH)
            rpath = s;
        else if (e.tag === DT_RUNPATH)
            runpath = s;
    }
    const interp = p.interp?.toString('utf8');
    return {
        file: p.file,
        type: p.type,
        machine: p.machine,
        arch: (0,_lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .lambdaArchOf */ .Dk)(p.machine),
        interp,
        needed,
        soname,
        rpath,
        runpath,
        isStatic: interp === undefined && needed.length === 0,
    };
}
/** Reads an ELF64 little-endian object's headers. Throws ElfError on any problem with the bytes. */
function readElf(buf, file = DEFAULT_NAME) {
    return describe(parse(buf, file));
}
function refLabel(ref) {
    switch (ref.kind) {
        case 'dyn':
            return `the DT_${tagName(ref.n)} entry`;
        case 'symbol':
            return `dynamic symbol ${ref.n}`;
        case 'verdef':
            return `version definition ${ref.n}`;
        case 'verneed-file':
            return `version need ${ref.n} (file name)`;
        case 'verneed-name':
            return `version need ${ref.n} (version name)`;
        case 'section-name':
            return `the name of section ${ref.n}`;
    }
}
/** Number of dynamic symbols: section headers, else DT_HASH nchain, else a walk of DT_GNU_HASH. */
function dynsymCount(p, r) {
    const sec = p.sections.find((s) => s.type === SHT_DYNSYM);
    if (sec) {
        if (sec.entsize !== 0 && sec.entsize !== SYM_SIZE) {
            r.fail(`.dynsym entry size is ${sec.entsize}, expected ${SYM_SIZE}`);
        }
        return Math.floor(sec.size / SYM_SIZE);
    }
    const hash = lastDyn(p, DT_HASH);
    if (hash !== undefined) {
        const m = mapAddr(p, hash);
        if (!m || m.avail < 8)
            r.fail(`DT_HASH ${hex(hash)} is not inside a PT_LOAD segment`);
        return r.u32(m.off + 4);
    }
    const gnu = lastDyn(p, DT_GNU_HASH);
    if (gnu !== undefined) {
        const m = mapAddr(p, gnu);
        if (!m || m.avail < 16)
            r.fail(`DT_GNU_HASH ${hex(gnu)} is not inside a PT_LOAD segment`);
        const nbuckets = r.u32(m.off);
        const symoffset = r.u32(m.off + 4);
        const bloomSize = r.u32(m.off + 8);
        const buckets = 16 + bloomSize * 8;
        const chains = buckets + nbuckets * 4;
        if (chains > m.avail)
            r.fail(`DT_GNU_HASH table (${nbuckets} buckets) runs past the end of its segment`);
        let max = 0;
        for (let i = 0; i < nbuckets; i++)
            max = Math.max(max, r.u32(m.off + buckets + i * 4));
        if (max < symoffset)
            return symoffset;
        let i = max;
        for (;;) {
            const at = chains + (i - symoffset) * 4;
            if (at + 4 > m.avail)
                r.fail('DT_GNU_HASH chain runs past the end of its segment');
            const h = r.u32(m.off + at);
            i++;
            if (h & 1)
                return i;
        }
    }
    return undefined;
}
function collectRefs(p, r, tab) {
    const refs = [];
    for (const d of p.dyn) {
        if (d.tag === DT_GNU_LIBLIST) {
            r.unsupported('prelinked object (DT_GNU_LIBLIST): its library list also names strings');
        }
        if (STRING_TAGS.has(d.tag) && d.tag !== DT_RPATH && d.tag !== DT_RUNPATH) {
            refs.push({ off: Number(d.val), kind: 'dyn', n: d.tag, pos: d.pos });
        }
    }
    // The dynamic symbol table (through DT_SYMTAB, as the loader sees it).
    const symtab = lastDyn(p, DT_SYMTAB);
    let symtabOff;
    const syment = lastDyn(p, DT_SYMENT);
    if (syment !== undefined && syment !== BigInt(SYM_SIZE)) {
        r.fail(`DT_SYMENT is ${syment}, expected ${SYM_SIZE}`);
    }
    if (symtab !== undefined) {
        const count = dynsymCount(p, r);
        if (count === undefined) {
            r.unsupported('cannot tell how many dynamic symbols there are (no section headers, DT_HASH or DT_GNU_HASH)');
        }
        const m = mapAddr(p, symtab);
        const sec = p.sections.find((s) => s.type === SHT_DYNSYM);
        let off;
        symtabOff = m?.off;
        if (m) {
            if (count * SYM_SIZE > m.avail) {
                r.fail(`dynamic symbol table (${count} symbols) runs past the end of its segment`);
            }
            off = m.off;
        }
        else if (sec) {
            off = sec.offset;
        }
        else {
            r.fail(`DT_SYMTAB ${hex(symtab)} is not inside any PT_LOAD segment`);
        }
        for (let i = 0; i < count; i++)
            refs.push({ off: r.u32(off + i * SYM_SIZE), kind: 'symbol', n: i });
    }
    // Any symbol table section whose names live in the same string table.
    for (const s of p.sections) {
        if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM)
            continue;
        const l = p.sections[s.link];
        if (!l || l.type !== SHT_STRTAB || l.offset !== tab.off || s.offset === symtabOff)
            continue;
        const count = Math.floor(s.size / SYM_SIZE);
        for (let i = 0; i < count; i++)
            refs.push({ off: r.u32(s.offset + i * SYM_SIZE), kind: 'symbol', n: i });
    }
    // Section names, in the odd case the section name table is the dynamic string table.
    const shstr = p.sections[p.shstrndx];
    if (shstr && shstr.type === SHT_STRTAB && shstr.offset === tab.off) {
        for (const s of p.sections)
            refs.push({ off: s.name, kind: 'section-name', n: s.index });
    }
    let steps = 0;
    const step = () => {
        if (++steps > MAX_VERSION_ENTRIES)
            r.fail(`version tables have more than ${MAX_VERSION_ENTRIES} entries`);
    };
    const verdef = lastDyn(p, DT_VERDEF);
    if (verdef !== undefined) {
        const m = mapAddr(p, verdef);
        if (!m)
            r.fail(`DT_VERDEF ${hex(verdef)} is not inside any PT_LOAD segment`);
        const num = lastDyn(p, DT_VERDEFNUM);
        let off = m.off;
        for (let i = 0; num === undefined || i < num; i++) {
            step();
            r.need(off + 20, `version definition ${i}`);
            const cnt = r.u16(off + 6);
            let a = off + r.u32(off + 12);
            for (let j = 0; j < cnt; j++) {
                step();
                r.need(a + 8, `version definition ${i} auxiliary entry ${j}`);
                refs.push({ off: r.u32(a), kind: 'verdef', n: i });
                const next = r.u32(a + 4);
                if (next === 0)
                    break;
                a += next;
            }
            const next = r.u32(off + 16);
            if (next === 0)
                break;
            off += next;
        }
    }
    const verneed = lastDyn(p, DT_VERNEED);
    if (verneed !== undefined) {
        const m = mapAddr(p, verneed);
        if (!m)
            r.fail(`DT_VERNEED ${hex(verneed)} is not inside any PT_LOAD segment`);
        const num = lastDyn(p, DT_VERNEEDNUM);
        let off = m.off;
        for (let i = 0; num === undefined || i < num; i++) {
            step();
            r.need(off + 16, `version need ${i}`);
            const cnt = r.u16(off + 2);
            refs.push({ off: r.u32(off + 4), kind: 'verneed-file', n: i, pos: off + 4 });
            let a = off + r.u32(off + 8);
            for (let j = 0; j < cnt; j++) {
                step();
                r.need(a + 16, `version need ${i} auxiliary entry ${j}`);
                refs.push({ off: r.u32(a + 8), kind: 'verneed-name', n: i });
                const next = r.u32(a + 12);
                if (next === 0)
                    break;
                a += next;
            }
            const next = r.u32(off + 12);
            if (next === 0)
                break;
            off += next;
        }
    }
    return refs;
}
/** The byte spans [start, end] (end = the NUL, inclusive) of referenced strings, merged, sorted. */
class Spans {
    starts = [];
    ends = [];
    constructor(buf, tab, offsets) {
        const offs = sortedUnique(offsets.filter((o) => o >= 0 && o < tab.size));
        const ends = nulEnds(buf, tab, offs);
        offs.forEach((o, i) => {
            const e = ends[i] < 0 ? tab.size - 1 : ends[i];
            const last = this.ends.length - 1;
            if (last >= 0 && o <= this.ends[last])
                this.ends[last] = Math.max(this.ends[last], e);
            else {
                this.starts.push(o);
                this.ends.push(e);
            }
        });
    }
    /** The first merged span intersecting [a, b] (inclusive), if any. */
    firstOverlap(a, b) {
        let lo = 0;
        let hi = this.ends.length;
        while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.ends[mid] < a)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < this.ends.length && this.starts[lo] <= b) {
            return { start: this.starts[lo], end: this.ends[lo] };
        }
        return undefined;
    }
}
function encode(r, value, what) {
    const b = Buffer.from(value, 'utf8');
    if (b.includes(0))
        r.unsupported(`the new ${what} contains a NUL byte`);
    return b;
}
function overlaps(a, alen, b, blen) {
    return alen > 0 && blen > 0 && a < b + blen && b < a + alen;
}
/** Structures an interp or string write must never touch. */
function structuralRanges(p) {
    const out = [
        { off: 0, len: EHDR_SIZE, what: 'the ELF header' },
        { off: p.phoff, len: p.phnum * PHDR_SIZE, what: 'the program header table' },
    ];
    if (p.dynSeg)
        out.push({ off: p.dynSeg.offset, len: p.dynSeg.filesz, what: 'the dynamic section' });
    return out;
}
function planInterp(p, r, value, writes, changes) {
    const seg = p.interpSeg;
    if (!seg || !p.interp) {
        r.unsupported('no PT_INTERP segment to rewrite (not a dynamically linked executable)');
    }
    const bytes = encode(r, value, 'interpreter');
    if (bytes.equals(p.interp))
        return;
    if (bytes.length + 1 > seg.filesz) {
        r.unsupported(`the new interpreter ${value} needs ${bytes.length + 1} bytes with its NUL, the PT_INTERP segment has ${seg.filesz}`);
    }
    const ranges = structuralRanges(p);
    if (p.strtab)
        ranges.push({ off: p.strtab.off, len: p.strtab.size, what: 'the dynamic string table' });
    for (const s of ranges) {
        if (overlaps(seg.offset, seg.filesz, s.off, s.len)) {
            r.unsupported(`the PT_INTERP segment overlaps ${s.what}`);
        }
    }
    const out = Buffer.alloc(seg.filesz);
    bytes.copy(out);
    writes.push({ pos: seg.offset, bytes: out });
    changes.push(`interp ${p.interp.toString('utf8')} -> ${value}`);
}
/** The string a reference points at (undefined when it is out of range or has no NUL). */
function refString(p, tab, off) {
    if (off < 0 || off >= tab.size)
        return undefined;
    const end = nulEnds(p.buf, tab, [off])[0];
    return end < 0 ? undefined : p.buf.toString('utf8', tab.off + off, tab.off + end);
}
/**
 * Plans the .dynstr side of a patch: the search path (every RPATH/RUNPATH entry becomes one DT_RPATH
 * value, written over an old search path string) and the DT_NEEDED replacements (new strings placed
 * in bytes the rewrite frees: the old search paths' and the replaced names'). Bytes that any other
 * reference still uses (the linker's tail merging) are never touched.
 */
function planStrings(p, r, req, writes, changes) {
    const renames = new Map(Object.entries(req.needed ?? {}).filter(([from, to]) => from !== to && p.strtab !== undefined));
    const entries = req.rpath === undefined ? [] : p.dyn.filter((d) => d.tag === DT_RPATH || d.tag === DT_RUNPATH);
    if (req.rpath !== undefined && entries.length === 0)
        r.unsupported('no RPATH or RUNPATH entry');
    const want = req.rpath === undefined ? undefined : encode(r, req.rpath, 'RPATH');
    const strs = dynStrings(p, r, entries);
    const desc = describe(p);
    const neededAfter = desc.needed.map((n) => renames.get(n) ?? n);
    const renaming = desc.needed.some((n) => renames.has(n));
    const rpathDone = want === undefined || entries.every((e) => e.tag === DT_RPATH && strs.get(e).equals(want));
    if (rpathDone && !renaming)
        return undefined;
    const tab = p.strtab;
    const allRefs = collectRefs(p, r, tab);
    /** References that follow a replaced DT_NEEDED name (the entries themselves, and version needs' file names). */
    const moving = allRefs.filter((x) => {
        if (x.pos === undefined)
            return false;
        if (!(x.kind === 'verneed-file' || (x.kind === 'dyn' && x.n === DT_NEEDED)))
            return false;
        const s = refString(p, tab, x.off);
        return s !== undefined && renames.has(s);
    });
    const movingSet = new Set(moving);
    const kept = allRefs.filter((x) => !movingSet.has(x));
    const spans = new Spans(p.buf, tab, kept.map((x) => x.off));
    const endCache = new Map();
    const endOf = (off) => {
        let e = endCache.get(off);
        if (e === undefined) {
            e = nulEnds(p.buf, tab, [off])[0];
            if (e < 0)
                e = tab.size - 1;
            endCache.set(off, e);
        }
        return e;
    };
    /** Names a reference whose string shares bytes with [a, b] (for the message). */
    const conflictWith = (a, b) => {
        const span = spans.firstOverlap(a, b);
        const hit = span && kept.find((x) => x.off >= span.start && x.off <= b && endOf(x.off) >= a);
        if (!hit)
            return 'another string';
        const s = p.buf.toString('utf8', tab.off + hit.off, tab.off + endOf(hit.off));
        return `${refLabel(hit)} ("${s}" at offset ${hit.off})`;
    };
    // The old search path strings, by offset, in entry order.
    const oldAt = new Map();
    for (const e of entries)
        if (!oldAt.has(Number(e.val)))
            oldAt.set(Number(e.val), strs.get(e));
    /** Bytes of .dynstr in use after the patch (set as the plan places strings). */
    const taken = [];
    if (want !== undefined && !rpathDone) {
        // Where the new string goes: a string that already says it, else the first old one that can take it.
        let target;
        for (const [o, old] of oldAt) {
            if (old.equals(want)) {
                target = o;
                break;
            }
        }
        const reasons = [];
        if (target === undefined) {
            for (const [o, old] of oldAt) {
                const shown = old.toString('utf8');
                if (want.length > old.length) {
                    reasons.push(`the new RPATH ${req.rpath} (${want.length} bytes) is longer than the old string ${shown} (${old.length} bytes)`);
                }
                else if (spans.firstOverlap(o, o + want.length)) {
                    reasons.push(`the old string ${shown} at .dynstr offset ${o} shares bytes ${o}..${o + want.length} with ${conflictWith(o, o + want.length)}`);
                }
                else {
                    target = o;
                    break;
                }
                if (reasons.length >= 3)
                    break;
            }
        }
        if (target === undefined)
            r.unsupported(`cannot rewrite the search path in place: ${reasons.join('; ')}`);
        const t = target;
        taken.push([t, t + want.length]);
        const tOld = oldAt.get(t);
        if (!tOld.equals(want)) {
            // new + NUL, then zeros up to the first string still referenced inside the old one (or its end).
            const from = t + want.length + 1;
            const next = spans.firstOverlap(from, t + tOld.length);
            const zeroEnd = Math.max(from, Math.min(next ? next.start : t + tOld.length, t + tOld.length));
            const bytes = Buffer.alloc(zeroEnd - t);
            want.copy(bytes);
            writes.push({ pos: tab.off + t, bytes });
        }
        // Old strings no longer referenced: cleared when nothing else shares their bytes.
        for (const [o, old] of oldAt) {
            const len = old.length;
            if (o === t || len === 0 || spans.firstOverlap(o, o + len) || (o <= t + want.length && t <= o + len)) {
                continue;
            }
            writes.push({ pos: tab.off + o, bytes: Buffer.alloc(len) });
        }
        // Every entry becomes DT_RPATH pointing at the new string.
        const seen = new Set();
        for (const e of entries) {
            if (e.tag !== DT_RPATH || e.val !== BigInt(t)) {
                const bytes = Buffer.alloc(DYN_SIZE);
                bytes.writeBigUInt64LE(BigInt(DT_RPATH), 0);
                bytes.writeBigUInt64LE(BigInt(t), 8);
                writes.push({ pos: e.pos, bytes });
            }
            const old = strs.get(e);
            if (e.tag === DT_RPATH && old.equals(want))
                continue;
            const msg = `${tagName(e.tag)} ${old.toString('utf8')} -> RPATH ${req.rpath}`;
            if (!seen.has(msg))
                changes.push(msg);
            seen.add(msg);
        }
    }
    else if (want !== undefined) {
        const t = Number(entries[0].val);
        taken.push([t, t + want.length]);
    }
    /** Where each moving reference points after the patch. */
    const movedTo = new Map();
    if (renaming) {
        // Free bytes: the old search paths and the replaced names, less every byte still referenced.
        const free = new Uint8Array(tab.size);
        const mark = (from, to, v) => {
            for (let i = Math.max(0, from); i <= Math.min(to, tab.size - 1); i++)
                free[i] = v;
        };
        if (want !== undefined)
            for (const [o, old] of oldAt)
                mark(o, o + old.length, 1);
        for (const x of moving)
            mark(x.off, endOf(x.off), 1);
        for (let i = 0; i < spans.starts.length; i++)
            mark(spans.starts[i], spans.ends[i], 0);
        for (const [a, b] of taken)
            mark(a, b, 0);
        const placed = new Map();
        const alloc = (s) => {
            let run = 0;
            for (let i = 0; i < tab.size; i++) {
                run = free[i] ? run + 1 : 0;
                if (run === s.length + 1) {
                    const at = i - s.length;
                    mark(at, i, 0);
                    return at;
                }
            }
            return undefined;
        };
        for (const from of desc.needed) {
            const to = renames.get(from);
            if (to === undefined || placed.has(to))
                continue;
            const bytes = encode(r, to, 'DT_NEEDED name');
            const at = alloc(bytes);
            if (at === undefined) {
                const need = [...new Set(desc.needed.filter((n) => renames.has(n)).map((n) => renames.get(n)))];
                r.unsupported(`no room in the dynamic string table for the new DT_NEEDED names (${need.join(', ')}): the bytes freed by the old search path and names are too few`);
            }
            placed.set(to, at);
            const out = Buffer.alloc(bytes.length + 1);
            bytes.copy(out);
            writes.push({ pos: tab.off + at, bytes: out });
            changes.push(`NEEDED ${from} -> ${to}`);
        }
        for (const x of moving) {
            const to = renames.get(refString(p, tab, x.off));
            const at = placed.get(to);
            if (at === undefined)
                continue; // a version need for a library that is not a DT_NEEDED: left alone
            if (x.kind === 'dyn') {
                const bytes = Buffer.alloc(8);
                bytes.writeBigUInt64LE(BigInt(at), 0);
                writes.push({ pos: x.pos + 8, bytes });
            }
            else {
                const bytes = Buffer.alloc(4);
                bytes.writeUInt32LE(at, 0);
                writes.push({ pos: x.pos, bytes });
            }
            movedTo.set(x, at);
        }
    }
    const refs = allRefs.map((x) => {
        const at = movedTo.get(x);
        return at === undefined ? x : { ...x, off: at };
    });
    for (const w of writes) {
        if (w.pos < tab.off || w.pos >= tab.off + tab.size)
            continue;
        for (const s of structuralRanges(p)) {
            if (overlaps(w.pos, w.bytes.length, s.off, s.len)) {
                r.unsupported(`the dynamic string table overlaps ${s.what}`);
            }
        }
    }
    return { refs, spans, value: want, needed: neededAfter };
}
function sameStrings(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
/** Checks the patched bytes say exactly what was asked and nothing else changed: a problem, or undefined. May throw ElfError. */
function verifyPatch(buf, file, before, desc, req, plan, journal) {
    const after = parse(buf, file);
    const d = describe(after);
    if (d.type !== desc.type || d.machine !== desc.machine)
        return 'the ELF header changed';
    if (!sameStrings(d.needed, plan?.needed ?? desc.needed) || d.soname !== desc.soname) {
        return 'DT_NEEDED or DT_SONAME did not come out as asked';
    }
    if (d.interp !== (req.interp ?? desc.interp))
        return 'PT_INTERP did not come out as asked';
    const tab = before.strtab;
    if (after.strtab?.off !== tab?.off || after.strtab?.size !== tab?.size) {
        return 'the dynamic string table moved';
    }
    if (after.dyn.length !== before.dyn.length)
        return 'the dynamic section changed length';
    if (req.rpath === undefined) {
        if (d.rpath !== desc.rpath || d.runpath !== desc.runpath)
            return 'the search path changed';
    }
    else if (d.rpath !== req.rpath || d.runpath !== undefined) {
        return 'the search path did not come out as asked';
    }
    if (!plan || !tab)
        return undefined;
    const r = new Reader(buf, file);
    if (plan.value !== undefined) {
        const entries = after.dyn.filter((x) => x.tag === DT_RPATH || x.tag === DT_RUNPATH);
        const strs = dynStrings(after, r, entries);
        if (!entries.every((e) => e.tag === DT_RPATH && strs.get(e).equals(plan.value))) {
            return 'not every search path entry came out as asked';
        }
    }
    const refs = collectRefs(after, r, tab);
    if (refs.length !== plan.refs.length || refs.some((x, i) => x.off !== plan.refs[i].off)) {
        return 'references into the dynamic string table changed';
    }
    for (const j of journal) {
        for (let i = 0; i < j.old.length; i++) {
            const pos = j.pos + i;
            if (buf[pos] === j.old[i])
                continue;
            const rel = pos - tab.off;
            if (rel >= 0 && rel < tab.size && plan.spans.firstOverlap(rel, rel)) {
                return `a string still in use at .dynstr offset ${rel} would change`;
            }
        }
    }
    return undefined;
}
/**
 * Patches buf in place (its length never changes). Returns human-readable changes, [] when nothing
 * needed changing. Throws ElfPatchUnsupported (buf untouched) when an in-place patch is impossible,
 * ElfError for malformed input.
 */
function patchElf(buf, req, file = DEFAULT_NAME) {
    const p = parse(buf, file);
    const desc = describe(p);
    const r = new Reader(buf, file);
    const writes = [];
    const changes = [];
    if (req.interp !== undefined)
        planInterp(p, r, req.interp, writes, changes);
    const plan = planStrings(p, r, req, writes, changes);
    if (writes.length === 0)
        return [];
    const journal = [];
    for (const w of writes) {
        journal.push({ pos: w.pos, old: Buffer.from(buf.subarray(w.pos, w.pos + w.bytes.length)) });
        w.bytes.copy(buf, w.pos);
    }
    let problem;
    try {
        problem = verifyPatch(buf, file, p, desc, req, plan, journal);
    }
    catch (e) {
        problem = e instanceof Error ? e.message : String(e);
    }
    if (problem !== undefined) {
        for (let i = journal.length - 1; i >= 0; i--)
            journal[i].old.copy(buf, journal[i].pos);
        r.unsupported(`the in-place rewrite would not give a consistent file (${problem})`);
    }
    return changes;
}


/***/ }),

/***/ 4817:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   B0: () => (/* binding */ layerZipSources),
/* harmony export */   Jj: () => (/* binding */ splitBundle),
/* harmony export */   MY: () => (/* binding */ LAYER_LIB_DIR),
/* harmony export */   _p: () => (/* binding */ layerHash),
/* harmony export */   iq: () => (/* binding */ layerDescription),
/* harmony export */   nT: () => (/* binding */ writeLayerFolder),
/* harmony export */   wj: () => (/* binding */ hashInDescription),
/* harmony export */   xD: () => (/* binding */ layerZipPathOf)
/* harmony export */ });
/* unused harmony exports LAYER_ROOT, layerFolderOf */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);



/**
 * The library layer (input library-layer): the bundle split in two. Lambda extracts a layer's zip
 * under /opt, so the loader and the libraries, at lib/<name> in the layer zip, are at /opt/lib;
 * the function zip keeps the bootstrap and the includes at the task root. The program's PT_INTERP
 * is /opt/lib/<loader> and its RPATH /opt/lib (bundle.ts, PlanOptions.libDir); the libraries keep
 * `$ORIGIN`, which is /opt/lib for them.
 *
 * The layer is content-addressed: its hash covers the names, modes and patched bytes of its files,
 * computed before anything is compressed, so the deploy stage can find a version that already
 * holds them (the hash is in the version's description) and compress and publish only a new one.
 */
/** Where Lambda extracts layers. */
const LAYER_ROOT = '/opt';
/** Where the bundled loader and libraries are at run time with a library layer. */
const LAYER_LIB_DIR = `${LAYER_ROOT}/lib`;
/** The libraries and the loader go to the layer (marked `layer`); the rest stays in the function zip. */
function splitBundle(entries) {
    const layer = entries.filter((e) => e.kind === 'library' || e.kind === 'interpreter');
    for (const e of layer)
        e.layer = true;
    const fn = entries.filter((e) => e.kind !== 'library' && e.kind !== 'interpreter');
    return { function: fn, layer };
}
/** The mode a file gets in the zip (zip/format.ts normalises the same way): 0755 when any x bit is set. */
function zipMode(mode) {
    return mode & 0o111 ? 0o755 : 0o644;
}
/** Version of the layer hash's input format: a change here starts new hashes (one new layer version). */
const HASH_FORMAT = 'nix-lambda library layer 1';
/**
 * The layer's content hash (hex SHA-256): over each file, sorted by name, its name, its mode as the
 * zip stores it, its size and the SHA-256 of its patched bytes. The zip's own bytes (compressor,
 * level) are left out: the same files make the same layer whatever compresses them.
 */
function layerHash(files) {
    const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const h = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(`${HASH_FORMAT}\n`);
    for (const f of sorted) {
        const digest = (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(f.data).digest('hex');
        h.update(`${f.name}\0${zipMode(f.mode).toString(8)}\0${f.data.length}\0${digest}\n`);
    }
    return h.digest('hex');
}
/** The hash as the layer version's description carries it, and how the deploy stage finds it. */
function layerDescription(hash, arch) {
    return `nix-lambda library layer (${arch}) sha256:${hash}`;
}
/** The content hash a layer version's description names, if any. */
function hashInDescription(description) {
    return /(?:^|\s)sha256:([0-9a-f]{64})(?:\s|$)/.exec(description ?? '')?.[1];
}
/** The layer's folder: bundle-dir's sibling, `<bundle-dir>-layer` (lib/ inside it, as under /opt). */
function layerFolderOf(bundleDir) {
    return node_path__WEBPACK_IMPORTED_MODULE_2__.join(node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(bundleDir), `${node_path__WEBPACK_IMPORTED_MODULE_2__.basename(bundleDir)}-layer`);
}
/**
 * Writes the layer's files into bundle-dir's sibling folder and makes the check root's /opt lead
 * there (a relative link inside the root, so the isolated root sees the layer at /opt as Lambda
 * extracts it; the loader takes `$ORIGIN` from the path it opened, /opt/lib).
 */
async function writeLayerFolder(root, bundleDir, entries) {
    const dir = layerFolderOf(bundleDir);
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(dir, { recursive: true, force: true });
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(dir, { recursive: true });
    const dirs = new Set(entries.map((e) => node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, e.name))));
    for (const d of dirs)
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(d, { recursive: true });
    await Promise.all(entries.map((e) => node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.writeFile(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, e.name), e.data, { mode: e.mode | 0o444 })));
    const opt = node_path__WEBPACK_IMPORTED_MODULE_2__.join(root, LAYER_ROOT);
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(opt, { recursive: true, force: true });
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.symlink(node_path__WEBPACK_IMPORTED_MODULE_2__.relative(node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(opt), dir), opt);
    return dir;
}
/** The layer zip's path: beside zip-path, `<name>-layer.zip`. */
function layerZipPathOf(zipPath) {
    const base = node_path__WEBPACK_IMPORTED_MODULE_2__.basename(zipPath).replace(/\.zip$/i, '');
    return node_path__WEBPACK_IMPORTED_MODULE_2__.join(node_path__WEBPACK_IMPORTED_MODULE_2__.dirname(zipPath), `${base}-layer.zip`);
}
/** The layer's files as zip sources, each read from the layer's folder when its turn comes. */
function layerZipSources(dir, files) {
    return files.map((f) => ({ name: f.name, mode: f.mode, data: () => node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, f.name)) }));
}


/***/ }),

/***/ 4146:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   i: () => (/* binding */ sizeWarnings)
/* harmony export */ });
/* unused harmony export LIMIT_WARNING_SHARE */
/* harmony import */ var _lambda_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6896);
/* harmony import */ var _util_format_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(2693);


/**
 * Lambda's package limits, ahead of time: a warning once a zip reaches 80% of the 50 MB a direct
 * upload takes (when it does not go through S3), or a bundle 80% of the 250 MB unzipped limit
 * (which counts the function's layers too), so the limit is seen coming before a deploy fails on it.
 */
/** The share of a limit from which a warning is given. */
const LIMIT_WARNING_SHARE = 0.8;
function percent(part, whole) {
    return `${Math.floor((part / whole) * 100)}%`;
}
/** The warnings for a zip of these sizes (none when both are below 80% of their limit). */
function sizeWarnings(sizes, o) {
    const out = [];
    const { zipBytes, unzippedBytes } = sizes;
    if (!o.viaS3 && zipBytes > _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_ZIP_LIMIT */ .mX)
        out.push({
            title: 'Zip over the direct-upload limit',
            message: `the zip is ${(0,_util_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(zipBytes)}, over Lambda's ${(0,_util_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(_lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_ZIP_LIMIT */ .mX)} limit for a direct upload: deploy it through S3 (input s3-bucket).`,
        });
    else if (!o.viaS3 && zipBytes >= _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_ZIP_LIMIT */ .mX * LIMIT_WARNING_SHARE)
        out.push({
            title: 'Zip near the direct-upload limit',
            message: `the zip is ${(0,_util_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(zipBytes)}, ${percent(zipBytes, _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_ZIP_LIMIT */ .mX)} of Lambda's ${(0,_util_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(_lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_ZIP_LIMIT */ .mX)} limit for a direct upload; ` +
                'past it UpdateFunctionCode refuses the zip: set s3-bucket (a bucket in the Region) to deploy it through S3.',
        });
    if (unzippedBytes >= _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_UNZIPPED_LIMIT */ .KA * LIMIT_WARNING_SHARE && unzippedBytes <= _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_UNZIPPED_LIMIT */ .KA)
        out.push({
            title: 'Bundle near the unzipped limit',
            message: `the bundle is ${(0,_util_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(unzippedBytes)} unzipped, ${percent(unzippedBytes, _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_UNZIPPED_LIMIT */ .KA)} of Lambda's ${(0,_util_format_js__WEBPACK_IMPORTED_MODULE_1__/* .formatBytes */ .z3)(_lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_UNZIPPED_LIMIT */ .KA)} limit, ` +
                "which counts the function's layers too; past it Lambda refuses the code: trim the closure (removeReferencesTo, split outputs, smaller dependencies) or ship large data in a layer.",
        });
    return out;
}


/***/ }),

/***/ 3162:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   SH: () => (/* binding */ dataSetOf),
/* harmony export */   _A: () => (/* binding */ AUTO_LOCALE_ARCHIVE_LIMIT),
/* harmony export */   _h: () => (/* binding */ findDataSet),
/* harmony export */   p: () => (/* binding */ runtimeEnvFor),
/* harmony export */   qX: () => (/* binding */ BUNDLED_CA_PATH),
/* harmony export */   v6: () => (/* binding */ DATA_SET_DEFS),
/* harmony export */   zw: () => (/* binding */ DATA_SETS)
/* harmony export */ });
/* unused harmony exports CA_BUNDLE_PATHS, TERMINFO_SUBSET, findCaBundle */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);


/**
 * Data files a relocated Nix program reads at run time from paths baked into it, and the variables
 * that point it at the bundle's copy instead (the deploy stage sets them on the function):
 * - certificates: Nix's OpenSSL reads NIX_SSL_CERT_FILE, then SSL_CERT_FILE, then
 *   /etc/ssl/certs/ca-certificates.crt (absent on Amazon Linux, which uses /etc/pki/tls/certs/ca-bundle.crt).
 * - locales: a relocated glibc finds no locale data without LOCALE_ARCHIVE (an archive) or LOCPATH (a folder).
 * - gconv: glibc's iconv() loads conversion modules from GCONV_PATH (else its compiled-in store folder).
 * - tzdata: glibc, Rust's tz crates and Haskell's tz read TZDIR; Go reads ZONEINFO.
 * - terminfo: ncurses reads TERMINFO.
 */
const DATA_SETS = ['certificates', 'locales', 'gconv', 'tzdata', 'terminfo'];
/** Where CA bundles live in nixpkgs store paths (cacert) and in other common layouts. */
const CA_BUNDLE_PATHS = [
    'etc/ssl/certs/ca-bundle.crt',
    'etc/ssl/certs/ca-certificates.crt',
    'etc/pki/tls/certs/ca-bundle.crt',
];
/** Where certificates go in the zip. */
const BUNDLED_CA_PATH = 'etc/ssl/certs/ca-bundle.crt';
/** Terminal types worth carrying to a machine without a terminal (log colouring, TERM=dumb). */
const TERMINFO_SUBSET = [
    'ansi',
    'dumb',
    'linux',
    'screen',
    'screen-256color',
    'tmux',
    'tmux-256color',
    'vt100',
    'vt220',
    'xterm',
    'xterm-256color',
    'xterm-color',
];
/** A locale archive larger than this is not bundled without being asked for (nixpkgs' glibcLocales is ~220 MB). */
const AUTO_LOCALE_ARCHIVE_LIMIT = 50 * 1024 * 1024;
const DATA_SET_DEFS = {
    certificates: {
        id: 'certificates',
        what: 'CA certificates',
        roots: CA_BUNDLE_PATHS,
        target: () => BUNDLED_CA_PATH,
        nixpkgs: 'cacert',
    },
    locales: {
        id: 'locales',
        what: 'locale data',
        roots: ['lib/locale/locale-archive', 'lib/locale'],
        target: (root) => root,
        nixpkgs: 'glibcLocales (or glibcLocalesUtf8)',
    },
    gconv: {
        id: 'gconv',
        what: "glibc's iconv conversion modules",
        roots: ['lib/gconv'],
        target: () => 'lib/gconv',
        nixpkgs: 'glibc (its lib/gconv)',
    },
    tzdata: {
        id: 'tzdata',
        what: 'time zone data',
        roots: ['share/zoneinfo'],
        target: () => 'share/zoneinfo',
        nixpkgs: 'tzdata',
    },
    terminfo: {
        id: 'terminfo',
        what: 'terminfo entries',
        roots: ['share/terminfo'],
        target: () => 'share/terminfo',
        keep: (rel) => TERMINFO_SUBSET.includes(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.basename(rel)),
        nixpkgs: 'ncurses',
    },
};
/** The data set and root a store-path-relative path belongs to (`sub` is under `root`). */
function dataSetOf(sub) {
    for (const def of Object.values(DATA_SET_DEFS)) {
        for (const root of def.roots) {
            if (sub === root || sub.startsWith(`${root}/`))
                return { id: def.id, root };
        }
    }
    return undefined;
}
/** The first CA bundle found in the closure's store paths (nixpkgs' cacert), or undefined. */
function findCaBundle(closure, exists = node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync) {
    const ordered = [...closure].sort((a, b) => Number(/-(nss-)?cacert-/.test(b)) - Number(/-(nss-)?cacert-/.test(a)));
    for (const sp of ordered)
        for (const rel of CA_BUNDLE_PATHS) {
            const p = node_path__WEBPACK_IMPORTED_MODULE_1__.join(sp, rel);
            if (exists(p))
                return p;
        }
    return undefined;
}
/**
 * A data set somewhere in the closure, for a data set asked for by name: gconv from the C library's
 * own store path first, anything else from the first store path that has it.
 */
function findDataSet(id, closure, preferred = [], exists = node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync) {
    if (id === 'certificates') {
        const ca = findCaBundle(closure, exists);
        return ca ? { source: ca, root: CA_BUNDLE_PATHS.find((r) => ca.endsWith(`/${r}`)) } : undefined;
    }
    for (const sp of [...preferred, ...closure])
        for (const root of DATA_SET_DEFS[id].roots) {
            const p = node_path__WEBPACK_IMPORTED_MODULE_1__.join(sp, root);
            if (exists(p))
                return { source: p, root };
        }
    return undefined;
}
/** Variables for the bundled data files, from the names of the files in the zip. */
function runtimeEnvFor(names, taskRoot) {
    const env = {};
    const at = (n) => `${taskRoot}/${n}`;
    const ca = names.find((n) => n === BUNDLED_CA_PATH) ??
        names.find((n) => /(^|\/)(ca-bundle\.crt|ca-certificates\.crt)$/.test(n));
    if (ca) {
        env['SSL_CERT_FILE'] = at(ca);
        env['NIX_SSL_CERT_FILE'] = at(ca);
    }
    const archive = names.find((n) => /(^|\/)locale-archive$/.test(n));
    if (archive)
        env['LOCALE_ARCHIVE'] = at(archive);
    else {
        // A locale folder holds LOCALE/LC_CTYPE files: LOCPATH is the folder above LOCALE.
        const ctype = names.find((n) => /(^|\/)[^/]+\/LC_CTYPE$/.test(n));
        if (ctype)
            env['LOCPATH'] = at(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(ctype)));
    }
    // glibc reads gconv-modules (or its cache) from each GCONV_PATH folder.
    const gconv = names.find((n) => /(^|\/)gconv-modules(\.cache)?$/.test(n));
    if (gconv)
        env['GCONV_PATH'] = at(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(gconv));
    // A zoneinfo folder: TZDIR for glibc and most libraries, ZONEINFO for Go.
    const zone = names.find((n) => /(^|\/)zoneinfo\/.+/.test(n));
    if (zone) {
        const dir = zone.slice(0, zone.lastIndexOf('zoneinfo/') + 'zoneinfo'.length);
        env['TZDIR'] = at(dir);
        env['ZONEINFO'] = at(dir);
    }
    // terminfo/<first letter or its hex code>/<name>
    const term = names.find((n) => /(^|\/)terminfo\/[^/]+\/[^/]+$/.test(n));
    if (term)
        env['TERMINFO'] = at(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(node_path__WEBPACK_IMPORTED_MODULE_1__.posix.dirname(term)));
    return env;
}


/***/ }),

/***/ 6089:
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


/***/ }),

/***/ 6117:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  OZ: () => (/* binding */ createDeflater),
  $g: () => (/* binding */ defaultCacheDir),
  Vs: () => (/* binding */ defaultWorkers),
  jF: () => (/* binding */ prefetchingDeflater)
});

// UNUSED EXPORTS: DEFLATE_CACHE_MAX_BYTES, DeflateCache, DeflatePool, compressorId, deflateEngine, wasmFromModuleSource

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(5919);
// EXTERNAL MODULE: ./src/util/hash.ts
var hash = __webpack_require__(5138);
;// CONCATENATED MODULE: ./node_modules/libdeflate/package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/zip/deflate.ts








// The engine's own package.json (its `exports` hide the file from a bare `libdeflate/package.json`):
// read from node_modules by tests and local runs, inlined by the bundler (only `version` is kept) in dist/.

/**
 * Raw DEFLATE for the zip writer: libdeflate (WebAssembly), which at level 6 writes
 * smaller output than Info-ZIP's `zip -6` or Node's zlib at the same speed, run
 * file by file on worker threads (largest first) so every core works, with an
 * optional content-addressed cache of compressed files: store paths never change,
 * so packaging the same closure again deflates nothing.
 */
/**
 * libdeflate's Emscripten module, which holds the WebAssembly as a base64 data URI. A literal
 * `new URL(..., import.meta.url)`: from src/ it is the file in node_modules; the bundler copies it
 * beside dist/index.js (the bundled engine is built from the same file), so both read the same bytes.
 */
const ENGINE_MODULE = new URL(/* asset import */ __webpack_require__(975), __webpack_require__.b);
let engine;
/** The WebAssembly bytes inside an Emscripten module's source (its `data:...;base64,` URI). */
function wasmFromModuleSource(source) {
    const found = [...source.matchAll(/data:application\/octet-stream;base64,([A-Za-z0-9+/]+={0,2})/g)];
    if (found.length !== 1)
        throw new Error(`expected one base64 WebAssembly module in libdeflate's module, found ${found.length}`);
    const wasm = Buffer.from(found[0][1], 'base64');
    if (!wasm.subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])))
        throw new Error("libdeflate's embedded module does not start with WebAssembly's magic number");
    return wasm;
}
/**
 * The compressor that produces the deflated bytes: libdeflate's version and the SHA-256 of its
 * WebAssembly. Read once per process, on first use (only the deflate cache needs it).
 */
function deflateEngine() {
    if (!engine) {
        let wasm;
        try {
            wasm = wasmFromModuleSource(external_node_fs_.readFileSync(ENGINE_MODULE, 'utf8'));
        }
        catch (err) {
            throw new Error(`deflate: cannot identify the compressor (${(0,external_node_url_.fileURLToPath)(ENGINE_MODULE)}): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        engine = {
            name: 'libdeflate',
            version: package_namespaceObject.rE,
            wasmSha256: (0,hash/* sha256Hex */.fg)(wasm),
        };
    }
    return engine;
}
/**
 * The compressor's part of every cache key: another libdeflate version, or the same version built
 * into different WebAssembly, never reads entries this one wrote (it could deflate differently).
 */
function compressorId(e = deflateEngine()) {
    return `${e.name}-${e.version.replace(/[^\w.-]/g, '_')}-${e.wasmSha256}`;
}
/** Files smaller than this are compressed on the calling thread: a round trip costs more. */
const SMALL = 64 * 1024;
/** The most the deflate cache folder holds after a zip is written: the least recently used entries go first. */
const DEFLATE_CACHE_MAX_BYTES = 512 * 1024 * 1024;
let libdeflate;
/**
 * libdeflate on this thread (for small files), loaded on first use: a step that never zips (the
 * post step, a deploy-only run) never loads it. The worker threads load their own copy.
 */
function deflateHere(data, level) {
    libdeflate ??= __webpack_require__.e(/* import() */ 230).then(__webpack_require__.bind(__webpack_require__, 4230));
    return libdeflate.then((m) => Buffer.from(m.deflate(data, level)));
}
/** A Buffer whose memory can move to a worker: it spans its whole ArrayBuffer (not a pool slice). */
function ownsMemory(b) {
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer;
}
/** Where the worker script lives, relative to this module (src/ or dist/). */
const WORKER_FILE = ['deflate-worker', 'index.mjs'];
/** The worker script beside this module: src/deflate-worker/index.mjs, or dist/deflate-worker/index.mjs once bundled. */
function workerUrl() {
    // Computed at run time so that the bundler does not copy the unbundled source as an asset:
    // scripts/build.mjs bundles the worker (with libdeflate) on its own.
    return new URL(WORKER_FILE.map(encodeURIComponent).join('/'), import.meta.url);
}
/** Workers by default: one per core, at most 8. */
function defaultWorkers() {
    const n = typeof external_node_os_.availableParallelism === 'function' ? external_node_os_.availableParallelism() : external_node_os_.cpus().length;
    return Math.max(1, Math.min(n, 8));
}
class DeflatePool {
    size;
    slots = [];
    /** Waiting jobs, largest first (longest-processing-time scheduling keeps the makespan short). */
    queue = [];
    closed = false;
    constructor(size) {
        this.size = size;
    }
    deflate(data, level, transfer = false) {
        if (this.closed)
            return Promise.reject(new Error('deflate: the pool is closed'));
        if (data.length < SMALL || this.size <= 1)
            return deflateHere(data, level).then((out) => ({ out, data }));
        return new Promise((resolve, reject) => {
            const job = { data, level, transfer: transfer && ownsMemory(data), resolve, reject };
            const at = this.queue.findIndex((j) => j.data.length < data.length);
            if (at < 0)
                this.queue.push(job);
            else
                this.queue.splice(at, 0, job);
            this.dispatch();
        });
    }
    dispatch() {
        while (this.queue.length > 0) {
            let slot = this.slots.find((s) => !s.job);
            if (!slot && this.slots.length < this.size)
                slot = this.spawn();
            if (!slot)
                return;
            const job = this.queue.shift();
            slot.job = job;
            if (job.transfer)
                slot.worker.postMessage({ data: job.data, level: job.level, back: true }, [
                    job.data.buffer,
                ]);
            else
                slot.worker.postMessage({ data: job.data, level: job.level, back: false });
        }
    }
    spawn() {
        const worker = new external_node_worker_threads_.Worker(workerUrl());
        const slot = { worker, job: undefined };
        worker.on('message', (msg) => {
            const job = slot.job;
            slot.job = undefined;
            if (job) {
                const data = msg.data
                    ? Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength)
                    : job.data;
                if (msg.out)
                    job.resolve({ out: Buffer.from(msg.out.buffer, msg.out.byteOffset, msg.out.byteLength), data });
                else
                    job.reject(new Error(`deflate: ${msg.error ?? 'the worker failed'}`));
            }
            this.dispatch();
        });
        worker.on('error', (err) => {
            this.fail(slot, err);
        });
        worker.on('exit', (code) => {
            if (!this.closed)
                this.fail(slot, new Error(`deflate: a worker exited with code ${code}`));
        });
        this.slots.push(slot);
        return slot;
    }
    fail(slot, err) {
        const i = this.slots.indexOf(slot);
        if (i >= 0)
            this.slots.splice(i, 1);
        slot.job?.reject(err);
        slot.job = undefined;
        for (const job of this.queue.splice(0))
            job.reject(err);
    }
    async close() {
        this.closed = true;
        for (const job of this.queue.splice(0))
            job.reject(new Error('deflate: the pool was closed'));
        await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
    }
}
/**
 * Compressed files by the SHA-256 of their bytes, the level and the compressor (compressorId).
 * Entries are written atomically (temporary file, rename), so a crash leaves no half entry, and
 * each starts with the SHA-256 of the compressed bytes that follow: a damaged entry is a miss.
 */
class DeflateCache {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    key(data, level) {
        return `${(0,hash/* sha256Hex */.fg)(data)}-${level}-${compressorId()}`;
    }
    async get(key) {
        const file = external_node_path_.join(this.dir, `${key}.deflate`);
        let raw;
        try {
            raw = await promises_.readFile(file);
        }
        catch {
            return undefined;
        }
        const out = raw.subarray(32);
        if (raw.length < 32 || !(0,external_node_crypto_.createHash)('sha256').update(out).digest().equals(raw.subarray(0, 32))) {
            await promises_.rm(file, { force: true }).catch(() => undefined);
            return undefined;
        }
        // Mark it used, for pruning; a failure here is harmless.
        const now = new Date();
        await promises_.utimes(file, now, now).catch(() => undefined);
        return out;
    }
    async put(key, compressed) {
        const file = external_node_path_.join(this.dir, `${key}.deflate`);
        const tmp = `${file}.${(0,external_node_crypto_.randomBytes)(4).toString('hex')}.tmp`;
        try {
            await promises_.mkdir(this.dir, { recursive: true });
            await promises_.writeFile(tmp, Buffer.concat([(0,external_node_crypto_.createHash)('sha256').update(compressed).digest(), compressed]));
            await promises_.rename(tmp, file);
        }
        catch {
            // A cache that cannot be written (read-only home, full disk) only costs speed.
            await promises_.rm(tmp, { force: true }).catch(() => undefined);
        }
    }
    /** Removes the least recently used entries until the folder holds at most maxBytes. */
    async prune(maxBytes) {
        let names;
        try {
            names = (await promises_.readdir(this.dir)).filter((n) => n.endsWith('.deflate') || n.endsWith('.tmp'));
        }
        catch {
            return;
        }
        const entries = (await Promise.all(names.map(async (n) => {
            try {
                const st = await promises_.stat(external_node_path_.join(this.dir, n));
                return { n, size: st.size, used: st.mtimeMs };
            }
            catch {
                return undefined;
            }
        }))).filter((e) => e !== undefined);
        let total = entries.reduce((s, e) => s + e.size, 0);
        entries.sort((a, b) => a.used - b.used);
        for (const e of entries) {
            if (total <= maxBytes)
                break;
            await promises_.rm(external_node_path_.join(this.dir, e.n), { force: true }).catch(() => undefined);
            total -= e.size;
        }
    }
}
/** The default cache folder: $XDG_CACHE_HOME/nix-lambda/deflate, else ~/.cache/nix-lambda/deflate. */
function defaultCacheDir(env = process.env, home = env['HOME'] ?? '') {
    const base = env['XDG_CACHE_HOME'] || (home ? external_node_path_.join(home, '.cache') : '');
    if (!base)
        return undefined;
    try {
        external_node_fs_.mkdirSync(base, { recursive: true });
    }
    catch {
        return undefined;
    }
    return external_node_path_.join(base, 'nix-lambda', 'deflate');
}
function createDeflater(opts) {
    const pool = new DeflatePool(opts.workers);
    const cache = opts.cacheDir ? new DeflateCache(opts.cacheDir) : undefined;
    const stats = { cached: 0, compressed: 0, cachedBytes: 0 };
    return {
        stats,
        async deflate(data, transfer = false) {
            if (!cache || data.length < SMALL) {
                stats.compressed++;
                return pool.deflate(data, opts.level, transfer);
            }
            const key = cache.key(data, opts.level);
            const hit = await cache.get(key);
            if (hit) {
                stats.cached++;
                stats.cachedBytes += data.length;
                return { out: hit, data };
            }
            const r = await pool.deflate(data, opts.level, transfer);
            stats.compressed++;
            await cache.put(key, r.out);
            return r;
        },
        async close() {
            await pool.close();
            // Store paths never change, so the cache only grows: keep it bounded (self-hosted runners keep it).
            await cache?.prune(opts.cacheMaxBytes ?? DEFLATE_CACHE_MAX_BYTES);
        },
    };
}
function prefetchingDeflater(opts) {
    const inner = createDeflater(opts);
    const started = new Map();
    return {
        stats: inner.stats,
        prefetch(data) {
            if (started.has(data))
                return;
            const p = inner.deflate(data, false);
            p.catch(() => undefined); // taken (and its failure reported) by deflate(), or dropped at close
            started.set(data, p);
        },
        deflate(data, transfer = false) {
            const p = started.get(data);
            if (!p)
                return inner.deflate(data, transfer);
            started.delete(data);
            return p;
        },
        async close() {
            started.clear();
            await inner.close();
        },
    };
}


/***/ }),

/***/ 4632:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   $B: () => (/* binding */ localHeader),
/* harmony export */   H$: () => (/* binding */ centralDirectory),
/* harmony export */   I3: () => (/* binding */ checkName),
/* harmony export */   IB: () => (/* binding */ fileMode),
/* harmony export */   QR: () => (/* binding */ crc32),
/* harmony export */   Sd: () => (/* binding */ MAX_ENTRIES),
/* harmony export */   Tq: () => (/* binding */ FLAG_UTF8),
/* harmony export */   aA: () => (/* binding */ encodeName),
/* harmony export */   oT: () => (/* binding */ METHOD_DEFLATED),
/* harmony export */   pJ: () => (/* binding */ S_IFDIR),
/* harmony export */   q4: () => (/* binding */ MAX_U32),
/* harmony export */   xu: () => (/* binding */ tooBig),
/* harmony export */   y$: () => (/* binding */ METHOD_STORED)
/* harmony export */ });
/* unused harmony exports S_IFMT, S_IFREG, VERSION_MADE_BY, VERSION_NEEDED, DOS_TIME, DOS_DATE, LOCAL_HEADER, CENTRAL_HEADER, END_RECORD, SIG_LOCAL, SIG_CENTRAL, SIG_END, tableCrc32 */
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_0__);

/**
 * The zip format as this writer uses it (a pure module): the constants, CRC-32, entry names and
 * modes, and the local and central headers. No zip64, no extra fields, no data descriptors.
 */
/** Largest size or offset written: 0xffffffff itself means "look in the zip64 record" to readers. */
const MAX_U32 = 0xfffffffe;
/** Largest entry count: 0xffff itself means "look in the zip64 record" to readers. */
const MAX_ENTRIES = 0xfffe;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
const VERSION_NEEDED = 20;
const DOS_TIME = 0; // 00:00:00
const DOS_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const FLAG_UTF8 = 0x0800;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_RECORD = 22;
const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_END = 0x06054b50;
// ---------------------------------------------------------------------------------------------
// CRC-32
let crcTable;
/** Table-driven CRC-32 (IEEE), the fallback for Node versions without zlib.crc32 (before 20.15). */
function tableCrc32(data, value = 0) {
    if (!crcTable) {
        crcTable = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            crcTable[n] = c >>> 0;
        }
    }
    const table = crcTable;
    let c = ~value >>> 0;
    for (let i = 0; i < data.length; i++)
        c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    return ~c >>> 0;
}
const nativeCrc32 = node_zlib__WEBPACK_IMPORTED_MODULE_0__.crc32;
/** CRC-32 of `data`, continuing from `value`: zlib's when Node has it, else the table. */
const crc32 = typeof nativeCrc32 === 'function' ? (data, value = 0) => nativeCrc32(data, value) : tableCrc32;
// ---------------------------------------------------------------------------------------------
// Names and modes
function badName(name, why) {
    return new Error(`zip: invalid entry name ${JSON.stringify(name)}: ${why}`);
}
/** A valid entry name: relative, '/'-separated, no '..', '.', empty segment or NUL. */
function checkName(name) {
    if (typeof name !== 'string' || name.length === 0)
        throw badName(name, 'must be a non-empty string');
    if (name.startsWith('/'))
        throw badName(name, 'absolute paths are not allowed');
    if (/^[A-Za-z]:/.test(name))
        throw badName(name, 'drive-letter paths are not allowed');
    if (name.includes('\\'))
        throw badName(name, "use '/' as the separator, not '\\'");
    if (name.includes('\0'))
        throw badName(name, 'contains a NUL character');
    for (const segment of name.split('/')) {
        if (segment === '..')
            throw badName(name, "'..' segments are not allowed");
        if (segment === '.')
            throw badName(name, "'.' segments are not allowed");
        if (segment === '')
            throw badName(name, 'empty path segment (leading, trailing or doubled /)');
    }
    return name;
}
/** The name's UTF-8 bytes (at most 65535). */
function encodeName(name) {
    const bytes = Buffer.from(name, 'utf8');
    if (bytes.toString('utf8') !== name)
        throw badName(name, 'not well-formed Unicode');
    if (bytes.length > 0xffff)
        throw badName(name, 'longer than 65535 bytes');
    return bytes;
}
/** The st_mode an entry gets: a regular file, 0755 if any x bit is set, else 0644. */
function fileMode(name, mode) {
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o177777)
        throw new Error(`zip: invalid mode ${String(mode)} for ${JSON.stringify(name)}`);
    const type = mode & S_IFMT;
    if (type !== 0 && type !== S_IFREG)
        throw new Error(`zip: ${JSON.stringify(name)} has mode ${mode.toString(8)}, which is not a regular file`);
    return S_IFREG | ((mode & 0o111) !== 0 ? 0o755 : 0o644);
}
// ---------------------------------------------------------------------------------------------
// Headers
function tooBig(what, value) {
    return new Error(`zip: ${what} would be ${value} bytes, past the 4 GiB limit of a zip without zip64 (Lambda's own limit is 250 MB unzipped)`);
}
function localHeader(entry, flags, p) {
    const h = Buffer.allocUnsafe(LOCAL_HEADER + entry.nameBytes.length);
    h.writeUInt32LE(SIG_LOCAL, 0);
    h.writeUInt16LE(VERSION_NEEDED, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt16LE(p.method, 8);
    h.writeUInt16LE(DOS_TIME, 10);
    h.writeUInt16LE(DOS_DATE, 12);
    h.writeUInt32LE(p.crc, 14);
    h.writeUInt32LE(p.compressedSize, 18);
    h.writeUInt32LE(p.size, 22);
    h.writeUInt16LE(entry.nameBytes.length, 26);
    h.writeUInt16LE(0, 28);
    entry.nameBytes.copy(h, LOCAL_HEADER);
    return h;
}
function centralDirectory(records, cdOffset) {
    let cdSize = 0;
    for (const r of records)
        cdSize += CENTRAL_HEADER + r.entry.nameBytes.length;
    if (cdSize > MAX_U32)
        throw tooBig('the central directory', cdSize);
    if (cdOffset > MAX_U32)
        throw tooBig('the central directory offset', cdOffset);
    const out = Buffer.alloc(cdSize + END_RECORD);
    let at = 0;
    for (const p of records) {
        const { entry, flags, offset } = p;
        out.writeUInt32LE(SIG_CENTRAL, at);
        out.writeUInt16LE(VERSION_MADE_BY, at + 4);
        out.writeUInt16LE(VERSION_NEEDED, at + 6);
        out.writeUInt16LE(flags, at + 8);
        out.writeUInt16LE(p.method, at + 10);
        out.writeUInt16LE(DOS_TIME, at + 12);
        out.writeUInt16LE(DOS_DATE, at + 14);
        out.writeUInt32LE(p.crc, at + 16);
        out.writeUInt32LE(p.compressedSize, at + 20);
        out.writeUInt32LE(p.size, at + 24);
        out.writeUInt16LE(entry.nameBytes.length, at + 28);
        // extra length, comment length, disk number, internal attributes: 0 (Buffer.alloc zeroed them)
        out.writeUInt32LE((entry.mode << 16) >>> 0, at + 38);
        out.writeUInt32LE(offset, at + 42);
        entry.nameBytes.copy(out, at + CENTRAL_HEADER);
        at += CENTRAL_HEADER + entry.nameBytes.length;
    }
    out.writeUInt32LE(SIG_END, at);
    // disk numbers: 0
    out.writeUInt16LE(records.length, at + 8);
    out.writeUInt16LE(records.length, at + 10);
    out.writeUInt32LE(cdSize, at + 12);
    out.writeUInt32LE(cdOffset, at + 16);
    // comment length: 0
    return out;
}


/***/ }),

/***/ 8817:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  z: () => (/* binding */ writeZip)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/zip/deflate.ts + 1 modules
var deflate = __webpack_require__(6117);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/util/signals.ts
var signals = __webpack_require__(6089);
;// CONCATENATED MODULE: ./src/zip/output.ts




/**
 * The zip file being written (write.ts): a temporary file beside the target, removed when the
 * job is cancelled or the process exits before it is renamed over the target; writes gathered
 * into large writev calls; the SHA-256 computed as the bytes go out.
 */
const MiB = 1024 * 1024;
/** Write to the file once this much is pending. */
const FLUSH_BYTES = 1 * MiB;
const FLUSH_BUFFERS = 256;
/** The zip file as it is written: buffered writes, the running SHA-256 of what went out. */
class Output {
    fh;
    offset = 0;
    pending = [];
    pendingBytes = 0;
    hash = (0,external_node_crypto_.createHash)('sha256');
    constructor(fh) {
        this.fh = fh;
    }
    push(buf) {
        if (buf.length === 0)
            return;
        this.hash.update(buf);
        this.pending.push(buf);
        this.pendingBytes += buf.length;
        this.offset += buf.length;
    }
    async maybeFlush() {
        if (this.pendingBytes >= FLUSH_BYTES || this.pending.length >= FLUSH_BUFFERS)
            await this.flush();
    }
    async flush() {
        let bufs = this.pending;
        let left = this.pendingBytes;
        this.pending = [];
        this.pendingBytes = 0;
        while (left > 0) {
            const { bytesWritten } = await this.fh.writev(bufs);
            if (bytesWritten <= 0)
                throw new Error('zip: write made no progress');
            left -= bytesWritten;
            if (left === 0)
                break;
            // A short write: drop what went out and write the rest.
            let skip = bytesWritten;
            const rest = [];
            for (const b of bufs) {
                if (skip >= b.length)
                    skip -= b.length;
                else {
                    rest.push(skip > 0 ? b.subarray(skip) : b);
                    skip = 0;
                }
            }
            bufs = rest;
        }
    }
    digest() {
        return this.hash.digest();
    }
}
/**
 * Temporary zips being written: a cancelled job (SIGINT, SIGTERM) or a process.exit removes them
 * first, so no `.NAME.PID.RANDOM.tmp` is left beside zip-path.
 */
const pendingTemps = new Set();
let stopWatching;
function removePendingTemps() {
    for (const f of pendingTemps) {
        try {
            external_node_fs_.rmSync(f, { force: true });
        }
        catch {
            // already gone, or not ours to remove any more
        }
    }
    pendingTemps.clear();
}
function trackTemp(file) {
    if (pendingTemps.size === 0) {
        process.on('exit', removePendingTemps);
        const stopSignals = (0,signals/* onTermination */.o)(removePendingTemps);
        stopWatching = () => {
            process.off('exit', removePendingTemps);
            stopSignals();
        };
    }
    pendingTemps.add(file);
}
function untrackTemp(file) {
    if (!pendingTemps.delete(file))
        return;
    if (pendingTemps.size === 0) {
        stopWatching?.();
        stopWatching = undefined;
    }
}
/** Creates the temporary file (mode 0644, never an existing one). */
async function openTemp(tmp, target) {
    try {
        return await promises_.open(tmp, 'wx', 0o644);
    }
    catch (err) {
        throw new Error(`zip: cannot create a temporary file next to ${target}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
}

// EXTERNAL MODULE: ./src/zip/format.ts
var format = __webpack_require__(4632);
;// CONCATENATED MODULE: ./src/zip/write.ts
/**
 * The Lambda deployment zip: byte-reproducible, with Unix modes, deflated in parallel.
 *
 * Determinism: entries are sorted by the bytes of their names, every parent folder gets an entry,
 * every timestamp is the DOS minimum (1980-01-01 00:00:00), modes are normalised to 0755/0644,
 * and no extra fields, comments or data descriptors are written. The same sources at the same
 * level give the same bytes, whatever the concurrency, the cache or the order of `sources`.
 *
 * Speed: files are deflated with libdeflate on worker threads, largest first (deflate.ts),
 * optionally through a cache of compressed files keyed by content. Entries are written in order
 * as soon as they are ready, and the SHA-256 is computed as the bytes go out.
 */






const KiB = 1024;
const write_MiB = 1024 * KiB;
function deferred() {
    let resolve;
    let reject;
    const ready = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
    });
    // Entries that fail after the writer has stopped waiting must not become unhandled rejections.
    ready.catch(() => undefined);
    return { ready, resolve, reject };
}
const EMPTY = { method: format/* METHOD_STORED */.y$, crc: 0, size: 0, compressedSize: 0, parts: [] };
function plan(sources) {
    const files = new Map();
    const dirs = new Set();
    for (const source of sources) {
        const name = (0,format/* checkName */.I3)(source.name);
        if (files.has(name))
            throw new Error(`zip: duplicate entry name ${JSON.stringify(name)}`);
        files.set(name, source);
        let slash = name.indexOf('/');
        while (slash !== -1) {
            dirs.add(name.slice(0, slash));
            slash = name.indexOf('/', slash + 1);
        }
    }
    for (const dir of dirs)
        if (files.has(dir))
            throw new Error(`zip: ${JSON.stringify(dir)} is both a file and a folder`);
    const planned = [];
    for (const [name, source] of files) {
        planned.push({
            name,
            nameBytes: (0,format/* encodeName */.aA)(name),
            isDirectory: false,
            mode: (0,format/* fileMode */.IB)(name, source.mode),
            source,
            held: 0,
            ...deferred(),
        });
    }
    for (const dir of dirs) {
        const name = `${dir}/`;
        const d = deferred();
        d.resolve({ ...EMPTY, parts: [] });
        planned.push({
            name,
            nameBytes: (0,format/* encodeName */.aA)(name),
            isDirectory: true,
            mode: format/* S_IFDIR */.pJ | 0o755,
            held: 0,
            ...d,
        });
    }
    planned.sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes));
    if (planned.length > format/* MAX_ENTRIES */.Sd)
        throw new Error(`zip: ${planned.length} entries (files and folders) is more than a zip without zip64 can hold (${format/* MAX_ENTRIES */.Sd})`);
    return planned;
}
function resolveOptions(opts) {
    const level = opts.level ?? 6;
    if (!Number.isInteger(level) || level < 0 || level > 12)
        throw new Error(`zip: level must be an integer from 0 to 12, got ${level}`);
    const concurrency = opts.concurrency ?? (0,deflate/* defaultWorkers */.Vs)();
    if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error(`zip: concurrency must be a positive integer, got ${concurrency}`);
    return {
        level,
        workers: Math.min(concurrency, 8),
        cacheDir: opts.cacheDir,
        cacheMaxBytes: opts.cacheMaxBytes,
        transfer: opts.transferSources ?? false,
    };
}
// ---------------------------------------------------------------------------------------------
// Compression
async function compress(data, o, deflater) {
    const size = data.length;
    const crc = size === 0 ? 0 : (0,format/* crc32 */.QR)(data);
    const stored = (bytes) => ({
        method: format/* METHOD_STORED */.y$,
        crc,
        size,
        compressedSize: size,
        parts: size > 0 ? [bytes] : [],
    });
    if (size === 0 || o.level === 0)
        return stored(data);
    const { out, data: back } = await deflater.deflate(data, o.transfer);
    if (out.length >= size)
        return stored(back);
    return { method: format/* METHOD_DEFLATED */.oT, crc, size, compressedSize: out.length, parts: [out] };
}
function sourceBytes(e) {
    return e.source && Buffer.isBuffer(e.source.data) ? e.source.data.length : 0;
}
async function load(source, name) {
    let data;
    try {
        data = typeof source.data === 'function' ? await source.data() : source.data;
    }
    catch (err) {
        throw new Error(`zip: could not read ${JSON.stringify(name)}: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
        });
    }
    if (!(data instanceof Uint8Array))
        throw new Error(`zip: the data for ${JSON.stringify(name)} is not a Buffer`);
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (buf.length > format/* MAX_U32 */.q4)
        throw new Error(`zip: ${JSON.stringify(name)} is ${buf.length} bytes, more than a zip without zip64 can hold`);
    return buf;
}
// ---------------------------------------------------------------------------------------------
// Feeding the compressors
/**
 * Loads the sources and starts compressing them. Sources already in memory start largest first,
 * so the longest job never starts last (the output is still written in name order); loaders go
 * in name order, holding at most BUDGET loaded bytes that are not written yet.
 */
class Feed {
    entries;
    o;
    deflater;
    static BUDGET = 64 * write_MiB;
    held = 0;
    heldEntries = 0;
    stopped = false;
    wake;
    inMemory;
    constructor(entries, o, deflater) {
        this.entries = entries;
        this.o = o;
        this.deflater = deflater;
        this.inMemory = entries.every((e) => !e.source || Buffer.isBuffer(e.source.data));
    }
    /** Starts every entry's compression; never rejects (a failure rejects that entry). */
    async run() {
        const order = this.inMemory
            ? [...this.entries].sort((a, b) => sourceBytes(b) - sourceBytes(a))
            : this.entries;
        for (const entry of order) {
            if (!entry.source)
                continue;
            while (!this.inMemory && !this.stopped && this.heldEntries > 0 && this.held >= Feed.BUDGET)
                await new Promise((resolve) => {
                    this.wake = resolve;
                });
            if (this.stopped)
                return;
            let data;
            try {
                data = await load(entry.source, entry.name);
            }
            catch (err) {
                entry.reject(err);
                this.stopped = true;
                return;
            }
            this.held += data.length;
            this.heldEntries++;
            entry.held = data.length;
            compress(data, this.o, this.deflater).then(entry.resolve, entry.reject);
        }
    }
    /** The entry is written: its bytes no longer count against the budget. */
    release(entry) {
        if (!entry.source)
            return;
        this.held -= entry.held;
        this.heldEntries--;
        entry.held = 0;
        this.resume();
    }
    stop() {
        this.stopped = true;
        this.resume();
    }
    resume() {
        const w = this.wake;
        this.wake = undefined;
        w?.();
    }
}
// ---------------------------------------------------------------------------------------------
// writeZip
/**
 * Write `sources` as a deterministic zip at `outPath`, through a temporary file in the same
 * folder that is renamed over `outPath` only once complete. On failure `outPath` is untouched.
 */
async function writeZip(sources, outPath, opts = {}) {
    const o = resolveOptions(opts);
    const entries = plan(sources);
    const target = external_node_path_.resolve(outPath);
    const tmp = external_node_path_.join(external_node_path_.dirname(target), `.${external_node_path_.basename(target)}.${process.pid}.${(0,external_node_crypto_.randomBytes)(6).toString('hex')}.tmp`);
    const deflater = opts.deflater ??
        (0,deflate/* createDeflater */.OZ)({
            level: o.level,
            workers: o.workers,
            cacheDir: o.cacheDir,
            cacheMaxBytes: o.cacheMaxBytes,
        });
    const feed = new Feed(entries, o, deflater);
    const fh = await openTemp(tmp, target);
    trackTemp(tmp);
    let open = true;
    let feeding;
    try {
        feeding = feed.run();
        const out = new Output(fh);
        const unzippedBytes = await writeEntries(entries, out, feed);
        const digest = out.digest();
        open = false;
        await fh.close();
        await promises_.rename(tmp, target);
        return {
            cached: { entries: deflater.stats.cached, bytes: deflater.stats.cachedBytes },
            path: target,
            bytes: out.offset,
            entries: entries.length,
            unzippedBytes,
            codeSha256: digest.toString('base64'),
        };
    }
    catch (err) {
        feed.stop();
        if (open)
            await fh.close().catch(() => undefined);
        await promises_.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
    }
    finally {
        untrackTemp(tmp);
        feed.stop();
        // The feed never rejects; wait for it so no loader runs after we return.
        await feeding;
        if (!opts.deflater)
            await deflater.close();
    }
}
/** Writes every entry, in order, as soon as it is compressed, then the central directory. Returns the bytes unzipped. */
async function writeEntries(entries, out, feed) {
    const records = [];
    let unzippedBytes = 0;
    for (const entry of entries) {
        const prepared = await entry.ready;
        if (out.offset > format/* MAX_U32 */.q4)
            throw (0,format/* tooBig */.xu)(`the offset of ${JSON.stringify(entry.name)}`, out.offset);
        const flags = entry.nameBytes.some((b) => b >= 0x80) ? format/* FLAG_UTF8 */.Tq : 0;
        const { method, crc, compressedSize, size, parts } = prepared;
        records.push({ entry, flags, method, crc, compressedSize, size, offset: out.offset });
        out.push((0,format/* localHeader */.$B)(entry, flags, prepared));
        for (const part of parts)
            out.push(part);
        // The resolved promise keeps `prepared` alive: let the data go once it is out.
        prepared.parts = [];
        unzippedBytes += size;
        await out.maybeFlush();
        feed.release(entry);
    }
    out.push((0,format/* centralDirectory */.H$)(records, out.offset));
    await out.flush();
    return unzippedBytes;
}


/***/ }),

/***/ 975:
/***/ ((module, __unused_webpack_exports, __webpack_require__) => {

module.exports = __webpack_require__.p + "565e11bcad8af20c920d.mjs";

/***/ })

};
