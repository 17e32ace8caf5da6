import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  composeNixConfig,
  daemonTrustsUser,
  existingNixLines,
  freshNixConf,
  isTrustedUser,
  MARK_BEGIN,
  MARK_END,
  replaceMarkedBlock,
  sandboxUnavailable,
  settingList,
  settingValue,
  userGroups,
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
  it('sandbox is off under act and in containers only', () => {
    expect(sandboxUnavailable({ isAct: true, container: true })).toMatch(/act/);
    expect(sandboxUnavailable({ isAct: false, container: true })).toMatch(/container/);
    expect(sandboxUnavailable({ isAct: false, container: false })).toBeUndefined();
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

describe('trust', () => {
  it('reads settings of show-config --json in both shapes', () => {
    expect(settingList({ 'trusted-users': { value: ['root', '@wheel'] } }, 'trusted-users')).toEqual([
      'root',
      '@wheel',
    ]);
    expect(settingList({ 'trusted-users': 'root alice' }, 'trusted-users')).toEqual(['root', 'alice']);
    expect(settingValue({ 'netrc-file': { value: '/etc/nix/netrc' } }, 'netrc-file')).toBe('/etc/nix/netrc');
    expect(settingList(undefined, 'trusted-users')).toEqual([]);
  });
  it('trusts by name, by group and *', () => {
    expect(isTrustedUser(['root', 'runner'], 'runner', [])).toBe(true);
    expect(isTrustedUser(['root', '@wheel'], 'runner', ['docker', 'wheel'])).toBe(true);
    expect(isTrustedUser(['*'], 'anyone', [])).toBe(true);
    expect(isTrustedUser(['root', '@wheel'], 'runner', ['docker'])).toBe(false);
  });
  it('a daemon trusts root, single-user stores, and trusted-users by name or group', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groups-'));
    const f = path.join(dir, 'group');
    fs.writeFileSync(f, 'ci:x:1001:\nwheel:x:10:alice\n');
    const settings = { 'trusted-users': { value: ['root', '@wheel'] } };
    expect(daemonTrustsUser(settings, { user: 'root', uid: 0, gid: 0 }, false, f)).toBe(true);
    expect(daemonTrustsUser(settings, { user: 'bob', uid: 1002, gid: 1001 }, true, f)).toBe(true);
    expect(daemonTrustsUser(settings, { user: 'alice', uid: 1003, gid: 1001 }, false, f)).toBe(true);
    expect(daemonTrustsUser(settings, { user: 'bob', uid: 1002, gid: 1001 }, false, f)).toBe(false);
    expect(daemonTrustsUser(undefined, { user: 'bob', uid: 1002, gid: 1001 }, false, f)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });
  it('finds the groups of a user in a group file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'groups-'));
    const f = path.join(dir, 'group');
    fs.writeFileSync(f, 'root:x:0:\nrunner:x:1001:\ndocker:x:118:runner,other\nwheel:x:10:alice\n');
    expect(userGroups('runner', 1001, f).sort()).toEqual(['docker', 'runner']);
    fs.rmSync(dir, { recursive: true });
  });
});
