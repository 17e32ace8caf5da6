import type { JobContext } from '../context.js';
import { ensureNix } from '../nix.js';

/**
 * Stage 1: make Nix available. An existing Nix (PATH, then the default
 * profile) is used as it is.
 */
export async function install(ctx: JobContext): Promise<void> {
  const info = await ensureNix(ctx);
  ctx.log.info(`Using Nix ${info.version} at ${info.nix}`);
  ctx.setOutput('nix-version', info.version);
}
