import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runStages, type StageFn } from '../../../src/action/pipeline.js';
import type { JobContext } from '../../../src/context.js';
import type { Stage } from '../../../src/inputs/read.js';
import { dummyWorkspace, jobContext, memoryLog } from '../../support/doubles.js';

const ws = dummyWorkspace();
afterAll(() => {
  fs.rmSync(ws, { recursive: true, force: true });
});

/** A context whose inputs select `stages`, and stage functions that record their order. */
function setUp(stages: string, fail?: Stage) {
  const ctx = jobContext(
    { stages, 'function-name': 'api', 'aws-region': 'us-east-1', 'zip-path': `${ws}/flake.nix` },
    { workspace: ws, tempDir: ws, log: memoryLog() },
  );
  const ran: Stage[] = [];
  const fn =
    (stage: Stage): StageFn =>
    async (c: JobContext) => {
      expect(c).toBe(ctx);
      ran.push(stage);
      await new Promise((r) => setTimeout(r, 5));
      if (stage === fail) throw new Error(`${stage} broke`);
    };
  const fns = {
    install: fn('install'),
    cachix: fn('cachix'),
    build: fn('build'),
    package: fn('package'),
    deploy: fn('deploy'),
  };
  return { ctx, ran, fns };
}

describe('runStages', () => {
  it('runs the selected stages in their order, each in a log group ending with its duration', async () => {
    const { ctx, ran, fns } = setUp('cachix, install');
    await runStages(ctx, fns);
    expect(ran).toEqual(['install', 'cachix']);
    expect(ctx.stages.map((s) => [s.stage, s.status])).toEqual([
      ['install', 'success'],
      ['cachix', 'success'],
    ]);
    expect(ctx.stages.every((s) => s.durationMs >= 4)).toBe(true);
    expect(ctx.log.lines.filter((l) => / took \d+ ms$/.test(l))).toHaveLength(2);
  });

  it('stops at the first failure: the failed stage and the later ones (skipped) are recorded, the error goes on', async () => {
    const { ctx, ran, fns } = setUp('install,cachix,build,package,deploy', 'build');
    await expect(runStages(ctx, fns)).rejects.toThrow('build broke');
    expect(ran).toEqual(['install', 'cachix', 'build']);
    expect(ctx.stages.map((s) => [s.stage, s.status])).toEqual([
      ['install', 'success'],
      ['cachix', 'success'],
      ['build', 'failed'],
      ['package', 'skipped'],
      ['deploy', 'skipped'],
    ]);
    expect(ctx.stages.slice(3).every((s) => s.durationMs === 0)).toBe(true);
    // The failed stage's group still ends with its duration.
    expect(ctx.log.lines.filter((l) => l.startsWith('build took '))).toHaveLength(1);
  });
});
