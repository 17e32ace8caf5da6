import type { Log } from './log.js';
import type { PostState } from './state.js';

/**
 * The post step: runs after the job's other steps. Its failures are warnings,
 * never a red job: the deploy already happened.
 */
export async function runPost(state: PostState, log: Log): Promise<void> {
  await Promise.resolve();
  if (!state.buildSucceeded) {
    log.debug('post: nothing was built; nothing to push or cache');
  }
}
