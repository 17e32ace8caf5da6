import type { InputSource } from './read.js';

/**
 * The smoke test's inputs: the event a new program is asked to answer before it ships. The package
 * stage hands it to the bundle in a Lambda-like root (input local-smoke-test); the deploy stage
 * invokes the published version with it before the alias moves. Self-contained (it reads three
 * inputs and nothing else), so each stage takes the same section.
 */
export interface SmokeTestInputs {
  /** smoke-test-payload: the event, a JSON document as written (trimmed); undefined when not set (no smoke test). */
  payload: string | undefined;
  /** smoke-test-expect: text the response must contain, as written; undefined when not set. */
  expect: string | undefined;
  /** smoke-test-timeout-seconds: how long one smoke test may take, in seconds. */
  timeoutSeconds: number;
}

/** Lambda's limit on a synchronous invocation's request payload (6 MB). */
export const MAX_SMOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda's longest function timeout: no invocation takes longer. */
export const SMOKE_TIMEOUT_SECONDS = { min: 1, max: 900, default: 30 } as const;

export function parseSmokeTestInputs(src: InputSource): SmokeTestInputs {
  const raw = src.get('smoke-test-payload');
  let payload: string | undefined;
  if (raw !== '') {
    try {
      JSON.parse(raw);
      payload = raw;
    } catch (err) {
      src.bad(
        'smoke-test-payload',
        `not a JSON document (${(err as Error).message}); write the event the function gets, such as {"path": "/health"}.`,
      );
    }
    if (Buffer.byteLength(raw) > MAX_SMOKE_PAYLOAD_BYTES)
      src.bad('smoke-test-payload', 'larger than the 6 MB Lambda takes in a synchronous invocation.');
  }
  const expectText = src.raw('smoke-test-expect');
  if (expectText !== '' && raw === '')
    src.bad(
      'smoke-test-expect',
      'there is no smoke test to check: set `smoke-test-payload` to the event to send.',
    );
  const timeoutSeconds =
    src.int('smoke-test-timeout-seconds', SMOKE_TIMEOUT_SECONDS) ?? SMOKE_TIMEOUT_SECONDS.default;
  return { payload, expect: expectText === '' ? undefined : expectText, timeoutSeconds };
}
