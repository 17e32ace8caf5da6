import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  looksLikePrivateKey,
  parseBuilders,
  parseKnownHosts,
  type ParsedBuilders,
  type KnownHost,
} from '../nix/builders.js';
import type { InputSource } from './read.js';

/** The build stage's inputs. */
export interface BuildInputs {
  /** The flake reference as written. */
  flake: string;
  /** The installable handed to `nix build`: path flakes made absolute. */
  installable: string;
  /** Folder of a path flake (where flake.lock lives), when the flake is local. */
  flakeDir: string | undefined;
  /** The program inside the output (normalised), or '' for the default rules. */
  program: string;
  /** Remote builders (Nix's distributed builds); undefined when the input builders is empty. */
  builders: RemoteBuilders | undefined;
}

/** The inputs builders, builder-ssh-key (a secret) and builder-known-hosts. */
export interface RemoteBuilders {
  parsed: ParsedBuilders;
  /** The private key, normalised (LF line ends, one final newline); '' when not given. */
  sshKey: string;
  /** builder-known-hosts as written (LF line ends), and its lines parsed. */
  knownHostsText: string;
  knownHosts: KnownHost[];
}

/** checkDisk: look for the flake.nix of a path flake (when the build stage runs: other jobs have no checkout). */
export function parseBuildInputs(
  src: InputSource,
  workspace: string,
  o: { checkDisk: boolean } = { checkDisk: true },
): BuildInputs {
  const flake = src.get('flake');
  const { installable, flakeDir } = resolveFlake(flake, workspace, src, o.checkDisk);
  const program = src.get('program');
  if (program) {
    const norm = path.posix.normalize(program);
    if (program.startsWith('/') || norm === '..' || norm.startsWith('../'))
      src.bad('program', `"${program}" must be a path inside the build output, such as bin/bootstrap.`);
  }
  const builders = parseRemoteBuilders(src);
  return { flake, installable, flakeDir, program: program ? path.posix.normalize(program) : '', builders };
}

/** builders, builder-ssh-key and builder-known-hosts; the key's text never appears in a problem. */
function parseRemoteBuilders(src: InputSource): RemoteBuilders | undefined {
  const text = src.get('builders');
  const sshKey = src.raw('builder-ssh-key').replace(/\r\n/g, '\n').trim();
  const knownHostsText = src.raw('builder-known-hosts').replace(/\r\n/g, '\n').trim();
  if (text === '') {
    for (const name of ['builder-ssh-key', 'builder-known-hosts'] as const)
      if ((name === 'builder-ssh-key' ? sshKey : knownHostsText) !== '')
        src.bad(name, "needs `builders`: the remote builders (Nix's builders string) it is for.");
    return undefined;
  }
  const parsed = parseBuilders(text);
  for (const p of parsed.problems) src.bad('builders', p);
  if (/PRIVATE KEY/.test(text))
    src.bad(
      'builders',
      'holds a private key: give the key in `builder-ssh-key` (from a secret), never in builders.',
    );
  if (sshKey !== '' && !looksLikePrivateKey(sshKey))
    src.bad(
      'builder-ssh-key',
      'is not an SSH private key (-----BEGIN OPENSSH PRIVATE KEY----- ... -----END OPENSSH PRIVATE KEY-----); pass the whole key from a secret.',
    );
  const known = parseKnownHosts(knownHostsText);
  for (const p of known.problems) src.bad('builder-known-hosts', p);
  return {
    parsed,
    sshKey: sshKey === '' ? '' : `${sshKey}\n`,
    knownHostsText: knownHostsText === '' ? '' : `${knownHostsText}\n`,
    knownHosts: known.hosts,
  };
}

/** The installable of a flake reference: a path flake resolved against the workspace (it must hold a flake.nix). */
function resolveFlake(
  flake: string,
  workspace: string,
  src: InputSource,
  checkDisk: boolean,
): { installable: string; flakeDir: string | undefined } {
  const none = { installable: flake, flakeDir: undefined };
  if (flake === '') {
    src.bad('flake', 'empty; give a flake reference such as `.` or `.#my-function`.');
    return none;
  }
  if (/\s/.test(flake)) {
    src.bad('flake', `"${flake}" contains whitespace; give one flake reference such as \`.#my-function\`.`);
    return none;
  }
  const hash = flake.indexOf('#');
  const ref = hash < 0 ? flake : flake.slice(0, hash);
  const attr = hash < 0 ? '' : flake.slice(hash + 1);
  if (hash >= 0 && !/^[A-Za-z0-9_'"."-]+$/.test(attr))
    src.bad(
      'flake',
      `"${flake}": the attribute after # is empty or malformed; write e.g. \`.#packages.x86_64-linux.default\`.`,
    );
  const isPath =
    ref === '' || ref.startsWith('.') || ref.startsWith('/') || ref.startsWith('path:') || !ref.includes(':');
  if (!isPath) {
    if (!/^[a-z][a-z0-9+-]*:\S+$/.test(ref))
      src.bad(
        'flake',
        `"${flake}" is not a flake reference; examples: \`.\`, \`.#app\`, \`github:owner/repo#app\`.`,
      );
    return none;
  }
  const p = ref.startsWith('path:') ? ref.slice(5).split('?')[0]! : ref === '' ? '.' : ref.split('?')[0]!;
  const dir = path.resolve(workspace, p);
  if (checkDisk && !fs.existsSync(path.join(dir, 'flake.nix'))) {
    src.bad(
      'flake',
      `no flake.nix in ${dir} (from "${flake}", resolved against ${workspace}); check out the repository first (actions/checkout) or fix the path.`,
    );
    return none;
  }
  const query = ref.includes('?') ? ref.slice(ref.indexOf('?')) : '';
  return {
    installable: `${ref.startsWith('path:') ? 'path:' : ''}${dir}${query}${hash < 0 ? '' : `#${attr}`}`,
    flakeDir: dir,
  };
}
