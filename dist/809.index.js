export const id = 809;
export const ids = [809];
export const modules = {

/***/ 5809:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPost: () => (/* binding */ runPost),
  runPostStep: () => (/* binding */ runPostStep)
});

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/caches/closure-cache.ts
var closure_cache = __webpack_require__(6841);
// EXTERNAL MODULE: ./src/util/errors.ts
var errors = __webpack_require__(17);
// EXTERNAL MODULE: ./src/inputs/read.ts
var inputs_read = __webpack_require__(4245);
// EXTERNAL MODULE: ./src/host.ts
var host = __webpack_require__(2237);
// EXTERNAL MODULE: ./src/nix/cli.ts
var cli = __webpack_require__(8449);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/util/exec.ts
var exec = __webpack_require__(7895);
// EXTERNAL MODULE: ./src/util/format.ts
var format = __webpack_require__(2693);
// EXTERNAL MODULE: ./src/util/fs.ts
var fs = __webpack_require__(1917);
// EXTERNAL MODULE: ./src/util/secrets.ts
var secrets = __webpack_require__(4537);
;// CONCATENATED MODULE: ./src/caches/push.ts







/** Splits paths into those to push and those push-filter excludes. */
function applyPushFilter(paths, filterSource) {
    if (!filterSource)
        return { keep: [...paths], skipped: [] };
    const re = new RegExp(filterSource);
    const keep = [];
    const skipped = [];
    for (const p of paths)
        (re.test(p) ? skipped : keep).push(p);
    return { keep, skipped };
}
/** Adds a store parameter to a store URL (`?k=v` or `&k=v`). */
function withStoreParam(url, key, value) {
    return `${url}${url.includes('?') ? '&' : '?'}${key}=${value}`;
}
/** Store paths `nix copy` reports copying ("copying path '/nix/store/...' to 'URL'..."). */
function copiedPaths(output) {
    const out = new Set();
    for (const m of output.matchAll(/copying path '(\/nix\/store\/[^']+)' to '/g))
        out.add(m[1]);
    return [...out];
}
const sum = (paths, sizes) => paths.reduce((acc, p) => acc + (sizes.get(p) ?? 0), 0);
/** `nix copy --to URL paths`, signed with signingKey when given. Throws on failure. */
async function pushToStore(env, url, paths, signingKey, excluded = []) {
    const { log } = env;
    let keyDir;
    let keyFile;
    try {
        let target = url;
        if (signingKey) {
            keyDir = (0,secrets/* makeSecretDir */.SH)(env.tempDir);
            keyFile = (0,secrets/* writePrivateFile */.Pl)(keyDir, 'signing-key', signingKey);
            target = withStoreParam(url, 'secret-key', keyFile);
        }
        const sizes = await env.nix.narSizes(paths);
        log.info(`nix copy --to ${url}: ${paths.length} store paths (${(0,format/* formatBytes */.z3)(sum(paths, sizes))})${signingKey ? ', signed with push-signing-key' : ''}`);
        const output = await env.nix.copy(target, paths, {
            errorTitle: `Push to ${url} failed`,
            onLine: (l) => {
                log.info(l);
            },
        });
        const copied = copiedPaths(output);
        const anyway = copied.filter((p) => excluded.includes(p));
        if (anyway.length > 0) {
            const more = await env.nix.narSizes(anyway);
            for (const [p, n] of more)
                sizes.set(p, n);
            log.info(`${anyway.length} store path${anyway.length === 1 ? '' : 's'} matching push-filter went along: pushed paths reference ${anyway.length === 1 ? 'it' : 'them'}, and a Nix binary cache must hold the closure of what it serves (${anyway.join(', ')}).`);
        }
        const bytes = sum(copied, sizes);
        log.info(`Pushed ${copied.length} store paths (${(0,format/* formatBytes */.z3)(bytes)}, ${bytes} bytes NAR) to ${url}; ${paths.length - (copied.length - anyway.length)} were already there.`);
        return { target: url, offered: paths.length, pushed: copied.length, bytes };
    }
    finally {
        if (keyFile)
            (0,secrets/* removeSecretFiles */.Ci)([keyFile], log);
    }
}
/** The cachix executable: on PATH, else realised through Nix from nixpkgs. */
async function findCachix(env, pathVar = process.env['PATH'] ?? '') {
    const onPath = (0,fs/* findOnPath */.aY)(['cachix'], pathVar);
    if (onPath)
        return onPath;
    env.log.info('cachix is not on PATH; realising nixpkgs#cachix through Nix');
    let problem;
    try {
        const built = await env.nix.build('nixpkgs#cachix');
        for (const out of [built.outputs['bin'], built.outputs['out']]) {
            if (out && external_node_fs_.existsSync(external_node_path_.join(out, 'bin', 'cachix')))
                return external_node_path_.join(out, 'bin', 'cachix');
        }
        problem = `it has no bin/cachix (outputs: ${Object.values(built.outputs).join(', ')})`;
    }
    catch (e) {
        problem = e instanceof exec/* CommandError */.Qd ? e.stderr : e instanceof Error ? e.message : String(e);
    }
    const tail = problem.trim().split('\n').slice(-3).join('\n');
    throw new errors/* ActionError */.lZ('cachix not available', `cachix is not on PATH and nixpkgs#cachix could not be built:\n${tail}`);
}
/** `cachix push CACHE paths`, with CACHIX_AUTH_TOKEN / CACHIX_SIGNING_KEY in its environment. Throws on failure. */
async function pushToCachix(env, cacheName, paths, secrets) {
    const { log } = env;
    if (!secrets.authToken && !secrets.signingKey)
        throw new errors/* ActionError */.lZ('Nothing to push with', 'pushing to Cachix needs cachix-auth-token or cachix-signing-key.');
    const cachixBin = await findCachix(env);
    const sizes = await env.nix.narSizes(paths);
    const bytes = sum(paths, sizes);
    log.info(`cachix push ${cacheName}: ${paths.length} store paths (${(0,format/* formatBytes */.z3)(bytes)})`);
    const childEnv = {
        CACHIX_AUTH_TOKEN: secrets.authToken || undefined,
        CACHIX_SIGNING_KEY: secrets.signingKey || undefined,
    };
    await (0,exec/* run */.eF)(cachixBin, ['push', cacheName, ...paths], {
        env: childEnv,
        errorTitle: `Push to Cachix cache ${cacheName} failed`,
        onLine: (l) => {
            log.info(l);
        },
        streamStdout: true,
    });
    log.info(`Pushed to Cachix cache "${cacheName}": ${paths.length} store paths (${(0,format/* formatBytes */.z3)(bytes)}, ${bytes} bytes NAR; cachix skips those it already has).`);
    return { target: `cachix:${cacheName}`, offered: paths.length, pushed: paths.length, bytes };
}

// EXTERNAL MODULE: ./src/action/state.ts
var state = __webpack_require__(3175);
;// CONCATENATED MODULE: ./src/action/post.ts











/** Puts back the variables and PATH entries of the main step (a post step may not see GITHUB_ENV). */
function applyMainEnvironment(state) {
    for (const [k, v] of Object.entries(state.exported ?? {}))
        process.env[k] = v;
    const current = (process.env['PATH'] ?? '').split(external_node_path_.delimiter);
    const missing = (state.addedPath ?? []).filter((d) => !current.includes(d));
    if (missing.length > 0)
        process.env['PATH'] = [...[...missing].reverse(), ...current].filter(Boolean).join(external_node_path_.delimiter);
}
async function pushAndCache(state, log, read) {
    const nix = new cli/* NixCli */.ut(state.nix);
    const env = { nix, log, tempDir: process.env['RUNNER_TEMP'] || external_node_os_.tmpdir() };
    const closure = await nix.closure(state.storePaths);
    const { keep, skipped } = applyPushFilter(closure, state.pushFilter);
    if (state.cachixPush || state.pushTo) {
        log.info(`Runtime closure: ${closure.length} store paths; ${keep.length} to push${skipped.length ? `, ${skipped.length} excluded by push-filter` : ''}.`);
    }
    if (state.cachixPush) {
        if (skipped.length > 0)
            log.info('cachix push sends the closure of the paths it is given: excluded paths they reference may go along.');
        try {
            await pushToCachix(env, state.cachixPush.cache, keep, {
                authToken: read('cachix-auth-token').trim(),
                signingKey: read('cachix-signing-key').trim(),
            });
        }
        catch (e) {
            log.warning(`Push to Cachix cache "${state.cachixPush.cache}" skipped or failed: ${(0,secrets/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(e))}. The deploy is not affected.`, 'Cachix push failed');
        }
    }
    if (state.pushTo) {
        try {
            await pushToStore(env, state.pushTo, keep, read('push-signing-key').trim(), skipped);
        }
        catch (e) {
            log.warning(`Push to ${state.pushTo} failed: ${(0,secrets/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(e))}. The deploy is not affected.`, 'Push failed');
        }
    }
    if (state.closureCache) {
        await (0,closure_cache/* saveClosureCache */.N)(state.closureCache, closure, nix, log);
    }
}
/**
 * The post step: runs after the job's other steps. Its failures are warnings,
 * never a red job: the deploy already happened. It always removes the secret files.
 */
async function runPost(state, log, read = host/* readInput */.R5) {
    try {
        for (const name of inputs_read/* SECRET_INPUTS */.pH)
            for (const part of (0,secrets/* secretParts */.Bm)(read(name)))
                (0,secrets/* registerSecret */.cl)(part);
        (0,exec/* logCommandsTo */.Ee)((line) => {
            log.debug(line);
        });
        applyMainEnvironment(state);
        if (!state.buildSucceeded) {
            log.debug('post: nothing was built; nothing to push or cache');
        }
        else if (!state.nix) {
            log.debug('post: no nix recorded; nothing to push or cache');
        }
        else if (state.cachixPush || state.pushTo || state.closureCache) {
            await log.group('push and cache', () => pushAndCache(state, log, read));
        }
    }
    catch (e) {
        log.warning(`Post step: ${(0,secrets/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(e))}. The deploy is not affected.`, 'Post step problem');
    }
    finally {
        const failed = (0,secrets/* removeSecretFiles */.Ci)(state.secretFiles, log);
        const removed = state.secretFiles.length - failed.length;
        if (removed > 0)
            log.info(`Removed ${removed} secret file${removed === 1 ? '' : 's'}.`);
    }
}
/** The runner's post step (dist/index.js loads only this for it). */
async function runPostStep() {
    await runPost((0,state/* loadPostState */.CK)(), host/* actionsLog */._D);
}


/***/ }),

/***/ 3175:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   BV: () => (/* binding */ markMainStep),
/* harmony export */   CK: () => (/* binding */ loadPostState),
/* harmony export */   Li: () => (/* binding */ savePostState)
/* harmony export */ });
/* harmony import */ var _context_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(788);
/* harmony import */ var _util_workflow_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3403);
/* harmony import */ var _step_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(9134);



/**
 * The runner's state between the main step and the post step (GITHUB_STATE, read back as
 * STATE_<name>, as @actions/core's saveState and getState do): which step this is, and the
 * PostState the main step leaves (context.ts).
 */
function getState(name) {
    return process.env[`STATE_${name}`] ?? '';
}
function saveState(name, value) {
    if (!(0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_1__/* .fileCommand */ .ol)('STATE', (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_1__/* .keyValueMessage */ .ov)(name, value)))
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_1__/* .issue */ .sn)('save-state', { name }, value);
}
const KEY = 'nix-lambda';
function markMainStep() {
    saveState(_step_js__WEBPACK_IMPORTED_MODULE_2__/* .POST_MARK */ .x, 'true');
}
function savePostState(state) {
    saveState(KEY, JSON.stringify(state));
}
function loadPostState() {
    const raw = getState(KEY);
    if (!raw)
        return (0,_context_js__WEBPACK_IMPORTED_MODULE_0__/* .emptyPostState */ .xC)();
    try {
        return { ...(0,_context_js__WEBPACK_IMPORTED_MODULE_0__/* .emptyPostState */ .xC)(), ...JSON.parse(raw) };
    }
    catch {
        return (0,_context_js__WEBPACK_IMPORTED_MODULE_0__/* .emptyPostState */ .xC)();
    }
}


/***/ }),

/***/ 6841:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N: () => (/* binding */ saveClosureCache),
/* harmony export */   U1: () => (/* binding */ restoreClosureCache),
/* harmony export */   hf: () => (/* binding */ planClosureCache)
/* harmony export */ });
/* unused harmony exports CLOSURE_CACHE_VERSION, closureCacheDir, flakeLockHash, closureCacheKey, closureSubstituter, closureCacheUnavailable */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _util_fs_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(1917);
/* harmony import */ var _util_hash_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5138);





/**
 * The closure cache: a local Nix binary cache folder kept between runs with the Actions
 * cache. Restored before the build and added as a substituter; in the post step, after a
 * successful build whose key missed, the build's runtime closure is copied into a fresh
 * folder (`nix copy --to file://...`) and saved.
 *
 * Trust: the folder is added as `file://DIR?trusted=1`, so Nix accepts its unsigned paths.
 * Signing it with a key generated here would add nothing: the key would have to be stored in
 * the same Actions cache, so whoever can write the cache can sign. Nix honours a substituter
 * (signed or not) from NIX_CONFIG only for root, single-user installs and trusted users of a
 * daemon, and a daemon install made by this action trusts the runner user.
 */
/** Bump to invalidate every closure cache written by older layouts. */
const CLOSURE_CACHE_VERSION = 'v1';
/** $XDG_CACHE_HOME/nix-lambda/closure, else ~/.cache/nix-lambda/closure: a stable path (part of the cache version). */
function closureCacheDir(env, home) {
    const xdg = env['XDG_CACHE_HOME'];
    const base = xdg && node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute(xdg) ? xdg : node_path__WEBPACK_IMPORTED_MODULE_2__.join(home, '.cache');
    return node_path__WEBPACK_IMPORTED_MODULE_2__.join(base, 'nix-lambda', 'closure');
}
/** @actions/cache (with its Azure storage client) is large: loaded only when the cache is used. */
const loadCacheLibrary = () => Promise.all(/* import() */[__webpack_require__.e(942), __webpack_require__.e(838), __webpack_require__.e(863)]).then(__webpack_require__.bind(__webpack_require__, 1863));
/** SHA-256 of the flake's lock file; "nolock" when the flake has none or is not local. */
function flakeLockHash(flakeDir) {
    if (!flakeDir)
        return 'nolock';
    try {
        return (0,_util_hash_js__WEBPACK_IMPORTED_MODULE_4__/* .sha256Hex */ .fg)(node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(flakeDir, 'flake.lock'))).slice(0, 32);
    }
    catch {
        return 'nolock';
    }
}
/** nix-lambda-closure-v1-OS-ARCH-<installable hash>-<flake.lock hash> */
function closureCacheKey(o) {
    const prefix = `nix-lambda-closure-${CLOSURE_CACHE_VERSION}-${o.platform}-${o.arch}-${(0,_util_hash_js__WEBPACK_IMPORTED_MODULE_4__/* .sha256Hex */ .fg)(o.installable).slice(0, 16)}-`;
    return { key: `${prefix}${o.lockHash}`, restoreKeys: [prefix] };
}
/** The substituter for a restored folder: trusted (unsigned paths accepted), tried before remote caches. */
function closureSubstituter(dir) {
    return `file://${dir}?trusted=1&priority=10`;
}
/** Why the closure cache cannot be used here, or undefined when it can. */
function closureCacheUnavailable(runner) {
    if (runner.isAct)
        return 'running under act, which has no Actions cache service unless started with one';
    if (!runner.hasCacheService)
        return 'no Actions cache service (ACTIONS_CACHE_URL and ACTIONS_RESULTS_URL are unset)';
    return undefined;
}
/**
 * Whether this run uses the closure cache, and its folder and keys; undefined (with the reason in
 * the log) when it does not.
 */
function planClosureCache(o, log) {
    if (!o.enabled) {
        log.debug('closure cache: off (cache: false)');
        return undefined;
    }
    if (!o.runner.isActions) {
        log.debug('closure cache: only on a runner (it is saved by the post step)');
        return undefined;
    }
    const why = closureCacheUnavailable(o.runner);
    if (why) {
        log.notice(`${why[0].toUpperCase()}${why.slice(1)}. The build goes on without it.`, 'Closure cache skipped');
        return undefined;
    }
    const dir = closureCacheDir(process.env, o.home);
    const { key, restoreKeys } = closureCacheKey({
        platform: node_os__WEBPACK_IMPORTED_MODULE_1__.platform(),
        arch: node_os__WEBPACK_IMPORTED_MODULE_1__.arch(),
        installable: o.installable,
        lockHash: flakeLockHash(o.flakeDir),
    });
    return { dir, key, restoreKeys };
}
/**
 * Restores the closure cache folder; returns the nix.conf lines that add it as a substituter
 * (none when nothing was restored), and whether the exact key was restored. Never throws: a
 * problem is a notice and the run goes on.
 */
async function restoreClosureCache(plan, log) {
    const { dir, key, restoreKeys } = plan;
    let hit = false;
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(dir, { recursive: true });
        const cache = await loadCacheLibrary();
        const matched = await cache.restoreCache([dir], key, restoreKeys);
        if (!matched) {
            // @actions/cache reports a failing service with its own warning and returns nothing, as for a miss.
            log.info(`Closure cache: nothing restored for ${key} (no entry yet, or the cache service failed: see any warning above); the post step saves one after a successful build.`);
            return { lines: [], hit };
        }
        hit = matched === key;
        log.info(`Closure cache: restored ${hit ? key : `${matched} (an older lock; saved again under ${key})`} into ${dir}`);
        if (!node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dir, 'nix-cache-info'))) {
            log.notice(`Closure cache ${matched} holds no binary cache; ignoring it.`, 'Closure cache');
            return { lines: [], hit };
        }
        return { lines: [`extra-substituters = ${closureSubstituter(dir)}`], hit };
    }
    catch (e) {
        log.notice(`Closure cache not restored: ${e.message}. The build goes on without it.`, 'Closure cache');
        return { lines: [], hit };
    }
}
/**
 * Post step: copies the closure into a fresh folder and saves it under the key, unless the key
 * was restored exactly. Never throws.
 */
async function saveClosureCache(state, closure, nix, log) {
    if (state.hit) {
        log.info(`Closure cache: ${state.key} was restored as is; nothing to save.`);
        return;
    }
    if (closure.length === 0)
        return;
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(state.dir, { recursive: true, force: true });
        node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(state.dir, { recursive: true });
        await nix.copy(`file://${state.dir}?compression=none`, closure, { errorTitle: 'nix copy failed' });
        const bytes = (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_3__/* .folderBytes */ .wL)(state.dir);
        const cache = await loadCacheLibrary();
        const id = await cache.saveCache([state.dir], state.key);
        if (id === -1) {
            log.notice(`Closure cache ${state.key} was not saved (see the cache messages above).`, 'Closure cache');
            return;
        }
        log.info(`Closure cache: saved ${closure.length} store paths (${bytes} bytes before compression) as ${state.key}`);
    }
    catch (e) {
        log.notice(`Closure cache not saved: ${e.message}`, 'Closure cache');
    }
}


/***/ }),

/***/ 788:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AK: () => (/* binding */ writeSecretFile),
/* harmony export */   Hk: () => (/* binding */ writeTokenFile),
/* harmony export */   ZV: () => (/* binding */ runnerInfo),
/* harmony export */   fM: () => (/* binding */ addPath),
/* harmony export */   ij: () => (/* binding */ ensureNix),
/* harmony export */   lp: () => (/* binding */ useNix),
/* harmony export */   p9: () => (/* binding */ jobNix),
/* harmony export */   q6: () => (/* binding */ createContext),
/* harmony export */   q8: () => (/* binding */ exportVar),
/* harmony export */   u_: () => (/* binding */ applyNixConfig),
/* harmony export */   xC: () => (/* binding */ emptyPostState)
/* harmony export */ });
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _lambda_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6896);
/* harmony import */ var _nix_cli_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8449);
/* harmony import */ var _nix_config_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8977);
/* harmony import */ var _nix_locate_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6545);
/* harmony import */ var _util_errors_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(17);
/* harmony import */ var _util_secrets_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(4537);







function emptyPostState() {
    return { storePaths: [], nix: '', secretFiles: [], buildSucceeded: false };
}
function runnerInfo(env = process.env) {
    const info = node_os__WEBPACK_IMPORTED_MODULE_0__.userInfo();
    const isAct = env['ACT'] === 'true';
    return {
        workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
        tempDir: env['RUNNER_TEMP'] || node_os__WEBPACK_IMPORTED_MODULE_0__.tmpdir(),
        arch: (0,_lambda_js__WEBPACK_IMPORTED_MODULE_1__/* .lambdaArchOfNode */ .hd)(node_os__WEBPACK_IMPORTED_MODULE_0__.arch()) ?? 'other',
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
        setOutputs(set) {
            for (const [name, value] of Object.entries(set)) {
                if (value === undefined)
                    continue;
                outputs[name] = value;
                log.setOutput(name, value);
            }
        },
    };
}
// --- context helpers: what the stages record for later steps and for the post step ---
/** Records the Nix this job uses (and tells the post step where it is). */
function useNix(ctx, info) {
    ctx.nix = info;
    ctx.post.nix = info.nix;
    return info;
}
/** The Nix this job uses: the install stage's, or one found now (when install is not among the stages). */
async function ensureNix(ctx) {
    if (ctx.nix)
        return ctx.nix;
    const nix = (0,_nix_locate_js__WEBPACK_IMPORTED_MODULE_4__/* .findNix */ .rv)(process.env, ctx.runner.home);
    if (!nix)
        throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_5__/* .ActionError */ .lZ('Nix not found', `no \`nix\` on PATH, in ${_nix_locate_js__WEBPACK_IMPORTED_MODULE_4__/* .DEFAULT_PROFILE_BIN */ .Sp} or in ~/.nix-profile/bin; add install to \`stages\` or install Nix in an earlier step.`);
    return useNix(ctx, await new _nix_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .NixCli */ .ut(nix).describe(false));
}
/** The job's `nix` commands (ensureNix first). */
async function jobNix(ctx) {
    return new _nix_cli_js__WEBPACK_IMPORTED_MODULE_2__/* .NixCli */ .ut((await ensureNix(ctx)).nix);
}
/** Exports a variable for this process and later steps, and keeps it for the post step. */
function exportVar(ctx, name, value) {
    ctx.log.exportVariable(name, value);
    (ctx.post.exported ??= {})[name] = value;
}
/** Prepends a folder to PATH for this process and later steps, and keeps it for the post step. */
function addPath(ctx, dir) {
    ctx.log.addPath(dir);
    const added = (ctx.post.addedPath ??= []);
    if (!added.includes(dir))
        added.push(dir);
}
/** Adds lines to the action's NIX_CONFIG and exports the result. Returns the new NIX_CONFIG. */
function applyNixConfig(ctx, add) {
    const state = (ctx.post.nixConfig ??= { base: process.env['NIX_CONFIG'] ?? '', lines: [] });
    for (const l of add)
        if (!state.lines.includes(l))
            state.lines.push(l);
    const value = (0,_nix_config_js__WEBPACK_IMPORTED_MODULE_3__/* .composeNixConfig */ .So)(state.base, state.lines, ctx.inputs.install.extraNixConfig);
    exportVar(ctx, 'NIX_CONFIG', value);
    return value;
}
/**
 * Writes a secret file (mode 0600, in the job's private folder under RUNNER_TEMP) and lists it
 * for removal by the post step, or at exit where there is no post step (the local command).
 */
function writeSecretFile(ctx, name, content) {
    const file = (0,_util_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .writePrivateFile */ .Pl)((0,_util_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .secretDirFor */ .Di)(ctx.post.secretFiles, ctx.runner.tempDir), name, content);
    if (!ctx.post.secretFiles.includes(file))
        ctx.post.secretFiles.push(file);
    if (!ctx.runner.isActions)
        (0,_util_secrets_js__WEBPACK_IMPORTED_MODULE_6__/* .removeAtProcessExit */ .LR)(file);
    return file;
}
/** Writes the github.com token file (0600) for this job; undefined when there is no token. */
function writeTokenFile(ctx) {
    const token = ctx.inputs.install.githubToken;
    if (!token)
        return undefined;
    return writeSecretFile(ctx, _nix_config_js__WEBPACK_IMPORTED_MODULE_3__/* .TOKEN_FILE_NAME */ .Pl, (0,_nix_config_js__WEBPACK_IMPORTED_MODULE_3__/* .accessTokensContent */ .ku)(token));
}


/***/ }),

/***/ 2237:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   R5: () => (/* binding */ readInput),
/* harmony export */   _D: () => (/* binding */ actionsLog),
/* harmony export */   aO: () => (/* binding */ consoleLog),
/* harmony export */   gj: () => (/* binding */ requestIdToken)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _util_workflow_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3403);




const actionsLog = {
    info: (m) => {
        process.stdout.write(`${m}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`);
    },
    debug: (m) => {
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('debug', {}, m);
    },
    notice: (m, title) => {
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('notice', { title }, m);
    },
    warning: (m, title) => {
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('warning', { title }, m);
    },
    error: (m, props = {}) => {
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('error', { title: props.title, file: props.file, line: props.line }, m);
    },
    group: async (name, fn) => {
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('group', {}, name);
        try {
            return await fn();
        }
        finally {
            (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('endgroup', {}, '');
        }
    },
    setOutput: (n, v) => {
        if (!(0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .fileCommand */ .ol)('OUTPUT', (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .keyValueMessage */ .ov)(n, v))) {
            process.stdout.write(node_os__WEBPACK_IMPORTED_MODULE_1__.EOL);
            (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('set-output', { name: n }, v);
        }
    },
    setSecret: (v) => {
        (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('add-mask', {}, v);
    },
    exportVariable: (n, v) => {
        process.env[n] = v;
        if (!(0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .fileCommand */ .ol)('ENV', (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .keyValueMessage */ .ov)(n, v)))
            (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('set-env', { name: n }, v);
    },
    addPath: (d) => {
        if (!(0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .fileCommand */ .ol)('PATH', d))
            (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .issue */ .sn)('add-path', {}, d);
        process.env['PATH'] = `${d}${node_path__WEBPACK_IMPORTED_MODULE_2__.delimiter}${process.env['PATH'] ?? ''}`;
    },
    writeSummary: async (md) => {
        const file = process.env['GITHUB_STEP_SUMMARY'];
        if (!file)
            return;
        await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.access(file, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.R_OK | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.W_OK);
        await node_fs__WEBPACK_IMPORTED_MODULE_0__.promises.appendFile(file, `${md}${node_os__WEBPACK_IMPORTED_MODULE_1__.EOL}`, { encoding: 'utf8' });
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
            // One block: the title on the first line, the message below it, indented.
            const where = p.file ? ` (${p.file}${p.line ? `:${p.line}` : ''})` : '';
            const body = m
                .split('\n')
                .map((l) => `  ${l}`)
                .join('\n');
            write(scrub(p.title ? `error: ${p.title}${where}\n${body}` : `error${where}:\n${body}`));
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
/** GitHub's OIDC token for the audience (the job needs `permissions: id-token: write`). */
async function requestIdToken(audience) {
    const core = await Promise.all(/* import() */[__webpack_require__.e(942), __webpack_require__.e(838)]).then(__webpack_require__.bind(__webpack_require__, 3838));
    return core.getIDToken(audience);
}
/** The value of an input of the step (INPUT_<NAME>), trimmed, '' when it is not set. */
function readInput(name) {
    return (0,_util_workflow_js__WEBPACK_IMPORTED_MODULE_3__/* .inputValue */ .UV)(name);
}


/***/ }),

/***/ 4245:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   KP: () => (/* binding */ InputSource),
/* harmony export */   an: () => (/* binding */ STAGES),
/* harmony export */   pH: () => (/* binding */ SECRET_INPUTS),
/* harmony export */   ry: () => (/* binding */ splitList),
/* harmony export */   zY: () => (/* binding */ DEFAULTS)
/* harmony export */ });
/* harmony import */ var _lambda_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6896);

/**
 * Reading the action's inputs: their defaults (action.yml's), and InputSource, which reads each
 * input once, names the input in every problem and collects the problems, so that all of them
 * are reported at once (parse.ts).
 */
const STAGES = ['install', 'cachix', 'build', 'package', 'deploy'];
/** Inputs holding secrets: masked before anything else happens. */
const SECRET_INPUTS = [
    'github-token',
    'cachix-auth-token',
    'cachix-signing-key',
    'push-signing-key',
    'builder-ssh-key',
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
    builders: '',
    'builder-ssh-key': '',
    'builder-known-hosts': '',
    'task-root': _lambda_js__WEBPACK_IMPORTED_MODULE_0__/* .LAMBDA_TASK_ROOT */ .zs,
    include: '',
    'bundle-certificates': 'false',
    'bundle-data': 'auto',
    'extra-libraries': '',
    'exclude-libraries': '',
    'zip-path': '',
    verify: 'auto',
    'local-smoke-test': 'auto',
    'smoke-test-payload': '',
    'smoke-test-expect': '',
    'smoke-test-timeout-seconds': '30',
    'library-layer': '',
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
    'allowed-account-ids': '',
    'architecture-change': 'refuse',
    'keep-versions': '',
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
/** Splits a list input on newlines and commas; trims; drops empties and # comments. */
function splitList(value) {
    return value
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '' && !s.startsWith('#'));
}
/** The inputs as the sections read them: trimmed, defaults filled in, every problem kept. */
class InputSource {
    reader;
    problems = [];
    constructor(reader) {
        this.reader = reader;
    }
    /** The value as given, untrimmed; '' when absent (no default). */
    raw(name) {
        return this.reader(name);
    }
    /** The value, trimmed, or its default when absent. */
    get(name) {
        const raw = this.reader(name);
        return (raw === '' ? (DEFAULTS[name] ?? '') : raw).trim();
    }
    /** Records a problem with an input: what is wrong and how to fix it. */
    bad(name, msg) {
        this.problems.push(`Input \`${name}\`: ${msg}`);
    }
    bool(name) {
        const v = this.get(name);
        if (/^(true|yes|on|1)$/i.test(v))
            return true;
        if (/^(false|no|off|0)$/i.test(v))
            return false;
        this.bad(name, `expected true or false, got "${v}".`);
        return false;
    }
    /** A whole number in range, or undefined when absent (or wrong: the problem is recorded). */
    int(name, range) {
        const v = this.get(name);
        if (v === '')
            return undefined;
        if (!/^\d+$/.test(v) || Number(v) < range.min || Number(v) > range.max) {
            this.bad(name, `expected a whole number from ${range.min} to ${range.max}, got "${v}".`);
            return undefined;
        }
        return Number(v);
    }
    oneOf(name, allowed) {
        const v = this.get(name);
        if (allowed.includes(v))
            return v;
        this.bad(name, `expected one of ${allowed.join(', ')}, got "${v}".`);
        return allowed[0];
    }
}


/***/ }),

/***/ 6896:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dk: () => (/* binding */ lambdaArchOf),
/* harmony export */   KA: () => (/* binding */ LAMBDA_UNZIPPED_LIMIT),
/* harmony export */   LM: () => (/* binding */ RESERVED_ENVIRONMENT),
/* harmony export */   Lj: () => (/* binding */ MAX_DESCRIPTION_LENGTH),
/* harmony export */   PW: () => (/* binding */ LAMBDA_LD_LIBRARY_PATH),
/* harmony export */   Qz: () => (/* binding */ DEFAULT_ARCHITECTURE),
/* harmony export */   Uf: () => (/* binding */ MAX_LAYERS),
/* harmony export */   _9: () => (/* binding */ LAMBDA_RUNTIMES),
/* harmony export */   aC: () => (/* binding */ ELF_MACHINE),
/* harmony export */   as: () => (/* binding */ MEMORY_SIZE_MB),
/* harmony export */   b2: () => (/* binding */ lambdaEnvironment),
/* harmony export */   bG: () => (/* binding */ LAMBDA_SANDBOX_UID),
/* harmony export */   c5: () => (/* binding */ LAMBDA_PATH),
/* harmony export */   gH: () => (/* binding */ EPHEMERAL_STORAGE_MB),
/* harmony export */   hd: () => (/* binding */ lambdaArchOfNode),
/* harmony export */   kN: () => (/* binding */ DEPRECATED_RUNTIMES),
/* harmony export */   mX: () => (/* binding */ LAMBDA_ZIP_LIMIT),
/* harmony export */   nD: () => (/* binding */ BOOTSTRAP),
/* harmony export */   pC: () => (/* binding */ LAMBDA_SANDBOX_GID),
/* harmony export */   yj: () => (/* binding */ TIMEOUT_SECONDS),
/* harmony export */   zs: () => (/* binding */ LAMBDA_TASK_ROOT)
/* harmony export */ });
/* unused harmony export LAMBDA_ARCHITECTURES */
/**
 * What this action knows about AWS Lambda (a module of constants and pure functions that imports
 * nothing else from src/): its architectures, the OS-only runtimes, the package and setting limits,
 * the environment a bootstrap starts in, and the variables Lambda reserves.
 * Sources: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html.
 */
/** Lambda's names for the architectures it runs. */
const LAMBDA_ARCHITECTURES = ['x86_64', 'arm64'];
/** A function created without Architectures runs on x86_64 (GetFunction then omits the field). */
const DEFAULT_ARCHITECTURE = 'x86_64';
/** The ELF e_machine of each architecture: EM_X86_64 and EM_AARCH64. */
const ELF_MACHINE = { x86_64: 62, arm64: 183 };
/** Lambda's architecture for an ELF e_machine; undefined for a machine Lambda does not run. */
function lambdaArchOf(machine) {
    return LAMBDA_ARCHITECTURES.find((a) => ELF_MACHINE[a] === machine);
}
/** Lambda's architecture for Node's os.arch(); undefined for any other. */
function lambdaArchOfNode(arch) {
    return arch === 'x64' ? 'x86_64' : arch === 'arm64' ? 'arm64' : undefined;
}
/** The OS-only runtimes, which run /var/task/bootstrap; the first is the one to create functions with. */
const LAMBDA_RUNTIMES = ['provided.al2023', 'provided.al2'];
/** Runtimes Lambda has deprecated (Amazon Linux 2). */
const DEPRECATED_RUNTIMES = ['provided.al2'];
/** The handler of a custom runtime: the file Lambda starts. */
const BOOTSTRAP = 'bootstrap';
/** The largest zip UpdateFunctionCode and CreateFunction take in the request (ZipFile). */
const LAMBDA_ZIP_LIMIT = 50 * 1024 * 1024;
/** The largest deployment package unzipped, layers included. */
const LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024;
/** Settings a function takes, and their ranges. */
const MEMORY_SIZE_MB = { min: 128, max: 10240 };
const TIMEOUT_SECONDS = { min: 1, max: 900 };
const EPHEMERAL_STORAGE_MB = { min: 512, max: 10240, default: 512 };
const MAX_LAYERS = 5;
const MAX_DESCRIPTION_LENGTH = 256;
/** Where the zip is unpacked. */
const LAMBDA_TASK_ROOT = '/var/task';
/** LD_LIBRARY_PATH as a provided runtime's bootstrap finds it: Amazon Linux's /lib64 comes before the task root. */
const LAMBDA_LD_LIBRARY_PATH = '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';
/** PATH as a provided runtime's bootstrap finds it. */
const LAMBDA_PATH = '/usr/local/bin:/usr/bin/:/bin:/opt/bin';
/** Variables Lambda reserves: setting one fails the configuration update. */
const RESERVED_ENVIRONMENT = new Set([
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
const LAMBDA_SANDBOX_UID = 993;
const LAMBDA_SANDBOX_GID = 990;
/**
 * The environment Lambda starts a provided.al2023 bootstrap with (the runtime's reserved variables;
 * the function's own variables and the execution role's credentials are added by Lambda besides).
 */
function lambdaEnvironment(f) {
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


/***/ }),

/***/ 8449:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ut: () => (/* binding */ NixCli)
/* harmony export */ });
/* unused harmony exports NIX_FEATURE_ARGS, parseNixVersion, parseBuildJson, parseStorePaths, parsePathInfoSizes */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _util_errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(17);
/* harmony import */ var _util_exec_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7895);




/**
 * NixCli: every `nix` command this action runs, in one place (as actions/checkout's
 * GitCommandManager is for git). Each method builds the argv of one command and parses what it
 * prints; the commands run through exec.ts (no secret in argv, stderr tail in errors, the command
 * line at debug). Every command but `--version` turns flakes on, whatever nix.conf says.
 */
/** Enables flakes on every Nix from 2.8 on, whatever its configuration says. */
const NIX_FEATURE_ARGS = ['--extra-experimental-features', 'nix-command flakes'];
const DAEMON_SOCKET = '/nix/var/nix/daemon-socket/socket';
/** "nix (Nix) 2.8.0" -> "2.8.0"; "nix (Determinate Nix 3.6.2) 2.29.0" -> "2.29.0". */
function parseNixVersion(text) {
    const m = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(text.trim().split('\n')[0] ?? '');
    if (!m)
        throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Unrecognised Nix', `could not read a version from \`nix --version\`: "${text.trim()}"`);
    return m[1];
}
/** The build result of `nix build --json` for one installable. */
function parseBuildJson(stdout) {
    let parsed;
    try {
        parsed = JSON.parse(stdout);
    }
    catch {
        throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Unexpected nix output', `\`nix build --json\` printed something that is not JSON: ${stdout.slice(0, 200)}`);
    }
    const first = Array.isArray(parsed) ? parsed[0] : undefined;
    if (!first ||
        typeof first !== 'object' ||
        typeof first.drvPath !== 'string' ||
        typeof first.outputs !== 'object')
        throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Unexpected nix output', `\`nix build --json\` printed no build result: ${stdout.slice(0, 200)}`);
    if (parsed instanceof Array && parsed.length > 1)
        throw new _util_errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Several installables', 'the flake reference selected several packages; select one with `flake: .#name`.');
    return first;
}
/** Store paths printed one per line (`nix path-info -r`), each once, sorted. */
function parseStorePaths(stdout) {
    return [
        ...new Set(stdout
            .split('\n')
            .map((s) => s.trim())
            .filter((s) => s.startsWith('/'))),
    ].sort();
}
/** NAR sizes from `nix path-info --json` (Nix 2.8: an array with `path`; Nix >= 2.19: an object keyed by path). */
function parsePathInfoSizes(stdout) {
    const parsed = JSON.parse(stdout);
    const out = new Map();
    const add = (p, info) => {
        if (typeof p !== 'string' || !info || typeof info !== 'object')
            return;
        const n = info.narSize;
        if (typeof n === 'number')
            out.set(p, n);
    };
    if (Array.isArray(parsed))
        for (const i of parsed)
            add(i.path, i);
    else if (parsed && typeof parsed === 'object')
        for (const [p, i] of Object.entries(parsed))
            add(p, i);
    return out;
}
class NixCli {
    nix;
    /** @param nix the absolute path of the `nix` executable. */
    constructor(nix) {
        this.nix = nix;
    }
    /** `nix --version`, and whether a daemon serves the store: what kind of Nix this is. */
    async describe(installed) {
        const { stdout } = await (0,_util_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(this.nix, ['--version'], { errorTitle: 'Nix does not run' });
        return {
            nix: this.nix,
            binDir: node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(this.nix),
            version: parseNixVersion(stdout),
            installed,
            daemon: node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(DAEMON_SOCKET) && process.getuid?.() !== 0,
        };
    }
    /** `nix build INSTALLABLE --json --no-link`: the build result (one installable). */
    async build(installable, opts = {}) {
        const { stdout } = await this.run(['build', installable, '--json', '--no-link', ...(opts.printBuildLogs ? ['--print-build-logs'] : [])], {
            ...(opts.onLine !== undefined ? { onLine: opts.onLine } : {}),
            ...(opts.tailLines !== undefined ? { tailLines: opts.tailLines } : {}),
            ...(opts.errorTitle !== undefined ? { errorTitle: opts.errorTitle } : {}),
        });
        return parseBuildJson(stdout);
    }
    /** The runtime closure of store paths (`nix path-info -r`), sorted. */
    async closure(paths) {
        const { stdout } = await this.run(['path-info', '-r', ...paths], {
            errorTitle: 'Could not read the closure',
        });
        return parseStorePaths(stdout);
    }
    /** NAR sizes of store paths (`nix path-info --json`). */
    async narSizes(paths) {
        if (paths.length === 0)
            return new Map();
        const { stdout } = await this.run(['path-info', '--json', ...paths], {
            errorTitle: 'Could not read path sizes',
        });
        return parsePathInfoSizes(stdout);
    }
    /** `nix copy --to URL paths`; returns what it printed (stderr), which names the paths copied. */
    async copy(to, paths, opts) {
        let output = '';
        await this.run(['copy', '--to', to, ...paths], {
            errorTitle: opts.errorTitle,
            onLine: (l) => {
                output += `${l}\n`;
                opts.onLine?.(l);
            },
        });
        return output;
    }
    /**
     * `nix show-config --json` (`nix config show` from 2.20 on), parsed; undefined when it cannot be
     * read. Its output holds access-tokens: it is parsed and never logged. systemOnly: what a daemon
     * reads (the system nix.conf), not NIX_CONFIG or the user's nix.conf.
     */
    async settings(opts = {}) {
        const env = opts.systemOnly ? { NIX_CONFIG: undefined, NIX_USER_CONF_FILES: '/dev/null' } : {};
        for (const cmd of [['show-config'], ['config', 'show']]) {
            const r = await this.run([...cmd, '--json'], { allowFailure: true, env });
            if (r.code !== 0)
                continue;
            try {
                return JSON.parse(r.stdout);
            }
            catch {
                // try the other spelling
            }
        }
        return undefined;
    }
    /** Any other `nix` command, with flakes on. */
    run(args, opts = {}) {
        return (0,_util_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(this.nix, [...NIX_FEATURE_ARGS, ...args], opts);
    }
}


/***/ }),

/***/ 8977:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Pl: () => (/* binding */ TOKEN_FILE_NAME),
/* harmony export */   So: () => (/* binding */ composeNixConfig),
/* harmony export */   cQ: () => (/* binding */ existingNixLines),
/* harmony export */   cb: () => (/* binding */ userNixConfPath),
/* harmony export */   ku: () => (/* binding */ accessTokensContent),
/* harmony export */   s5: () => (/* binding */ freshNixConf),
/* harmony export */   y4: () => (/* binding */ replaceMarkedBlock)
/* harmony export */ });
/* unused harmony exports MARK_BEGIN, MARK_END, includeLine */
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);

/**
 * Nix configuration the action manages. Nothing here ever holds a secret: the github.com
 * token lives in a 0600 file that the configuration `!include`s, so the token never reaches
 * an environment variable, GITHUB_ENV, argv or the log.
 *
 * - A Nix that was already there keeps its system nix.conf untouched: the action exports
 *   NIX_CONFIG (this process and later steps), composed of the NIX_CONFIG found at start,
 *   the action's lines and `extra-nix-config` last (later lines win).
 * - A fresh install gets its nix.conf from the installer (daemon) or as the user's
 *   nix.conf (single-user); see installer.ts.
 * Writing them (NIX_CONFIG, the token file) is the job context's (context.ts): this module only
 * composes the text.
 */
const TOKEN_FILE_NAME = 'nix-access-tokens.conf';
const MARK_BEGIN = '# BEGIN nix-lambda (written by the nix-lambda action)';
const MARK_END = '# END nix-lambda';
/** Splits configuration text into lines without trailing blanks; drops empty lines. */
function lines(text) {
    return text
        .split('\n')
        .map((l) => l.replace(/\s+$/, ''))
        .filter((l) => l.trim() !== '');
}
/**
 * NIX_CONFIG = base (what the environment had) + the action's lines + extra-nix-config.
 * An exact duplicate line keeps only its last occurrence (same effect: later lines win), so
 * running the action twice in a job does not grow NIX_CONFIG.
 */
function composeNixConfig(base, managed, extra) {
    const all = [...lines(base), ...managed.flatMap(lines), ...lines(extra)];
    const lastIndex = new Map();
    all.forEach((l, i) => lastIndex.set(l.trim(), i));
    return all.filter((l, i) => lastIndex.get(l.trim()) === i).join('\n');
}
/** The line granting the github.com token from its 0600 file (`!include`: a missing file is no error). */
function includeLine(file) {
    return `!include ${file}`;
}
/** Content of the 0600 token file. */
function accessTokensContent(token) {
    return `access-tokens = github.com=${token}\n`;
}
/** Lines for a Nix that was already installed (through NIX_CONFIG). */
function existingNixLines(o) {
    const out = ['extra-experimental-features = nix-command flakes', 'max-jobs = auto'];
    if (o.sandboxOff)
        out.push('sandbox = false');
    if (o.noBuildUsers)
        out.push('build-users-group =');
    if (o.tokenFile)
        out.push(includeLine(o.tokenFile));
    return out;
}
/** Lines of nix.conf for a fresh install. The token is only `!include`d. */
function freshNixConf(o) {
    const out = [
        `${o.extendFeatures ? 'extra-' : ''}experimental-features = nix-command flakes`,
        'max-jobs = auto',
    ];
    if (o.mode === 'daemon')
        out.push(o.user && o.user !== 'root' ? `trusted-users = root ${o.user}` : 'trusted-users = root');
    if (o.sandboxOff)
        out.push('sandbox = false');
    if (o.noBuildUsers)
        out.push('build-users-group =');
    if (o.tokenFile)
        out.push(includeLine(o.tokenFile));
    out.push(...lines(o.extra));
    return `${out.join('\n')}\n`;
}
/**
 * Puts `block` between the action's markers in an existing configuration text, replacing an
 * earlier block of the action and keeping everything else.
 */
function replaceMarkedBlock(existing, block) {
    const begin = existing.indexOf(MARK_BEGIN);
    const end = existing.indexOf(MARK_END);
    let rest = existing;
    if (begin >= 0 && end > begin)
        rest = existing.slice(0, begin) + existing.slice(end + MARK_END.length);
    rest = rest.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');
    const body = `${MARK_BEGIN}\n${block.replace(/\n+$/, '')}\n${MARK_END}\n`;
    return rest.trim() === '' ? body : `${rest.replace(/\n*$/, '\n')}${body}`;
}
/** The user's nix.conf: $XDG_CONFIG_HOME/nix/nix.conf, else ~/.config/nix/nix.conf (where Nix reads it). */
function userNixConfPath(env, home) {
    const xdg = env['XDG_CONFIG_HOME'];
    const base = xdg && node_path__WEBPACK_IMPORTED_MODULE_0__.isAbsolute(xdg) ? xdg : node_path__WEBPACK_IMPORTED_MODULE_0__.join(home, '.config');
    return node_path__WEBPACK_IMPORTED_MODULE_0__.join(base, 'nix', 'nix.conf');
}


/***/ }),

/***/ 6545:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Li: () => (/* binding */ nixHome),
/* harmony export */   Sp: () => (/* binding */ DEFAULT_PROFILE_BIN),
/* harmony export */   rv: () => (/* binding */ findNix)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _util_fs_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1917);


/** Where a Nix already on the machine is found. */
const DEFAULT_PROFILE_BIN = '/nix/var/nix/profiles/default/bin';
/** Finds `nix`: on PATH first, then in the default profile, then in the user's profile. */
function findNix(env = process.env, home = env['HOME'] ?? '') {
    const dirs = [env['PATH'] ?? '', DEFAULT_PROFILE_BIN];
    if (home)
        dirs.push(node_path__WEBPACK_IMPORTED_MODULE_0__.join(home, '.nix-profile', 'bin'));
    return (0,_util_fs_js__WEBPACK_IMPORTED_MODULE_1__/* .findOnPath */ .aY)(['nix'], dirs.join(node_path__WEBPACK_IMPORTED_MODULE_0__.delimiter));
}
/** Nix reads ~ from $HOME; the OS account's home when HOME is unset. */
function nixHome(env, accountHome) {
    const h = env['HOME'];
    return h && node_path__WEBPACK_IMPORTED_MODULE_0__.isAbsolute(h) ? h : accountHome;
}


/***/ }),

/***/ 17:
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

/***/ 7895:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Cj: () => (/* binding */ tailOf),
/* harmony export */   Ee: () => (/* binding */ logCommandsTo),
/* harmony export */   Qd: () => (/* binding */ CommandError),
/* harmony export */   eF: () => (/* binding */ run),
/* harmony export */   ni: () => (/* binding */ start)
/* harmony export */ });
/* harmony import */ var _actions_exec__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1955);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(17);
/* harmony import */ var _secrets_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(4537);




/**
 * The one way this action runs an external command. It refuses a command line holding a
 * registered secret (secrets go through the environment or a 0600 file), writes the command line
 * to the debug log, captures stdout and stderr, can stream lines to the log, and turns a failure
 * into an ActionError that carries the tail of stderr (with secrets removed).
 */
let commandLog;
/** Where run() writes each command line (debug level): set by the main and the post step. */
function logCommandsTo(sink) {
    commandLog = sink;
}
class CommandError extends _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ {
    command;
    code;
    stderr;
    constructor(title, command, code, stderr, tailLines) {
        const tail = tailOf((0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrubSecrets */ .Zg)(stderr), tailLines);
        super(title, `\`${command}\` exited with code ${code}${tail ? `:\n${tail}` : ''}`);
        this.name = 'CommandError';
        this.command = command;
        this.code = code;
        this.stderr = (0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrubSecrets */ .Zg)(stderr);
    }
}
function tailOf(text, lines) {
    const all = text.replace(/\s+$/, '').split('\n');
    return all.slice(Math.max(0, all.length - lines)).join('\n');
}
/**
 * What run() and start() do before spawning: refuse a secret in argv, build the environment (the
 * process's unless cleanEnv, then `env`, where undefined removes a variable), log the command line.
 */
function prepare(command, args, opts) {
    if ([command, ...args].some(_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .holdsSecret */ .hK))
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Refused to run a command', `a secret would have appeared in the arguments of \`${command}\`; this is a bug in the action`);
    const overrides = opts.env ?? {};
    const env = {};
    for (const [k, v] of Object.entries({ ...(opts.cleanEnv ? {} : process.env), ...overrides }))
        if (v !== undefined && !(k in overrides && overrides[k] === undefined))
            env[k] = v;
    const shown = [command, ...args].map(quoteArg).join(' ');
    commandLog?.((0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrubSecrets */ .Zg)(`exec: ${shown}${opts.cwd !== undefined ? ` (in ${opts.cwd})` : ''}`));
    return { env, shown };
}
async function run(command, args, opts = {}) {
    const { env, shown } = prepare(command, args, opts);
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
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ(opts.errorTitle ?? 'Command failed', `could not run \`${shown}\`: ${(0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrubSecrets */ .Zg)(err instanceof Error ? err.message : String(err))}`, { cause: err });
    }
    if (result.code !== 0 && !opts.allowFailure) {
        throw new CommandError(opts.errorTitle ?? 'Command failed', shown, result.code, result.stderr || result.stdout, opts.tailLines ?? 25);
    }
    return result;
}
/**
 * Starts a command that runs until it is ended (a program under test), under the same contract as
 * run(): no secret in argv, the command line at debug, the environment built the same way. It runs
 * in a process group of its own, so kill() ends it with every process it started.
 */
function start(command, args, opts = {}) {
    const { env } = prepare(command, args, opts);
    const limit = opts.tailBytes ?? 64 * 1024;
    const out = { stdout: '', stderr: '' };
    const keep = (which) => (d) => {
        out[which] = (out[which] + d.toString('utf8')).slice(-limit);
    };
    const child = (0,node_child_process__WEBPACK_IMPORTED_MODULE_1__.spawn)(command, [...args], {
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    });
    child.stdout.on('data', keep('stdout'));
    child.stderr.on('data', keep('stderr'));
    const done = new Promise((resolve) => {
        child.on('error', (e) => {
            resolve({ code: null, signal: null, error: e.message });
        });
        child.on('close', (code, signal) => {
            resolve({ code, signal });
        });
    });
    return {
        stdout: () => (0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrubSecrets */ .Zg)(out.stdout),
        stderr: () => (0,_secrets_js__WEBPACK_IMPORTED_MODULE_3__/* .scrubSecrets */ .Zg)(out.stderr),
        done,
        pid: child.pid,
        kill: () => {
            try {
                if (child.pid !== undefined)
                    process.kill(-child.pid, 'SIGKILL');
            }
            catch {
                // already gone
            }
        },
    };
}
function quoteArg(a) {
    return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}


/***/ }),

/***/ 2693:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   LS: () => (/* binding */ plural),
/* harmony export */   a3: () => (/* binding */ formatDuration),
/* harmony export */   z3: () => (/* binding */ formatBytes)
/* harmony export */ });
/** Sizes, durations and counts as the log and the job summary write them (a pure module). */
function formatBytes(n) {
    if (n < 1024)
        return `${n} B`;
    if (n < 1024 * 1024)
        return `${(n / 1024).toFixed(1)} KiB`;
    if (n < 1024 * 1024 * 1024)
        return `${(n / 1024 / 1024).toFixed(1)} MiB`;
    return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
function formatDuration(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
/** `1 file`, `3 files`; `plural(n, 'library', 'libraries')`. */
function plural(n, one, many = `${one}s`) {
    return `${n} ${n === 1 ? one : many}`;
}


/***/ }),

/***/ 1917:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   TV: () => (/* binding */ isExecutable),
/* harmony export */   UK: () => (/* binding */ errnoCode),
/* harmony export */   _V: () => (/* binding */ readFileShared),
/* harmony export */   aY: () => (/* binding */ findOnPath),
/* harmony export */   dW: () => (/* binding */ copyShared),
/* harmony export */   wL: () => (/* binding */ folderBytes)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_2__);



/** File system questions asked in several places (a module without state). */
/** Whether this process may run p: a regular file with execute permission for it. */
function isExecutable(p) {
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.accessSync(p, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.X_OK);
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(p).isFile();
    }
    catch {
        return false;
    }
}
/** The first of `names` found executable in a folder of PATH, folders in order. */
function findOnPath(names, pathVar = process.env['PATH'] ?? '') {
    for (const dir of pathVar.split(node_path__WEBPACK_IMPORTED_MODULE_1__.delimiter).filter(Boolean)) {
        for (const n of names) {
            const p = node_path__WEBPACK_IMPORTED_MODULE_1__.join(dir, n);
            if (isExecutable(p))
                return p;
        }
    }
    return undefined;
}
/** The errno code (ENOSPC, EACCES...) of a file system error, or of the error that caused it. */
function errnoCode(err) {
    for (let e = err, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
        const code = e.code;
        if (typeof code === 'string' && /^E[A-Z]+$/.test(code))
            return code;
    }
    return undefined;
}
/** The bytes of the regular files below dir. */
function folderBytes(dir) {
    let total = 0;
    for (const e of node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile())
            total += node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(node_path__WEBPACK_IMPORTED_MODULE_1__.join(e.parentPath, e.name)).size;
    }
    return total;
}
/**
 * A file's bytes in shared memory: a worker that gets the Buffer (postMessage) sees the same bytes
 * instead of a copy. The bundle's files go to the deflate workers while the main thread still
 * needs them (the bundle folder, the checks), so this spares a copy of each in flight.
 */
async function readFileShared(p) {
    const fh = await node_fs_promises__WEBPACK_IMPORTED_MODULE_2__.open(p, 'r');
    try {
        const { size } = await fh.stat();
        const buf = Buffer.from(new SharedArrayBuffer(size));
        let at = 0;
        while (at < size) {
            const { bytesRead } = await fh.read(buf, at, size - at, at);
            if (bytesRead === 0)
                break;
            at += bytesRead;
        }
        // A file that shrank meanwhile: only what was read.
        return at === size ? buf : buf.subarray(0, at);
    }
    finally {
        await fh.close();
    }
}
/** A copy of data in shared memory (see readFileShared). */
function copyShared(data) {
    const buf = Buffer.from(new SharedArrayBuffer(data.length));
    data.copy(buf);
    return buf;
}


/***/ }),

/***/ 5138:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   ET: () => (/* binding */ codeSha256Hex),
/* harmony export */   dD: () => (/* binding */ codeSha256),
/* harmony export */   fg: () => (/* binding */ sha256Hex)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);

/** SHA-256, the one hash this action computes: in hex, or in base64 as Lambda's CodeSha256. */
/** The SHA-256 of data, in hex (what `sha256sum` prints). */
function sha256Hex(data) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(data).digest('hex');
}
/** The SHA-256 of data, in base64: the form of Lambda's CodeSha256. */
function codeSha256(data) {
    return (0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.createHash)('sha256').update(data).digest('base64');
}
/** A CodeSha256 (base64) in hex, for names that cannot hold base64 (S3 keys). */
function codeSha256Hex(codeSha256Value) {
    return Buffer.from(codeSha256Value, 'base64').toString('hex');
}


/***/ }),

/***/ 4537:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bm: () => (/* binding */ secretParts),
/* harmony export */   Ci: () => (/* binding */ removeSecretFiles),
/* harmony export */   Di: () => (/* binding */ secretDirFor),
/* harmony export */   LR: () => (/* binding */ removeAtProcessExit),
/* harmony export */   Pl: () => (/* binding */ writePrivateFile),
/* harmony export */   SH: () => (/* binding */ makeSecretDir),
/* harmony export */   Zg: () => (/* binding */ scrubSecrets),
/* harmony export */   cl: () => (/* binding */ registerSecret),
/* harmony export */   hK: () => (/* binding */ holdsSecret)
/* harmony export */ });
/* unused harmony export SECRET_DIR_PREFIX */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);


/**
 * Secrets, kept out of everything that outlives the job.
 *
 * The registry: every secret (the secret inputs, STS credentials, the OIDC token) is registered
 * first; no command line may then contain one (exec.ts refuses it) and every error message is
 * scrubbed of them.
 *
 * Secret files (the github.com access token for Nix, a netrc for private caches, signing keys):
 * each lives in a private folder (0700) under RUNNER_TEMP and is written with mode 0600 before
 * any byte of the secret. The job's files are listed in PostState.secretFiles (context.ts) so the
 * post step removes them; outside a runner (the local command, which has no post step) they are
 * removed when the process exits.
 */
const secrets = new Set();
/** Remembers a secret so that no command line may contain it and no error shows it. */
function registerSecret(value) {
    if (value.length >= 4)
        secrets.add(value);
}
/**
 * What to mask of a secret: the whole value and, for a multi-line one (an SSH key), each line of
 * it (a log shows a multi-line value line by line), but not PEM armour lines such as
 * "-----BEGIN OPENSSH PRIVATE KEY-----", which are no secret.
 */
function secretParts(value) {
    const v = value.trim();
    if (v === '')
        return [];
    const lines = v
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 8 && !/^-----(BEGIN|END) [A-Z0-9 ]+-----$/.test(l));
    return [...new Set([v, ...(lines.length > 1 ? lines : [])])];
}
/** Replaces every registered secret in s with ***. */
function scrubSecrets(s) {
    let out = s;
    for (const sec of secrets)
        out = out.split(sec).join('***');
    return out;
}
/** Whether s holds a registered secret. */
function holdsSecret(s) {
    for (const sec of secrets)
        if (s.includes(sec))
            return true;
    return false;
}
const SECRET_DIR_PREFIX = 'nix-lambda-secrets-';
let exitHookSet = false;
const removeAtExit = [];
/** Creates a private folder for secret files under base (0700). */
function makeSecretDir(base) {
    node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(base, { recursive: true });
    const dir = node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync(node_path__WEBPACK_IMPORTED_MODULE_1__.join(base, SECRET_DIR_PREFIX));
    node_fs__WEBPACK_IMPORTED_MODULE_0__.chmodSync(dir, 0o700);
    return dir;
}
/** Writes content to dir/name with mode 0600 (created with that mode; never world-readable). */
function writePrivateFile(dir, name, content) {
    const file = node_path__WEBPACK_IMPORTED_MODULE_1__.join(dir, name);
    node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(file, { force: true });
    const fd = node_fs__WEBPACK_IMPORTED_MODULE_0__.openSync(file, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_WRONLY | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_CREAT | node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.O_EXCL, 0o600);
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.fchmodSync(fd, 0o600);
        node_fs__WEBPACK_IMPORTED_MODULE_0__.writeSync(fd, content);
    }
    finally {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.closeSync(fd);
    }
    return file;
}
/** The private folder among those of `files` that still exists, else a new one under base. */
function secretDirFor(files, base) {
    const known = files.map((f) => node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(f)).find((d) => node_path__WEBPACK_IMPORTED_MODULE_1__.basename(d).startsWith(SECRET_DIR_PREFIX));
    if (known && node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(known))
        return known;
    return makeSecretDir(base);
}
/** Removes the file when this process exits (where no post step will). */
function removeAtProcessExit(file) {
    removeAtExit.push(file);
    if (!exitHookSet) {
        exitHookSet = true;
        process.once('exit', () => {
            removeSecretFiles(removeAtExit.splice(0));
        });
    }
}
/**
 * Removes secret files and, once empty, the private folders holding them. Never throws;
 * returns the files it could not remove (with the reason in the log, when given one).
 */
function removeSecretFiles(files, log) {
    const failed = [];
    const dirs = new Set();
    for (const f of files) {
        try {
            node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(f, { force: true });
            const d = node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(f);
            if (node_path__WEBPACK_IMPORTED_MODULE_1__.basename(d).startsWith(SECRET_DIR_PREFIX))
                dirs.add(d);
        }
        catch (e) {
            failed.push(f);
            log?.warning(`Could not remove ${f}: ${e.message}`, 'Secret file left behind');
        }
    }
    for (const d of dirs) {
        try {
            if (node_fs__WEBPACK_IMPORTED_MODULE_0__.readdirSync(d).length === 0)
                node_fs__WEBPACK_IMPORTED_MODULE_0__.rmdirSync(d);
        }
        catch {
            // already gone, or not empty: nothing to do
        }
    }
    return failed;
}


/***/ }),

/***/ 3403:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   UV: () => (/* binding */ inputValue),
/* harmony export */   ol: () => (/* binding */ fileCommand),
/* harmony export */   ov: () => (/* binding */ keyValueMessage),
/* harmony export */   sn: () => (/* binding */ issue)
/* harmony export */ });
/* unused harmony export commandLine */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);



/**
 * The runner's workflow commands (`::name props::message` on stdout) and file commands (GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_PATH, GITHUB_STATE, GITHUB_STEP_SUMMARY), written as @actions/core writes them
 * (the same escaping and heredoc form). A module without state, and without @actions/core: that
 * package loads an HTTP client and a process runner at start-up, which every step paid for, and
 * the post step never used.
 */
function escapeData(s) {
    return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
/** `::command key=value,...::message`, properties without a value left out. */
function commandLine(command, props, message) {
    const set = Object.entries(props).filter((e) => e[1] !== undefined && e[1] !== '');
    const p = set.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
    return `::${command}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}
/** Writes a workflow command to stdout. */
function issue(command, props, message) {
    process.stdout.write(`${commandLine(command, props, message)}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
}
/** NAME<<DELIMITER, the value, DELIMITER: the form of GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE. */
function keyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    if (key.includes(delimiter) || value.includes(delimiter))
        throw new Error(`Unexpected input: ${key} or its value contains the delimiter "${delimiter}"`);
    return `${key}<<${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}${value}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}${delimiter}`;
}
/** Appends a line to the file of a file command (GITHUB_<command>); false when the runner gives none. */
function fileCommand(command, line) {
    const file = process.env[`GITHUB_${command}`];
    if (!file)
        return false;
    if (!node_fs__WEBPACK_IMPORTED_MODULE_1__.existsSync(file))
        throw new Error(`Missing file at path: ${file}`);
    node_fs__WEBPACK_IMPORTED_MODULE_1__.appendFileSync(file, `${line}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`, { encoding: 'utf8' });
    return true;
}
/** A step's value of an input (INPUT_<NAME>), trimmed; '' when unset. */
function inputValue(name, env = process.env) {
    return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}


/***/ })

};
