export const id = 722;
export const ids = [722];
export const modules = {

/***/ 4722:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  build: () => (/* binding */ build),
  explainBuildFailure: () => (/* binding */ explainBuildFailure),
  nixErrorLocation: () => (/* binding */ nixErrorLocation),
  parseBuildJson: () => (/* binding */ parseBuildJson)
});

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/exec.ts
var exec = __webpack_require__(3190);
// EXTERNAL MODULE: ./src/nix.ts
var nix = __webpack_require__(1812);
// EXTERNAL MODULE: ./src/elf.ts
var elf = __webpack_require__(2238);
;// CONCATENATED MODULE: ./src/program.ts




function isExecutableFile(p) {
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
        if (!isExecutableFile(p))
            throw new errors/* ActionError */.lZ('Program not executable', `Input \`program\`: ${p} is not an executable file.`);
        return { rel, path: p };
    }
    const bin = external_node_path_.join(outPath, 'bin');
    const bootstrap = external_node_path_.join(bin, 'bootstrap');
    if (isExecutableFile(bootstrap))
        return { rel: 'bin/bootstrap', path: bootstrap };
    const executables = listBin(outPath).filter((n) => isExecutableFile(external_node_path_.join(bin, n)) && !n.startsWith('.'));
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
    if ((0,elf/* isElf */.aB)(data))
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

;// CONCATENATED MODULE: ./src/stages/build.ts






function parseBuildJson(stdout) {
    let parsed;
    try {
        parsed = JSON.parse(stdout);
    }
    catch {
        throw new errors/* ActionError */.lZ('Unexpected nix output', `\`nix build --json\` printed something that is not JSON: ${stdout.slice(0, 200)}`);
    }
    const first = Array.isArray(parsed) ? parsed[0] : undefined;
    if (!first ||
        typeof first !== 'object' ||
        typeof first.drvPath !== 'string' ||
        typeof first.outputs !== 'object')
        throw new errors/* ActionError */.lZ('Unexpected nix output', `\`nix build --json\` printed no build result: ${stdout.slice(0, 200)}`);
    if (parsed instanceof Array && parsed.length > 1)
        throw new errors/* ActionError */.lZ('Several installables', 'the flake reference selected several packages; select one with `flake: .#name`.');
    return first;
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
/** Turns Nix's failure into an error that says what to do. */
function explainBuildFailure(err, ctx, tail) {
    const { inputs, runner } = ctx;
    const stderr = err.stderr;
    const loc = nixErrorLocation(stderr, inputs.flakeDir, runner.workspace);
    const locOpts = loc ? { file: loc.file, line: loc.line } : {};
    const attr = /does not provide attribute ([^\n]+)/.exec(stderr);
    if (attr)
        return new errors/* ActionError */.lZ('Flake attribute not found', `Input \`flake\`: "${inputs.flake}" does not provide attribute ${attr[1].trim()}. List what it provides with \`nix flake show\`.`);
    if (/getting status of '\/nix\/store\/[^']*-source[^']*': No such file or directory/.test(stderr) ||
        /is not tracked by Git/.test(stderr))
        return new errors/* ActionError */.lZ('File not tracked by Git', `${tail}\nNix only sees files that Git tracks in a git flake: \`git add\` new files (flake.nix, sources) before building.`, locOpts);
    if (/error: (?:getting status of|path) '[^']*flake\.nix'/.test(stderr) ||
        /does not contain a 'flake\.nix'/.test(stderr))
        return new errors/* ActionError */.lZ('No flake', `Input \`flake\`: "${inputs.flake}" has no flake.nix.\n${tail}`);
    if (/HTTP error 403|API rate limit|rate limit exceeded/i.test(stderr))
        return new errors/* ActionError */.lZ('GitHub rate limit', `${tail}\nNix hit GitHub's rate limit fetching flake inputs: pass \`github-token\` (the default, \${{ github.token }}) and keep the install stage so nix.conf gets access-tokens.`, locOpts);
    return new errors/* ActionError */.lZ('Nix build failed', `nix build ${inputs.installable} failed:\n${tail}`, locOpts);
}
async function build(ctx) {
    const { inputs, log } = ctx;
    const tail = [];
    const TAIL = 40;
    let warnedSignature = false;
    log.info(`nix build ${inputs.installable}`);
    let stdout;
    try {
        ({ stdout } = await (0,nix/* nix */.wF)(ctx, ['build', inputs.installable, '--json', '--no-link', '--print-build-logs'], {
            errorTitle: 'Nix build failed',
            tailLines: TAIL,
            onLine: (line) => {
                log.info(line);
                if (/is not signed by any of the keys|does not have a valid signature/.test(line) &&
                    !warnedSignature) {
                    warnedSignature = true;
                    log.warning(`${line.trim()}: Nix refused a path from a binary cache whose signature it cannot check, and builds it instead. Check the cache's public key (trusted-public-keys, or the key Cachix reports for cachix-cache).`, 'Substituter signature refused');
                }
                tail.push(line);
                if (tail.length > TAIL)
                    tail.shift();
            },
        }));
    }
    catch (err) {
        if (err instanceof exec/* CommandError */.Qd)
            throw explainBuildFailure(err, ctx, tail.join('\n'));
        throw err;
    }
    const result = parseBuildJson(stdout);
    const outputs = result.outputs;
    const outPath = outputs['out'] ?? Object.values(outputs)[0];
    if (!outPath)
        throw new errors/* ActionError */.lZ('Nothing built', `nix build ${inputs.installable} reported no outputs.`);
    const closure = await (0,nix/* closureOf */.TQ)(ctx, [outPath]);
    log.info(`Built ${outPath} (runtime closure: ${closure.length} store paths)`);
    ctx.post.storePaths = Object.values(outputs);
    ctx.post.buildSucceeded = true;
    ctx.setOutput('store-path', outPath);
    const choice = chooseProgram(outPath, inputs.program);
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
    ctx.build = {
        installable: inputs.installable,
        drvPath: result.drvPath,
        outPath,
        outputs,
        closure,
        programRel: choice.rel,
        programPath: choice.path,
    };
    ctx.setOutput('program-path', choice.path);
    log.info(`Program: ${choice.rel}`);
}


/***/ })

};
