import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Data files a relocated Nix program needs at run time, and the variables that
 * point it at them inside the bundle:
 * - CA certificates: Nix's OpenSSL reads NIX_SSL_CERT_FILE, then SSL_CERT_FILE, then
 *   /etc/ssl/certs/ca-certificates.crt (absent on Amazon Linux, which uses /etc/pki/tls/certs/ca-bundle.crt).
 * - Locales: a relocated glibc finds no locale data without LOCALE_ARCHIVE (an archive) or LOCPATH (a folder).
 */

/** Where CA bundles live in nixpkgs store paths (cacert) and in other common layouts. */
export const CA_BUNDLE_PATHS = [
  'etc/ssl/certs/ca-bundle.crt',
  'etc/ssl/certs/ca-certificates.crt',
  'etc/pki/tls/certs/ca-bundle.crt',
];

/** Where certificates go in the zip. */
export const BUNDLED_CA_PATH = 'etc/ssl/certs/ca-bundle.crt';

/** The first CA bundle found in the closure's store paths (nixpkgs' cacert), or undefined. */
export function findCaBundle(
  closure: readonly string[],
  exists: (p: string) => boolean = fs.existsSync,
): string | undefined {
  const ordered = [...closure].sort(
    (a, b) => Number(/-(nss-)?cacert-/.test(b)) - Number(/-(nss-)?cacert-/.test(a)),
  );
  for (const sp of ordered)
    for (const rel of CA_BUNDLE_PATHS) {
      const p = path.join(sp, rel);
      if (exists(p)) return p;
    }
  return undefined;
}

/** Variables for the bundled data files, from the names of the files in the zip. */
export function runtimeEnvFor(names: readonly string[], taskRoot: string): Record<string, string> {
  const env: Record<string, string> = {};
  const at = (n: string): string => `${taskRoot}/${n}`;
  const ca =
    names.find((n) => n === BUNDLED_CA_PATH) ??
    names.find((n) => /(^|\/)(ca-bundle\.crt|ca-certificates\.crt)$/.test(n));
  if (ca) {
    env['SSL_CERT_FILE'] = at(ca);
    env['NIX_SSL_CERT_FILE'] = at(ca);
  }
  const archive = names.find((n) => /(^|\/)locale-archive$/.test(n));
  if (archive) env['LOCALE_ARCHIVE'] = at(archive);
  else {
    // A locale folder holds LOCALE/LC_CTYPE files: LOCPATH is the folder above LOCALE.
    const ctype = names.find((n) => /(^|\/)[^/]+\/LC_CTYPE$/.test(n));
    if (ctype) env['LOCPATH'] = at(path.posix.dirname(path.posix.dirname(ctype)));
  }
  return env;
}
