import {
  GetFunctionCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../src/deploy/aws-errors.js';
import {
  creationSettings,
  describeChange,
  desiredEnvironment,
  planConfiguration,
  type ConfigInputs,
} from '../../../src/deploy/configuration.js';
import { sessionName } from '../../../src/deploy/credentials.js';
import { findVersion, preflight, updateFunction, type DeployEnv } from '../../../src/deploy/function.js';
import { defaultS3Key } from '../../../src/deploy/s3.js';
import { elfArchitecture } from '../../../src/deploy/zipinfo.js';
import { codeSha256 } from '../../../src/util/hash.js';
import { ActionError } from '../../../src/util/errors.js';
import type { Inputs } from '../../../src/inputs.js';
import { memoryLog, TEST_OPTS } from '../../support/lambda-server.js';

const NONE: ConfigInputs = {
  memorySize: undefined,
  timeout: undefined,
  environment: undefined,
  environmentMode: 'merge',
  description: undefined,
  layers: undefined,
  ephemeralStorage: undefined,
};

describe('planConfiguration', () => {
  it('plans nothing when no setting is given', () => {
    const plan = planConfiguration(
      'f',
      { MemorySize: 128, Timeout: 3, Environment: { Variables: { A: '1' } } },
      NONE,
      {},
    );
    expect(plan).toEqual({ update: {}, changes: [] });
  });

  it('plans only the settings that differ', () => {
    const plan = planConfiguration(
      'f',
      {
        MemorySize: 128,
        Timeout: 3,
        Description: 'x',
        EphemeralStorage: { Size: 512 },
        Layers: [{ Arn: 'L1' }],
      },
      { ...NONE, memorySize: 128, timeout: 10, description: 'x', ephemeralStorage: 1024, layers: ['L1'] },
      {},
    );
    expect(plan.update).toEqual({ Timeout: 10, EphemeralStorage: { Size: 1024 } });
    expect(plan.changes.map((c) => c.setting)).toEqual(['Timeout', 'EphemeralStorage']);
  });

  it('treats layer order as significant and [] as "remove all"', () => {
    const cur = { Layers: [{ Arn: 'L1' }, { Arn: 'L2' }] };
    expect(planConfiguration('f', cur, { ...NONE, layers: ['L2', 'L1'] }, {}).update).toEqual({
      Layers: ['L2', 'L1'],
    });
    expect(planConfiguration('f', cur, { ...NONE, layers: [] }, {}).update).toEqual({ Layers: [] });
    expect(planConfiguration('f', cur, { ...NONE, layers: ['L1', 'L2'] }, {}).update).toEqual({});
  });

  it('refuses to rewrite an environment Lambda could not decrypt', () => {
    const cur = { Environment: { Error: { ErrorCode: 'KMSAccessDeniedException', Message: 'no key' } } };
    expect(() => planConfiguration('f', cur, { ...NONE, environment: { A: '1' } }, {})).toThrow(
      /cannot be changed without losing/,
    );
  });
});

describe('desiredEnvironment', () => {
  const cur = { A: '1', B: '2' };
  it('merge keeps unnamed variables, replace drops them, absent input leaves them', () => {
    expect(desiredEnvironment(cur, { environment: { B: '3' }, environmentMode: 'merge' }, {})).toEqual({
      A: '1',
      B: '3',
    });
    expect(desiredEnvironment(cur, { environment: { B: '3' }, environmentMode: 'replace' }, {})).toEqual({
      B: '3',
    });
    expect(desiredEnvironment(cur, { environment: undefined, environmentMode: 'replace' }, {})).toEqual(cur);
  });
  it('adds the bundle variables unless the user names them', () => {
    const rt = { SSL_CERT_FILE: '/var/task/ca.pem', LOCALE_ARCHIVE: '/var/task/locale' };
    expect(
      desiredEnvironment({}, { environment: { SSL_CERT_FILE: 'mine' }, environmentMode: 'replace' }, rt),
    ).toEqual({
      SSL_CERT_FILE: 'mine',
      LOCALE_ARCHIVE: '/var/task/locale',
    });
    expect(
      desiredEnvironment({ SSL_CERT_FILE: 'old' }, { environment: undefined, environmentMode: 'merge' }, rt),
    ).toEqual(rt);
  });
  it('change descriptions never carry values', () => {
    const { changes } = creationSettings('f', { ...NONE, environment: { TOKEN: 's3cr3t' } }, {});
    expect(changes).toEqual([{ function: 'f', setting: 'Environment.TOKEN', from: null, to: '(set)' }]);
    expect(changes.map(describeChange).join()).not.toContain('s3cr3t');
  });
});

describe('helpers', () => {
  it('elfArchitecture reads e_machine', () => {
    const h = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]).copy(h);
    h.writeUInt16LE(62, 18);
    expect(elfArchitecture(h)).toBe('x86_64');
    h.writeUInt16LE(183, 18);
    expect(elfArchitecture(h)).toBe('arm64');
    h[4] = 1; // 32-bit
    expect(() => elfArchitecture(h)).toThrow(/64-bit little-endian/);
  });
  it('defaultS3Key uses the function name (also from an ARN) and the hex SHA-256', () => {
    const sha = codeSha256(Buffer.from('x'));
    const hex = Buffer.from(sha, 'base64').toString('hex');
    expect(defaultS3Key('api', sha)).toBe(`nix-lambda/api/${hex}.zip`);
    expect(defaultS3Key('arn:aws:lambda:us-east-1:123456789012:function:api', sha)).toBe(
      `nix-lambda/api/${hex}.zip`,
    );
  });
  it('sessionName is a valid RoleSessionName', () => {
    expect(sessionName({ GITHUB_RUN_ID: '123', GITHUB_RUN_ATTEMPT: '2' })).toBe('nix-lambda-123-2');
    expect(sessionName({})).toMatch(/^[\w+=,.@-]{2,64}$/);
  });
  it('explainAwsError names the permission on access denied and says where credentials come from', () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(explainAwsError(denied, 'PublishVersion', 'api').message).toMatch(/lambda:PublishVersion on api/);
    const bad = Object.assign(new Error('The security token included in the request is invalid'), {
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(explainAwsError(bad, 'GetFunction', 'api').title).toBe('AWS credentials rejected');
  });
});

describe('with aws-sdk-client-mock', () => {
  const lambdaMock = mockClient(LambdaClient);
  afterEach(() => {
    lambdaMock.reset();
  });
  const zipBytes = Buffer.from('zip bytes');
  const sha = codeSha256(zipBytes);
  const inputs = {
    create: false,
    awsRegion: 'us-east-1',
    skipUnchanged: true,
    dryRun: false,
    wait: true,
    publish: true,
    alias: '',
    waitTimeoutSeconds: 5,
    s3Bucket: '',
    s3Key: '',
    ...NONE,
  } as unknown as Inputs;
  const env = (): DeployEnv => ({
    clients: { lambda: new LambdaClient({ region: 'us-east-1' }), s3: new S3Client({ region: 'us-east-1' }) },
    inputs,
    log: memoryLog(),
    zip: { path: 'z.zip', bytes: zipBytes, sha256: sha, architecture: 'arm64', runtimeEnv: {} },
    opts: TEST_OPTS,
    uploads: new Map(),
  });

  it('findVersion pages through ListVersionsByFunction and picks the newest version holding the code', async () => {
    lambdaMock
      .on(ListVersionsByFunctionCommand, { FunctionName: 'api', Marker: undefined })
      .resolves({
        Versions: [
          { Version: '$LATEST', CodeSha256: sha, Architectures: ['arm64'] },
          { Version: '3', CodeSha256: sha, Architectures: ['arm64'] },
        ],
        NextMarker: 'm',
      })
      .on(ListVersionsByFunctionCommand, { FunctionName: 'api', Marker: 'm' })
      .resolves({
        Versions: [
          { Version: '7', CodeSha256: sha, Architectures: ['x86_64'] },
          { Version: '12', CodeSha256: sha, Architectures: ['arm64'] },
          { Version: '13', CodeSha256: 'other', Architectures: ['arm64'] },
        ],
      });
    expect(await findVersion(env(), 'api')).toBe('12');
    expect(lambdaMock.commandCalls(ListVersionsByFunctionCommand)).toHaveLength(2);
  });

  it('preflight refuses an arm64 zip for a function without Architectures (x86_64 by default)', async () => {
    lambdaMock
      .on(GetFunctionCommand)
      .resolves({ Configuration: { FunctionName: 'api', Runtime: 'provided.al2023' } });
    await expect(preflight(env(), 'api')).rejects.toThrow('zip is arm64, function api is x86_64');
  });

  it('PublishVersion is guarded by CodeSha256 and RevisionId; a mismatch is an error, not another version', async () => {
    const e = env();
    lambdaMock
      .on(UpdateFunctionCodeCommand)
      .resolves({ CodeSha256: sha, RevisionId: 'r2', LastUpdateStatus: 'InProgress' })
      .on(GetFunctionCommand)
      .resolves({
        Configuration: {
          CodeSha256: sha,
          RevisionId: 'r3',
          LastUpdateStatus: 'Successful',
          Architectures: ['arm64'],
        },
      })
      .on(PublishVersionCommand)
      .rejects(
        Object.assign(new Error('CodeSHA256 (x) is different from current CodeSHA256 in $LATEST (y).'), {
          name: 'InvalidParameterValueException',
          $metadata: { httpStatusCode: 400 },
        }),
      );
    const err = await updateFunction(e, {
      fn: 'api',
      config: { FunctionArn: 'arn', CodeSha256: 'old', RevisionId: 'r1', Architectures: ['arm64'] },
    }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).message).toMatch(
      /PublishVersion on api failed: InvalidParameterValueException/,
    );
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input).toMatchObject({
      RevisionId: 'r1',
      Architectures: ['arm64'],
      Publish: false,
    });
    expect(lambdaMock.commandCalls(PublishVersionCommand)[0]!.args[0].input).toEqual({
      FunctionName: 'api',
      CodeSha256: sha,
      RevisionId: 'r3',
    });
  });
});
