import { LambdaClient, ListVersionsByFunctionCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployEnv } from '../../../src/deploy/types.js';
import { codeSha256 } from '../../../src/util/hash.js';
import { deployInputs, mockDeployEnv } from '../../support/doubles.js';
import { TEST_OPTS } from '../../support/lambda-server.js';
import { findVersion } from '../../../src/deploy/publish.js';

const lambdaMock = mockClient(LambdaClient);
afterEach(() => {
  lambdaMock.reset();
});
const zipBytes = Buffer.from('zip bytes');
const sha = codeSha256(zipBytes);
const env = (): DeployEnv =>
  mockDeployEnv({
    zipBytes,
    architecture: 'arm64',
    inputs: deployInputs({ publish: true, waitTimeoutSeconds: 5 }),
    opts: TEST_OPTS,
  });

describe('versions', () => {
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
});
