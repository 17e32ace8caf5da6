import type { JobContext } from '../context.js';

/** Stage 2: binary caches (Cachix pull and push, the closure cache). */
export async function cachix(ctx: JobContext): Promise<void> {
  await Promise.resolve();
  ctx.log.notice('The cachix stage is not implemented yet; skipping it.');
}
