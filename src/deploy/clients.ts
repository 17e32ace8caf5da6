import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials, Clients, DeployOptions } from './types.js';

/**
 * SDK clients for the deploy. Throttling (429), 5xx and dropped connections are
 * retried by the SDK's own retry strategy (attempts and mode from the options),
 * never by a loop of ours. Endpoints come from the SDK's configuration
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_STS, profiles).
 */

/** S3 needs path-style addressing when pointed at a custom endpoint (a local server has no bucket subdomains). */
export function customS3Endpoint(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env['AWS_ENDPOINT_URL_S3'] || env['AWS_ENDPOINT_URL']);
}

/**
 * The clients, all with the deploy's credentials. invokeTimeoutMs: the longest a smoke test's
 * Invoke may take; that client's socket stays open that long (the smoke test aborts it itself), so
 * a slow function is never sent the event twice by a socket timeout's retry.
 */
export function makeClients(
  region: string,
  credentials: AwsCredentials | undefined,
  opts: Pick<DeployOptions, 'maxAttempts' | 'retryMode' | 'connectTimeoutMs' | 'socketTimeoutMs'>,
  o: { invokeTimeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Clients {
  const common = {
    region,
    maxAttempts: opts.maxAttempts,
    retryMode: opts.retryMode,
    // A silent connection fails with TimeoutError, which the SDK retries like a dropped one.
    requestHandler: { connectionTimeout: opts.connectTimeoutMs, socketTimeout: opts.socketTimeoutMs },
    ...(credentials ? { credentials } : {}),
  };
  const invokeSocketTimeout = Math.max(opts.socketTimeoutMs, (o.invokeTimeoutMs ?? 0) + 5000);
  return {
    lambda: new LambdaClient(common),
    invoke: new LambdaClient({
      ...common,
      requestHandler: { connectionTimeout: opts.connectTimeoutMs, socketTimeout: invokeSocketTimeout },
    }),
    s3: new S3Client({ ...common, ...(customS3Endpoint(o.env) ? { forcePathStyle: true } : {}) }),
    sts: new STSClient(common),
  };
}

export function destroyClients(c: Clients): void {
  c.lambda.destroy();
  c.invoke.destroy();
  c.s3.destroy();
  c.sts.destroy();
}
