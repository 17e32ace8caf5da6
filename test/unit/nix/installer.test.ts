import { describe, expect, it } from 'vitest';
import {
  checkInstallerSha256,
  chooseInstallMode,
  defaultInstallerUrl,
  installerInvocation,
  type InstallFacts,
} from '../../../src/nix/installer.js';
import { sha256Hex } from '../../../src/util/hash.js';

const base: InstallFacts = { systemd: true, canSudo: true, isRoot: false, isAct: false, container: false };

describe('chooseInstallMode', () => {
  const cases: [string, Partial<InstallFacts>, 'daemon' | 'single-user', RegExp][] = [
    [
      'GitHub-hosted Ubuntu runner (systemd, passwordless sudo)',
      {},
      'daemon',
      /systemd runs and the user can sudo/,
    ],
    ['self-hosted VM as root with systemd', { isRoot: true, canSudo: true }, 'daemon', /systemd/],
    [
      'act (container, root, no systemd)',
      { isAct: true, isRoot: true, systemd: false },
      'single-user',
      /act/,
    ],
    ['act even if systemd were visible', { isAct: true, systemd: true }, 'single-user', /act/],
    [
      'Docker job container as root',
      { container: true, isRoot: true, systemd: false },
      'single-user',
      /container/,
    ],
    ['Podman container with a systemd mount', { container: true, systemd: true }, 'single-user', /container/],
    [
      'root without systemd (chroot, WSL1)',
      { isRoot: true, systemd: false },
      'single-user',
      /root without systemd/,
    ],
    ['user without systemd', { systemd: false }, 'single-user', /systemd is not running/],
    ['systemd but sudo asks for a password', { canSudo: false }, 'single-user', /sudo/],
  ];
  for (const [name, facts, mode, reason] of cases) {
    it(`${name}: ${mode}`, () => {
      const c = chooseInstallMode({ ...base, ...facts });
      expect(c.mode).toBe(mode);
      expect(c.reason).toMatch(reason);
    });
  }
});

describe('installer URL and invocation', () => {
  it('defaults per installer and version', () => {
    expect(defaultInstallerUrl('official', '')).toBe('https://nixos.org/nix/install');
    expect(defaultInstallerUrl('official', '2.24.9')).toBe(
      'https://releases.nixos.org/nix/nix-2.24.9/install',
    );
    expect(defaultInstallerUrl('determinate', '2.24.9')).toBe('https://install.determinate.systems/nix');
  });

  it('official: daemon flag, no channel, the configuration file, no prompts', () => {
    const conf = { file: '/tmp/x/nix.conf', text: 'max-jobs = auto\n' };
    expect(installerInvocation('official', 'daemon', conf)).toEqual({
      args: ['--daemon', '--no-channel-add', '--nix-extra-conf-file', '/tmp/x/nix.conf'],
      env: { NIX_INSTALLER_YES: '1' },
    });
    expect(installerInvocation('official', 'single-user', conf).args[0]).toBe('--no-daemon');
  });

  it('determinate: linux --init none for single-user, the configuration in the environment', () => {
    const conf = { file: '/tmp/x/nix.conf', text: 'max-jobs = auto\n' };
    expect(installerInvocation('determinate', 'single-user', conf)).toEqual({
      args: ['install', 'linux', '--init', 'none', '--no-confirm'],
      env: { NIX_INSTALLER_NO_CONFIRM: 'true', NIX_INSTALLER_EXTRA_CONF: 'max-jobs = auto\n' },
    });
    expect(installerInvocation('determinate', 'daemon', conf).args).toEqual(['install', '--no-confirm']);
  });
});

describe('checkInstallerSha256', () => {
  const body = Buffer.from('#!/bin/sh\necho hi\n');
  const sum = sha256Hex(body);
  it('accepts the expected hash (any case) or no expectation', () => {
    expect(() => {
      checkInstallerSha256(sum, sum.toUpperCase(), 'u');
    }).not.toThrow();
    expect(() => {
      checkInstallerSha256(sum, '', 'u');
    }).not.toThrow();
  });
  it('refuses another hash and says nothing ran', () => {
    expect(() => {
      checkInstallerSha256(sum, '0'.repeat(64), 'http://x/install');
    }).toThrow(/expects 0{64}\. Nothing was run/);
  });
});
