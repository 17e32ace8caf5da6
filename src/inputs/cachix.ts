import { splitList, type InputSource } from './read.js';

/** The cachix stage's inputs: caches to pull from, what the post step pushes, the closure cache. */
export interface CachixInputs {
  cachixCache: string;
  cachixAuthToken: string;
  cachixSigningKey: string;
  extraPullCaches: string[];
  /** Push the closure to cachixCache (set only with a cache to push to). */
  cachixPush: boolean;
  pushFilter: RegExp | undefined;
  /** Without a trailing slash. */
  cachixApiUrl: string;
  pushTo: string;
  pushSigningKey: string;
  /** The closure cache (input cache). */
  cache: boolean;
}

const CACHIX_NAME = /^[a-z0-9][a-z0-9-]*$/;

export function parseCachixInputs(src: InputSource): CachixInputs {
  const cachixCache = src.get('cachix-cache');
  if (cachixCache && !CACHIX_NAME.test(cachixCache))
    src.bad(
      'cachix-cache',
      `"${cachixCache}" is not a Cachix cache name (lower-case letters, digits and dashes; the name, not the URL).`,
    );
  const extraPullCaches = splitList(src.get('extra-pull-caches'));
  for (const c of extraPullCaches)
    if (!CACHIX_NAME.test(c)) src.bad('extra-pull-caches', `"${c}" is not a Cachix cache name.`);
  const cachixAuthToken = src.get('cachix-auth-token');
  const cachixSigningKey = src.get('cachix-signing-key');
  const pushRaw = src.get('cachix-push');
  let cachixPush = cachixAuthToken !== '' || cachixSigningKey !== '';
  if (pushRaw !== '') cachixPush = src.bool('cachix-push');
  if (cachixPush && pushRaw !== '' && !cachixCache)
    src.bad(
      'cachix-push',
      'pushing needs `cachix-cache`: set the cache to push to, or set cachix-push: false.',
    );
  if (cachixPush && !cachixCache && (cachixAuthToken || cachixSigningKey))
    src.bad('cachix-cache', 'a Cachix token or signing key is set but no cache name: set `cachix-cache`.');
  let pushFilter: RegExp | undefined;
  const pf = src.get('push-filter');
  if (pf) {
    try {
      pushFilter = new RegExp(pf);
    } catch (e) {
      src.bad('push-filter', `not a valid regular expression: ${(e as Error).message}.`);
    }
  }
  const cachixApiUrl = src.get('cachix-api-url').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(cachixApiUrl))
    src.bad('cachix-api-url', `"${cachixApiUrl}" is not an http(s) URL.`);
  const pushTo = src.get('push-to');
  if (pushTo && !/^[a-z][a-z0-9+]*:\/\/\S+$/.test(pushTo))
    src.bad(
      'push-to',
      `"${pushTo}" is not a Nix store URL such as s3://bucket, file:///path or https://host.`,
    );
  const pushSigningKey = src.get('push-signing-key');
  if (pushSigningKey && !/^[^:\s]+:[A-Za-z0-9+/=]+$/.test(pushSigningKey))
    src.bad(
      'push-signing-key',
      'expected a Nix secret key, NAME:BASE64, as printed by `nix key generate-secret`.',
    );
  const cache = src.bool('cache');
  return {
    cachixCache,
    cachixAuthToken,
    cachixSigningKey,
    extraPullCaches,
    cachixPush,
    pushFilter,
    cachixApiUrl,
    pushTo,
    pushSigningKey,
    cache,
  };
}
