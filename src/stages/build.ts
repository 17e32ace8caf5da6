import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobContext } from '../context.js';
import { ActionError } from '../util/errors.js';
import { CommandError } from '../util/exec.js';
import { closureOf, nix } from '../nix/cli.js';
import { checkProgram, chooseProgram } from '../bundle/program.js';

/**
 * Stage 3: `nix build <flake> --json --no-link`, with the build log streamed
 * into the log group, then the runtime closure and the program inside the output.
 */

interface BuildJson {
  drvPath: string;
  outputs: Record<string, string>;
}

export function parseBuildJson(stdout: string): BuildJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw new ActionError(
      'Unexpected nix output',
      `\`nix build --json\` printed something that is not JSON: ${stdout.slice(0, 200)}`,
    );
  }
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (
    !first ||
    typeof first !== 'object' ||
    typeof (first as BuildJson).drvPath !== 'string' ||
    typeof (first as BuildJson).outputs !== 'object'
  )
    throw new ActionError(
      'Unexpected nix output',
      `\`nix build --json\` printed no build result: ${stdout.slice(0, 200)}`,
    );
  if (parsed instanceof Array && parsed.length > 1)
    throw new ActionError(
      'Several installables',
      'the flake reference selected several packages; select one with `flake: .#name`.',
    );
  return first as BuildJson;
}

/** A location in a .nix file, from Nix's error text, mapped back into the workspace. */
export function nixErrorLocation(
  stderr: string,
  flakeDir: string | undefined,
  workspace: string,
): { file: string; line: number } | undefined {
  const m = /at (\/nix\/store\/[a-z0-9]{32}-source)((?:\/[^:\s]+)*\/[^:\s/]+\.nix):(\d+)(?::\d+)?/.exec(
    stderr,
  );
  if (!m) return undefined;
  const inFlake = m[2]!.replace(/^\//, '');
  const abs = flakeDir ? path.join(flakeDir, inFlake) : inFlake;
  const rel = path.relative(workspace, abs);
  return { file: rel.startsWith('..') ? abs : rel, line: Number(m[3]) };
}

/** Turns Nix's failure into an error that says what to do. */
export function explainBuildFailure(err: CommandError, ctx: JobContext, tail: string): ActionError {
  const { inputs, runner } = ctx;
  const stderr = err.stderr;
  const loc = nixErrorLocation(stderr, inputs.flakeDir, runner.workspace);
  const locOpts = loc ? { file: loc.file, line: loc.line } : {};
  const attr = /does not provide attribute ([^\n]+)/.exec(stderr);
  if (attr)
    return new ActionError(
      'Flake attribute not found',
      `Input \`flake\`: "${inputs.flake}" does not provide attribute ${attr[1]!.trim()}. List what it provides with \`nix flake show\`.`,
    );
  if (
    /getting status of '\/nix\/store\/[^']*-source[^']*': No such file or directory/.test(stderr) ||
    /is not tracked by Git/.test(stderr)
  )
    return new ActionError(
      'File not tracked by Git',
      `${tail}\nNix only sees files that Git tracks in a git flake: \`git add\` new files (flake.nix, sources) before building.`,
      locOpts,
    );
  if (
    /error: (?:getting status of|path) '[^']*flake\.nix'/.test(stderr) ||
    /does not contain a 'flake\.nix'/.test(stderr)
  )
    return new ActionError('No flake', `Input \`flake\`: "${inputs.flake}" has no flake.nix.\n${tail}`);
  if (/HTTP error 403|API rate limit|rate limit exceeded/i.test(stderr))
    return new ActionError(
      'GitHub rate limit',
      `${tail}\nNix hit GitHub's rate limit fetching flake inputs: pass \`github-token\` (the default, \${{ github.token }}) and keep the install stage so nix.conf gets access-tokens.`,
      locOpts,
    );
  return new ActionError('Nix build failed', `nix build ${inputs.installable} failed:\n${tail}`, locOpts);
}

export async function build(ctx: JobContext): Promise<void> {
  const { inputs, log } = ctx;
  const tail: string[] = [];
  const TAIL = 40;
  let warnedSignature = false;
  log.info(`nix build ${inputs.installable}`);
  let stdout: string;
  try {
    ({ stdout } = await nix(ctx, ['build', inputs.installable, '--json', '--no-link', '--print-build-logs'], {
      errorTitle: 'Nix build failed',
      tailLines: TAIL,
      onLine: (line) => {
        log.info(line);
        if (
          /is not signed by any of the keys|does not have a valid signature/.test(line) &&
          !warnedSignature
        ) {
          warnedSignature = true;
          log.warning(
            `${line.trim()}: Nix refused a path from a binary cache whose signature it cannot check, and builds it instead. Check the cache's public key (trusted-public-keys, or the key Cachix reports for cachix-cache).`,
            'Substituter signature refused',
          );
        }
        tail.push(line);
        if (tail.length > TAIL) tail.shift();
      },
    }));
  } catch (err) {
    if (err instanceof CommandError) throw explainBuildFailure(err, ctx, tail.join('\n'));
    throw err;
  }
  const result = parseBuildJson(stdout);
  const outputs = result.outputs;
  const outPath = outputs['out'] ?? Object.values(outputs)[0];
  if (!outPath)
    throw new ActionError('Nothing built', `nix build ${inputs.installable} reported no outputs.`);
  const closure = await closureOf(ctx, [outPath]);
  log.info(`Built ${outPath} (runtime closure: ${closure.length} store paths)`);
  ctx.post.storePaths = Object.values(outputs);
  ctx.post.buildSucceeded = true;
  ctx.setOutput('store-path', outPath);

  const choice = chooseProgram(outPath, inputs.program);
  const head = Buffer.alloc(64 * 1024);
  const fd = fs.openSync(choice.path, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
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
