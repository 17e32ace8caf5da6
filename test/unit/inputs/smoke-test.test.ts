import { describe, expect, it } from 'vitest';
import { InputSource } from '../../../src/inputs/read.js';
import { parseSmokeTestInputs } from '../../../src/inputs/smoke-test.js';

function parse(values: Record<string, string>) {
  const src = new InputSource((n) => values[n] ?? '');
  return { inputs: parseSmokeTestInputs(src), problems: src.problems };
}

describe('the smoke test section', () => {
  it('is off without a payload, with the default time limit', () => {
    expect(parse({})).toEqual({
      inputs: { payload: undefined, expect: undefined, timeoutSeconds: 30 },
      problems: [],
    });
  });

  it('takes any JSON document as the payload, the expected text and a time limit', () => {
    expect(
      parse({
        'smoke-test-payload': ' {"path": "/health"} ',
        'smoke-test-expect': 'ok',
        'smoke-test-timeout-seconds': '90',
      }).inputs,
    ).toEqual({ payload: '{"path": "/health"}', expect: 'ok', timeoutSeconds: 90 });
    expect(parse({ 'smoke-test-payload': '"ping"' }).inputs.payload).toBe('"ping"');
    expect(parse({ 'smoke-test-payload': '[1, 2]' }).inputs.payload).toBe('[1, 2]');
  });

  it('names the input and the fix for each problem, all at once', () => {
    expect(
      parse({ 'smoke-test-payload': '{path: /}', 'smoke-test-timeout-seconds': '901' }).problems,
    ).toEqual([
      expect.stringMatching(
        /^Input `smoke-test-payload`: not a JSON document \(.*\); write the event the function gets, such as \{"path": "\/health"\}\.$/,
      ),
      'Input `smoke-test-timeout-seconds`: expected a whole number from 1 to 900, got "901".',
    ]);
    expect(parse({ 'smoke-test-expect': 'ok' }).problems).toEqual([
      'Input `smoke-test-expect`: there is no smoke test to check: set `smoke-test-payload` to the event to send.',
    ]);
    expect(parse({ 'smoke-test-payload': `"${'x'.repeat(6 * 1024 * 1024)}"` }).problems).toEqual([
      'Input `smoke-test-payload`: larger than the 6 MB Lambda takes in a synchronous invocation.',
    ]);
  });
});
