import * as core from '@actions/core';

/**
 * What the main step leaves for the post step (action.yml `post`), kept with
 * core.saveState. The post step pushes to caches and removes secret files.
 */
export interface PostState {
  /** Store paths the build produced (their closures are pushed and cached). */
  storePaths: string[];
  /** Absolute path of `nix`, so the post step need not search for it. */
  nix: string;
  /** The closure cache: local binary cache folder and its key; hit = restored with the exact key. */
  closureCache?: { dir: string; key: string; hit: boolean };
  /** Cachix push settings (secrets are not stored here; the post step reads its inputs again). */
  cachixPush?: { cache: string };
  /** Nix store URL to push the closure to (input push-to). */
  pushTo?: string;
  /** Source of the push-filter regular expression (store paths not to push). */
  pushFilter?: string;
  /** The NIX_CONFIG the action composes: what the environment had at start, and the action's lines. */
  nixConfig?: { base: string; lines: string[] };
  /** Variables the main step exported (none holds a secret), re-applied in the post step. */
  exported?: Record<string, string>;
  /** Folders the main step added to PATH, re-applied in the post step. */
  addedPath?: string[];
  /** Files holding secrets, removed in the post step. */
  secretFiles: string[];
  /** Set when the main step built successfully; the post step does nothing otherwise. */
  buildSucceeded: boolean;
}

const KEY = 'nix-lambda';

export function emptyPostState(): PostState {
  return { storePaths: [], nix: '', secretFiles: [], buildSucceeded: false };
}

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
