import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { layerHash } from '../../src/bundle/layer.js';
import type { LayerPackage } from '../../src/context.js';
import { runDeploy } from '../../src/stages/deploy.js';
import { ActionError } from '../../src/util/errors.js';
import {
  ACCOUNT,
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_OPTS,
  WORK,
  type LambdaServer,
  type TestZip,
} from '../support/lambda-server.js';

/**
 * The library layer (issue 15) together with the deploy's guards (issue 14): the smoke test, the
 * RevisionId chain, a dry run when only the layer changes, architecture-change and keep-versions.
 */

let server: LambdaServer;
let restore: () => Promise<void>;

beforeAll(async () => {
  ({ server, restore } = await setUpAws());
});
afterAll(async () => {
  await restore();
});
beforeEach(() => {
  server.reset();
});

const LAYER = 'api-libs';
const layerArn = (v: number): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:${LAYER}:${v}`;
const SMOKE = { publish: 'true', alias: 'live', 'smoke-test-payload': '{"path": "/health"}' };

let layerCount = 0;

/** A layer folder as the package stage leaves it, and its record. */
function makeLayer(tag: string): LayerPackage {
  const dir = path.join(WORK, `interactions-layer-${layerCount++}`);
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  const files = [
    { name: 'lib/ld-linux-x86-64.so.2', mode: 0o755, data: Buffer.from(`loader ${tag}`) },
    { name: 'lib/libapi.so.1', mode: 0o644, data: Buffer.from(`library ${tag}`) },
  ];
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.data, { mode: f.mode });
  return {
    dir,
    sha256: layerHash(files),
    files: files.map((f) => ({ name: f.name, mode: f.mode, bytes: f.data.length })),
    unzippedBytes: files.reduce((n, f) => n + f.data.length, 0),
    zipPath: path.join(dir, 'function-layer.zip'),
  };
}

function contextFor(zip: TestZip, layer: LayerPackage, values: Record<string, string> = {}) {
  return makeContext(
    { stages: 'build,package,deploy', 'library-layer': LAYER, 'function-name': 'api', ...values },
    { pkg: { ...packageOf(zip), layer } },
  );
}

async function expectError(ctx: Parameters<typeof runDeploy>[0]): Promise<ActionError> {
  const err = await runDeploy(ctx, TEST_OPTS).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe('library layer with the smoke test', () => {
  it('only the layer changed: the version invoked is the new one, with the new layer; then the alias moves', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    await runDeploy(contextFor(zip, makeLayer('a'), SMOKE).ctx, TEST_OPTS); // version 1: layer 1
    const invoked: string[][] = [];
    server.onInvoke('api', (r) => {
      invoked.push(server.fn('api').versions.find((v) => v.version === r.version)?.layers ?? []);
      return { payload: '"ok"' };
    });
    server.requests.length = 0;
    const [r] = await runDeploy(contextFor(zip, makeLayer('b'), SMOKE).ctx, TEST_OPTS);
    expect(r).toMatchObject({ status: 'updated', version: '2', smokeTest: 'passed' });
    expect(invoked).toEqual([[layerArn(2)]]);
    expect(server.fn('api').aliases.get('live')!.functionVersion).toBe('2');
    const ops = server.ops();
    expect(ops.indexOf('Invoke')).toBeGreaterThan(ops.indexOf('PublishVersion'));
    expect(ops.indexOf('UpdateAlias')).toBeGreaterThan(ops.indexOf('Invoke'));
  });
});

describe('library layer: what the messages say is in place', () => {
  it('the function changed before its new Layers went in: the error does not say the new code is in place', async () => {
    const old = server.addFunction({ name: 'api' }).codeSha256;
    server.after('PublishLayerVersion', () => {
      server.fn('api').revisionId = randomUUID(); // someone else's change meanwhile
    });
    const err = await expectError(contextFor(makeZip(), makeLayer('race'), SMOKE).ctx);
    expect(err.title).toBe('Function changed meanwhile');
    expect(err.message).not.toMatch(/new code is in place/);
    expect(err.message).toMatch(/Layers and configuration were not changed and its code was not sent/);
    expect(server.fn('api')).toMatchObject({ codeSha256: old, layers: [] });
    expect(server.count('UpdateFunctionCode')).toBe(0);
  });
});

describe('library layer: dry run when only the layer changes', () => {
  it('the same code with a new layer is not reported unchanged', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    await runDeploy(contextFor(zip, makeLayer('a')).ctx, TEST_OPTS);
    server.requests.length = 0;
    const { ctx } = contextFor(zip, makeLayer('b'), { 'dry-run': 'true' });
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(r!.configChanges.map((c) => c.setting)).toEqual(['Layers']);
    expect(r!.status).toBe('dry-run');
    expect(ctx.outputs['deploy-status']).toBe('dry-run');
    expect(server.ops()).toEqual(['GetFunction', 'ListLayerVersions']);
  });
});

describe('library layer with architecture-change and keep-versions', () => {
  it('architecture-change: update: the layer version is the new architecture, the version tested holds both', async () => {
    server.addFunction({ name: 'api', architecture: 'arm64' });
    server.publishNow('api');
    server.setAlias('api', 'live', '1');
    const invoked: { arch: string[]; layers: string[] }[] = [];
    server.onInvoke('api', (r) => {
      const v = server.fn('api').versions.find((x) => x.version === r.version)!;
      invoked.push({ arch: v.architectures, layers: v.layers });
      return { payload: '"ok"' };
    });
    const { ctx } = contextFor(makeZip('x86_64'), makeLayer('arch'), {
      ...SMOKE,
      'architecture-change': 'update',
    });
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(r).toMatchObject({ status: 'updated', version: '2', smokeTest: 'passed' });
    expect(server.layers.live(LAYER).map((v) => v.architectures)).toEqual([['x86_64']]);
    const list = server.requests.find((q) => q.op === 'ListLayerVersions')!;
    expect(list.path).toContain('CompatibleArchitecture=x86_64');
    expect(invoked).toEqual([{ arch: ['x86_64'], layers: [layerArn(1)] }]);
    expect(server.fn('api').aliases.get('live')!.functionVersion).toBe('2');
  });

  it('keep-versions after a rollback that reuses an older version: it and the aliased versions stay', async () => {
    server.addFunction({ name: 'api' });
    const a = { zip: makeZip(), layer: makeLayer('a') };
    const b = { zip: makeZip(), layer: makeLayer('b') };
    const values = { publish: 'true', alias: 'live' };
    await runDeploy(contextFor(a.zip, a.layer, values).ctx, TEST_OPTS); // 1: a + layer 1
    await runDeploy(contextFor(b.zip, b.layer, values).ctx, TEST_OPTS); // 2: b + layer 2
    server.setAlias('api', 'pinned', '1');
    await runDeploy(contextFor(a.zip, a.layer, values).ctx, TEST_OPTS); // 3: a + layer 1
    await runDeploy(contextFor(b.zip, b.layer, values).ctx, TEST_OPTS); // 4: b + layer 2
    const [r] = await runDeploy(
      contextFor(b.zip, b.layer, { ...values, 'keep-versions': '1' }).ctx,
      TEST_OPTS,
    );
    expect(r).toMatchObject({ status: 'unchanged', version: '4' });
    expect(r!.deletedVersions).toEqual(['2', '3']);
    expect(server.fn('api').versions.map((v) => v.version)).toEqual(['1', '4']);
    expect(server.aliasCode('api', 'live')).toBe(b.zip.sha);
    expect(server.aliasCode('api', 'pinned')).toBe(a.zip.sha);
    expect(server.layers.live(LAYER)).toHaveLength(2); // layer versions are never deleted
  });
});
