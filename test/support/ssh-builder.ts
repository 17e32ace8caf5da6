import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A remote Nix builder on loopback: Debian's OpenSSH server on 127.0.0.1 (a free high port) in its
 * own mount namespace, where /nix is bind-mounted from a folder holding a second, empty store and
 * Nix reads its own nix.conf (NIX_CONF_DIR, set by sshd for every session: no sandbox, no build
 * users, no substituters). So `nix-store --serve --write`, which Nix runs on a builder through
 * ssh, builds in that store: the builder's side can be read in its folder. stop() kills sshd and
 * everything in its process group, waits for the namespace to go, and removes the folder.
 */

export interface SshBuilder {
  port: number;
  /** The folder whose nix/ is the builder's /nix. */
  dir: string;
  /** The client's private key (authorized on the builder). */
  clientKey: string;
  /** A known_hosts line for the builder: `[127.0.0.1]:PORT ssh-ed25519 AAAA...`. */
  knownHosts: string;
  /** The inode of the builder's mount namespace (to check that it is gone). */
  mountNamespace: string;
  /** The builder's store path for a store path, on the host. */
  storeFile(storePath: string): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => {
        resolve(port);
      });
    });
  });
}

/** Processes whose mount namespace is ns ("mnt:[INODE]"). */
export function processesInNamespace(ns: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/ns/mnt`) === ns) out.push(Number(pid));
    } catch {
      // gone
    }
  }
  return out;
}

/** The first process whose parent is pid (from /proc/PID/stat). */
function childOf(pid: number): number {
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) return Number(p);
    } catch {
      // gone
    }
  }
  throw new Error(`no child of ${pid}`);
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function startSshBuilder(): Promise<SshBuilder> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssh-builder-'));
  fs.chmodSync(dir, 0o755);
  for (const d of ['nix', 'etc-nix']) fs.mkdirSync(path.join(dir, d));
  fs.writeFileSync(
    path.join(dir, 'etc-nix', 'nix.conf'),
    'experimental-features = nix-command flakes\nsandbox = false\nbuild-users-group =\nsubstituters =\n',
  );
  for (const k of ['host_key', 'client_key'])
    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      `nix-lambda-test-${k}`,
      '-f',
      path.join(dir, k),
    ]);
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PidFile none',
      `SetEnv NIX_CONF_DIR=${path.join(dir, 'etc-nix')}`,
      '',
    ].join('\n'),
  );
  const script = `mount --bind ${dir}/nix /nix && mount -t tmpfs tmpfs /run && mkdir -m 755 /run/sshd && exec /usr/sbin/sshd -D -e -f ${config}`;
  const child: ChildProcess = spawn(
    'unshare',
    ['--mount', '--propagation', 'private', '--fork', '--kill-child', 'sh', '-c', script],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) =>
    child.on('close', () => {
      resolve();
    }),
  );
  await waitFor(() => stderr.includes('Server listening') || child.exitCode !== null, 10_000, 'sshd');
  if (!stderr.includes('Server listening')) throw new Error(`sshd did not start:\n${stderr}`);
  // sshd is unshare's child (sh exec'd it): its mount namespace is the builder's.
  const sshdPid = childOf(child.pid!);
  const mountNamespace = fs.readlinkSync(`/proc/${sshdPid}/ns/mnt`);
  const hostKey = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  return {
    port,
    dir,
    clientKey: fs.readFileSync(path.join(dir, 'client_key'), 'utf8'),
    knownHosts: `[127.0.0.1]:${port} ${hostKey}`,
    mountNamespace,
    storeFile: (p) => path.join(dir, p),
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
      await exited;
      await waitFor(() => processesInNamespace(mountNamespace).length === 0, 10_000, 'the namespace to go');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
