import { describe, expect, it } from 'vitest';
import {
  composeNixConfig,
  existingNixLines,
  freshNixConf,
  MARK_BEGIN,
  MARK_END,
  replaceMarkedBlock,
  userNixConfPath,
} from '../../../src/nix/config.js';

describe('composeNixConfig', () => {
  it('keeps the environment first, the action next, extra-nix-config last', () => {
    expect(composeNixConfig('substituters =\n', ['max-jobs = auto'], 'max-jobs = 2\n')).toBe(
      'substituters =\nmax-jobs = auto\nmax-jobs = 2',
    );
  });
  it('keeps only the last of identical lines, so a second run does not grow it', () => {
    const once = composeNixConfig('a = 1', ['b = 2', 'c = 3'], 'd = 4');
    const twice = composeNixConfig(once, ['b = 2', 'c = 3'], 'd = 4');
    expect(twice).toBe(once);
  });
});

describe('configuration lines', () => {
  it('existing Nix: extends features, max-jobs, sandbox off in containers, the token only included', () => {
    expect(existingNixLines({ sandboxOff: true, tokenFile: '/t/tok.conf' })).toEqual([
      'extra-experimental-features = nix-command flakes',
      'max-jobs = auto',
      'sandbox = false',
      '!include /t/tok.conf',
    ]);
    expect(existingNixLines({ sandboxOff: false })).toEqual([
      'extra-experimental-features = nix-command flakes',
      'max-jobs = auto',
    ]);
  });
  it('fresh daemon install trusts root and the runner user; extra-nix-config comes last', () => {
    const conf = freshNixConf({
      mode: 'daemon',
      user: 'runner',
      sandboxOff: false,
      tokenFile: '/t/tok.conf',
      extra: 'keep-outputs = true\n\n',
    });
    expect(conf).toBe(
      'experimental-features = nix-command flakes\nmax-jobs = auto\ntrusted-users = root runner\n!include /t/tok.conf\nkeep-outputs = true\n',
    );
  });
  it('single-user install: no trusted-users; no build users when the installer makes none', () => {
    const conf = freshNixConf({
      mode: 'single-user',
      user: 'root',
      sandboxOff: true,
      extra: '',
      noBuildUsers: true,
    });
    expect(conf).not.toContain('trusted-users');
    expect(conf).toContain('sandbox = false\nbuild-users-group =\n');
    expect(freshNixConf({ mode: 'single-user', user: 'root', sandboxOff: false, extra: '' })).not.toContain(
      'build-users-group',
    );
  });
});

describe('replaceMarkedBlock', () => {
  it('appends to an existing configuration and replaces its own block on a second run', () => {
    const first = replaceMarkedBlock('substituters = x\n', 'max-jobs = auto\n');
    expect(first).toBe(`substituters = x\n${MARK_BEGIN}\nmax-jobs = auto\n${MARK_END}\n`);
    const second = replaceMarkedBlock(first, 'max-jobs = 4\n');
    expect(second).toBe(`substituters = x\n${MARK_BEGIN}\nmax-jobs = 4\n${MARK_END}\n`);
    expect(replaceMarkedBlock('', 'a = 1')).toBe(`${MARK_BEGIN}\na = 1\n${MARK_END}\n`);
  });
  it('user nix.conf follows XDG_CONFIG_HOME', () => {
    expect(userNixConfPath({}, '/home/u')).toBe('/home/u/.config/nix/nix.conf');
    expect(userNixConfPath({ XDG_CONFIG_HOME: '/x' }, '/home/u')).toBe('/x/nix/nix.conf');
  });
});
