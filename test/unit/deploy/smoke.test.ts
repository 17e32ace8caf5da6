import { describe, expect, it } from 'vitest';
import { failedInvocation, judgeInvocation, smokeTestError } from '../../../src/deploy/smoke.js';
import { registerSecret } from '../../../src/util/secrets.js';

const at = { fn: 'api', version: '4', durationMs: 12 };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('the smoke test, judged', () => {
  it('passes a 200 without FunctionError that holds the expected text', () => {
    const r = judgeInvocation(
      {
        StatusCode: 200,
        Payload: text('{"status":"ok"}'),
        LogResult: b64('START\nEND\n'),
        ExecutedVersion: '4',
      },
      { expect: '"ok"' },
      at,
    );
    expect(r).toMatchObject({
      result: 'passed',
      reason: '',
      response: '{"status":"ok"}',
      logTail: 'START\nEND\n',
    });
  });

  it('fails on a FunctionError, another status, another version, or a missing text', () => {
    const cases: [Parameters<typeof judgeInvocation>[0], string | undefined, RegExp][] = [
      [
        { StatusCode: 200, FunctionError: 'Unhandled', Payload: text('{"errorMessage":"boom"}\n') },
        undefined,
        /^the function returned an error \(FunctionError Unhandled\): \{"errorMessage":"boom"\}$/,
      ],
      [{ StatusCode: 202 }, undefined, /status 202, not 200/],
      [
        { StatusCode: 200, ExecutedVersion: '$LATEST' },
        undefined,
        /Lambda ran version \$LATEST, not version 4/,
      ],
      [
        { StatusCode: 200, Payload: text('{}') },
        'ok',
        /does not contain the expected text "ok" \(smoke-test-expect\)/,
      ],
    ];
    for (const [out, expectText, reason] of cases) {
      const r = judgeInvocation(out, { expect: expectText }, at);
      expect(r.result).toBe('failed');
      expect(r.reason).toMatch(reason);
    }
  });

  it('keeps the start of a long response, and scrubs registered secrets from it and the log', () => {
    registerSecret('s3cr3t-value-for-smoke');
    const r = judgeInvocation(
      {
        StatusCode: 200,
        Payload: text(`token s3cr3t-value-for-smoke ${'x'.repeat(5000)}`),
        LogResult: b64('leaked s3cr3t-value-for-smoke\n'),
      },
      { expect: undefined },
      at,
    );
    expect(r.response).toMatch(/^token \*\*\* x+… \(\d+ more characters\)$/);
    expect(r.logTail).toBe('leaked ***\n');
  });

  it('says why an Invoke that did not answer failed', () => {
    const err = (name: string, status?: number) =>
      Object.assign(new Error(`${name} said no`), { name, $metadata: { httpStatusCode: status } });
    expect(failedInvocation(err('AbortError'), { timeoutSeconds: 5 }, { ...at, timedOut: true }).reason).toBe(
      'no answer within 5 s (smoke-test-timeout-seconds); the invocation was abandoned',
    );
    expect(
      failedInvocation(
        err('TooManyRequestsException', 429),
        { timeoutSeconds: 5 },
        { ...at, timedOut: false },
      ).reason,
    ).toMatch(
      /^Invoke was throttled \(TooManyRequestsException\) on every attempt, so the version never ran/,
    );
    expect(
      failedInvocation(err('AccessDeniedException', 403), { timeoutSeconds: 5 }, { ...at, timedOut: false })
        .reason,
    ).toMatch(/needs lambda:InvokeFunction/);
  });

  it('the error names the version, the alias left alone, and ends with the log tail', () => {
    const r = judgeInvocation(
      {
        StatusCode: 200,
        FunctionError: 'Unhandled',
        LogResult: b64(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join('\n')),
      },
      { expect: undefined },
      at,
    );
    const e = smokeTestError(r, 'live');
    expect(e.title).toBe('Smoke test failed');
    const lines = e.message.split('\n');
    expect(lines[0]).toBe(
      'api: version 4 failed its smoke test: the function returned an error (FunctionError Unhandled): (no payload).',
    );
    expect(lines[1]).toMatch(/^Alias live was not moved/);
    expect(lines[2]).toBe('Log tail (last 20 lines):');
    expect(lines.slice(3)).toEqual(Array.from({ length: 20 }, (_, i) => `  line ${i + 11}`));
  });
});
