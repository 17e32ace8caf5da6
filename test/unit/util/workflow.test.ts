import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commandLine, fileCommand, inputValue, keyValueMessage } from '../../../src/util/workflow.js';
import { parseFileCommands } from '../../support/runner.js';
import { saveProcessEnv } from '../../support/doubles.js';

let restoreEnv: (() => void) | undefined;
afterEach(() => {
  restoreEnv?.();
  restoreEnv = undefined;
});

describe('workflow commands, as @actions/core writes them', () => {
  it('escapes the message and the properties, and leaves empty properties out', () => {
    expect(commandLine('warning', { title: 'A: b, c', file: undefined }, '50% done\nnext')).toBe(
      '::warning title=A%3A b%2C c::50%25 done%0Anext',
    );
    expect(commandLine('error', { title: 'T', file: 'flake.nix', line: 3 }, 'm')).toBe(
      '::error title=T,file=flake.nix,line=3::m',
    );
    expect(commandLine('endgroup', {}, '')).toBe('::endgroup::');
  });

  it('writes file commands in the heredoc form the runner parses', () => {
    restoreEnv = saveProcessEnv();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wf-')), 'output');
    fs.writeFileSync(file, '');
    process.env['GITHUB_OUTPUT'] = file;
    expect(fileCommand('OUTPUT', keyValueMessage('zip-path', 'a\nb'))).toBe(true);
    expect(fileCommand('OUTPUT', keyValueMessage('x', ''))).toBe(true);
    expect(parseFileCommands(fs.readFileSync(file, 'utf8'))).toEqual({ 'zip-path': 'a\nb', x: '' });
    delete process.env['GITHUB_ENV'];
    expect(fileCommand('ENV', 'ignored')).toBe(false);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('reads inputs as @actions/core does: INPUT_<NAME>, trimmed', () => {
    expect(inputValue('library-layer', { 'INPUT_LIBRARY-LAYER': '  libs \n' })).toBe('libs');
    expect(inputValue('missing', {})).toBe('');
  });
});
