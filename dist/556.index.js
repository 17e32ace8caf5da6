export const id = 556;
export const ids = [556];
export const modules = {

/***/ 8556:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  DEFAULT_DEPLOY_OPTIONS: () => (/* binding */ DEFAULT_DEPLOY_OPTIONS),
  deploy: () => (/* binding */ deploy),
  deployOptions: () => (/* binding */ deployOptions),
  runDeploy: () => (/* binding */ runDeploy)
});

// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/limits.ts
var limits = __webpack_require__(351);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-lambda/dist-cjs/index.js
var dist_cjs = __webpack_require__(1696);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var client_s3_dist_cjs = __webpack_require__(3711);
;// CONCATENATED MODULE: ./src/deploy/clients.ts


/** S3 needs path-style addressing when pointed at a custom endpoint (a local server has no bucket subdomains). */
function customS3Endpoint(env = process.env) {
    return Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
}
function makeClients(region, credentials, opts, env = process.env) {
    const common = {
        region,
        maxAttempts: opts.maxAttempts,
        retryMode: opts.retryMode,
        // A silent connection fails with TimeoutError, which the SDK retries like a dropped one.
        requestHandler: { connectionTimeout: opts.connectTimeoutMs, socketTimeout: opts.socketTimeoutMs },
        ...(credentials ? { credentials } : {}),
    };
    return {
        lambda: new dist_cjs/* LambdaClient */.Nox(common),
        s3: new client_s3_dist_cjs.S3Client({ ...common, ...(customS3Endpoint(env) ? { forcePathStyle: true } : {}) }),
    };
}
function destroyClients(c) {
    c.lambda.destroy();
    c.s3.destroy();
}

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var client_sts_dist_cjs = __webpack_require__(1695);
// EXTERNAL MODULE: ./src/exec.ts
var exec = __webpack_require__(3190);
;// CONCATENATED MODULE: ./src/deploy/aws-errors.ts


/**
 * Turns AWS SDK errors into messages a workflow author can act on: which call,
 * which permission, what to do next.
 */
/** The IAM action each call of the stage needs. */
const PERMISSIONS = {
    GetFunction: 'lambda:GetFunction',
    GetFunctionConfiguration: 'lambda:GetFunctionConfiguration',
    UpdateFunctionCode: 'lambda:UpdateFunctionCode',
    UpdateFunctionConfiguration: 'lambda:UpdateFunctionConfiguration',
    PublishVersion: 'lambda:PublishVersion',
    ListVersionsByFunction: 'lambda:ListVersionsByFunction',
    GetAlias: 'lambda:GetAlias',
    CreateAlias: 'lambda:CreateAlias',
    UpdateAlias: 'lambda:UpdateAlias',
    CreateFunction: 'lambda:CreateFunction (and iam:PassRole on the execution role)',
    PutObject: 's3:PutObject',
    CreateMultipartUpload: 's3:PutObject',
    UploadPart: 's3:PutObject',
    CompleteMultipartUpload: 's3:PutObject',
    AssumeRoleWithWebIdentity: 'sts:AssumeRoleWithWebIdentity',
};
function awsError(err) {
    const e = err;
    return {
        name: typeof e?.name === 'string' ? e.name : 'Error',
        message: typeof e?.message === 'string' ? e.message : String(err),
        status: e?.$metadata?.httpStatusCode,
    };
}
function isAwsError(err, ...names) {
    return names.includes(awsError(err).name);
}
const CREDENTIAL_ERRORS = new Set([
    'UnrecognizedClientException',
    'InvalidSignatureException',
    'ExpiredTokenException',
    'InvalidClientTokenId',
    'SignatureDoesNotMatch',
    'CredentialsProviderError',
]);
/**
 * Wraps an error of `operation` on `target` into an ActionError: access denied
 * names the permission; bad credentials say where credentials come from.
 */
function explainAwsError(err, operation, target) {
    if (err instanceof src_errors/* ActionError */.lZ)
        return err;
    const { name, message, status } = awsError(err);
    const detail = (0,exec/* scrubSecrets */.Zg)(message);
    const isS3 = PERMISSIONS[operation]?.startsWith('s3:') ?? false;
    if (name === 'AccessDeniedException' ||
        name === 'AccessDenied' ||
        (status === 403 && !CREDENTIAL_ERRORS.has(name))) {
        const permission = PERMISSIONS[operation] ?? operation;
        return new src_errors/* ActionError */.lZ('Access denied', `${operation} on ${target} was denied: the deploy role needs the permission ${permission}` +
            `${isS3 ? '' : ` on ${target}`}. AWS said: ${detail}`, { cause: err });
    }
    if (CREDENTIAL_ERRORS.has(name))
        return new src_errors/* ActionError */.lZ('AWS credentials rejected', `${operation} on ${target}: ${name}: ${detail}. Give the job valid credentials: role-to-assume (OIDC), ` +
            'aws-actions/configure-aws-credentials, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.', { cause: err });
    return new src_errors/* ActionError */.lZ(`${operation} failed`, `${operation} on ${target} failed: ${name}: ${detail}`, {
        cause: err,
    });
}
/** Runs one AWS call, turning its failure into an explained ActionError unless `keep` says the caller handles it. */
async function awsCall(operation, target, fn, keep = () => false) {
    try {
        return await fn();
    }
    catch (err) {
        if (keep(err))
            throw err;
        throw explainAwsError(err, operation, target);
    }
}

;// CONCATENATED MODULE: ./src/deploy/credentials.ts





/**
 * Credentials for the deploy. Without role-to-assume, the SDK's default chain
 * (environment, profiles, web identity file, container and instance roles) is
 * left to the SDK. With role-to-assume, GitHub's OIDC token is exchanged with
 * STS AssumeRoleWithWebIdentity, and the temporary keys are masked at once.
 */
const OIDC_AUDIENCE = 'sts.amazonaws.com';
/** A RoleSessionName STS accepts ([\w+=,.@-]{2,64}) that says which run made the change. */
function sessionName(env = process.env) {
    const parts = ['nix-lambda', env['GITHUB_RUN_ID'], env['GITHUB_RUN_ATTEMPT']].filter(Boolean).join('-');
    return parts.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
async function assumeRoleWithOidc(roleArn, region, log, opts, env = process.env) {
    if (!env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
        throw new src_errors/* ActionError */.lZ('No OIDC token', "role-to-assume needs GitHub's OIDC token, but ACTIONS_ID_TOKEN_REQUEST_URL is not set: add `permissions: id-token: write` to the job. " +
            '(Pull requests from forks never get a token; there, deploy with another trigger or leave deploy out of `stages`.)');
    let token;
    try {
        token = await core/* getIDToken */.V9(OIDC_AUDIENCE);
    }
    catch (err) {
        throw new src_errors/* ActionError */.lZ('No OIDC token', `could not get GitHub's OIDC token: ${err.message}`, {
            cause: err,
        });
    }
    (0,exec/* registerSecret */.cl)(token);
    log.setSecret(token);
    const sts = new client_sts_dist_cjs/* STSClient */.iM({ region, maxAttempts: opts.maxAttempts, retryMode: opts.retryMode });
    try {
        const out = await sts.send(new client_sts_dist_cjs/* AssumeRoleWithWebIdentityCommand */.WH({
            RoleArn: roleArn,
            RoleSessionName: sessionName(env),
            WebIdentityToken: token,
        }));
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
            throw new src_errors/* ActionError */.lZ('AssumeRoleWithWebIdentity failed', `STS returned no credentials for ${roleArn}.`);
        for (const secret of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken]) {
            log.setSecret(secret);
            (0,exec/* registerSecret */.cl)(secret);
        }
        log.info(`Assumed ${out.AssumedRoleUser?.Arn ?? roleArn} with the workflow's OIDC token.`);
        return {
            accessKeyId: c.AccessKeyId,
            secretAccessKey: c.SecretAccessKey,
            sessionToken: c.SessionToken,
            ...(c.Expiration ? { expiration: c.Expiration } : {}),
        };
    }
    catch (err) {
        if (err instanceof src_errors/* ActionError */.lZ)
            throw err;
        const e = explainAwsError(err, 'AssumeRoleWithWebIdentity', roleArn);
        throw new src_errors/* ActionError */.lZ('Could not assume the role', `${e.message}\nCheck the role's trust policy: it must trust token.actions.githubusercontent.com as a federated principal, ` +
            `with audience ${OIDC_AUDIENCE} and a sub condition matching this repository (and branch or environment).`, { cause: err });
    }
    finally {
        sts.destroy();
    }
}

;// CONCATENATED MODULE: ./src/deploy/configuration.ts

const SET = '(set)';
const NEW_VALUE = '(new value)';
/** The variables the function should end up with, or undefined to leave them as they are. */
function desiredEnvironment(current, inputs, runtimeEnv) {
    const user = inputs.environment;
    // What the bundle needs, unless the workflow sets the same names itself.
    const needed = Object.fromEntries(Object.entries(runtimeEnv).filter(([k]) => !(user && k in user)));
    if (!user)
        return { ...current, ...needed };
    if (inputs.environmentMode === 'replace')
        return { ...needed, ...user };
    return { ...current, ...needed, ...user };
}
/** Per-variable changes, by name only: values never leave this function. */
function environmentChanges(fn, from, to) {
    const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    const changes = [];
    for (const name of names) {
        const a = from[name];
        const b = to[name];
        if (a === b)
            continue;
        changes.push({
            function: fn,
            setting: `Environment.${name}`,
            from: a === undefined ? null : SET,
            to: b === undefined ? null : a === undefined ? SET : NEW_VALUE,
        });
    }
    return changes;
}
function sameList(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
}
/** Compares the inputs with the function's configuration (from GetFunction) and plans the update. */
function planConfiguration(fn, current, inputs, runtimeEnv) {
    const update = {};
    const changes = [];
    const note = (setting, from, to) => {
        changes.push({ function: fn, setting, from, to });
    };
    if (inputs.memorySize !== undefined && inputs.memorySize !== current.MemorySize) {
        update.MemorySize = inputs.memorySize;
        note('MemorySize', current.MemorySize ?? null, inputs.memorySize);
    }
    if (inputs.timeout !== undefined && inputs.timeout !== current.Timeout) {
        update.Timeout = inputs.timeout;
        note('Timeout', current.Timeout ?? null, inputs.timeout);
    }
    if (inputs.description !== undefined && inputs.description !== (current.Description ?? '')) {
        update.Description = inputs.description;
        note('Description', current.Description ?? '', inputs.description);
    }
    if (inputs.layers !== undefined) {
        const now = (current.Layers ?? []).map((l) => l.Arn ?? '');
        if (!sameList(now, inputs.layers)) {
            update.Layers = [...inputs.layers];
            note('Layers', now, [...inputs.layers]);
        }
    }
    if (inputs.ephemeralStorage !== undefined) {
        const now = current.EphemeralStorage?.Size ?? 512;
        if (now !== inputs.ephemeralStorage) {
            update.EphemeralStorage = { Size: inputs.ephemeralStorage };
            note('EphemeralStorage', now, inputs.ephemeralStorage);
        }
    }
    const currentEnv = current.Environment?.Variables ?? {};
    const wanted = desiredEnvironment(currentEnv, inputs, runtimeEnv);
    const envChanges = environmentChanges(fn, currentEnv, wanted);
    if (envChanges.length > 0) {
        const readError = current.Environment?.Error;
        if (readError)
            throw new src_errors/* ActionError */.lZ('Environment unreadable', `${fn}: Lambda could not decrypt the function's environment (${readError.ErrorCode ?? 'error'}: ${readError.Message ?? ''}), ` +
                'so it cannot be changed without losing variables. Fix the KMS key access first.');
        update.Environment = { Variables: wanted };
        changes.push(...envChanges);
    }
    return { update, changes };
}
/** Settings of a function being created: what the workflow sets (Lambda's defaults for the rest) plus what the bundle needs. */
function creationSettings(fn, inputs, runtimeEnv) {
    const settings = {};
    const changes = [];
    if (inputs.memorySize !== undefined) {
        settings.MemorySize = inputs.memorySize;
        changes.push({ function: fn, setting: 'MemorySize', from: null, to: inputs.memorySize });
    }
    if (inputs.timeout !== undefined) {
        settings.Timeout = inputs.timeout;
        changes.push({ function: fn, setting: 'Timeout', from: null, to: inputs.timeout });
    }
    if (inputs.description !== undefined) {
        settings.Description = inputs.description;
        changes.push({ function: fn, setting: 'Description', from: null, to: inputs.description });
    }
    if (inputs.layers !== undefined && inputs.layers.length > 0) {
        settings.Layers = [...inputs.layers];
        changes.push({ function: fn, setting: 'Layers', from: null, to: [...inputs.layers] });
    }
    if (inputs.ephemeralStorage !== undefined) {
        settings.EphemeralStorage = { Size: inputs.ephemeralStorage };
        changes.push({ function: fn, setting: 'EphemeralStorage', from: null, to: inputs.ephemeralStorage });
    }
    const env = desiredEnvironment({}, inputs, runtimeEnv);
    if (Object.keys(env).length > 0) {
        settings.Environment = { Variables: env };
        changes.push(...environmentChanges(fn, {}, env));
    }
    return { settings, changes };
}
/** One log line per change; environment values are never printed. */
function describeChange(c) {
    const show = (v) => v === null
        ? '(unset)'
        : Array.isArray(v)
            ? `[${v.join(', ')}]`
            : typeof v === 'string'
                ? JSON.stringify(v)
                : String(v);
    if (c.setting.startsWith('Environment.')) {
        const name = c.setting.slice('Environment.'.length);
        return c.from === null
            ? `environment: add ${name}`
            : c.to === null
                ? `environment: remove ${name}`
                : `environment: change ${name}`;
    }
    return `${c.setting}: ${show(c.from)} -> ${show(c.to)}`;
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/lib-storage/dist-cjs/index.js
var lib_storage_dist_cjs = __webpack_require__(2358);
// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./node_modules/adm-zip/adm-zip.js
var adm_zip = __webpack_require__(1316);
var adm_zip_default = /*#__PURE__*/__webpack_require__.n(adm_zip);
;// CONCATENATED MODULE: ./src/deploy/zipinfo.ts




/**
 * The zip to deploy: the package stage's, or (deploy-only runs) an existing
 * zip whose architecture is read from its bootstrap's ELF header.
 */
/** base64 of the raw SHA-256, as Lambda's CodeSha256. */
function codeSha256(bytes) {
    return (0,external_node_crypto_.createHash)('sha256').update(bytes).digest('base64');
}
/** Hex form of a base64 CodeSha256 (for S3 keys). */
function sha256Hex(base64) {
    return Buffer.from(base64, 'base64').toString('hex');
}
/** Lambda's architecture of an ELF header: e_machine (offset 18, little-endian u16) 62 is x86_64, 183 arm64. */
function elfArchitecture(header, name = 'bootstrap') {
    if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46)
        throw new src_errors/* ActionError */.lZ('Not an ELF bootstrap', `${name} is not an ELF executable; this action deploys a native bootstrap (x86_64 or arm64 ELF).`);
    if (header[4] !== 2 || header[5] !== 1)
        throw new src_errors/* ActionError */.lZ('Unsupported architecture', `${name} is not a 64-bit little-endian ELF; Lambda runs x86_64 and arm64 programs only.`);
    const machine = header.readUInt16LE(18);
    if (machine === 62)
        return 'x86_64';
    if (machine === 183)
        return 'arm64';
    throw new src_errors/* ActionError */.lZ('Unsupported architecture', `${name} is an ELF for machine ${machine}; Lambda runs x86_64 (62) and arm64 (183) programs only.`);
}
/** Reads an existing zip (deploy without the package stage). */
async function readZip(zipPath) {
    let bytes;
    try {
        bytes = await promises_.readFile(zipPath);
    }
    catch (err) {
        throw new src_errors/* ActionError */.lZ('Zip not found', `Input \`zip-path\`: could not read the zip to deploy, ${zipPath}: ${err.message}`);
    }
    let header;
    try {
        const zip = new (adm_zip_default())(bytes);
        const entry = zip.getEntry('bootstrap');
        if (!entry || entry.isDirectory)
            throw new src_errors/* ActionError */.lZ('No bootstrap in the zip', `Input \`zip-path\`: ${zipPath} has no \`bootstrap\` file at its root; Lambda's provided runtimes run /var/task/bootstrap.`);
        header = entry.getData();
    }
    catch (err) {
        if (err instanceof src_errors/* ActionError */.lZ)
            throw err;
        throw new src_errors/* ActionError */.lZ('Not a zip', `Input \`zip-path\`: ${zipPath} is not a readable zip: ${err.message}`);
    }
    return {
        path: zipPath,
        bytes,
        sha256: codeSha256(bytes),
        architecture: elfArchitecture(header, `Input \`zip-path\`: the bootstrap in ${zipPath}`),
        runtimeEnv: {},
    };
}
/** The zip the package stage wrote. Its bytes are read again and checked against the recorded hash. */
async function packagedZip(pkg) {
    const bytes = await promises_.readFile(pkg.zipPath);
    const sha = codeSha256(bytes);
    if (sha !== pkg.zipSha256)
        throw new src_errors/* ActionError */.lZ('Zip changed', `${pkg.zipPath} no longer has the SHA-256 the package stage recorded (${pkg.zipSha256}, now ${sha}); something rewrote it between the stages.`);
    return {
        path: pkg.zipPath,
        bytes,
        sha256: sha,
        architecture: pkg.architecture,
        runtimeEnv: { ...pkg.runtimeEnv },
    };
}

;// CONCATENATED MODULE: ./src/deploy/s3.ts




/**
 * Uploads the zip to S3 for UpdateFunctionCode/CreateFunction with
 * S3Bucket/S3Key: a single PutObject for small zips, a multipart upload
 * (parts in parallel, each retried by the SDK) for large ones.
 */
/** The default key: nix-lambda/<function name>/<CodeSha256 as hex>.zip. */
function defaultS3Key(functionName, codeSha256) {
    const name = /:function:([^:]+)/.exec(functionName)?.[1] ?? functionName;
    return `nix-lambda/${name}/${sha256Hex(codeSha256)}.zip`;
}
async function uploadZip(s3, bucket, key, body, codeSha256, partSize) {
    const upload = new lib_storage_dist_cjs/* Upload */._({
        client: s3,
        params: {
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/zip',
            Metadata: { 'code-sha256': codeSha256 },
        },
        partSize,
        queueSize: 4,
        leavePartsOnError: false,
    });
    try {
        await upload.done();
    }
    catch (err) {
        const op = upload.uploadId ? 'CreateMultipartUpload' : 'PutObject';
        const e = explainAwsError(err, op, `s3://${bucket}/${key}`);
        throw new src_errors/* ActionError */.lZ(e.title === 'Access denied' ? e.title : 'S3 upload failed', `${e.message}\nThe bucket must be in the function's Region; the deploy role needs s3:PutObject (and s3:AbortMultipartUpload) on it.`, { cause: err });
    }
}

;// CONCATENATED MODULE: ./src/deploy/function.ts






function functionArch(cfg) {
    return cfg.Architectures?.[0] ?? 'x86_64';
}
async function getFunction(env, fn) {
    const out = await awsCall('GetFunction', fn, () => env.clients.lambda.send(new dist_cjs/* GetFunctionCommand */.YF5({ FunctionName: fn })));
    if (!out.Configuration)
        throw new src_errors/* ActionError */.lZ('GetFunction failed', `GetFunction on ${fn} returned no configuration.`);
    return out.Configuration;
}
function waiterConfig(env) {
    const minDelay = env.opts.pollDelaySeconds;
    return {
        client: env.clients.lambda,
        minDelay,
        maxDelay: Math.max(minDelay, env.opts.pollMaxDelaySeconds),
        maxWaitTime: Math.max(env.inputs.waitTimeoutSeconds, minDelay * 2),
    };
}
/**
 * Waits until LastUpdateStatus is no longer InProgress (GetFunction polls).
 * Failed is an error, unless `othersUpdate` (waiting out someone else's update
 * before ours: the function then simply kept its previous state).
 */
async function waitUpdated(env, fn, othersUpdate = false) {
    try {
        const r = await (0,dist_cjs/* waitUntilFunctionUpdatedV2 */.rWV)(waiterConfig(env), { FunctionName: fn });
        const cfg = r.final?.Configuration;
        return cfg ?? (await getFunction(env, fn));
    }
    catch (err) {
        if (awsError(err).name === 'TimeoutError')
            throw new src_errors/* ActionError */.lZ('Update timed out', `${fn}: the update was still in progress after ${env.inputs.waitTimeoutSeconds} s (wait-timeout-seconds). ` +
                'It goes on in AWS: check the function in the console, then re-run, or raise wait-timeout-seconds.', { cause: err });
        const cfg = await getFunction(env, fn);
        if (cfg.LastUpdateStatus === 'Failed') {
            if (othersUpdate)
                return cfg;
            throw new src_errors/* ActionError */.lZ('Update failed', `${fn}: Lambda could not apply the update: LastUpdateStatus Failed` +
                `${cfg.LastUpdateStatusReasonCode ? ` (${cfg.LastUpdateStatusReasonCode})` : ''}: ${cfg.LastUpdateStatusReason ?? 'no reason given'}.`, { cause: err });
        }
        if (cfg.LastUpdateStatus === 'Successful')
            return cfg;
        throw explainAwsError(err, 'GetFunction', fn);
    }
}
async function waitActive(env, fn) {
    try {
        const r = await (0,dist_cjs/* waitUntilFunctionActiveV2 */._RC)(waiterConfig(env), { FunctionName: fn });
        const cfg = r.final?.Configuration;
        return cfg ?? (await getFunction(env, fn));
    }
    catch (err) {
        if (awsError(err).name === 'TimeoutError')
            throw new src_errors/* ActionError */.lZ('Creation timed out', `${fn}: the new function was still Pending after ${env.inputs.waitTimeoutSeconds} s (wait-timeout-seconds); re-run once it is Active.`, { cause: err });
        const cfg = await getFunction(env, fn);
        if (cfg.State === 'Failed')
            throw new src_errors/* ActionError */.lZ('Creation failed', `${fn}: the function was created but could not become Active: State Failed` +
                `${cfg.StateReasonCode ? ` (${cfg.StateReasonCode})` : ''}: ${cfg.StateReason ?? 'no reason given'}.`, { cause: err });
        if (cfg.State === 'Active')
            return cfg;
        throw explainAwsError(err, 'GetFunction', fn);
    }
}
/**
 * Runs a write that Lambda refuses with ResourceConflictException (409) while
 * an update is in progress: waits the update out and tries again, a bounded
 * number of times. Throttling and 5xx are the SDK's to retry, not ours.
 */
async function withConflictRetry(env, fn, operation, call) {
    for (let attempt = 0;; attempt++) {
        try {
            return await call();
        }
        catch (err) {
            if (!isAwsError(err, 'ResourceConflictException') || attempt >= env.opts.conflictRetries)
                throw err;
            env.log.info(`${fn}: ${operation}: another update is in progress (ResourceConflictException); waiting for it to finish.`);
            await waitUpdated(env, fn, true);
        }
    }
}
function changedMeanwhile(fn, what, err) {
    return new src_errors/* ActionError */.lZ('Function changed meanwhile', `${fn}: the function changed since it was read (another deploy?); ${what}; re-run.`, { cause: err });
}
/** Reads the function before any write; refuses what cannot work. */
async function preflight(env, fn) {
    const { inputs, zip, log } = env;
    let cfg;
    try {
        cfg = await awsCall('GetFunction', fn, async () => {
            const out = await env.clients.lambda.send(new dist_cjs/* GetFunctionCommand */.YF5({ FunctionName: fn }));
            if (!out.Configuration)
                throw new src_errors/* ActionError */.lZ('GetFunction failed', `GetFunction on ${fn} returned no configuration.`);
            return out.Configuration;
        }, (err) => isAwsError(err, 'ResourceNotFoundException'));
    }
    catch (err) {
        if (!isAwsError(err, 'ResourceNotFoundException'))
            throw err;
        if (!inputs.create)
            throw new src_errors/* ActionError */.lZ('Function not found', `function ${fn} does not exist in ${inputs.awsRegion}; create it, fix function-name, or set create: true with role.`, { cause: err });
        log.info(`${fn}: does not exist in ${inputs.awsRegion}; it will be created (create: true).`);
        return { fn, config: undefined };
    }
    if (cfg.PackageType === 'Image')
        throw new src_errors/* ActionError */.lZ('Container image function', `${fn} is deployed from a container image; a zip cannot be deployed to it. Use a function with package type Zip.`);
    if (cfg.Runtime && !cfg.Runtime.startsWith('provided'))
        throw new src_errors/* ActionError */.lZ('Wrong runtime', `${fn} has runtime ${cfg.Runtime}, which never runs a bootstrap; the zip needs provided.al2023 (or provided.al2). ` +
            "Change the function's runtime first (aws lambda update-function-configuration --runtime provided.al2023 --handler bootstrap).");
    const arch = functionArch(cfg);
    if (arch !== zip.architecture)
        throw new src_errors/* ActionError */.lZ('Architecture mismatch', `zip is ${zip.architecture}, function ${fn} is ${arch}; nothing was uploaded. Build the flake for ${arch} ` +
            `(for example .#packages.${arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux.default), or deploy to a ${zip.architecture} function.`);
    if (cfg.LastUpdateStatus === 'InProgress') {
        log.info(`${fn}: an update is already in progress; waiting for it to finish before reading the function.`);
        cfg = await waitUpdated(env, fn, true);
    }
    return { fn, config: cfg };
}
/** Where the code comes from: the zip itself, or an S3 object (uploaded once per run and key). */
async function codeSource(env, fn) {
    const { inputs, zip } = env;
    if (!inputs.s3Bucket)
        return { code: { ZipFile: zip.bytes }, bytes: zip.bytes.length, upload: 'direct' };
    const key = inputs.s3Key || defaultS3Key(fn, zip.sha256);
    const where = `s3://${inputs.s3Bucket}/${key}`;
    let pending = env.uploads.get(where);
    let bytes = 0;
    if (!pending) {
        env.log.info(`${fn}: uploading ${(0,limits/* formatBytes */.z3)(zip.bytes.length)} to ${where}`);
        pending = uploadZip(env.clients.s3, inputs.s3Bucket, key, zip.bytes, zip.sha256, env.opts.s3PartSize);
        env.uploads.set(where, pending);
        bytes = zip.bytes.length;
    }
    else
        env.log.info(`${fn}: using ${where}, uploaded earlier in this run`);
    await pending;
    return { code: { S3Bucket: inputs.s3Bucket, S3Key: key }, bytes, upload: where };
}
function checkSha(fn, zip, got, call) {
    if (got !== undefined && got !== zip.sha256)
        throw new src_errors/* ActionError */.lZ('Code mismatch', `${fn}: after ${call}, Lambda reports CodeSha256 ${got}, but the zip's is ${zip.sha256}; the code Lambda received is not this zip.`);
}
/** The newest published version holding the zip's code (and architecture), if any. */
async function findVersion(env, fn) {
    let best;
    try {
        for await (const page of (0,dist_cjs/* paginateListVersionsByFunction */.CE5)({ client: env.clients.lambda }, { FunctionName: fn })) {
            for (const v of page.Versions ?? []) {
                if (!v.Version || v.Version === '$LATEST')
                    continue;
                if (v.CodeSha256 !== env.zip.sha256 || functionArch(v) !== env.zip.architecture)
                    continue;
                const n = Number(v.Version);
                if (best === undefined || n > best)
                    best = n;
            }
        }
    }
    catch (err) {
        throw explainAwsError(err, 'ListVersionsByFunction', fn);
    }
    return best === undefined ? undefined : String(best);
}
async function publish(env, fn, revisionId) {
    const out = await awsCall('PublishVersion', fn, () => withConflictRetry(env, fn, 'PublishVersion', () => env.clients.lambda.send(new dist_cjs/* PublishVersionCommand */.D3m({
        FunctionName: fn,
        CodeSha256: env.zip.sha256,
        ...(revisionId ? { RevisionId: revisionId } : {}),
    }))), (err) => isAwsError(err, 'PreconditionFailedException')).catch((err) => {
        if (isAwsError(err, 'PreconditionFailedException'))
            throw changedMeanwhile(fn, 'no version was published', err);
        throw err;
    });
    checkSha(fn, env.zip, out.CodeSha256, 'PublishVersion');
    if (!out.Version || out.Version === '$LATEST')
        throw new src_errors/* ActionError */.lZ('PublishVersion failed', `${fn}: PublishVersion returned no version number.`);
    env.log.info(`${fn}: published version ${out.Version}`);
    return out.Version;
}
/** Points the alias at version (creating it when missing). A weighted alias loses its extra weights: they would send traffic to other code. */
async function pointAlias(env, fn, version) {
    const name = env.inputs.alias;
    const lambda = env.clients.lambda;
    let alias;
    try {
        alias = await awsCall('GetAlias', `${fn}:${name}`, () => lambda.send(new dist_cjs/* GetAliasCommand */.MES({ FunctionName: fn, Name: name })), (err) => isAwsError(err, 'ResourceNotFoundException'));
    }
    catch (err) {
        if (!isAwsError(err, 'ResourceNotFoundException'))
            throw err;
    }
    if (!alias) {
        try {
            await awsCall('CreateAlias', `${fn}:${name}`, () => lambda.send(new dist_cjs/* CreateAliasCommand */.W_e({ FunctionName: fn, Name: name, FunctionVersion: version })), (e) => isAwsError(e, 'ResourceConflictException'));
            env.log.info(`${fn}: created alias ${name} -> ${version}`);
            return;
        }
        catch (err) {
            if (!isAwsError(err, 'ResourceConflictException'))
                throw err;
            // Created by someone else in between: read it and update it like any other.
            alias = await awsCall('GetAlias', `${fn}:${name}`, () => lambda.send(new dist_cjs/* GetAliasCommand */.MES({ FunctionName: fn, Name: name })));
        }
    }
    const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
    const weighted = Object.keys(weights).length > 0;
    if (alias.FunctionVersion === version && !weighted) {
        env.log.info(`${fn}: alias ${name} already points at version ${version}`);
        return;
    }
    if (weighted)
        env.log.warning(`${fn}: alias ${name} routed part of its traffic to version(s) ${Object.keys(weights).join(', ')}; that routing is removed so the alias serves only version ${version}.`, 'Alias routing removed');
    await awsCall('UpdateAlias', `${fn}:${name}`, () => lambda.send(new dist_cjs/* UpdateAliasCommand */.lqC({
        FunctionName: fn,
        Name: name,
        FunctionVersion: version,
        ...(alias.RevisionId ? { RevisionId: alias.RevisionId } : {}),
        ...(weighted ? { RoutingConfig: { AdditionalVersionWeights: {} } } : {}),
    })), (e) => isAwsError(e, 'PreconditionFailedException')).catch((err) => {
        if (isAwsError(err, 'PreconditionFailedException'))
            throw new src_errors/* ActionError */.lZ('Alias changed meanwhile', `${fn}: alias ${name} changed since it was read (another deploy?); it was left as the other change set it; version ${version} is published; re-run.`, { cause: err });
        throw err;
    });
    env.log.info(`${fn}: alias ${name}: ${alias.FunctionVersion ?? '?'} -> ${version}`);
}
function logChanges(env, fn, changes, dry) {
    for (const c of changes)
        env.log.info(`${fn}: ${dry ? 'would change ' : ''}${describeChange(c)}`);
}
/** UpdateFunctionCode with the RevisionId read before (412: the function changed since, nothing overwritten). */
async function updateCode(env, fn, code, revisionId, dryRun) {
    const arch = env.zip.architecture;
    try {
        return await awsCall('UpdateFunctionCode', fn, () => withConflictRetry(env, fn, 'UpdateFunctionCode', () => env.clients.lambda.send(new dist_cjs/* UpdateFunctionCodeCommand */.KfB({
            FunctionName: fn,
            ...code,
            Architectures: [arch],
            ...(revisionId ? { RevisionId: revisionId } : {}),
            Publish: false,
            DryRun: dryRun,
        }))), (err) => isAwsError(err, 'PreconditionFailedException'));
    }
    catch (err) {
        if (!isAwsError(err, 'PreconditionFailedException'))
            throw err;
        if (!dryRun) {
            // A retried request whose first attempt was applied (its response lost) also lands here: check.
            const now = await getFunction(env, fn);
            if (now.CodeSha256 === env.zip.sha256 && functionArch(now) === arch) {
                env.log.warning(`${fn}: UpdateFunctionCode reported a revision mismatch, but the function already holds this zip (an earlier attempt of the same call was applied); continuing.`);
                return now;
            }
        }
        throw changedMeanwhile(fn, 'nothing was overwritten', err);
    }
}
async function updateConfiguration(env, fn, plan, revisionId) {
    return awsCall('UpdateFunctionConfiguration', fn, () => withConflictRetry(env, fn, 'UpdateFunctionConfiguration', () => env.clients.lambda.send(new dist_cjs/* UpdateFunctionConfigurationCommand */.Zlw({
        FunctionName: fn,
        ...plan.update,
        ...(revisionId ? { RevisionId: revisionId } : {}),
    }))), (err) => isAwsError(err, 'PreconditionFailedException')).catch((err) => {
        if (isAwsError(err, 'PreconditionFailedException'))
            throw changedMeanwhile(fn, 'its configuration was not changed (the new code is in place)', err);
        throw err;
    });
}
/** Deploys the zip to an existing function (after preflight). */
async function updateFunction(env, pre) {
    const t0 = performance.now();
    const { inputs, zip, log } = env;
    const fn = pre.fn;
    let cfg = pre.config;
    const plan = planConfiguration(fn, cfg, inputs, zip.runtimeEnv);
    const lastFailed = cfg.LastUpdateStatus === 'Failed';
    const sameCode = inputs.skipUnchanged &&
        !lastFailed &&
        cfg.CodeSha256 === zip.sha256 &&
        functionArch(cfg) === zip.architecture;
    if (lastFailed && cfg.CodeSha256 === zip.sha256)
        log.info(`${fn}: its last update failed (${cfg.LastUpdateStatusReason ?? 'no reason given'}); sending the code again.`);
    const result = (over) => ({
        function: fn,
        arn: cfg.FunctionArn ?? fn,
        version: '$LATEST',
        alias: '',
        codeSha256: cfg.CodeSha256 ?? '',
        revisionId: cfg.RevisionId ?? '',
        status: 'updated',
        codeUpdated: false,
        bytesUploaded: 0,
        upload: '',
        configChanges: plan.changes,
        durationMs: performance.now() - t0,
        ...over,
    });
    if (inputs.dryRun) {
        logChanges(env, fn, plan.changes, true);
        if (sameCode) {
            log.info(`${fn}: dry run: the function already runs this zip (CodeSha256 ${zip.sha256}); nothing to upload.`);
            return result({ status: 'unchanged' });
        }
        if (zip.bytes.length > env.opts.directUploadLimit) {
            log.info(`${fn}: dry run: would upload ${(0,limits/* formatBytes */.z3)(zip.bytes.length)} through S3 and update the code; S3 is not written in a dry run.`);
            return result({ status: 'dry-run' });
        }
        const out = await updateCode(env, fn, { ZipFile: zip.bytes }, cfg.RevisionId, true);
        log.info(`${fn}: dry run: UpdateFunctionCode accepted the zip; nothing was changed.`);
        return result({
            status: 'dry-run',
            bytesUploaded: zip.bytes.length,
            upload: 'direct',
            revisionId: out.RevisionId ?? cfg.RevisionId ?? '',
        });
    }
    let bytesUploaded = 0;
    let upload = '';
    if (sameCode) {
        log.info(`${fn}: unchanged: the function already runs this zip (CodeSha256 ${zip.sha256}); nothing uploaded.`);
    }
    else {
        const src = await codeSource(env, fn);
        bytesUploaded = src.bytes;
        upload = src.upload;
        log.info(`${fn}: UpdateFunctionCode (${zip.architecture}, ${(0,limits/* formatBytes */.z3)(zip.bytes.length)}, ${src.upload === 'direct' ? 'direct upload' : src.upload})`);
        const out = await updateCode(env, fn, src.code, cfg.RevisionId, false);
        checkSha(fn, zip, out.CodeSha256, 'UpdateFunctionCode');
        cfg = { ...cfg, ...out };
    }
    const mustWait = inputs.wait || inputs.publish || plan.changes.length > 0;
    if (!sameCode && mustWait) {
        cfg = await waitUpdated(env, fn);
        checkSha(fn, zip, cfg.CodeSha256, 'the update');
    }
    /** A failure after the code went in: the message says what is in place and what is not. */
    const partly = (err, call, notDone) => {
        const e = err instanceof src_errors/* ActionError */.lZ ? err : explainAwsError(err, call, fn);
        if (sameCode || /new code is in place/.test(e.message))
            return e;
        return new src_errors/* ActionError */.lZ(e.title, `${e.message}\n${fn}: the new code is in place on $LATEST (CodeSha256 ${zip.sha256}), but ${notDone}; re-run to finish.`, { cause: err });
    };
    if (plan.changes.length > 0) {
        logChanges(env, fn, plan.changes, false);
        try {
            const out = await updateConfiguration(env, fn, plan, cfg.RevisionId);
            cfg = { ...cfg, ...out };
            if (inputs.wait || inputs.publish)
                cfg = await waitUpdated(env, fn);
        }
        catch (err) {
            throw partly(err, 'UpdateFunctionConfiguration', `the configuration was not changed${inputs.publish ? ' and no version was published' : ''}`);
        }
    }
    let version = '$LATEST';
    if (inputs.publish) {
        let found;
        if (sameCode && plan.changes.length === 0) {
            found = await findVersion(env, fn);
            if (found)
                log.info(`${fn}: version ${found} already holds this code; nothing new published.`);
        }
        try {
            version = found ?? (await publish(env, fn, cfg.RevisionId));
        }
        catch (err) {
            throw partly(err, 'PublishVersion', `no version was published${inputs.alias ? ` and alias ${inputs.alias} was not moved` : ''}`);
        }
        if (inputs.alias)
            await pointAlias(env, fn, version);
    }
    const changed = !sameCode || plan.changes.length > 0;
    return result({
        status: changed ? 'updated' : 'unchanged',
        codeUpdated: !sameCode,
        version,
        alias: inputs.alias,
        bytesUploaded,
        upload,
        codeSha256: cfg.CodeSha256 ?? '',
        revisionId: cfg.RevisionId ?? '',
    });
}
/** Creates a missing function (create: true) with the zip, then publishes and aliases it as asked. */
async function createFunction(env, fn) {
    const t0 = performance.now();
    const { inputs, zip, log } = env;
    const { settings, changes } = creationSettings(fn, inputs, zip.runtimeEnv);
    if (!inputs.role)
        throw new src_errors/* ActionError */.lZ('No execution role', `creating ${fn} needs its execution role: set \`role\` to the role ARN.`);
    const base = {
        function: fn,
        alias: '',
        codeSha256: '',
        revisionId: '',
        configChanges: changes,
        codeUpdated: false,
        bytesUploaded: 0,
        upload: '',
    };
    if (inputs.dryRun) {
        log.info(`${fn}: dry run: would create the function (${inputs.runtime}, ${zip.architecture}, role ${inputs.role}).`);
        logChanges(env, fn, changes, true);
        return { ...base, arn: fn, version: '$LATEST', status: 'dry-run', durationMs: performance.now() - t0 };
    }
    const src = await codeSource(env, fn);
    log.info(`${fn}: CreateFunction (${inputs.runtime}, ${zip.architecture}, ${(0,limits/* formatBytes */.z3)(zip.bytes.length)})`);
    logChanges(env, fn, changes, false);
    const created = await awsCall('CreateFunction', fn, () => env.clients.lambda.send(new dist_cjs/* CreateFunctionCommand */.Y8X({
        FunctionName: fn,
        Runtime: inputs.runtime,
        Handler: 'bootstrap',
        Role: inputs.role,
        Code: src.code,
        Architectures: [zip.architecture],
        PackageType: 'Zip',
        Publish: inputs.publish,
        ...settings,
    })), (err) => isAwsError(err, 'ResourceConflictException', 'InvalidParameterValueException')).catch((err) => {
        if (isAwsError(err, 'ResourceConflictException'))
            throw new src_errors/* ActionError */.lZ('Function created meanwhile', `${fn} was created by someone else after it was found missing; re-run to update it.`, {
                cause: err,
            });
        const { message } = awsError(err);
        if (/assume|role/i.test(message))
            throw new src_errors/* ActionError */.lZ('Execution role rejected', `CreateFunction ${fn}: ${message}. The role must trust lambda.amazonaws.com; a role created moments ago can take a few seconds to be usable: re-run.`, { cause: err });
        throw explainAwsError(err, 'CreateFunction', fn);
    });
    checkSha(fn, zip, created.CodeSha256, 'CreateFunction');
    const cfg = await waitActive(env, fn);
    let version = '$LATEST';
    if (inputs.publish) {
        version =
            created.Version && created.Version !== '$LATEST'
                ? created.Version
                : ((await findVersion(env, fn)) ?? (await publish(env, fn, cfg.RevisionId)));
        log.info(`${fn}: created with version ${version}`);
        if (inputs.alias)
            await pointAlias(env, fn, version);
    }
    else
        log.info(`${fn}: created`);
    return {
        ...base,
        arn: cfg.FunctionArn ?? created.FunctionArn ?? fn,
        version,
        alias: inputs.alias,
        codeSha256: cfg.CodeSha256 ?? created.CodeSha256 ?? '',
        revisionId: cfg.RevisionId ?? created.RevisionId ?? '',
        status: 'created',
        codeUpdated: true,
        bytesUploaded: src.bytes,
        upload: src.upload,
        durationMs: performance.now() - t0,
    };
}

;// CONCATENATED MODULE: ./src/stages/deploy.ts






/**
 * Stage 5: deploy the zip to every function of function-name. All functions
 * are read and checked first (existence, architecture, runtime), so a problem
 * with one is found before any is changed; then each is updated (or created):
 * code, wait, configuration, wait, publish, alias.
 */
const DEFAULT_DEPLOY_OPTIONS = {
    pollDelaySeconds: 1,
    pollMaxDelaySeconds: 5,
    directUploadLimit: limits/* LAMBDA_ZIP_LIMIT */.mX,
    concurrency: 4,
    maxAttempts: 8,
    retryMode: 'adaptive',
    conflictRetries: 5,
    connectTimeoutMs: 10_000,
    socketTimeoutMs: 120_000,
    s3PartSize: 8 * 1024 * 1024,
};
/**
 * The production options, except that NIX_LAMBDA_POLL_DELAY_SECONDS (internal,
 * for tests of the built action) lowers the waiters' poll delay.
 */
function deployOptions(env = process.env, overrides = {}) {
    const opts = { ...DEFAULT_DEPLOY_OPTIONS };
    const poll = Number(env['NIX_LAMBDA_POLL_DELAY_SECONDS'] ?? '');
    if (env['NIX_LAMBDA_POLL_DELAY_SECONDS'] && Number.isFinite(poll) && poll > 0) {
        opts.pollDelaySeconds = poll;
        opts.pollMaxDelaySeconds = poll * 5;
    }
    return { ...opts, ...overrides };
}
/** Runs fn over items, at most `limit` at a time, in order; after a failure no new item is started. */
async function pool(items, limit, fn) {
    const results = items.map(() => undefined);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const i = next++;
            try {
                results[i] = { status: 'fulfilled', value: await fn(items[i], i) };
            }
            catch (reason) {
                results[i] = { status: 'rejected', reason };
                failed = true;
            }
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}
function failure(what, names, results, doneLabel, note) {
    const errors = [];
    results.forEach((r, i) => {
        if (r?.status === 'rejected')
            errors.push({ fn: names[i], err: r.reason });
    });
    const first = errors[0];
    if (!first)
        return undefined;
    if (names.length === 1)
        return first.err instanceof src_errors/* ActionError */.lZ
            ? first.err
            : new src_errors/* ActionError */.lZ(`${what} failed`, (0,src_errors/* errorMessage */.gJ)(first.err), { cause: first.err });
    const done = names.filter((_, i) => results[i]?.status === 'fulfilled');
    const notStarted = names.filter((_, i) => results[i] === undefined);
    const lines = errors.map((e) => `- ${e.fn}: ${(0,src_errors/* errorMessage */.gJ)(e.err)}`);
    if (done.length > 0)
        lines.push(`${doneLabel}: ${done.join(', ')}.`);
    if (notStarted.length > 0)
        lines.push(`Not attempted: ${notStarted.join(', ')}.`);
    if (note)
        lines.push(note);
    const title = errors.length > 1
        ? `${what} failed for ${errors.length} functions`
        : first.err instanceof src_errors/* ActionError */.lZ
            ? first.err.title
            : `${what} failed`;
    return new src_errors/* ActionError */.lZ(title, lines.join('\n'), { cause: first.err });
}
/** The deploy stage with explicit options (tests lower the delays and limits). */
async function runDeploy(ctx, opts) {
    const { inputs, log } = ctx;
    const names = inputs.functionNames;
    if (names.length === 0)
        throw new src_errors/* ActionError */.lZ('No function', 'the deploy stage needs a function: set `function-name`.');
    if (inputs.create && !inputs.role)
        throw new src_errors/* ActionError */.lZ('No execution role', 'creating a function (create: true) needs its execution role: set `role` to the role ARN.');
    const zip = ctx.package ? await packagedZip(ctx.package) : await readZip(inputs.zipPath);
    if (!ctx.package)
        log.info(`Deploying the existing zip ${zip.path} (${zip.architecture}, bootstrap's ELF header).`);
    if (zip.bytes.length > opts.directUploadLimit && !inputs.s3Bucket)
        throw new src_errors/* ActionError */.lZ('Zip too large for a direct upload', `the zip is ${(0,limits/* formatBytes */.z3)(zip.bytes.length)}; Lambda takes at most ${(0,limits/* formatBytes */.z3)(opts.directUploadLimit)} in a direct upload. ` +
            "Set `s3-bucket` to a bucket in the function's Region: the zip then goes through S3. Nothing was called.");
    if (inputs.create && inputs.runtime === 'provided.al2')
        log.warning('provided.al2 (Amazon Linux 2) is deprecated; functions created now should use provided.al2023.', 'Deprecated runtime');
    const credentials = inputs.roleToAssume
        ? await assumeRoleWithOidc(inputs.roleToAssume, inputs.awsRegion, log, opts)
        : undefined;
    const clients = makeClients(inputs.awsRegion, credentials, opts);
    const env = { clients, inputs, log, zip, opts, uploads: new Map() };
    try {
        log.info(`Zip ${zip.path}: ${(0,limits/* formatBytes */.z3)(zip.bytes.length)}, ${zip.architecture}, CodeSha256 ${zip.sha256}; ` +
            `${names.length} function${names.length === 1 ? '' : 's'} in ${inputs.awsRegion}${inputs.dryRun ? ' (dry run)' : ''}.`);
        const checks = await pool(names, opts.concurrency, (fn) => preflight(env, fn));
        const checkFailure = failure('Deploy check', names, checks, 'Checked', 'No function was changed.');
        if (checkFailure)
            throw checkFailure;
        const pre = checks.map((r) => r.value);
        const outcomes = await pool(pre, opts.concurrency, (p) => p.config ? updateFunction(env, { fn: p.fn, config: p.config }) : createFunction(env, p.fn));
        const deployments = outcomes.flatMap((r) => (r?.status === 'fulfilled' ? [r.value] : []));
        ctx.deployments = deployments;
        const deployFailure = failure('Deploy', names, outcomes, 'Deployed', '');
        if (deployFailure)
            throw deployFailure;
        for (const d of deployments)
            log.info(`${d.function}: ${d.status}, version ${d.version}${d.alias ? ` (alias ${d.alias})` : ''}, ` +
                `${(0,limits/* formatBytes */.z3)(d.bytesUploaded)} uploaded, ${d.configChanges.length} setting(s) changed, ${(d.durationMs / 1000).toFixed(1)} s`);
        const lines = (pick) => deployments.map(pick).join('\n');
        ctx.setOutput('function-arn', lines((d) => d.arn));
        ctx.setOutput('function-version', lines((d) => d.version));
        ctx.setOutput('code-sha256', lines((d) => d.codeSha256));
        ctx.setOutput('revision-id', lines((d) => d.revisionId));
        ctx.setOutput('deploy-status', lines((d) => d.status));
        ctx.setOutput('config-changes', JSON.stringify(deployments.flatMap((d) => d.configChanges)));
        return deployments;
    }
    finally {
        destroyClients(clients);
    }
}
/** Stage 5: UpdateFunctionCode (or CreateFunction), wait, configuration, publish, alias. */
async function deploy(ctx) {
    await runDeploy(ctx, deployOptions());
}


/***/ })

};
