import { describe, expect, it } from 'vitest';
import { parseLoaderList, setupLines, unshareAttempts } from '../../../src/bundle/verify.js';

describe('entering the isolated root', () => {
  const inner = ['--mount', '--root=/r', '/var/task/bootstrap'];
  const user = ['--setgid=990', '--setuid=993'];

  it.runIf(process.getuid?.() === 0)(
    'as root: unshare itself, as the sandbox user first when asked (older unshare: without)',
    () => {
      expect(unshareAttempts(inner)).toEqual([['unshare', inner]]);
      expect(unshareAttempts(inner, { asSandboxUser: user })).toEqual([
        ['unshare', [...user, ...inner]],
        ['unshare', inner],
      ]);
    },
  );

  it.runIf(process.getuid?.() !== 0)('as another user: a user namespace, else passwordless sudo', () => {
    expect(unshareAttempts(inner, { asSandboxUser: user })).toEqual([
      ['unshare', ['--user', '--map-root-user', ...inner]],
      ['sudo', ['-n', 'unshare', ...user, ...inner]],
      ['sudo', ['-n', 'unshare', ...inner]],
    ]);
  });

  it('reads the loader list: what is outside the task root, what is missing', () => {
    const r = parseLoaderList(
      '\tlibz.so.1 => /var/task/lib/libz.so.1 (0x7f00)\n\tlibssl.so.3 => /lib64/libssl.so.3 (0x7f01)\n\tlibx.so.2 => not found\n',
      '',
      '/var/task',
    );
    expect(r).toEqual({
      listed: ['/var/task/lib/libz.so.1', '/lib64/libssl.so.3'],
      outside: ['/lib64/libssl.so.3'],
      problems: ['libx.so.2 not found'],
    });
  });
});

describe('setupLines', () => {
  it("takes unshare's and sudo's complaints, not sudo's warning about the host name", () => {
    const stderr = [
      'sudo: unable to resolve host runner-7f3a: Name or service not known',
      '/var/task/bootstrap: /lib64/libc.so.6: version `GLIBC_2.38' + "' not found",
    ].join('\n');
    expect(setupLines(stderr)).toEqual([]);
    expect(setupLines('unshare: unshare failed: Operation not permitted\n')).toEqual([
      'unshare: unshare failed: Operation not permitted',
    ]);
    expect(setupLines('sudo: a password is required')).toEqual(['sudo: a password is required']);
  });
});
