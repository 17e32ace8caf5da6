import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { collectSummary, renderSummary } from '../../src/action/summary.js';
import type { DeployResult } from '../../src/deploy/types.js';
import { runDeploy } from '../../src/stages/deploy.js';
import { ActionError, InputError } from '../../src/util/errors.js';
import {
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_OPTS,
  type InvokeHandler,
  type LambdaServer,
  type TestZip,
} from '../support/lambda-server.js';

/**
 * Wire tests of the smoke test (issue 14): the real SDK invokes the published version on the local
 * Lambda server before the alias moves. The version's code decides how it answers (the server's
 * invoke handler looks at the CodeSha256 of the version invoked), so "the new code is broken" is
 * what a test sets up, and the alias is checked afterwards: moved only after a pass.
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

const PAYLOAD = '{"path": "/health"}';
const BROKEN_LOG =
  'START RequestId: 1 Version: 2\nthread main panicked at src/main.rs:12: DATABASE_URL not set\nEND RequestId: 1\nREPORT RequestId: 1\tDuration: 2.1 ms\n';

/** `api` running `old` as version 1, alias live -> 1; returns the zips. */
function liveFunction(name = 'api'): { old: TestZip; next: TestZip } {
  const old = makeZip('x86_64', { tag: 'old' });
  server.addFunction({ name, code: old.bytes });
  server.publishNow(name);
  server.setAlias(name, 'live', '1');
  return { old, next: makeZip('x86_64', { tag: 'new' }) };
}

/** The new code answers with a crash (FunctionError Unhandled and a log), the old one with ok. */
function newCodeCrashes(next: TestZip): InvokeHandler {
  return (r) =>
    r.codeSha256 === next.sha
      ? {
          functionError: 'Unhandled',
          payload:
            '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: 1 Error: Runtime exited with error: exit status 101"}',
          log: BROKEN_LOG,
        }
      : { payload: '{"status":"ok"}', log: 'START\nEND\n' };
}

async function deployError(ctx: Parameters<typeof runDeploy>[0], opts = TEST_OPTS): Promise<ActionError> {
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

const SMOKE = { publish: 'true', alias: 'live', 'smoke-test-payload': PAYLOAD };

describe('smoke test', () => {
  it('invokes the new version (Qualifier, LogType Tail) before the alias moves, then moves it', async () => {
    const { next } = liveFunction();
    server.onInvoke('api', () => ({ payload: '{"status":"ok","version":"2"}', log: 'START\nhello\nEND\n' }));
    const { ctx, log } = makeContext(
      { 'function-name': 'api', ...SMOKE, 'smoke-test-expect': '"status":"ok"' },
      { pkg: packageOf(next) },
    );
    const r = only(await runDeploy(ctx, TEST_OPTS));
    expect(server.ops()).toEqual([
      'GetFunction',
      'UpdateFunctionCode',
      'GetFunction',
      'PublishVersion',
      'Invoke',
      'GetAlias',
      'UpdateAlias',
    ]);
    expect(server.requests.find((q) => q.op === 'Invoke')!.json).toEqual({
      Qualifier: '2',
      InvocationType: 'RequestResponse',
      LogType: 'Tail',
      Payload: PAYLOAD,
    });
    expect(r).toMatchObject({ version: '2', smokeTest: 'passed' });
    expect(server.aliasCode('api', 'live')).toBe(next.sha);
    expect(ctx.outputs['smoke-test-result']).toBe('passed');
    expect(ctx.smokeTests).toEqual([
      expect.objectContaining({ function: 'api', version: '2', result: 'passed', statusCode: 200 }),
    ]);
    expect(log.text()).toContain('api: smoke test of version 2 passed');
    expect(log.text()).toContain('  | hello');
  });

  it('a FunctionError fails the step with the error and the log tail; the alias stays', async () => {
    const { old, next } = liveFunction();
    server.onInvoke('api', newCodeCrashes(next));
    const { ctx, log } = makeContext({ 'function-name': 'api', ...SMOKE }, { pkg: packageOf(next) });
    const err = await deployError(ctx);
    expect(err.title).toBe('Smoke test failed');
    expect(err.message).toContain(
      'api: version 2 failed its smoke test: the function returned an error (FunctionError Unhandled)',
    );
    expect(err.message).toContain('Runtime exited with error: exit status 101');
    expect(err.message).toContain('Alias live was not moved');
    expect(err.message).toContain('DATABASE_URL not set');
    expect(server.count('GetAlias') + server.count('UpdateAlias')).toBe(0);
    expect(server.aliasCode('api', 'live')).toBe(old.sha);
    expect(server.fn('api').aliases.get('live')!.functionVersion).toBe('1');
    expect(ctx.outputs['smoke-test-result']).toBe('failed');
    expect(ctx.outputs['deploy-status']).toBeUndefined();
    expect(log.text()).toContain('  | thread main panicked at src/main.rs:12: DATABASE_URL not set');
    const md = renderSummary(collectSummary(ctx, { title: err.title, message: err.message }));
    expect(md).toContain('### Smoke test');
    expect(md).toContain('| <code>api</code> | 2 | ❌ failed |');
    expect(md).toContain('<details open><summary>api version 2: log tail</summary>');
    expect(md).toContain('thread main panicked at src/main.rs:12: DATABASE_URL not set');
    expect(md).toContain('Runtime exited with error');
  });

  it('a response without smoke-test-expect fails it; the alias stays', async () => {
    const { old, next } = liveFunction();
    server.onInvoke('api', () => ({ payload: '{"status":"degraded"}' }));
    const { ctx } = makeContext(
      { 'function-name': 'api', ...SMOKE, 'smoke-test-expect': '"status":"ok"' },
      { pkg: packageOf(next) },
    );
    const err = await deployError(ctx);
    expect(err.message).toContain('the response does not contain the expected text "\\"status\\":\\"ok\\""');
    expect(server.aliasCode('api', 'live')).toBe(old.sha);
    expect(ctx.outputs['smoke-test-result']).toBe('failed');
  });

  it('no answer within smoke-test-timeout-seconds: abandoned once (never sent twice), the alias stays', async () => {
    const { old, next } = liveFunction();
    server.onInvoke('api', () => ({ payload: '"late"', delayMs: 4000 }));
    const { ctx } = makeContext(
      { 'function-name': 'api', ...SMOKE, 'smoke-test-timeout-seconds': '1' },
      { pkg: packageOf(next) },
    );
    const err = await deployError(ctx);
    expect(err.message).toContain('no answer within 1 s (smoke-test-timeout-seconds)');
    // Given up before the function answered (the server never sent its answer), and not sent again.
    expect(server.requests.filter((q) => q.op === 'Invoke').map((q) => q.status)).toEqual([0]);
    expect(server.aliasCode('api', 'live')).toBe(old.sha);
  });

  it('throttled Invoke: retried by the SDK; the test runs once Lambda takes it', async () => {
    const { next } = liveFunction();
    server.inject(
      'Invoke',
      { kind: 'error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
      { times: 2 },
    );
    const { ctx } = makeContext({ 'function-name': 'api', ...SMOKE }, { pkg: packageOf(next) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).smokeTest).toBe('passed');
    expect(server.requests.filter((q) => q.op === 'Invoke').map((q) => q.status)).toEqual([429, 429, 200]);
    expect(server.aliasCode('api', 'live')).toBe(next.sha);
  }, 60_000);

  it('a version Lambda cannot invoke yet (409, State Pending): waited for until Active, then tested', async () => {
    const { next } = liveFunction();
    server.inject('Invoke', {
      kind: 'error',
      status: 409,
      type: 'ResourceConflictException',
      message:
        'The operation cannot be performed at this time. The function is currently in the following state: Pending',
    });
    const { ctx } = makeContext({ 'function-name': 'api', ...SMOKE }, { pkg: packageOf(next) });
    expect(only(await runDeploy(ctx, TEST_OPTS)).smokeTest).toBe('passed');
    expect(server.ops().slice(3)).toEqual([
      'PublishVersion',
      'Invoke',
      'GetFunction',
      'Invoke',
      'GetAlias',
      'UpdateAlias',
    ]);
    expect(server.requests.filter((q) => q.op === 'GetFunction').at(-1)!.path).toBe(
      '/2015-03-31/functions/api?Qualifier=2',
    );
    expect(server.aliasCode('api', 'live')).toBe(next.sha);
  });

  it('a version whose smoke test failed is tested again on a re-run, never aliased untested', async () => {
    const { old, next } = liveFunction();
    server.onInvoke('api', newCodeCrashes(next));
    await deployError(makeContext({ 'function-name': 'api', ...SMOKE }, { pkg: packageOf(next) }).ctx);
    server.requests.length = 0;
    const { ctx } = makeContext({ 'function-name': 'api', ...SMOKE }, { pkg: packageOf(next) });
    const err = await deployError(ctx);
    expect(err.title).toBe('Smoke test failed');
    expect(server.ops()).toEqual(['GetFunction', 'ListVersionsByFunction', 'Invoke']);
    expect(server.fn('api').versions).toHaveLength(2);
    expect(server.aliasCode('api', 'live')).toBe(old.sha);
  });

  it('several functions: each is tested before its own alias moves', async () => {
    const a = liveFunction('a');
    liveFunction('b');
    const next = a.next;
    server.onInvoke('a', () => ({ payload: '"ok"' }));
    server.onInvoke('b', newCodeCrashes(next));
    const { ctx } = makeContext({ 'function-name': 'a\nb', ...SMOKE }, { pkg: packageOf(next) });
    const err = await deployError(ctx);
    expect(err.message).toContain('b: version 2 failed its smoke test');
    expect(err.message).toContain('Deployed: a.');
    expect(server.aliasCode('a', 'live')).toBe(next.sha);
    expect(server.fn('b').aliases.get('live')!.functionVersion).toBe('1');
    for (const fn of ['a', 'b']) {
      const order = server.ops(fn);
      expect(order.indexOf('Invoke')).toBeGreaterThan(order.indexOf('PublishVersion'));
      if (order.includes('UpdateAlias'))
        expect(order.indexOf('UpdateAlias')).toBeGreaterThan(order.indexOf('Invoke'));
    }
    expect(server.ops('b')).not.toContain('UpdateAlias');
    expect(ctx.outputs['smoke-test-result']).toBe('passed\nfailed');
  });

  it('a created function is tested before its alias is created', async () => {
    const zip = makeZip();
    const { ctx } = makeContext(
      {
        'function-name': 'fresh',
        create: 'true',
        role: 'arn:aws:iam::123456789012:role/exec',
        ...SMOKE,
      },
      { pkg: packageOf(zip) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS))).toMatchObject({ status: 'created', smokeTest: 'passed' });
    expect(server.ops().slice(-3)).toEqual(['Invoke', 'GetAlias', 'CreateAlias']);
  });

  it('a created function that fails: the error says it was created and that its alias was not', async () => {
    const zip = makeZip();
    server.after('CreateFunction', () => {
      server.onInvoke('fresh', newCodeCrashes(zip));
    });
    const { ctx } = makeContext(
      { 'function-name': 'fresh', create: 'true', role: 'arn:aws:iam::123456789012:role/exec', ...SMOKE },
      { pkg: packageOf(zip) },
    );
    const err = await deployError(ctx);
    expect(err.title).toBe('Smoke test failed');
    expect(err.message).toContain('fresh: version 1 failed its smoke test');
    expect(err.message).toContain('fresh was created');
    expect(err.message).toContain('alias live was not created');
    expect(err.message).not.toMatch(/still points/);
    expect(server.fn('fresh').aliases.size).toBe(0);
  });

  it('dry run: no version, so no Invoke; smoke-test-result skipped', async () => {
    const { next } = liveFunction();
    const { ctx } = makeContext(
      { 'function-name': 'api', ...SMOKE, 'dry-run': 'true' },
      { pkg: packageOf(next) },
    );
    expect(only(await runDeploy(ctx, TEST_OPTS)).smokeTest).toBe('skipped');
    expect(server.count('Invoke')).toBe(0);
    expect(ctx.outputs['smoke-test-result']).toBe('skipped');
  });

  it('without publish: refused with the inputs, before any call', () => {
    const next = makeZip();
    let err: unknown;
    try {
      makeContext({ 'function-name': 'api', 'smoke-test-payload': PAYLOAD }, { pkg: packageOf(next) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).problems).toEqual([
      'Input `smoke-test-payload`: the smoke test invokes the published version before the alias moves: set `publish: true` as well (or leave deploy out of `stages`).',
    ]);
    expect(server.requests).toHaveLength(0);
  });
});
