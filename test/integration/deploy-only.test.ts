import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, startLambdaServer, type LambdaServer } from '../support/lambda-server.js';
import { runStep } from '../support/runner.js';

/**
 * A deploy-only job as a runner runs dist/index.js (issue 14): a build job uploaded the zip as an
 * artifact, a protected job downloaded it and deploys it, with no checkout (no flake.nix). The zip's
 * files give the variables the function needs; the account is checked, the published version is
 * smoke-tested before the alias moves, and old versions go.
 */

let server: LambdaServer;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startLambdaServer();
});
afterAll(async () => {
  await server.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The downloaded artifact: a bundle zip with a CA bundle, in a folder that holds nothing else. */
function downloadedZip(): { workspace: string; zip: Buffer } {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'artifact-'));
  dirs.push(workspace);
  const zip = new AdmZip();
  zip.addFile('bootstrap', fs.readFileSync('/bin/true'));
  zip.getEntry('bootstrap')!.attr = (0o100755 << 16) >>> 0;
  zip.addFile('etc/ssl/certs/ca-bundle.crt', Buffer.from('-----BEGIN CERTIFICATE-----\n'));
  zip.writeZip(path.join(workspace, 'function.zip'));
  return { workspace, zip: fs.readFileSync(path.join(workspace, 'function.zip')) };
}

describe('a deploy-only job (stages: deploy, zip-path)', () => {
  it('deploys a downloaded zip without a checkout: variables, account, smoke test, alias, old versions', async () => {
    server.addFunction({ name: 'api', env: { LOG_LEVEL: 'info' } });
    for (let i = 0; i < 3; i++) server.publishNow('api');
    server.setAlias('api', 'live', '3');
    server.onInvoke('api', (r) => ({
      payload: `{"status":"ok","version":"${r.version}"}`,
      log: 'START\nok\nEND\n',
    }));
    const { workspace } = downloadedZip();
    expect(fs.existsSync(path.join(workspace, 'flake.nix'))).toBe(false);
    const r = await runStep({
      workspace,
      inputs: {
        stages: 'deploy',
        'zip-path': 'function.zip',
        'function-name': 'api',
        'aws-region': 'us-east-1',
        publish: 'true',
        alias: 'live',
        'allowed-account-ids': ACCOUNT,
        'smoke-test-payload': '{"path":"/health"}',
        'smoke-test-expect': '"status":"ok"',
        'keep-versions': '2',
      },
      env: {
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: 'AKIDDEPLOYONLY000000',
        AWS_SECRET_ACCESS_KEY: 'deploy-only-secret',
        AWS_CONFIG_FILE: '/nonexistent',
        AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
        NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
      },
    });
    expect(r.code, r.log).toBe(0);
    expect(server.ops()).toEqual([
      'GetCallerIdentity',
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'UpdateFunctionConfiguration',
      'GetFunction',
      'PublishVersion',
      'Invoke',
      'GetAlias',
      'UpdateAlias',
      'ListVersionsByFunction',
      'ListAliases',
      'DeleteFunction',
      'DeleteFunction',
    ]);
    expect(server.fn('api').env).toEqual({
      LOG_LEVEL: 'info',
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      NIX_SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
    });
    expect(server.fn('api').aliases.get('live')!.functionVersion).toBe('4');
    expect(server.fn('api').versions.map((v) => v.version)).toEqual(['3', '4']);
    expect(r.outputs).toMatchObject({
      'function-version': '4',
      'deploy-status': 'updated',
      'smoke-test-result': 'passed',
      'deleted-versions': '1,2',
    });
    expect(JSON.parse(r.outputs['runtime-environment']!)).toEqual({
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      NIX_SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
    });
    expect(r.summary).toContain('### Smoke test');
    expect(r.summary).toContain('| <code>api</code> | 4 | ✅ passed |');
    expect(r.summary).toContain('deleted old versions 1, 2 (keep-versions)');
    expect(r.log).not.toContain('deploy-only-secret');
  });
});
