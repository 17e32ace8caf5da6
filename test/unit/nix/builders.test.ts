import { describe, expect, it } from 'vitest';
import {
  builderHost,
  completeBuilders,
  looksLikePrivateKey,
  parseBuilders,
  parseKnownHosts,
  sshOptions,
} from '../../../src/nix/builders.js';

const HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
-----END OPENSSH PRIVATE KEY-----`;

describe("Nix's builders string", () => {
  it('splits entries on ; and newlines, keeps @files, and checks each', () => {
    const p = parseBuilders(
      'ssh://nix@b1 x86_64-linux - 8 2 big-parallel ; ssh-ng://b2 aarch64-linux\n@/etc/nix/machines\n# a comment',
    );
    expect(p.problems).toEqual([]);
    expect(p.entries.map((e) => e.uri)).toEqual(['ssh://nix@b1', 'ssh-ng://b2']);
    expect(p.files).toEqual(['@/etc/nix/machines']);
    expect(parseBuilders('').problems).toEqual(['no builder given.']);
    const bad = parseBuilders(
      'https://b1 x86_64-linux\nssh://b2 x86_64-linux - many\nssh://b3 a b c d e f g h',
    );
    expect(bad.problems).toHaveLength(3);
    expect(bad.problems[0]).toMatch(/"https:\/\/b1" is not a builder Nix reaches over SSH/);
    expect(bad.problems[1]).toMatch(/the max jobs \(field 4\) must be a whole number, got "many"/);
    expect(bad.problems[2]).toMatch(/has 9 fields; a builder has at most 8/);
  });

  it('gives entries without a key file the job key, and without a host key the one known_hosts has', () => {
    const known = parseKnownHosts(`b1 ${HOST_KEY}\n[b2]:2222 ${HOST_KEY} comment\n`);
    expect(known.problems).toEqual([]);
    const p = parseBuilders('ssh://nix@b1 x86_64-linux ; ssh://b2 x86_64-linux /my/key 4 ; ssh://b3');
    const b64 = Buffer.from(HOST_KEY).toString('base64');
    expect(completeBuilders(p, { keyFile: '/run/k', knownHosts: known.hosts })).toBe(
      `ssh://nix@b1 x86_64-linux /run/k - - - - ${b64} ; ssh://b2 x86_64-linux /my/key 4 ; ssh://b3 - /run/k`,
    );
    expect(completeBuilders(p, {})).toBe(
      'ssh://nix@b1 x86_64-linux ; ssh://b2 x86_64-linux /my/key 4 ; ssh://b3',
    );
    expect(builderHost('ssh-ng://user@host.example')).toBe('host.example');
  });

  it('reads known_hosts lines and refuses what is not one', () => {
    const k = parseKnownHosts(`# c\n@cert-authority *.example ${HOST_KEY}\nnot a line\n`);
    expect(k.hosts).toEqual([{ hosts: ['*.example'], key: HOST_KEY }]);
    expect(k.problems).toEqual(['"not a line" is not a known_hosts line (HOST KEYTYPE BASE64KEY).']);
  });

  it('points the ssh Nix runs at the job known_hosts file, strictly, after the options already there', () => {
    expect(sshOptions('-p 2222', '/tmp/kh')).toBe(
      '-p 2222 -oUserKnownHostsFile=/tmp/kh -oStrictHostKeyChecking=yes',
    );
    expect(sshOptions('', undefined)).toBe('');
  });

  it('recognises a private key', () => {
    expect(looksLikePrivateKey(KEY)).toBe(true);
    expect(looksLikePrivateKey(HOST_KEY)).toBe(false);
    expect(looksLikePrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----')).toBe(false);
  });
});
