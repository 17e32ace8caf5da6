import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../../../src/util/errors.js';
import { CommandError, logCommandsTo, run, tailOf } from '../../../src/util/exec.js';
import { registerSecret } from '../../../src/util/secrets.js';

afterEach(() => {
  logCommandsTo(undefined);
});

describe('run', () => {
  it('writes the command line to the debug log, quoted as a shell would need it', async () => {
    const lines: string[] = [];
    logCommandsTo((l) => lines.push(l));
    const r = await run('sh', ['-c', 'echo "$1"', 'sh', 'two words'], { cwd: '/' });
    expect(r.stdout).toBe('two words\n');
    expect(lines).toEqual([`exec: sh -c 'echo "$1"' sh 'two words' (in /)`]);
  });

  it('refuses a command line holding a registered secret, before running anything', async () => {
    registerSecret('exec-test-secret-value');
    const lines: string[] = [];
    logCommandsTo((l) => lines.push(l));
    const err = await run('echo', ['exec-test-secret-value']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as ActionError).title).toBe('Refused to run a command');
    expect(lines).toEqual([]);
  });

  it('turns a failure into a CommandError carrying the tail of stderr, secrets scrubbed', async () => {
    registerSecret('exec-test-stderr-secret');
    const err = await run('sh', ['-c', 'for i in 1 2 3 4; do echo line$i >&2; done; echo "$S" >&2; exit 3'], {
      env: { S: 'exec-test-stderr-secret' },
      tailLines: 2,
      errorTitle: 'It failed',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const e = err as CommandError;
    expect(e.title).toBe('It failed');
    expect(e.code).toBe(3);
    expect(e.message).toMatch(/exited with code 3:\nline4\n\*\*\*$/);
  });

  it('returns the result of a failing command when allowed to fail', async () => {
    const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 1'], { allowFailure: true });
    expect(r).toEqual({ code: 1, stdout: 'out\n', stderr: 'err\n' });
  });
});

describe('tailOf', () => {
  it('keeps the last lines, trailing blanks dropped', () => {
    expect(tailOf('a\nb\nc\n\n', 2)).toBe('b\nc');
  });
});
