import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JobContext, NixInfo } from '../context.js';
import { ActionError } from '../util/errors.js';
import { CommandError, run } from '../util/exec.js';
import { sha256Hex } from '../util/hash.js';
import { fetchUrl, FetchError, type FetchOptions } from '../util/http.js';
import { isExecutable } from '../util/fs.js';
import { DEFAULT_PROFILE_BIN, describeNix } from './cli.js';
import {
  addPath,
  exportVar,
  freshNixConf,
  inContainer,
  nixHome,
  replaceMarkedBlock,
  sandboxUnavailable,
  userNixConfPath,
  writeTokenFile,
} from './config.js';

/**
 * Installing Nix when none is found: download the installer (retries, timeouts), check its
 * SHA-256 before running anything, choose a daemon or a single-user install for this machine,
 * run it, then make Nix usable in this and later steps (PATH and the profile's variables).
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

/** CA bundles, in the order nix-profile.sh and install-nix-action look for them. */
export function caBundleCandidates(home: string): string[] {
  return [
    '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, NixOS
    '/etc/ssl/ca-bundle.pem', // openSUSE
    '/etc/ssl/certs/ca-bundle.crt', // old NixOS
    '/etc/pki/tls/certs/ca-bundle.crt', // Fedora, CentOS, Amazon Linux
    `${DEFAULT_PROFILE_BIN.replace(/\/bin$/, '')}/etc/ssl/certs/ca-bundle.crt`,
    path.join(home, '.nix-profile', 'etc', 'ssl', 'certs', 'ca-bundle.crt'),
  ];
}

export interface ProfileEnvironment {
  /** Folders for PATH, in addPath order (the last ends up first on PATH). */
  paths: string[];
  vars: Record<string, string>;
}

/** What the profile script (nix-daemon.sh / nix.sh) would set, for steps that never source it. */
export function profileEnvironment(
  home: string,
  env: NodeJS.ProcessEnv,
  exists: (p: string) => boolean = fs.existsSync,
): ProfileEnvironment {
  const userProfile = path.join(home, '.nix-profile');
  const vars: Record<string, string> = {
    NIX_PROFILES: `${DEFAULT_PROFILE_BIN.replace(/\/bin$/, '')} ${userProfile}`,
  };
  const current = env['NIX_SSL_CERT_FILE'];
  if (!(current && exists(current))) {
    const bundle = caBundleCandidates(home).find((p) => exists(p));
    if (bundle) vars['NIX_SSL_CERT_FILE'] = bundle;
  }
  return { paths: [DEFAULT_PROFILE_BIN, path.join(userProfile, 'bin')], vars };
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
export async function detectInstallFacts(ctx: JobContext): Promise<InstallFacts> {
  const isRoot = ctx.runner.uid === 0;
  const systemd = fs.existsSync('/run/systemd/system');
  const container = inContainer();
  const isAct = ctx.runner.isAct;
  const canSudo = isRoot || (systemd && !container && !isAct ? await sudoWorks() : false);
  return { systemd, canSudo, isRoot, isAct, container };
}

export interface InstallOptions {
  /** Facts to use instead of looking at the machine (tests). */
  facts?: InstallFacts;
  /** Download tuning (tests use short delays). */
  fetch?: FetchOptions;
}

/** Downloads the installer; returns its bytes and SHA-256. */
export async function downloadInstaller(
  ctx: JobContext,
  url: string,
  opts: FetchOptions = {},
): Promise<{ body: Buffer; sha256: string }> {
  let res;
  try {
    res = await fetchUrl(url, {
      attempts: 4,
      timeoutMs: 60_000,
      retryDelayMs: 2000,
      onRetry: (n, reason) => {
        ctx.log.info(`Download of ${url} failed (${reason}); retrying (attempt ${n + 1})`);
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

/** Downloads, checks and runs the installer; returns the installed Nix. */
export async function installNix(ctx: JobContext, opts: InstallOptions = {}): Promise<NixInfo> {
  const { inputs, log } = ctx;
  const kind = inputs.nixInstaller;
  const url = inputs.installerUrl || defaultInstallerUrl(kind, inputs.nixVersion);
  if (kind === 'determinate' && inputs.nixVersion)
    log.warning(
      `nix-version ${inputs.nixVersion} is ignored: the determinate installer installs its own Nix release.`,
      'nix-version ignored',
    );

  log.info(`No Nix found; downloading the ${kind} installer from ${url}`);
  const { body, sha256 } = await downloadInstaller(ctx, url, opts.fetch);
  log.info(`Installer: ${body.length} bytes, SHA-256 ${sha256}`);
  checkInstallerSha256(sha256, inputs.installerSha256, url);
  if (inputs.installerSha256) log.info('Installer SHA-256 matches installer-sha256.');
  else log.info('Pin this installer with `installer-sha256` to refuse any other one.');

  const facts = opts.facts ?? (await detectInstallFacts(ctx));
  const choice = chooseInstallMode(facts);
  log.info(`Install mode: ${choice.mode} (${choice.reason})`);
  const noSandbox = sandboxUnavailable(facts);
  if (noSandbox) log.info(`Nix's build sandbox cannot work here (${noSandbox}): sandbox = false`);

  const home = nixHome(ctx);
  const workDir = fs.mkdtempSync(path.join(ctx.runner.tempDir, 'nix-lambda-install-'));
  const script = path.join(workDir, 'install');
  fs.writeFileSync(script, body, { mode: 0o700 });
  const tokenFile = writeTokenFile(ctx);
  const confText = freshNixConf({
    mode: choice.mode,
    user: ctx.runner.user,
    sandboxOff: noSandbox !== undefined,
    tokenFile,
    extra: inputs.extraNixConfig,
    noBuildUsers: kind === 'official' && choice.mode === 'single-user',
    extendFeatures: kind === 'determinate',
  });
  const confFile = path.join(workDir, 'nix.conf');
  fs.writeFileSync(confFile, confText, { mode: 0o644 });
  const inv = installerInvocation(kind, choice.mode, { file: confFile, text: confText });

  if (kind === 'official' && choice.mode === 'single-user' && facts.isRoot && !fs.existsSync('/nix')) {
    // The single-user installer creates /nix with sudo, which containers often lack; root needs none.
    fs.mkdirSync('/nix', { mode: 0o755 });
    log.info('Created /nix (the single-user installer would ask sudo for it).');
  }
  // The single-user installer needs $USER, which containers may leave unset.
  if (!process.env['USER']) inv.env['USER'] = ctx.runner.user;
  log.info(`Running the installer: sh install ${inv.args.join(' ')}`);
  try {
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
          : `A single-user install needs a /nix the user owns, and this user cannot sudo to create it: create it in an earlier step (as root: mkdir -m 0755 /nix && chown ${ctx.runner.user} /nix), or run the job where sudo works.`;
      throw new ActionError('Nix installer failed', `${e.message}\n${hint}`, { cause: e });
    }
    throw e;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  let where: string;
  if (kind === 'determinate')
    where = '/etc/nix/nix.conf (by the determinate installer, from NIX_INSTALLER_EXTRA_CONF)';
  else if (choice.mode === 'daemon')
    where = '/etc/nix/nix.conf (by the installer, from --nix-extra-conf-file)';
  else {
    // The single-user installer does not write nix.conf: write the user's configuration.
    const userConf = userNixConfPath(process.env, home);
    fs.mkdirSync(path.dirname(userConf), { recursive: true });
    const before = fs.existsSync(userConf) ? fs.readFileSync(userConf, 'utf8') : '';
    fs.writeFileSync(userConf, replaceMarkedBlock(before, confText));
    where = `${userConf} (the user's nix.conf)`;
  }
  log.info(`Nix configuration written to ${where}:`);
  for (const l of confText.trimEnd().split('\n')) log.info(`  ${l}`);
  if (tokenFile)
    log.info(`The github.com access token is in ${tokenFile} (mode 0600), included from that nix.conf.`);

  const pe = profileEnvironment(home, process.env);
  for (const dir of pe.paths) addPath(ctx, dir);
  for (const [k, v] of Object.entries(pe.vars)) exportVar(ctx, k, v);
  log.info(`Added to PATH: ${[...pe.paths].reverse().join(', ')}`);
  log.info(
    `Exported: ${Object.entries(pe.vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );

  const found = [...pe.paths]
    .reverse()
    .map((d) => path.join(d, 'nix'))
    .find((p) => isExecutable(p));
  if (!found)
    throw new ActionError(
      'Nix not found after install',
      `the installer finished but there is no nix in ${[...pe.paths].reverse().join(' or ')}.`,
    );
  const info = await describeNix(found, true);
  info.daemon = choice.mode === 'daemon';
  return info;
}
