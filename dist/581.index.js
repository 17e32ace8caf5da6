export const id = 581;
export const ids = [581];
export const modules = {

/***/ 5581:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   UsageError: () => (/* binding */ UsageError),
/* harmony export */   parseArgs: () => (/* binding */ parseArgs),
/* harmony export */   runCli: () => (/* binding */ runCli),
/* harmony export */   usage: () => (/* binding */ usage)
/* harmony export */ });
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _inputs_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8422);
/* harmony import */ var _log_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5625);
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(900);
/* harmony import */ var _post_js__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(5106);





/**
 * The local command: the same stages, outside GitHub, for people who want to
 * debug packaging without act. Flags mirror the action's inputs.
 *
 *   nix-lambda package --flake . --zip-path function.zip
 */
const COMMANDS = {
    package: { stages: 'build,package', about: 'build the flake and write the Lambda zip' },
    deploy: { stages: 'build,package,deploy', about: 'build, package and deploy (needs AWS credentials)' },
    run: { stages: _inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .STAGES */ .an.join(','), about: 'run the stages given by --stages (default: all, as the action)' },
};
/** Inputs that take one value per line: repeating the flag adds a line. */
const LIST_INPUTS = new Set([
    'include',
    'function-name',
    'layers',
    'extra-pull-caches',
    'extra-nix-config',
    'stages',
]);
/** Aliases for flags people will type. */
const ALIASES = { zip: 'zip-path', function: 'function-name', region: 'aws-region' };
class UsageError extends Error {
}
function usage() {
    const inputs = Object.keys(_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULTS */ .zY)
        .sort()
        .map((n) => `  --${n}${_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULTS */ .zY[n] ? ` (default: ${_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULTS */ .zY[n]})` : ''}`)
        .join('\n');
    return `Usage: nix-lambda <command> [--<input> <value>]...

Commands:
${Object.entries(COMMANDS)
        .map(([c, { about }]) => `  ${c.padEnd(8)} ${about}`)
        .join('\n')}

Every input of the action is a flag. Booleans: --publish or --publish=false.
Repeat --include, --function-name or --layers for several values. --zip is --zip-path.
Other flags: --json (print outputs as JSON), --verbose, --help.
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
        if (arg === '--help' || arg === '-h')
            throw new UsageError('');
        const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
        if (!m)
            throw new UsageError(`unexpected argument "${arg}"`);
        const negated = m[1] !== undefined;
        const name = ALIASES[m[2]] ?? m[2];
        if (!(name in _inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULTS */ .zY))
            throw new UsageError(`unknown flag --${m[2]}`);
        let value;
        if (m[3] !== undefined)
            value = m[3];
        else if (negated)
            value = 'false';
        else if (_inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULTS */ .zY[name] === 'true' || _inputs_js__WEBPACK_IMPORTED_MODULE_1__/* .DEFAULTS */ .zY[name] === 'false' || name === 'cachix-push') {
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
    inputs['zip-path'] ??= node_path__WEBPACK_IMPORTED_MODULE_0__.resolve('function.zip');
    return { command, inputs, json, verbose };
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
        process.stderr.write(`${err.message ? `nix-lambda: ${err.message}\n\n` : ''}${usage()}`);
        return err.message ? 2 : 0;
    }
    const log = (0,_log_js__WEBPACK_IMPORTED_MODULE_2__/* .consoleLog */ .a)({ verbose: args.verbose });
    const env = { ...process.env };
    delete env['GITHUB_ACTIONS'];
    const { ctx, error } = await (0,_main_js__WEBPACK_IMPORTED_MODULE_3__/* .runMain */ .VN)({ read: (n) => args.inputs[n] ?? '', log, env });
    if (ctx)
        await (0,_post_js__WEBPACK_IMPORTED_MODULE_4__/* .runPost */ .a)(ctx.post, log);
    const outputs = Object.fromEntries([...log.outputs].filter(([k]) => k !== 'summary-json'));
    out.write(args.json
        ? `${JSON.stringify(outputs, null, 2)}\n`
        : Object.entries(outputs)
            .map(([k, v]) => `${k}=${v}\n`)
            .join(''));
    return error === undefined ? 0 : 1;
}


/***/ })

};
