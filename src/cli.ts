import * as path from 'node:path';
import { DEFAULTS, STAGES } from './inputs.js';
import { consoleLog } from './log.js';
import { runMain } from './main.js';
import { runPost } from './post.js';

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
Other flags: --json (print outputs as JSON), --verbose, --help.
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
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') throw new UsageError('');
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`);
  const inputs: Record<string, string> = { stages: spec.stages };
  let json = false;
  let verbose = false;
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
  return { command, inputs, json, verbose };
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
    process.stderr.write(`${err.message ? `nix-lambda: ${err.message}\n\n` : ''}${usage()}`);
    return err.message ? 2 : 0;
  }
  const log = consoleLog({ verbose: args.verbose });
  const env = { ...process.env };
  delete env['GITHUB_ACTIONS'];
  const { ctx, error } = await runMain({ read: (n) => args.inputs[n] ?? '', log, env });
  if (ctx) await runPost(ctx.post, log);
  const outputs = Object.fromEntries([...log.outputs].filter(([k]) => k !== 'summary-json'));
  out.write(
    args.json
      ? `${JSON.stringify(outputs, null, 2)}\n`
      : Object.entries(outputs)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
  );
  return error === undefined ? 0 : 1;
}
