export const id = 385;
export const ids = [385];
export const modules = {

/***/ 5385:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  deploy: () => (/* binding */ deploy),
  runDeploy: () => (/* binding */ runDeploy)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: ./src/action/outputs.ts
var outputs = __webpack_require__(8948);
// EXTERNAL MODULE: ./src/bundle/layer.ts
var bundle_layer = __webpack_require__(4817);
// EXTERNAL MODULE: ./src/bundle/limits.ts
var limits = __webpack_require__(4146);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-sts/dist-cjs/index.js
var dist_cjs = __webpack_require__(1695);
// EXTERNAL MODULE: ./src/util/errors.ts
var util_errors = __webpack_require__(17);
// EXTERNAL MODULE: ./src/util/secrets.ts
var secrets = __webpack_require__(4537);
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
    ListLayerVersions: 'lambda:ListLayerVersions',
    GetLayerVersion: 'lambda:GetLayerVersion',
    PublishLayerVersion: 'lambda:PublishLayerVersion',
    PutObject: 's3:PutObject',
    CreateMultipartUpload: 's3:PutObject',
    UploadPart: 's3:PutObject',
    CompleteMultipartUpload: 's3:PutObject',
    AssumeRoleWithWebIdentity: 'sts:AssumeRoleWithWebIdentity',
    GetCallerIdentity: 'sts:GetCallerIdentity (every identity has it unless a policy denies it)',
    Invoke: 'lambda:InvokeFunction',
    ListAliases: 'lambda:ListAliases',
    DeleteFunction: 'lambda:DeleteFunction',
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
    if (err instanceof util_errors/* ActionError */.lZ)
        return err;
    const { name, message, status } = awsError(err);
    const detail = (0,secrets/* scrubSecrets */.Zg)(message);
    const isS3 = PERMISSIONS[operation]?.startsWith('s3:') ?? false;
    if (name === 'AccessDeniedException' ||
        name === 'AccessDenied' ||
        (status === 403 && !CREDENTIAL_ERRORS.has(name))) {
        const permission = PERMISSIONS[operation] ?? operation;
        return new util_errors/* ActionError */.lZ('Access denied', `${operation} on ${target} was denied: the deploy role needs the permission ${permission}` +
            `${isS3 ? '' : ` on ${target}`}. AWS said: ${detail}`, { cause: err });
    }
    if (CREDENTIAL_ERRORS.has(name))
        return new util_errors/* ActionError */.lZ('AWS credentials rejected', `${operation} on ${target}: ${name}: ${detail}. Give the job valid credentials: role-to-assume (OIDC), ` +
            'aws-actions/configure-aws-credentials, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.', { cause: err });
    return new util_errors/* ActionError */.lZ(`${operation} failed`, `${operation} on ${target} failed: ${name}: ${detail}`, {
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

;// CONCATENATED MODULE: ./src/deploy/account.ts



/**
 * The account guard (allowed-account-ids): before any change, STS GetCallerIdentity with the
 * deploy's own credentials says which account they act in; an account not listed is refused, naming
 * both, and nothing is called after it. (configure-aws-credentials added the same guard after users
 * deployed to the wrong account.)
 */
async function checkAccount(sts, allowed, log) {
    if (allowed.length === 0)
        return undefined;
    const who = await awsCall('GetCallerIdentity', 'the deploy credentials', () => sts.send(new dist_cjs/* GetCallerIdentityCommand */.zI({})));
    const account = who.Account ?? '';
    const arn = who.Arn ?? 'an unnamed identity';
    if (!allowed.includes(account))
        throw new util_errors/* ActionError */.lZ('Wrong AWS account', `the deploy's credentials (${arn}) are for account ${account || '(none given)'}, which is not in allowed-account-ids ` +
            `(${allowed.join(', ')}); nothing was changed. Give the job credentials for an allowed account ` +
            '(role-to-assume, or aws-actions/configure-aws-credentials), or add the account to allowed-account-ids if this deploy belongs there.');
    log.info(`AWS account ${account} (${arn}) is in allowed-account-ids.`);
    return account;
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-lambda/dist-cjs/index.js
var client_lambda_dist_cjs = __webpack_require__(1696);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var client_s3_dist_cjs = __webpack_require__(3711);
;// CONCATENATED MODULE: ./src/deploy/clients.ts



/**
 * SDK clients for the deploy. Throttling (429), 5xx and dropped connections are
 * retried by the SDK's own retry strategy (attempts and mode from the options),
 * never by a loop of ours. Endpoints come from the SDK's configuration
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_STS, profiles).
 */
/** S3 needs path-style addressing when pointed at a custom endpoint (a local server has no bucket subdomains). */
function customS3Endpoint(env = process.env) {
    return Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
}
/**
 * The clients, all with the deploy's credentials. invokeTimeoutMs: the longest a smoke test's
 * Invoke may take; that client's socket stays open that long (the smoke test aborts it itself), so
 * a slow function is never sent the event twice by a socket timeout's retry.
 */
function makeClients(region, credentials, opts, o = {}) {
    const common = {
        region,
        maxAttempts: opts.maxAttempts,
        retryMode: opts.retryMode,
        // A silent connection fails with TimeoutError, which the SDK retries like a dropped one.
        requestHandler: { connectionTimeout: opts.connectTimeoutMs, socketTimeout: opts.socketTimeoutMs },
        ...(credentials ? { credentials } : {}),
    };
    const invokeSocketTimeout = Math.max(opts.socketTimeoutMs, (o.invokeTimeoutMs ?? 0) + 5000);
    return {
        lambda: new client_lambda_dist_cjs/* LambdaClient */.Nox(common),
        invoke: new client_lambda_dist_cjs/* LambdaClient */.Nox({
            ...common,
            requestHandler: { connectionTimeout: opts.connectTimeoutMs, socketTimeout: invokeSocketTimeout },
        }),
        s3: new client_s3_dist_cjs.S3Client({ ...common, ...(customS3Endpoint(o.env) ? { forcePathStyle: true } : {}) }),
        sts: new dist_cjs/* STSClient */.iM(common),
    };
}
function destroyClients(c) {
    c.lambda.destroy();
    c.invoke.destroy();
    c.s3.destroy();
    c.sts.destroy();
}

;// CONCATENATED MODULE: ./src/deploy/credentials.ts




/**
 * Credentials for the deploy. Without role-to-assume, the SDK's default chain
 * (environment, profiles, web identity file, container and instance roles) is
 * left to the SDK. With role-to-assume, GitHub's OIDC token is exchanged with
 * STS AssumeRoleWithWebIdentity, and the temporary keys are masked at once.
 * STS answers InvalidIdentityToken ("Couldn't retrieve verification key from your identity
 * provider") or IDPCommunicationError while it cannot reach GitHub's OIDC keys: those are tried
 * again with backoff, as configure-aws-credentials does (12 requests in all); any other error fails at once.
 */
/** The STS errors that say the token could not be checked yet, rather than that it is wrong. */
const OIDC_RETRYABLE = ['InvalidIdentityTokenException', 'IDPCommunicationErrorException'];
const OIDC_AUDIENCE = 'sts.amazonaws.com';
/** A RoleSessionName STS accepts ([\w+=,.@-]{2,64}) that says which run made the change. */
function sessionName(env = process.env) {
    const parts = ['nix-lambda', env['GITHUB_RUN_ID'], env['GITHUB_RUN_ATTEMPT']].filter(Boolean).join('-');
    return parts.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
/** The wait before attempt n + 1 (n from 1): full jitter over base * 2^(n-1), capped. */
function oidcBackoffMs(n, opts, random = Math.random) {
    const ceiling = Math.min(opts.oidcBackoffMaxMs, opts.oidcBackoffBaseMs * 2 ** (n - 1));
    return Math.round(random() * ceiling);
}
/** The requests a failed SDK call made ($metadata.attempts; 1 when absent). */
function requestsMade(err) {
    const attempts = err?.$metadata?.attempts;
    return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}
/**
 * AssumeRoleWithWebIdentity, tried again with backoff while STS cannot check the token, at most
 * oidcAttempts requests in all. The SDK retries IDPCommunicationError itself (the error is
 * retryable in STS's model), so its attempts count too: each call gets a client whose maxAttempts
 * is what is left.
 */
async function assumeWithRetries(request, log, o) {
    const { opts } = o;
    const sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    let used = 0;
    for (let call = 1;; call++) {
        const sts = o.client(Math.max(1, Math.min(opts.maxAttempts, opts.oidcAttempts - used)));
        try {
            return await sts.send(new dist_cjs/* AssumeRoleWithWebIdentityCommand */.WH(request));
        }
        catch (err) {
            if (!isAwsError(err, ...OIDC_RETRYABLE))
                throw err;
            used += requestsMade(err);
            const { name, message } = awsError(err);
            if (used >= opts.oidcAttempts)
                throw new util_errors/* ActionError */.lZ('Could not assume the role', `AssumeRoleWithWebIdentity on ${request.RoleArn ?? '?'} failed ${used} times: ${name}: ${(0,secrets/* scrubSecrets */.Zg)(message)}. ` +
                    "STS could not check GitHub's OIDC token (it fetches the provider's keys from token.actions.githubusercontent.com); re-run the job, " +
                    'and check that the IAM OIDC provider exists for token.actions.githubusercontent.com with audience sts.amazonaws.com.', { cause: err });
            const wait = oidcBackoffMs(call, opts);
            log.info(`AssumeRoleWithWebIdentity: ${name} (${(0,secrets/* scrubSecrets */.Zg)(message)}), attempt ${used} of ${opts.oidcAttempts}; trying again in ${wait} ms.`);
            await sleep(wait);
        }
        finally {
            sts.destroy();
        }
    }
}
async function assumeRoleWithOidc(roleArn, region, log, opts, host) {
    const env = host.env ?? process.env;
    if (!env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
        throw new util_errors/* ActionError */.lZ('No OIDC token', "role-to-assume needs GitHub's OIDC token, but ACTIONS_ID_TOKEN_REQUEST_URL is not set: add `permissions: id-token: write` to the job. " +
            '(Pull requests from forks never get a token; there, deploy with another trigger or leave deploy out of `stages`.)');
    let token;
    try {
        token = await host.idToken(OIDC_AUDIENCE);
    }
    catch (err) {
        throw new util_errors/* ActionError */.lZ('No OIDC token', `could not get GitHub's OIDC token: ${err.message}`, {
            cause: err,
        });
    }
    (0,secrets/* registerSecret */.cl)(token);
    log.setSecret(token);
    try {
        const out = await assumeWithRetries({ RoleArn: roleArn, RoleSessionName: sessionName(env), WebIdentityToken: token }, log, {
            opts,
            client: (maxAttempts) => new dist_cjs/* STSClient */.iM({ region, maxAttempts, retryMode: opts.retryMode }),
        });
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
            throw new util_errors/* ActionError */.lZ('AssumeRoleWithWebIdentity failed', `STS returned no credentials for ${roleArn}.`);
        for (const secret of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken]) {
            log.setSecret(secret);
            (0,secrets/* registerSecret */.cl)(secret);
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
        if (err instanceof util_errors/* ActionError */.lZ)
            throw err;
        const e = explainAwsError(err, 'AssumeRoleWithWebIdentity', roleArn);
        throw new util_errors/* ActionError */.lZ('Could not assume the role', `${e.message}\nCheck the role's trust policy: it must trust token.actions.githubusercontent.com as a federated principal, ` +
            `with audience ${OIDC_AUDIENCE} and a sub condition matching this repository (and branch or environment).`, { cause: err });
    }
}

// EXTERNAL MODULE: ./src/lambda.ts
var lambda = __webpack_require__(6896);
;// CONCATENATED MODULE: ./src/deploy/options.ts

/** The deploy's internal options: production defaults, lowered by tests. */
const DEFAULT_DEPLOY_OPTIONS = {
    pollDelaySeconds: 1,
    pollMaxDelaySeconds: 5,
    directUploadLimit: lambda/* LAMBDA_ZIP_LIMIT */.mX,
    concurrency: 4,
    maxAttempts: 8,
    retryMode: 'adaptive',
    conflictRetries: 5,
    connectTimeoutMs: 10_000,
    socketTimeoutMs: 120_000,
    s3PartSize: 8 * 1024 * 1024,
    oidcAttempts: 12,
    oidcBackoffBaseMs: 250,
    oidcBackoffMaxMs: 5000,
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

// EXTERNAL MODULE: ./src/util/format.ts
var format = __webpack_require__(2693);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/lib-storage/dist-cjs/index.js
var lib_storage_dist_cjs = __webpack_require__(2358);
// EXTERNAL MODULE: ./src/util/hash.ts
var hash = __webpack_require__(5138);
;// CONCATENATED MODULE: ./src/deploy/s3.ts




/**
 * Uploads the zip to S3 for UpdateFunctionCode/CreateFunction with
 * S3Bucket/S3Key: a single PutObject for small zips, a multipart upload
 * (parts in parallel, each retried by the SDK) for large ones.
 */
/** The default key: nix-lambda/<function name>/<CodeSha256 as hex>.zip. */
function defaultS3Key(functionName, codeSha256) {
    const name = /:function:([^:]+)/.exec(functionName)?.[1] ?? functionName;
    return `nix-lambda/${name}/${(0,hash/* codeSha256Hex */.ET)(codeSha256)}.zip`;
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
        throw new util_errors/* ActionError */.lZ(e.title === 'Access denied' ? e.title : 'S3 upload failed', `${e.message}\nThe bucket must be in the function's Region; the deploy role needs s3:PutObject (and s3:AbortMultipartUpload) on it.`, { cause: err });
    }
}

;// CONCATENATED MODULE: ./src/deploy/layer.ts







/** The layer's ARN without a version, in the function's account and Region. */
function layerArnFor(functionArn, name) {
    const m = /^(arn:[^:]+:lambda:[^:]+:\d{12}):function:/.exec(functionArn);
    if (!m)
        throw new Error(`not a function ARN: ${functionArn}`);
    return `${m[1]}:layer:${name}`;
}
/** The unversioned ARN of a layer version ARN. */
function unversioned(versionArn) {
    return versionArn.replace(/:\d+$/, '');
}
/**
 * The function's layers with this run's version: `layers` (the input) or its current ones, any
 * version of the library layer dropped, the new version last (so its /opt/lib files win over
 * another layer's of the same name).
 */
function desiredLayers(current, input, layerArn, versionArn) {
    return [...(input ?? current).filter((a) => unversioned(a) !== layerArn), versionArn];
}
/** Lambda's limits for the function with its new layers; refused before any function is changed. */
function checkLayerLimits(fn, cfg, layers, req, layerArn) {
    if (layers.length > lambda/* MAX_LAYERS */.Uf)
        throw new util_errors/* ActionError */.lZ('Too many layers', `${fn} would have ${layers.length} layers with the library layer (${layers.join(', ')}); Lambda takes at most ${lambda/* MAX_LAYERS */.Uf}. Remove one (input \`layers\`), or leave library-layer empty. No function was changed.`);
    // Lambda reports the other layers' zipped size only: their unzipped size is at least that.
    const others = (cfg?.Layers ?? []).filter((l) => l.Arn !== undefined && unversioned(l.Arn) !== layerArn && layers.includes(l.Arn));
    const otherBytes = others.reduce((n, l) => n + (l.CodeSize ?? 0), 0);
    const total = req.functionBytes + req.layerBytes + otherBytes;
    if (total > lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)
        throw new util_errors/* ActionError */.lZ('Bundle too large', `${fn}: the function (${(0,format/* formatBytes */.z3)(req.functionBytes)}), the library layer (${(0,format/* formatBytes */.z3)(req.layerBytes)}) and its other layers (at least ${(0,format/* formatBytes */.z3)(otherBytes)}) come to ${(0,format/* formatBytes */.z3)(total)} unzipped; Lambda's limit is ${(0,format/* formatBytes */.z3)(lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)}. No function was changed.`);
}
/** The newest version of the layer holding this hash and architecture that still exists, if any. */
async function findLayerVersion(env, req, skip) {
    const arch = env.zip.architecture;
    const found = [];
    try {
        for await (const page of (0,client_lambda_dist_cjs/* paginateListLayerVersions */.Y9l)({ client: env.clients.lambda }, { LayerName: req.name, CompatibleArchitecture: arch }))
            for (const v of page.LayerVersions ?? [])
                if (v.LayerVersionArn && v.Version && (0,bundle_layer/* hashInDescription */.wj)(v.Description) === req.sha256)
                    if (!skip.has(v.LayerVersionArn))
                        found.push({ arn: v.LayerVersionArn, version: v.Version });
    }
    catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException'))
            return undefined; // no version of it yet
        throw explainAwsError(err, 'ListLayerVersions', req.name);
    }
    for (const v of found.sort((a, b) => b.version - a.version)) {
        const got = await awsCall('GetLayerVersion', v.arn, () => env.clients.lambda.send(new client_lambda_dist_cjs/* GetLayerVersionCommand */.VK5({ LayerName: req.name, VersionNumber: v.version })), (err) => isAwsError(err, 'ResourceNotFoundException')).catch((err) => {
            if (isAwsError(err, 'ResourceNotFoundException'))
                return undefined;
            throw err;
        });
        if (got && (0,bundle_layer/* hashInDescription */.wj)(got.Description) === req.sha256)
            return { arn: v.arn, version: String(v.version) };
        env.log.info(`${req.name}: version ${v.version} was deleted since it was listed; looking further.`);
    }
    return undefined;
}
/** Publishes the layer zip (written now) as a new version; through S3 above the direct-upload limit. */
async function publishLayer(env, req) {
    const zip = await req.zip();
    const size = (0,format/* formatBytes */.z3)(zip.bytes.length);
    let content = { ZipFile: zip.bytes };
    let upload = 'direct';
    if (zip.bytes.length > env.opts.directUploadLimit) {
        const s3 = env.inputs.s3;
        if (!s3)
            throw new util_errors/* ActionError */.lZ('Layer zip too large for a direct upload', `the library layer's zip is ${size}; Lambda takes at most ${(0,format/* formatBytes */.z3)(env.opts.directUploadLimit)} in a direct upload. Set \`s3-bucket\` to a bucket in the function's Region: the layer then goes through S3. No function was changed.`);
        const key = `nix-lambda/layers/${req.name}/${req.sha256}.zip`;
        upload = `s3://${s3.bucket}/${key}`;
        env.log.info(`${req.name}: uploading the layer zip (${size}) to ${upload}`);
        await uploadZip(env.clients.s3, s3.bucket, key, zip.bytes, zip.codeSha256, env.opts.s3PartSize);
        content = { S3Bucket: s3.bucket, S3Key: key };
    }
    env.log.info(`${req.name}: PublishLayerVersion (${env.zip.architecture}, ${size}, ${upload})`);
    const out = await awsCall('PublishLayerVersion', req.name, () => env.clients.lambda.send(new client_lambda_dist_cjs/* PublishLayerVersionCommand */.cl_({
        LayerName: req.name,
        Description: (0,bundle_layer/* layerDescription */.iq)(req.sha256, env.zip.architecture),
        Content: content,
        CompatibleArchitectures: [env.zip.architecture],
        CompatibleRuntimes: [...lambda/* LAMBDA_RUNTIMES */._9],
    }))).catch((err) => {
        const e = explainAwsError(err, 'PublishLayerVersion', req.name);
        throw new util_errors/* ActionError */.lZ(e.title, `${e.message}\nNo function was changed.`, { cause: err });
    });
    if (!out.LayerVersionArn || out.Version === undefined)
        throw new util_errors/* ActionError */.lZ('PublishLayerVersion failed', `${req.name}: PublishLayerVersion returned no version.`);
    if (out.Content?.CodeSha256 !== undefined && out.Content.CodeSha256 !== zip.codeSha256)
        throw new util_errors/* ActionError */.lZ('Code mismatch', `${req.name}: Lambda reports CodeSha256 ${out.Content.CodeSha256} for the new layer version, but its zip's is ${zip.codeSha256}.`);
    env.log.info(`${req.name}: published version ${out.Version} (${out.LayerVersionArn})`);
    return {
        name: req.name,
        arn: out.LayerVersionArn,
        version: String(out.Version),
        status: 'published',
        sha256: req.sha256,
        zipBytes: zip.bytes.length,
        bytesUploaded: zip.bytes.length,
        upload,
    };
}
/** The run's layer version: one lookup (and at most one publication) shared by every function. */
class LibraryLayer {
    req;
    pending;
    gone = new Set();
    current;
    constructor(req) {
        this.req = req;
    }
    get name() {
        return this.req.name;
    }
    get sizes() {
        return { functionBytes: this.req.functionBytes, layerBytes: this.req.layerBytes };
    }
    /** The version found or published (once per run). */
    resolve(env) {
        this.pending ??= this.lookUp(env);
        return this.pending;
    }
    /** The version `arn` was deleted meanwhile: find or publish another (once per deleted version). */
    async replace(env, arn) {
        const now = await this.resolve(env);
        if (now.arn !== arn || this.gone.has(arn))
            return now;
        this.gone.add(arn);
        env.log.warning(`${this.req.name}: layer version ${arn} was deleted while this deploy used it; finding or publishing another.`, 'Layer version deleted');
        this.pending = this.lookUp(env);
        return this.pending;
    }
    async lookUp(env) {
        this.current = await this.find(env);
        return this.current;
    }
    async find(env) {
        const { req } = this;
        const base = { name: req.name, sha256: req.sha256, zipBytes: 0, bytesUploaded: 0, upload: '' };
        const found = await findLayerVersion(env, req, this.gone);
        if (found) {
            env.log.info(`${req.name}: version ${found.version} already holds these libraries (sha256:${req.sha256}); reused, nothing compressed or uploaded.`);
            return { ...base, ...found, status: 'reused' };
        }
        if (env.inputs.dryRun) {
            const zip = await req.zip();
            env.log.info(`${req.name}: dry run: would publish a new version (${(0,format/* formatBytes */.z3)(zip.bytes.length)} zipped, sha256:${req.sha256}).`);
            return { ...base, arn: '', version: '', status: 'dry-run', zipBytes: zip.bytes.length };
        }
        return publishLayer(env, req);
    }
}
/** The layer version an error says does not exist (deleted meanwhile), if that is what it says. */
function deletedLayerVersion(err) {
    for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
        const m = /Layer version (arn:\S+?:layer:[\w-]+:\d+) does not exist/.exec(e.message);
        if (m)
            return m[1];
    }
    return undefined;
}

;// CONCATENATED MODULE: ./src/util/pool.ts
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
        const now = current.EphemeralStorage?.Size ?? lambda/* EPHEMERAL_STORAGE_MB */.gH.default;
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
            throw new util_errors/* ActionError */.lZ('Environment unreadable', `${fn}: Lambda could not decrypt the function's environment (${readError.ErrorCode ?? 'error'}: ${readError.Message ?? ''}), ` +
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

;// CONCATENATED MODULE: ./src/deploy/function.ts




/** The function's architecture (Lambda's default when it lists none). */
function functionArch(cfg) {
    return cfg.Architectures?.[0] ?? lambda/* DEFAULT_ARCHITECTURE */.Qz;
}
async function getFunction(env, fn) {
    const out = await awsCall('GetFunction', fn, () => env.clients.lambda.send(new client_lambda_dist_cjs/* GetFunctionCommand */.YF5({ FunctionName: fn })));
    if (!out.Configuration)
        throw new util_errors/* ActionError */.lZ('GetFunction failed', `GetFunction on ${fn} returned no configuration.`);
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
        const r = await (0,client_lambda_dist_cjs/* waitUntilFunctionUpdatedV2 */.rWV)(waiterConfig(env), { FunctionName: fn });
        const cfg = r.final?.Configuration;
        return cfg ?? (await getFunction(env, fn));
    }
    catch (err) {
        if (awsError(err).name === 'TimeoutError')
            throw new util_errors/* ActionError */.lZ('Update timed out', `${fn}: the update was still in progress after ${env.inputs.waitTimeoutSeconds} s (wait-timeout-seconds). ` +
                'It goes on in AWS: check the function in the console, then re-run, or raise wait-timeout-seconds.', { cause: err });
        const cfg = await getFunction(env, fn);
        if (cfg.LastUpdateStatus === 'Failed') {
            if (othersUpdate)
                return cfg;
            throw new util_errors/* ActionError */.lZ('Update failed', `${fn}: Lambda could not apply the update: LastUpdateStatus Failed` +
                `${cfg.LastUpdateStatusReasonCode ? ` (${cfg.LastUpdateStatusReasonCode})` : ''}: ${cfg.LastUpdateStatusReason ?? 'no reason given'}.`, { cause: err });
        }
        if (cfg.LastUpdateStatus === 'Successful')
            return cfg;
        throw explainAwsError(err, 'GetFunction', fn);
    }
}
/** Waits until a new function is Active (GetFunction polls); State Failed is an error. */
async function waitActive(env, fn) {
    try {
        const r = await (0,client_lambda_dist_cjs/* waitUntilFunctionActiveV2 */._RC)(waiterConfig(env), { FunctionName: fn });
        const cfg = r.final?.Configuration;
        return cfg ?? (await getFunction(env, fn));
    }
    catch (err) {
        if (awsError(err).name === 'TimeoutError')
            throw new util_errors/* ActionError */.lZ('Creation timed out', `${fn}: the new function was still Pending after ${env.inputs.waitTimeoutSeconds} s (wait-timeout-seconds); re-run once it is Active.`, { cause: err });
        const cfg = await getFunction(env, fn);
        if (cfg.State === 'Failed')
            throw new util_errors/* ActionError */.lZ('Creation failed', `${fn}: the function was created but could not become Active: State Failed` +
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
/** A write refused because the function changed since it was read (RevisionId). */
function changedMeanwhile(fn, what, err) {
    return new util_errors/* ActionError */.lZ('Function changed meanwhile', `${fn}: the function changed since it was read (another deploy?); ${what}; re-run.`, { cause: err });
}
/** Reads the function before any write; refuses what cannot work. */
async function preflight(env, fn) {
    const { inputs, zip, log } = env;
    let cfg;
    try {
        cfg = await awsCall('GetFunction', fn, async () => {
            const out = await env.clients.lambda.send(new client_lambda_dist_cjs/* GetFunctionCommand */.YF5({ FunctionName: fn }));
            if (!out.Configuration)
                throw new util_errors/* ActionError */.lZ('GetFunction failed', `GetFunction on ${fn} returned no configuration.`);
            return out.Configuration;
        }, (err) => isAwsError(err, 'ResourceNotFoundException'));
    }
    catch (err) {
        if (!isAwsError(err, 'ResourceNotFoundException'))
            throw err;
        if (!inputs.create)
            throw new util_errors/* ActionError */.lZ('Function not found', `function ${fn} does not exist in ${inputs.awsRegion}; create it, fix function-name, or set create: true with role.`, { cause: err });
        checkLayerLoader(env, fn, inputs.configuration.layers ?? []);
        log.info(`${fn}: does not exist in ${inputs.awsRegion}; it will be created (create: true).`);
        return { fn, config: undefined, create: inputs.create };
    }
    if (cfg.PackageType === 'Image')
        throw new util_errors/* ActionError */.lZ('Container image function', `${fn} is deployed from a container image; a zip cannot be deployed to it. Use a function with package type Zip.`);
    if (cfg.Runtime && !cfg.Runtime.startsWith('provided'))
        throw new util_errors/* ActionError */.lZ('Wrong runtime', `${fn} has runtime ${cfg.Runtime}, which never runs a bootstrap; the zip needs provided.al2023 (or provided.al2). ` +
            "Change the function's runtime first (aws lambda update-function-configuration --runtime provided.al2023 --handler bootstrap).");
    checkLayerLoader(env, fn, inputs.configuration.layers ?? (cfg.Layers ?? []).flatMap((l) => l.Arn ?? []));
    const arch = functionArch(cfg);
    if (arch !== zip.architecture && inputs.architectureChange !== 'update')
        throw new util_errors/* ActionError */.lZ('Architecture mismatch', `zip is ${zip.architecture}, function ${fn} is ${arch}; nothing was uploaded. Build the flake for ${arch} ` +
            `(for example .#packages.${arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux.default), deploy to a ${zip.architecture} function, ` +
            `or set architecture-change: update to switch ${fn} to ${zip.architecture} with this code.`);
    if (cfg.LastUpdateStatus === 'InProgress') {
        log.info(`${fn}: an update is already in progress; waiting for it to finish before reading the function.`);
        cfg = await waitUpdated(env, fn, true);
    }
    return { fn, config: cfg };
}
/**
 * A zip made with library-layer, deployed without this run's layer (a deploy-only job): its
 * bootstrap loads its loader and libraries from /opt, so a function with no layers would fail at
 * every start. Refused before any change; with layers, said (which layer holds them is not known).
 */
function checkLayerLoader(env, fn, layers) {
    const loader = env.zip.layerLoader;
    if (loader === undefined || env.layer)
        return;
    if (layers.length === 0)
        throw new util_errors/* ActionError */.lZ('Zip needs its library layer', `the bootstrap in ${env.zip.path} starts through ${loader} (it was packaged with library-layer), but ${fn} would have no layers: it could not start. ` +
            'Deploy in the run that packages it (with library-layer and the deploy stage), or give `layers` with the layer version it was built with. Nothing was uploaded.');
    env.log.info(`${fn}: the bootstrap starts through ${loader}, from the function's layers (${layers.join(', ')}): they must hold the libraries it was packaged with.`);
}

;// CONCATENATED MODULE: ./src/deploy/code.ts







/** The writes to one function: its code (from the zip or S3) and its configuration. */
/** Where the code comes from: the zip itself, or an S3 object (uploaded once per run and key). */
async function codeSource(env, fn) {
    const { zip } = env;
    const s3 = env.inputs.s3;
    if (!s3)
        return { code: { ZipFile: zip.bytes }, bytes: zip.bytes.length, upload: 'direct' };
    const key = s3.key || defaultS3Key(fn, zip.codeSha256);
    const where = `s3://${s3.bucket}/${key}`;
    let pending = env.uploads.get(where);
    let bytes = 0;
    if (!pending) {
        env.log.info(`${fn}: uploading ${(0,format/* formatBytes */.z3)(zip.bytes.length)} to ${where}`);
        pending = uploadZip(env.clients.s3, s3.bucket, key, zip.bytes, zip.codeSha256, env.opts.s3PartSize);
        env.uploads.set(where, pending);
        bytes = zip.bytes.length;
    }
    else
        env.log.info(`${fn}: using ${where}, uploaded earlier in this run`);
    await pending;
    return { code: { S3Bucket: s3.bucket, S3Key: key }, bytes, upload: where };
}
/** Refuses a call whose CodeSha256 is not the zip's: Lambda did not receive this zip. */
function checkSha(fn, zip, got, call) {
    if (got !== undefined && got !== zip.codeSha256)
        throw new util_errors/* ActionError */.lZ('Code mismatch', `${fn}: after ${call}, Lambda reports CodeSha256 ${got}, but the zip's is ${zip.codeSha256}; the code Lambda received is not this zip.`);
}
/** One log line per configuration change (dry: what would change). */
function logChanges(env, fn, changes, dry) {
    for (const c of changes)
        env.log.info(`${fn}: ${dry ? 'would change ' : ''}${describeChange(c)}`);
}
/** UpdateFunctionCode with the RevisionId read before (412: the function changed since, nothing overwritten). */
async function updateCode(env, fn, code, revisionId, dryRun) {
    const arch = env.zip.architecture;
    try {
        return await awsCall('UpdateFunctionCode', fn, () => withConflictRetry(env, fn, 'UpdateFunctionCode', () => env.clients.lambda.send(new client_lambda_dist_cjs/* UpdateFunctionCodeCommand */.KfB({
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
            if (now.CodeSha256 === env.zip.codeSha256 && functionArch(now) === arch) {
                env.log.warning(`${fn}: UpdateFunctionCode reported a revision mismatch, but the function already holds this zip (an earlier attempt of the same call was applied); continuing.`);
                return now;
            }
        }
        throw changedMeanwhile(fn, 'nothing was overwritten', err);
    }
}
/**
 * UpdateFunctionConfiguration with the planned fields and the RevisionId read before. A 412 says
 * what was not done: `notDone` (default: the configuration, after the new code went in).
 */
async function updateConfiguration(env, fn, plan, revisionId, notDone = 'its configuration was not changed (the new code is in place)') {
    return awsCall('UpdateFunctionConfiguration', fn, () => withConflictRetry(env, fn, 'UpdateFunctionConfiguration', () => env.clients.lambda.send(new client_lambda_dist_cjs/* UpdateFunctionConfigurationCommand */.Zlw({
        FunctionName: fn,
        ...plan.update,
        ...(revisionId ? { RevisionId: revisionId } : {}),
    }))), (err) => isAwsError(err, 'PreconditionFailedException')).catch((err) => {
        if (isAwsError(err, 'PreconditionFailedException'))
            throw changedMeanwhile(fn, notDone, err);
        throw err;
    });
}

;// CONCATENATED MODULE: ./src/deploy/publish.ts





/**
 * Versions and the alias, shared by update.ts and create.ts: publish exactly the code that was
 * sent, reuse a version that already holds it, and move the alias only to such a version.
 */
/** The newest published version holding the zip's code (and architecture, and the library layer's version), if any. */
async function findVersion(env, fn) {
    let best;
    const layer = env.layer?.current?.arn;
    try {
        for await (const page of (0,client_lambda_dist_cjs/* paginateListVersionsByFunction */.CE5)({ client: env.clients.lambda }, { FunctionName: fn })) {
            for (const v of page.Versions ?? []) {
                if (!v.Version || v.Version === '$LATEST')
                    continue;
                if (v.CodeSha256 !== env.zip.codeSha256 || functionArch(v) !== env.zip.architecture)
                    continue;
                if (layer !== undefined && !(v.Layers ?? []).some((l) => l.Arn === layer))
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
/** PublishVersion guarded by the zip's CodeSha256 (and the RevisionId read before): the version holds this code. */
async function publish(env, fn, revisionId) {
    const out = await awsCall('PublishVersion', fn, () => withConflictRetry(env, fn, 'PublishVersion', () => env.clients.lambda.send(new client_lambda_dist_cjs/* PublishVersionCommand */.D3m({
        FunctionName: fn,
        CodeSha256: env.zip.codeSha256,
        ...(revisionId ? { RevisionId: revisionId } : {}),
    }))), (err) => isAwsError(err, 'PreconditionFailedException')).catch((err) => {
        if (isAwsError(err, 'PreconditionFailedException'))
            throw changedMeanwhile(fn, 'no version was published', err);
        throw err;
    });
    checkSha(fn, env.zip, out.CodeSha256, 'PublishVersion');
    if (!out.Version || out.Version === '$LATEST')
        throw new util_errors/* ActionError */.lZ('PublishVersion failed', `${fn}: PublishVersion returned no version number.`);
    env.log.info(`${fn}: published version ${out.Version}`);
    return out.Version;
}
/** Points the alias at version (creating it when missing). A weighted alias loses its extra weights: they would send traffic to other code. */
async function pointAlias(env, fn, version) {
    const name = env.inputs.alias;
    const lambda = env.clients.lambda;
    let alias;
    try {
        alias = await awsCall('GetAlias', `${fn}:${name}`, () => lambda.send(new client_lambda_dist_cjs/* GetAliasCommand */.MES({ FunctionName: fn, Name: name })), (err) => isAwsError(err, 'ResourceNotFoundException'));
    }
    catch (err) {
        if (!isAwsError(err, 'ResourceNotFoundException'))
            throw err;
    }
    if (!alias) {
        try {
            await awsCall('CreateAlias', `${fn}:${name}`, () => lambda.send(new client_lambda_dist_cjs/* CreateAliasCommand */.W_e({ FunctionName: fn, Name: name, FunctionVersion: version })), (e) => isAwsError(e, 'ResourceConflictException'));
            env.log.info(`${fn}: created alias ${name} -> ${version}`);
            return;
        }
        catch (err) {
            if (!isAwsError(err, 'ResourceConflictException'))
                throw err;
            // Created by someone else in between: read it and update it like any other.
            alias = await awsCall('GetAlias', `${fn}:${name}`, () => lambda.send(new client_lambda_dist_cjs/* GetAliasCommand */.MES({ FunctionName: fn, Name: name })));
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
    await awsCall('UpdateAlias', `${fn}:${name}`, () => lambda.send(new client_lambda_dist_cjs/* UpdateAliasCommand */.lqC({
        FunctionName: fn,
        Name: name,
        FunctionVersion: version,
        ...(alias.RevisionId ? { RevisionId: alias.RevisionId } : {}),
        ...(weighted ? { RoutingConfig: { AdditionalVersionWeights: {} } } : {}),
    })), (e) => isAwsError(e, 'PreconditionFailedException')).catch((err) => {
        if (isAwsError(err, 'PreconditionFailedException'))
            throw new util_errors/* ActionError */.lZ('Alias changed meanwhile', `${fn}: alias ${name} changed since it was read (another deploy?); it was left as the other change set it; version ${version} is published; re-run.`, { cause: err });
        throw err;
    });
    env.log.info(`${fn}: alias ${name}: ${alias.FunctionVersion ?? '?'} -> ${version}`);
}

;// CONCATENATED MODULE: ./src/deploy/smoke.ts





/**
 * The smoke test: after publishing, Invoke the new version itself (Qualifier = the version,
 * RequestResponse, LogType Tail) with smoke-test-payload, before the alias moves. A FunctionError,
 * a status other than 200, no answer within smoke-test-timeout-seconds, or a response without
 * smoke-test-expect fails it; the caller then leaves the alias where it was. The function's error
 * and the end of its log (X-Amz-Log-Result) go to the log, the error and the job summary.
 */
/** How much of the response a report keeps. */
const RESPONSE_KEEP = 4096;
/** How many lines of the log tail an error message carries (the log and the summary have it all). */
const TAIL_LINES_IN_ERROR = 20;
/** The invocation's answer judged against the inputs (a pure function of what Invoke returned). */
function judgeInvocation(out, test, at) {
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    const logTail = out.LogResult ? Buffer.from(out.LogResult, 'base64').toString('utf8') : '';
    let reason = '';
    if (out.FunctionError)
        reason = `the function returned an error (FunctionError ${out.FunctionError}): ${oneLine(text) || '(no payload)'}`;
    else if (out.StatusCode !== 200)
        reason = `Invoke answered with status ${out.StatusCode ?? 'none'}, not 200`;
    else if (out.ExecutedVersion && out.ExecutedVersion !== at.version)
        reason = `Lambda ran version ${out.ExecutedVersion}, not version ${at.version}`;
    else if (test.expect !== undefined && !text.includes(test.expect))
        reason = `the response does not contain the expected text ${JSON.stringify(test.expect)} (smoke-test-expect)`;
    return {
        function: at.fn,
        version: at.version,
        result: reason ? 'failed' : 'passed',
        reason: (0,secrets/* scrubSecrets */.Zg)(reason),
        statusCode: out.StatusCode,
        functionError: out.FunctionError ?? '',
        response: (0,secrets/* scrubSecrets */.Zg)(cut(text)),
        logTail: (0,secrets/* scrubSecrets */.Zg)(logTail),
        durationMs: at.durationMs,
    };
}
/** A smoke test whose Invoke did not answer: timed out, throttled to the end, refused. */
function failedInvocation(err, test, at) {
    const { name, message, status } = awsError(err);
    let reason;
    if (at.timedOut)
        reason = `no answer within ${test.timeoutSeconds} s (smoke-test-timeout-seconds); the invocation was abandoned`;
    else if (name === 'TooManyRequestsException')
        reason = `Invoke was throttled (TooManyRequestsException) on every attempt, so the version never ran: ${message}. Raise the function's concurrency (or the account's), or re-run later`;
    else if (name === 'AccessDeniedException' || status === 403)
        reason = `Invoke was denied: the deploy role needs ${PERMISSIONS['Invoke'] ?? 'lambda:InvokeFunction'} on the function's versions. AWS said: ${message}`;
    else
        reason = `Invoke failed: ${name}: ${message}`;
    return {
        function: at.fn,
        version: at.version,
        result: 'failed',
        reason: (0,secrets/* scrubSecrets */.Zg)(reason),
        statusCode: undefined,
        functionError: '',
        response: '',
        logTail: '',
        durationMs: at.durationMs,
    };
}
/**
 * Runs the smoke test of `version` (when smoke-test-payload is set): records the report in
 * env.smokeTests, logs it, and throws a titled error when it failed. Returns whether it ran.
 */
async function smokeTest(env, fn, version, o = {}) {
    const test = env.inputs.smokeTest;
    if (test?.payload === undefined)
        return false;
    env.log.info(`${fn}: smoke test: Invoke version ${version} with smoke-test-payload (${(0,format/* formatBytes */.z3)(Buffer.byteLength(test.payload))}), at most ${test.timeoutSeconds} s`);
    const report = await invoke(env, fn, version, test);
    env.smokeTests.set(fn, report);
    logReport(env.log, report);
    if (report.result === 'failed')
        throw smokeTestError(report, env.inputs.alias, o);
    return true;
}
/** Invoke within the time limit; a version not Active yet (409) is waited for once, within the same limit. */
async function invoke(env, fn, version, test) {
    const t0 = performance.now();
    const abort = new AbortController();
    const timer = setTimeout(() => {
        abort.abort();
    }, test.timeoutSeconds * 1000);
    try {
        for (let attempt = 1;; attempt++) {
            try {
                const out = await env.clients.invoke.send(new client_lambda_dist_cjs/* InvokeCommand */.mdN({
                    FunctionName: fn,
                    Qualifier: version,
                    InvocationType: 'RequestResponse',
                    LogType: 'Tail',
                    Payload: Buffer.from(test.payload),
                }), { abortSignal: abort.signal });
                return judgeInvocation(out, test, { fn, version, durationMs: performance.now() - t0 });
            }
            catch (err) {
                if (attempt === 1 && !abort.signal.aborted && isAwsError(err, 'ResourceConflictException')) {
                    await waitForVersion(env, fn, version, { err, abortSignal: abort.signal, test });
                    continue;
                }
                const durationMs = performance.now() - t0;
                return failedInvocation(err, test, { fn, version, durationMs, timedOut: abort.signal.aborted });
            }
        }
    }
    finally {
        clearTimeout(timer);
    }
}
/** A version Lambda cannot invoke yet (State Pending): GetFunction polls until it is Active, or the limit. */
async function waitForVersion(env, fn, version, o) {
    env.log.info(`${fn}: version ${version} cannot be invoked yet (${awsError(o.err).message}); waiting until it is Active.`);
    const minDelay = env.opts.pollDelaySeconds;
    await (0,client_lambda_dist_cjs/* waitUntilFunctionActiveV2 */._RC)({
        client: env.clients.lambda,
        minDelay,
        maxDelay: Math.max(minDelay, env.opts.pollMaxDelaySeconds),
        maxWaitTime: Math.max(o.test.timeoutSeconds, minDelay * 2),
        abortSignal: o.abortSignal,
    }, { FunctionName: fn, Qualifier: version }).catch(() => undefined); // the Invoke after it says what is wrong
}
function logReport(log, r) {
    const took = (0,format/* formatDuration */.a3)(r.durationMs);
    if (r.result === 'passed')
        log.info(`${r.function}: smoke test of version ${r.version} passed in ${took} (status ${r.statusCode ?? '?'}, ${(0,format/* formatBytes */.z3)(Buffer.byteLength(r.response))} of response)`);
    else
        log.info(`${r.function}: smoke test of version ${r.version} FAILED after ${took}: ${r.reason}`);
    if (r.result === 'failed' && r.response)
        log.info(`${r.function}: response: ${r.response}`);
    if (r.logTail) {
        log.info(`${r.function}: log tail of version ${r.version} (X-Amz-Log-Result):`);
        for (const line of r.logTail.replace(/\n$/, '').split('\n'))
            log.info(`  | ${line}`);
    }
}
/**
 * The failure: what failed, where the alias stays, the error and the end of the log. `created`: the
 * function was created by this deploy, so it exists now and its alias does not.
 */
function smokeTestError(r, alias, o = {}) {
    const kept = `Version ${r.version} stays published (and $LATEST holds its code); fix the code and deploy again.`;
    const lines = [
        `${r.function}: version ${r.version} failed its smoke test: ${r.reason}.`,
        o.created
            ? `${r.function} was created by this deploy and stays${alias ? `; alias ${alias} was not created` : ''}. ${kept}`
            : alias
                ? `Alias ${alias} was not moved: it is as it was before this deploy. ${kept}`
                : kept,
    ];
    const tail = r.logTail.replace(/\n$/, '').split('\n').filter(Boolean);
    if (tail.length > 0) {
        const shown = tail.slice(-TAIL_LINES_IN_ERROR);
        lines.push(`Log tail${shown.length < tail.length ? ` (last ${shown.length} lines)` : ''}:`, ...shown.map((l) => `  ${l}`));
    }
    return new util_errors/* ActionError */.lZ('Smoke test failed', lines.join('\n'));
}
function oneLine(s) {
    return cut(s.replace(/\s*\n\s*/g, ' ').trim(), 1000);
}
function cut(s, max = RESPONSE_KEEP) {
    return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

;// CONCATENATED MODULE: ./src/deploy/versions.ts



/**
 * keep-versions: after a successful publish (and the alias moved), published versions beyond the
 * newest N that no alias points to are deleted (DeleteFunction with the version as Qualifier):
 * Lambda keeps at most 75 GB of code a Region, and every version of a Nix bundle is a full copy.
 * Never $LATEST, never a version an alias points to (its FunctionVersion or a weight of its
 * RoutingConfig), never the version the deploy ends on. Housekeeping: a failure to delete is a
 * warning, never a failed deploy.
 */
/** The versions aliases point to: FunctionVersion and RoutingConfig.AdditionalVersionWeights. */
function aliasedVersions(aliases) {
    const out = new Set();
    for (const a of aliases) {
        if (a.FunctionVersion)
            out.add(a.FunctionVersion);
        for (const v of Object.keys(a.RoutingConfig?.AdditionalVersionWeights ?? {}))
            out.add(v);
    }
    return out;
}
/** Which published versions to delete, oldest first (a pure function of what was listed). */
function versionsToDelete(published, o) {
    const numbered = [...new Set(published.filter((v) => /^\d+$/.test(v)))].sort((a, b) => Number(b) - Number(a));
    return numbered
        .slice(o.keep)
        .filter((v) => !o.aliased.has(v) && v !== o.current)
        .sort((a, b) => Number(a) - Number(b));
}
/** Deletes the versions keep-versions leaves out; returns those deleted, oldest first. */
async function pruneVersions(env, fn, current) {
    const keep = env.inputs.keepVersions;
    if (keep === undefined || current === '$LATEST')
        return [];
    const { log } = env;
    let doomed;
    try {
        const [published, aliases] = await Promise.all([listVersions(env, fn), listAliases(env, fn)]);
        doomed = versionsToDelete(published, { keep, aliased: aliasedVersions(aliases), current });
    }
    catch (err) {
        log.warning(`${fn}: keep-versions: could not list the versions and aliases, so none was deleted: ${(0,util_errors/* errorMessage */.gJ)(err)}`, 'Old versions not deleted');
        return [];
    }
    if (doomed.length === 0) {
        log.info(`${fn}: keep-versions ${keep}: no version to delete.`);
        return [];
    }
    log.info(`${fn}: keep-versions ${keep}: deleting version${doomed.length === 1 ? '' : 's'} ${doomed.join(', ')}`);
    const deleted = [];
    for (const v of doomed) {
        const outcome = await deleteVersion(env, fn, v);
        if (outcome === 'deleted')
            deleted.push(v);
        if (outcome === 'stop')
            break;
    }
    return deleted;
}
async function listVersions(env, fn) {
    const out = [];
    try {
        for await (const page of (0,client_lambda_dist_cjs/* paginateListVersionsByFunction */.CE5)({ client: env.clients.lambda }, { FunctionName: fn }))
            for (const v of page.Versions ?? [])
                if (v.Version)
                    out.push(v.Version);
    }
    catch (err) {
        throw explainAwsError(err, 'ListVersionsByFunction', fn);
    }
    return out;
}
async function listAliases(env, fn) {
    const out = [];
    try {
        for await (const page of (0,client_lambda_dist_cjs/* paginateListAliases */._O$)({ client: env.clients.lambda }, { FunctionName: fn }))
            out.push(...(page.Aliases ?? []));
    }
    catch (err) {
        throw explainAwsError(err, 'ListAliases', fn);
    }
    return out;
}
/** One DeleteFunction with a Qualifier: deleted, skipped (gone, or aliased meanwhile), or stop (denied, failing). */
async function deleteVersion(env, fn, version) {
    if (!/^\d+$/.test(version))
        return 'skipped'; // never $LATEST, never an unqualified delete
    try {
        await awsCall('DeleteFunction', `${fn}:${version}`, () => env.clients.lambda.send(new client_lambda_dist_cjs/* DeleteFunctionCommand */.Z3K({ FunctionName: fn, Qualifier: version })), (err) => isAwsError(err, 'ResourceConflictException', 'ResourceNotFoundException'));
        env.log.info(`${fn}: deleted version ${version}`);
        return 'deleted';
    }
    catch (err) {
        if (isAwsError(err, 'ResourceNotFoundException'))
            return 'skipped';
        if (isAwsError(err, 'ResourceConflictException')) {
            env.log.info(`${fn}: version ${version} kept: Lambda refused to delete it (an alias points at it now?).`);
            return 'skipped';
        }
        env.log.warning(`${fn}: keep-versions: ${(0,util_errors/* errorMessage */.gJ)(err)}\nThe deploy itself succeeded; the versions left over are deleted by the next deploy that can.`, 'Old versions not deleted');
        return 'stop';
    }
}

;// CONCATENATED MODULE: ./src/deploy/create.ts











/**
 * Creating a function that preflight found missing (create: true): the OS-only runtime, handler
 * bootstrap, the zip's architecture (never an input that could disagree), the configuration the
 * workflow sets, then the wait until it is Active, the version, its smoke test and the alias as asked.
 */
async function createFunction(env, fn, create) {
    const t0 = performance.now();
    const { inputs, zip, log } = env;
    const { settings, changes } = creationSettings(fn, inputs.configuration, zip.runtimeEnv);
    const base = {
        function: fn,
        alias: '',
        codeSha256: '',
        revisionId: '',
        configChanges: changes,
        codeUpdated: false,
        bytesUploaded: 0,
        upload: '',
        smokeTest: 'skipped',
        deletedVersions: [],
    };
    if (inputs.dryRun) {
        log.info(`${fn}: dry run: would create the function (${create.runtime}, ${zip.architecture}, role ${create.role}).`);
        logChanges(env, fn, changes, true);
        return { ...base, arn: fn, version: '$LATEST', status: 'dry-run', durationMs: performance.now() - t0 };
    }
    const src = await codeSource(env, fn);
    log.info(`${fn}: CreateFunction (${create.runtime}, ${zip.architecture}, ${(0,format/* formatBytes */.z3)(zip.bytes.length)})`);
    logChanges(env, fn, changes, false);
    const created = await sendCreate(env, fn, create, src.code, settings);
    checkSha(fn, zip, created.CodeSha256, 'CreateFunction');
    const cfg = await waitActive(env, fn);
    let version = '$LATEST';
    let smoke = false;
    let deletedVersions = [];
    if (inputs.publish) {
        version =
            created.Version && created.Version !== '$LATEST'
                ? created.Version
                : ((await findVersion(env, fn)) ?? (await publish(env, fn, cfg.RevisionId)));
        log.info(`${fn}: created with version ${version}`);
        smoke = await smokeTest(env, fn, version, { created: true });
        if (inputs.alias)
            await pointAlias(env, fn, version);
        deletedVersions = await pruneVersions(env, fn, version);
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
        smokeTest: smoke ? 'passed' : 'skipped',
        deletedVersions,
        durationMs: performance.now() - t0,
    };
}
/** CreateFunction; a function created meanwhile, or a role Lambda cannot use yet, said as such. */
async function sendCreate(env, fn, create, code, settings) {
    return awsCall('CreateFunction', fn, () => env.clients.lambda.send(new client_lambda_dist_cjs/* CreateFunctionCommand */.Y8X({
        FunctionName: fn,
        Runtime: create.runtime,
        Handler: lambda/* BOOTSTRAP */.nD,
        Role: create.role,
        Code: code,
        Architectures: [env.zip.architecture],
        PackageType: 'Zip',
        Publish: env.inputs.publish,
        ...settings,
    })), (err) => isAwsError(err, 'ResourceConflictException', 'InvalidParameterValueException')).catch((err) => {
        if (isAwsError(err, 'ResourceConflictException'))
            throw new util_errors/* ActionError */.lZ('Function created meanwhile', `${fn} was created by someone else after it was found missing; re-run to update it.`, {
                cause: err,
            });
        const { message } = awsError(err);
        if (/assume|role/i.test(message))
            throw new util_errors/* ActionError */.lZ('Execution role rejected', `CreateFunction ${fn}: ${message}. The role must trust lambda.amazonaws.com; a role created moments ago can take a few seconds to be usable: re-run.`, { cause: err });
        throw explainAwsError(err, 'CreateFunction', fn);
    });
}

;// CONCATENATED MODULE: ./src/deploy/layer-apply.ts


/**
 * The library layer applied to each function of the run: the limits checked for every function
 * before any is changed, the layer version found or published once, then each function's Layers
 * (its other layers kept, an older version of the library layer replaced) planned as a
 * configuration change that travels with the code (update.ts sends it first, under the RevisionId
 * read before, then the code under the RevisionId that update returned). A version deleted
 * between the lookup and the update is replaced, and that function's deploy starts again.
 */
/** The layer version ARNs the function has now (none for a function to create). */
function currentLayers(cfg) {
    return (cfg?.Layers ?? []).map((l) => l.Arn ?? '').filter(Boolean);
}
/** Checks every function against the limits with the library layer, then looks the version up (publishing a new one). */
async function prepareLayer(env, layer, pre) {
    const input = env.inputs.configuration.layers;
    for (const p of pre) {
        const arn = p.config?.FunctionArn ? layerArnFor(p.config.FunctionArn, layer.name) : layer.name;
        checkLayerLimits(p.fn, p.config, desiredLayers(currentLayers(p.config), input, arn, `${arn}:new`), layer.sizes, arn);
    }
    await layer.resolve(env);
}
/** The deploy env of one function: its configuration's Layers are those it should end up with. */
function withLayerConfig(env, p, layer) {
    const got = layer.current;
    if (!got)
        throw new Error('the library layer is not resolved');
    const fnArn = p.config?.FunctionArn;
    const layerArn = got.arn ? unversioned(got.arn) : fnArn ? layerArnFor(fnArn, got.name) : got.name;
    const version = got.arn || `${layerArn}:(new version)`;
    const layers = desiredLayers(currentLayers(p.config), env.inputs.configuration.layers, layerArn, version);
    return {
        ...env,
        inputs: { ...env.inputs, configuration: { ...env.inputs.configuration, layers } },
    };
}
/**
 * Deploys one function with the layer; when Lambda says the layer version no longer exists (deleted
 * since it was looked up: nothing of this function was changed by the call that failed), another
 * version is found or published and the function is read and deployed again, once.
 */
async function deployWithLayer(env, layer, p, deployOne) {
    try {
        return await deployOne(withLayerConfig(env, p, layer), p);
    }
    catch (err) {
        const gone = deletedLayerVersion(err);
        const ours = layer.current?.arn;
        if (gone === undefined || !ours || unversioned(gone) !== unversioned(ours))
            throw err;
        await layer.replace(env, gone);
        const again = p.config ? { fn: p.fn, config: await getFunction(env, p.fn) } : p;
        return deployOne(withLayerConfig(env, again, layer), again);
    }
}

;// CONCATENATED MODULE: ./src/deploy/update.ts









/**
 * With a library layer whose version changes along with the code, the configuration (the new
 * Layers) goes first and the code second: UpdateFunctionCode cannot take Layers. The old program
 * keeps running with its own libraries meanwhile (a program that was in one zip has them under
 * /var/task; a layer program takes a newer layer's libraries, which keep their old symbols), and
 * no version is published, nor the alias moved, until both are in (PublishVersion checks the code).
 */
function layersFirst(env, u) {
    return env.layer !== undefined && u.plan.update.Layers !== undefined && !u.sameCode;
}
/** The code after the new Layers; a failure says that the layer is in place and the code is not. */
async function sendCodeAfterLayers(env, u) {
    try {
        return await sendCode(env, u);
    }
    catch (err) {
        const e = err instanceof util_errors/* ActionError */.lZ ? err : explainAwsError(err, 'UpdateFunctionCode', u.fn);
        if (u.codeSent)
            throw e;
        throw new util_errors/* ActionError */.lZ(e.title, `${e.message}\n${u.fn}: its Layers are updated on $LATEST but its code is not (no version was published, no alias moved); re-run to finish.`, { cause: err });
    }
}
/** Deploys the zip to an existing function (after preflight). */
async function updateFunction(env, pre) {
    const u = planUpdate(env, pre.fn, pre.config);
    if (env.inputs.dryRun)
        return dryRun(env, u);
    const sent = layersFirst(env, u)
        ? await applyConfiguration(env, u, true).then(() => sendCodeAfterLayers(env, u))
        : await sendCode(env, u).then(async (r) => {
            await applyConfiguration(env, u);
            return r;
        });
    const { version, smoke, deletedVersions } = await publishUpdate(env, u);
    const changed = !u.sameCode || u.plan.changes.length > 0;
    return result(u, {
        status: changed ? 'updated' : 'unchanged',
        codeUpdated: !u.sameCode,
        version,
        alias: env.inputs.alias,
        smokeTest: smoke ? 'passed' : 'skipped',
        deletedVersions,
        ...sent,
        codeSha256: u.cfg.CodeSha256 ?? '',
        revisionId: u.cfg.RevisionId ?? '',
    });
}
function planUpdate(env, fn, cfg) {
    const { inputs, zip, log } = env;
    const t0 = performance.now();
    const plan = planConfiguration(fn, cfg, inputs.configuration, zip.runtimeEnv);
    const lastFailed = cfg.LastUpdateStatus === 'Failed';
    const arch = functionArch(cfg);
    const archChange = arch === zip.architecture ? undefined : { from: arch, to: zip.architecture };
    const sameCode = inputs.skipUnchanged && !lastFailed && cfg.CodeSha256 === zip.codeSha256 && !archChange;
    if (lastFailed && cfg.CodeSha256 === zip.codeSha256)
        log.info(`${fn}: its last update failed (${cfg.LastUpdateStatusReason ?? 'no reason given'}); sending the code again.`);
    if (archChange)
        log.info(`${fn}: architecture ${archChange.from} -> ${archChange.to} (architecture-change: update), in the same UpdateFunctionCode as the code.`);
    return { fn, cfg, plan, sameCode, archChange, codeSent: false, t0 };
}
/** The result as the function stands now (its last configuration read), with what this deploy did. */
function result(u, over) {
    return {
        function: u.fn,
        arn: u.cfg.FunctionArn ?? u.fn,
        version: '$LATEST',
        alias: '',
        codeSha256: u.cfg.CodeSha256 ?? '',
        revisionId: u.cfg.RevisionId ?? '',
        status: 'updated',
        codeUpdated: false,
        bytesUploaded: 0,
        upload: '',
        configChanges: u.plan.changes,
        ...(u.archChange ? { architectureChange: u.archChange } : {}),
        smokeTest: 'skipped',
        deletedVersions: [],
        durationMs: performance.now() - u.t0,
        ...over,
    };
}
/** dry-run: what would change, and UpdateFunctionCode's own validation (DryRun) of a direct upload. */
async function dryRun(env, u) {
    const { zip, log } = env;
    const { fn, cfg } = u;
    logChanges(env, fn, u.plan.changes, true);
    if (env.inputs.smokeTest)
        log.info(`${fn}: dry run: no version is published, so there is no smoke test (smoke-test-result skipped).`);
    if (u.sameCode) {
        log.info(`${fn}: dry run: the function already runs this zip (CodeSha256 ${zip.codeSha256}); nothing to upload.`);
        // Settings that would change (the library layer's new version among them) are no 'unchanged'.
        return result(u, { status: u.plan.changes.length > 0 ? 'dry-run' : 'unchanged' });
    }
    if (zip.bytes.length > env.opts.directUploadLimit) {
        log.info(`${fn}: dry run: would upload ${(0,format/* formatBytes */.z3)(zip.bytes.length)} through S3 and update the code; S3 is not written in a dry run.`);
        return result(u, { status: 'dry-run' });
    }
    const out = await updateCode(env, fn, { ZipFile: zip.bytes }, cfg.RevisionId, true);
    log.info(`${fn}: dry run: UpdateFunctionCode accepted the zip; nothing was changed.`);
    return result(u, {
        status: 'dry-run',
        bytesUploaded: zip.bytes.length,
        upload: 'direct',
        revisionId: out.RevisionId ?? cfg.RevisionId ?? '',
    });
}
/** The code, unless the function already runs it; then the wait when anything follows it. */
async function sendCode(env, u) {
    const { inputs, zip, log } = env;
    const { fn } = u;
    let bytesUploaded = 0;
    let upload = '';
    if (u.sameCode) {
        log.info(`${fn}: unchanged: the function already runs this zip (CodeSha256 ${zip.codeSha256}); nothing uploaded.`);
    }
    else {
        const src = await codeSource(env, fn);
        bytesUploaded = src.bytes;
        upload = src.upload;
        log.info(`${fn}: UpdateFunctionCode (${zip.architecture}, ${(0,format/* formatBytes */.z3)(zip.bytes.length)}, ${src.upload === 'direct' ? 'direct upload' : src.upload})`);
        const out = await updateCode(env, fn, src.code, u.cfg.RevisionId, false);
        u.codeSent = true;
        checkSha(fn, zip, out.CodeSha256, 'UpdateFunctionCode');
        u.cfg = { ...u.cfg, ...out };
    }
    const mustWait = inputs.wait || inputs.publish || u.plan.changes.length > 0;
    if (!u.sameCode && mustWait) {
        u.cfg = await waitUpdated(env, fn);
        checkSha(fn, zip, u.cfg.CodeSha256, 'the update');
    }
    return { bytesUploaded, upload };
}
/** A failure after the code went in: the message says what is in place and what is not. */
function partly(env, u, err, call, notDone) {
    const e = err instanceof util_errors/* ActionError */.lZ ? err : explainAwsError(err, call, u.fn);
    if (!u.codeSent || /new code is in place/.test(e.message))
        return e;
    return new util_errors/* ActionError */.lZ(e.title, `${e.message}\n${u.fn}: the new code is in place on $LATEST (CodeSha256 ${env.zip.codeSha256}), but ${notDone}; re-run to finish.`, { cause: err });
}
/** What a 412 on the configuration leaves when no code went in before it. */
function configNotChanged(beforeCode) {
    return beforeCode
        ? 'its Layers and configuration were not changed and its code was not sent'
        : 'its configuration was not changed (its code was already this zip)';
}
/**
 * The settings that differ, then the wait when a version follows or the workflow waits (always
 * before the code: `beforeCode`, and the function must still hold the code it was read with).
 */
async function applyConfiguration(env, u, beforeCode = false) {
    const { inputs } = env;
    if (u.plan.changes.length === 0)
        return;
    logChanges(env, u.fn, u.plan.changes, false);
    const readSha = u.cfg.CodeSha256;
    try {
        const out = await updateConfiguration(env, u.fn, u.plan, u.cfg.RevisionId, u.codeSent ? undefined : configNotChanged(beforeCode));
        u.cfg = { ...u.cfg, ...out };
        if (inputs.wait || inputs.publish || beforeCode)
            u.cfg = await waitUpdated(env, u.fn);
        if (beforeCode && u.cfg.CodeSha256 !== readSha)
            throw changedMeanwhile(u.fn, 'its code changed while its Layers were updated; its code was not sent', null);
    }
    catch (err) {
        throw partly(env, u, err, 'UpdateFunctionConfiguration', `the configuration was not changed${inputs.publish ? ' and no version was published' : ''}`);
    }
}
/**
 * publish: a version holding this code (an existing one when nothing changed), its smoke test
 * (a failure leaves the alias where it was), then the alias, then the old versions deleted.
 */
async function publishUpdate(env, u) {
    const { inputs, log } = env;
    if (!inputs.publish)
        return { version: '$LATEST', smoke: false, deletedVersions: [] };
    let found;
    if (u.sameCode && u.plan.changes.length === 0) {
        found = await findVersion(env, u.fn);
        if (found)
            log.info(`${u.fn}: version ${found} already holds this code; nothing new published.`);
    }
    let version;
    try {
        version = found ?? (await publish(env, u.fn, u.cfg.RevisionId));
    }
    catch (err) {
        throw partly(env, u, err, 'PublishVersion', `no version was published${inputs.alias ? ` and alias ${inputs.alias} was not moved` : ''}`);
    }
    // A version found rather than published may be one whose smoke test failed before: tested again.
    const smoke = await smokeTest(env, u.fn, version);
    if (inputs.alias)
        await pointAlias(env, u.fn, version);
    return { version, smoke, deletedVersions: await pruneVersions(env, u.fn, version) };
}

;// CONCATENATED MODULE: ./src/deploy/run.ts






/**
 * Deploying to several functions: every function is read and checked first (existence,
 * architecture, runtime), so a problem with one is found before any is changed; then each is
 * updated or created, `concurrency` at a time. A failure stops new deploys and says which
 * functions were deployed, which failed and which were not attempted.
 */
async function deployFunctions(env, names) {
    const checks = await pool(names, env.opts.concurrency, (fn) => preflight(env, fn));
    const checkFailure = failure('Deploy check', names, checks, 'Checked', 'No function was changed.');
    if (checkFailure)
        return { deployments: [], error: checkFailure };
    const pre = checks.map((r) => r.value);
    const layer = env.layer;
    if (layer) {
        // Limits for every function, then the layer version (found, or published): before any function changes.
        const err = await prepareLayer(env, layer, pre).then(() => undefined, (e) => e);
        if (err !== undefined)
            return {
                deployments: [],
                error: err instanceof util_errors/* ActionError */.lZ
                    ? err
                    : new util_errors/* ActionError */.lZ('Deploy failed', `${(0,util_errors/* errorMessage */.gJ)(err)}\nNo function was changed.`, {
                        cause: err,
                    }),
            };
    }
    const deployOne = (e, p) => p.config ? updateFunction(e, { fn: p.fn, config: p.config }) : createFunction(e, p.fn, p.create);
    const outcomes = await pool(pre, env.opts.concurrency, (p) => layer ? deployWithLayer(env, layer, p, deployOne) : deployOne(env, p));
    const deployments = outcomes.flatMap((r) => (r?.status === 'fulfilled' ? [r.value] : []));
    return { deployments, error: failure('Deploy', names, outcomes, 'Deployed', '') };
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
        return first.err instanceof util_errors/* ActionError */.lZ
            ? first.err
            : new util_errors/* ActionError */.lZ(`${what} failed`, (0,util_errors/* errorMessage */.gJ)(first.err), { cause: first.err });
    const done = names.filter((_, i) => results[i]?.status === 'fulfilled');
    const notStarted = names.filter((_, i) => results[i] === undefined);
    const lines = errors.map((e) => `- ${e.fn}: ${(0,util_errors/* errorMessage */.gJ)(e.err)}`);
    if (done.length > 0)
        lines.push(`${doneLabel}: ${done.join(', ')}.`);
    if (notStarted.length > 0)
        lines.push(`Not attempted: ${notStarted.join(', ')}.`);
    if (note)
        lines.push(note);
    const title = errors.length > 1
        ? `${what} failed for ${errors.length} functions`
        : first.err instanceof util_errors/* ActionError */.lZ
            ? first.err.title
            : `${what} failed`;
    return new util_errors/* ActionError */.lZ(title, lines.join('\n'), { cause: first.err });
}

// EXTERNAL MODULE: ./src/bundle/elf.ts
var elf = __webpack_require__(7233);
// EXTERNAL MODULE: ./src/bundle/runtime-env.ts
var runtime_env = __webpack_require__(3162);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./node_modules/adm-zip/adm-zip.js
var adm_zip = __webpack_require__(1316);
var adm_zip_default = /*#__PURE__*/__webpack_require__.n(adm_zip);
// EXTERNAL MODULE: ./src/zip/format.ts
var zip_format = __webpack_require__(4632);
;// CONCATENATED MODULE: ./src/zip/read.ts



/** The bytes of the file `name` of a zip; undefined when the zip has no such file. Throws when it is not a zip. */
function readZipEntry(zip, name) {
    const entry = new (adm_zip_default())(zip).getEntry(name);
    if (!entry || entry.isDirectory)
        return undefined;
    return entry.getData();
}
/** The bytes of a zip given by path or already read. */
function zipBytes(zip) {
    return typeof zip === 'string' ? external_node_fs_.readFileSync(zip) : zip;
}
/** The entries of a zip as adm-zip reads them, in central-directory order. */
function listZip(zip) {
    const admZip = new (adm_zip_default())(zipBytes(zip), { noSort: true });
    return admZip.getEntries().map((e) => ({
        name: e.entryName,
        mode: e.header.attr >>> 16,
        isDirectory: e.isDirectory,
        size: e.header.size,
        compressedSize: e.header.compressedSize,
        crc: e.header.crc,
        method: e.header.method,
    }));
}
/**
 * Read every entry back with adm-zip (which checks each CRC against the local header) and check
 * that local and central headers agree, sizes match and names are unique. Throws on any problem.
 */
function verifyZip(zip) {
    const buf = zipBytes(zip);
    const admZip = new AdmZip(buf, { noSort: true });
    const seen = new Set();
    for (const e of admZip.getEntries()) {
        const h = e.header;
        const name = e.entryName;
        const fail = (why) => {
            throw new Error(`zip: ${JSON.stringify(name)}: ${why}`);
        };
        if (seen.has(name))
            fail('duplicate entry');
        seen.add(name);
        // The local header, parsed here rather than trusted to adm-zip.
        const at = h.offset;
        if (at + LOCAL_HEADER > buf.length || buf.readUInt32LE(at) !== SIG_LOCAL)
            fail(`no local header at offset ${at}`);
        const local = {
            method: buf.readUInt16LE(at + 8),
            crc: buf.readUInt32LE(at + 14),
            compressedSize: buf.readUInt32LE(at + 18),
            size: buf.readUInt32LE(at + 22),
            nameLength: buf.readUInt16LE(at + 26),
            extraLength: buf.readUInt16LE(at + 28),
        };
        if (local.method !== h.method)
            fail(`method ${local.method} in the local header, ${h.method} in the central`);
        if (local.crc !== h.crc)
            fail('local and central CRC-32 differ');
        if (local.compressedSize !== h.compressedSize || local.size !== h.size)
            fail('local and central sizes differ');
        const localName = buf.subarray(at + LOCAL_HEADER, at + LOCAL_HEADER + local.nameLength);
        if (!localName.equals(e.rawEntryName))
            fail('local and central names differ');
        const dataEnd = at + LOCAL_HEADER + local.nameLength + local.extraLength + h.compressedSize;
        if (dataEnd > buf.length)
            fail('data runs past the end of the file');
        if (e.isDirectory) {
            if (h.size !== 0 || h.compressedSize !== 0)
                fail('a folder entry with data');
            continue;
        }
        if (h.method !== METHOD_STORED && h.method !== METHOD_DEFLATED)
            fail(`unsupported method ${h.method}`);
        let data;
        try {
            data = e.getData();
        }
        catch (err) {
            return fail(`cannot be read back: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (data.length !== h.size)
            fail(`read back ${data.length} bytes, the header says ${h.size}`);
        if (crc32(data) !== h.crc)
            fail('CRC-32 mismatch');
    }
}

;// CONCATENATED MODULE: ./src/deploy/zipinfo.ts







/**
 * The zip to deploy: the package stage's, or (deploy-only runs) an existing zip whose
 * architecture is read from its bootstrap's ELF header, and whose entry names give the variables
 * the bundle needs (certificates, locales...), as the package stage would have given them.
 */
/** Lambda's architecture of an ELF header: e_machine (offset 18, little-endian u16) 62 is x86_64, 183 arm64. */
function elfArchitecture(header, name = 'bootstrap') {
    if (header.length < 20 || header.readUInt32BE(0) !== 0x7f454c46)
        throw new util_errors/* ActionError */.lZ('Not an ELF bootstrap', `${name} is not an ELF executable; this action deploys a native bootstrap (x86_64 or arm64 ELF).`);
    if (header[4] !== 2 || header[5] !== 1)
        throw new util_errors/* ActionError */.lZ('Unsupported architecture', `${name} is not a 64-bit little-endian ELF; Lambda runs x86_64 and arm64 programs only.`);
    const machine = header.readUInt16LE(18);
    const arch = (0,lambda/* lambdaArchOf */.Dk)(machine);
    if (arch)
        return arch;
    throw new util_errors/* ActionError */.lZ('Unsupported architecture', `${name} is an ELF for machine ${machine}; Lambda runs x86_64 (62) and arm64 (183) programs only.`);
}
/** Reads an existing zip (deploy without the package stage); taskRoot: where Lambda unpacks it. */
async function existingZip(zipPath, taskRoot) {
    let bytes;
    try {
        bytes = await promises_.readFile(zipPath);
    }
    catch (err) {
        throw new util_errors/* ActionError */.lZ('Zip not found', `Input \`zip-path\`: could not read the zip to deploy, ${zipPath}: ${err.message}`);
    }
    let header;
    let entries;
    try {
        entries = listZip(bytes);
        header = readZipEntry(bytes, lambda/* BOOTSTRAP */.nD);
    }
    catch (err) {
        throw new util_errors/* ActionError */.lZ('Not a zip', `Input \`zip-path\`: ${zipPath} is not a readable zip: ${err.message}`);
    }
    if (!header)
        throw new util_errors/* ActionError */.lZ('No bootstrap in the zip', `Input \`zip-path\`: ${zipPath} has no \`bootstrap\` file at its root; Lambda's provided runtimes run /var/task/bootstrap.`);
    const layerLoader = loaderInLayer(header);
    return {
        path: zipPath,
        bytes,
        codeSha256: (0,hash/* codeSha256 */.dD)(bytes),
        ...(layerLoader !== undefined ? { layerLoader } : {}),
        architecture: elfArchitecture(header, `Input \`zip-path\`: the bootstrap in ${zipPath}`),
        unzippedBytes: entries.reduce((n, e) => n + e.size, 0),
        runtimeEnv: (0,runtime_env/* runtimeEnvFor */.p)(entries.filter((e) => !e.isDirectory).map((e) => e.name), taskRoot),
    };
}
/** The zip the package stage wrote. Its bytes are read again and checked against the recorded hash. */
async function packagedZip(pkg) {
    const bytes = await promises_.readFile(pkg.zipPath);
    const sha = (0,hash/* codeSha256 */.dD)(bytes);
    if (sha !== pkg.codeSha256)
        throw new util_errors/* ActionError */.lZ('Zip changed', `${pkg.zipPath} no longer has the SHA-256 the package stage recorded (${pkg.codeSha256}, now ${sha}); something rewrote it between the stages.`);
    return {
        path: pkg.zipPath,
        bytes,
        codeSha256: sha,
        architecture: pkg.architecture,
        unzippedBytes: pkg.unzippedBytes,
        runtimeEnv: { ...pkg.runtimeEnv },
    };
}
/** The bootstrap's loader when it lives in a layer (/opt/...), as library-layer makes it; else undefined. */
function loaderInLayer(bootstrap) {
    try {
        const interp = (0,elf/* readElf */.oU)(bootstrap).interp;
        return interp?.startsWith('/opt/') ? interp : undefined;
    }
    catch {
        return undefined; // elfArchitecture says what is wrong with it
    }
}

// EXTERNAL MODULE: ./src/host.ts
var host = __webpack_require__(2237);
// EXTERNAL MODULE: ./src/zip/deflate.ts + 1 modules
var deflate = __webpack_require__(6117);
// EXTERNAL MODULE: ./src/zip/write.ts + 1 modules
var write = __webpack_require__(8817);
;// CONCATENATED MODULE: ./src/stages/deploy.ts

















/**
 * Stage 5: deploy the zip to every function of function-name (deploy/run.ts): the account is
 * checked (allowed-account-ids), all functions are read and checked before any is changed, then
 * each is updated (or created): code, wait, configuration, wait, publish, smoke test, alias, old
 * versions deleted.
 */
/** Stage 5, with the production options. */
async function deploy(ctx) {
    await runDeploy(ctx, deployOptions());
}
/** The deploy stage with explicit options (tests lower the delays and limits). */
async function runDeploy(ctx, opts) {
    const { log } = ctx;
    const inputs = ctx.inputs.deploy;
    if (!inputs)
        throw new Error('the deploy stage runs without its inputs (parseInputs gives them when it is selected)');
    const zip = await zipToDeploy(ctx, inputs, opts);
    const credentials = inputs.roleToAssume
        ? await assumeRoleWithOidc(inputs.roleToAssume, inputs.awsRegion, log, opts, { idToken: host/* requestIdToken */.gj })
        : undefined;
    const invokeTimeoutMs = inputs.smokeTest ? inputs.smokeTest.timeoutSeconds * 1000 : undefined;
    const clients = makeClients(inputs.awsRegion, credentials, opts, invokeTimeoutMs ? { invokeTimeoutMs } : {});
    const env = { clients, inputs, log, zip, opts, uploads: new Map(), smokeTests: new Map() };
    const layer = libraryLayer(ctx);
    if (layer)
        env.layer = layer;
    const names = inputs.functionNames;
    try {
        await checkAccount(clients.sts, inputs.allowedAccountIds, log);
        log.info(`Zip ${zip.path}: ${(0,format/* formatBytes */.z3)(zip.bytes.length)}, ${zip.architecture}, CodeSha256 ${zip.codeSha256}; ` +
            `${names.length} function${names.length === 1 ? '' : 's'} in ${inputs.awsRegion}${inputs.dryRun ? ' (dry run)' : ''}.`);
        const { deployments, error } = await deployFunctions(env, names);
        ctx.deployments = deployments;
        ctx.smokeTests = names.flatMap((n) => env.smokeTests.get(n) ?? []);
        // Set on failure too: a later step (if: failure()) can tell a failed smoke test apart.
        ctx.setOutputs((0,outputs/* smokeTestOutputs */.M9)(names, env.smokeTests));
        if (layer?.current) {
            ctx.layer = layer.current;
            ctx.setOutputs((0,outputs/* layerOutputs */.oL)(layer.current));
        }
        if (error)
            throw error;
        for (const d of deployments)
            log.info(`${d.function}: ${d.status}, version ${d.version}${d.alias ? ` (alias ${d.alias})` : ''}, ` +
                `${(0,format/* formatBytes */.z3)(d.bytesUploaded)} uploaded, ${d.configChanges.length} setting(s) changed, ${(d.durationMs / 1000).toFixed(1)} s`);
        ctx.setOutputs((0,outputs/* deployOutputs */.gf)(deployments));
        return deployments;
    }
    finally {
        destroyClients(clients);
    }
}
/** The library layer of the package stage (library-layer): its zip is written here, and only for a new hash. */
function libraryLayer(ctx) {
    const name = ctx.inputs.layer?.name;
    const pkg = ctx.package;
    const made = pkg?.layer;
    if (name === undefined || !pkg || !made)
        return undefined;
    return new LibraryLayer({
        name,
        sha256: made.sha256,
        functionBytes: pkg.unzippedBytes,
        layerBytes: made.unzippedBytes,
        zip: async () => {
            const z = await (0,write/* writeZip */.z)((0,bundle_layer/* layerZipSources */.B0)(made.dir, made.files), made.zipPath, {
                cacheDir: (0,deflate/* defaultCacheDir */.$g)(process.env, ctx.runner.home),
            });
            made.zip = { bytes: z.bytes, codeSha256: z.codeSha256 };
            ctx.log.info(`Wrote ${z.path}: ${(0,format/* formatBytes */.z3)(z.bytes)} (the library layer), CodeSha256 ${z.codeSha256}`);
            return { bytes: await promises_.readFile(z.path), codeSha256: z.codeSha256, path: z.path };
        },
    });
}
/** The package stage's zip, else the zip of zip-path; refused before any call when Lambda cannot take it. */
async function zipToDeploy(ctx, inputs, opts) {
    const { log } = ctx;
    const zip = ctx.package
        ? await packagedZip(ctx.package)
        : await existingZip(inputs.zipPath, ctx.inputs.package.taskRoot);
    if (zip.bytes.length > opts.directUploadLimit && !inputs.s3)
        throw new util_errors/* ActionError */.lZ('Zip too large for a direct upload', `the zip is ${(0,format/* formatBytes */.z3)(zip.bytes.length)}; Lambda takes at most ${(0,format/* formatBytes */.z3)(opts.directUploadLimit)} in a direct upload. ` +
            "Set `s3-bucket` to a bucket in the function's Region: the zip then goes through S3. Nothing was called.");
    if (!ctx.package)
        existingZipChecks(ctx, zip, inputs);
    if (inputs.create && lambda/* DEPRECATED_RUNTIMES */.kN.includes(inputs.create.runtime))
        log.warning('provided.al2 (Amazon Linux 2) is deprecated; functions created now should use provided.al2023.', 'Deprecated runtime');
    return zip;
}
/**
 * A zip no package stage of this run made (deploy-only): what the package stage would have said
 * about it, from its entries: the limits, and the variables the bundle needs.
 */
function existingZipChecks(ctx, zip, inputs) {
    const { log } = ctx;
    log.info(`Deploying the existing zip ${zip.path} (${zip.architecture}, bootstrap's ELF header).`);
    if (zip.unzippedBytes > lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)
        throw new util_errors/* ActionError */.lZ('Bundle over the unzipped limit', `Input \`zip-path\`: ${zip.path} unzips to ${(0,format/* formatBytes */.z3)(zip.unzippedBytes)}; Lambda's limit is ${(0,format/* formatBytes */.z3)(lambda/* LAMBDA_UNZIPPED_LIMIT */.KA)} (with layers). Nothing was called.`);
    const sizes = { zipBytes: zip.bytes.length, unzippedBytes: zip.unzippedBytes };
    for (const w of (0,limits/* sizeWarnings */.i)(sizes, { viaS3: inputs.s3 !== undefined }))
        log.warning(w.message, w.title);
    for (const [k, v] of Object.entries(zip.runtimeEnv))
        log.info(`The bundle needs ${k}=${v} (set on the function unless \`environment\` does).`);
    ctx.setOutputs((0,outputs/* runtimeEnvOutputs */.Yl)(zip.runtimeEnv));
}


/***/ })

};
