import { lookupCaches, netrcEntries, netrcWithExisting, substituterLines } from '../caches/cachix-api.js';
import { planClosureCache, restoreClosureCache } from '../caches/closure-cache.js';
import { applyNixConfig, ensureNix, writeSecretFile, type JobContext } from '../context.js';
import { NixCli, type NixInfo } from '../nix/cli.js';
import { nixHome } from '../nix/locate.js';
import { currentGid, daemonTrustsUser, settingValue } from '../nix/trust.js';
import type { FetchOptions } from '../util/http.js';

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
  const { log } = ctx;
  const inputs = ctx.inputs.cachix;
  const nixInfo = await ensureNix(ctx);
  const names = [...new Set([inputs.cachixCache, ...inputs.extraPullCaches].filter(Boolean))];
  const lines = [...(await cachixLines(ctx, nixInfo, names, opts)), ...(await closureCacheLines(ctx))];
  if (lines.length > 0) {
    applyNixConfig(ctx, lines);
    log.info('Nix configuration: exported NIX_CONFIG (this step and later ones) with:');
    for (const l of lines) log.info(`  ${l}`);
    if (nixInfo.daemon && !nixInfo.installed) await warnUntrusted(ctx, nixInfo, opts);
  } else if (names.length === 0) {
    log.info('No Cachix cache to pull from.');
  }
  recordPushes(ctx);
}

/** Substituters and keys of the Cachix caches to pull from, and a netrc for the private ones. */
async function cachixLines(
  ctx: JobContext,
  nixInfo: NixInfo,
  names: readonly string[],
  opts: CachixOptions,
): Promise<string[]> {
  const { log } = ctx;
  const inputs = ctx.inputs.cachix;
  const caches = await lookupCaches(
    names,
    { apiUrl: inputs.cachixApiUrl, token: inputs.cachixAuthToken, fetch: opts.fetch },
    log,
  );
  const lines = substituterLines(caches);
  const netrc = netrcEntries(caches, inputs.cachixAuthToken);
  if (netrc) {
    // Keep the credentials of the netrc Nix already reads (default /etc/nix/netrc); with a
    // daemon, the one the daemon reads.
    const settings = await new NixCli(nixInfo.nix).settings({ systemOnly: nixInfo.daemon });
    const file = writeSecretFile(
      ctx,
      'netrc',
      netrcWithExisting(settingValue(settings, 'netrc-file'), netrc),
    );
    lines.push(`netrc-file = ${file}`);
    log.info(`Private cache credentials: netrc ${file} (mode 0600).`);
  }
  return lines;
}

/** The closure cache restored (see caches/closure-cache.ts), recorded for the post step to save. */
async function closureCacheLines(ctx: JobContext): Promise<string[]> {
  const { runner, log } = ctx;
  const plan = planClosureCache(
    {
      enabled: ctx.inputs.cachix.cache,
      runner,
      installable: ctx.inputs.build.installable,
      flakeDir: ctx.inputs.build.flakeDir,
      home: nixHome(process.env, runner.home),
    },
    log,
  );
  if (!plan) return [];
  const record = { dir: plan.dir, key: plan.key, hit: false };
  ctx.post.closureCache = record;
  const restored = await restoreClosureCache(plan, log);
  record.hit = restored.hit;
  return restored.lines;
}

/** A daemon this action did not install may ignore NIX_CONFIG's substituters for an untrusted user. */
async function warnUntrusted(ctx: JobContext, nixInfo: NixInfo, opts: CachixOptions): Promise<void> {
  const { runner, log } = ctx;
  const trusted = daemonTrustsUser(
    await new NixCli(nixInfo.nix).settings({ systemOnly: true }),
    { user: runner.user, uid: runner.uid, gid: currentGid() },
    opts.storeWritable,
  );
  if (!trusted)
    log.warning(
      `Nix runs with a daemon and user ${runner.user} is not in its trusted-users: the daemon may ignore the substituters, keys and netrc set here. Add \`trusted-users = root ${runner.user}\` (or trusted-substituters and trusted-public-keys) to /etc/nix/nix.conf and restart nix-daemon, or let this action install Nix.`,
      'Substituters may be ignored',
    );
}

/** What the post step pushes: the build's closure to Cachix and to push-to. */
function recordPushes(ctx: JobContext): void {
  const { log } = ctx;
  const inputs = ctx.inputs.cachix;
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
