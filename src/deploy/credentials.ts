import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ActionError } from '../util/errors.js';
import { registerSecret } from '../util/secrets.js';
import type { Logger } from '../util/log.js';
import { explainAwsError } from './aws-errors.js';
import type { AwsCredentials, DeployOptions } from './types.js';

/**
 * Credentials for the deploy. Without role-to-assume, the SDK's default chain
 * (environment, profiles, web identity file, container and instance roles) is
 * left to the SDK. With role-to-assume, GitHub's OIDC token is exchanged with
 * STS AssumeRoleWithWebIdentity, and the temporary keys are masked at once.
 */

export const OIDC_AUDIENCE = 'sts.amazonaws.com';

/** A RoleSessionName STS accepts ([\w+=,.@-]{2,64}) that says which run made the change. */
export function sessionName(env: NodeJS.ProcessEnv = process.env): string {
  const parts = ['nix-lambda', env['GITHUB_RUN_ID'], env['GITHUB_RUN_ATTEMPT']].filter(Boolean).join('-');
  return parts.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

export async function assumeRoleWithOidc(
  roleArn: string,
  region: string,
  log: Logger,
  opts: Pick<DeployOptions, 'maxAttempts' | 'retryMode'>,
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
  const sts = new STSClient({ region, maxAttempts: opts.maxAttempts, retryMode: opts.retryMode });
  try {
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName(env),
        WebIdentityToken: token,
      }),
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
  } finally {
    sts.destroy();
  }
}
