import { LAMBDA_ZIP_LIMIT } from '../lambda.js';
import type { DeployOptions } from './types.js';

/** The deploy's internal options: production defaults, lowered by tests. */

export const DEFAULT_DEPLOY_OPTIONS: Readonly<DeployOptions> = {
  pollDelaySeconds: 1,
  pollMaxDelaySeconds: 5,
  directUploadLimit: LAMBDA_ZIP_LIMIT,
  concurrency: 4,
  maxAttempts: 8,
  retryMode: 'adaptive',
  conflictRetries: 5,
  connectTimeoutMs: 10_000,
  socketTimeoutMs: 120_000,
  s3PartSize: 8 * 1024 * 1024,
  oidcAttempts: 12,
  oidcBackoffBaseMs: 250,
  oidcBackoffMaxMs: 5000,
};

/**
 * The production options, except that NIX_LAMBDA_POLL_DELAY_SECONDS (internal,
 * for tests of the built action) lowers the waiters' poll delay.
 */
export function deployOptions(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<DeployOptions> = {},
): DeployOptions {
  const opts: DeployOptions = { ...DEFAULT_DEPLOY_OPTIONS };
  const poll = Number(env['NIX_LAMBDA_POLL_DELAY_SECONDS'] ?? '');
  if (env['NIX_LAMBDA_POLL_DELAY_SECONDS'] && Number.isFinite(poll) && poll > 0) {
    opts.pollDelaySeconds = poll;
    opts.pollMaxDelaySeconds = poll * 5;
  }
  return { ...opts, ...overrides };
}
