import type { InstallerKind } from '../nix/installer.js';
import type { InputSource } from './read.js';

/** The install stage's inputs (and the Nix configuration every stage adds to). */
export interface InstallInputs {
  nixInstaller: InstallerKind;
  /** installer-url, or '' for the default of the installer and the version. */
  installerUrl: string;
  /** installer-sha256, lower-case hex, or '' for no pin. */
  installerSha256: string;
  nixVersion: string;
  /** github-token, else GITHUB_TOKEN: Nix gets it for github: fetches (in a 0600 file). */
  githubToken: string;
  /** extra-nix-config as written (untrimmed): added last to every nix.conf and NIX_CONFIG. */
  extraNixConfig: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function parseInstallInputs(src: InputSource, env: NodeJS.ProcessEnv): InstallInputs {
  const nixInstaller = src.oneOf('nix-installer', ['official', 'determinate'] as const);
  const installerUrl = src.get('installer-url');
  if (installerUrl && !/^(https?|file):\/\/\S+$/.test(installerUrl))
    src.bad('installer-url', `"${installerUrl}" is not an http(s):// or file:// URL.`);
  const installerSha256 = src.get('installer-sha256').toLowerCase();
  if (installerSha256 && !SHA256_HEX.test(installerSha256))
    src.bad('installer-sha256', 'expected 64 hexadecimal digits (the output of `sha256sum`).');
  const nixVersion = src.get('nix-version');
  if (nixVersion && !/^\d+\.\d+(\.\d+)?$/.test(nixVersion))
    src.bad('nix-version', `expected a version such as 2.24.9, got "${nixVersion}".`);
  return {
    nixInstaller,
    installerUrl,
    installerSha256,
    nixVersion,
    githubToken: src.get('github-token') || env['GITHUB_TOKEN'] || '',
    extraNixConfig: src.raw('extra-nix-config'),
  };
}
