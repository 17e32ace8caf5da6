import { ActionError } from '../util/errors.js';
import { scrubSecrets } from '../util/secrets.js';

/**
 * Turns AWS SDK errors into messages a workflow author can act on: which call,
 * which permission, what to do next.
 */

/** The IAM action each call of the stage needs. */
export const PERMISSIONS: Readonly<Record<string, string>> = {
  GetFunction: 'lambda:GetFunction',
  GetFunctionConfiguration: 'lambda:GetFunctionConfiguration',
  UpdateFunctionCode: 'lambda:UpdateFunctionCode',
  UpdateFunctionConfiguration: 'lambda:UpdateFunctionConfiguration',
  PublishVersion: 'lambda:PublishVersion',
  ListVersionsByFunction: 'lambda:ListVersionsByFunction',
  GetAlias: 'lambda:GetAlias',
  CreateAlias: 'lambda:CreateAlias',
  UpdateAlias: 'lambda:UpdateAlias',
  CreateFunction: 'lambda:CreateFunction (and iam:PassRole on the execution role)',
  ListLayerVersions: 'lambda:ListLayerVersions',
  GetLayerVersion: 'lambda:GetLayerVersion',
  PublishLayerVersion: 'lambda:PublishLayerVersion',
  PutObject: 's3:PutObject',
  CreateMultipartUpload: 's3:PutObject',
  UploadPart: 's3:PutObject',
  CompleteMultipartUpload: 's3:PutObject',
  AssumeRoleWithWebIdentity: 'sts:AssumeRoleWithWebIdentity',
  GetCallerIdentity: 'sts:GetCallerIdentity (every identity has it unless a policy denies it)',
  Invoke: 'lambda:InvokeFunction',
  ListAliases: 'lambda:ListAliases',
  DeleteFunction: 'lambda:DeleteFunction',
};

export interface AwsErrorShape {
  name: string;
  message: string;
  status: number | undefined;
}

export function awsError(err: unknown): AwsErrorShape {
  const e = err as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    status: e?.$metadata?.httpStatusCode,
  };
}

export function isAwsError(err: unknown, ...names: string[]): boolean {
  return names.includes(awsError(err).name);
}

const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'CredentialsProviderError',
]);

/**
 * Wraps an error of `operation` on `target` into an ActionError: access denied
 * names the permission; bad credentials say where credentials come from.
 */
export function explainAwsError(err: unknown, operation: string, target: string): ActionError {
  if (err instanceof ActionError) return err;
  const { name, message, status } = awsError(err);
  const detail = scrubSecrets(message);
  const isS3 = PERMISSIONS[operation]?.startsWith('s3:') ?? false;
  if (
    name === 'AccessDeniedException' ||
    name === 'AccessDenied' ||
    (status === 403 && !CREDENTIAL_ERRORS.has(name))
  ) {
    const permission = PERMISSIONS[operation] ?? operation;
    return new ActionError(
      'Access denied',
      `${operation} on ${target} was denied: the deploy role needs the permission ${permission}` +
        `${isS3 ? '' : ` on ${target}`}. AWS said: ${detail}`,
      { cause: err },
    );
  }
  if (CREDENTIAL_ERRORS.has(name))
    return new ActionError(
      'AWS credentials rejected',
      `${operation} on ${target}: ${name}: ${detail}. Give the job valid credentials: role-to-assume (OIDC), ` +
        'aws-actions/configure-aws-credentials, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
      { cause: err },
    );
  return new ActionError(`${operation} failed`, `${operation} on ${target} failed: ${name}: ${detail}`, {
    cause: err,
  });
}

/** Runs one AWS call, turning its failure into an explained ActionError unless `keep` says the caller handles it. */
export async function awsCall<T>(
  operation: string,
  target: string,
  fn: () => Promise<T>,
  keep: (err: unknown) => boolean = () => false,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (keep(err)) throw err;
    throw explainAwsError(err, operation, target);
  }
}
