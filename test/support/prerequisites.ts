import { spawnSync } from 'node:child_process';

/**
 * The tools the integration and reliability suites run, each with the Debian package that has it
 * (scripts/setup.mjs installs them all; `npm test` runs it first). A missing one stops the run with
 * one line naming it and the command that installs it, before any fixture is built.
 */
export const TOOLS: readonly (readonly [command: string, debianPackage: string])[] = [
  ['nix', 'nix-bin'],
  ['git', 'git'],
  ['gcc', 'gcc'],
  ['patchelf', 'patchelf'],
  ['unshare', 'util-linux'],
  ['readelf', 'binutils'],
  ['musl-gcc', 'musl-tools'],
  ['aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu'],
  ['qemu-aarch64-static', 'qemu-user-static'],
  ['zip', 'zip'],
  ['unzip', 'unzip'],
  ['python3', 'python3'],
  ['ssh', 'openssh-client'],
  ['ssh-keygen', 'openssh-client'],
  ['/usr/sbin/sshd', 'openssh-server'],
  ['sudo', 'sudo'],
];

export function missingTools(tools: readonly (readonly [string, string])[] = TOOLS): [string, string][] {
  return tools.filter(
    ([cmd]) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status !== 0,
  ) as [string, string][];
}

/** One line for what is missing, or undefined. */
export function prerequisiteProblem(
  tools: readonly (readonly [string, string])[] = TOOLS,
): string | undefined {
  const missing = missingTools(tools);
  if (missing.length === 0) return undefined;
  const names = missing.map(([c]) => c).join(', ');
  const pkgs = [...new Set(missing.map(([, p]) => p))].join(' ');
  return `nix-lambda tests: ${names} ${missing.length === 1 ? 'is' : 'are'} not installed: run \`sudo apt-get install ${pkgs}\` (or \`npm test\`, which installs every prerequisite).`;
}
