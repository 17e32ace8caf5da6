import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError, usage } from '../../src/cli.js';
import { DEFAULTS } from '../../src/inputs/read.js';

describe('parseArgs', () => {
  it('maps a command to its stages and flags to inputs', () => {
    const a = parseArgs(['package', '--flake', '.#api', '--zip', 'out.zip', '--verify=true']);
    expect(a.command).toBe('package');
    expect(a.inputs).toEqual({
      stages: 'build,package',
      flake: '.#api',
      'zip-path': 'out.zip',
      verify: 'true',
    });
    expect(parseArgs(['deploy', '--function-name', 'f']).inputs['stages']).toBe('build,package,deploy');
  });

  it('takes booleans bare, negated or with a value', () => {
    expect(parseArgs(['deploy', '--publish']).inputs['publish']).toBe('true');
    expect(parseArgs(['deploy', '--no-cache']).inputs['cache']).toBe('false');
    expect(parseArgs(['deploy', '--dry-run', 'false']).inputs['dry-run']).toBe('false');
    expect(parseArgs(['deploy', '--dry-run', '--publish']).inputs).toMatchObject({
      'dry-run': 'true',
      publish: 'true',
    });
  });

  it('joins repeated list flags into lines', () => {
    const a = parseArgs([
      'run',
      '--include',
      'a:b',
      '--include',
      'c',
      '--stages',
      'build',
      '--stages',
      'package',
    ]);
    expect(a.inputs['include']).toBe('a:b\nc');
    expect(a.inputs['stages']).toBe('build\npackage');
  });

  it('puts the zip in the current folder by default', () => {
    expect(parseArgs(['package']).inputs['zip-path']).toBe(path.resolve('function.zip'));
  });

  it('reads --json and --verbose', () => {
    expect(parseArgs(['package', '--json', '-v'])).toMatchObject({ json: true, verbose: true });
  });

  it.each([
    [['nope'], /unknown command "nope"/],
    [['package', '--flak', '.'], /unknown flag --flak/],
    [['package', '--flake'], /--flake needs a value/],
    [['package', 'stray'], /unexpected argument "stray"/],
    [['package', '--stages', 'build'], /--stages only goes with the run command/],
  ])('refuses %j', (argv, re) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(re);
  });

  it('treats no command and help as a request for the usage text', () => {
    for (const argv of [[], ['help'], ['--help'], ['package', '-h']])
      expect(() => parseArgs(argv)).toThrow(UsageError);
  });
});

describe('usage', () => {
  it('lists every input as a flag', () => {
    const text = usage();
    for (const name of Object.keys(DEFAULTS)) expect(text).toContain(`--${name}`);
  });
});
