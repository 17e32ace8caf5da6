import { describe, expect, it } from 'vitest';
import { inputsParser } from '../../support/inputs.js';

const { parse, problems } = inputsParser({ stages: 'build,package' });

const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDjKqp5Fc65tEnRulDqKii7Gm4B+QvaJFotHYdpfRiiZQAAAJhJ0L7BSdC+
-----END OPENSSH PRIVATE KEY-----`;

describe('the smoke test section as parseInputs reads it', () => {
  it('has no payload by default, a 30 s limit and local-smoke-test auto', () => {
    const i = parse({});
    expect(i.smokeTest).toEqual({ payload: undefined, expect: undefined, timeoutSeconds: 30 });
    expect(i.package.localSmokeTest).toBe('auto');
  });

  it('takes a JSON document, an expected text (untrimmed) and a whole number of seconds', () => {
    expect(
      parse({
        'smoke-test-payload': ' {"a": [1]} ',
        'smoke-test-expect': ' ok',
        'smoke-test-timeout-seconds': '5',
      }).smokeTest,
    ).toEqual({ payload: '{"a": [1]}', expect: ' ok', timeoutSeconds: 5 });
  });

  it('reports every problem at once, naming the input', () => {
    expect(
      problems({
        'smoke-test-payload': '{not json',
        'smoke-test-timeout-seconds': '0',
        'local-smoke-test': 'maybe',
      }),
    ).toEqual([
      expect.stringMatching(/^Input `local-smoke-test`: expected one of auto, true, false, got "maybe"/),
      expect.stringMatching(
        /^Input `smoke-test-payload`: not a JSON document \(.*\); write the event the function gets/,
      ),
      'Input `smoke-test-timeout-seconds`: expected a whole number from 1 to 900, got "0".',
    ]);
    expect(problems({ 'smoke-test-expect': 'ok' })).toEqual([
      'Input `smoke-test-expect`: there is no smoke test to check: set `smoke-test-payload` to the event to send.',
    ]);
    expect(problems({ 'local-smoke-test': 'true' })).toEqual([
      'Input `local-smoke-test`: true needs `smoke-test-payload`: the event the bundle is asked to answer.',
    ]);
  });
});

describe('the remote builders inputs', () => {
  it('parse the builders string, the key (one final newline) and known_hosts', () => {
    const b = parse({
      builders: 'ssh://nix@b1 x86_64-linux',
      'builder-ssh-key': `${KEY.replace(/\n/g, '\r\n')}\r\n\r\n`,
      'builder-known-hosts': 'b1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoq',
    }).build.builders!;
    expect(b.parsed.entries).toHaveLength(1);
    expect(b.sshKey).toBe(`${KEY}\n`);
    expect(b.knownHosts).toEqual([
      { hosts: ['b1'], key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoq' },
    ]);
    expect(parse({}).build.builders).toBeUndefined();
  });

  it('refuse a key without builders, a key that is not one, a key pasted into builders; never quoting a key', () => {
    const bad = problems({
      builders: `ssh://b1 x86_64-linux ${KEY.split('\n')[1]!} -----BEGIN OPENSSH PRIVATE KEY-----`,
      'builder-ssh-key': 'hunter2-not-a-key',
    });
    expect(bad).toContain(
      'Input `builders`: holds a private key: give the key in `builder-ssh-key` (from a secret), never in builders.',
    );
    expect(bad).toContainEqual(expect.stringMatching(/^Input `builder-ssh-key`: is not an SSH private key/));
    expect(bad.join('\n')).not.toContain('hunter2');
    expect(problems({ 'builder-ssh-key': KEY, 'builder-known-hosts': 'x' })).toEqual([
      "Input `builder-ssh-key`: needs `builders`: the remote builders (Nix's builders string) it is for.",
      "Input `builder-known-hosts`: needs `builders`: the remote builders (Nix's builders string) it is for.",
    ]);
  });
});
