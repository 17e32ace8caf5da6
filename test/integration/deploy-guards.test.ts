import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectSummary, renderSummary } from '../../src/action/summary.js';
import type { DeployResult } from '../../src/deploy/types.js';
import { runDeploy } from '../../src/stages/deploy.js';
import { ActionError, InputError } from '../../src/util/errors.js';
import {
  ACCOUNT,
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  startLambdaServer,
  TEST_ACCESS_KEY,
  TEST_OPTS,
  WORK,
  type LambdaServer,
} from '../support/lambda-server.js';

/**
 * Wire tests of the deploy's guards (issue 14): the account guard (STS GetCallerIdentity), OIDC
 * retries (AssumeRoleWithWebIdentity), architecture-change, keep-versions (ListVersionsByFunction,
 * ListAliases, DeleteFunction with a Qualifier, page by page), and deploy-only zips (their runtime
 * variables, the limits), all against the local server with the real SDK.
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

const OTHER_ACCOUNT = '999999999999';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;

function only(results: DeployResult[]): DeployResult {
  expect(results).toHaveLength(1);
  return results[0]!;
}

async function deployError(ctx: Parameters<typeof runDeploy>[0], opts = TEST_OPTS): Promise<ActionError> {
  const err = await runDeploy(ctx, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
}

function inputProblems(values: Record<string, string>): readonly string[] {
  try {
    makeContext(values, { pkg: packageOf(makeZip()) });
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  return [];
}

/** Runs fn with GitHub's OIDC variables pointing at the server's token endpoint. */
async function withOidc<T>(fn: () => Promise<T>): Promise<T> {
  process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${server.url}/_oidc/token?api-version=2.0`;
  process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token';
  try {
    return await fn();
  } finally {
    Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_URL');
    Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN');
  }
}

describe('allowed-account-ids', () => {
  it('GetCallerIdentity with the deploy keys comes first; a listed account deploys', async () => {
    server.addFunction({ name: 'api' });
    const zip = makeZip();
    const { ctx, log } = makeContext(
      { 'function-name': 'api', 'allowed-account-ids': `111111111111\n${ACCOUNT}` },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.ops()).toEqual(['GetCallerIdentity', 'GetFunction', 'UpdateFunctionCode', 'GetFunction']);
    expect(server.requests[0]!.accessKeyId).toBe(TEST_ACCESS_KEY);
    expect(log.text()).toContain(
      `AWS account ${ACCOUNT} (arn:aws:iam::${ACCOUNT}:user/deployer) is in allowed-account-ids.`,
    );
  });

  it('an account not listed: refused naming both accounts, nothing else called', async () => {
    const f = server.addFunction({ name: 'api' });
    const before = { sha: f.codeSha256, rev: f.revisionId };
    server.callerAccount = OTHER_ACCOUNT;
    const { ctx } = makeContext(
      { 'function-name': 'api', 'allowed-account-ids': ACCOUNT, publish: 'true', alias: 'live' },
      { pkg: packageOf(makeZip()) },
    );
    const err = await deployError(ctx);
    expect(err.title).toBe('Wrong AWS account');
    expect(err.message).toContain(
      `are for account ${OTHER_ACCOUNT}, which is not in allowed-account-ids (${ACCOUNT})`,
    );
    expect(err.message).toContain('nothing was changed');
    expect(server.ops()).toEqual(['GetCallerIdentity']);
    expect(server.fn('api')).toMatchObject({ codeSha256: before.sha, revisionId: before.rev });
    expect(server.fn('api').versions).toHaveLength(0);
  });

  it("with role-to-assume: the assumed role's keys are the ones checked", async () => {
    server.addFunction({ name: 'api' });
    await withOidc(async () => {
      const { ctx } = makeContext(
        { 'function-name': 'api', 'role-to-assume': ROLE, 'allowed-account-ids': ACCOUNT },
        { pkg: packageOf(makeZip()) },
      );
      await runDeploy(ctx, TEST_OPTS);
    });
    expect(server.ops().slice(0, 3)).toEqual(['OidcToken', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity']);
    expect(server.requests[2]!.accessKeyId).toBe(server.issued[0]!.accessKeyId);
  });

  it('AWS_ENDPOINT_URL_STS points the check at its own endpoint', async () => {
    const sts = await startLambdaServer();
    sts.callerAccount = OTHER_ACCOUNT;
    process.env['AWS_ENDPOINT_URL_STS'] = sts.url;
    try {
      server.addFunction({ name: 'api' });
      const { ctx } = makeContext(
        { 'function-name': 'api', 'allowed-account-ids': ACCOUNT },
        { pkg: packageOf(makeZip()) },
      );
      expect((await deployError(ctx)).title).toBe('Wrong AWS account');
      expect(sts.ops()).toEqual(['GetCallerIdentity']);
      expect(server.requests).toHaveLength(0);
    } finally {
      Reflect.deleteProperty(process.env, 'AWS_ENDPOINT_URL_STS');
      await sts.close();
    }
  });

  it('function and role ARNs of another account, and malformed IDs, are input problems (no call)', () => {
    expect(
      inputProblems({
        'function-name': `arn:aws:lambda:us-east-1:${OTHER_ACCOUNT}:function:api`,
        'role-to-assume': `arn:aws:iam::${OTHER_ACCOUNT}:role/deployer`,
        'allowed-account-ids': `${ACCOUNT}, 12345`,
      }),
    ).toEqual([
      'Input `allowed-account-ids`: "12345" is not an AWS account ID (12 digits, such as 123456789012).',
      `Input \`allowed-account-ids\`: function arn:aws:lambda:us-east-1:${OTHER_ACCOUNT}:function:api is in account ${OTHER_ACCOUNT}, which is not listed (${ACCOUNT}, 12345): fix the ARN, or add the account.`,
      `Input \`allowed-account-ids\`: role-to-assume arn:aws:iam::${OTHER_ACCOUNT}:role/deployer is in account ${OTHER_ACCOUNT}, which is not listed (${ACCOUNT}, 12345): fix the ARN, or add the account.`,
    ]);
    expect(server.requests).toHaveLength(0);
  });
});

describe('OIDC retries', () => {
  const keyError = (type: string) =>
    ({
      kind: 'error',
      status: 400,
      type,
      message: "Couldn't retrieve verification key from your identity provider",
    }) as const;

  it('InvalidIdentityToken is tried again with backoff, with the same token, never logged', async () => {
    server.addFunction({ name: 'api' });
    server.inject('AssumeRoleWithWebIdentity', keyError('InvalidIdentityToken'), { times: 2 });
    const { ctx, log } = makeContext(
      { 'function-name': 'api', 'role-to-assume': ROLE },
      { pkg: packageOf(makeZip()) },
    );
    expect(only(await withOidc(() => runDeploy(ctx, TEST_OPTS))).status).toBe('updated');
    const sts = server.requests.filter((q) => q.op === 'AssumeRoleWithWebIdentity');
    expect(sts.map((q) => q.status)).toEqual([400, 400, 200]);
    expect(server.count('OidcToken')).toBe(1);
    expect(log.text()).toContain(
      "AssumeRoleWithWebIdentity: InvalidIdentityTokenException (Couldn't retrieve verification key from your identity provider), attempt 1 of 12; trying again in",
    );
    expect(log.text()).toContain('attempt 2 of 12');
    expect(log.text()).not.toContain('header.payload.signature');
  });

  it('IDPCommunicationError: the SDK retries it too; 12 requests in all, then a clear failure, no Lambda call', async () => {
    server.addFunction({ name: 'api' });
    server.inject('AssumeRoleWithWebIdentity', keyError('IDPCommunicationError'), { times: 100 });
    const { ctx, log } = makeContext(
      { 'function-name': 'api', 'role-to-assume': ROLE },
      { pkg: packageOf(makeZip()) },
    );
    const err = await withOidc(() => deployError(ctx));
    expect(err.title).toBe('Could not assume the role');
    expect(err.message).toContain('failed 12 times: IDPCommunicationErrorException');
    expect(server.count('AssumeRoleWithWebIdentity')).toBe(12);
    expect(server.count('GetFunction')).toBe(0);
    expect(`${log.text()}\n${err.message}`).not.toContain('header.payload.signature');
  }, 60_000);

  it('any other STS error fails at once', async () => {
    server.addFunction({ name: 'api' });
    server.inject('AssumeRoleWithWebIdentity', {
      kind: 'error',
      status: 400,
      type: 'ExpiredTokenException',
      message: 'Token is expired',
    });
    const { ctx } = makeContext(
      { 'function-name': 'api', 'role-to-assume': ROLE },
      { pkg: packageOf(makeZip()) },
    );
    const err = await withOidc(() => deployError(ctx));
    expect(err.message).toContain('ExpiredTokenException');
    expect(server.count('AssumeRoleWithWebIdentity')).toBe(1);
    expect(server.count('GetFunction')).toBe(0);
  });
});

describe('architecture-change', () => {
  it('refuse (the default): a function of the other architecture is refused, naming the input', async () => {
    server.addFunction({ name: 'api', architecture: 'arm64' });
    const err = await deployError(makeContext({ 'function-name': 'api' }, { pkg: packageOf(makeZip()) }).ctx);
    expect(err.title).toBe('Architecture mismatch');
    expect(err.message).toContain('architecture-change: update');
    expect(server.count('UpdateFunctionCode')).toBe(0);
  });

  it('update: Architectures travel in the guarded UpdateFunctionCode, and the summary says so', async () => {
    const f = server.addFunction({ name: 'api', architecture: 'arm64' });
    const rev = f.revisionId;
    const zip = makeZip('x86_64');
    const { ctx } = makeContext(
      { 'function-name': 'api', 'architecture-change': 'update' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.requests.filter((q) => q.op === 'UpdateFunctionCode').map((q) => q.json)).toEqual([
      expect.objectContaining({ Architectures: ['x86_64'], RevisionId: rev }),
    ]);
    expect(server.fn('api').architectures).toEqual(['x86_64']);
    expect(r.architectureChange).toEqual({ from: 'arm64', to: 'x86_64' });
    expect(renderSummary(collectSummary(ctx))).toContain(
      '<code>api</code>: architecture changed from arm64 to x86_64 with the code (architecture-change: update).',
    );
  });

  it('update, same CodeSha256 on the other architecture: the code is sent again with the new one', async () => {
    const zip = makeZip('x86_64');
    server.addFunction({ name: 'api', architecture: 'arm64', code: zip.bytes });
    const { ctx } = makeContext(
      { 'function-name': 'api', 'architecture-change': 'update' },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).status).toBe('updated');
    expect(server.fn('api').architectures).toEqual(['x86_64']);
  });
});

describe('keep-versions', () => {
  it('deletes versions beyond the newest N that no alias points to, page by page', async () => {
    const old = makeZip('x86_64', { tag: 'old' });
    server.addFunction({ name: 'api', code: old.bytes });
    for (let i = 0; i < 6; i++) server.publishNow('api');
    server.setAlias('api', 'live', '6');
    server.setAlias('api', 'canary', '5', { '3': 0.1 });
    server.setAlias('api', 'pinned', '1');
    server.pageSize = 2;
    const zip = makeZip();
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', alias: 'live', 'keep-versions': '2' },
      { pkg: packageOf(zip) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    // Published 7, live 6 -> 7; the newest two are 7 and 6; 5 and 3 (canary), 1 (pinned) are aliased.
    expect(r.version).toBe('7');
    expect(r.deletedVersions).toEqual(['2', '4']);
    expect(server.fn('api').versions.map((v) => v.version)).toEqual(['1', '3', '5', '6', '7']);
    const deletes = server.requests.filter((q) => q.op === 'DeleteFunction');
    expect(deletes.map((q) => q.path)).toEqual([
      '/2015-03-31/functions/api?Qualifier=2',
      '/2015-03-31/functions/api?Qualifier=4',
    ]);
    expect(server.count('ListVersionsByFunction')).toBe(4); // $LATEST and 7 versions, 2 a page
    expect(server.count('ListAliases')).toBe(2); // 3 aliases, 2 a page
    expect(ctx.outputs['deleted-versions']).toBe('2,4');
    expect(server.aliasCode('api', 'live')).toBe(zip.sha);
    expect(renderSummary(collectSummary(ctx))).toContain('deleted old versions 2, 4 (keep-versions)');
  });

  it('needs publish (an input problem), and never deletes the version it ends on', async () => {
    expect(inputProblems({ 'function-name': 'api', 'keep-versions': '3' })).toEqual([
      'Input `keep-versions`: old versions are removed after a new one is published: set `publish: true` as well.',
    ]);
    const zip = makeZip();
    server.addFunction({ name: 'api', code: zip.bytes });
    server.publishNow('api');
    server.publishNow('api');
    const { ctx } = makeContext(
      { 'function-name': 'api', publish: 'true', 'keep-versions': '1' },
      { pkg: packageOf(zip) },
    );
    // Unchanged: version 2 already holds the code; it is the newest, 1 goes.
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(r).toMatchObject({ status: 'unchanged', version: '2', deletedVersions: ['1'] });
    expect(server.fn('api').versions.map((v) => v.version)).toEqual(['2']);
  });
});

/** A zip like the package stage writes for a bundle with CA certificates and time zones. */
function bundleZip(): string {
  const zip = new AdmZip();
  zip.addFile('bootstrap', fs.readFileSync('/bin/true'));
  zip.getEntry('bootstrap')!.attr = (0o100755 << 16) >>> 0;
  zip.addFile('etc/ssl/certs/ca-bundle.crt', Buffer.from('-----BEGIN CERTIFICATE-----\n'));
  zip.addFile('share/zoneinfo/Europe/Paris', Buffer.from('TZif2'));
  const p = path.join(WORK, 'bundle-with-data.zip');
  zip.writeZip(p);
  return p;
}

describe('deploy-only zips', () => {
  it("sets the variables the zip's files need, as the package stage would have", async () => {
    server.addFunction({ name: 'api', env: { LOG_LEVEL: 'info' } });
    const zipPath = bundleZip();
    const { ctx } = makeContext({ 'function-name': 'api', 'zip-path': zipPath });
    await runDeploy(ctx, TEST_OPTS);
    expect(server.fn('api').env).toEqual({
      LOG_LEVEL: 'info',
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      NIX_SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      TZDIR: '/var/task/share/zoneinfo',
      ZONEINFO: '/var/task/share/zoneinfo',
    });
    expect(JSON.parse(ctx.outputs['runtime-environment']!)).toMatchObject({
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
    });
  });

  it('a zip packaged with library-layer needs layers on the function: refused without, before any change', async () => {
    // The bootstrap of a layer build starts through /opt/lib/<loader>, which only its layer provides.
    const bootstrap = path.join(WORK, 'layer-bootstrap');
    fs.copyFileSync('/bin/true', bootstrap);
    execFileSync('patchelf', ['--set-interpreter', '/opt/lib/ld-linux-x86-64.so.2', bootstrap]);
    const zip = new AdmZip();
    zip.addFile('bootstrap', fs.readFileSync(bootstrap));
    zip.getEntry('bootstrap')!.attr = (0o100755 << 16) >>> 0;
    const zipPath = path.join(WORK, 'layer-function.zip');
    zip.writeZip(zipPath);
    server.addFunction({ name: 'bare' });
    const err = await deployError(makeContext({ 'function-name': 'bare', 'zip-path': zipPath }).ctx);
    expect(err.title).toBe('Zip needs its library layer');
    expect(err.message).toMatch(
      /starts through \/opt\/lib\/ld-linux-x86-64\.so\.2 .* bare would have no layers/,
    );
    expect(server.ops()).toEqual(['GetFunction']);
    // With the layer version it was built with (input layers), it deploys.
    const layer = `arn:aws:lambda:${server.region}:${ACCOUNT}:layer:libs:3`;
    const { ctx, log } = makeContext({ 'function-name': 'bare', 'zip-path': zipPath, layers: layer });
    await runDeploy(ctx, TEST_OPTS);
    expect(server.fn('bare').layers).toEqual([layer]);
    expect(log.text()).toMatch(
      /bare: the bootstrap starts through \/opt\/lib\/ld-linux-x86-64\.so\.2, from the function's layers/,
    );
    fs.rmSync(bootstrap);
    fs.rmSync(zipPath);
  });

  it('warns from 80% of the unzipped limit; refuses over it, before any call', async () => {
    server.addFunction({ name: 'api' });
    const zeros = (mib: number): string => {
      const zip = new AdmZip();
      zip.addFile('bootstrap', fs.readFileSync('/bin/true'));
      zip.getEntry('bootstrap')!.attr = (0o100755 << 16) >>> 0;
      zip.addFile('data.bin', Buffer.alloc(mib * 1024 * 1024));
      const p = path.join(WORK, `zeros-${mib}.zip`);
      zip.writeZip(p);
      return p;
    };
    const near = zeros(210);
    const { ctx, log } = makeContext({ 'function-name': 'api', 'zip-path': near });
    await runDeploy(ctx, TEST_OPTS);
    expect(log.warnings.join('\n')).toMatch(
      /the bundle is 210\.0 MiB unzipped, 84% of Lambda's 250\.0 MiB limit/,
    );
    server.requests.length = 0;
    const over = zeros(251);
    const err = await deployError(makeContext({ 'function-name': 'api', 'zip-path': over }).ctx);
    expect(err.title).toBe('Bundle over the unzipped limit');
    expect(server.requests).toHaveLength(0);
    fs.rmSync(near);
    fs.rmSync(over);
  }, 60_000);
});
