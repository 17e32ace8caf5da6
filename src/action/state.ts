import { emptyPostState, type PostState } from '../context.js';
import { fileCommand, issue, keyValueMessage } from '../util/workflow.js';
import { POST_MARK } from './step.js';

/**
 * The runner's state between the main step and the post step (GITHUB_STATE, read back as
 * STATE_<name>, as @actions/core's saveState and getState do): which step this is, and the
 * PostState the main step leaves (context.ts).
 */

function getState(name: string): string {
  return process.env[`STATE_${name}`] ?? '';
}

function saveState(name: string, value: string): void {
  if (!fileCommand('STATE', keyValueMessage(name, value))) issue('save-state', { name }, value);
}

const KEY = 'nix-lambda';

export function markMainStep(): void {
  saveState(POST_MARK, 'true');
}

export function savePostState(state: PostState): void {
  saveState(KEY, JSON.stringify(state));
}

export function loadPostState(): PostState {
  const raw = getState(KEY);
  if (!raw) return emptyPostState();
  try {
    return { ...emptyPostState(), ...(JSON.parse(raw) as Partial<PostState>) };
  } catch {
    return emptyPostState();
  }
}
