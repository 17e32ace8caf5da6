import { describe, expect, it } from 'vitest';
import {
  DATA_SET_DEFS,
  dataSetOf,
  findCaBundle,
  findDataSet,
  runtimeEnvFor,
} from '../../../src/bundle/runtime-env.js';

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

describe('data sets', () => {
  const store = (n: string): string => `/nix/store/${'a'.repeat(32)}-${n}`;
  it('dataSetOf: the set and root a store-path-relative path belongs to', () => {
    expect(dataSetOf('lib/gconv')).toEqual({ id: 'gconv', root: 'lib/gconv' });
    expect(dataSetOf('lib/gconv/gconv-modules')).toEqual({ id: 'gconv', root: 'lib/gconv' });
    expect(dataSetOf('share/zoneinfo/Europe/Paris')).toEqual({ id: 'tzdata', root: 'share/zoneinfo' });
    expect(dataSetOf('share/terminfo')).toEqual({ id: 'terminfo', root: 'share/terminfo' });
    expect(dataSetOf('lib/locale/locale-archive')).toEqual({
      id: 'locales',
      root: 'lib/locale/locale-archive',
    });
    expect(dataSetOf('lib/locale/C.utf8/LC_CTYPE')).toEqual({ id: 'locales', root: 'lib/locale' });
    expect(dataSetOf('etc/ssl/certs/ca-bundle.crt')).toEqual({
      id: 'certificates',
      root: 'etc/ssl/certs/ca-bundle.crt',
    });
    expect(dataSetOf('lib/gconvx')).toBeUndefined();
    expect(dataSetOf('share/doc')).toBeUndefined();
  });
  it('findDataSet: gconv from the C library first, others from the first store path that has them', () => {
    const have = new Set([
      `${store('glibc')}/lib/gconv`,
      `${store('other')}/lib/gconv`,
      `${store('tzdata')}/share/zoneinfo`,
    ]);
    const exists = (p: string) => have.has(p);
    const closure = [store('other'), store('tzdata'), store('glibc')];
    expect(findDataSet('gconv', closure, [store('glibc')], exists)).toEqual({
      source: `${store('glibc')}/lib/gconv`,
      root: 'lib/gconv',
    });
    expect(findDataSet('tzdata', closure, [], exists)).toEqual({
      source: `${store('tzdata')}/share/zoneinfo`,
      root: 'share/zoneinfo',
    });
    expect(findDataSet('terminfo', closure, [], exists)).toBeUndefined();
  });
  it('keeps a few terminal types of a terminfo folder', () => {
    const keep = DATA_SET_DEFS.terminfo.keep!;
    expect(['x/xterm-256color', 'd/dumb', '78/xterm', 'x/xterm-kitty', 'a/adm3a'].map(keep)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
  it('runtimeEnvFor: GCONV_PATH, TZDIR and ZONEINFO, TERMINFO from the bundled names', () => {
    expect(
      runtimeEnvFor(
        [
          'lib/gconv/gconv-modules',
          'lib/gconv/ISO8859-15.so',
          'share/zoneinfo/Europe/Paris',
          'share/terminfo/x/xterm',
        ],
        '/var/task',
      ),
    ).toEqual({
      GCONV_PATH: '/var/task/lib/gconv',
      TZDIR: '/var/task/share/zoneinfo',
      ZONEINFO: '/var/task/share/zoneinfo',
      TERMINFO: '/var/task/share/terminfo',
    });
  });
});
