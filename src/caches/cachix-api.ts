import * as fs from 'node:fs';
import { fetchUrl, FetchError, type FetchOptions } from '../util/http.js';
import type { Logger } from '../util/log.js';

/**
 * The Cachix API as far as pulling needs it: GET {api}/cache/NAME answers
 * `{"name", "uri", "isPublic", "publicSigningKeys": [...]}`. A private cache answers only
 * with a Bearer token, and Nix then needs that token in a netrc entry for the cache's host.
 */

export interface CacheInfo {
  name: string;
  uri: string;
  publicSigningKeys: string[];
  isPublic: boolean;
}

export type LookupResult =
  | { ok: true; cache: CacheInfo }
  | {
      ok: false;
      name: string;
      reason: 'not-found' | 'unauthorized' | 'unreachable' | 'bad-response';
      message: string;
    };

/** Parses the API's answer; undefined when it is not a usable cache description. */
export function parseCacheInfo(name: string, body: string): CacheInfo | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  const uri = typeof o['uri'] === 'string' ? o['uri'].replace(/\/+$/, '') : '';
  if (!/^https?:\/\/[^\s]+$/.test(uri)) return undefined;
  const keys = Array.isArray(o['publicSigningKeys'])
    ? o['publicSigningKeys'].filter(
        (k): k is string => typeof k === 'string' && /^[^:\s]+:[A-Za-z0-9+/=]+$/.test(k),
      )
    : [];
  return { name, uri, publicSigningKeys: keys, isPublic: o['isPublic'] !== false };
}

/** Looks a cache up. Never throws: a failure says why, for a warning that names the cache. */
export async function lookupCache(
  apiUrl: string,
  name: string,
  token: string,
  opts: FetchOptions = {},
): Promise<LookupResult> {
  const url = `${apiUrl.replace(/\/+$/, '')}/cache/${encodeURIComponent(name)}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  let res;
  try {
    res = await fetchUrl(url, { attempts: 3, retryDelayMs: 1000, timeoutMs: 20_000, ...opts, headers });
  } catch (e) {
    return {
      ok: false,
      name,
      reason: 'unreachable',
      message: `the Cachix API at ${apiUrl} could not be reached (${e instanceof FetchError ? e.message : String(e)})`,
    };
  }
  if (res.status === 404)
    return {
      ok: false,
      name,
      reason: 'not-found',
      message: token
        ? `Cachix has no cache named "${name}" (or the token cannot see it)`
        : `Cachix has no public cache named "${name}"; a private cache needs cachix-auth-token`,
    };
  if (res.status === 401 || res.status === 403)
    return {
      ok: false,
      name,
      reason: 'unauthorized',
      message: token
        ? `Cachix refused the token for cache "${name}" (HTTP ${res.status})`
        : `cache "${name}" is private (HTTP ${res.status}); set cachix-auth-token to pull from it`,
    };
  if (res.status !== 200)
    return {
      ok: false,
      name,
      reason: 'unreachable',
      message: `the Cachix API answered HTTP ${res.status} for cache "${name}"`,
    };
  const cache = parseCacheInfo(name, res.body.toString('utf8'));
  if (!cache)
    return {
      ok: false,
      name,
      reason: 'bad-response',
      message: `the Cachix API's answer for cache "${name}" has no usable uri`,
    };
  return { ok: true, cache };
}

/** nix.conf lines for pulling from caches: one extra-substituters and one extra-trusted-public-keys line. */
export function substituterLines(caches: readonly CacheInfo[]): string[] {
  if (caches.length === 0) return [];
  const uris = [...new Set(caches.map((c) => c.uri))];
  const keys = [...new Set(caches.flatMap((c) => c.publicSigningKeys))];
  const out = [`extra-substituters = ${uris.join(' ')}`];
  if (keys.length > 0) out.push(`extra-trusted-public-keys = ${keys.join(' ')}`);
  return out;
}

/** netrc entries (Cachix's form: machine HOST password TOKEN) for the private caches. */
export function netrcEntries(caches: readonly CacheInfo[], token: string): string {
  if (!token) return '';
  const hosts = [...new Set(caches.filter((c) => !c.isPublic).map((c) => new URL(c.uri).hostname))];
  return hosts.map((h) => `machine ${h} password ${token}\n`).join('');
}

/**
 * Looks up each cache; a cache that cannot be used is a warning naming it (the build goes on
 * without it). Returns the usable ones.
 */
export async function lookupCaches(
  names: readonly string[],
  o: { apiUrl: string; token: string; fetch?: FetchOptions | undefined },
  log: Logger,
): Promise<CacheInfo[]> {
  const caches: CacheInfo[] = [];
  for (const name of names) {
    const r = await lookupCache(o.apiUrl, name, o.token, o.fetch);
    if (!r.ok) {
      log.warning(
        `Cachix cache "${name}" is not used: ${r.message}. The build goes on without it.`,
        'Cachix cache skipped',
      );
      continue;
    }
    caches.push(r.cache);
    log.info(
      `Cachix cache "${name}": ${r.cache.uri} (${r.cache.isPublic ? 'public' : 'private'}; keys: ${r.cache.publicSigningKeys.join(' ') || 'none'})`,
    );
    if (r.cache.publicSigningKeys.length === 0)
      log.warning(
        `Cachix cache "${name}" lists no public signing key: Nix will refuse its paths unless they are signed by a key it already trusts.`,
        'Cachix cache has no key',
      );
  }
  return caches;
}

/**
 * The netrc to give Nix: the credentials of the netrc it already reads (its netrc-file setting),
 * then the entries for the private caches.
 */
export function netrcWithExisting(currentNetrcFile: unknown, entries: string): string {
  let before = '';
  if (typeof currentNetrcFile === 'string' && currentNetrcFile) {
    try {
      before = fs.readFileSync(currentNetrcFile, 'utf8');
      if (before && !before.endsWith('\n')) before += '\n';
    } catch {
      // no such file, or not readable: nothing to keep
    }
  }
  return before + entries;
}
