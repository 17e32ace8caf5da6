import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * The runner's workflow commands (`::name props::message` on stdout) and file commands (GITHUB_OUTPUT,
 * GITHUB_ENV, GITHUB_PATH, GITHUB_STATE, GITHUB_STEP_SUMMARY), written as @actions/core writes them
 * (the same escaping and heredoc form). A module without state, and without @actions/core: that
 * package loads an HTTP client and a process runner at start-up, which every step paid for, and
 * the post step never used.
 */

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** `::command key=value,...::message`, properties without a value left out. */
export function commandLine(
  command: string,
  props: Readonly<Record<string, string | number | undefined>>,
  message: string,
): string {
  const set = Object.entries(props).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  );
  const p = set.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',');
  return `::${command}${p ? ` ${p}` : ''}::${escapeData(message)}`;
}

/** Writes a workflow command to stdout. */
export function issue(
  command: string,
  props: Readonly<Record<string, string | number | undefined>>,
  message: string,
): void {
  process.stdout.write(`${commandLine(command, props, message)}${os.EOL}`);
}

/** NAME<<DELIMITER, the value, DELIMITER: the form of GITHUB_OUTPUT, GITHUB_ENV and GITHUB_STATE. */
export function keyValueMessage(key: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (key.includes(delimiter) || value.includes(delimiter))
    throw new Error(`Unexpected input: ${key} or its value contains the delimiter "${delimiter}"`);
  return `${key}<<${delimiter}${os.EOL}${value}${os.EOL}${delimiter}`;
}

/** Appends a line to the file of a file command (GITHUB_<command>); false when the runner gives none. */
export function fileCommand(command: 'OUTPUT' | 'ENV' | 'PATH' | 'STATE', line: string): boolean {
  const file = process.env[`GITHUB_${command}`];
  if (!file) return false;
  if (!fs.existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  fs.appendFileSync(file, `${line}${os.EOL}`, { encoding: 'utf8' });
  return true;
}

/** A step's value of an input (INPUT_<NAME>), trimmed; '' when unset. */
export function inputValue(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
