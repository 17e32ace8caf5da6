/**
 * Which step of the action this process is: the main step marks the state (action/state.ts) so
 * that the runner's post step, which starts dist/index.js again, sees STATE_isPost. A module that
 * imports nothing, so that index.ts loads only the code of the step it runs.
 */

/** The state key the main step sets. */
export const POST_MARK = 'isPost';

export function isPostStep(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[`STATE_${POST_MARK}`] === 'true';
}
