import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { parseInputs, type Inputs } from '../../src/inputs/parse.js';
import { InputError } from '../../src/util/errors.js';

/**
 * parseInputs over a workspace holding a flake.nix (removed after the test file), with `base`
 * under the values given: parse() returns the inputs (or throws), problems() the InputError's
 * problems, [] when there are none.
 */
export function inputsParser(base: Readonly<Record<string, string>>): {
  ws: string;
  parse: (values: Record<string, string>) => Inputs;
  problems: (values: Record<string, string>) => readonly string[];
} {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-'));
  fs.writeFileSync(path.join(ws, 'flake.nix'), '{ outputs = _: {}; }');
  afterAll(() => {
    fs.rmSync(ws, { recursive: true, force: true });
  });
  const parse = (values: Record<string, string>): Inputs => {
    const all: Record<string, string> = { ...base, ...values };
    return parseInputs((n) => all[n] ?? '', { workspace: ws, tempDir: ws, env: {} });
  };
  const problems = (values: Record<string, string>): readonly string[] => {
    try {
      parse(values);
    } catch (e) {
      if (e instanceof InputError) return e.problems;
      throw e;
    }
    return [];
  };
  return { ws, parse, problems };
}
