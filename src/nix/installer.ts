import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import { CommandError, run } from '../util/exec.js';
import { isExecutable } from '../util/fs.js';
import { sha256Hex } from '../util/hash.js';
import { fetchUrl, FetchError, type FetchOptions } from '../util/http.js';
import type { Logger } from '../util/log.js';
import { NixCli, type NixInfo } from './cli.js';
import { replaceMarkedBlock } from './config.js';
import { inContainer, sandboxUnavailable, type ProfileEnvironment } from './environment.js';

/**
 * Installing Nix when none is found, in phases (the install stage runs them in order):
 * fetchInstaller downloads the installer (retries, timeouts) and checks its SHA-256 before anything
 * runs; planInstall chooses a daemon or a single-user install for this machine; runInstaller runs
 * it with the configuration; writeInstalledConf writes the user's nix.conf where the installer
 * writes none; findInstalledNix finds the new nix once the profile's folders are on PATH.
 */

export type InstallerKind = 'official' | 'determinate';
export type InstallMode = 'daemon' | 'single-user';

/** Facts about the machine that decide the install mode. */
export interface InstallFacts {
  /** /run/systemd/system exists: systemd is the running init. */
  systemd: boolean;
  /** Root, or `sudo -n true` succeeds. */
  canSudo: boolean;
  isRoot: boolean;
  /** Under nektos/act. */
  isAct: boolean;
  /** /.dockerenv or /run/.containerenv exists. */
  container: boolean;
}

export interface ModeChoice {
  mode: InstallMode;
  reason: string;
}

/**
 * Daemon (multi-user) only where systemd runs, the user can sudo without a password, and we
 * are neither under act nor in a container (GitHub-hosted runners); single-user everywhere
 * else (containers, act, root without systemd, no sudo).
 */
export function chooseInstallMode(f: InstallFacts): ModeChoice {
  if (f.isAct) return { mode: 'single-user', reason: 'running under act: a container with no systemd' };
  if (f.container) return { mode: 'single-user', reason: 'running in a container' };
  if (!f.systemd)
    return {
      mode: 'single-user',
      reason: f.isRoot
        ? 'running as root without systemd'
        : 'systemd is not running (no /run/systemd/system)',
    };
  if (!f.isRoot && !f.canSudo)
    return { mode: 'single-user', reason: 'the user cannot run sudo without a password' };
  return { mode: 'daemon', reason: 'systemd runs and the user can sudo' };
}

export const OFFICIAL_INSTALLER_URL = 'https://nixos.org/nix/install';
export const DETERMINATE_INSTALLER_URL = 'https://install.determinate.systems/nix';

export function defaultInstallerUrl(kind: InstallerKind, nixVersion: string): string {
  if (kind === 'determinate') return DETERMINATE_INSTALLER_URL;
  return nixVersion ? `https://releases.nixos.org/nix/nix-${nixVersion}/install` : OFFICIAL_INSTALLER_URL;
}

export interface Invocation {
  args: string[];
  env: Record<string, string>;
}

/**
 * Arguments and environment of the installer script.
 * official: `--daemon`/`--no-daemon`, `--no-channel-add`, `--nix-extra-conf-file FILE`
 *   (prepended to /etc/nix/nix.conf by the daemon installer), NIX_INSTALLER_YES=1 (no prompts;
 *   works with installers older than `--yes`).
 * determinate: `install` (systemd planner) or `install linux --init none` (no daemon), with
 *   `--no-confirm`; the configuration goes in NIX_INSTALLER_EXTRA_CONF.
 */
export function installerInvocation(
  kind: InstallerKind,
  mode: InstallMode,
  conf: { file: string; text: string },
): Invocation {
  if (kind === 'determinate') {
    return {
      args: ['install', ...(mode === 'single-user' ? ['linux', '--init', 'none'] : []), '--no-confirm'],
      env: { NIX_INSTALLER_NO_CONFIRM: 'true', NIX_INSTALLER_EXTRA_CONF: conf.text },
    };
  }
  return {
    args: [
      mode === 'daemon' ? '--daemon' : '--no-daemon',
      '--no-channel-add',
      '--nix-extra-conf-file',
      conf.file,
    ],
    env: { NIX_INSTALLER_YES: '1' },
  };
}

/** Refuses an installer whose SHA-256 is not the expected one. */
export function checkInstallerSha256(actual: string, expected: string, url: string): void {
  if (expected && actual.toLowerCase() !== expected.toLowerCase())
    throw new ActionError(
      'Installer checksum mismatch',
      `the installer downloaded from ${url} has SHA-256 ${actual}, but input \`installer-sha256\` expects ${expected}. Nothing was run. Check the URL, or update installer-sha256 after reviewing the new installer.`,
    );
}

async function sudoWorks(): Promise<boolean> {
  try {
    const r = await run('sudo', ['-n', 'true'], { allowFailure: true });
    return r.code === 0;
  } catch {
    return false;
  }
}

/** Looks at this machine. `sudo -n true` runs only when its answer matters. */
export async function detectInstallFacts(runner: { uid: number; isAct: boolean }): Promise<InstallFacts> {
  const isRoot = runner.uid === 0;
  const systemd = fs.existsSync('/run/systemd/system');
  const container = inContainer();
  const isAct = runner.isAct;
  const canSudo = isRoot || (systemd && !container && !isAct ? await sudoWorks() : false);
  return { systemd, canSudo, isRoot, isAct, container };
}

/** Downloads the installer; returns its bytes and SHA-256. */
export async function downloadInstaller(
  url: string,
  log: Logger,
  opts: FetchOptions = {},
): Promise<{ body: Buffer; sha256: string }> {
  let res;
  try {
    res = await fetchUrl(url, {
      attempts: 4,
      timeoutMs: 60_000,
      retryDelayMs: 2000,
      onRetry: (n, reason) => {
        log.info(`Download of ${url} failed (${reason}); retrying (attempt ${n + 1})`);
      },
      ...opts,
    });
  } catch (e) {
    throw new ActionError(
      'Installer download failed',
      `${e instanceof FetchError ? e.message : String(e)}. Check the network, or set \`installer-url\`.`,
    );
  }
  if (res.status !== 200)
    throw new ActionError(
      'Installer download failed',
      `GET ${url} answered HTTP ${res.status}${res.status === 404 ? ' (no such installer; check `nix-version` or `installer-url`)' : ''}.`,
    );
  return { body: res.body, sha256: sha256Hex(res.body) };
}

/** The installer the inputs ask for (nix-installer, installer-url, nix-version, installer-sha256). */
export interface InstallerRequest {
  kind: InstallerKind;
  /** installer-url, or '' for the default of kind and nixVersion. */
  url: string;
  nixVersion: string;
  /** installer-sha256 (hex), or '' for no pin. */
  sha256: string;
}

export interface FetchedInstaller {
  kind: InstallerKind;
  url: string;
  /** The script, its SHA-256 checked. */
  body: Buffer;
}

/** Phase 1: downloads the installer and checks its SHA-256; nothing runs before that. */
export async function fetchInstaller(
  req: InstallerRequest,
  log: Logger,
  fetch: FetchOptions = {},
): Promise<FetchedInstaller> {
  const { kind } = req;
  const url = req.url || defaultInstallerUrl(kind, req.nixVersion);
  if (kind === 'determinate' && req.nixVersion)
    log.warning(
      `nix-version ${req.nixVersion} is ignored: the determinate installer installs its own Nix release.`,
      'nix-version ignored',
    );
  log.info(`No Nix found; downloading the ${kind} installer from ${url}`);
  const { body, sha256 } = await downloadInstaller(url, log, fetch);
  log.info(`Installer: ${body.length} bytes, SHA-256 ${sha256}`);
  checkInstallerSha256(sha256, req.sha256, url);
  if (req.sha256) log.info('Installer SHA-256 matches installer-sha256.');
  else log.info('Pin this installer with `installer-sha256` to refuse any other one.');
  return { kind, url, body };
}

/** How Nix is installed on this machine. */
export interface InstallPlan extends ModeChoice {
  kind: InstallerKind;
  facts: InstallFacts;
  /** Why Nix's build sandbox cannot work here (nix.conf then turns it off). */
  noSandbox: string | undefined;
  /** The official single-user install creates no build users: build as the calling user. */
  noBuildUsers: boolean;
  /** Determinate's nix.conf already enables features of its own: add to them. */
  extendFeatures: boolean;
}

/** Phase 2: the install mode for this machine (and the sandbox), said in the log. */
export function planInstall(kind: InstallerKind, facts: InstallFacts, log: Logger): InstallPlan {
  const choice = chooseInstallMode(facts);
  log.info(`Install mode: ${choice.mode} (${choice.reason})`);
  const noSandbox = sandboxUnavailable(facts);
  if (noSandbox) log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);
  return {
    ...choice,
    kind,
    facts,
    noSandbox,
    noBuildUsers: kind === 'official' && choice.mode === 'single-user',
    extendFeatures: kind === 'determinate',
  };
}

/** Phase 3: runs the installer script with the nix.conf text (confText), from a folder under tempDir. */
export async function runInstaller(
  installer: FetchedInstaller,
  plan: InstallPlan,
  confText: string,
  o: { tempDir: string; user: string; log: Logger },
): Promise<void> {
  const { kind } = installer;
  const { facts } = plan;
  const { log } = o;
  const workDir = fs.mkdtempSync(path.join(o.tempDir, 'nix-lambda-install-'));
  try {
    const script = path.join(workDir, 'install');
    fs.writeFileSync(script, installer.body, { mode: 0o700 });
    const confFile = path.join(workDir, 'nix.conf');
    fs.writeFileSync(confFile, confText, { mode: 0o644 });
    const inv = installerInvocation(kind, plan.mode, { file: confFile, text: confText });
    if (kind === 'official' && plan.mode === 'single-user' && facts.isRoot && !fs.existsSync('/nix')) {
      // The single-user installer creates /nix with sudo, which containers often lack; root needs none.
      fs.mkdirSync('/nix', { mode: 0o755 });
      log.info('Created /nix (the single-user installer would ask sudo for it).');
    }
    // The single-user installer needs $USER, which containers may leave unset.
    if (!process.env['USER']) inv.env['USER'] = o.user;
    log.info(`Running the installer: sh install ${inv.args.join(' ')}`);
    await run('/bin/sh', [script, ...inv.args], {
      env: inv.env,
      onLine: (l) => {
        log.info(l);
      },
      streamStdout: true,
      errorTitle: 'Nix installer failed',
      tailLines: 30,
    });
  } catch (e) {
    if (e instanceof CommandError && !facts.isRoot && !facts.canSudo) {
      const hint =
        kind === 'determinate'
          ? 'The determinate installer needs root, and this user cannot sudo: use nix-installer: official, or run the job as root.'
          : `A single-user install needs a /nix the user owns, and this user cannot sudo to create it: create it in an earlier step (as root: mkdir -m 0755 /nix && chown ${o.user} /nix), or run the job where sudo works.`;
      throw new ActionError('Nix installer failed', `${e.message}\n${hint}`, { cause: e });
    }
    throw e;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

/**
 * Phase 4: where the installed Nix reads the configuration: the installers write the system
 * nix.conf; after an official single-user install, this writes the user's (userConf).
 */
export function writeInstalledConf(plan: InstallPlan, confText: string, userConf: string): string {
  if (plan.kind === 'determinate')
    return '/etc/nix/nix.conf (by the determinate installer, from NIX_INSTALLER_EXTRA_CONF)';
  if (plan.mode === 'daemon') return '/etc/nix/nix.conf (by the installer, from --nix-extra-conf-file)';
  fs.mkdirSync(path.dirname(userConf), { recursive: true });
  const before = fs.existsSync(userConf) ? fs.readFileSync(userConf, 'utf8') : '';
  fs.writeFileSync(userConf, replaceMarkedBlock(before, confText));
  return `${userConf} (the user's nix.conf)`;
}

/** Phase 5: the nix the install put in the profile's folders (once they are on PATH). */
export async function findInstalledNix(profile: ProfileEnvironment, plan: InstallPlan): Promise<NixInfo> {
  const found = [...profile.paths]
    .reverse()
    .map((d) => path.join(d, 'nix'))
    .find((p) => isExecutable(p));
  if (!found)
    throw new ActionError(
      'Nix not found after install',
      `the installer finished but there is no nix in ${[...profile.paths].reverse().join(' or ')}.`,
    );
  const info = await new NixCli(found).describe(true);
  info.daemon = plan.mode === 'daemon';
  return info;
}
