import type { JobContext } from '../context.js';

/** Stage 5: UpdateFunctionCode, wait, publish, alias. */
export async function deploy(ctx: JobContext): Promise<void> {
  await Promise.resolve();
  ctx.log.notice('The deploy stage is not implemented yet; skipping it.');
}
