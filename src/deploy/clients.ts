import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentials, Clients, DeployOptions } from './types.js';

/**
 * SDK clients for the deploy. Throttling (429), 5xx and dropped connections are
 * retried by the SDK's own retry strategy (attempts and mode from the options),
 * never by a loop of ours. Endpoints come from the SDK's configuration
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_S3, profiles).
 */

/** S3 needs path-style addressing when pointed at a custom endpoint (a local server has no bucket subdomains). */
export function customS3Endpoint(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
}

export function makeClients(
  region: string,
  credentials: AwsCredentials | undefined,
  opts: Pick<DeployOptions, 'maxAttempts' | 'retryMode' | 'connectTimeoutMs' | 'socketTimeoutMs'>,
  env: NodeJS.ProcessEnv = process.env,
): Clients {
  const common = {
    region,
    maxAttempts: opts.maxAttempts,
    retryMode: opts.retryMode,
    // A silent connection fails with TimeoutError, which the SDK retries like a dropped one.
    requestHandler: { connectionTimeout: opts.connectTimeoutMs, socketTimeout: opts.socketTimeoutMs },
    ...(credentials ? { credentials } : {}),
  };
  return {
    lambda: new LambdaClient(common),
    s3: new S3Client({ ...common, ...(customS3Endpoint(env) ? { forcePathStyle: true } : {}) }),
  };
}

export function destroyClients(c: Clients): void {
  c.lambda.destroy();
  c.s3.destroy();
}
