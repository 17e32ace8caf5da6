import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PROFILE_BIN } from './locate.js';

/**
 * The machine Nix runs on: whether its build sandbox can work here, and what Nix's profile script
 * (nix-daemon.sh / nix.sh) would set up for steps that never source it.
 */

/** Whether Nix's build sandbox cannot work here (containers and act), with the reason. */
export function sandboxUnavailable(f: { isAct: boolean; container: boolean }): string | undefined {
  if (f.isAct) return 'running under act (a container)';
  if (f.container) return 'running in a container';
  return undefined;
}

/** /.dockerenv or /run/.containerenv: Docker or Podman. */
export function inContainer(exists: (p: string) => boolean = fs.existsSync): boolean {
  return exists('/.dockerenv') || exists('/run/.containerenv');
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
