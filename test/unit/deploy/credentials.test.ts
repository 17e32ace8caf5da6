import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { assumeWithRetries, oidcBackoffMs, sessionName } from '../../../src/deploy/credentials.js';
import { memoryLog } from '../../support/doubles.js';

const OPTS = { oidcAttempts: 12, oidcBackoffBaseMs: 250, oidcBackoffMaxMs: 5000, maxAttempts: 1 };
const REQUEST = {
  RoleArn: 'arn:aws:iam::123456789012:role/r',
  RoleSessionName: 's',
  WebIdentityToken: 'tok-en',
};

function stsError(name: string, attempts = 1): Error {
  return Object.assign(new Error(`${name}: Couldn't retrieve verification key`), {
    name,
    $metadata: { attempts },
  });
}

const sts = mockClient(STSClient);
afterEach(() => {
  sts.reset();
});

describe('credentials', () => {
  it('sessionName is a valid RoleSessionName', () => {
    expect(sessionName({ GITHUB_RUN_ID: '123', GITHUB_RUN_ATTEMPT: '2' })).toBe('nix-lambda-123-2');
    expect(sessionName({})).toMatch(/^[\w+=,.@-]{2,64}$/);
  });

  it('OIDC backoff: full jitter over a doubling ceiling, capped', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => oidcBackoffMs(n, OPTS, () => 1))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
    expect(oidcBackoffMs(3, OPTS, () => 0)).toBe(0);
  });

  it('retries InvalidIdentityToken and IDPCommunicationError, waiting between calls (aws-sdk-client-mock)', async () => {
    sts
      .on(AssumeRoleWithWebIdentityCommand)
      .rejectsOnce(stsError('InvalidIdentityTokenException'))
      .rejectsOnce(stsError('IDPCommunicationErrorException', 3))
      .resolves({
        Credentials: { AccessKeyId: 'A', SecretAccessKey: 'S', SessionToken: 'T', Expiration: new Date() },
      });
    const waits: number[] = [];
    const caps: number[] = [];
    const log = memoryLog();
    const out = await assumeWithRetries(REQUEST, log, {
      opts: { ...OPTS, maxAttempts: 8 },
      client: (maxAttempts) => {
        caps.push(maxAttempts);
        return new STSClient({ region: 'us-east-1', maxAttempts });
      },
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    expect(out.Credentials?.AccessKeyId).toBe('A');
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(3);
    // Each call may make what is left of the 12 requests: 1 made, then 3 more (the SDK's own retries).
    expect(caps).toEqual([8, 8, 8]);
    expect(waits).toHaveLength(2);
    expect(log.lines.join('\n')).toContain('attempt 4 of 12');
    expect(log.lines.join('\n')).not.toContain('tok-en');
  });

  it('gives up once 12 requests were made, and fails at once on any other error', async () => {
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsError('IDPCommunicationErrorException', 4));
    const caps: number[] = [];
    const client = (maxAttempts: number): STSClient => {
      caps.push(maxAttempts);
      return new STSClient({ region: 'us-east-1', maxAttempts });
    };
    await expect(
      assumeWithRetries(REQUEST, memoryLog(), {
        opts: { ...OPTS, maxAttempts: 8 },
        client,
        sleep: async () => {},
      }),
    ).rejects.toThrow(/failed 12 times: IDPCommunicationErrorException/);
    expect(caps).toEqual([8, 8, 4]);

    sts.reset();
    sts.on(AssumeRoleWithWebIdentityCommand).rejects(stsError('AccessDenied'));
    await expect(
      assumeWithRetries(REQUEST, memoryLog(), { opts: OPTS, client, sleep: async () => {} }),
    ).rejects.toThrow(/AccessDenied/);
    expect(sts.commandCalls(AssumeRoleWithWebIdentityCommand)).toHaveLength(1);
  });
});
