import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  builtOutputs,
  deployOutputs,
  localSmokeTestOutputs,
  layerOutputs,
  nixOutputs,
  OUTPUT_NAMES,
  packageOutputs,
  programOutputs,
  runtimeEnvOutputs,
  smokeTestOutputs,
  summaryOutputs,
} from '../../../src/action/outputs.js';
import type { PackageResult } from '../../../src/context.js';
import type { DeployResult, SmokeTestReport } from '../../../src/deploy/types.js';
import { ROOT } from '../../support/runner.js';

const yml = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  outputs: Record<string, unknown>;
};

const pkg: PackageResult = {
  zipPath: '/tmp/function.zip',
  codeSha256: 'q83vEjRWeJA=',
  zipBytes: 1234,
  unzippedBytes: 5678,
  architecture: 'arm64',
  bundleDir: '/tmp/root/var/task',
  files: [],
  libraries: [{ soname: 'libz.so.1', storePath: '/nix/store/x-zlib', bytes: 100 }],
  runtimeEnv: { TZDIR: '/var/task/share/zoneinfo' },
  verified: 'loader',
  references: [],
};
const deployment = (fn: string): DeployResult => ({
  function: fn,
  arn: `arn:aws:lambda:us-east-1:123456789012:function:${fn}`,
  version: '3',
  alias: 'live',
  codeSha256: 'q83vEjRWeJA=',
  revisionId: `rev-${fn}`,
  status: 'updated',
  codeUpdated: true,
  bytesUploaded: 1234,
  upload: 'direct',
  configChanges: [{ function: fn, setting: 'Timeout', from: 3, to: 10 }],
  smokeTest: 'passed',
  deletedVersions: ['1', '2'],
  durationMs: 10,
});

describe('the outputs', () => {
  it('are the outputs action.yml declares, no more, no fewer', () => {
    expect([...OUTPUT_NAMES].sort()).toEqual(Object.keys(yml.outputs).sort());
  });

  it('are all set by the functions of outputs.ts, each by one', () => {
    const sets = [
      nixOutputs({ nix: '/bin/nix', binDir: '/bin', version: '2.8.0', installed: false, daemon: false }),
      builtOutputs('/nix/store/x-out'),
      programOutputs({ programPath: '/nix/store/x-out/bin/bootstrap' }),
      packageOutputs(pkg),
      localSmokeTestOutputs({ result: 'passed' }),
      deployOutputs([deployment('a')]),
      smokeTestOutputs(['a'], new Map()),
      layerOutputs({
        name: 'libs',
        arn: 'arn:aws:lambda:us-east-1:123456789012:layer:libs:4',
        version: '4',
        status: 'reused',
        sha256: 'a'.repeat(64),
        zipBytes: 0,
        bytesUploaded: 0,
        upload: '',
      }),
      summaryOutputs({ ok: true, stages: [], deployments: [] }),
    ];
    const names = sets.flatMap((s) => Object.keys(s));
    expect(names.sort()).toEqual(Object.keys(yml.outputs).sort());
  });

  it('write numbers and JSON as strings, and one line per function', () => {
    expect(packageOutputs(pkg)).toMatchObject({
      'zip-sha256': 'q83vEjRWeJA=',
      'zip-bytes': '1234',
      libraries: '[{"soname":"libz.so.1","storePath":"/nix/store/x-zlib","bytes":100}]',
      'runtime-environment': '{"TZDIR":"/var/task/share/zoneinfo"}',
    });
    const two = deployOutputs([deployment('a'), deployment('b')]);
    expect(two['revision-id']).toBe('rev-a\nrev-b');
    expect(JSON.parse(two['config-changes']!)).toHaveLength(2);
  });

  it('smoke-test-result: one line per function, skipped where no test ran; deleted-versions likewise', () => {
    const report = (fn: string, result: 'passed' | 'failed'): SmokeTestReport => ({
      function: fn,
      version: '3',
      result,
      reason: '',
      statusCode: 200,
      functionError: '',
      response: '',
      logTail: '',
      durationMs: 1,
    });
    const reports = new Map([
      ['a', report('a', 'passed')],
      ['c', report('c', 'failed')],
    ]);
    expect(smokeTestOutputs(['a', 'b', 'c'], reports)).toEqual({
      'smoke-test-result': 'passed\nskipped\nfailed',
    });
    const b = { ...deployment('b'), deletedVersions: [] };
    expect(deployOutputs([deployment('a'), b])['deleted-versions']).toBe('1,2\n');
    expect(runtimeEnvOutputs({ TZDIR: '/var/task/share/zoneinfo' })).toEqual({
      'runtime-environment': '{"TZDIR":"/var/task/share/zoneinfo"}',
    });
    expect(packageOutputs(pkg)['runtime-environment']).toBe(
      runtimeEnvOutputs(pkg.runtimeEnv)['runtime-environment'],
    );
  });
});
