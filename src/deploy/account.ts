import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { ActionError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import { awsCall } from './aws-errors.js';

/**
 * The account guard (allowed-account-ids): before any change, STS GetCallerIdentity with the
 * deploy's own credentials says which account they act in; an account not listed is refused, naming
 * both, and nothing is called after it. (configure-aws-credentials added the same guard after users
 * deployed to the wrong account.)
 */
export async function checkAccount(
  sts: Pick<STSClient, 'send'>,
  allowed: readonly string[],
  log: Logger,
): Promise<string | undefined> {
  if (allowed.length === 0) return undefined;
  const who = await awsCall('GetCallerIdentity', 'the deploy credentials', () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  const account = who.Account ?? '';
  const arn = who.Arn ?? 'an unnamed identity';
  if (!allowed.includes(account))
    throw new ActionError(
      'Wrong AWS account',
      `the deploy's credentials (${arn}) are for account ${account || '(none given)'}, which is not in allowed-account-ids ` +
        `(${allowed.join(', ')}); nothing was changed. Give the job credentials for an allowed account ` +
        '(role-to-assume, or aws-actions/configure-aws-credentials), or add the account to allowed-account-ids if this deploy belongs there.',
    );
  log.info(`AWS account ${account} (${arn}) is in allowed-account-ids.`);
  return account;
}
