import { performance } from 'node:perf_hooks';
import type { JobContext } from '../context.js';
import { STAGES, type Stage } from '../inputs/read.js';
import { formatDuration } from '../util/format.js';
import { build } from '../stages/build.js';
import { cachix } from '../stages/cachix.js';
import { install } from '../stages/install.js';
import { packageStage } from '../stages/package.js';

export type StageFn = (ctx: JobContext) => Promise<void>;

/**
 * The deploy stage is loaded when it runs, so a run that never deploys never parses the AWS
 * SDK nor adm-zip (start-up time: see the README's performance section); @actions/cache
 * (caches/closure-cache.ts) and libdeflate (zip/deflate.ts) are loaded the same way. The other
 * stages are light and share modules, so they are static.
 */
export const STAGE_FUNCTIONS: Readonly<Record<Stage, StageFn>> = {
  install,
  cachix,
  build,
  package: packageStage,
  deploy: async (ctx) => (await import('../stages/deploy.js')).deploy(ctx),
};

/**
 * Runs the selected stages in order, each in its own log group that ends with
 * its duration. The first failure stops the run; later stages are recorded as skipped.
 */
export async function runStages(
  ctx: JobContext,
  fns: Readonly<Record<Stage, StageFn>> = STAGE_FUNCTIONS,
): Promise<void> {
  const selected = STAGES.filter((s) => ctx.inputs.stages.includes(s));
  for (const [i, stage] of selected.entries()) {
    const t0 = performance.now();
    try {
      await ctx.log.group(stage, async () => {
        try {
          await fns[stage](ctx);
        } finally {
          ctx.log.info(`${stage} took ${formatDuration(performance.now() - t0)}`);
        }
      });
      ctx.stages.push({ stage, status: 'success', durationMs: performance.now() - t0 });
    } catch (err) {
      ctx.stages.push({ stage, status: 'failed', durationMs: performance.now() - t0 });
      for (const later of selected.slice(i + 1))
        ctx.stages.push({ stage: later, status: 'skipped', durationMs: 0 });
      throw err;
    }
  }
}
