import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployEnv } from '../../../src/deploy/types.js';
import { deployInputs, mockDeployEnv } from '../../support/doubles.js';
import { TEST_OPTS } from '../../support/lambda-server.js';
import { preflight } from '../../../src/deploy/function.js';

const lambdaMock = mockClient(LambdaClient);
afterEach(() => {
  lambdaMock.reset();
});
const zipBytes = Buffer.from('zip bytes');
const env = (): DeployEnv =>
  mockDeployEnv({
    zipBytes,
    architecture: 'arm64',
    inputs: deployInputs({ publish: true, waitTimeoutSeconds: 5 }),
    opts: TEST_OPTS,
  });

describe('preflight', () => {
  it('preflight refuses an arm64 zip for a function without Architectures (x86_64 by default)', async () => {
    lambdaMock
      .on(GetFunctionCommand)
      .resolves({ Configuration: { FunctionName: 'api', Runtime: 'provided.al2023' } });
    await expect(preflight(env(), 'api')).rejects.toThrow('zip is arm64, function api is x86_64');
  });
});
