import {
  GetFunctionCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployEnv } from '../../../src/deploy/types.js';
import { codeSha256 } from '../../../src/util/hash.js';
import { deployInputs, mockDeployEnv } from '../../support/doubles.js';
import { TEST_OPTS } from '../../support/lambda-server.js';
import { updateFunction } from '../../../src/deploy/update.js';
import { ActionError } from '../../../src/util/errors.js';

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

describe('updateFunction', () => {
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
