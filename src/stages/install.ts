import { nixOutputs } from '../action/outputs.js';
import { addPath, applyNixConfig, exportVar, useNix, writeTokenFile, type JobContext } from '../context.js';
import { NixCli, type NixInfo } from '../nix/cli.js';
import { existingNixLines, freshNixConf, userNixConfPath } from '../nix/config.js';
import { inContainer, profileEnvironment, sandboxUnavailable } from '../nix/environment.js';
import {
  detectInstallFacts,
  fetchInstaller,
  findInstalledNix,
  planInstall,
  runInstaller,
  writeInstalledConf,
  type InstallFacts,
} from '../nix/installer.js';
import { findNix, nixHome } from '../nix/locate.js';
import { groupExists, settingValue } from '../nix/trust.js';
import type { FetchOptions } from '../util/http.js';

/**
 * Stage 1: make Nix available. An existing Nix (PATH, then the default profile, then
 * ~/.nix-profile) is used as it is and configured through NIX_CONFIG, leaving the system
 * nix.conf alone; otherwise the installer runs (nix/installer.ts, phase by phase).
 */

export interface InstallOptions {
  /** Facts to use instead of looking at the machine (tests). */
  facts?: InstallFacts;
  /** Download tuning (tests use short delays). */
  fetch?: FetchOptions;
}

export async function install(ctx: JobContext, opts: InstallOptions = {}): Promise<void> {
  const existing = ctx.nix?.nix ?? findNix(process.env, nixHome(process.env, ctx.runner.home));
  const info = existing ? await configureExistingNix(ctx, existing) : await installNix(ctx, opts);
  ctx.setOutputs(nixOutputs(info));
}

/** A Nix that was already there: used as it is, configured through NIX_CONFIG. */
async function configureExistingNix(ctx: JobContext, nixPath: string): Promise<NixInfo> {
  const { log } = ctx;
  const inputs = ctx.inputs.install;
  const info = useNix(ctx, ctx.nix ?? (await new NixCli(nixPath).describe(false)));
  log.info(
    `Using Nix ${info.version} at ${info.nix}${info.daemon ? ' (with a nix-daemon)' : ''}; nothing installed`,
  );
  if (inputs.nixVersion && info.version !== inputs.nixVersion)
    log.warning(
      `nix-version ${inputs.nixVersion} was requested but Nix ${info.version} is already installed; using it.`,
      'Nix already installed',
    );
  const noSandbox = sandboxUnavailable({ isAct: ctx.runner.isAct, container: inContainer() });
  if (noSandbox) log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);
  // Root with no daemon builds through build users (group nixbld by default): without that
  // group (containers, Debian's nix-bin) every build fails, so build as root instead.
  let noBuildUsers = false;
  if (ctx.runner.uid === 0 && !info.daemon) {
    const group = settingValue(await new NixCli(info.nix).settings(), 'build-users-group');
    if (typeof group === 'string' && group !== '' && !groupExists(group)) {
      noBuildUsers = true;
      log.info(
        `build-users-group is ${group}, a group that does not exist here: build-users-group = (builds run as root)`,
      );
    }
  }
  const tokenFile = writeTokenFile(ctx);
  const lines = existingNixLines({ sandboxOff: noSandbox !== undefined, tokenFile, noBuildUsers });
  applyNixConfig(ctx, lines);
  log.info(
    'Nix configuration: exported NIX_CONFIG for this step and later ones; /etc/nix/nix.conf and the user nix.conf are left as they are. Lines added:',
  );
  for (const l of lines) log.info(`  ${l}`);
  if (inputs.extraNixConfig.trim()) log.info('  (then extra-nix-config)');
  if (tokenFile)
    log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from NIX_CONFIG.`);
  return info;
}

/** No Nix here: download, check and run the installer, then put Nix on PATH for this and later steps. */
async function installNix(ctx: JobContext, opts: InstallOptions): Promise<NixInfo> {
  const { log, runner } = ctx;
  const inputs = ctx.inputs.install;
  const installer = await fetchInstaller(
    {
      kind: inputs.nixInstaller,
      url: inputs.installerUrl,
      nixVersion: inputs.nixVersion,
      sha256: inputs.installerSha256,
    },
    log,
    opts.fetch,
  );
  const plan = planInstall(installer.kind, opts.facts ?? (await detectInstallFacts(runner)), log);
  const home = nixHome(process.env, runner.home);
  const tokenFile = writeTokenFile(ctx);
  const confText = freshNixConf({
    mode: plan.mode,
    user: runner.user,
    sandboxOff: plan.noSandbox !== undefined,
    tokenFile,
    extra: inputs.extraNixConfig,
    noBuildUsers: plan.noBuildUsers,
    extendFeatures: plan.extendFeatures,
  });
  await runInstaller(installer, plan, confText, { tempDir: runner.tempDir, user: runner.user, log });
  const where = writeInstalledConf(plan, confText, userNixConfPath(process.env, home));
  log.info(`Nix configuration written to ${where}:`);
  for (const l of confText.trimEnd().split('\n')) log.info(`  ${l}`);
  if (tokenFile)
    log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from that nix.conf.`);

  const profile = profileEnvironment(home, process.env);
  for (const dir of profile.paths) addPath(ctx, dir);
  for (const [k, v] of Object.entries(profile.vars)) exportVar(ctx, k, v);
  log.info(`Added to PATH: ${[...profile.paths].reverse().join(', ')}`);
  log.info(
    `Exported: ${Object.entries(profile.vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  const info = useNix(ctx, await findInstalledNix(profile, plan));
  log.info(`Installed Nix ${info.version} at ${info.nix}`);
  return info;
}
