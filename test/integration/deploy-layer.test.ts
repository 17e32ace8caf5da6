import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
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
 * Wire tests of the library layer (library-layer, issue 15): the real SDK against the local Lambda
 * server with its layers API. Each scenario checks the calls made, in order, and the state left:
 * the function's Layers and code, the versions and what each holds, the layer versions.
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
const otherLayer = (name: string, v: number): string =>
  `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:${name}:${v}`;

let layerCount = 0;

/** A layer folder as the package stage leaves it (lib/ with a loader and a library), and its record. */
function makeLayer(tag: string, extraBytes = 0): LayerPackage {
  const dir = path.join(WORK, `layer-${layerCount++}`);
  fs.mkdirSync(path.join(dir, 'lib'), { recursive: true });
  const files = [
    { name: 'lib/ld-linux-x86-64.so.2', mode: 0o755, data: Buffer.from(`loader ${tag}`) },
    {
      name: 'lib/libapi.so.1',
      mode: 0o644,
      data: Buffer.concat([Buffer.from(`library ${tag}`), randomBytes(extraBytes)]),
    },
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

async function expectError(ctx: Parameters<typeof runDeploy>[0], opts = TEST_OPTS): Promise<ActionError> {
  const err = await runDeploy(ctx, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe('library layer: publish, reuse, roll back', () => {
  it('a new hash: ListLayerVersions, PublishLayerVersion, then Layers and the code under the RevisionId chain', async () => {
    const f = server.addFunction({ name: 'api', layers: [otherLayer('ext', 3)] });
    const rev0 = f.revisionId;
    const zip = makeZip();
    const layer = makeLayer('a');
    const { ctx } = contextFor(zip, layer);
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(server.ops()).toEqual([
      'GetFunction',
      'ListLayerVersions',
      'PublishLayerVersion',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
    ]);
    const publish = server.requests.find((q) => q.op === 'PublishLayerVersion')!;
    expect(publish.json).toMatchObject({
      Description: `nix-lambda library layer (x86_64) sha256:${layer.sha256}`,
      CompatibleArchitectures: ['x86_64'],
      CompatibleRuntimes: ['provided.al2023', 'provided.al2'],
    });
    const config = server.requests.find((q) => q.op === 'UpdateFunctionConfiguration')!;
    expect(config.json).toMatchObject({ RevisionId: rev0, Layers: [otherLayer('ext', 3), layerArn(1)] });
    const code = server.requests.find((q) => q.op === 'UpdateFunctionCode')!;
    expect(code.json?.['RevisionId']).not.toBe(rev0);
    expect(server.fn('api')).toMatchObject({
      codeSha256: zip.sha,
      layers: [otherLayer('ext', 3), layerArn(1)],
    });
    expect(r).toMatchObject({ status: 'updated', bytesUploaded: zip.bytes.length });
    expect(ctx.layer).toMatchObject({ status: 'published', version: '1', arn: layerArn(1) });
    expect(ctx.outputs).toMatchObject({
      'layer-arn': layerArn(1),
      'layer-version': '1',
      'layer-status': 'published',
    });
    expect(fs.existsSync(layer.zipPath)).toBe(true);
    expect(server.layers.live(LAYER)[0]!.codeSize).toBe(fs.statSync(layer.zipPath).size);
    expect(ctx.layer).toMatchObject({ bytesUploaded: fs.statSync(layer.zipPath).size, upload: 'direct' });
  });

  it('a code-only change: the version holding the hash is reused, only the function zip is uploaded', async () => {
    const layer = makeLayer('same');
    const first = makeZip();
    server.addFunction({ name: 'api' });
    await runDeploy(contextFor(first, layer).ctx, TEST_OPTS);
    fs.rmSync(layer.zipPath);
    server.requests.length = 0;
    const second = makeZip();
    const { ctx } = contextFor(second, { ...layer, zipPath: path.join(WORK, 'never-written.zip') });
    await runDeploy(ctx, TEST_OPTS);
    expect(server.ops()).toEqual([
      'GetFunction',
      'ListLayerVersions',
      'GetLayerVersion',
      'UpdateFunctionCode',
      'GetFunction',
    ]);
    // Only the function zip went over the wire (base64 in UpdateFunctionCode's JSON body).
    expect(server.uploadedBytes()).toBe(
      server.requests.find((q) => q.op === 'UpdateFunctionCode')!.bodyBytes,
    );
    expect(server.uploadedBytes()).toBeLessThan(second.bytes.length * 1.4 + 1024);
    expect(fs.existsSync(path.join(WORK, 'never-written.zip'))).toBe(false);
    expect(ctx.outputs).toMatchObject({ 'layer-status': 'reused', 'layer-version': '1' });
    expect(server.fn('api').layers).toEqual([layerArn(1)]);
  });

  it('published versions keep their layer version: a rollback redeploy reuses the old layer version', async () => {
    server.addFunction({ name: 'api' });
    const a = { zip: makeZip(), layer: makeLayer('a') };
    const b = { zip: makeZip(), layer: makeLayer('b') };
    const values = { publish: 'true', alias: 'live' };
    await runDeploy(contextFor(a.zip, a.layer, values).ctx, TEST_OPTS); // version 1: a + layer 1
    await runDeploy(contextFor(b.zip, b.layer, values).ctx, TEST_OPTS); // version 2: b + layer 2
    server.requests.length = 0;
    const { ctx } = contextFor(a.zip, { ...a.layer, zipPath: path.join(WORK, 'rollback.zip') }, values);
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(server.count('PublishLayerVersion')).toBe(0);
    expect(ctx.outputs['layer-status']).toBe('reused');
    const versions = server
      .fn('api')
      .versions.map((v) => ({ v: v.version, code: v.codeSha256, layers: v.layers }));
    expect(versions).toEqual([
      { v: '1', code: a.zip.sha, layers: [layerArn(1)] },
      { v: '2', code: b.zip.sha, layers: [layerArn(2)] },
      { v: '3', code: a.zip.sha, layers: [layerArn(1)] },
    ]);
    expect(r).toMatchObject({ version: '3' });
    expect(server.aliasCode('api', 'live')).toBe(a.zip.sha);
  });

  it('several functions share one layer version; unchanged ones upload nothing', async () => {
    server.addFunction({ name: 'api' });
    server.addFunction({ name: 'worker', layers: [layerArn(7)] });
    const zip = makeZip();
    const layer = makeLayer('shared');
    const { ctx } = contextFor(zip, layer, { 'function-name': 'api\nworker' });
    await runDeploy(ctx, TEST_OPTS);
    expect(server.count('PublishLayerVersion')).toBe(1);
    expect(server.count('ListLayerVersions')).toBe(1);
    expect(server.fn('api').layers).toEqual([layerArn(1)]);
    expect(server.fn('worker').layers).toEqual([layerArn(1)]); // the older version replaced
    server.requests.length = 0;
    const again = contextFor(zip, layer, { 'function-name': 'api\nworker' }).ctx;
    const results = await runDeploy(again, TEST_OPTS);
    expect(results.map((d) => d.status)).toEqual(['unchanged', 'unchanged']);
    expect(server.uploadedBytes()).toBe(0);
    expect(server.ops().filter((o) => !o.startsWith('Get') && !o.startsWith('List'))).toEqual([]);
  });
});

describe('library layer: limits, dry run, create', () => {
  it('five layers already: refused after the reads, before any layer or function is written', async () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => otherLayer(n, 1));
    server.addFunction({ name: 'api', layers: five });
    const err = await expectError(contextFor(makeZip(), makeLayer('x')).ctx);
    expect(err.title).toBe('Too many layers');
    expect(err.message).toMatch(/at most 5.*No function was changed/s);
    expect(server.ops()).toEqual(['GetFunction']);
  });

  it('250 MB with the other layers: refused before any call that writes', async () => {
    server.addFunction({ name: 'api', layers: [otherLayer('big', 1)] });
    server.layers.publish('big', {}, Buffer.alloc(10)); // known to the server
    const layer = { ...makeLayer('y'), unzippedBytes: 249 * 1024 * 1024 };
    const zip = makeZip();
    const pkg = { ...packageOf(zip), unzippedBytes: 2 * 1024 * 1024, layer };
    const { ctx } = makeContext(
      { stages: 'build,package,deploy', 'library-layer': LAYER, 'function-name': 'api' },
      { pkg },
    );
    const err = await expectError(ctx);
    expect(err.title).toBe('Bundle too large');
    expect(server.ops()).toEqual(['GetFunction']);
  });

  it('dry run: reads only; says whether the layer would be published', async () => {
    server.addFunction({ name: 'api' });
    const { ctx, log } = contextFor(makeZip(), makeLayer('dry'), { 'dry-run': 'true' });
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(r!.status).toBe('dry-run');
    expect(server.ops()).toEqual(['GetFunction', 'ListLayerVersions', 'UpdateFunctionCode']);
    expect(server.requests.at(-1)!.json).toMatchObject({ DryRun: true });
    expect(ctx.outputs['layer-status']).toBe('dry-run');
    expect(log.text()).toMatch(/would publish a new version/);
    expect(server.layers.live(LAYER)).toHaveLength(0);
    expect(r!.configChanges.map((c) => c.setting)).toEqual(['Layers']);
  });

  it('skip-unchanged: the same zip and layer change nothing; skip-unchanged false sends the code, reuses the layer', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    const layer = makeLayer('same');
    await runDeploy(contextFor(zip, layer).ctx, TEST_OPTS);
    server.requests.length = 0;
    const [same] = await runDeploy(contextFor(zip, layer).ctx, TEST_OPTS);
    expect(same!.status).toBe('unchanged');
    expect(server.ops()).toEqual(['GetFunction', 'ListLayerVersions', 'GetLayerVersion']);
    server.requests.length = 0;
    const { ctx } = contextFor(zip, layer, { 'skip-unchanged': 'false' });
    const [forced] = await runDeploy(ctx, TEST_OPTS);
    expect(forced!.status).toBe('updated');
    expect(server.count('UpdateFunctionCode')).toBe(1);
    expect(server.count('PublishLayerVersion')).toBe(0);
  });

  it('create: CreateFunction takes the layer version with the code, in one call', async () => {
    const zip = makeZip();
    const { ctx } = contextFor(zip, makeLayer('new'), {
      create: 'true',
      role: `arn:aws:iam::${ACCOUNT}:role/exec`,
      layers: otherLayer('ext', 2),
    });
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(r!.status).toBe('created');
    expect(server.ops().slice(0, 4)).toEqual([
      'GetFunction',
      'ListLayerVersions',
      'PublishLayerVersion',
      'CreateFunction',
    ]);
    const create = server.requests.find((q) => q.op === 'CreateFunction')!;
    expect(create.json?.['Layers']).toEqual([otherLayer('ext', 2), layerArn(1)]);
    expect(server.fn('api').layers).toEqual([otherLayer('ext', 2), layerArn(1)]);
  });
});

describe('library layer: faults', () => {
  it('PublishLayerVersion failing: the error says so, and no function was changed', async () => {
    const old = server.addFunction({ name: 'api' }).codeSha256;
    server.inject('PublishLayerVersion', {
      kind: 'error',
      status: 400,
      type: 'InvalidParameterValueException',
      message: 'Unzipped size must be smaller than 262144000 bytes',
    });
    const err = await expectError(contextFor(makeZip(), makeLayer('fail')).ctx);
    expect(err.message).toMatch(
      /PublishLayerVersion on api-libs failed.*Unzipped size.*No function was changed/s,
    );
    expect(server.fn('api')).toMatchObject({ codeSha256: old, layers: [] });
    expect(server.ops()).toEqual(['GetFunction', 'ListLayerVersions', 'PublishLayerVersion']);
  });

  it('access denied on PublishLayerVersion names the permission', async () => {
    server.addFunction({ name: 'api' });
    server.inject('PublishLayerVersion', {
      kind: 'error',
      status: 403,
      type: 'AccessDeniedException',
      message: 'not authorized',
    });
    const err = await expectError(contextFor(makeZip(), makeLayer('denied')).ctx);
    expect(err.title).toBe('Access denied');
    expect(err.message).toMatch(/lambda:PublishLayerVersion/);
  });

  it('a version deleted between ListLayerVersions and GetLayerVersion: a new one is published', async () => {
    server.addFunction({ name: 'api' });
    const layer = makeLayer('gone');
    await runDeploy(contextFor(makeZip(), layer).ctx, TEST_OPTS);
    server.requests.length = 0;
    server.after('ListLayerVersions', () => {
      server.layers.delete(LAYER, 1);
    });
    const { ctx } = contextFor(makeZip(), layer);
    await runDeploy(ctx, TEST_OPTS);
    expect(ctx.outputs).toMatchObject({ 'layer-status': 'published', 'layer-version': '2' });
    expect(server.fn('api').layers).toEqual([layerArn(2)]);
  });

  it('a version deleted after it was confirmed: the update is refused, a new version is published, the function deployed again', async () => {
    server.addFunction({ name: 'api' });
    const layer = makeLayer('deleted');
    const first = makeZip();
    await runDeploy(contextFor(first, layer).ctx, TEST_OPTS);
    server.addFunction({ name: 'api' }); // a function without the layer, as if it had been reset
    server.requests.length = 0;
    server.after('GetLayerVersion', () => {
      server.layers.delete(LAYER, 1);
    });
    const zip = makeZip();
    const { ctx, log } = contextFor(zip, layer);
    const [r] = await runDeploy(ctx, TEST_OPTS);
    expect(r!.status).toBe('updated');
    expect(server.requests.find((q) => q.op === 'UpdateFunctionConfiguration')!.status).toBe(400);
    expect(server.fn('api')).toMatchObject({ codeSha256: zip.sha, layers: [layerArn(2)] });
    expect(ctx.outputs).toMatchObject({ 'layer-status': 'published', 'layer-version': '2' });
    expect(log.warnings.join('\n')).toMatch(/deleted while this deploy used it/);
  });

  it('a layer zip over the direct-upload limit goes through S3; without s3-bucket it is refused before publishing', async () => {
    server.addFunction({ name: 'api' });
    const layer = makeLayer('big', 300_000);
    const zip = makeZip();
    const opts = { ...TEST_OPTS, directUploadLimit: zip.bytes.length + 1024 };
    const err = await expectError(contextFor(zip, layer).ctx, opts);
    expect(err.title).toBe('Layer zip too large for a direct upload');
    expect(server.count('PublishLayerVersion')).toBe(0);
    expect(server.fn('api').layers).toEqual([]);
    server.requests.length = 0;
    const { ctx } = contextFor(zip, layer, { 's3-bucket': 'deploy-bucket' });
    await runDeploy(ctx, opts);
    const publish = server.requests.find((q) => q.op === 'PublishLayerVersion')!;
    expect(publish.json?.['Content']).toEqual({
      S3Bucket: 'deploy-bucket',
      S3Key: `nix-lambda/layers/${LAYER}/${layer.sha256}.zip`,
    });
    expect(server.fn('api').layers).toEqual([layerArn(1)]);
  });
});
