export const id = 581;
export const ids = [581];
export const modules = {

/***/ 5581:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   UsageError: () => (/* binding */ UsageError),
/* harmony export */   outputValue: () => (/* binding */ outputValue),
/* harmony export */   parseArgs: () => (/* binding */ parseArgs),
/* harmony export */   runCli: () => (/* binding */ runCli),
/* harmony export */   usage: () => (/* binding */ usage)
/* harmony export */ });
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var _util_errors_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(17);
/* harmony import */ var _util_secrets_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(4537);
/* harmony import */ var _inputs_read_js__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(4245);
/* harmony import */ var _host_js__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(2237);
/* harmony import */ var _action_main_js__WEBPACK_IMPORTED_MODULE_7__ = __webpack_require__(819);
/* harmony import */ var _action_post_js__WEBPACK_IMPORTED_MODULE_8__ = __webpack_require__(5809);









/**
 * The local command: the same stages, outside GitHub, for people who want to
 * debug packaging without act. Flags mirror the action's inputs.
 *
 *   nix-lambda package --flake . --zip-path function.zip
 */
const COMMANDS = {
    package: { stages: 'build,package', about: 'build the flake and write the Lambda zip' },
    deploy: { stages: 'build,package,deploy', about: 'build, package and deploy (needs AWS credentials)' },
    run: { stages: _inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .STAGES */ .an.join(','), about: 'run the stages given by --stages (default: all, as the action)' },
};
/** Inputs that take one value per line: repeating the flag adds a line. */
const LIST_INPUTS = new Set([
    'include',
    'function-name',
    'layers',
    'extra-pull-caches',
    'extra-nix-config',
    'stages',
    'allowed-account-ids',
]);
/** Aliases for flags people will type. */
const ALIASES = { zip: 'zip-path', function: 'function-name', region: 'aws-region' };
class UsageError extends Error {
}
function usage() {
    const inputs = Object.keys(_inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULTS */ .zY)
        .sort()
        .map((n) => `  --${n}${_inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULTS */ .zY[n] ? ` (default: ${_inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULTS */ .zY[n]})` : ''}`)
        .join('\n');
    return `Usage: nix-lambda <command> [--<input> <value>]...

Commands:
${Object.entries(COMMANDS)
        .map(([c, { about }]) => `  ${c.padEnd(8)} ${about}`)
        .join('\n')}

Every input of the action is a flag. Booleans: --publish or --publish=false.
Repeat --include, --function-name or --layers for several values. --zip is --zip-path.
Other flags:
  --json     print one JSON object: {"outputs": {...}} or {"error": {"title", "message"}}
  --verbose  print debug lines too
  --keep     keep the run's work folder (the patched bundle, the Nix configuration files)
  --help
The zip goes to ./function.zip unless --zip-path says otherwise.

Inputs:
${inputs}
`;
}
function parseArgs(argv) {
    const [command, ...rest] = argv;
    if (!command || command === 'help' || command === '--help' || command === '-h')
        throw new UsageError('');
    const spec = COMMANDS[command];
    if (!spec)
        throw new UsageError(`unknown command "${command}"`);
    const inputs = { stages: spec.stages };
    let json = false;
    let verbose = false;
    let keep = false;
    let stagesGiven = false;
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        if (arg === '--json') {
            json = true;
            continue;
        }
        if (arg === '--verbose' || arg === '-v') {
            verbose = true;
            continue;
        }
        if (arg === '--keep') {
            keep = true;
            continue;
        }
        if (arg === '--help' || arg === '-h')
            throw new UsageError('');
        const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
        if (!m)
            throw new UsageError(`unexpected argument "${arg}"`);
        const negated = m[1] !== undefined;
        const name = ALIASES[m[2]] ?? m[2];
        if (!(name in _inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULTS */ .zY))
            throw new UsageError(`unknown flag --${m[2]}`);
        let value;
        if (m[3] !== undefined)
            value = m[3];
        else if (negated)
            value = 'false';
        else if (_inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULTS */ .zY[name] === 'true' || _inputs_read_js__WEBPACK_IMPORTED_MODULE_5__/* .DEFAULTS */ .zY[name] === 'false' || name === 'cachix-push') {
            const next = rest[i + 1];
            value = next === 'true' || next === 'false' ? (i++, next) : 'true';
        }
        else {
            const next = rest[i + 1];
            if (next === undefined || next.startsWith('--'))
                throw new UsageError(`--${name} needs a value`);
            value = next;
            i++;
        }
        if (name === 'stages') {
            if (command !== 'run')
                throw new UsageError('--stages only goes with the run command');
            inputs['stages'] = stagesGiven ? `${inputs['stages']}\n${value}` : value;
            stagesGiven = true;
        }
        else if (LIST_INPUTS.has(name) && inputs[name] !== undefined)
            inputs[name] = `${inputs[name]}\n${value}`;
        else
            inputs[name] = value;
    }
    inputs['zip-path'] ??= node_path__WEBPACK_IMPORTED_MODULE_2__.resolve('function.zip');
    return { command, inputs, json, verbose, keep };
}
/** An output's value as JSON: numbers, and the outputs that hold JSON (libraries, runtime-environment). */
function outputValue(value) {
    if (/^(0|[1-9]\d{0,14})$/.test(value))
        return Number(value);
    if (/^[[{]/.test(value)) {
        try {
            return JSON.parse(value);
        }
        catch {
            return value;
        }
    }
    return value;
}
/** Runs the command; returns the process exit code. */
async function runCli(argv, out = process.stdout) {
    let args;
    try {
        args = parseArgs(argv);
    }
    catch (err) {
        if (!(err instanceof UsageError))
            throw err;
        // Asked for: the usage on stdout, success. A mistake: the problem and the usage on stderr.
        if (!err.message) {
            out.write(usage());
            return 0;
        }
        process.stderr.write(`nix-lambda: ${err.message}\n\n${usage()}`);
        return 2;
    }
    const log = (0,_host_js__WEBPACK_IMPORTED_MODULE_6__/* .consoleLog */ .aO)({ verbose: args.verbose });
    // Workflow commands only where a runner reads them: the local command always talks to a person.
    const env = { ...process.env };
    delete env['GITHUB_ACTIONS'];
    // One work folder per run (the patched bundle, the Nix configuration files), removed at the end.
    const work = node_fs__WEBPACK_IMPORTED_MODULE_0__.mkdtempSync(node_path__WEBPACK_IMPORTED_MODULE_2__.join(env['RUNNER_TEMP'] || node_os__WEBPACK_IMPORTED_MODULE_1__.tmpdir(), 'nix-lambda-'));
    env['RUNNER_TEMP'] = work;
    let error;
    try {
        const r = await (0,_action_main_js__WEBPACK_IMPORTED_MODULE_7__.runMain)({ read: (n) => args.inputs[n] ?? '', log, env });
        error = r.error;
        if (r.ctx)
            await (0,_action_post_js__WEBPACK_IMPORTED_MODULE_8__.runPost)(r.ctx.post, log);
    }
    finally {
        if (args.keep)
            log.info(`Kept the work folder ${work} (--keep).`);
        else
            node_fs__WEBPACK_IMPORTED_MODULE_0__.rmSync(work, { recursive: true, force: true });
    }
    const outputs = Object.fromEntries([...log.outputs].filter(([k]) => k !== 'summary-json' && (args.keep || k !== 'bundle-dir')));
    if (args.json) {
        const body = error === undefined
            ? { outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, outputValue(v)])) }
            : {
                error: {
                    title: error instanceof _util_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .ActionError */ .lZ ? error.title : 'Unexpected error',
                    message: (0,_util_secrets_js__WEBPACK_IMPORTED_MODULE_4__/* .scrubSecrets */ .Zg)((0,_util_errors_js__WEBPACK_IMPORTED_MODULE_3__/* .errorMessage */ .gJ)(error)),
                },
            };
        out.write(`${JSON.stringify(body, null, 2)}\n`);
    }
    else if (error === undefined)
        out.write(Object.entries(outputs)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''));
    return error === undefined ? 0 : 1;
}


/***/ })

};
