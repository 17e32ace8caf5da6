export const id = 106;
export const ids = [106];
export const modules = {

/***/ 4857:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   N: () => (/* binding */ saveClosureCache),
/* harmony export */   U1: () => (/* binding */ restoreClosureCache)
/* harmony export */ });
/* unused harmony exports CLOSURE_CACHE_VERSION, closureCacheDir, flakeLockHash, closureCacheKey, closureSubstituter, closureCacheUnavailable */
/* harmony import */ var _actions_cache__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(1863);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_4__);





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
    const base = xdg && node_path__WEBPACK_IMPORTED_MODULE_4__.isAbsolute(xdg) ? xdg : node_path__WEBPACK_IMPORTED_MODULE_4__.join(home, '.cache');
    return node_path__WEBPACK_IMPORTED_MODULE_4__.join(base, 'nix-lambda', 'closure');
}
const sha = (s) => (0,node_crypto__WEBPACK_IMPORTED_MODULE_1__.createHash)('sha256').update(s).digest('hex');
/** SHA-256 of the flake's lock file; "nolock" when the flake has none or is not local. */
function flakeLockHash(flakeDir) {
    if (!flakeDir)
        return 'nolock';
    try {
        return sha(node_fs__WEBPACK_IMPORTED_MODULE_2__.readFileSync(node_path__WEBPACK_IMPORTED_MODULE_4__.join(flakeDir, 'flake.lock'))).slice(0, 32);
    }
    catch {
        return 'nolock';
    }
}
/** nix-lambda-closure-v1-OS-ARCH-<installable hash>-<flake.lock hash> */
function closureCacheKey(o) {
    const prefix = `nix-lambda-closure-${CLOSURE_CACHE_VERSION}-${o.platform}-${o.arch}-${sha(o.installable).slice(0, 16)}-`;
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
 * Restores the closure cache folder; returns the nix.conf lines that add it as a substituter
 * (none when nothing was restored). Never throws: a problem is a notice and the run goes on.
 */
async function restoreClosureCache(ctx, home) {
    const { inputs, runner, log } = ctx;
    if (!inputs.cache) {
        log.debug('closure cache: off (cache: false)');
        return [];
    }
    if (!runner.isActions) {
        log.debug('closure cache: only on a runner (it is saved by the post step)');
        return [];
    }
    const why = closureCacheUnavailable(runner);
    if (why) {
        log.notice(`Closure cache skipped: ${why}. The build goes on without it.`, 'Closure cache skipped');
        return [];
    }
    const dir = closureCacheDir(process.env, home);
    const { key, restoreKeys } = closureCacheKey({
        platform: node_os__WEBPACK_IMPORTED_MODULE_3__.platform(),
        arch: node_os__WEBPACK_IMPORTED_MODULE_3__.arch(),
        installable: inputs.installable,
        lockHash: flakeLockHash(inputs.flakeDir),
    });
    ctx.post.closureCache = { dir, key, hit: false };
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_2__.mkdirSync(dir, { recursive: true });
        const matched = await _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .restoreCache */ .P3([dir], key, restoreKeys);
        if (!matched) {
            // @actions/cache reports a failing service with its own warning and returns nothing, as for a miss.
            log.info(`Closure cache: nothing restored for ${key} (no entry yet, or the cache service failed: see any warning above); the post step saves one after a successful build.`);
            return [];
        }
        const hit = matched === key;
        ctx.post.closureCache.hit = hit;
        log.info(`Closure cache: restored ${hit ? key : `${matched} (an older lock; saved again under ${key})`} into ${dir}`);
        if (!node_fs__WEBPACK_IMPORTED_MODULE_2__.existsSync(node_path__WEBPACK_IMPORTED_MODULE_4__.join(dir, 'nix-cache-info'))) {
            log.notice(`Closure cache ${matched} holds no binary cache; ignoring it.`, 'Closure cache');
            return [];
        }
        return [`extra-substituters = ${closureSubstituter(dir)}`];
    }
    catch (e) {
        log.notice(`Closure cache not restored: ${e.message}. The build goes on without it.`, 'Closure cache');
        return [];
    }
}
/**
 * Post step: copies the closure into a fresh folder and saves it under the key, unless the key
 * was restored exactly. Never throws.
 */
async function saveClosureCache(state, closure, runNix, log) {
    if (state.hit) {
        log.info(`Closure cache: ${state.key} was restored as is; nothing to save.`);
        return;
    }
    if (closure.length === 0)
        return;
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_2__.rmSync(state.dir, { recursive: true, force: true });
        node_fs__WEBPACK_IMPORTED_MODULE_2__.mkdirSync(state.dir, { recursive: true });
        await runNix(['copy', '--to', `file://${state.dir}?compression=none`, ...closure]);
        const bytes = folderBytes(state.dir);
        const id = await _actions_cache__WEBPACK_IMPORTED_MODULE_0__/* .saveCache */ .Io([state.dir], state.key);
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
function folderBytes(dir) {
    let total = 0;
    for (const e of node_fs__WEBPACK_IMPORTED_MODULE_2__.readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile())
            total += node_fs__WEBPACK_IMPORTED_MODULE_2__.statSync(node_path__WEBPACK_IMPORTED_MODULE_4__.join(e.parentPath, e.name)).size;
    }
    return total;
}


/***/ }),

/***/ 1812:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   CI: () => (/* binding */ storePathOf),
/* harmony export */   LO: () => (/* binding */ NIX_FEATURE_ARGS),
/* harmony export */   Sp: () => (/* binding */ DEFAULT_PROFILE_BIN),
/* harmony export */   TQ: () => (/* binding */ closureOf),
/* harmony export */   TV: () => (/* binding */ isExecutable),
/* harmony export */   Tg: () => (/* binding */ describeNix),
/* harmony export */   Tl: () => (/* binding */ closureOfPaths),
/* harmony export */   dI: () => (/* binding */ runNix),
/* harmony export */   ij: () => (/* binding */ ensureNix),
/* harmony export */   rv: () => (/* binding */ findNix),
/* harmony export */   wF: () => (/* binding */ nix)
/* harmony export */ });
/* unused harmony export parseNixVersion */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _exec_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3190);




/** Enables flakes on every Nix from 2.8 on, whatever its configuration says. */
const NIX_FEATURE_ARGS = ['--extra-experimental-features', 'nix-command flakes'];
const DEFAULT_PROFILE_BIN = '/nix/var/nix/profiles/default/bin';
function isExecutable(p) {
    try {
        node_fs__WEBPACK_IMPORTED_MODULE_0__.accessSync(p, node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.X_OK);
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.statSync(p).isFile();
    }
    catch {
        return false;
    }
}
/** Finds `nix`: on PATH first, then in the default profile, then in the user's profile. */
function findNix(env = process.env, home = env['HOME'] ?? '') {
    const dirs = (env['PATH'] ?? '').split(node_path__WEBPACK_IMPORTED_MODULE_1__.delimiter).filter(Boolean);
    dirs.push(DEFAULT_PROFILE_BIN);
    if (home)
        dirs.push(node_path__WEBPACK_IMPORTED_MODULE_1__.join(home, '.nix-profile', 'bin'));
    for (const d of dirs) {
        const p = node_path__WEBPACK_IMPORTED_MODULE_1__.join(d, 'nix');
        if (isExecutable(p))
            return p;
    }
    return undefined;
}
/** "nix (Nix) 2.8.0" -> "2.8.0"; "nix (Determinate Nix 3.6.2) 2.29.0" -> "2.29.0". */
function parseNixVersion(text) {
    const m = /(\d+\.\d+(?:\.\d+)?)\s*$/.exec(text.trim().split('\n')[0] ?? '');
    if (!m)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Unrecognised Nix', `could not read a version from \`nix --version\`: "${text.trim()}"`);
    return m[1];
}
async function describeNix(nix, installed) {
    const { stdout } = await (0,_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(nix, ['--version'], { errorTitle: 'Nix does not run' });
    const daemonSocket = '/nix/var/nix/daemon-socket/socket';
    return {
        nix,
        binDir: node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(nix),
        version: parseNixVersion(stdout),
        installed,
        daemon: node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(daemonSocket) && process.getuid?.() !== 0,
    };
}
/** The Nix this job uses: the install stage's, or one found now (when install is not among the stages). */
async function ensureNix(ctx) {
    if (ctx.nix)
        return ctx.nix;
    const nix = findNix(process.env, ctx.runner.home);
    if (!nix)
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .ActionError */ .lZ('Nix not found', `no \`nix\` on PATH, in ${DEFAULT_PROFILE_BIN} or in ~/.nix-profile/bin; add install to \`stages\` or install Nix in an earlier step.`);
    ctx.nix = await describeNix(nix, false);
    ctx.post.nix = nix;
    return ctx.nix;
}
/** Runs `<nixBin> <args>` with flakes enabled (for the post step, which has no job context). */
function runNix(nixBin, args, opts = {}) {
    return (0,_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(nixBin, [...NIX_FEATURE_ARGS, ...args], opts);
}
/** Runs `nix <args>` with flakes enabled. */
async function nix(ctx, args, opts = {}) {
    return runNix((await ensureNix(ctx)).nix, args, opts);
}
/** The runtime closure of store paths (`nix path-info -r`), sorted. */
async function closureOfPaths(nixBin, paths) {
    const { stdout } = await runNix(nixBin, ['path-info', '-r', ...paths], {
        errorTitle: 'Could not read the closure',
    });
    return [
        ...new Set(stdout
            .split('\n')
            .map((s) => s.trim())
            .filter((s) => s.startsWith('/'))),
    ].sort();
}
/** The runtime closure of store paths, with the job's Nix. */
async function closureOf(ctx, paths) {
    return closureOfPaths((await ensureNix(ctx)).nix, paths);
}
/** /nix/store/HASH-NAME/... -> /nix/store/HASH-NAME */
function storePathOf(p, storeDir = '/nix/store') {
    if (!p.startsWith(`${storeDir}/`))
        return undefined;
    const rest = p.slice(storeDir.length + 1);
    const name = rest.split('/')[0];
    return name ? `${storeDir}/${name}` : undefined;
}


/***/ }),

/***/ 5106:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPost: () => (/* binding */ runPost)
});

// EXTERNAL MODULE: ./node_modules/@actions/core/lib/core.js + 7 modules
var core = __webpack_require__(3838);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/closure-cache.ts
var closure_cache = __webpack_require__(4857);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec.ts
var exec = __webpack_require__(3190);
// EXTERNAL MODULE: ./src/inputs.ts
var inputs = __webpack_require__(8422);
// EXTERNAL MODULE: ./src/nix.ts
var src_nix = __webpack_require__(1812);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/secret-files.ts
var secret_files = __webpack_require__(9769);
;// CONCATENATED MODULE: ./src/push.ts






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
async function narSizes(nix, paths) {
    if (paths.length === 0)
        return new Map();
    const { stdout } = await (0,src_nix/* runNix */.dI)(nix, ['path-info', '--json', ...paths], {
        errorTitle: 'Could not read path sizes',
    });
    return parsePathInfoSizes(stdout);
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
function formatBytes(n) {
    if (n < 1024)
        return `${n} B`;
    if (n < 1024 * 1024)
        return `${(n / 1024).toFixed(1)} KiB`;
    if (n < 1024 * 1024 * 1024)
        return `${(n / 1024 / 1024).toFixed(1)} MiB`;
    return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
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
            keyDir = (0,secret_files/* makeSecretDir */.SH)(env.tempDir);
            keyFile = (0,secret_files/* writePrivateFile */.Pl)(keyDir, 'signing-key', signingKey);
            target = withStoreParam(url, 'secret-key', keyFile);
        }
        const sizes = await narSizes(env.nix, paths);
        log.info(`nix copy --to ${url}: ${paths.length} store paths (${formatBytes(sum(paths, sizes))})${signingKey ? ', signed with push-signing-key' : ''}`);
        let output = '';
        await (0,src_nix/* runNix */.dI)(env.nix, ['copy', '--to', target, ...paths], {
            errorTitle: `Push to ${url} failed`,
            onLine: (l) => {
                output += `${l}\n`;
                log.info(l);
            },
        });
        const copied = copiedPaths(output);
        const anyway = copied.filter((p) => excluded.includes(p));
        if (anyway.length > 0) {
            const more = await narSizes(env.nix, anyway);
            for (const [p, n] of more)
                sizes.set(p, n);
            log.info(`${anyway.length} store path${anyway.length === 1 ? '' : 's'} matching push-filter went along: pushed paths reference ${anyway.length === 1 ? 'it' : 'them'}, and a Nix binary cache must hold the closure of what it serves (${anyway.join(', ')}).`);
        }
        const bytes = sum(copied, sizes);
        log.info(`Pushed ${copied.length} store paths (${formatBytes(bytes)}, ${bytes} bytes NAR) to ${url}; ${paths.length - (copied.length - anyway.length)} were already there.`);
        return { target: url, offered: paths.length, pushed: copied.length, bytes };
    }
    finally {
        if (keyFile)
            (0,secret_files/* removeSecretFiles */.Ci)([keyFile], log);
    }
}
/** The cachix executable: on PATH, else realised through Nix from nixpkgs. */
async function findCachix(env, pathVar = process.env['PATH'] ?? '') {
    for (const dir of pathVar.split(external_node_path_.delimiter).filter(Boolean)) {
        const p = external_node_path_.join(dir, 'cachix');
        try {
            external_node_fs_.accessSync(p, external_node_fs_.constants.X_OK);
            if (external_node_fs_.statSync(p).isFile())
                return p;
        }
        catch {
            // not here
        }
    }
    env.log.info('cachix is not on PATH; realising nixpkgs#cachix through Nix');
    const r = await (0,src_nix/* runNix */.dI)(env.nix, ['build', '--no-link', '--json', 'nixpkgs#cachix'], { allowFailure: true });
    if (r.code === 0) {
        try {
            const built = JSON.parse(r.stdout)[0];
            for (const out of [built?.outputs['bin'], built?.outputs['out']]) {
                if (out && external_node_fs_.existsSync(external_node_path_.join(out, 'bin', 'cachix')))
                    return external_node_path_.join(out, 'bin', 'cachix');
            }
        }
        catch {
            // fall through to the error
        }
    }
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n');
    throw new errors/* ActionError */.lZ('cachix not available', `cachix is not on PATH and nixpkgs#cachix could not be built:\n${tail}`);
}
/** `cachix push CACHE paths`, with CACHIX_AUTH_TOKEN / CACHIX_SIGNING_KEY in its environment. Throws on failure. */
async function pushToCachix(env, cacheName, paths, secrets) {
    const { log } = env;
    if (!secrets.authToken && !secrets.signingKey)
        throw new errors/* ActionError */.lZ('Nothing to push with', 'pushing to Cachix needs cachix-auth-token or cachix-signing-key.');
    const cachixBin = await findCachix(env);
    const sizes = await narSizes(env.nix, paths);
    const bytes = sum(paths, sizes);
    log.info(`cachix push ${cacheName}: ${paths.length} store paths (${formatBytes(bytes)})`);
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
    log.info(`Pushed to Cachix cache "${cacheName}": ${paths.length} store paths (${formatBytes(bytes)}, ${bytes} bytes NAR; cachix skips those it already has).`);
    return { target: `cachix:${cacheName}`, offered: paths.length, pushed: paths.length, bytes };
}

;// CONCATENATED MODULE: ./src/post.ts










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
    const env = { nix: state.nix, log, tempDir: process.env['RUNNER_TEMP'] || external_node_os_.tmpdir() };
    const closure = await (0,src_nix/* closureOfPaths */.Tl)(state.nix, state.storePaths);
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
            log.warning(`Push to Cachix cache "${state.cachixPush.cache}" skipped or failed: ${(0,exec/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(e))}. The deploy is not affected.`, 'Cachix push failed');
        }
    }
    if (state.pushTo) {
        try {
            await pushToStore(env, state.pushTo, keep, read('push-signing-key').trim(), skipped);
        }
        catch (e) {
            log.warning(`Push to ${state.pushTo} failed: ${(0,exec/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(e))}. The deploy is not affected.`, 'Push failed');
        }
    }
    if (state.closureCache) {
        await (0,closure_cache/* saveClosureCache */.N)(state.closureCache, closure, (args) => (0,src_nix/* runNix */.dI)(state.nix, args, { errorTitle: 'nix copy failed' }), log);
    }
}
/**
 * The post step: runs after the job's other steps. Its failures are warnings,
 * never a red job: the deploy already happened. It always removes the secret files.
 */
async function runPost(state, log, read = (name) => core/* getInput */.V4(name)) {
    try {
        for (const name of inputs/* SECRET_INPUTS */.pH) {
            const v = read(name).trim();
            if (v)
                (0,exec/* registerSecret */.cl)(v);
        }
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
        log.warning(`Post step: ${(0,exec/* scrubSecrets */.Zg)((0,errors/* errorMessage */.gJ)(e))}. The deploy is not affected.`, 'Post step problem');
    }
    finally {
        const failed = (0,secret_files/* removeSecretFiles */.Ci)(state.secretFiles, log);
        const removed = state.secretFiles.length - failed.length;
        if (removed > 0)
            log.info(`Removed ${removed} secret file${removed === 1 ? '' : 's'}.`);
    }
}


/***/ }),

/***/ 9769:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   AK: () => (/* binding */ writeSecretFile),
/* harmony export */   Ci: () => (/* binding */ removeSecretFiles),
/* harmony export */   Pl: () => (/* binding */ writePrivateFile),
/* harmony export */   SH: () => (/* binding */ makeSecretDir)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_1__);


/**
 * Files that hold secrets (the github.com access token for Nix, a netrc for private caches,
 * signing keys). Each lives in a private folder (0700) under RUNNER_TEMP, is written with
 * mode 0600 before any byte of the secret, and is listed in PostState.secretFiles so the
 * post step removes it. Outside a runner (the local command, which has no post step) they
 * are removed when the process exits.
 */
const DIR_PREFIX = 'nix-lambda-secrets-';
let exitHookSet = false;
const removeAtExit = [];
/** Creates a private folder for secret files under base (0700). */
function makeSecretDir(base) {
    node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdirSync(base, { recursive: true });
    const dir = node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync(node_path__WEBPACK_IMPORTED_MODULE_1__.join(base, DIR_PREFIX));
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
/** The job's folder for secret files (one per job context). */
function jobSecretDir(ctx) {
    const known = ctx.post.secretFiles
        .map((f) => node_path__WEBPACK_IMPORTED_MODULE_1__.dirname(f))
        .find((d) => node_path__WEBPACK_IMPORTED_MODULE_1__.basename(d).startsWith(DIR_PREFIX));
    if (known && node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync(known))
        return known;
    return makeSecretDir(ctx.runner.tempDir);
}
/** Writes a secret file for this job and lists it for removal by the post step. */
function writeSecretFile(ctx, name, content) {
    const file = writePrivateFile(jobSecretDir(ctx), name, content);
    if (!ctx.post.secretFiles.includes(file))
        ctx.post.secretFiles.push(file);
    if (!ctx.runner.isActions) {
        removeAtExit.push(file);
        if (!exitHookSet) {
            exitHookSet = true;
            process.once('exit', () => {
                removeSecretFiles(removeAtExit.splice(0));
            });
        }
    }
    return file;
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
            if (node_path__WEBPACK_IMPORTED_MODULE_1__.basename(d).startsWith(DIR_PREFIX))
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


/***/ })

};
