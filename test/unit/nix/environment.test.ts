import { describe, expect, it } from 'vitest';
import { inContainer, profileEnvironment, sandboxUnavailable } from '../../../src/nix/environment.js';

describe('the sandbox', () => {
  it('sandbox is off under act and in containers only', () => {
    expect(sandboxUnavailable({ isAct: true, container: true })).toMatch(/act/);
    expect(sandboxUnavailable({ isAct: false, container: true })).toMatch(/container/);
    expect(sandboxUnavailable({ isAct: false, container: false })).toBeUndefined();
  });
  it('a container is Docker or Podman', () => {
    expect(inContainer((p) => p === '/.dockerenv')).toBe(true);
    expect(inContainer((p) => p === '/run/.containerenv')).toBe(true);
    expect(inContainer(() => false)).toBe(false);
  });
});

describe('profileEnvironment', () => {
  it('adds both profiles (user profile first on PATH) and finds a CA bundle', () => {
    const pe = profileEnvironment('/home/runner', {}, (p) => p === '/etc/pki/tls/certs/ca-bundle.crt');
    expect(pe.paths).toEqual(['/nix/var/nix/profiles/default/bin', '/home/runner/.nix-profile/bin']);
    expect(pe.vars).toEqual({
      NIX_PROFILES: '/nix/var/nix/profiles/default /home/runner/.nix-profile',
      NIX_SSL_CERT_FILE: '/etc/pki/tls/certs/ca-bundle.crt',
    });
  });
  it('keeps a NIX_SSL_CERT_FILE that exists; sets none when no bundle exists', () => {
    expect(
      profileEnvironment('/h', { NIX_SSL_CERT_FILE: '/c.pem' }, (p) => p === '/c.pem').vars,
    ).not.toHaveProperty('NIX_SSL_CERT_FILE');
    expect(profileEnvironment('/h', {}, () => false).vars).not.toHaveProperty('NIX_SSL_CERT_FILE');
  });
});
