import { describe, expect, it } from 'vitest';
import { findCaBundle, runtimeEnvFor } from '../../src/runtime-env.js';

describe('findCaBundle', () => {
  const store = (n: string): string => `/nix/store/${'a'.repeat(32)}-${n}`;
  it("prefers nixpkgs' cacert and its ca-bundle.crt", () => {
    const files = new Set([
      `${store('other')}/etc/ssl/certs/ca-certificates.crt`,
      `${store('nss-cacert-3.101')}/etc/ssl/certs/ca-bundle.crt`,
    ]);
    expect(findCaBundle([store('other'), store('nss-cacert-3.101')], (p) => files.has(p))).toBe(
      `${store('nss-cacert-3.101')}/etc/ssl/certs/ca-bundle.crt`,
    );
  });
  it('returns undefined when there is none', () => {
    expect(findCaBundle([store('glibc')], () => false)).toBeUndefined();
  });
});

describe('runtimeEnvFor', () => {
  it('points SSL_CERT_FILE and NIX_SSL_CERT_FILE at a bundled CA file', () => {
    expect(runtimeEnvFor(['bootstrap', 'etc/ssl/certs/ca-bundle.crt'], '/var/task')).toEqual({
      SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
      NIX_SSL_CERT_FILE: '/var/task/etc/ssl/certs/ca-bundle.crt',
    });
    expect(runtimeEnvFor(['share/ca-certificates.crt'], '/opt/t')['SSL_CERT_FILE']).toBe(
      '/opt/t/share/ca-certificates.crt',
    );
  });
  it('uses LOCALE_ARCHIVE for an archive and LOCPATH for a folder', () => {
    expect(runtimeEnvFor(['lib/locale/locale-archive'], '/var/task')).toEqual({
      LOCALE_ARCHIVE: '/var/task/lib/locale/locale-archive',
    });
    expect(
      runtimeEnvFor(['share/locale/en_US.UTF-8/LC_CTYPE', 'share/locale/en_US.UTF-8/LC_TIME'], '/var/task'),
    ).toEqual({
      LOCPATH: '/var/task/share/locale',
    });
  });
  it('records nothing for a bundle without such files', () => {
    expect(runtimeEnvFor(['bootstrap', 'lib/libc.so.6'], '/var/task')).toEqual({});
  });
});
