import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/util/errors.js';
import { parseInputs } from '../../../src/inputs/parse.js';
import { DEFAULTS, splitList, STAGES } from '../../../src/inputs/read.js';
import { actionInputs } from '../../support/runner.js';

const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-'));
fs.writeFileSync(path.join(ws, 'flake.nix'), '{ outputs = _: {}; }');
fs.mkdirSync(path.join(ws, 'sub'));
fs.writeFileSync(path.join(ws, 'sub', 'flake.nix'), '{ outputs = _: {}; }');

const base = { stages: 'build,package' };
function parse(values: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  return parseInputs((n) => values[n] ?? '', { workspace: ws, tempDir: '/tmp/rt', env });
}
function problems(values: Record<string, string>, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parse(values, env);
  } catch (e) {
    if (e instanceof InputError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('action.yml and inputs.ts', () => {
  it('declare the same inputs with the same defaults', () => {
    const yml = actionInputs();
    expect(Object.keys(yml).sort()).toEqual(Object.keys(DEFAULTS).sort());
    for (const [name, spec] of Object.entries(yml)) {
      const def = spec.default ?? '';
      if (def.includes('${{')) continue;
      expect(DEFAULTS[name], name).toBe(def);
    }
  });
});

describe('parseInputs', () => {
  it('parses the defaults for a package-only run', () => {
    const i = parse(base);
    expect(i.stages).toEqual(['build', 'package']);
    expect(i.build.installable).toBe(ws);
    expect(i.build.flakeDir).toBe(ws);
    expect(i.package.taskRoot).toBe('/var/task');
    expect(i.package.zipPath).toBe('/tmp/rt/nix-lambda/function.zip');
    expect(i.package.verify).toBe('auto');
    expect(i.cachix.cachixPush).toBe(false);
    expect(i.deploy).toBeUndefined();
  });

  it('resolves path flakes against the workspace and keeps the attribute', () => {
    expect(parse({ ...base, flake: './sub#app' }).build.installable).toBe(`${path.join(ws, 'sub')}#app`);
    expect(parse({ ...base, flake: '.#packages.x86_64-linux.default' }).build.installable).toBe(
      `${ws}#packages.x86_64-linux.default`,
    );
    expect(parse({ ...base, flake: 'github:owner/repo#app' }).build.installable).toBe(
      'github:owner/repo#app',
    );
  });

  it('orders stages and removes duplicates', () => {
    expect(parse({ stages: 'package, build\nbuild' }).stages).toEqual(['build', 'package']);
    expect(STAGES).toHaveLength(5);
  });

  it('splits lists on commas and newlines and drops comments', () => {
    expect(splitList('a, b\n# c\n\n d')).toEqual(['a', 'b', 'd']);
  });

  it('parses include lines', () => {
    const i = parse({
      ...base,
      include: 'share/data\n/nix/store/abc-cacert/etc/ssl/certs/ca-bundle.crt:etc/ca.crt',
    });
    expect(i.package.include).toEqual([
      { source: 'share/data', target: 'share/data' },
      { source: '/nix/store/abc-cacert/etc/ssl/certs/ca-bundle.crt', target: 'etc/ca.crt' },
    ]);
  });

  it('takes the Region from the environment, then from a function ARN', () => {
    const fn = { stages: 'deploy', 'zip-path': path.join(ws, 'flake.nix') };
    expect(parse({ ...fn, 'function-name': 'f' }, { AWS_REGION: 'eu-west-1' }).deploy?.awsRegion).toBe(
      'eu-west-1',
    );
    expect(
      parse({ ...fn, 'function-name': 'f' }, { AWS_DEFAULT_REGION: 'eu-west-2' }).deploy?.awsRegion,
    ).toBe('eu-west-2');
    expect(
      parse({ ...fn, 'function-name': 'arn:aws:lambda:ap-south-1:123456789012:function:f' }).deploy
        ?.awsRegion,
    ).toBe('ap-south-1');
  });

  const cases: [string, Record<string, string>, RegExp][] = [
    ['unknown stage', { stages: 'build,packge' }, /`stages`: unknown stage "packge"/],
    ['empty stages', { stages: ' , ' }, /`stages`: no stage selected/],
    ['package without build', { stages: 'package' }, /`stages`: the package stage needs the build stage/],
    ['flake with whitespace', { ...base, flake: '. #x' }, /`flake`:.*whitespace/],
    ['flake with empty attribute', { ...base, flake: '.#' }, /`flake`:.*attribute after #/],
    ['flake folder without flake.nix', { ...base, flake: './nope' }, /`flake`: no flake.nix/],
    ['malformed flake ref', { ...base, flake: 'git hub:x' }, /`flake`/],
    [
      'program escaping the output',
      { ...base, program: '../etc/passwd' },
      /`program`: ".*" must be a path inside/,
    ],
    ['absolute program', { ...base, program: '/bin/sh' }, /`program`/],
    ['relative task-root', { ...base, 'task-root': 'var/task' }, /`task-root`/],
    ['include escaping', { ...base, include: '../x' }, /`include`: "..\/x" escapes/],
    ['include outside the store', { ...base, include: '/etc/passwd' }, /`include`:.*outside the Nix store/],
    [
      'include replacing bootstrap',
      { ...base, include: 'bin/x:bootstrap' },
      /`include`:.*replace the bootstrap/,
    ],
    [
      'zip-path in a missing folder',
      { ...base, 'zip-path': 'nope/f.zip' },
      /`zip-path`: folder .* does not exist/,
    ],
    ['verify not a choice', { ...base, verify: 'maybe' }, /`verify`: expected one of auto, true, false/],
    ['bad boolean', { ...base, cache: 'yes please' }, /`cache`: expected true or false/],
    [
      'deploy without function',
      { stages: 'build,package,deploy' },
      /`function-name`: the deploy stage needs a function/,
    ],
    [
      'function name with spaces',
      { stages: 'build,package,deploy', 'function-name': 'my fn', 'aws-region': 'us-east-1' },
      /`function-name`: "my fn"/,
    ],
    [
      'function ARN with alias',
      {
        stages: 'build,package,deploy',
        'function-name': 'arn:aws:lambda:us-east-1:123456789012:function:f:live',
      },
      /`function-name`/,
    ],
    [
      'duplicate function',
      { stages: 'build,package,deploy', 'function-name': 'a\na', 'aws-region': 'us-east-1' },
      /lists a function twice/,
    ],
    ['no region', { stages: 'build,package,deploy', 'function-name': 'f' }, /`aws-region`: no Region/],
    ['invalid region', { ...base, 'aws-region': 'Frankfurt' }, /`aws-region`: "Frankfurt"/],
    ['alias without publish', { ...base, alias: 'live' }, /`alias`:.*publish: true/],
    ['numeric alias', { ...base, alias: '12', publish: 'true' }, /`alias`: "12"/],
    [
      'non-numeric timeout',
      { ...base, 'wait-timeout-seconds': 'ten' },
      /`wait-timeout-seconds`: expected a whole number/,
    ],
    ['s3-key without bucket', { ...base, 's3-key': 'a.zip' }, /`s3-key`: set `s3-bucket`/],
    ['s3 URL as bucket', { ...base, 's3-bucket': 's3://b' }, /`s3-bucket`/],
    ['bad role ARN', { ...base, 'role-to-assume': 'admin' }, /`role-to-assume`/],
    [
      'create without role',
      { stages: 'build,package,deploy', 'function-name': 'f', 'aws-region': 'us-east-1', create: 'true' },
      /`role`: creating a function/,
    ],
    [
      'memory out of range',
      { ...base, 'memory-size': '64' },
      /`memory-size`: expected a whole number from 128 to 10240/,
    ],
    ['timeout out of range', { ...base, timeout: '901' }, /`timeout`/],
    ['environment not JSON', { ...base, environment: 'A=1' }, /`environment`: expected a JSON object/],
    [
      'environment reserved name',
      { ...base, environment: '{"AWS_REGION":"x"}' },
      /`environment`: "AWS_REGION" is reserved/,
    ],
    ['bad layer ARN', { ...base, layers: 'arn:aws:lambda:us-east-1:1:layer:x' }, /`layers`/],
    ['installer hash not hex', { ...base, 'installer-sha256': 'abc' }, /`installer-sha256`/],
    ['installer URL', { ...base, 'installer-url': 'ftp://x' }, /`installer-url`/],
    ['cachix URL as name', { ...base, 'cachix-cache': 'https://x.cachix.org' }, /`cachix-cache`/],
    ['token without cache', { ...base, 'cachix-auth-token': 'tok' }, /`cachix-cache`: a Cachix token/],
    ['bad push filter', { ...base, 'push-filter': '(' }, /`push-filter`: not a valid regular expression/],
    ['bad push-to', { ...base, 'push-to': '/srv/cache' }, /`push-to`/],
    ['unknown installer', { ...base, 'nix-installer': 'brew' }, /`nix-installer`/],
    ['runtime', { ...base, runtime: 'nodejs20.x' }, /`runtime`/],
    [
      'deploy without package or zip',
      { stages: 'deploy', 'function-name': 'f', 'aws-region': 'us-east-1' },
      /`zip-path`: deploy without the package stage/,
    ],
  ];
  it.each(cases)('rejects %s, naming the input', (_name, values, re) => {
    const p = problems(values);
    expect(p.join('\n')).toMatch(re);
    expect(p.every((x) => /^Input `[a-z0-9-]+`: /.test(x))).toBe(true);
  });

  it('reports every problem at once', () => {
    const p = problems({ stages: 'nope', verify: 'x', 'memory-size': 'big' });
    expect(p.length).toBeGreaterThanOrEqual(3);
  });

  it('never puts a secret value into a message', () => {
    const secret = 'sekrit-token-value-123';
    const p = problems({ ...base, 'cachix-auth-token': secret, 'cachix-push': 'maybe' });
    expect(p.length).toBeGreaterThan(0);
    expect(p.join('\n')).not.toContain(secret);
  });
});

describe('the bundle inputs of issue 11', () => {
  it('bundle-data: auto by default, a list with or without auto, none', () => {
    expect(parse(base).package.bundleData).toEqual({ auto: true, sets: [] });
    expect(parse({ ...base, 'bundle-data': 'auto, gconv' }).package.bundleData).toEqual({
      auto: true,
      sets: ['gconv'],
    });
    expect(parse({ ...base, 'bundle-data': 'tzdata\nterminfo' }).package.bundleData).toEqual({
      auto: false,
      sets: ['tzdata', 'terminfo'],
    });
    expect(parse({ ...base, 'bundle-data': 'none' }).package.bundleData).toEqual({ auto: false, sets: [] });
    // bundle-certificates is the same as naming certificates
    expect(
      parse({ ...base, 'bundle-data': 'none', 'bundle-certificates': 'true' }).package.bundleData,
    ).toEqual({
      auto: false,
      sets: ['certificates'],
    });
  });
  it('bundle-data: an unknown entry, or none with others, names the input and the choices', () => {
    expect(problems({ ...base, 'bundle-data': 'auto, fonts' })).toEqual([
      'Input `bundle-data`: unknown entry "fonts"; write auto, none, or some of certificates, locales, gconv, tzdata, terminfo (with or without auto).',
    ]);
    expect(problems({ ...base, 'bundle-data': 'none, gconv' })).toEqual([
      'Input `bundle-data`: `none` cannot be combined with other entries.',
    ]);
  });
  it('extra-libraries and exclude-libraries: names, patterns and store paths', () => {
    const h = '0123456789abcdfghijklmnpqrsvwxyz';
    const r = parse({
      ...base,
      'extra-libraries': `libfoo.so.1\n/nix/store/${h}-x/lib/libx.so`,
      'exclude-libraries': 'libGL*.so*, libcuda.so.1',
    });
    expect(r.package.extraLibraries).toEqual(['libfoo.so.1', `/nix/store/${h}-x/lib/libx.so`]);
    expect(r.package.excludeLibraries).toEqual(['libGL*.so*', 'libcuda.so.1']);
    expect(problems({ ...base, 'extra-libraries': 'foo', 'exclude-libraries': 'lib/x.so' })).toEqual([
      'Input `extra-libraries`: "foo" is neither a library name (libfoo.so.1) nor a /nix/store path of the build\'s closure.',
      'Input `exclude-libraries`: "lib/x.so" is not a library name or a pattern such as libGL*.so*.',
    ]);
  });
});

describe('deploy-only jobs (issue 14)', () => {
  it('a job that only downloaded the zip: no checkout, no flake.nix, and no problem with it', () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-only-'));
    const zip = path.join(bare, 'function.zip');
    fs.writeFileSync(zip, 'PK');
    try {
      const read = (values: Record<string, string>) =>
        parseInputs((n) => values[n] ?? '', { workspace: bare, tempDir: bare, env: {} });
      const i = read({
        stages: 'deploy',
        'zip-path': 'function.zip',
        'function-name': 'f',
        'aws-region': 'us-east-1',
      });
      expect(i.deploy?.zipPath).toBe(zip);
      // The same workspace with the build stage: the flake is checked against the disk.
      expect(() =>
        read({ stages: 'build,package,deploy', 'function-name': 'f', 'aws-region': 'us-east-1' }),
      ).toThrow(/Input `flake`: no flake.nix/);
      // An input no stage uses is still checked for what it says.
      expect(() =>
        read({
          stages: 'deploy',
          'zip-path': 'function.zip',
          'function-name': 'f',
          'aws-region': 'us-east-1',
          flake: '. #x',
        }),
      ).toThrow(/`flake`:.*whitespace/);
      // zip-path's folder matters only to a stage that writes or reads the zip.
      expect(read({ stages: 'install', 'zip-path': 'missing/function.zip' }).stages).toEqual(['install']);
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  });
});
