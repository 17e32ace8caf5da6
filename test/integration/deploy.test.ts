import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeployResult } from '../../src/deploy/types.js';
import { ActionError } from '../../src/util/errors.js';
import { scrubSecrets } from '../../src/util/secrets.js';
import { runDeploy } from '../../src/stages/deploy.js';
import {
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_ACCESS_KEY,
  TEST_OPTS,
  type LambdaServer,
  type TestZip,
} from '../support/lambda-server.js';

/**
 * Wire tests of the deploy stage (issue 4): the real SDK over a socket to the
 * local Lambda/S3/STS server, with faults injected per operation. After every
 * failure the server's state is checked: the function unchanged (or
 * consistently updated), and no alias on a version holding other code.
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

async function deployExpectingError(
  ctx: Parameters<typeof runDeploy>[0],
  opts = TEST_OPTS,
): Promise<ActionError> {
  const err = await runDeploy(ctx, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

function only(results: DeployResult[]): DeployResult {
  expect(results).toHaveLength(1);
  return results[0]!;
}

/** The function still holds the code it had (and nothing was published or aliased). */
function expectUntouched(name: string, sha: string): void {
  const f = server.fn(name);
  expect(f.codeSha256).toBe(sha);
  expect(f.versions).toHaveLength(0);
  expect(f.aliases.size).toBe(0);
}

describe('deploy: UpdateFunctionCode', () => {
  it('updates the code with the RevisionId read first, waits, and sets the outputs', async () => {
    const f = server.addFunction({ name: 'api' });
    const rev0 = f.revisionId;
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.ops()).toEqual(['GetFunction', 'UpdateFunctionCode', 'GetFunction']);
    const update = server.requests.find((q) => q.op === 'UpdateFunctionCode')!;
    expect(update.json).toMatchObject({
      RevisionId: rev0,
      Architectures: ['x86_64'],
      Publish: false,
      DryRun: false,
    });
    expect(update.accessKeyId).toBe(TEST_ACCESS_KEY);
    expect(server.fn('api').codeSha256).toBe(zip.sha);
    expect(server.fn('api').lastUpdateStatus).toBe('Successful');
    expect(r).toMatchObject({
      status: 'updated',
      version: '$LATEST',
      codeSha256: zip.sha,
      bytesUploaded: zip.bytes.length,
      upload: 'direct',
    });
    expect(r.revisionId).toBe(server.fn('api').revisionId);
    expect(ctx.outputs).toMatchObject({
      'function-arn': server.arn('api'),
      'function-version': '$LATEST',
      'code-sha256': zip.sha,
      'revision-id': server.fn('api').revisionId,
      'deploy-status': 'updated',
      'config-changes': '[]',
    });
    expect(ctx.deployments).toEqual([r]);
  });

  it('429 TooManyRequests: retried by the SDK, then succeeds', async () => {
    server.addFunction({ name: 'api' });
    server.inject('UpdateFunctionCode', {
      kind: 'error',
      status: 429,
      type: 'TooManyRequestsException',
      message: 'Rate exceeded',
    });
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.requests.filter((q) => q.op === 'UpdateFunctionCode').map((q) => q.status)).toEqual([
      429, 200,
    ]);
    expect(server.fn('api').codeSha256).toBe(zip.sha);
  });

  it('500 ServiceException: retried by the SDK, then succeeds', async () => {
    server.addFunction({ name: 'api' });
    server.inject('UpdateFunctionCode', { kind: 'error', status: 500, type: 'ServiceException' });
    server.inject('GetFunction', { kind: 'error', status: 503, type: 'ServiceException' });
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.requests.filter((q) => q.op === 'UpdateFunctionCode').map((q) => q.status)).toEqual([
      500, 200,
    ]);
    expect(server.requests.filter((q) => q.op === 'GetFunction').map((q) => q.status)).toEqual([
      503, 200, 200,
    ]);
    expect(server.fn('api').codeSha256).toBe(zip.sha);
  });

  it('500 after the update was applied: the retry meets 412, sees its own code, and carries on', async () => {
    server.addFunction({ name: 'api' });
    server.inject('UpdateFunctionCode', {
      kind: 'error',
      status: 500,
      type: 'ServiceException',
      applyFirst: true,
    });
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.requests.filter((q) => q.op === 'UpdateFunctionCode').map((q) => q.status)).toEqual([
      500, 412,
    ]);
    expect(log.warnings.join('\n')).toMatch(/already holds this zip/);
    expect(r.version).toBe('1');
    expect(server.aliasCode('api', 'live')).toBe(zip.sha);
  });

  it('409 ResourceConflict (update in progress): waits until the update finished, then retries', async () => {
    server.addFunction({ name: 'api' });
    server.inject('UpdateFunctionCode', {
      kind: 'error',
      status: 409,
      type: 'ResourceConflictException',
      holdPolls: 3,
    });
    const zip = makeZip();
    const { ctx, log } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      // the waiter: InProgress for 3 polls, then Successful
      'GetFunction',
      'GetFunction',
      'GetFunction',
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
    ]);
    expect(log.text()).toMatch(/another update is in progress/);
    expect(server.fn('api').codeSha256).toBe(zip.sha);
  });

  it('waits out an update already in progress before reading the RevisionId', async () => {
    const rev0 = server.addFunction({ name: 'api' }).revisionId;
    server.startForeignUpdate('api', 2);
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    // InProgress at the first read and the next poll, Successful at the third; only then the update.
    expect(server.ops().slice(0, 4)).toEqual([
      'GetFunction',
      'GetFunction',
      'GetFunction',
      'UpdateFunctionCode',
    ]);
    expect(server.requests[3]!.json).toMatchObject({ RevisionId: rev0 });
  });

  it('412 PreconditionFailed (revision changed): clear failure, nothing overwritten', async () => {
    const old = server.addFunction({ name: 'api' }).codeSha256;
    server.inject('UpdateFunctionCode', {
      kind: 'error',
      status: 412,
      type: 'PreconditionFailedException',
      message: 'The Revision Id provided does not match the latest Revision Id.',
    });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const err = await deployExpectingError(ctx);
    expect(err.message).toBe(
      'api: the function changed since it was read (another deploy?); nothing was overwritten; re-run.',
    );
    expect(server.count('PublishVersion')).toBe(0);
    expectUntouched('api', old);
    expect(ctx.outputs['deploy-status']).toBeUndefined();
  });

  it('LastUpdateStatus InProgress for several polls, then Successful', async () => {
    server.addFunction({ name: 'api' });
    server.holdNextUpdate('api', { polls: 4, outcome: 'Successful' });
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    const t0 = Date.now();
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      ...Array<string>(5).fill('GetFunction'),
    ]);
    expect(server.fn('api').lastUpdateStatus).toBe('Successful');
  });

  it('LastUpdateStatus Failed: fails with the reason and code; nothing published or aliased', async () => {
    const old = server.addFunction({ name: 'api' }).codeSha256;
    server.holdNextUpdate('api', {
      polls: 2,
      outcome: 'Failed',
      reason: 'Lambda was unable to decrypt the environment variables.',
      reasonCode: 'KMSAccessDeniedException',
    });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const err = await deployExpectingError(ctx);
    expect(err.title).toBe('Update failed');
    expect(err.message).toContain('KMSAccessDeniedException');
    expect(err.message).toContain('Lambda was unable to decrypt the environment variables.');
    expect(server.count('PublishVersion')).toBe(0);
    expectUntouched('api', old);
  });

  it('wait-timeout-seconds reached: clear timeout error', async () => {
    server.addFunction({ name: 'api' });
    server.holdNextUpdate('api', { polls: 1_000_000, outcome: 'Successful' });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', 'wait-timeout-seconds': '1' },
      { pkg: packageOf(zip) },
    );
    const err = await deployExpectingError(ctx, {
      ...TEST_OPTS,
      pollDelaySeconds: 0.05,
      pollMaxDelaySeconds: 0.2,
    });
    expect(err.title).toBe('Update timed out');
    expect(err.message).toMatch(/still in progress after 1 s/);
    expect(server.fn('api').lastUpdateStatus).toBe('InProgress');
  });

  it('wait: false returns after UpdateFunctionCode without polling', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api', wait: 'false' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.ops()).toEqual(['GetFunction', 'UpdateFunctionCode']);
    expect(server.fn('api').lastUpdateStatus).toBe('InProgress');
  });

  it('connection reset during the upload: the SDK sends it again', async () => {
    server.addFunction({ name: 'api' });
    server.inject('UpdateFunctionCode', { kind: 'reset' });
    const zip = makeZip('x86_64', { filler: 256 * 1024 });
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    const updates = server.requests.filter((q) => q.op === 'UpdateFunctionCode');
    expect(updates.map((q) => q.status)).toEqual([0, 200]);
    expect(updates[0]!.bodyBytes).toBeGreaterThan(0);
    expect(updates[0]!.bodyBytes).toBeLessThan(updates[1]!.bodyBytes);
    expect(server.fn('api').codeSha256).toBe(zip.sha);
  });

  it('a connection that goes silent: dropped after the socket timeout and sent again', async () => {
    server.addFunction({ name: 'api' });
    server.inject('UpdateFunctionCode', { kind: 'hang' });
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, { ...TEST_OPTS, socketTimeoutMs: 300 })).status).toBe('updated');
    expect(server.requests.filter((q) => q.op === 'UpdateFunctionCode').map((q) => q.status)).toEqual([
      0, 200,
    ]);
    expect(server.fn('api').codeSha256).toBe(zip.sha);
  });

  it('function not found (create: false): fails naming it and the Region', async () => {
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'missing-fn' }, { pkg: packageOf(zip) });
    const err = await deployExpectingError(ctx);
    expect(err.message).toBe(
      'function missing-fn does not exist in us-east-1; create it, fix function-name, or set create: true with role.',
    );
    expect(server.ops()).toEqual(['GetFunction']);
    expect(server.functions.size).toBe(0);
  });

  it('access denied: the error names the permission', async () => {
    const old = server.addFunction({ name: 'api' }).codeSha256;
    const zip = makeZip();
    server.inject('GetFunction', {
      kind: 'error',
      status: 403,
      type: 'AccessDeniedException',
      message: `User: arn:aws:sts::123456789012:assumed-role/deploy/x is not authorized to perform: lambda:GetFunction`,
    });
    let err = await deployExpectingError(
      makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) }).ctx,
    );
    expect(err.title).toBe('Access denied');
    expect(err.message).toMatch(/needs the permission lambda:GetFunction on api/);
    expect(server.ops()).toEqual(['GetFunction']);

    server.requests.length = 0;
    server.inject('UpdateFunctionCode', {
      kind: 'error',
      status: 403,
      type: 'AccessDeniedException',
      message: 'not authorized',
    });
    err = await deployExpectingError(makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) }).ctx);
    expect(err.message).toMatch(/needs the permission lambda:UpdateFunctionCode on api/);
    expect(server.ops()).toEqual(['GetFunction', 'UpdateFunctionCode']);
    expectUntouched('api', old);
  });

  it('architecture mismatch: refused before any upload, naming both', async () => {
    const old = server.addFunction({ name: 'api', architecture: 'arm64' }).codeSha256;
    const zip = makeZip('x86_64');
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    const err = await deployExpectingError(ctx);
    expect(err.title).toBe('Architecture mismatch');
    expect(err.message).toMatch(/^zip is x86_64, function api is arm64; nothing was uploaded/);
    expect(server.ops()).toEqual(['GetFunction']);
    expect(server.uploadedBytes()).toBe(0);
    expectUntouched('api', old);
  });

  it('refuses a function whose runtime cannot run a bootstrap, and container-image functions', async () => {
    server.addFunction({ name: 'node', runtime: 'nodejs20.x' });
    server.addFunction({ name: 'image', packageType: 'Image' });
    const zip = makeZip();
    let err = await deployExpectingError(
      makeContext({ 'function-name': 'node' }, { pkg: packageOf(zip) }).ctx,
    );
    expect(err.message).toMatch(/runtime nodejs20.x, which never runs a bootstrap/);
    err = await deployExpectingError(makeContext({ 'function-name': 'image' }, { pkg: packageOf(zip) }).ctx);
    expect(err.title).toBe('Container image function');
    expect(server.count('UpdateFunctionCode')).toBe(0);
  });

  it('unchanged code: nothing uploaded (asserted at the server), status unchanged', async () => {
    const zip = makeZip();
    server.addFunction({ name: 'api', code: zip.bytes });
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r).toMatchObject({
      status: 'unchanged',
      bytesUploaded: 0,
      codeUpdated: false,
      codeSha256: zip.sha,
    });
    expect(server.ops()).toEqual(['GetFunction']);
    expect(server.uploadedBytes()).toBe(0);
    expect(ctx.outputs['deploy-status']).toBe('unchanged');
  });

  it('same CodeSha256 but the last update Failed: the code is sent again', async () => {
    const zip = makeZip();
    const f = server.addFunction({ name: 'api', code: zip.bytes });
    f.lastUpdateStatus = 'Failed';
    f.lastUpdateStatusReason = 'Timeout while unpacking';
    const { ctx, log } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    expect(only(await runDeploy(ctx, TEST_OPTS))).toMatchObject({ status: 'updated', codeUpdated: true });
    expect(server.ops()).toEqual(['GetFunction', 'UpdateFunctionCode', 'GetFunction']);
    expect(server.fn('api').lastUpdateStatus).toBe('Successful');
    expect(log.text()).toMatch(/last update failed \(Timeout while unpacking\); sending the code again/);
  });

  it('unchanged code with skip-unchanged: false is uploaded anyway', async () => {
    const zip = makeZip();
    server.addFunction({ name: 'api', code: zip.bytes });
    const { ctx } = makeContext(
      { 'function-name': 'api', 'skip-unchanged': 'false' },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.count('UpdateFunctionCode')).toBe(1);
  });

  it('unchanged code with publish: points the alias at the version holding it, publishes nothing', async () => {
    const zip = makeZip();
    const other = makeZip();
    server.addFunction({ name: 'api', code: zip.bytes });
    server.publishNow('api'); // v1: this zip
    const f = server.fn('api');
    f.code = other.bytes;
    f.codeSha256 = other.sha;
    server.publishNow('api'); // v2: other code
    f.codeSha256 = zip.sha; // $LATEST back to this zip
    server.setAlias('api', 'live', '2');
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r).toMatchObject({ status: 'unchanged', version: '1', bytesUploaded: 0 });
    expect(server.count('PublishVersion')).toBe(0);
    expect(server.ops()).toEqual(['GetFunction', 'ListVersionsByFunction', 'GetAlias', 'UpdateAlias']);
    expect(server.aliasCode('api', 'live')).toBe(zip.sha);
    expect(server.fn('api').versions).toHaveLength(2);
  });

  it('unchanged code with publish and no version holding it: PublishVersion (paging through versions)', async () => {
    const zip = makeZip();
    const other = makeZip();
    server.addFunction({ name: 'api', code: other.bytes });
    for (let i = 0; i < 3; i++) server.publishNow('api');
    const f = server.fn('api');
    f.code = zip.bytes;
    f.codeSha256 = zip.sha;
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r).toMatchObject({ status: 'unchanged', version: '4' });
    expect(server.ops()).toEqual([
      'GetFunction',
      'ListVersionsByFunction',
      'PublishVersion',
      'GetAlias',
      'CreateAlias',
    ]);
    expect(server.aliasCode('api', 'live')).toBe(zip.sha);
  });

  it('dry run: UpdateFunctionCode with DryRun and nothing after it', async () => {
    const old = server.addFunction({ name: 'api' }).codeSha256;
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', 'dry-run': 'true', publish: 'true', alias: 'live', 'memory-size': '1024' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r.status).toBe('dry-run');
    expect(r.configChanges).toEqual([{ function: 'api', setting: 'MemorySize', from: 128, to: 1024 }]);
    expect(server.ops()).toEqual(['GetFunction', 'UpdateFunctionCode']);
    expect(server.requests[1]!.json).toMatchObject({ DryRun: true });
    expectUntouched('api', old);
    expect(server.fn('api').memorySize).toBe(128);
    expect(ctx.outputs['deploy-status']).toBe('dry-run');
  });

  it('publish + alias: creates the alias, then moves it on the next deploy', async () => {
    server.addFunction({ name: 'api' });
    const z1 = makeZip();
    const first = only(
      await runDeploy(
        makeContext({ 'function-name': 'api', publish: 'true', alias: 'live' }, { pkg: packageOf(z1) }).ctx,
        TEST_OPTS,
      ),
    );
    expect(first).toMatchObject({ version: '1', alias: 'live', status: 'updated' });
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'PublishVersion',
      'GetAlias',
      'CreateAlias',
    ]);
    const pub = server.requests.find((q) => q.op === 'PublishVersion')!;
    expect(pub.json).toEqual({ CodeSha256: z1.sha, RevisionId: server.fn('api').revisionId });
    expect(server.aliasCode('api', 'live')).toBe(z1.sha);

    server.requests.length = 0;
    const z2 = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(z2) },
    );
    const second = only(await runDeploy(ctx, TEST_OPTS));
    expect(second).toMatchObject({ version: '2', status: 'updated' });
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'PublishVersion',
      'GetAlias',
      'UpdateAlias',
    ]);
    expect(server.aliasCode('api', 'live')).toBe(z2.sha);
    expect(server.fn('api').versions.map((v) => v.codeSha256)).toEqual([z1.sha, z2.sha]);
    expect(ctx.outputs['function-version']).toBe('2');
  });

  it('publish: 409 on PublishVersion is waited out', async () => {
    server.addFunction({ name: 'api' });
    server.inject('PublishVersion', {
      kind: 'error',
      status: 409,
      type: 'ResourceConflictException',
      holdPolls: 1,
    });
    const zip = makeZip();
    const r = only(
      await runDeploy(
        makeContext({ 'function-name': 'api', publish: 'true' }, { pkg: packageOf(zip) }).ctx,
        TEST_OPTS,
      ),
    );
    expect(r.version).toBe('1');
    expect(server.requests.filter((q) => q.op === 'PublishVersion').map((q) => q.status)).toEqual([409, 201]);
  });

  it('a weighted alias loses its extra weights rather than keep serving other code', async () => {
    server.addFunction({ name: 'api' });
    server.publishNow('api');
    server.setAlias('api', 'live', '1', { '1': 0.1 });
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).version).toBe('2');
    expect(server.fn('api').aliases.get('live')!.weights).toEqual({});
    expect(server.aliasCode('api', 'live')).toBe(zip.sha);
    expect(log.warnings.join('\n')).toMatch(/routing is removed/);
  });

  it('412 on UpdateAlias: alias left as the other change set it', async () => {
    server.addFunction({ name: 'api' });
    server.publishNow('api');
    server.setAlias('api', 'live', '1');
    const oldAliasCode = server.aliasCode('api', 'live');
    server.inject('UpdateAlias', { kind: 'error', status: 412, type: 'PreconditionFailedException' });
    const zip = makeZip();
    const err = await deployExpectingError(
      makeContext({ 'function-name': 'api', publish: 'true', alias: 'live' }, { pkg: packageOf(zip) }).ctx,
    );
    expect(err.title).toBe('Alias changed meanwhile');
    expect(server.aliasCode('api', 'live')).toBe(oldAliasCode);
    expect(server.fn('api').versions.at(-1)!.codeSha256).toBe(zip.sha);
  });
});

describe('deploy: zips over the direct-upload limit go through S3', () => {
  it('without s3-bucket: fails before any call, with the fix', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) });
    const err = await deployExpectingError(ctx, { ...TEST_OPTS, directUploadLimit: 100 });
    expect(err.title).toBe('Zip too large for a direct upload');
    expect(err.message).toMatch(/Set `s3-bucket`/);
    expect(server.requests).toHaveLength(0);
  });

  it('with s3-bucket: PutObject to the default key, then UpdateFunctionCode with S3Bucket/S3Key', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', 's3-bucket': 'deploy-bucket' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, { ...TEST_OPTS, directUploadLimit: 100 }));
    const key = `nix-lambda/api/${Buffer.from(zip.sha, 'base64').toString('hex')}.zip`;
    expect(server.ops()).toEqual(['GetFunction', 'PutObject', 'UpdateFunctionCode', 'GetFunction']);
    expect(server.requests[1]!.path.split('?')[0]).toBe(`/deploy-bucket/${key}`);
    expect(server.objects.get(`deploy-bucket/${key}`)).toEqual(zip.bytes);
    expect(server.requests[2]!.json).toMatchObject({ S3Bucket: 'deploy-bucket', S3Key: key });
    expect(server.requests[2]!.json).not.toHaveProperty('ZipFile');
    expect(r).toMatchObject({ upload: `s3://deploy-bucket/${key}`, bytesUploaded: zip.bytes.length });
    expect(server.fn('api').codeSha256).toBe(zip.sha);
  });

  it('s3-key given, several functions: one upload shared by all', async () => {
    server.addFunction({ name: 'a' });
    server.addFunction({ name: 'b' });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'a\nb', 's3-bucket': 'deploy-bucket', 's3-key': 'builds/fn.zip' },
      { pkg: packageOf(zip) },
    );
    const results = await runDeploy(ctx, TEST_OPTS);
    expect(server.count('PutObject')).toBe(1);
    expect(results.map((x) => x.bytesUploaded).sort()).toEqual([0, zip.bytes.length]);
    expect(server.fn('a').codeSha256).toBe(zip.sha);
    expect(server.fn('b').codeSha256).toBe(zip.sha);
  });

  it('a real zip over 50 MiB: multipart upload, and refused for a direct upload', async () => {
    server.addFunction({ name: 'big' });
    const zip = makeZip('x86_64', { filler: 51 * 1024 * 1024 });
    expect(zip.bytes.length).toBeGreaterThan(50 * 1024 * 1024);
    let err = await deployExpectingError(
      makeContext({ 'function-name': 'big' }, { pkg: packageOf(zip) }).ctx,
    );
    expect(err.title).toBe('Zip too large for a direct upload');
    expect(server.requests).toHaveLength(0);

    const { ctx } = makeContext(
      { 'function-name': 'big', 's3-bucket': 'deploy-bucket' },
      { pkg: packageOf(zip) },
    );
    server.inject('UploadPart', { kind: 'error', status: 500, type: 'InternalError' });
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r.status).toBe('updated');
    expect(server.count('CreateMultipartUpload')).toBe(1);
    expect(server.requests.filter((q) => q.op === 'UploadPart' && q.status === 200)).toHaveLength(
      Math.ceil(zip.bytes.length / TEST_OPTS.s3PartSize),
    );
    expect(server.count('CompleteMultipartUpload')).toBe(1);
    expect(server.fn('big').codeSha256).toBe(zip.sha);

    // and the direct path really is refused by Lambda at that size
    server.requests.length = 0;
    err = await deployExpectingError(
      makeContext({ 'function-name': 'big', 'skip-unchanged': 'false' }, { pkg: packageOf(zip) }).ctx,
      { ...TEST_OPTS, directUploadLimit: Number.MAX_SAFE_INTEGER },
    );
    expect(err.message).toMatch(/RequestEntityTooLargeException/);
  }, 60_000);
});

describe('deploy: several functions, credentials, deploy-only zips', () => {
  it('deploys several functions; outputs one line per function in input order', async () => {
    const zip = makeZip();
    server.addFunction({ name: 'f1' });
    server.addFunction({ name: 'f2', code: zip.bytes });
    server.addFunction({ name: 'f3' });
    server.addFunction({ name: 'f4' });
    server.addFunction({ name: 'f5' });
    server.holdNextUpdate('f1', { polls: 3, outcome: 'Successful' }); // f1 finishes last
    const names = ['f1', 'f2', 'f3', 'f4', 'f5'];
    const { ctx } = makeContext({ 'function-name': names.join('\n') }, { pkg: packageOf(zip) });
    const results = await runDeploy(ctx, TEST_OPTS);
    expect(results.map((x) => x.function)).toEqual(names);
    expect(ctx.outputs['deploy-status']).toBe('updated\nunchanged\nupdated\nupdated\nupdated');
    expect(ctx.outputs['function-arn']).toBe(names.map((n) => server.arn(n)).join('\n'));
    expect(ctx.outputs['code-sha256']).toBe(names.map(() => zip.sha).join('\n'));
    expect(ctx.outputs['revision-id']).toBe(names.map((n) => server.fn(n).revisionId).join('\n'));
    for (const n of names) expect(server.fn(n).codeSha256).toBe(zip.sha);
  });

  it('one function that cannot take the zip: no function is changed', async () => {
    const a = server.addFunction({ name: 'a' }).codeSha256;
    const b = server.addFunction({ name: 'b', architecture: 'arm64' }).codeSha256;
    const zip = makeZip();
    const err = await deployExpectingError(
      makeContext({ 'function-name': 'a\nb\nc' }, { pkg: packageOf(zip) }).ctx,
    );
    expect(err.title).toBe('Deploy check failed for 2 functions');
    expect(err.message).toMatch(/- b: zip is x86_64, function b is arm64/);
    expect(err.message).toMatch(/- c: function c does not exist/);
    expect(err.message).toMatch(/No function was changed/);
    expect(server.count('UpdateFunctionCode')).toBe(0);
    expectUntouched('a', a);
    expectUntouched('b', b);
  });

  it('role-to-assume: OIDC token -> AssumeRoleWithWebIdentity -> Lambda signed with those keys, masked', async () => {
    server.addFunction({ name: 'api' });
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${server.url}/_oidc/token?api-version=2.0`;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token';
    try {
      const zip = makeZip();
      const role = 'arn:aws:iam::123456789012:role/deployer';
      const { ctx, log } = makeContext(
        { 'function-name': 'api', 'role-to-assume': role },
        { pkg: packageOf(zip) },
      );
      expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
      expect(server.ops()).toEqual([
        'OidcToken',
        'AssumeRoleWithWebIdentity',
        'GetFunction',
        'UpdateFunctionCode',
        'GetFunction',
      ]);
      expect(server.issued).toHaveLength(1);
      const creds = server.issued[0]!;
      expect(creds.roleArn).toBe(role);
      const lambdaCalls = server.requests.filter(
        (q) => q.op !== 'OidcToken' && q.op !== 'AssumeRoleWithWebIdentity',
      );
      expect(lambdaCalls.map((q) => q.accessKeyId)).toEqual(lambdaCalls.map(() => creds.accessKeyId));
      expect(server.requests[1]!.accessKeyId).toBeUndefined(); // STS call unsigned
      expect(log.secrets).toEqual(
        expect.arrayContaining([creds.accessKeyId, creds.secretAccessKey, creds.sessionToken]),
      );
      expect(scrubSecrets(`x ${creds.secretAccessKey} ${creds.sessionToken} ${creds.accessKeyId}`)).toBe(
        'x *** *** ***',
      );
    } finally {
      Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_URL');
      Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN');
    }
  });

  it('role-to-assume without the OIDC variables: says to add id-token: write, calls nothing', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', 'role-to-assume': 'arn:aws:iam::123456789012:role/deployer' },
      { pkg: packageOf(zip) },
    );
    const err = await deployExpectingError(ctx);
    expect(err.message).toMatch(/add `permissions: id-token: write`/);
    expect(server.requests).toHaveLength(0);
  });

  it('role-to-assume rejected by STS: explains the trust policy', async () => {
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${server.url}/_oidc/token?api-version=2.0`;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token';
    try {
      server.inject('AssumeRoleWithWebIdentity', {
        kind: 'error',
        status: 403,
        type: 'AccessDenied',
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      });
      const zip = makeZip();
      const { ctx } = makeContext(
        { 'function-name': 'api', 'role-to-assume': 'arn:aws:iam::123456789012:role/deployer' },
        { pkg: packageOf(zip) },
      );
      const err = await deployExpectingError(ctx);
      expect(err.message).toMatch(/sts:AssumeRoleWithWebIdentity/);
      expect(err.message).toMatch(/trust policy/);
      expect(server.count('GetFunction')).toBe(0);
    } finally {
      Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_URL');
      Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN');
    }
  });

  it('AWS_ENDPOINT_URL_LAMBDA takes precedence over AWS_ENDPOINT_URL', async () => {
    process.env['AWS_ENDPOINT_URL'] = 'http://127.0.0.1:9'; // nothing listens there
    process.env['AWS_ENDPOINT_URL_LAMBDA'] = server.url;
    try {
      server.addFunction({ name: 'api' });
      const zip = makeZip();
      expect(
        only(await runDeploy(makeContext({ 'function-name': 'api' }, { pkg: packageOf(zip) }).ctx, TEST_OPTS))
          .status,
      ).toBe('updated');
    } finally {
      process.env['AWS_ENDPOINT_URL'] = server.url;
      Reflect.deleteProperty(process.env, 'AWS_ENDPOINT_URL_LAMBDA');
    }
  });

  it.each(['x86_64', 'arm64'] as const)(
    'deploy-only: reads the architecture (%s) from the bootstrap ELF of zip-path',
    async (arch) => {
      server.addFunction({ name: 'api', architecture: arch });
      const zip = makeZip(arch);
      const { ctx, log } = makeContext({ 'function-name': 'api' }, { zip });
      expect(ctx.package).toBeUndefined();
      const r = only(await runDeploy(ctx, TEST_OPTS));
      expect(r.codeSha256).toBe(zip.sha);
      expect(server.requests.find((q) => q.op === 'UpdateFunctionCode')!.json).toMatchObject({
        Architectures: [arch],
      });
      expect(log.text()).toContain(`(${arch}, bootstrap's ELF header)`);
    },
  );

  it('deploy-only: refuses a zip without an ELF bootstrap, before any call', async () => {
    server.addFunction({ name: 'api' });
    let zip: TestZip = makeZip('x86_64', { bootstrap: Buffer.from('#!/bin/sh\necho hi\n') });
    let err = await deployExpectingError(makeContext({ 'function-name': 'api' }, { zip }).ctx);
    expect(err.title).toBe('Not an ELF bootstrap');
    zip = makeZip('x86_64', { bootstrap: null });
    err = await deployExpectingError(makeContext({ 'function-name': 'api' }, { zip }).ctx);
    expect(err.title).toBe('No bootstrap in the zip');
    const riscv = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(riscv);
    riscv.writeUInt16LE(243, 18);
    zip = makeZip('x86_64', { bootstrap: riscv });
    err = await deployExpectingError(makeContext({ 'function-name': 'api' }, { zip }).ctx);
    expect(err.message).toMatch(/machine 243/);
    expect(server.requests).toHaveLength(0);
  });
});
