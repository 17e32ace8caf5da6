import { describe, expect, it } from 'vitest';
import { inputsParser } from '../../support/inputs.js';

const { parse, problems } = inputsParser({ stages: 'build,package,deploy', 'aws-region': 'eu-west-1' });

const ROLE = 'arn:aws:iam::123456789012:role/exec';

describe('the deploy section', () => {
  it('is there only when the deploy stage runs, with the defaults', () => {
    expect(parse({ stages: 'build,package', 'function-name': 'api' }).deploy).toBeUndefined();
    expect(parse({ 'function-name': 'api, other' }).deploy).toMatchObject({
      functionNames: ['api', 'other'],
      awsRegion: 'eu-west-1',
      publish: false,
      skipUnchanged: true,
      wait: true,
      waitTimeoutSeconds: 300,
      s3: undefined,
      create: undefined,
      configuration: { memorySize: undefined, environmentMode: 'merge', layers: undefined },
    });
  });

  it('gives a function to create its role and runtime; without a role that is a problem only when deploying', () => {
    expect(parse({ 'function-name': 'api', create: 'true', role: ROLE }).deploy?.create).toEqual({
      role: ROLE,
      runtime: 'provided.al2023',
    });
    expect(problems({ 'function-name': 'api', create: 'true' })).toEqual([
      'Input `role`: creating a function (create: true) needs its execution role: set `role` to the role ARN.',
    ]);
    expect(problems({ stages: 'build,package', create: 'true' })).toEqual([]);
  });

  it('keeps an S3 key with its bucket', () => {
    expect(parse({ 'function-name': 'api', 's3-bucket': 'my-bucket' }).deploy?.s3).toEqual({
      bucket: 'my-bucket',
      key: '',
    });
    expect(problems({ 'function-name': 'api', 's3-key': 'k.zip' })).toEqual([
      'Input `s3-key`: set `s3-bucket` too; the key names an object inside that bucket.',
    ]);
  });

  it('needs a function, then a Region', () => {
    expect(problems({})).toEqual([
      'Input `function-name`: the deploy stage needs a function: set `function-name`, or leave deploy out of `stages` to build and package only.',
    ]);
    expect(problems({ 'function-name': 'api', 'aws-region': '' })).toEqual([
      'Input `aws-region`: no Region: set `aws-region`, or AWS_REGION (aws-actions/configure-aws-credentials sets it).',
    ]);
  });

  it('the guards: allowed accounts, architecture-change, keep-versions and the smoke test', () => {
    expect(parse({ 'function-name': 'api' }).deploy).toMatchObject({
      allowedAccountIds: [],
      architectureChange: 'refuse',
      keepVersions: undefined,
      smokeTest: undefined,
    });
    expect(
      parse({
        'function-name': 'api',
        'allowed-account-ids': '123456789012\n210987654321',
        'architecture-change': 'update',
        publish: 'true',
        'keep-versions': '5',
        'smoke-test-payload': '{}',
        'smoke-test-expect': 'ok',
      }).deploy,
    ).toMatchObject({
      allowedAccountIds: ['123456789012', '210987654321'],
      architectureChange: 'update',
      keepVersions: 5,
      smokeTest: { payload: '{}', expect: 'ok', timeoutSeconds: 30 },
    });
    expect(
      problems({ 'function-name': 'api', 'architecture-change': 'switch', 'keep-versions': '0' }),
    ).toEqual([
      'Input `architecture-change`: expected one of refuse, update, got "switch".',
      'Input `keep-versions`: expected a whole number from 1 to 10000, got "0".',
    ]);
  });

  it('the smoke test needs publish when deploying, not in a run that only packages', () => {
    expect(problems({ 'function-name': 'api', 'smoke-test-payload': '{}' })).toEqual([
      'Input `smoke-test-payload`: the smoke test invokes the published version before the alias moves: set `publish: true` as well (or leave deploy out of `stages`).',
    ]);
    expect(problems({ stages: 'build,package', 'smoke-test-payload': '{}' })).toEqual([]);
  });

  it('a partial function ARN names its account too', () => {
    expect(
      problems({ 'function-name': '210987654321:function:api', 'allowed-account-ids': '123456789012' }),
    ).toEqual([
      'Input `allowed-account-ids`: function 210987654321:function:api is in account 210987654321, which is not listed (123456789012): fix the ARN, or add the account.',
    ]);
  });
});
