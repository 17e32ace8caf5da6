import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect } from 'vitest';
import { collectSummary, renderSummary } from '../../src/action/summary.js';
import type { DeployOptions, DeployResult } from '../../src/deploy/types.js';
import { runDeploy } from '../../src/stages/deploy.js';
import { ActionError, errorMessage, InputError } from '../../src/util/errors.js';
import {
  ACCOUNT,
  LambdaServer,
  makeContext,
  makeZip,
  packageOf,
  setUpAws,
  TEST_OPTS,
  type InvokeHandler,
  type TestZip,
} from '../support/lambda-server.js';
import type { MemoryLog } from '../support/doubles.js';
import { startStep } from '../support/runner.js';
import { callList, fileCommandText, firstLine, reliabilityCase } from './support.js';

/**
 * The deploy's guards under faults (issue 14): the smoke test of a published version (a crash with
 * a log tail, a missing text, a slow function, throttling), the account guard (another account, STS
 * down), OIDC retries, keep-versions meeting an alias or a denial, an architecture change racing
 * another deploy. After each: the alias never on a version that failed (or skipped) its smoke test,
 * the function unchanged where the step says so. Every case records the calls it made.
 */

const FAULT = 'fault';
const SECURITY = 'security';
const BAD_INPUT = 'bad input';

let server: LambdaServer;
let restoreAws: () => Promise<void>;
const cleanup: string[] = [];

beforeAll(async () => {
  ({ server, restore: restoreAws } = await setUpAws());
});
afterAll(async () => {
  await restoreAws();
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
});

const PAYLOAD = '{"path":"/health"}';
const SMOKE = { publish: 'true', alias: 'live', 'smoke-test-payload': PAYLOAD };
const CRASH_LOG =
  'START RequestId: 7f3e Version: 2\n' +
  'thread main panicked at src/main.rs:12:5: DATABASE_URL not set\n' +
  'END RequestId: 7f3e\n' +
  'REPORT RequestId: 7f3e\tDuration: 2.10 ms\tBilled Duration: 3 ms\n';

interface Scenario {
  old: TestZip;
  next: TestZip;
}

/** A function running `old` as version 1, alias live -> 1. */
function liveFunction(name = 'api'): Scenario {
  const old = makeZip('x86_64', { tag: 'old' });
  server.addFunction({ name, code: old.bytes });
  server.publishNow(name);
  server.setAlias(name, 'live', '1');
  return { old, next: makeZip('x86_64', { tag: 'new' }) };
}

/** The new code crashes (FunctionError Unhandled, a log); the old one answers. */
function newCodeCrashes(s: Scenario): InvokeHandler {
  return (r) =>
    r.codeSha256 === s.next.sha
      ? {
          functionError: 'Unhandled',
          payload:
            '{"errorType":"Runtime.ExitError","errorMessage":"RequestId: 7f3e Error: Runtime exited with error: exit status 101"}',
          log: CRASH_LOG,
        }
      : { payload: '{"status":"ok"}' };
}

interface Outcome {
  results: DeployResult[] | undefined;
  error: unknown;
  ms: number;
  log: MemoryLog;
  ctx: ReturnType<typeof makeContext>['ctx'];
}

async function deploy(
  s: Scenario,
  inputs: Record<string, string>,
  opts: DeployOptions = TEST_OPTS,
): Promise<Outcome> {
  const { ctx, log } = makeContext({ 'function-name': 'api', ...inputs }, { pkg: packageOf(s.next) });
  const t0 = Date.now();
  try {
    return { results: await runDeploy(ctx, opts), error: undefined, ms: Date.now() - t0, log, ctx };
  } catch (error) {
    return { results: undefined, error, ms: Date.now() - t0, log, ctx };
  }
}

/** Where the alias of fn points: old, new or other code, and its version. */
function aliasState(s: Scenario, fn = 'api'): string {
  const code = server.aliasCode(fn, 'live');
  const v = server.fn(fn).aliases.get('live')?.functionVersion ?? '-';
  return `live -> ${v} (${code === s.next.sha ? 'new' : code === s.old.sha ? 'old' : 'other'} code)`;
}

function describeOutcome(o: Outcome, s: Scenario): string {
  const head = o.error
    ? `${o.error instanceof ActionError ? o.error.title : 'raw error'}: ${firstLine(errorMessage(o.error)).slice(0, 90)}`
    : `ok (${o.results?.map((r) => r.status).join(',') ?? ''})`;
  return `${head}; ${aliasState(s)}; ${server.fn('api').versions.length} versions; ${(o.ms / 1000).toFixed(1)} s`;
}

/** After a failed smoke test: the alias where it was, the version published and left, the result output. */
function expectAliasKept(o: Outcome, s: Scenario): void {
  expect(o.error).toBeInstanceOf(ActionError);
  expect((o.error as ActionError).title).toBe('Smoke test failed');
  expect(server.aliasCode('api', 'live')).toBe(s.old.sha);
  expect(server.fn('api').aliases.get('live')!.functionVersion).toBe('1');
  expect(server.count('UpdateAlias') + server.count('CreateAlias')).toBe(0);
  expect(o.ctx.outputs['smoke-test-result']).toBe('failed');
}

describe('the smoke test', () => {
  reliabilityCase(
    FAULT,
    'smoke test: the new version crashes',
    'Invoke of the published version answers FunctionError Unhandled with a log tail (X-Amz-Log-Result)',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.onInvoke('api', newCodeCrashes(s));
      const o = await deploy(s, SMOKE);
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expectAliasKept(o, s);
      expect(errorMessage(o.error)).toContain(
        'thread main panicked at src/main.rs:12:5: DATABASE_URL not set',
      );
      expect(errorMessage(o.error)).toContain('Runtime exited with error: exit status 101');
      expect(o.log.text()).toContain('  | thread main panicked at src/main.rs:12:5: DATABASE_URL not set');
      const md = renderSummary(
        collectSummary(o.ctx, { title: 'Smoke test failed', message: errorMessage(o.error) }),
      );
      expect(md).toContain('<details open><summary>api version 2: log tail</summary>');
      expect(server.fn('api').codeSha256).toBe(s.next.sha); // $LATEST and version 2 hold it, as the error says
      expect(server.fn('api').versions.map((v) => v.codeSha256)).toEqual([s.old.sha, s.next.sha]);
    },
  );

  reliabilityCase(
    FAULT,
    'smoke test: the expected text is missing',
    'the new version answers 200 {"status":"degraded"}; smoke-test-expect "status":"ok"',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.onInvoke('api', () => ({ payload: '{"status":"degraded"}' }));
      const o = await deploy(s, { ...SMOKE, 'smoke-test-expect': '"status":"ok"' });
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expectAliasKept(o, s);
      expect(errorMessage(o.error)).toMatch(/does not contain the expected text/);
    },
  );

  reliabilityCase(
    FAULT,
    'smoke test: a slow function',
    'Invoke answers after 5 s; smoke-test-timeout-seconds 1',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.onInvoke('api', () => ({ payload: '"late"', delayMs: 5000 }));
      const o = await deploy(s, { ...SMOKE, 'smoke-test-timeout-seconds': '1' });
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expectAliasKept(o, s);
      expect(errorMessage(o.error)).toContain('no answer within 1 s');
      // Abandoned before the function answered (no answer sent), and never sent again.
      expect(server.requests.filter((q) => q.op === 'Invoke').map((q) => q.status)).toEqual([0]);
    },
  );

  reliabilityCase(
    FAULT,
    'smoke test: Invoke throttled, then taken',
    '3 TooManyRequestsException on Invoke, then an answer (production retries)',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.inject(
        'Invoke',
        { kind: 'error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
        { times: 3 },
      );
      const o = await deploy(s, SMOKE);
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expect(o.error).toBeUndefined();
      expect(o.results?.[0]?.smokeTest).toBe('passed');
      expect(server.aliasCode('api', 'live')).toBe(s.next.sha);
    },
    60_000,
  );

  reliabilityCase(
    FAULT,
    'smoke test: Invoke throttled to the end',
    'every Invoke answers 429 (SDK attempts lowered to 3)',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.inject(
        'Invoke',
        { kind: 'error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
        { times: 1000 },
      );
      const o = await deploy(s, SMOKE, { ...TEST_OPTS, maxAttempts: 3 });
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expectAliasKept(o, s);
      expect(errorMessage(o.error)).toContain(
        'throttled (TooManyRequestsException) on every attempt, so the version never ran',
      );
      expect(server.count('Invoke')).toBe(3);
    },
    60_000,
  );

  reliabilityCase(
    FAULT,
    'smoke test: a re-run of the failed version',
    'the same zip deployed again after its smoke test failed (no new version: it is found and tested again)',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.onInvoke('api', newCodeCrashes(s));
      await deploy(s, SMOKE);
      server.requests.length = 0;
      const o = await deploy(s, SMOKE);
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expectAliasKept(o, s);
      expect(server.ops()).toEqual(['GetFunction', 'ListVersionsByFunction', 'Invoke']);
      expect(server.fn('api').versions).toHaveLength(2);
    },
  );

  reliabilityCase(
    FAULT,
    'smoke test: one of two functions fails',
    'function-name a and b, same zip; b crashes on the new code',
    async ({ saw, calls }) => {
      const a = liveFunction('a');
      const b = liveFunction('b');
      const s = { old: a.old, next: a.next };
      server.onInvoke('a', () => ({ payload: '"ok"' }));
      server.onInvoke('b', newCodeCrashes(s));
      const { ctx } = makeContext({ 'function-name': 'a\nb', ...SMOKE }, { pkg: packageOf(s.next) });
      const error = await runDeploy(ctx, TEST_OPTS).then(
        () => undefined,
        (e: unknown) => e,
      );
      saw(
        `${error instanceof ActionError ? error.title : 'no error'}; a: ${aliasState(s, 'a')}; b: ${aliasState(b, 'b')}; smoke-test-result ${JSON.stringify(ctx.outputs['smoke-test-result'])}`,
      );
      calls(callList(server.requests).map((c) => c)); // both functions, interleaved
      expect(error).toBeInstanceOf(ActionError);
      expect(server.aliasCode('a', 'live')).toBe(s.next.sha);
      expect(server.fn('b').aliases.get('live')!.functionVersion).toBe('1');
      expect(server.ops('b')).not.toContain('UpdateAlias');
      expect(ctx.outputs['smoke-test-result']).toBe('passed\nfailed');
    },
  );
});

describe('the account guard', () => {
  reliabilityCase(
    SECURITY,
    'account guard: credentials of another account',
    'allowed-account-ids 123456789012; GetCallerIdentity says 999999999999',
    async ({ saw, calls }) => {
      const s = liveFunction();
      const before = server.fn('api').revisionId;
      server.callerAccount = '999999999999';
      const o = await deploy(s, { ...SMOKE, 'allowed-account-ids': ACCOUNT });
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expect((o.error as ActionError).title).toBe('Wrong AWS account');
      expect(errorMessage(o.error)).toContain('999999999999');
      expect(errorMessage(o.error)).toContain(ACCOUNT);
      expect(server.ops()).toEqual(['GetCallerIdentity']);
      expect(server.fn('api').revisionId).toBe(before);
      expect(server.aliasCode('api', 'live')).toBe(s.old.sha);
    },
  );

  reliabilityCase(
    FAULT,
    'account guard: STS unreachable',
    'every GetCallerIdentity answers 503 (SDK attempts lowered to 3)',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.inject(
        'GetCallerIdentity',
        { kind: 'error', status: 503, type: 'ServiceUnavailable' },
        { times: 100 },
      );
      const o = await deploy(s, { 'allowed-account-ids': ACCOUNT }, { ...TEST_OPTS, maxAttempts: 3 });
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expect(o.error).toBeInstanceOf(ActionError);
      expect(errorMessage(o.error)).toContain('GetCallerIdentity');
      expect(server.ops().every((op) => op === 'GetCallerIdentity')).toBe(true);
      expect(server.fn('api').codeSha256).toBe(s.old.sha);
    },
    60_000,
  );
});

describe('OIDC', () => {
  const withOidc = async <T>(fn: () => Promise<T>): Promise<T> => {
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${server.url}/_oidc/token?api-version=2.0`;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-token';
    try {
      return await fn();
    } finally {
      Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_URL');
      Reflect.deleteProperty(process.env, 'ACTIONS_ID_TOKEN_REQUEST_TOKEN');
    }
  };
  const ROLE = `arn:aws:iam::${ACCOUNT}:role/deployer`;

  reliabilityCase(
    FAULT,
    'OIDC: verification key unavailable, then available',
    "3 InvalidIdentityToken (Couldn't retrieve verification key) on AssumeRoleWithWebIdentity, then accepted",
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.inject(
        'AssumeRoleWithWebIdentity',
        {
          kind: 'error',
          status: 400,
          type: 'InvalidIdentityToken',
          message: "Couldn't retrieve verification key",
        },
        { times: 3 },
      );
      const o = await withOidc(() => deploy(s, { 'role-to-assume': ROLE, 'allowed-account-ids': ACCOUNT }));
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expect(o.error).toBeUndefined();
      expect(server.count('AssumeRoleWithWebIdentity')).toBe(4);
      expect(server.count('OidcToken')).toBe(1);
      expect(o.log.text()).not.toContain('header.payload.signature');
      const lambda = server.requests.filter(
        (q) => !['OidcToken', 'AssumeRoleWithWebIdentity'].includes(q.op),
      );
      expect(new Set(lambda.map((q) => q.accessKeyId))).toEqual(new Set([server.issued[0]!.accessKeyId]));
    },
  );

  reliabilityCase(
    FAULT,
    'OIDC: verification key never available',
    'IDPCommunicationError on every AssumeRoleWithWebIdentity (production backoff)',
    async ({ saw, calls }) => {
      const s = liveFunction();
      server.inject(
        'AssumeRoleWithWebIdentity',
        {
          kind: 'error',
          status: 400,
          type: 'IDPCommunicationError',
          message: "Couldn't retrieve verification key",
        },
        { times: 1000 },
      );
      const o = await withOidc(() =>
        deploy(
          s,
          { 'role-to-assume': ROLE },
          { ...TEST_OPTS, oidcBackoffBaseMs: 250, oidcBackoffMaxMs: 5000 },
        ),
      );
      saw(describeOutcome(o, s));
      calls(callList(server.requests));
      expect((o.error as ActionError).title).toBe('Could not assume the role');
      expect(server.count('AssumeRoleWithWebIdentity')).toBe(12);
      expect(server.ops().filter((op) => !['OidcToken', 'AssumeRoleWithWebIdentity'].includes(op))).toEqual(
        [],
      );
      expect(`${o.log.text()}\n${errorMessage(o.error)}`).not.toContain('header.payload.signature');
    },
    120_000,
  );
});

describe('keep-versions and architecture-change', () => {
  /** api with versions 1..5 of old code, live -> 5. */
  function manyVersions(): Scenario {
    const old = makeZip('x86_64', { tag: 'old' });
    server.addFunction({ name: 'api', code: old.bytes });
    for (let i = 0; i < 5; i++) server.publishNow('api');
    server.setAlias('api', 'live', '5');
    server.pageSize = 2;
    return { old, next: makeZip('x86_64', { tag: 'new' }) };
  }

  reliabilityCase(
    FAULT,
    'keep-versions: an alias moved onto a doomed version',
    'keep-versions 2 (versions 1-5, 6 published); the first DeleteFunction answers 409 (another deploy aliased that version meanwhile)',
    async ({ saw, calls }) => {
      const s = manyVersions();
      server.inject(
        'DeleteFunction',
        {
          kind: 'error',
          status: 409,
          type: 'ResourceConflictException',
          message: 'Unable to delete version because the following aliases reference it: [rollback]',
        },
        { fn: 'api' },
      );
      const o = await deploy(s, { publish: 'true', alias: 'live', 'keep-versions': '2' });
      saw(`${describeOutcome(o, s)}; deleted ${o.results?.[0]?.deletedVersions.join(',') ?? '-'}`);
      calls(callList(server.requests));
      expect(o.error).toBeUndefined();
      expect(o.results?.[0]?.deletedVersions).toEqual(['2', '3', '4']);
      expect(server.fn('api').versions.map((v) => v.version)).toEqual(['1', '5', '6']);
      expect(server.aliasCode('api', 'live')).toBe(s.next.sha);
      const deletes = server.requests.filter((q) => q.op === 'DeleteFunction');
      expect(deletes.every((q) => /\?Qualifier=\d+$/.test(q.path))).toBe(true);
    },
  );

  reliabilityCase(
    FAULT,
    'keep-versions: DeleteFunction denied',
    'keep-versions 1; DeleteFunction answers 403 AccessDeniedException',
    async ({ saw, calls }) => {
      const s = manyVersions();
      server.inject('DeleteFunction', {
        kind: 'error',
        status: 403,
        type: 'AccessDeniedException',
        message: 'not authorized to perform: lambda:DeleteFunction',
      });
      const o = await deploy(s, { publish: 'true', alias: 'live', 'keep-versions': '1' });
      saw(
        `${describeOutcome(o, s)}; warnings: ${o.log.warnings
          .map((w) => firstLine(w))
          .join(' | ')
          .slice(0, 80)}`,
      );
      calls(callList(server.requests));
      expect(o.error).toBeUndefined();
      expect(o.results?.[0]?.deletedVersions).toEqual([]);
      expect(server.count('DeleteFunction')).toBe(1);
      expect(server.fn('api').versions).toHaveLength(6);
      expect(o.log.warnings.join('\n')).toMatch(/lambda:DeleteFunction/);
      expect(server.aliasCode('api', 'live')).toBe(s.next.sha);
    },
  );

  reliabilityCase(
    FAULT,
    'architecture-change: the function changed meanwhile',
    'architecture-change update (arm64 function, x86_64 zip); UpdateFunctionCode answers 412',
    async ({ saw, calls }) => {
      const old = makeZip('arm64', { tag: 'old' });
      server.addFunction({ name: 'api', architecture: 'arm64', code: old.bytes });
      const s = { old, next: makeZip('x86_64', { tag: 'new' }) };
      server.inject('UpdateFunctionCode', {
        kind: 'error',
        status: 412,
        type: 'PreconditionFailedException',
      });
      const o = await deploy(s, { 'architecture-change': 'update' });
      saw(
        `${o.error instanceof ActionError ? o.error.title : 'ok'}; function ${server.fn('api').architectures.join()} with ${server.fn('api').codeSha256 === old.sha ? 'old' : 'new'} code`,
      );
      calls(callList(server.requests));
      expect((o.error as ActionError).title).toBe('Function changed meanwhile');
      expect(server.fn('api').architectures).toEqual(['arm64']);
      expect(server.fn('api').codeSha256).toBe(old.sha);
    },
  );
});

describe('inputs refused before any call', () => {
  reliabilityCase(
    BAD_INPUT,
    'guards without what they need',
    'smoke-test-payload and keep-versions without publish; a function ARN of an account not allowed; smoke-test-expect without a payload',
    ({ saw, calls }) => {
      let problems: readonly string[] = [];
      try {
        makeContext(
          {
            'function-name': 'arn:aws:lambda:us-east-1:999999999999:function:api',
            'smoke-test-payload': '{}',
            'keep-versions': '3',
            'allowed-account-ids': ACCOUNT,
          },
          { pkg: packageOf(makeZip()) },
        );
        makeContext({ 'function-name': 'api', 'smoke-test-expect': 'ok' }, { pkg: packageOf(makeZip()) });
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        problems = e.problems;
      }
      saw(`${problems.length} problems: ${problems.map((p) => /^Input `([^`]+)`/.exec(p)?.[1]).join(', ')}`);
      calls(callList(server.requests));
      expect(problems.map((p) => /^Input `([^`]+)`/.exec(p)?.[1])).toEqual([
        'allowed-account-ids',
        'keep-versions',
        'smoke-test-payload',
      ]);
      expect(server.requests).toHaveLength(0);
    },
  );
});

describe('a deploy-only job as a runner runs it (dist/index.js)', () => {
  reliabilityCase(
    FAULT,
    'deploy-only job: the smoke test fails',
    'dist/index.js, stages deploy, zip-path in a workspace without flake.nix; role-to-assume (2 InvalidIdentityToken first), allowed-account-ids; the new code crashes',
    async ({ saw, calls }) => {
      const OIDC_TOKEN = 'eyJhbGciOi.rel-payload-0123456789.sig-abcdefghijkl';
      const sts = await new LambdaServer({
        oidcToken: OIDC_TOKEN,
        oidcRequestToken: 'rel-request-token',
      }).start();
      try {
        const s = { old: makeZip('x86_64', { tag: 'old' }), next: makeZip('x86_64', { tag: 'new' }) };
        sts.addFunction({ name: 'api', code: s.old.bytes });
        sts.publishNow('api');
        sts.setAlias('api', 'live', '1');
        sts.onInvoke('api', (r) =>
          r.codeSha256 === s.next.sha
            ? { functionError: 'Unhandled', payload: '{"errorMessage":"exit status 101"}', log: CRASH_LOG }
            : { payload: '"ok"' },
        );
        sts.inject(
          'AssumeRoleWithWebIdentity',
          {
            kind: 'error',
            status: 400,
            type: 'InvalidIdentityToken',
            message: "Couldn't retrieve verification key",
          },
          { times: 2 },
        );
        const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'downloaded-'));
        cleanup.push(workspace);
        fs.copyFileSync(s.next.path, path.join(workspace, 'function.zip'));
        const step = startStep({
          workspace,
          inputs: {
            stages: 'deploy',
            'zip-path': 'function.zip',
            'function-name': 'api',
            'aws-region': 'us-east-1',
            'role-to-assume': `arn:aws:iam::${ACCOUNT}:role/deployer`,
            'allowed-account-ids': ACCOUNT,
            ...SMOKE,
          },
          env: {
            AWS_ENDPOINT_URL: sts.url,
            AWS_ACCESS_KEY_ID: undefined,
            AWS_SECRET_ACCESS_KEY: undefined,
            AWS_CONFIG_FILE: '/nonexistent',
            AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
            ACTIONS_ID_TOKEN_REQUEST_URL: `${sts.url}/_oidc/token?api-version=2.0`,
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'rel-request-token',
            NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
          },
        });
        cleanup.push(step.dir);
        const r = await step.done;
        const shown = r.log
          .split('\n')
          .filter((l) => !l.startsWith('::add-mask::'))
          .join('\n');
        saw(
          `exit ${r.code}; smoke-test-result ${r.outputs['smoke-test-result'] ?? '-'}; live -> ${sts.fn('api').aliases.get('live')!.functionVersion}; ` +
            `${sts.count('AssumeRoleWithWebIdentity')} AssumeRole requests`,
        );
        calls(callList(sts.requests));
        expect(r.code).toBe(1);
        expect(shown).not.toContain('no flake.nix');
        expect(r.outputs['smoke-test-result']).toBe('failed');
        expect(sts.fn('api').aliases.get('live')!.functionVersion).toBe('1');
        expect(sts.aliasCode('api', 'live')).toBe(s.old.sha);
        expect(r.summary).toContain('thread main panicked at src/main.rs:12:5: DATABASE_URL not set');
        expect(shown).toContain('::error title=Smoke test failed::');
        expect(sts.count('AssumeRoleWithWebIdentity')).toBe(3);
        expect(sts.ops().slice(0, 5)).toEqual([
          'OidcToken',
          'AssumeRoleWithWebIdentity',
          'AssumeRoleWithWebIdentity',
          'AssumeRoleWithWebIdentity',
          'GetCallerIdentity',
        ]);
        const everything = `${shown}\n${fileCommandText(step)}`;
        for (const secret of [OIDC_TOKEN, ...sts.issued.flatMap((c) => [c.secretAccessKey, c.sessionToken])])
          expect(everything).not.toContain(secret);
      } finally {
        await sts.close();
      }
    },
    120_000,
  );
});
