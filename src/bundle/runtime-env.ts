import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Data files a relocated Nix program reads at run time from paths baked into it, and the variables
 * that point it at the bundle's copy instead (the deploy stage sets them on the function):
 * - certificates: Nix's OpenSSL reads NIX_SSL_CERT_FILE, then SSL_CERT_FILE, then
 *   /etc/ssl/certs/ca-certificates.crt (absent on Amazon Linux, which uses /etc/pki/tls/certs/ca-bundle.crt).
 * - locales: a relocated glibc finds no locale data without LOCALE_ARCHIVE (an archive) or LOCPATH (a folder).
 * - gconv: glibc's iconv() loads conversion modules from GCONV_PATH (else its compiled-in store folder).
 * - tzdata: glibc, Rust's tz crates and Haskell's tz read TZDIR; Go reads ZONEINFO.
 * - terminfo: ncurses reads TERMINFO.
 */

export const DATA_SETS = ['certificates', 'locales', 'gconv', 'tzdata', 'terminfo'] as const;
export type DataSetId = (typeof DATA_SETS)[number];

/** Where CA bundles live in nixpkgs store paths (cacert) and in other common layouts. */
export const CA_BUNDLE_PATHS = [
  'etc/ssl/certs/ca-bundle.crt',
  'etc/ssl/certs/ca-certificates.crt',
  'etc/pki/tls/certs/ca-bundle.crt',
];

/** Where certificates go in the zip. */
export const BUNDLED_CA_PATH = 'etc/ssl/certs/ca-bundle.crt';

/** Terminal types worth carrying to a machine without a terminal (log colouring, TERM=dumb). */
export const TERMINFO_SUBSET = [
  'ansi',
  'dumb',
  'linux',
  'screen',
  'screen-256color',
  'tmux',
  'tmux-256color',
  'vt100',
  'vt220',
  'xterm',
  'xterm-256color',
  'xterm-color',
];

/** A locale archive larger than this is not bundled without being asked for (nixpkgs' glibcLocales is ~220 MB). */
export const AUTO_LOCALE_ARCHIVE_LIMIT = 50 * 1024 * 1024;

export interface DataSetDef {
  id: DataSetId;
  /** What it is, for messages. */
  what: string;
  /** Places inside a store path, most specific first: a reference under one of them uses this data set. */
  roots: readonly string[];
  /** Where the data goes in the zip, from the root it was found at. */
  target: (root: string) => string;
  /** Files of a folder root that are bundled (all when undefined); rel is relative to the root. */
  keep?: (rel: string) => boolean;
  /** The nixpkgs package that provides it, for messages. */
  nixpkgs: string;
}

export const DATA_SET_DEFS: Readonly<Record<DataSetId, DataSetDef>> = {
  certificates: {
    id: 'certificates',
    what: 'CA certificates',
    roots: CA_BUNDLE_PATHS,
    target: () => BUNDLED_CA_PATH,
    nixpkgs: 'cacert',
  },
  locales: {
    id: 'locales',
    what: 'locale data',
    roots: ['lib/locale/locale-archive', 'lib/locale'],
    target: (root) => root,
    nixpkgs: 'glibcLocales (or glibcLocalesUtf8)',
  },
  gconv: {
    id: 'gconv',
    what: "glibc's iconv conversion modules",
    roots: ['lib/gconv'],
    target: () => 'lib/gconv',
    nixpkgs: 'glibc (its lib/gconv)',
  },
  tzdata: {
    id: 'tzdata',
    what: 'time zone data',
    roots: ['share/zoneinfo'],
    target: () => 'share/zoneinfo',
    nixpkgs: 'tzdata',
  },
  terminfo: {
    id: 'terminfo',
    what: 'terminfo entries',
    roots: ['share/terminfo'],
    target: () => 'share/terminfo',
    keep: (rel) => TERMINFO_SUBSET.includes(path.posix.basename(rel)),
    nixpkgs: 'ncurses',
  },
};

/** The data set and root a store-path-relative path belongs to (`sub` is under `root`). */
export function dataSetOf(sub: string): { id: DataSetId; root: string } | undefined {
  for (const def of Object.values(DATA_SET_DEFS)) {
    for (const root of def.roots) {
      if (sub === root || sub.startsWith(`${root}/`)) return { id: def.id, root };
    }
  }
  return undefined;
}

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

/**
 * A data set somewhere in the closure, for a data set asked for by name: gconv from the C library's
 * own store path first, anything else from the first store path that has it.
 */
export function findDataSet(
  id: DataSetId,
  closure: readonly string[],
  preferred: readonly string[] = [],
  exists: (p: string) => boolean = fs.existsSync,
): { source: string; root: string } | undefined {
  if (id === 'certificates') {
    const ca = findCaBundle(closure, exists);
    return ca ? { source: ca, root: CA_BUNDLE_PATHS.find((r) => ca.endsWith(`/${r}`))! } : undefined;
  }
  for (const sp of [...preferred, ...closure])
    for (const root of DATA_SET_DEFS[id].roots) {
      const p = path.join(sp, root);
      if (exists(p)) return { source: p, root };
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
  // glibc reads gconv-modules (or its cache) from each GCONV_PATH folder.
  const gconv = names.find((n) => /(^|\/)gconv-modules(\.cache)?$/.test(n));
  if (gconv) env['GCONV_PATH'] = at(path.posix.dirname(gconv));
  // A zoneinfo folder: TZDIR for glibc and most libraries, ZONEINFO for Go.
  const zone = names.find((n) => /(^|\/)zoneinfo\/.+/.test(n));
  if (zone) {
    const dir = zone.slice(0, zone.lastIndexOf('zoneinfo/') + 'zoneinfo'.length);
    env['TZDIR'] = at(dir);
    env['ZONEINFO'] = at(dir);
  }
  // terminfo/<first letter or its hex code>/<name>
  const term = names.find((n) => /(^|\/)terminfo\/[^/]+\/[^/]+$/.test(n));
  if (term) env['TERMINFO'] = at(path.posix.dirname(path.posix.dirname(term)));
  return env;
}
