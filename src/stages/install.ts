import type { JobContext } from '../context.js';
import { installNix, type InstallOptions } from '../nix/installer.js';
import { describeNix, findNix } from '../nix/cli.js';
import {
  applyNixConfig,
  existingNixLines,
  groupExists,
  inContainer,
  nixHome,
  readNixSettings,
  sandboxUnavailable,
  settingValue,
  writeTokenFile,
} from '../nix/config.js';

/**
 * Stage 1: make Nix available. An existing Nix (PATH, then the default profile, then
 * ~/.nix-profile) is used as it is and configured through NIX_CONFIG, leaving the system
 * nix.conf alone; otherwise the installer runs (installer.ts).
 */
export async function install(ctx: JobContext, opts: InstallOptions = {}): Promise<void> {
  const { log, inputs } = ctx;
  const existing = ctx.nix?.nix ?? findNix(process.env, nixHome(ctx));
  if (existing) {
    const info = ctx.nix ?? (await describeNix(existing, false));
    ctx.nix = info;
    ctx.post.nix = info.nix;
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
      const group = settingValue(await readNixSettings(info.nix), 'build-users-group');
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
  } else {
    const info = await installNix(ctx, opts);
    ctx.nix = info;
    ctx.post.nix = info.nix;
    log.info(`Installed Nix ${info.version} at ${info.nix}`);
  }
  ctx.setOutput('nix-version', ctx.nix.version);
}
