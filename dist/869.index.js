export const id = 869;
export const ids = [869];
export const modules = {

/***/ 7869:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  packageStage: () => (/* binding */ packageStage)
});

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: external "node:perf_hooks"
var external_node_perf_hooks_ = __webpack_require__(643);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./src/elf.ts
var src_elf = __webpack_require__(2238);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec.ts
var exec = __webpack_require__(3190);
// EXTERNAL MODULE: ./src/nix.ts
var nix = __webpack_require__(1812);
;// CONCATENATED MODULE: ./src/bundle.ts







const PROGRAM_RPATH = '$ORIGIN/lib';
const LIBRARY_RPATH = '$ORIGIN';
/**
 * Patches the bundle's copy of a file: `data` holds bytes read from the store (never the store
 * file itself) and is rewritten in place, or replaced by patchelf's output when an in-place
 * rewrite cannot work (patchElf leaves data unchanged then).
 */
async function patchCopy(data, name, req, tempDir) {
    try {
        const changes = (0,src_elf/* patchElf */.yj)(data, req, name);
        return { data, outcome: { changes } };
    }
    catch (err) {
        if (!(err instanceof src_elf/* ElfPatchUnsupported */.Hq))
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
            await (0,exec/* run */.eF)('patchelf', [...args, file], {
                errorTitle: 'Could not patch a bundled file',
            }).catch((e) => {
                throw new errors/* ActionError */.lZ('Could not patch a bundled file', `${name}: the in-place rewrite is not possible (${reason}) and patchelf failed or is not installed: ${e instanceof Error ? e.message : String(e)}`);
            });
            const out = await promises_.readFile(file);
            const changes = [
                ...(req.interp !== undefined ? [`interp -> ${req.interp}`] : []),
                ...(req.rpath !== undefined ? [`RPATH ${req.rpath}`] : []),
            ];
            return { data: out, outcome: { changes, patchelf: reason } };
        }
        finally {
            await promises_.rm(dir, { recursive: true, force: true });
        }
    }
}
function fileMode(data) {
    try {
        return external_node_fs_.statSync(data.foundAt).mode & 0o777;
    }
    catch {
        return 0o755;
    }
}
/** Bundle entries for the program and its libraries, patched. */
async function bundleClosure(c, opts) {
    const entries = [];
    const add = async (obj, name, kind, req) => {
        let data = obj.data;
        let patched = [];
        if (req.interp !== undefined || req.rpath !== undefined) {
            const r = await patchCopy(obj.data, name, req, opts.tempDir);
            data = r.data;
            patched = r.outcome.changes;
            if (r.outcome.patchelf)
                opts.log(`${name}: patched with patchelf because ${r.outcome.patchelf}`);
        }
        entries.push({
            name,
            source: obj.foundAt,
            storePath: obj.storePath,
            kind,
            bytes: data.length,
            mode: kind === 'program' || kind === 'interpreter' ? 0o755 : fileMode(obj),
            patched,
            data,
        });
    };
    const prog = c.program;
    const progReq = {};
    if (prog.elf.interp && c.interpreter)
        progReq.interp = `${opts.taskRoot}/lib/${c.interpreter.name}`;
    if (prog.elf.needed.length > 0 || prog.elf.rpath !== undefined || prog.elf.runpath !== undefined)
        progReq.rpath = PROGRAM_RPATH;
    const jobs = [add(prog, 'bootstrap', 'program', progReq)];
    if (c.interpreter)
        jobs.push(add(c.interpreter, `lib/${c.interpreter.name}`, 'interpreter', {}));
    for (const lib of c.libraries) {
        const hasPath = lib.elf.rpath !== undefined || lib.elf.runpath !== undefined;
        jobs.push(add(lib, `lib/${lib.name}`, 'library', hasPath ? { rpath: LIBRARY_RPATH } : {}));
    }
    await Promise.all(jobs);
    return entries;
}
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
    const outStore = (0,nix/* storePathOf */.CI)(outPath);
    /** The real path of p, which must lie in the build output or its closure (links are followed). */
    const check = async (p) => {
        let real;
        try {
            real = await promises_.realpath(p);
        }
        catch {
            throw new errors/* ActionError */.lZ('Include not found', `Input \`include\`: ${p} does not exist or cannot be read (a dangling link?).`);
        }
        const sp = (0,nix/* storePathOf */.CI)(real);
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
            const sp = (0,nix/* storePathOf */.CI)(spec.source);
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
        const files = st.isDirectory() ? await walk(source, new Set(), check) : [source];
        for (const f of files) {
            const name = st.isDirectory()
                ? external_node_path_.posix.join(spec.target, external_node_path_.relative(source, f).split(external_node_path_.sep).join('/'))
                : spec.target;
            let data;
            let fst;
            try {
                data = await promises_.readFile(f);
                fst = await promises_.stat(f);
            }
            catch {
                throw new errors/* ActionError */.lZ('Include not readable', `Input \`include\`: ${f} cannot be read.`);
            }
            const real = await promises_.realpath(f);
            entries.push({
                name,
                source: f,
                storePath: (0,nix/* storePathOf */.CI)(real) ?? (0,nix/* storePathOf */.CI)(f) ?? outPath,
                kind: 'include',
                bytes: data.length,
                mode: fst.mode & 0o777,
                patched: [],
                data,
            });
        }
    }
    return entries;
}
/** Re-reads every bundled ELF: nothing may point into /nix/store, and no DT_RUNPATH may remain. */
function staticCheck(entries) {
    const problems = [];
    for (const e of entries) {
        if (e.kind === 'include')
            continue;
        const elf = (0,src_elf/* readElf */.oU)(e.data, e.name);
        if (elf.interp?.includes('/nix/store'))
            problems.push({ name: e.name, problem: `interpreter ${elf.interp}` });
        if (elf.rpath?.includes('/nix/store'))
            problems.push({ name: e.name, problem: `RPATH ${elf.rpath}` });
        if (elf.runpath !== undefined)
            problems.push({ name: e.name, problem: `RUNPATH ${elf.runpath}` });
    }
    return problems;
}

;// CONCATENATED MODULE: ./src/closure.ts




const PLATFORM = { 62: 'x86_64', 183: 'aarch64' };
function expandTokens(dir, origin, machine) {
    return dir
        .replace(/\$\{ORIGIN\}|\$ORIGIN(?![A-Za-z0-9_])/g, origin)
        .replace(/\$\{LIB\}|\$LIB(?![A-Za-z0-9_])/g, 'lib64')
        .replace(/\$\{PLATFORM\}|\$PLATFORM(?![A-Za-z0-9_])/g, PLATFORM[machine] ?? '');
}
function searchDirs(value, obj) {
    if (!value)
        return [];
    return value
        .split(':')
        .filter((d) => d !== '')
        .map((d) => expandTokens(d, external_node_path_.dirname(obj.foundAt), obj.elf.machine));
}
async function resolveClosure(programPath, opts) {
    const readFile = opts.readFile ?? ((p) => promises_.readFile(p));
    const cache = new Map();
    /** Reads and parses a file once; undefined when it does not exist. */
    const load = async (p) => {
        let real;
        try {
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
                    return { real, data, elf: (0,src_elf/* readElf */.oU)(data, real) };
                }
                catch (e) {
                    if (e instanceof src_elf/* ElfError */.QH)
                        return { error: e.message };
                    throw e;
                }
            })();
            cache.set(real, entry);
        }
        return entry;
    };
    const progLoaded = await load(programPath);
    if (!progLoaded)
        throw new Error(`${programPath} does not exist`);
    if ('error' in progLoaded)
        throw new src_elf/* ElfError */.QH(progLoaded.error);
    const pelf = progLoaded.elf;
    const program = {
        name: 'bootstrap',
        foundAt: programPath,
        storePath: (0,nix/* storePathOf */.CI)(progLoaded.real) ?? external_node_path_.dirname(progLoaded.real),
        data: progLoaded.data,
        elf: pelf,
        neededBy: undefined,
        via: 'program',
        chain: [],
    };
    program.chain = [program];
    const matches = (e) => e.machine === pelf.machine;
    /** Loaded objects by every name they answer to (DT_NEEDED name and SONAME). */
    const byName = new Map();
    const byReal = new Map();
    const libraries = [];
    const missing = [];
    const closureLibDirs = opts.closure.flatMap((sp) => [external_node_path_.join(sp, 'lib'), external_node_path_.join(sp, 'lib64')]);
    let interpreter;
    if (pelf.interp) {
        const l = await load(pelf.interp);
        if (l && !('error' in l)) {
            interpreter = {
                name: external_node_path_.basename(pelf.interp),
                foundAt: pelf.interp,
                storePath: (0,nix/* storePathOf */.CI)(l.real) ?? external_node_path_.dirname(l.real),
                data: l.data,
                elf: l.elf,
                neededBy: 'bootstrap',
                via: 'interp',
                chain: [],
            };
            interpreter.chain = [interpreter];
            byName.set(interpreter.name, interpreter);
            if (l.elf.soname)
                byName.set(l.elf.soname, interpreter);
            byReal.set(l.real, interpreter);
        }
        else {
            missing.push({
                soname: external_node_path_.basename(pelf.interp),
                neededBy: `bootstrap (interpreter ${pelf.interp})`,
                wrongArch: [],
                ...(l ? { malformed: [l.error] } : {}),
            });
        }
    }
    const queue = [program];
    const find = async (soname, obj) => {
        const wrongArch = [];
        const malformed = [];
        const attempt = async (dir, via) => {
            const p = external_node_path_.join(dir, soname);
            const l = await load(p);
            if (!l)
                return undefined;
            if ('error' in l) {
                // Not an ELF object the loader could use either: said as such, not as another architecture.
                if (!malformed.includes(l.error))
                    malformed.push(l.error);
                return undefined;
            }
            if (!matches(l.elf)) {
                if (!wrongArch.includes(p))
                    wrongArch.push(p);
                return undefined;
            }
            const known = byReal.get(l.real);
            if (known)
                return known;
            const lo = {
                name: soname,
                foundAt: p,
                storePath: (0,nix/* storePathOf */.CI)(l.real) ?? external_node_path_.dirname(l.real),
                data: l.data,
                elf: l.elf,
                neededBy: obj.name,
                via,
                chain: [],
            };
            lo.chain = [lo, ...obj.chain];
            return lo;
        };
        if (soname.includes('/'))
            return { obj: await attempt(external_node_path_.dirname(soname), 'path'), wrongArch, malformed };
        // DT_RPATH of the object and its loaders (only objects without DT_RUNPATH), when the object has no DT_RUNPATH.
        if (obj.elf.runpath === undefined) {
            for (const l of obj.chain) {
                if (l.elf.runpath !== undefined)
                    continue;
                for (const d of searchDirs(l.elf.rpath, l)) {
                    const r = await attempt(d, 'rpath');
                    if (r)
                        return { obj: r, wrongArch, malformed };
                }
            }
        }
        for (const d of searchDirs(obj.elf.runpath, obj)) {
            const r = await attempt(d, 'runpath');
            if (r)
                return { obj: r, wrongArch, malformed };
        }
        // Nix's glibc keeps libraries (libgcc_s) beside the loader.
        if (interpreter) {
            const r = await attempt(external_node_path_.dirname(interpreter.foundAt), 'glibc');
            if (r)
                return { obj: r, wrongArch, malformed };
        }
        for (const d of closureLibDirs) {
            const r = await attempt(d, 'closure');
            if (r)
                return { obj: r, wrongArch, malformed };
        }
        return { obj: undefined, wrongArch, malformed };
    };
    const addLoaded = (lo, real) => {
        byName.set(lo.name, lo);
        if (lo.elf.soname && !byName.has(lo.elf.soname))
            byName.set(lo.elf.soname, lo);
        byReal.set(real, lo);
        libraries.push(lo);
        queue.push(lo);
    };
    /** Loads the queue's dependencies breadth-first, as the loader does. */
    const drain = async () => {
        while (queue.length > 0) {
            const obj = queue.shift();
            for (const soname of obj.elf.needed) {
                if (byName.has(soname))
                    continue;
                const { obj: found, wrongArch, malformed } = await find(soname, obj);
                if (!found) {
                    missing.push({ soname, neededBy: obj.name, wrongArch, ...(malformed.length ? { malformed } : {}) });
                    byName.set(soname, obj); // report once
                    continue;
                }
                const real = await promises_.realpath(found.foundAt);
                const known = byReal.get(real);
                if (known)
                    byName.set(soname, known);
                else
                    addLoaded(found, real);
            }
        }
    };
    await drain();
    // Files the loader opens without a DT_NEEDED: Nix's glibc dlopens libgcc_s.so.1 from its own
    // lib/ (pthread_cancel, unwinding); glibc before 2.34 loads NSS modules for name lookups.
    if (interpreter) {
        const glibcDir = external_node_path_.dirname(interpreter.foundAt);
        const libc = byName.get('libc.so.6');
        const oldGlibc = libc !== undefined && !libc.data.includes('GLIBC_2.34\0');
        const extras = [
            'libgcc_s.so.1',
            ...(oldGlibc ? ['libnss_files.so.2', 'libnss_dns.so.2', 'libresolv.so.2'] : []),
        ];
        for (const name of extras) {
            if (byName.has(name))
                continue;
            const p = external_node_path_.join(glibcDir, name);
            const l = await load(p);
            if (!l || 'error' in l || !matches(l.elf) || byReal.has(l.real))
                continue;
            const lo = {
                name,
                foundAt: p,
                storePath: (0,nix/* storePathOf */.CI)(l.real) ?? external_node_path_.dirname(l.real),
                data: l.data,
                elf: l.elf,
                neededBy: 'glibc',
                via: 'glibc',
                chain: [],
            };
            lo.chain = [lo, program];
            addLoaded(lo, l.real);
        }
        await drain();
    }
    return { program, interpreter, libraries, missing };
}

;// CONCATENATED MODULE: ./src/verify.ts





/**
 * The loader check: run the bundled loader's `--list` on the bootstrap inside an
 * isolated root that holds only the bundle (unshare --root), with Lambda's
 * LD_LIBRARY_PATH. What it prints is what Lambda's loader would do.
 */
const LAMBDA_LD_LIBRARY_PATH = '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';
/** Parses `ld.so --list` output. */
function parseLoaderList(stdout, stderr, taskRoot) {
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
            if (!m[2].startsWith(`${taskRoot}/`))
                outside.push(m[2]);
        }
    }
    for (const raw of stderr.split('\n')) {
        const line = raw.trim();
        if (line && /not found|error while loading|cannot open|undefined symbol/.test(line))
            problems.push(line);
    }
    return { problems, outside, listed };
}
function findOnPath(names) {
    for (const dir of (process.env['PATH'] ?? '').split(':').filter(Boolean)) {
        for (const n of names) {
            const p = external_node_path_.join(dir, n);
            if (external_node_fs_.existsSync(p))
                return p;
        }
    }
    return undefined;
}
/** A statically linked qemu-user for arm64, which can run inside an empty root. */
function findQemu() {
    const p = findOnPath(['qemu-aarch64-static', 'qemu-aarch64']);
    if (!p)
        return undefined;
    try {
        return (0,src_elf/* readElf */.oU)(external_node_fs_.readFileSync(external_node_fs_.realpathSync(p)), p).isStatic ? p : undefined;
    }
    catch {
        return undefined;
    }
}
/**
 * Runs the check in root (which holds the bundle at root+taskRoot).
 * Returns ran: false when unshare cannot set up the root here (no privileges, no user namespaces, no unshare).
 */
async function loaderCheck(root, taskRoot, loaderName, bundleArch, hostArch) {
    const notRun = (reason) => ({
        ran: false,
        reason,
        problems: [],
        outside: [],
        listed: [],
        output: '',
    });
    if (!findOnPath(['unshare']))
        return notRun('unshare (util-linux) is not installed');
    let prefix = [];
    if (bundleArch !== hostArch) {
        if (bundleArch !== 'arm64')
            return notRun(`cannot run ${bundleArch} code on this ${hostArch} machine`);
        const qemu = findQemu();
        if (!qemu)
            return notRun(`cannot run arm64 code on this ${hostArch} machine without a static qemu-aarch64 (apt-get install qemu-user-static)`);
        await promises_.copyFile(qemu, external_node_path_.join(root, 'qemu-aarch64'));
        await promises_.chmod(external_node_path_.join(root, 'qemu-aarch64'), 0o755);
        prefix = ['/qemu-aarch64'];
    }
    for (const d of ['proc', 'tmp', 'dev'])
        await promises_.mkdir(external_node_path_.join(root, d), { recursive: true });
    const inner = [
        '--mount',
        '--pid',
        '--fork',
        '--mount-proc=/proc',
        `--root=${root}`,
        `--wd=${taskRoot}`,
        ...prefix,
        `${taskRoot}/lib/${loaderName}`,
        '--list',
        `${taskRoot}/bootstrap`,
    ];
    const env = {
        LD_LIBRARY_PATH: LAMBDA_LD_LIBRARY_PATH,
        PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
        LAMBDA_TASK_ROOT: taskRoot,
    };
    const attempts = process.getuid?.() === 0
        ? [['unshare', inner]]
        : [
            ['unshare', ['--user', '--map-root-user', ...inner]],
            ['sudo', ['-n', 'unshare', ...inner]],
        ];
    const failures = [];
    for (const [cmd, args] of attempts) {
        let r;
        try {
            r = await (0,exec/* run */.eF)(cmd, args, { allowFailure: true, cleanEnv: true, env });
        }
        catch (e) {
            failures.push(e instanceof Error ? e.message : String(e));
            continue;
        }
        const setupFailed = /^(unshare|sudo): /m.test(r.stderr) && !r.stdout.trim();
        if (setupFailed) {
            failures.push(r.stderr.trim().split('\n')[0] ?? `${cmd} failed`);
            continue;
        }
        return { ran: true, ...parseLoaderList(r.stdout, r.stderr, taskRoot), output: `${r.stdout}${r.stderr}` };
    }
    return notRun(`cannot create an isolated root here (${failures.join('; ')})`);
}

;// CONCATENATED MODULE: ./src/runtime-env.ts


/**
 * Data files a relocated Nix program needs at run time, and the variables that
 * point it at them inside the bundle:
 * - CA certificates: Nix's OpenSSL reads NIX_SSL_CERT_FILE, then SSL_CERT_FILE, then
 *   /etc/ssl/certs/ca-certificates.crt (absent on Amazon Linux, which uses /etc/pki/tls/certs/ca-bundle.crt).
 * - Locales: a relocated glibc finds no locale data without LOCALE_ARCHIVE (an archive) or LOCPATH (a folder).
 */
/** Where CA bundles live in nixpkgs store paths (cacert) and in other common layouts. */
const CA_BUNDLE_PATHS = [
    'etc/ssl/certs/ca-bundle.crt',
    'etc/ssl/certs/ca-certificates.crt',
    'etc/pki/tls/certs/ca-bundle.crt',
];
/** Where certificates go in the zip. */
const BUNDLED_CA_PATH = 'etc/ssl/certs/ca-bundle.crt';
/** The first CA bundle found in the closure's store paths (nixpkgs' cacert), or undefined. */
function findCaBundle(closure, exists = external_node_fs_.existsSync) {
    const ordered = [...closure].sort((a, b) => Number(/-(nss-)?cacert-/.test(b)) - Number(/-(nss-)?cacert-/.test(a)));
    for (const sp of ordered)
        for (const rel of CA_BUNDLE_PATHS) {
            const p = external_node_path_.join(sp, rel);
            if (exists(p))
                return p;
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
            env['LOCPATH'] = at(external_node_path_.posix.dirname(external_node_path_.posix.dirname(ctype)));
    }
    return env;
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __webpack_require__(8522);
// EXTERNAL MODULE: ./node_modules/adm-zip/adm-zip.js
var adm_zip = __webpack_require__(1316);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:worker_threads"
var external_node_worker_threads_ = __webpack_require__(5919);
// EXTERNAL MODULE: ./node_modules/libdeflate/index.js + 1 modules
var libdeflate = __webpack_require__(4230);
;// CONCATENATED MODULE: ./src/deflate.ts







/**
 * Raw DEFLATE for the zip writer: libdeflate (WebAssembly), which at level 6 writes
 * smaller output than Info-ZIP's `zip -6` or Node's zlib at the same speed, run
 * file by file on worker threads (largest first) so every core works, with an
 * optional content-addressed cache of compressed files: store paths never change,
 * so packaging the same closure again deflates nothing.
 */
/** Bumped whenever the compressor or its settings change what bytes it produces. */
const COMPRESSOR_ID = 'libdeflate-0.1.0';
/** Files smaller than this are compressed on the calling thread: a round trip costs more. */
const SMALL = 64 * 1024;
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
            return Promise.resolve({ out: Buffer.from((0,libdeflate/* deflate */.Kc)(data, level)), data });
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
 * Compressed files by the SHA-256 of their bytes and the level. Entries are written
 * atomically (temporary file, rename), so a crash leaves no half entry, and each starts
 * with the SHA-256 of the compressed bytes that follow: a damaged entry is a miss.
 */
class DeflateCache {
    dir;
    constructor(dir) {
        this.dir = dir;
    }
    key(data, level) {
        return `${(0,external_node_crypto_.createHash)('sha256').update(data).digest('hex')}-${level}-${COMPRESSOR_ID}`;
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
        close: () => pool.close(),
    };
}

// EXTERNAL MODULE: ./src/signals.ts
var signals = __webpack_require__(970);
;// CONCATENATED MODULE: ./src/zip.ts
/**
 * The Lambda deployment zip: byte-reproducible, with Unix modes, deflated in parallel.
 *
 * Determinism: entries are sorted by the bytes of their names, every parent folder gets an entry,
 * every timestamp is the DOS minimum (1980-01-01 00:00:00), modes are normalised to 0755/0644,
 * and no extra fields, comments or data descriptors are written. The same sources at the same
 * level give the same bytes, whatever the concurrency, the cache or the order of `sources`.
 *
 * Speed: files are deflated with libdeflate on worker threads, largest first (src/deflate.ts),
 * optionally through a cache of compressed files keyed by content. Entries are written in order
 * as soon as they are ready, and the SHA-256 is computed as the bytes go out.
 */








const KiB = 1024;
const MiB = 1024 * KiB;
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
/** Write to the file once this much is pending. */
const FLUSH_BYTES = 1 * MiB;
const FLUSH_BUFFERS = 256;
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
const nativeCrc32 = external_node_zlib_.crc32;
/** CRC-32 of `data`, continuing from `value`: zlib's when Node has it, else the table. */
const crc32 = typeof nativeCrc32 === 'function' ? (data, value = 0) => nativeCrc32(data, value) : tableCrc32;
function badName(name, why) {
    return new Error(`zip: invalid entry name ${JSON.stringify(name)}: ${why}`);
}
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
function encodeName(name) {
    const bytes = Buffer.from(name, 'utf8');
    if (bytes.toString('utf8') !== name)
        throw badName(name, 'not well-formed Unicode');
    if (bytes.length > 0xffff)
        throw badName(name, 'longer than 65535 bytes');
    return bytes;
}
function zip_fileMode(name, mode) {
    if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o177777)
        throw new Error(`zip: invalid mode ${String(mode)} for ${JSON.stringify(name)}`);
    const type = mode & S_IFMT;
    if (type !== 0 && type !== S_IFREG)
        throw new Error(`zip: ${JSON.stringify(name)} has mode ${mode.toString(8)}, which is not a regular file`);
    return S_IFREG | ((mode & 0o111) !== 0 ? 0o755 : 0o644);
}
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
const EMPTY = { method: METHOD_STORED, crc: 0, size: 0, compressedSize: 0, parts: [] };
function plan(sources) {
    const files = new Map();
    const dirs = new Set();
    for (const source of sources) {
        const name = checkName(source.name);
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
            nameBytes: encodeName(name),
            isDirectory: false,
            mode: zip_fileMode(name, source.mode),
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
            nameBytes: encodeName(name),
            isDirectory: true,
            mode: S_IFDIR | 0o755,
            held: 0,
            ...d,
        });
    }
    planned.sort((a, b) => Buffer.compare(a.nameBytes, b.nameBytes));
    if (planned.length > MAX_ENTRIES)
        throw new Error(`zip: ${planned.length} entries (files and folders) is more than a zip without zip64 can hold (${MAX_ENTRIES})`);
    return planned;
}
function resolveOptions(opts) {
    const level = opts.level ?? 6;
    if (!Number.isInteger(level) || level < 0 || level > 12)
        throw new Error(`zip: level must be an integer from 0 to 12, got ${level}`);
    const concurrency = opts.concurrency ?? defaultWorkers();
    if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error(`zip: concurrency must be a positive integer, got ${concurrency}`);
    return {
        level,
        workers: Math.min(concurrency, 8),
        cacheDir: opts.cacheDir,
        transfer: opts.transferSources ?? false,
    };
}
// ---------------------------------------------------------------------------------------------
// Compression
async function compress(data, o, deflater) {
    const size = data.length;
    const crc = size === 0 ? 0 : crc32(data);
    const stored = (bytes) => ({
        method: METHOD_STORED,
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
    return { method: METHOD_DEFLATED, crc, size, compressedSize: out.length, parts: [out] };
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
    if (buf.length > MAX_U32)
        throw new Error(`zip: ${JSON.stringify(name)} is ${buf.length} bytes, more than a zip without zip64 can hold`);
    return buf;
}
// ---------------------------------------------------------------------------------------------
// Output
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
// ---------------------------------------------------------------------------------------------
// Temporary files and signals
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
    const deflater = createDeflater({ level: o.level, workers: o.workers, cacheDir: o.cacheDir });
    // Loaded bytes not yet written: the loader waits while this is over budget.
    const budget = 64 * MiB;
    let held = 0;
    let heldEntries = 0;
    let stopped = false;
    let wake;
    const release = (entry) => {
        if (!entry.source)
            return;
        held -= entry.held;
        heldEntries--;
        entry.held = 0;
        const w = wake;
        wake = undefined;
        w?.();
    };
    // Sources already in memory start compressing largest first, so the longest job never starts
    // last (the output is still written in name order). Loaders go in name order, under the budget.
    const inMemory = entries.every((e) => !e.source || Buffer.isBuffer(e.source.data));
    const order = inMemory ? [...entries].sort((a, b) => sourceBytes(b) - sourceBytes(a)) : entries;
    const produce = async () => {
        for (const entry of order) {
            if (!entry.source)
                continue;
            while (!inMemory && !stopped && heldEntries > 0 && held >= budget)
                await new Promise((resolve) => {
                    wake = resolve;
                });
            if (stopped)
                return;
            let data;
            try {
                data = await load(entry.source, entry.name);
            }
            catch (err) {
                entry.reject(err);
                stopped = true;
                return;
            }
            held += data.length;
            heldEntries++;
            entry.held = data.length;
            compress(data, o, deflater).then(entry.resolve, entry.reject);
        }
    };
    let fh;
    try {
        fh = await promises_.open(tmp, 'wx', 0o644);
    }
    catch (err) {
        throw new Error(`zip: cannot create a temporary file next to ${target}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    trackTemp(tmp);
    let open = true;
    let producing;
    try {
        producing = produce();
        const out = new Output(fh);
        const records = [];
        let unzippedBytes = 0;
        for (const entry of entries) {
            const prepared = await entry.ready;
            if (out.offset > MAX_U32)
                throw tooBig(`the offset of ${JSON.stringify(entry.name)}`, out.offset);
            const flags = entry.nameBytes.some((b) => b >= 0x80) ? FLAG_UTF8 : 0;
            const { method, crc, compressedSize, size, parts } = prepared;
            records.push({ entry, flags, method, crc, compressedSize, size, offset: out.offset });
            out.push(localHeader(entry, flags, prepared));
            for (const part of parts)
                out.push(part);
            // The resolved promise keeps `prepared` alive: let the data go once it is out.
            prepared.parts = [];
            unzippedBytes += size;
            await out.maybeFlush();
            release(entry);
        }
        out.push(centralDirectory(records, out.offset));
        await out.flush();
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
            sha256: digest.toString('base64'),
            sha256Hex: digest.toString('hex'),
        };
    }
    catch (err) {
        stopped = true;
        wake?.();
        if (open)
            await fh.close().catch(() => undefined);
        await promises_.rm(tmp, { force: true }).catch(() => undefined);
        throw err;
    }
    finally {
        untrackTemp(tmp);
        stopped = true;
        wake?.();
        // The producer never rejects; wait for it so no loader runs after we return.
        await producing;
        await deflater.close();
    }
}
// ---------------------------------------------------------------------------------------------
// Reading back
function readZip(zip) {
    return typeof zip === 'string' ? fs.readFileSync(zip) : zip;
}
/** The entries of a zip as adm-zip reads them, in central-directory order. */
function listZip(zip) {
    const admZip = new AdmZip(readZip(zip), { noSort: true });
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
    const buf = readZip(zip);
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

// EXTERNAL MODULE: ./src/limits.ts
var limits = __webpack_require__(351);
;// CONCATENATED MODULE: ./src/stages/package.ts












/**
 * Stage 4: de-nixify the program. Resolve its library closure in the store,
 * patch copies so the bundle wins over Amazon Linux's libraries, check the
 * result, and write a byte-reproducible zip.
 */
async function packageStage(ctx) {
    try {
        await packageBuild(ctx);
    }
    catch (err) {
        // The reader's message names the file and what is wrong with it; say what it means for the user.
        if (err instanceof src_elf/* ElfError */.QH)
            throw new errors/* ActionError */.lZ('Malformed ELF file', `${err.message}\nThe build output holds an ELF file that cannot be read (damaged, truncated, or not a Linux program or library): check the program (input \`program\`) and rebuild.`, { cause: err });
        // A file system error (disk full, read-only, permissions) while writing the bundle or the zip.
        const code = errnoCode(err);
        if (code && !(err instanceof errors/* ActionError */.lZ)) {
            const full = code === 'ENOSPC' || code === 'EDQUOT';
            throw new errors/* ActionError */.lZ(full ? 'No space left on the disk' : 'Could not write the package', `${(0,errors/* errorMessage */.gJ)(err)}\nThe package stage writes the bundle folder under RUNNER_TEMP (${external_node_path_.join(ctx.runner.tempDir, 'nix-lambda')}) and the zip at ${ctx.inputs.zipPath} (input \`zip-path\`)` +
                (full
                    ? ': free some space there, or point zip-path at a larger disk. No zip was written.'
                    : '. No zip was written.'), { cause: err });
        }
        throw err;
    }
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
async function packageBuild(ctx) {
    const { inputs, log } = ctx;
    const build = ctx.build;
    if (!build)
        throw new errors/* ActionError */.lZ('Nothing to package', 'the package stage needs the build stage in the same run.');
    const work = external_node_path_.join(ctx.runner.tempDir, 'nix-lambda');
    await promises_.mkdir(work, { recursive: true });
    let t = external_node_perf_hooks_.performance.now();
    /** Phase timings, for ACTIONS_STEP_DEBUG. */
    const phase = (what) => {
        const now = external_node_perf_hooks_.performance.now();
        log.debug(`package: ${what} in ${Math.round(now - t)} ms`);
        t = now;
    };
    const closure = await resolveClosure(build.programPath, { closure: build.closure });
    phase(`resolved ${closure.libraries.length} libraries`);
    const elf = closure.program.elf;
    const arch = elf.arch;
    if (!arch)
        throw new errors/* ActionError */.lZ('Unsupported architecture', `${build.programRel} is an ELF for machine ${elf.machine}; Lambda runs x86_64 and arm64 programs only.`);
    if (closure.missing.length > 0) {
        const lines = closure.missing.map((m) => m.malformed
            ? `${m.soname} (needed by ${m.neededBy}): not a valid ELF file: ${m.malformed.join('; ')}`
            : m.wrongArch.length > 0
                ? `${m.soname} (needed by ${m.neededBy}): only found for another architecture: ${m.wrongArch.join(', ')}`
                : `${m.soname} (needed by ${m.neededBy})`);
        const broken = closure.missing.some((m) => m.malformed);
        if (broken)
            throw new errors/* ActionError */.lZ('Malformed libraries', `${closure.missing.length} librar${closure.missing.length === 1 ? 'y' : 'ies'} of ${build.programRel} (${arch}) could not be used:\n${lines.join('\n')}\n` +
                'A library file in the closure is damaged or is not an ELF shared object: rebuild the package that provides it.');
        const wrong = closure.missing.some((m) => m.wrongArch.length > 0);
        throw new errors/* ActionError */.lZ(wrong ? 'Wrong-architecture libraries' : 'Missing libraries', `${closure.missing.length} librar${closure.missing.length === 1 ? 'y' : 'ies'} of ${build.programRel} (${arch}) not found in its RPATH/RUNPATH or the build's closure:\n${lines.join('\n')}\n` +
            (wrong
                ? "The closure holds libraries built for another machine: build the flake output for the function's architecture."
                : "Add the package that provides them to the program's runtime dependencies (buildInputs), so Nix records the reference."));
    }
    if (elf.isStatic)
        log.info(`${build.programRel} is statically linked: packaged as it is.`);
    const includes = [...inputs.include];
    if (inputs.bundleCertificates) {
        const ca = findCaBundle(build.closure);
        if (!ca)
            throw new errors/* ActionError */.lZ('No CA certificates in the closure', "Input `bundle-certificates`: no store path of the build's runtime closure holds a CA bundle (etc/ssl/certs/ca-bundle.crt). " +
                'Make the program depend on nixpkgs\' cacert (for example refer to "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" in it), ' +
                `or bundle a file yourself with include: SOURCE:${BUNDLED_CA_PATH}.`);
        log.info(`CA certificates: ${ca}`);
        includes.push({ source: ca, target: BUNDLED_CA_PATH });
    }
    const entries = [
        ...(await bundleClosure(closure, {
            taskRoot: inputs.taskRoot,
            tempDir: work,
            log: (m) => {
                log.info(m);
            },
        })),
        ...(await bundleIncludes(includes, build.outPath, build.closure)),
    ];
    phase(`read and patched ${entries.length} files`);
    const names = new Map();
    for (const e of entries) {
        const prev = names.get(e.name);
        if (prev)
            throw new errors/* ActionError */.lZ('Bundle conflict', `two files would be bundled as ${e.name}: ${prev.source} and ${e.source}; change the \`include\` target.`);
        names.set(e.name, e);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
        log.info(`${e.name.padEnd(32)} ${(0,limits/* formatBytes */.z3)(e.bytes).padStart(9)}  ${e.source}${e.patched.length > 0 ? `  [${e.patched.join('; ')}]` : ''}`);
    }
    const unzippedBytes = entries.reduce((n, e) => n + e.bytes, 0);
    if (unzippedBytes > limits/* LAMBDA_UNZIPPED_LIMIT */.KA)
        throw new errors/* ActionError */.lZ('Bundle too large', `the bundle is ${(0,limits/* formatBytes */.z3)(unzippedBytes)} unzipped; Lambda's limit is ${(0,limits/* formatBytes */.z3)(limits/* LAMBDA_UNZIPPED_LIMIT */.KA)} (with layers). Trim the closure, or ship large data in a layer or a container image.`);
    const problems = staticCheck(entries);
    if (problems.length > 0)
        throw new errors/* ActionError */.lZ('Bundle still depends on Nix', `these bundled files still point into /nix/store:\n${problems.map((p) => `${p.name}: ${p.problem}`).join('\n')}`);
    // The bundle on disk, inside a root that the loader check can enter.
    const root = external_node_path_.join(work, 'root');
    await promises_.rm(root, { recursive: true, force: true });
    const bundleDir = external_node_path_.join(root, inputs.taskRoot);
    await promises_.mkdir(bundleDir, { recursive: true });
    const dirs = new Set(entries.map((e) => external_node_path_.dirname(external_node_path_.join(bundleDir, e.name))));
    for (const d of dirs)
        await promises_.mkdir(d, { recursive: true });
    await Promise.all(entries.map((e) => promises_.writeFile(external_node_path_.join(bundleDir, e.name), e.data, { mode: e.mode | 0o444 })));
    phase('wrote the bundle folder');
    let verified = 'static';
    if (inputs.verify !== 'false' && !elf.isStatic && closure.interpreter) {
        const check = await loaderCheck(root, inputs.taskRoot, closure.interpreter.name, arch, ctx.runner.arch);
        if (!check.ran) {
            if (inputs.verify === 'true')
                throw new errors/* ActionError */.lZ('Could not verify the bundle', `verify: true, but ${check.reason ?? 'the check could not run'}. Set verify: auto to skip it where the machine cannot run it.`);
            log.notice(`Loader check skipped: ${check.reason ?? 'not possible here'}. The headers were checked.`, 'Bundle verification');
        }
        else {
            log.debug(check.output);
            if (check.problems.length > 0 || check.outside.length > 0)
                throw new errors/* ActionError */.lZ('Bundle does not load', `the bundled loader, run in an empty root with Lambda's LD_LIBRARY_PATH, reports:\n${[...check.problems, ...check.outside.map((o) => `loaded from outside the bundle: ${o}`)].join('\n')}`);
            verified = 'loader';
            log.info(`Loader check passed: ${check.listed.length} objects, all from ${inputs.taskRoot}.`);
        }
    }
    phase('checked the bundle');
    const zip = await writeZip(entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode })), inputs.zipPath, 
    // The bundle folder is written and checked: the zip writer may take the buffers' memory.
    { cacheDir: defaultCacheDir(process.env, ctx.runner.home), transferSources: true });
    if (zip.cached.entries > 0)
        log.info(`Deflate cache: ${zip.cached.entries} files (${(0,limits/* formatBytes */.z3)(zip.cached.bytes)}) already compressed by an earlier run.`);
    phase('wrote the zip');
    if (zip.bytes > limits/* LAMBDA_ZIP_LIMIT */.mX)
        log.warning(`the zip is ${(0,limits/* formatBytes */.z3)(zip.bytes)}, over Lambda's ${(0,limits/* formatBytes */.z3)(limits/* LAMBDA_ZIP_LIMIT */.mX)} limit for a direct upload: deploy it through S3 (input s3-bucket).`, 'Zip over the direct-upload limit');
    log.info(`Wrote ${zip.path}: ${(0,limits/* formatBytes */.z3)(zip.bytes)} (${(0,limits/* formatBytes */.z3)(unzippedBytes)} unzipped, ${entries.length} files), CodeSha256 ${zip.sha256}`);
    const runtimeEnv = runtimeEnvFor(entries.map((e) => e.name), inputs.taskRoot);
    for (const [k, v] of Object.entries(runtimeEnv))
        log.info(`The bundle needs ${k}=${v} (the deploy stage sets it unless \`environment\` does).`);
    const libraries = entries
        .filter((e) => e.kind === 'library' || e.kind === 'interpreter')
        .map((e) => ({ soname: external_node_path_.posix.basename(e.name), storePath: e.storePath, bytes: e.bytes }));
    ctx.package = {
        zipPath: zip.path,
        zipSha256: zip.sha256,
        zipBytes: zip.bytes,
        unzippedBytes,
        architecture: arch,
        bundleDir,
        files: entries.map(({ data: _data, ...f }) => f),
        libraries,
        runtimeEnv,
        verified,
    };
    ctx.setOutput('architecture', arch);
    ctx.setOutput('zip-path', zip.path);
    ctx.setOutput('zip-sha256', zip.sha256);
    ctx.setOutput('zip-bytes', zip.bytes);
    ctx.setOutput('unzipped-bytes', unzippedBytes);
    ctx.setOutput('libraries', JSON.stringify(libraries));
    ctx.setOutput('bundle-dir', bundleDir);
}


/***/ })

};
