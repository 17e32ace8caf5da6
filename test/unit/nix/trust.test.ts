import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  daemonTrustsUser,
  isTrustedUser,
  settingList,
  settingValue,
  userGroups,
} from '../../../src/nix/trust.js';

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
