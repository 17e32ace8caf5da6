export const id = 465;
export const ids = [465];
export const modules = {

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

/***/ 1465:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  install: () => (/* binding */ install)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec.ts
var exec = __webpack_require__(3190);
// EXTERNAL MODULE: ./src/http.ts
var http = __webpack_require__(6803);
// EXTERNAL MODULE: ./src/nix.ts
var nix = __webpack_require__(1812);
// EXTERNAL MODULE: ./src/nixconf.ts
var nixconf = __webpack_require__(3606);
;// CONCATENATED MODULE: ./src/installer.ts








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
/** CA bundles, in the order nix-profile.sh and install-nix-action look for them. */
function caBundleCandidates(home) {
    return [
        '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, NixOS
        '/etc/ssl/ca-bundle.pem', // openSUSE
        '/etc/ssl/certs/ca-bundle.crt', // old NixOS
        '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, CentOS, Amazon Linux
        `${nix/* DEFAULT_PROFILE_BIN */.Sp.replace(/\/bin$/, '')}/etc/ssl/certs/ca-bundle.crt`,
        external_node_path_.join(home, '.nix-profile', 'etc', 'ssl', 'certs', 'ca-bundle.crt'),
    ];
}
/** What the profile script (nix-daemon.sh / nix.sh) would set, for steps that never source it. */
function profileEnvironment(home, env, exists = external_node_fs_.existsSync) {
    const userProfile = external_node_path_.join(home, '.nix-profile');
    const vars = {
        NIX_PROFILES: `${nix/* DEFAULT_PROFILE_BIN */.Sp.replace(/\/bin$/, '')} ${userProfile}`,
    };
    const current = env['NIX_SSL_CERT_FILE'];
    if (!(current && exists(current))) {
        const bundle = caBundleCandidates(home).find((p) => exists(p));
        if (bundle)
            vars['NIX_SSL_CERT_FILE'] = bundle;
    }
    return { paths: [nix/* DEFAULT_PROFILE_BIN */.Sp, external_node_path_.join(userProfile, 'bin')], vars };
}
function sha256Hex(data) {
    return (0,external_node_crypto_.createHash)('sha256').update(data).digest('hex');
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
async function detectInstallFacts(ctx) {
    const isRoot = ctx.runner.uid === 0;
    const systemd = external_node_fs_.existsSync('/run/systemd/system');
    const container = (0,nixconf/* inContainer */.Bc)();
    const isAct = ctx.runner.isAct;
    const canSudo = isRoot || (systemd && !container && !isAct ? await sudoWorks() : false);
    return { systemd, canSudo, isRoot, isAct, container };
}
/** Downloads the installer; returns its bytes and SHA-256. */
async function downloadInstaller(ctx, url, opts = {}) {
    let res;
    try {
        res = await (0,http/* fetchUrl */.QJ)(url, {
            attempts: 4,
            timeoutMs: 60_000,
            retryDelayMs: 2000,
            onRetry: (n, reason) => {
                ctx.log.info(`Download of ${url} failed (${reason}); retrying (attempt ${n + 1})`);
            },
            ...opts,
        });
    }
    catch (e) {
        throw new errors/* ActionError */.lZ('Installer download failed', `${e instanceof http/* FetchError */.fk ? e.message : String(e)}. Check the network, or set \`installer-url\`.`);
    }
    if (res.status !== 200)
        throw new errors/* ActionError */.lZ('Installer download failed', `GET ${url} answered HTTP ${res.status}${res.status === 404 ? ' (no such installer; check `nix-version` or `installer-url`)' : ''}.`);
    return { body: res.body, sha256: sha256Hex(res.body) };
}
/** Downloads, checks and runs the installer; returns the installed Nix. */
async function installNix(ctx, opts = {}) {
    const { inputs, log } = ctx;
    const kind = inputs.nixInstaller;
    const url = inputs.installerUrl || defaultInstallerUrl(kind, inputs.nixVersion);
    if (kind === 'determinate' && inputs.nixVersion)
        log.warning(`nix-version ${inputs.nixVersion} is ignored: the determinate installer installs its own Nix release.`, 'nix-version ignored');
    log.info(`No Nix found; downloading the ${kind} installer from ${url}`);
    const { body, sha256 } = await downloadInstaller(ctx, url, opts.fetch);
    log.info(`Installer: ${body.length} bytes, SHA-256 ${sha256}`);
    checkInstallerSha256(sha256, inputs.installerSha256, url);
    if (inputs.installerSha256)
        log.info('Installer SHA-256 matches installer-sha256.');
    else
        log.info('Pin this installer with `installer-sha256` to refuse any other one.');
    const facts = opts.facts ?? (await detectInstallFacts(ctx));
    const choice = chooseInstallMode(facts);
    log.info(`Install mode: ${choice.mode} (${choice.reason})`);
    const noSandbox = (0,nixconf/* sandboxUnavailable */.uL)(facts);
    if (noSandbox)
        log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);
    const home = (0,nixconf/* nixHome */.Li)(ctx);
    const workDir = external_node_fs_.mkdtempSync(external_node_path_.join(ctx.runner.tempDir, 'nix-lambda-install-'));
    const script = external_node_path_.join(workDir, 'install');
    external_node_fs_.writeFileSync(script, body, { mode: 0o700 });
    const tokenFile = (0,nixconf/* writeTokenFile */.Hk)(ctx);
    const confText = (0,nixconf/* freshNixConf */.s5)({
        mode: choice.mode,
        user: ctx.runner.user,
        sandboxOff: noSandbox !== undefined,
        tokenFile,
        extra: inputs.extraNixConfig,
        noBuildUsers: kind === 'official' && choice.mode === 'single-user',
        extendFeatures: kind === 'determinate',
    });
    const confFile = external_node_path_.join(workDir, 'nix.conf');
    external_node_fs_.writeFileSync(confFile, confText, { mode: 0o644 });
    const inv = installerInvocation(kind, choice.mode, { file: confFile, text: confText });
    if (kind === 'official' && choice.mode === 'single-user' && facts.isRoot && !external_node_fs_.existsSync('/nix')) {
        // The single-user installer creates /nix with sudo, which containers often lack; root needs none.
        external_node_fs_.mkdirSync('/nix', { mode: 0o755 });
        log.info('Created /nix (the single-user installer would ask sudo for it).');
    }
    // The single-user installer needs $USER, which containers may leave unset.
    if (!process.env['USER'])
        inv.env['USER'] = ctx.runner.user;
    log.info(`Running the installer: sh install ${inv.args.join(' ')}`);
    try {
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
                : `A single-user install needs a /nix the user owns, and this user cannot sudo to create it: create it in an earlier step (as root: mkdir -m 0755 /nix && chown ${ctx.runner.user} /nix), or run the job where sudo works.`;
            throw new errors/* ActionError */.lZ('Nix installer failed', `${e.message}\n${hint}`, { cause: e });
        }
        throw e;
    }
    finally {
        external_node_fs_.rmSync(workDir, { recursive: true, force: true });
    }
    let where;
    if (kind === 'determinate')
        where = '/etc/nix/nix.conf (by the determinate installer, from NIX_INSTALLER_EXTRA_CONF)';
    else if (choice.mode === 'daemon')
        where = '/etc/nix/nix.conf (by the installer, from --nix-extra-conf-file)';
    else {
        // The single-user installer does not write nix.conf: write the user's configuration.
        const userConf = (0,nixconf/* userNixConfPath */.cb)(process.env, home);
        external_node_fs_.mkdirSync(external_node_path_.dirname(userConf), { recursive: true });
        const before = external_node_fs_.existsSync(userConf) ? external_node_fs_.readFileSync(userConf, 'utf8') : '';
        external_node_fs_.writeFileSync(userConf, (0,nixconf/* replaceMarkedBlock */.y4)(before, confText));
        where = `${userConf} (the user's nix.conf)`;
    }
    log.info(`Nix configuration written to ${where}:`);
    for (const l of confText.trimEnd().split('\n'))
        log.info(`  ${l}`);
    if (tokenFile)
        log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from that nix.conf.`);
    const pe = profileEnvironment(home, process.env);
    for (const dir of pe.paths)
        (0,nixconf/* addPath */.fM)(ctx, dir);
    for (const [k, v] of Object.entries(pe.vars))
        (0,nixconf/* exportVar */.q8)(ctx, k, v);
    log.info(`Added to PATH: ${[...pe.paths].reverse().join(', ')}`);
    log.info(`Exported: ${Object.entries(pe.vars)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`);
    const found = [...pe.paths]
        .reverse()
        .map((d) => external_node_path_.join(d, 'nix'))
        .find((p) => (0,nix/* isExecutable */.TV)(p));
    if (!found)
        throw new errors/* ActionError */.lZ('Nix not found after install', `the installer finished but there is no nix in ${[...pe.paths].reverse().join(' or ')}.`);
    const info = await (0,nix/* describeNix */.Tg)(found, true);
    info.daemon = choice.mode === 'daemon';
    return info;
}

;// CONCATENATED MODULE: ./src/stages/install.ts



/**
 * Stage 1: make Nix available. An existing Nix (PATH, then the default profile, then
 * ~/.nix-profile) is used as it is and configured through NIX_CONFIG, leaving the system
 * nix.conf alone; otherwise the installer runs (installer.ts).
 */
async function install(ctx, opts = {}) {
    const { log, inputs } = ctx;
    const existing = ctx.nix?.nix ?? (0,nix/* findNix */.rv)(process.env, (0,nixconf/* nixHome */.Li)(ctx));
    if (existing) {
        const info = ctx.nix ?? (await (0,nix/* describeNix */.Tg)(existing, false));
        ctx.nix = info;
        ctx.post.nix = info.nix;
        log.info(`Using Nix ${info.version} at ${info.nix}${info.daemon ? ' (with a nix-daemon)' : ''}; nothing installed`);
        if (inputs.nixVersion && info.version !== inputs.nixVersion)
            log.warning(`nix-version ${inputs.nixVersion} was requested but Nix ${info.version} is already installed; using it.`, 'Nix already installed');
        const noSandbox = (0,nixconf/* sandboxUnavailable */.uL)({ isAct: ctx.runner.isAct, container: (0,nixconf/* inContainer */.Bc)() });
        if (noSandbox)
            log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);
        // Root with no daemon builds through build users (group nixbld by default): without that
        // group (containers, Debian's nix-bin) every build fails, so build as root instead.
        let noBuildUsers = false;
        if (ctx.runner.uid === 0 && !info.daemon) {
            const group = (0,nixconf/* settingValue */.SA)(await (0,nixconf/* readNixSettings */.rj)(info.nix), 'build-users-group');
            if (typeof group === 'string' && group !== '' && !(0,nixconf/* groupExists */.M9)(group)) {
                noBuildUsers = true;
                log.info(`build-users-group is ${group}, a group that does not exist here: build-users-group = (builds run as root)`);
            }
        }
        const tokenFile = (0,nixconf/* writeTokenFile */.Hk)(ctx);
        const lines = (0,nixconf/* existingNixLines */.cQ)({ sandboxOff: noSandbox !== undefined, tokenFile, noBuildUsers });
        (0,nixconf/* applyNixConfig */.u_)(ctx, lines);
        log.info('Nix configuration: exported NIX_CONFIG for this step and later ones; /etc/nix/nix.conf and the user nix.conf are left as they are. Lines added:');
        for (const l of lines)
            log.info(`  ${l}`);
        if (inputs.extraNixConfig.trim())
            log.info('  (then extra-nix-config)');
        if (tokenFile)
            log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from NIX_CONFIG.`);
    }
    else {
        const info = await installNix(ctx, opts);
        ctx.nix = info;
        ctx.post.nix = info.nix;
        log.info(`Installed Nix ${info.version} at ${info.nix}`);
    }
    ctx.setOutput('nix-version', ctx.nix.version);
}


/***/ })

};
