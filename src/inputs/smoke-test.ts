import type { InputSource } from './read.js';

/**
 * The smoke test's inputs: the event a new program is asked to answer before it ships. The package
 * stage hands it to the bundle in a Lambda-like root (input local-smoke-test); the deploy stage to
 * the published version before the alias moves.
 */
export interface SmokeTestInputs {
  /** smoke-test-payload: the event, a JSON document as written (validated); undefined when unset. */
  payload: string | undefined;
  /** smoke-test-expect: a substring the response must contain; undefined when unset. */
  expect: string | undefined;
  /** smoke-test-timeout-seconds: how long the program has to answer. */
  timeoutSeconds: number;
}

/** The range of smoke-test-timeout-seconds (Lambda's own timeout goes up to 900 s). */
export const SMOKE_TEST_TIMEOUT_SECONDS = { min: 1, max: 900, default: 30 } as const;

export function parseSmokeTestInputs(src: InputSource): SmokeTestInputs {
  const raw = src.get('smoke-test-payload');
  let payload: string | undefined;
  if (raw !== '') {
    try {
      JSON.parse(raw);
      payload = raw;
    } catch (e) {
      src.bad(
        'smoke-test-payload',
        `not a JSON document (${e instanceof Error ? e.message : String(e)}); write the event as JSON, such as '{"ping": true}'.`,
      );
    }
  }
  const expectText = src.raw('smoke-test-expect');
  const timeoutSeconds = src.int('smoke-test-timeout-seconds', SMOKE_TEST_TIMEOUT_SECONDS);
  if (expectText !== '' && payload === undefined && raw === '')
    src.bad('smoke-test-expect', 'needs `smoke-test-payload`: the event whose response must contain it.');
  return {
    payload,
    expect: expectText === '' ? undefined : expectText,
    timeoutSeconds: timeoutSeconds ?? SMOKE_TEST_TIMEOUT_SECONDS.default,
  };
}
