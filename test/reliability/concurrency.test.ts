import * as fs from 'node:fs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import type { DeployResult } from '../../src/deploy/types.js';
import { ActionError, errorMessage } from '../../src/util/errors.js';
import { runDeploy } from '../../src/stages/deploy.js';
import {
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_OPTS,
  type LambdaServer,
  type TestZip,
} from '../support/lambda-server.js';
import { getFixtures, type Fixtures } from '../support/nix.js';
import { barrierProxy, type BarrierProxy } from '../support/barrier-proxy.js';
import { startStep } from '../support/runner.js';
import { reliabilityCase } from './support.js';

/**
 * Concurrency: several runs deploy to one function at the same moment. A proxy in front of the
 * local Lambda server holds their first GetFunction until all arrived, so every run reads the same
 * RevisionId: the race the RevisionId guard must settle. There must be one clear winner; every
 * other run fails clearly or turns out a correct no-op; nobody's code is silently overwritten,
 * and no alias ends on a version holding code that did not win.
 */

const GROUP = 'concurrency';

let server: LambdaServer;
let restoreAws: () => Promise<void>;
let proxy: BarrierProxy | undefined;
let fx: Fixtures;
const cleanup: string[] = [];

beforeAll(async () => {
  fx = await getFixtures();
  ({ server, restore: restoreAws } = await setUpAws());
});
afterAll(async () => {
  await restoreAws();
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
});
afterEach(async () => {
  process.env['AWS_ENDPOINT_URL'] = server.url;
  await proxy?.close();
  proxy = undefined;
});

/** Points the SDK at a fresh barrier proxy for `parties` runs. */
async function lineUp(parties: number): Promise<void> {
  proxy = await barrierProxy(server.url, parties);
  process.env['AWS_ENDPOINT_URL'] = proxy.url;
}

type Settled = { zip: TestZip; result?: DeployResult | undefined; error?: unknown; warnings: string[] };

async function race(zips: TestZip[], inputs: Record<string, string> = {}): Promise<Settled[]> {
  await lineUp(zips.length);
  return Promise.all(
    zips.map(async (zip) => {
      const { ctx, log } = makeContext({ 'function-name': 'api', ...inputs }, { pkg: packageOf(zip) });
      try {
        const [result] = await runDeploy(ctx, TEST_OPTS);
        return { zip, result, warnings: log.warnings };
      } catch (error) {
        return { zip, error, warnings: log.warnings };
      }
    }),
  );
}

function tally(runs: Settled[]): string {
  return runs
    .map((r, i) =>
      r.result
        ? `run ${i + 1}: ${r.result.status}${r.warnings.length ? ' (warned)' : ''}`
        : `run ${i + 1}: ${r.error instanceof ActionError ? r.error.title : String(r.error)}`,
    )
    .join('; ');
}

describe('two runs deploy to one function at once', () => {
  reliabilityCase(
    GROUP,
    'two different zips, same moment',
    'two runDeploy calls read the same RevisionId, then both update',
    async ({ saw }) => {
      const old = makeZip('x86_64', { tag: 'old' });
      server.addFunction({ name: 'api', code: old.bytes });
      const runs = await race([makeZip('x86_64', { tag: 'a' }), makeZip('x86_64', { tag: 'b' })]);
      const winners = runs.filter((r) => r.result);
      const losers = runs.filter((r) => r.error);
      const f = server.fn('api');
      saw(
        `${tally(runs)}; function holds ${f.codeSha256 === winners[0]?.zip.sha ? "the winner's" : 'OTHER'} code`,
      );
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]!.error).toBeInstanceOf(ActionError);
      expect((losers[0]!.error as ActionError).title).toBe('Function changed meanwhile');
      expect(errorMessage(losers[0]!.error)).toMatch(/nothing was overwritten/);
      expect(f.codeSha256).toBe(winners[0]!.zip.sha);
      expect(winners[0]!.result!.codeSha256).toBe(winners[0]!.zip.sha);
      // Both updates carried the RevisionId they read; the second was refused with 412.
      const updates = server.requests.filter((r) => r.op === 'UpdateFunctionCode');
      expect(updates.map((u) => u.status).sort()).toEqual([200, 412]);
      expect(new Set(updates.map((u) => u.json?.['RevisionId'])).size).toBe(1);
    },
  );

  reliabilityCase(
    GROUP,
    'two different zips with publish and alias',
    'as above, each asking publish: true, alias: live',
    async ({ saw }) => {
      const old = makeZip('x86_64', { tag: 'old' });
      server.addFunction({ name: 'api', code: old.bytes });
      server.publishNow('api');
      server.setAlias('api', 'live', '1');
      const runs = await race([makeZip('x86_64', { tag: 'a' }), makeZip('x86_64', { tag: 'b' })], {
        publish: 'true',
        alias: 'live',
      });
      const winner = runs.find((r) => r.result);
      const f = server.fn('api');
      saw(
        `${tally(runs)}; ${f.versions.length} versions; live -> ${server.aliasCode('api', 'live') === winner?.zip.sha ? "the winner's code" : 'OTHER code'}`,
      );
      expect(runs.filter((r) => r.result)).toHaveLength(1);
      expect(runs.filter((r) => r.error instanceof ActionError)).toHaveLength(1);
      expect(f.versions).toHaveLength(2);
      expect(f.versions[1]!.codeSha256).toBe(winner!.zip.sha);
      expect(server.aliasCode('api', 'live')).toBe(winner!.zip.sha);
      expect(winner!.result!.version).toBe('2');
    },
  );

  reliabilityCase(
    GROUP,
    'the same zip twice, same moment',
    'two runs of one build (a re-run) deploy the same zip at once, publish + alias',
    async ({ saw }) => {
      const old = makeZip('x86_64', { tag: 'old' });
      server.addFunction({ name: 'api', code: old.bytes });
      const zip = makeZip('x86_64', { tag: 'same' });
      const runs = await race([zip, zip], { publish: 'true', alias: 'live' });
      const f = server.fn('api');
      saw(
        `${tally(runs)}; versions ${f.versions.map((v) => v.version).join(',')}; both report version ${runs.map((r) => r.result?.version ?? '-').join('/')}`,
      );
      // A correct no-op for the second: both succeed, one version holds the code, the alias is on it.
      expect(runs.every((r) => r.result)).toBe(true);
      expect(f.codeSha256).toBe(zip.sha);
      expect(f.versions).toHaveLength(1);
      expect(runs.map((r) => r.result!.version)).toEqual(['1', '1']);
      expect(server.aliasCode('api', 'live')).toBe(zip.sha);
    },
  );

  reliabilityCase(
    GROUP,
    'four different zips, same moment',
    'four runDeploy calls race on one function',
    async ({ saw }) => {
      const old = makeZip('x86_64', { tag: 'old' });
      server.addFunction({ name: 'api', code: old.bytes });
      const zips = [1, 2, 3, 4].map((i) => makeZip('x86_64', { tag: `z${i}` }));
      const runs = await race(zips, { publish: 'true' });
      const winners = runs.filter((r) => r.result);
      const f = server.fn('api');
      saw(`${tally(runs)}; ${f.versions.length} version(s)`);
      expect(winners).toHaveLength(1);
      expect(runs.filter((r) => r.error instanceof ActionError)).toHaveLength(3);
      expect(f.codeSha256).toBe(winners[0]!.zip.sha);
      expect(f.versions.map((v) => v.codeSha256)).toEqual([winners[0]!.zip.sha]);
    },
  );

  reliabilityCase(
    GROUP,
    'a run that starts while another updates',
    'second run arrives while the first update is InProgress (5 polls)',
    async ({ saw }) => {
      const old = makeZip('x86_64', { tag: 'old' });
      server.addFunction({ name: 'api', code: old.bytes });
      server.holdNextUpdate('api', { polls: 5, outcome: 'Successful' });
      const a = makeZip('x86_64', { tag: 'first' });
      const b = makeZip('x86_64', { tag: 'second' });
      const first = (async () => {
        const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(a) });
        return runDeploy(ctx, TEST_OPTS);
      })();
      // Start the second once the first update is in.
      while (server.count('UpdateFunctionCode') === 0) await new Promise((r) => setTimeout(r, 5));
      const revAfterFirst = server.fn('api').revisionId;
      const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(b) });
      // The second polls more slowly than the first (0.3 s against 0.03 s at most), so the first
      // sees its own update finish before the second replaces it: with equal delays either may see
      // it first, and a first run whose code is replaced before it looked reports another zip.
      const slower = { ...TEST_OPTS, pollDelaySeconds: 0.3, pollMaxDelaySeconds: 0.4 };
      const [r1, r2] = await Promise.all([first, runDeploy(ctx, slower)]);
      const updates = server.requests.filter((r) => r.op === 'UpdateFunctionCode');
      saw(
        `first ${r1[0]?.status ?? '?'}, second ${r2[0]?.status ?? '?'} (waited for the first, then updated on its RevisionId); function holds the second zip`,
      );
      expect(r1[0]?.status).toBe('updated');
      expect(r2[0]?.status).toBe('updated');
      // The second waited for the first update and sent the RevisionId that update produced.
      expect(updates).toHaveLength(2);
      expect(updates[1]!.json?.['RevisionId']).toBe(revAfterFirst);
      expect(server.fn('api').codeSha256).toBe(b.sha);
    },
  );

  reliabilityCase(
    GROUP,
    'two dist/index.js processes at once',
    'two runner steps (deploy-only, different zips) against one function',
    async ({ saw }) => {
      const old = makeZip('x86_64', { tag: 'old' });
      server.addFunction({ name: 'api', code: old.bytes });
      await lineUp(2);
      const zips = [makeZip('x86_64', { tag: 'p1' }), makeZip('x86_64', { tag: 'p2' })];
      const steps = zips.map((z) =>
        startStep({
          inputs: { stages: 'deploy', 'zip-path': z.path, 'function-name': 'api', 'aws-region': 'us-east-1' },
          workspace: fx.small.dir,
          env: {
            AWS_ENDPOINT_URL: proxy!.url,
            AWS_ACCESS_KEY_ID: 'AKIDRELIABILITY00000',
            AWS_SECRET_ACCESS_KEY: 'secret',
            AWS_CONFIG_FILE: '/nonexistent',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
            NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
          },
        }),
      );
      for (const s of steps) cleanup.push(s.dir);
      const res = await Promise.all(steps.map((s) => s.done));
      const ok = res.map((r, i) => ({ r, zip: zips[i]! })).filter((x) => x.r.code === 0);
      const failed = res.filter((r) => r.code !== 0);
      const annotation = failed[0]?.log.split('\n').find((l) => l.startsWith('::error')) ?? '';
      saw(`exit codes ${res.map((r) => r.code).join(', ')}; loser: ${annotation.slice(0, 120)}`);
      expect(ok).toHaveLength(1);
      expect(failed).toHaveLength(1);
      expect(annotation).toMatch(/title=Function changed meanwhile/);
      expect(ok[0]!.r.outputs['deploy-status']).toBe('updated');
      expect(ok[0]!.r.outputs['code-sha256']).toBe(ok[0]!.zip.sha);
      expect(failed[0]!.outputs['deploy-status']).toBeUndefined();
      expect(server.fn('api').codeSha256).toBe(ok[0]!.zip.sha);
    },
    60_000,
  );
});
