import * as core from '@actions/core';
import { emptyPostState, type PostState } from '../context.js';

/**
 * The runner's state between the main step and the post step (core.saveState): which step this
 * is, and the PostState the main step leaves (context.ts).
 */

const KEY = 'nix-lambda';

export function isPostStep(): boolean {
  return core.getState('isPost') === 'true';
}

export function markMainStep(): void {
  core.saveState('isPost', 'true');
}

export function savePostState(state: PostState): void {
  core.saveState(KEY, JSON.stringify(state));
}

export function loadPostState(): PostState {
  const raw = core.getState(KEY);
  if (!raw) return emptyPostState();
  try {
    return { ...emptyPostState(), ...(JSON.parse(raw) as Partial<PostState>) };
  } catch {
    return emptyPostState();
  }
}
