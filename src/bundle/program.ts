import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import { isElf } from './elf.js';

/**
 * Choosing the program to ship as `bootstrap` inside a build output, and
 * refusing what cannot be a Lambda bootstrap (a Nix wrapper script, a non-ELF file).
 */

export interface ProgramChoice {
  /** Path inside the output, such as bin/bootstrap. */
  rel: string;
  /** Absolute path in the store (not resolved through symlinks). */
  path: string;
}

/** A regular file with an execute bit set (in the store: a program, whoever may run it here). */
function markedExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    return st.isFile() && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** Resolves `requested` (or the default rules) inside outPath. */
export function chooseProgram(outPath: string, requested: string): ProgramChoice {
  if (requested) {
    const p = path.join(outPath, requested);
    const rel = path.relative(outPath, p);
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw new ActionError(
        'Program not found',
        `Input \`program\`: "${requested}" is outside the build output ${outPath}.`,
      );
    if (!fs.existsSync(p))
      throw new ActionError(
        'Program not found',
        `Input \`program\`: ${requested} does not exist in ${outPath}. ${describeBin(outPath)}`,
      );
    if (!markedExecutable(p))
      throw new ActionError('Program not executable', `Input \`program\`: ${p} is not an executable file.`);
    return { rel, path: p };
  }
  const bin = path.join(outPath, 'bin');
  const bootstrap = path.join(bin, 'bootstrap');
  if (markedExecutable(bootstrap)) return { rel: 'bin/bootstrap', path: bootstrap };
  const executables = listBin(outPath).filter(
    (n) => markedExecutable(path.join(bin, n)) && !n.startsWith('.'),
  );
  if (executables.length === 1)
    return { rel: `bin/${executables[0]!}`, path: path.join(bin, executables[0]!) };
  throw new ActionError(
    'Program not found',
    executables.length > 1
      ? `${outPath}/bin holds ${executables.length} executables (${executables.join(', ')}) and no bootstrap: set \`program\` to the one to deploy, e.g. program: bin/${executables[0]!}.`
      : `no bin/bootstrap in ${outPath} and no other executable in bin/. ${describeBin(outPath)} Set \`program\` to the path of the executable inside the output.`,
  );
}

function listBin(outPath: string): string[] {
  try {
    return fs.readdirSync(path.join(outPath, 'bin')).sort();
  } catch {
    return [];
  }
}

function describeBin(outPath: string): string {
  const names = listBin(outPath);
  if (names.length > 0) return `bin/ holds: ${names.join(', ')}.`;
  let top: string[] = [];
  try {
    top = fs.readdirSync(outPath).sort();
  } catch {
    // outPath is a file (a single-file output) or unreadable
  }
  return top.length > 0 ? `The output has no bin/; it holds: ${top.join(', ')}.` : 'The output has no bin/.';
}

export interface WrapperInfo {
  /** Interpreter named by the shebang. */
  interpreter: string;
  /** The program the wrapper execs, when it could be found. */
  wrapped: string | undefined;
  /** Variables the wrapper sets (makeWrapper --set/--prefix/...). */
  variables: string[];
}

/** Reads a script the way makeWrapper writes them. undefined when data is not a script. */
export function parseScript(data: Buffer): WrapperInfo | undefined {
  if (data.length < 2 || data[0] !== 0x23 || data[1] !== 0x21) return undefined;
  const text = data.subarray(0, 64 * 1024).toString('utf8');
  const first = text.split('\n', 1)[0]!;
  const interpreter = first.slice(2).trim().split(/\s+/)[0] ?? '';
  let wrapped: string | undefined;
  const variables = new Set<string>();
  for (const line of text.split('\n')) {
    const exec = /^\s*exec\s+(?:-a\s+\S+\s+)?["']?(\/nix\/store\/[^"'\s]+)/.exec(line);
    if (exec) wrapped = exec[1];
    const exp = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=/.exec(line);
    if (exp && line.includes('export')) variables.add(exp[1]!);
  }
  return { interpreter, wrapped, variables: [...variables].sort() };
}

/**
 * Refuses a program that cannot be Lambda's bootstrap, with the way out.
 * `data` holds the first bytes of the program (or all of it).
 */
export function checkProgram(rel: string, programPath: string, data: Buffer, outPath: string): void {
  if (isElf(data)) return;
  const script = parseScript(data);
  if (script && (script.interpreter.startsWith('/nix/store/') || script.wrapped)) {
    const target = script.wrapped;
    const inOutput = target?.startsWith(`${outPath}/`) ? path.relative(outPath, target) : undefined;
    const vars =
      script.variables.length > 0
        ? ` It sets ${script.variables.join(', ')}; set those in the function's environment instead.`
        : '';
    throw new ActionError(
      'Program is a Nix wrapper script',
      `${rel} (${programPath}) is a shell script whose interpreter ${script.interpreter} lives in /nix/store: a Nix wrapper, not a program Lambda can start.` +
        (target
          ? ` It wraps ${target}.${inOutput ? ` Set \`program: ${inOutput}\` to bundle the wrapped program itself.` : ' Point `program` at the wrapped program (in its own output) instead.'}`
          : ' Point `program` at the ELF executable it runs.') +
        vars,
    );
  }
  throw new ActionError(
    'Program is not an ELF executable',
    `${rel} (${programPath}) is ${script ? `a script for ${script.interpreter}` : 'not an ELF executable'}; Lambda's bootstrap must be a Linux executable. Set \`program\` to the compiled binary.`,
  );
}

/** Reads the first 64 KiB of the chosen program and refuses what cannot be a bootstrap (checkProgram). */
export function checkProgramFile(choice: ProgramChoice, outPath: string): void {
  const head = Buffer.alloc(64 * 1024);
  const fd = fs.openSync(choice.path, 'r');
  let n: number;
  try {
    n = fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  checkProgram(choice.rel, choice.path, head.subarray(0, n), outPath);
}
