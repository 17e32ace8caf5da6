export const id = 656;
export const ids = [656];
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

/***/ 6803:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   QJ: () => (/* binding */ fetchUrl),
/* harmony export */   fk: () => (/* binding */ FetchError)
/* harmony export */ });
/* unused harmony export isRetryableStatus */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3136);
/* harmony import */ var node_url__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_url__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _actions_http_client__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4942);



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
            return { status: 200, body: node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync((0,node_url__WEBPACK_IMPORTED_MODULE_1__.fileURLToPath)(url)), attempts: 1 };
        }
        catch (e) {
            throw new FetchError(`cannot read ${url}: ${e.message}`, 1);
        }
    }
    const attempts = Math.max(1, opts.attempts ?? 4);
    const timeoutMs = opts.timeoutMs ?? 60_000;
    let delay = opts.retryDelayMs ?? 1000;
    let lastReason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
        const client = new _actions_http_client__WEBPACK_IMPORTED_MODULE_2__/* .HttpClient */ .Qq('nix-lambda', [], {
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

/***/ 3606:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Bc: () => (/* binding */ inContainer),
/* harmony export */   Hk: () => (/* binding */ writeTokenFile),
/* harmony export */   Js: () => (/* binding */ daemonTrustsUser),
/* harmony export */   Li: () => (/* binding */ nixHome),
/* harmony export */   M9: () => (/* binding */ groupExists),
/* harmony export */   SA: () => (/* binding */ settingValue),
/* harmony export */   cQ: () => (/* binding */ existingNixLines),
/* harmony export */   cb: () => (/* binding */ userNixConfPath),
/* harmony export */   fM: () => (/* binding */ addPath),
/* harmony export */   oW: () => (/* binding */ currentGid),
/* harmony export */   q8: () => (/* binding */ exportVar),
/* harmony export */   rj: () => (/* binding */ readNixSettings),
/* harmony export */   s5: () => (/* binding */ freshNixConf),
/* harmony export */   uL: () => (/* binding */ sandboxUnavailable),
/* harmony export */   u_: () => (/* binding */ applyNixConfig),
/* harmony export */   y4: () => (/* binding */ replaceMarkedBlock)
/* harmony export */ });
/* unused harmony exports TOKEN_FILE_NAME, MARK_BEGIN, MARK_END, composeNixConfig, includeLine, accessTokensContent, settingList, isTrustedUser, userGroups, canWriteStore */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _exec_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3190);
/* harmony import */ var _nix_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(1812);
/* harmony import */ var _secret_files_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(9769);






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
    const base = xdg && node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute(xdg) ? xdg : node_path__WEBPACK_IMPORTED_MODULE_2__.join(home, '.config');
    return node_path__WEBPACK_IMPORTED_MODULE_2__.join(base, 'nix', 'nix.conf');
}
/** Nix reads ~ from $HOME; the OS account's home when HOME is unset. */
function nixHome(ctx) {
    const h = process.env['HOME'];
    return h && node_path__WEBPACK_IMPORTED_MODULE_2__.isAbsolute(h) ? h : ctx.runner.home;
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
    const value = composeNixConfig(state.base, state.lines, ctx.inputs.extraNixConfig);
    exportVar(ctx, 'NIX_CONFIG', value);
    return value;
}
/** Writes the github.com token file (0600) for this job; undefined when there is no token. */
function writeTokenFile(ctx) {
    const token = ctx.inputs.githubToken;
    if (!token)
        return undefined;
    return (0,_secret_files_js__WEBPACK_IMPORTED_MODULE_5__/* .writeSecretFile */ .AK)(ctx, TOKEN_FILE_NAME, accessTokensContent(token));
}
/** Whether Nix's build sandbox cannot work here (containers and act), with the reason. */
function sandboxUnavailable(f) {
    if (f.isAct)
        return 'running under act (a container)';
    if (f.container)
        return 'running in a container';
    return undefined;
}
/** /.dockerenv or /run/.containerenv: Docker or Podman. */
function inContainer(exists = node_fs__WEBPACK_IMPORTED_MODULE_0__.existsSync) {
    return exists('/.dockerenv') || exists('/run/.containerenv');
}
// --- who the daemon trusts ---
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
        return node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(groupFile, 'utf8')
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
        text = node_fs__WEBPACK_IMPORTED_MODULE_0__.readFileSync(groupFile, 'utf8');
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
 * `nix show-config --json`, parsed. Its output holds access-tokens: it is parsed and never
 * logged. undefined when it cannot be read.
 */
async function readNixSettings(nixPath, opts = {}) {
    // systemOnly: what a daemon reads (the system nix.conf), not NIX_CONFIG or the user's nix.conf.
    const env = opts.systemOnly ? { NIX_CONFIG: undefined, NIX_USER_CONF_FILES: '/dev/null' } : {};
    // `nix show-config` (2.8 on; a deprecated alias since `nix config show` in 2.20).
    for (const cmd of [['show-config'], ['config', 'show']]) {
        const r = await (0,_exec_js__WEBPACK_IMPORTED_MODULE_3__/* .run */ .eF)(nixPath, [..._nix_js__WEBPACK_IMPORTED_MODULE_4__/* .NIX_FEATURE_ARGS */ .LO, ...cmd, '--json'], { allowFailure: true, env });
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
        node_fs__WEBPACK_IMPORTED_MODULE_0__.accessSync('/nix/store', node_fs__WEBPACK_IMPORTED_MODULE_0__.constants.W_OK);
        return true;
    }
    catch {
        return false;
    }
}
/** The primary gid of the account running the action. */
function currentGid() {
    return node_os__WEBPACK_IMPORTED_MODULE_1__.userInfo().gid;
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


/***/ }),

/***/ 656:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  cachix: () => (/* binding */ cachix)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/http.ts
var http = __webpack_require__(6803);
;// CONCATENATED MODULE: ./src/cachix-api.ts

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
        res = await (0,http/* fetchUrl */.QJ)(url, { attempts: 3, retryDelayMs: 1000, timeoutMs: 20_000, ...opts, headers });
    }
    catch (e) {
        return {
            ok: false,
            name,
            reason: 'unreachable',
            message: `the Cachix API at ${apiUrl} could not be reached (${e instanceof http/* FetchError */.fk ? e.message : String(e)})`,
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

// EXTERNAL MODULE: ./src/closure-cache.ts
var closure_cache = __webpack_require__(4857);
// EXTERNAL MODULE: ./src/nix.ts
var nix = __webpack_require__(1812);
// EXTERNAL MODULE: ./src/nixconf.ts
var nixconf = __webpack_require__(3606);
// EXTERNAL MODULE: ./src/secret-files.ts
var secret_files = __webpack_require__(9769);
;// CONCATENATED MODULE: ./src/stages/cachix.ts






/**
 * Stage 2: binary caches. Pull from Cachix caches (the API gives each cache's URI and public
 * keys; private caches get a netrc entry), restore the closure cache, and record what the
 * post step pushes (Cachix, push-to). Every cache problem is a warning or a notice: the build
 * goes on without that cache.
 */
async function cachix(ctx, opts = {}) {
    const { inputs, log } = ctx;
    const nixInfo = await (0,nix/* ensureNix */.ij)(ctx);
    const lines = [];
    // Cachix pull
    const names = [...new Set([inputs.cachixCache, ...inputs.extraPullCaches].filter(Boolean))];
    const caches = [];
    for (const name of names) {
        const r = await lookupCache(inputs.cachixApiUrl, name, inputs.cachixAuthToken, opts.fetch);
        if (!r.ok) {
            log.warning(`Cachix cache "${name}" is not used: ${r.message}. The build goes on without it.`, 'Cachix cache skipped');
            continue;
        }
        caches.push(r.cache);
        log.info(`Cachix cache "${name}": ${r.cache.uri} (${r.cache.isPublic ? 'public' : 'private'}; keys: ${r.cache.publicSigningKeys.join(' ') || 'none'})`);
        if (r.cache.publicSigningKeys.length === 0)
            log.warning(`Cachix cache "${name}" lists no public signing key: Nix will refuse its paths unless they are signed by a key it already trusts.`, 'Cachix cache has no key');
    }
    lines.push(...substituterLines(caches));
    const netrc = netrcEntries(caches, inputs.cachixAuthToken);
    if (netrc) {
        // Keep the credentials of the netrc Nix already reads (default /etc/nix/netrc); with a
        // daemon, the one the daemon reads.
        const current = (0,nixconf/* settingValue */.SA)(await (0,nixconf/* readNixSettings */.rj)(nixInfo.nix, { systemOnly: nixInfo.daemon }), 'netrc-file');
        let before = '';
        if (typeof current === 'string' && current) {
            try {
                before = external_node_fs_.readFileSync(current, 'utf8');
                if (before && !before.endsWith('\n'))
                    before += '\n';
            }
            catch {
                // no such file, or not readable: nothing to keep
            }
        }
        const file = (0,secret_files/* writeSecretFile */.AK)(ctx, 'netrc', before + netrc);
        lines.push(`netrc-file = ${file}`);
        log.info(`Private cache credentials: netrc ${file} (mode 0600).`);
    }
    // The closure cache
    lines.push(...(await (0,closure_cache/* restoreClosureCache */.U1)(ctx, (0,nixconf/* nixHome */.Li)(ctx))));
    if (lines.length > 0) {
        (0,nixconf/* applyNixConfig */.u_)(ctx, lines);
        log.info('Nix configuration: exported NIX_CONFIG (this step and later ones) with:');
        for (const l of lines)
            log.info(`  ${l}`);
        if (nixInfo.daemon && !nixInfo.installed) {
            const trusted = (0,nixconf/* daemonTrustsUser */.Js)(await (0,nixconf/* readNixSettings */.rj)(nixInfo.nix, { systemOnly: true }), { user: ctx.runner.user, uid: ctx.runner.uid, gid: (0,nixconf/* currentGid */.oW)() }, opts.storeWritable);
            if (!trusted)
                log.warning(`Nix runs with a daemon and user ${ctx.runner.user} is not in its trusted-users: the daemon may ignore the substituters, keys and netrc set here. Add \`trusted-users = root ${ctx.runner.user}\` (or trusted-substituters and trusted-public-keys) to /etc/nix/nix.conf and restart nix-daemon, or let this action install Nix.`, 'Substituters may be ignored');
        }
    }
    else if (names.length === 0) {
        log.info('No Cachix cache to pull from.');
    }
    // What the post step pushes
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


/***/ })

};
