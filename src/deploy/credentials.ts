import {
  AssumeRoleWithWebIdentityCommand,
  STSClient,
  type AssumeRoleWithWebIdentityCommandOutput,
  type AssumeRoleWithWebIdentityRequest,
} from '@aws-sdk/client-sts';
import { ActionError } from '../util/errors.js';
import { registerSecret, scrubSecrets } from '../util/secrets.js';
import type { Logger } from '../util/log.js';
import { awsError, explainAwsError, isAwsError } from './aws-errors.js';
import type { AwsCredentials, DeployOptions } from './types.js';

/**
 * Credentials for the deploy. Without role-to-assume, the SDK's default chain
 * (environment, profiles, web identity file, container and instance roles) is
 * left to the SDK. With role-to-assume, GitHub's OIDC token is exchanged with
 * STS AssumeRoleWithWebIdentity, and the temporary keys are masked at once.
 * STS answers InvalidIdentityToken ("Couldn't retrieve verification key from your identity
 * provider") or IDPCommunicationError while it cannot reach GitHub's OIDC keys: those are tried
 * again with backoff, as configure-aws-credentials does (12 requests in all); any other error fails at once.
 */

/** The STS errors that say the token could not be checked yet, rather than that it is wrong. */
export const OIDC_RETRYABLE = ['InvalidIdentityTokenException', 'IDPCommunicationErrorException'];

export const OIDC_AUDIENCE = 'sts.amazonaws.com';

/** A RoleSessionName STS accepts ([\w+=,.@-]{2,64}) that says which run made the change. */
export function sessionName(env: NodeJS.ProcessEnv = process.env): string {
  const parts = ['nix-lambda', env['GITHUB_RUN_ID'], env['GITHUB_RUN_ATTEMPT']].filter(Boolean).join('-');
  return parts.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

type OidcRetryOptions = Pick<DeployOptions, 'oidcAttempts' | 'oidcBackoffBaseMs' | 'oidcBackoffMaxMs'>;

/** The wait before attempt n + 1 (n from 1): full jitter over base * 2^(n-1), capped. */
export function oidcBackoffMs(n: number, opts: OidcRetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(opts.oidcBackoffMaxMs, opts.oidcBackoffBaseMs * 2 ** (n - 1));
  return Math.round(random() * ceiling);
}

/** The requests a failed SDK call made ($metadata.attempts; 1 when absent). */
function requestsMade(err: unknown): number {
  const attempts = (err as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  return typeof attempts === 'number' && attempts > 0 ? attempts : 1;
}

/**
 * AssumeRoleWithWebIdentity, tried again with backoff while STS cannot check the token, at most
 * oidcAttempts requests in all. The SDK retries IDPCommunicationError itself (the error is
 * retryable in STS's model), so its attempts count too: each call gets a client whose maxAttempts
 * is what is left.
 */
export async function assumeWithRetries(
  request: AssumeRoleWithWebIdentityRequest,
  log: Logger,
  o: {
    opts: OidcRetryOptions & Pick<DeployOptions, 'maxAttempts'>;
    /** An STS client making at most maxAttempts requests a call. */
    client: (maxAttempts: number) => Pick<STSClient, 'send' | 'destroy'>;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<AssumeRoleWithWebIdentityCommandOutput> {
  const { opts } = o;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let used = 0;
  for (let call = 1; ; call++) {
    const sts = o.client(Math.max(1, Math.min(opts.maxAttempts, opts.oidcAttempts - used)));
    try {
      return await sts.send(new AssumeRoleWithWebIdentityCommand(request));
    } catch (err) {
      if (!isAwsError(err, ...OIDC_RETRYABLE)) throw err;
      used += requestsMade(err);
      const { name, message } = awsError(err);
      if (used >= opts.oidcAttempts)
        throw new ActionError(
          'Could not assume the role',
          `AssumeRoleWithWebIdentity on ${request.RoleArn ?? '?'} failed ${used} times: ${name}: ${scrubSecrets(message)}. ` +
            "STS could not check GitHub's OIDC token (it fetches the provider's keys from token.actions.githubusercontent.com); re-run the job, " +
            'and check that the IAM OIDC provider exists for token.actions.githubusercontent.com with audience sts.amazonaws.com.',
          { cause: err },
        );
      const wait = oidcBackoffMs(call, opts);
      log.info(
        `AssumeRoleWithWebIdentity: ${name} (${scrubSecrets(message)}), attempt ${used} of ${opts.oidcAttempts}; trying again in ${wait} ms.`,
      );
      await sleep(wait);
    } finally {
      sts.destroy();
    }
  }
}

export async function assumeRoleWithOidc(
  roleArn: string,
  region: string,
  log: Logger,
  opts: Pick<DeployOptions, 'maxAttempts' | 'retryMode'> & OidcRetryOptions,
  host: {
    /** Asks GitHub for an OIDC token for the audience (host.ts's requestIdToken on a runner). */
    idToken: (audience: string) => Promise<string>;
    env?: NodeJS.ProcessEnv;
  },
): Promise<AwsCredentials> {
  const env = host.env ?? process.env;
  if (!env['ACTIONS_ID_TOKEN_REQUEST_URL'] || !env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'])
    throw new ActionError(
      'No OIDC token',
      "role-to-assume needs GitHub's OIDC token, but ACTIONS_ID_TOKEN_REQUEST_URL is not set: add `permissions: id-token: write` to the job. " +
        '(Pull requests from forks never get a token; there, deploy with another trigger or leave deploy out of `stages`.)',
    );
  let token: string;
  try {
    token = await host.idToken(OIDC_AUDIENCE);
  } catch (err) {
    throw new ActionError('No OIDC token', `could not get GitHub's OIDC token: ${(err as Error).message}`, {
      cause: err,
    });
  }
  registerSecret(token);
  log.setSecret(token);
  try {
    const out = await assumeWithRetries(
      { RoleArn: roleArn, RoleSessionName: sessionName(env), WebIdentityToken: token },
      log,
      {
        opts,
        client: (maxAttempts) => new STSClient({ region, maxAttempts, retryMode: opts.retryMode }),
      },
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new ActionError(
        'AssumeRoleWithWebIdentity failed',
        `STS returned no credentials for ${roleArn}.`,
      );
    for (const secret of [c.AccessKeyId, c.SecretAccessKey, c.SessionToken]) {
      log.setSecret(secret);
      registerSecret(secret);
    }
    log.info(`Assumed ${out.AssumedRoleUser?.Arn ?? roleArn} with the workflow's OIDC token.`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration ? { expiration: c.Expiration } : {}),
    };
  } catch (err) {
    if (err instanceof ActionError) throw err;
    const e = explainAwsError(err, 'AssumeRoleWithWebIdentity', roleArn);
    throw new ActionError(
      'Could not assume the role',
      `${e.message}\nCheck the role's trust policy: it must trust token.actions.githubusercontent.com as a federated principal, ` +
        `with audience ${OIDC_AUDIENCE} and a sub condition matching this repository (and branch or environment).`,
      { cause: err },
    );
  }
}
