import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ActionError, errorMessage } from './util/errors.js';
import { scrubSecrets } from './util/secrets.js';
import { DEFAULTS, STAGES } from './inputs/read.js';
import { consoleLog } from './host.js';
import { runMain } from './action/main.js';
import { runPost } from './action/post.js';

/**
 * The local command: the same stages, outside GitHub, for people who want to
 * debug packaging without act. Flags mirror the action's inputs.
 *
 *   nix-lambda package --flake . --zip-path function.zip
 */

const COMMANDS: Record<string, { stages: string; about: string }> = {
  package: { stages: 'build,package', about: 'build the flake and write the Lambda zip' },
  deploy: { stages: 'build,package,deploy', about: 'build, package and deploy (needs AWS credentials)' },
  run: { stages: STAGES.join(','), about: 'run the stages given by --stages (default: all, as the action)' },
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
const ALIASES: Record<string, string> = { zip: 'zip-path', function: 'function-name', region: 'aws-region' };

export class UsageError extends Error {}

export function usage(): string {
  const inputs = Object.keys(DEFAULTS)
    .sort()
    .map((n) => `  --${n}${DEFAULTS[n] ? ` (default: ${DEFAULTS[n]})` : ''}`)
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

export interface CliArgs {
  command: string;
  inputs: Record<string, string>;
  json: boolean;
  verbose: boolean;
  keep: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') throw new UsageError('');
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const inputs: Record<string, string> = { stages: spec.stages };
  let json = false;
  let verbose = false;
  let keep = false;
  let stagesGiven = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
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
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    const m = /^--(no-)?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unexpected argument "${arg}"`);
    const negated = m[1] !== undefined;
    const name = ALIASES[m[2]!] ?? m[2]!;
    if (!(name in DEFAULTS)) throw new UsageError(`unknown flag --${m[2]!}`);
    let value: string;
    if (m[3] !== undefined) value = m[3];
    else if (negated) value = 'false';
    else if (DEFAULTS[name] === 'true' || DEFAULTS[name] === 'false' || name === 'cachix-push') {
      const next = rest[i + 1];
      value = next === 'true' || next === 'false' ? (i++, next) : 'true';
    } else {
      const next = rest[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    if (name === 'stages') {
      if (command !== 'run') throw new UsageError('--stages only goes with the run command');
      inputs['stages'] = stagesGiven ? `${inputs['stages']!}\n${value}` : value;
      stagesGiven = true;
    } else if (LIST_INPUTS.has(name) && inputs[name] !== undefined)
      inputs[name] = `${inputs[name]}\n${value}`;
    else inputs[name] = value;
  }
  inputs['zip-path'] ??= path.resolve('function.zip');
  return { command, inputs, json, verbose, keep };
}

/** An output's value as JSON: numbers, and the outputs that hold JSON (libraries, runtime-environment). */
export function outputValue(value: string): unknown {
  if (/^(0|[1-9]\d{0,14})$/.test(value)) return Number(value);
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** Runs the command; returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    // Asked for: the usage on stdout, success. A mistake: the problem and the usage on stderr.
    if (!err.message) {
      out.write(usage());
      return 0;
    }
    process.stderr.write(`nix-lambda: ${err.message}\n\n${usage()}`);
    return 2;
  }
  const log = consoleLog({ verbose: args.verbose });
  // Workflow commands only where a runner reads them: the local command always talks to a person.
  const env = { ...process.env };
  delete env['GITHUB_ACTIONS'];
  // One work folder per run (the patched bundle, the Nix configuration files), removed at the end.
  const work = fs.mkdtempSync(path.join(env['RUNNER_TEMP'] || os.tmpdir(), 'nix-lambda-'));
  env['RUNNER_TEMP'] = work;
  let error: unknown;
  try {
    const r = await runMain({ read: (n) => args.inputs[n] ?? '', log, env });
    error = r.error;
    if (r.ctx) await runPost(r.ctx.post, log);
  } finally {
    if (args.keep) log.info(`Kept the work folder ${work} (--keep).`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  const outputs = Object.fromEntries(
    [...log.outputs].filter(([k]) => k !== 'summary-json' && (args.keep || k !== 'bundle-dir')),
  );
  if (args.json) {
    const body =
      error === undefined
        ? { outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, outputValue(v)])) }
        : {
            error: {
              title: error instanceof ActionError ? error.title : 'Unexpected error',
              message: scrubSecrets(errorMessage(error)),
            },
          };
    out.write(`${JSON.stringify(body, null, 2)}\n`);
  } else if (error === undefined)
    out.write(
      Object.entries(outputs)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
  return error === undefined ? 0 : 1;
}
