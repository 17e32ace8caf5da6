import * as fs from 'node:fs';
import { lookupCache, netrcEntries, substituterLines, type CacheInfo } from '../caches/cachix-api.js';
import { restoreClosureCache } from '../caches/closure-cache.js';
import type { JobContext } from '../context.js';
import type { FetchOptions } from '../util/http.js';
import { ensureNix } from '../nix/cli.js';
import {
  applyNixConfig,
  currentGid,
  daemonTrustsUser,
  nixHome,
  readNixSettings,
  settingValue,
} from '../nix/config.js';
import { writeSecretFile } from '../context.js';

export interface CachixOptions {
  /** Download tuning for the Cachix API (tests use short delays). */
  fetch?: FetchOptions;
  /** Whether this process may write /nix/store (default: checked); decides trust with a daemon. */
  storeWritable?: boolean;
}

/**
 * Stage 2: binary caches. Pull from Cachix caches (the API gives each cache's URI and public
 * keys; private caches get a netrc entry), restore the closure cache, and record what the
 * post step pushes (Cachix, push-to). Every cache problem is a warning or a notice: the build
 * goes on without that cache.
 */
export async function cachix(ctx: JobContext, opts: CachixOptions = {}): Promise<void> {
  const { inputs, log } = ctx;
  const nixInfo = await ensureNix(ctx);
  const lines: string[] = [];

  // Cachix pull
  const names = [...new Set([inputs.cachixCache, ...inputs.extraPullCaches].filter(Boolean))];
  const caches: CacheInfo[] = [];
  for (const name of names) {
    const r = await lookupCache(inputs.cachixApiUrl, name, inputs.cachixAuthToken, opts.fetch);
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
  lines.push(...substituterLines(caches));
  const netrc = netrcEntries(caches, inputs.cachixAuthToken);
  if (netrc) {
    // Keep the credentials of the netrc Nix already reads (default /etc/nix/netrc); with a
    // daemon, the one the daemon reads.
    const current = settingValue(
      await readNixSettings(nixInfo.nix, { systemOnly: nixInfo.daemon }),
      'netrc-file',
    );
    let before = '';
    if (typeof current === 'string' && current) {
      try {
        before = fs.readFileSync(current, 'utf8');
        if (before && !before.endsWith('\n')) before += '\n';
      } catch {
        // no such file, or not readable: nothing to keep
      }
    }
    const file = writeSecretFile(ctx, 'netrc', before + netrc);
    lines.push(`netrc-file = ${file}`);
    log.info(`Private cache credentials: netrc ${file} (mode 0600).`);
  }

  // The closure cache
  lines.push(...(await restoreClosureCache(ctx, nixHome(ctx))));

  if (lines.length > 0) {
    applyNixConfig(ctx, lines);
    log.info('Nix configuration: exported NIX_CONFIG (this step and later ones) with:');
    for (const l of lines) log.info(`  ${l}`);
    if (nixInfo.daemon && !nixInfo.installed) {
      const trusted = daemonTrustsUser(
        await readNixSettings(nixInfo.nix, { systemOnly: true }),
        { user: ctx.runner.user, uid: ctx.runner.uid, gid: currentGid() },
        opts.storeWritable,
      );
      if (!trusted)
        log.warning(
          `Nix runs with a daemon and user ${ctx.runner.user} is not in its trusted-users: the daemon may ignore the substituters, keys and netrc set here. Add \`trusted-users = root ${ctx.runner.user}\` (or trusted-substituters and trusted-public-keys) to /etc/nix/nix.conf and restart nix-daemon, or let this action install Nix.`,
          'Substituters may be ignored',
        );
    }
  } else if (names.length === 0) {
    log.info('No Cachix cache to pull from.');
  }

  // What the post step pushes
  if (inputs.cachixPush && inputs.cachixCache) ctx.post.cachixPush = { cache: inputs.cachixCache };
  if (inputs.pushTo) ctx.post.pushTo = inputs.pushTo;
  if (inputs.pushFilter) ctx.post.pushFilter = inputs.pushFilter.source;
  const targets = [
    ...(ctx.post.cachixPush ? [`Cachix cache "${ctx.post.cachixPush.cache}"`] : []),
    ...(ctx.post.pushTo ? [ctx.post.pushTo] : []),
  ];
  if (targets.length > 0)
    log.info(
      `After a successful build the post step pushes its runtime closure${inputs.pushFilter ? ` (minus paths matching /${inputs.pushFilter.source}/)` : ''} to ${targets.join(' and ')}.`,
    );
}
