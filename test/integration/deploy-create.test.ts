import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConfigChange, DeployResult } from '../../src/deploy/types.js';
import { ActionError } from '../../src/util/errors.js';
import { runDeploy } from '../../src/stages/deploy.js';
import {
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_OPTS,
  type LambdaServer,
} from '../support/lambda-server.js';

/**
 * Wire tests of issue 8: creating a missing function (create: true) and the
 * configuration that travels with the code, applied only when it differs.
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

const ROLE = 'arn:aws:iam::123456789012:role/lambda-exec';

function only(results: DeployResult[]): DeployResult {
  expect(results).toHaveLength(1);
  return results[0]!;
}

async function expectError(p: Promise<unknown>): Promise<ActionError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

describe('create: true', () => {
  it.each(['x86_64', 'arm64'] as const)(
    'creates a missing %s function from the ELF, waits until Active',
    async (arch) => {
      const zip = makeZip(arch);
      server.nextCreation = { polls: 3, outcome: 'Active' };
      const { ctx } = makeContext(
        { 'function-name': 'new-fn', create: 'true', role: ROLE, 'memory-size': '512', timeout: '20' },
        { pkg: packageOf(zip, { SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt' }) },
      );
      const r = only(await runDeploy(ctx, TEST_OPTS));
      expect(r).toMatchObject({
        status: 'created',
        version: '$LATEST',
        codeSha256: zip.sha,
        bytesUploaded: zip.bytes.length,
      });
      // 404, create, then Pending for 3 polls and Active at the 4th
      expect(server.ops()).toEqual([
        'GetFunction',
        'CreateFunction',
        'GetFunction',
        'GetFunction',
        'GetFunction',
        'GetFunction',
      ]);
      const create = server.requests[1]!.json!;
      expect(create).toMatchObject({
        FunctionName: 'new-fn',
        Runtime: 'provided.al2023',
        Handler: 'bootstrap',
        Role: ROLE,
        Architectures: [arch],
        PackageType: 'Zip',
        Publish: false,
        MemorySize: 512,
        Timeout: 20,
        Environment: { Variables: { SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt' } },
      });
      const f = server.fn('new-fn');
      expect(f.state).toBe('Active');
      expect(f.architectures).toEqual([arch]);
      expect(f.codeSha256).toBe(zip.sha);
      expect(ctx.outputs['deploy-status']).toBe('created');
      expect(JSON.parse(ctx.outputs['config-changes']!)).toEqual([
        { function: 'new-fn', setting: 'MemorySize', from: null, to: 512 },
        { function: 'new-fn', setting: 'Timeout', from: null, to: 20 },
        { function: 'new-fn', setting: 'Environment.SSL_CERT_FILE', from: null, to: '(set)' },
      ]);
    },
  );

  it('creates with publish and alias: version 1 and the alias on it', async () => {
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'new-fn', create: 'true', role: ROLE, publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r).toMatchObject({ status: 'created', version: '1', alias: 'live' });
    expect(server.ops()).toEqual(['GetFunction', 'CreateFunction', 'GetFunction', 'GetAlias', 'CreateAlias']);
    expect(server.requests[1]!.json).toMatchObject({ Publish: true });
    expect(server.aliasCode('new-fn', 'live')).toBe(zip.sha);
  });

  it('provided.al2 is allowed, with a deprecation warning', async () => {
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'old-rt', create: 'true', role: ROLE, runtime: 'provided.al2' },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('created');
    expect(server.fn('old-rt').runtime).toBe('provided.al2');
    expect(log.warnings.join('\n')).toMatch(/provided.al2 .*deprecated/);
  });

  it('creation through S3 when the zip is over the limit', async () => {
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'new-fn', create: 'true', role: ROLE, 's3-bucket': 'deploy-bucket' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, { ...TEST_OPTS, directUploadLimit: 100 }));
    expect(r.upload).toMatch(/^s3:\/\/deploy-bucket\/nix-lambda\/new-fn\/[0-9a-f]{64}\.zip$/);
    expect(server.ops().slice(0, 3)).toEqual(['GetFunction', 'PutObject', 'CreateFunction']);
    expect(server.requests[2]!.json).toMatchObject({ Code: { S3Bucket: 'deploy-bucket' } });
    expect(server.fn('new-fn').codeSha256).toBe(zip.sha);
  });

  it('a function that fails to become Active: the error carries StateReason', async () => {
    const zip = makeZip();
    server.nextCreation = {
      polls: 1,
      outcome: 'Failed',
      reason: 'The role cannot be assumed',
      reasonCode: 'InvalidRole',
    };
    const { ctx } = makeContext(
      { 'function-name': 'new-fn', create: 'true', role: ROLE, publish: 'true', alias: 'live' },
      { pkg: packageOf(zip) },
    );
    const err = await expectError(runDeploy(ctx, TEST_OPTS));
    expect(err.title).toBe('Creation failed');
    expect(err.message).toMatch(/State Failed \(InvalidRole\): The role cannot be assumed/);
    expect(server.fn('new-fn').aliases.size).toBe(0);
  });

  it('creation without role is refused by parseInputs, before any call; the deploy inputs carry the role', () => {
    const zip = makeZip();
    expect(() => makeContext({ 'function-name': 'new-fn', create: 'true' }, { pkg: packageOf(zip) })).toThrow(
      /needs its execution role: set `role`/,
    );
    const { ctx } = makeContext(
      { 'function-name': 'new-fn', create: 'true', role: ROLE },
      { pkg: packageOf(zip) },
    );
    expect(ctx.inputs.deploy?.create).toEqual({ role: ROLE, runtime: 'provided.al2023' });
    expect(server.requests).toHaveLength(0);
  });

  it('create: false with a missing function fails naming it, and creates nothing', async () => {
    const zip = makeZip();
    const { ctx } = makeContext({ 'function-name': 'typo-fn', role: ROLE }, { pkg: packageOf(zip) });
    const err = await expectError(runDeploy(ctx, TEST_OPTS));
    expect(err.message).toMatch(/^function typo-fn does not exist in us-east-1/);
    expect(server.count('CreateFunction')).toBe(0);
    expect(server.functions.size).toBe(0);
  });

  it('dry run with create: creates nothing', async () => {
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'new-fn', create: 'true', role: ROLE, 'dry-run': 'true' },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('dry-run');
    expect(server.ops()).toEqual(['GetFunction']);
    expect(server.functions.size).toBe(0);
  });
});

describe('configuration with the code', () => {
  it('equal settings: no UpdateFunctionConfiguration (request log)', async () => {
    server.addFunction({
      name: 'api',
      memorySize: 256,
      timeout: 30,
      description: 'API',
      ephemeralStorage: 1024,
      env: { A: '1' },
    });
    const zip = makeZip();
    const { ctx } = makeContext(
      {
        'function-name': 'api',
        'memory-size': '256',
        timeout: '30',
        description: 'API',
        'ephemeral-storage': '1024',
        environment: '{"A": "1"}',
      },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r.configChanges).toEqual([]);
    expect(server.count('UpdateFunctionConfiguration')).toBe(0);
    expect(ctx.outputs['config-changes']).toBe('[]');
  });

  it('changed settings: one UpdateFunctionConfiguration with only those, after the code update finished, then published with both', async () => {
    const layer = 'arn:aws:lambda:us-east-1:123456789012:layer:tools:3';
    server.addFunction({ name: 'api', memorySize: 256, timeout: 30, layers: [layer] });
    server.holdNextUpdate('api', { polls: 2, outcome: 'Successful' });
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'api', 'memory-size': '1024', timeout: '30', layers: 'none', publish: 'true' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'GetFunction',
      'GetFunction',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'PublishVersion',
    ]);
    const upd = server.requests.find((q) => q.op === 'UpdateFunctionConfiguration')!;
    expect(Object.keys(upd.json!).sort()).toEqual(['Layers', 'MemorySize', 'RevisionId']);
    expect(upd.json).toMatchObject({ MemorySize: 1024, Layers: [] });
    const expected: ConfigChange[] = [
      { function: 'api', setting: 'MemorySize', from: 256, to: 1024 },
      { function: 'api', setting: 'Layers', from: [layer], to: [] },
    ];
    expect(r.configChanges).toEqual(expected);
    expect(JSON.parse(ctx.outputs['config-changes']!)).toEqual(expected);
    const v = server.fn('api').versions[0]!;
    expect(v).toMatchObject({ codeSha256: zip.sha, memorySize: 1024, layers: [] });
    expect(log.text()).toContain('api: MemorySize: 256 -> 1024');
  });

  it('unchanged code but changed configuration: status updated, a new version is justified', async () => {
    const zip = makeZip();
    server.addFunction({ name: 'api', code: zip.bytes, timeout: 3 });
    server.publishNow('api');
    const { ctx } = makeContext(
      { 'function-name': 'api', timeout: '60', publish: 'true' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r).toMatchObject({ status: 'updated', codeUpdated: false, bytesUploaded: 0, version: '2' });
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'PublishVersion',
    ]);
    expect(server.fn('api').versions[1]).toMatchObject({ codeSha256: zip.sha, timeout: 60 });
  });

  it('environment merge: adds and changes the given variables, keeps the others; values never logged', async () => {
    server.addFunction({ name: 'api', env: { KEEP: 'kept-value-1', TOKEN: 'old-secret-value' } });
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'api', environment: '{"TOKEN": "new-secret-value", "LEVEL": "debug-value"}' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.fn('api').env).toEqual({
      KEEP: 'kept-value-1',
      TOKEN: 'new-secret-value',
      LEVEL: 'debug-value',
    });
    expect(r.configChanges).toEqual([
      { function: 'api', setting: 'Environment.LEVEL', from: null, to: '(set)' },
      { function: 'api', setting: 'Environment.TOKEN', from: '(set)', to: '(new value)' },
    ]);
    const everything = log.text() + JSON.stringify(ctx.outputs);
    for (const value of ['kept-value-1', 'old-secret-value', 'new-secret-value', 'debug-value'])
      expect(everything).not.toContain(value);
    expect(log.text()).toContain('environment: change TOKEN');
  });

  it('environment replace: the function ends up with exactly the given variables', async () => {
    server.addFunction({ name: 'api', env: { OLD: 'x', TOKEN: 'a' } });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', environment: '{"TOKEN": "b"}', 'environment-mode': 'replace' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.fn('api').env).toEqual({ TOKEN: 'b' });
    expect(r.configChanges.map((c) => [c.setting, c.from, c.to])).toEqual([
      ['Environment.OLD', '(set)', null],
      ['Environment.TOKEN', '(set)', '(new value)'],
    ]);
  });

  it("no environment input: the function's variables are left alone (even with environment-mode replace)", async () => {
    server.addFunction({ name: 'api', env: { A: '1' } });
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', 'environment-mode': 'replace' },
      { pkg: packageOf(zip) },
    );
    only(await runDeploy(ctx, TEST_OPTS));
    expect(server.fn('api').env).toEqual({ A: '1' });
    expect(server.count('UpdateFunctionConfiguration')).toBe(0);
  });

  it('certificate and locale variables of the bundle: set when missing, left to the user when the user sets them', async () => {
    const runtimeEnv = {
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      NIX_SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      LOCALE_ARCHIVE: '/var/task/lib/locale/locale-archive',
    };
    server.addFunction({ name: 'a', env: { OTHER: 'o' } });
    server.addFunction({ name: 'b' });
    const zip = makeZip();
    // a: the bundle's variables are added to what the function has
    only(
      await runDeploy(
        makeContext({ 'function-name': 'a' }, { pkg: packageOf(zip, runtimeEnv) }).ctx,
        TEST_OPTS,
      ),
    );
    expect(server.fn('a').env).toEqual({ OTHER: 'o', ...runtimeEnv });
    // b: the user's own SSL_CERT_FILE wins
    only(
      await runDeploy(
        makeContext(
          { 'function-name': 'b', environment: '{"SSL_CERT_FILE": "/etc/pki/mine.pem"}' },
          { pkg: packageOf(zip, runtimeEnv) },
        ).ctx,
        TEST_OPTS,
      ),
    );
    expect(server.fn('b').env).toEqual({ ...runtimeEnv, SSL_CERT_FILE: '/etc/pki/mine.pem' });
    // again, with everything already in place: no configuration call
    server.requests.length = 0;
    const r = only(
      await runDeploy(
        makeContext({ 'function-name': 'a' }, { pkg: packageOf(zip, runtimeEnv) }).ctx,
        TEST_OPTS,
      ),
    );
    expect(r.status).toBe('unchanged');
    expect(server.ops()).toEqual(['GetFunction']);
  });

  it('409 on the configuration update while an update is in progress: waited out, then applied', async () => {
    server.addFunction({ name: 'api', memorySize: 128 });
    server.inject('UpdateFunctionConfiguration', {
      kind: 'error',
      status: 409,
      type: 'ResourceConflictException',
      holdPolls: 2,
    });
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'api', 'memory-size': '2048', publish: 'true' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(
      server.requests.filter((q) => q.op === 'UpdateFunctionConfiguration').map((q) => q.status),
    ).toEqual([409, 200]);
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'GetFunction',
      'GetFunction',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'PublishVersion',
    ]);
    expect(log.text()).toMatch(/UpdateFunctionConfiguration: another update is in progress/);
    expect(server.fn('api').memorySize).toBe(2048);
    expect(server.fn('api').versions[0]).toMatchObject({
      version: r.version,
      codeSha256: zip.sha,
      memorySize: 2048,
    });
  });
});
