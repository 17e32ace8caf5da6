import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs a deployment zip the way Lambda (provided.al2023 / provided.al2) runs it, in a throw-away root:
 *
 *   /var/task      the zip, unpacked with `unzip` (modes kept); the working directory
 *   /lib64, /usr/lib64
 *                  decoys: a library under every soname found in the bundle plus libc.so.6, libm.so.6,
 *                  libz.so.1, libcurl.so.4 and the loader, standing in for Amazon Linux's own, older
 *                  copies. A decoy defines no symbols but one version node, so a reference to it fails
 *                  with "version `X' not found"; an unversioned one hits its constructor, which prints
 *                  "lambda-root: loaded the incompatible library NAME ..." and exits 127. A decoy
 *                  loader (as PT_INTERP) prints the same and exits 127.
 *   /opt           a layer's zip, unpacked there as Lambda extracts layers (layerZip; empty otherwise)
 *   /tmp (1777), /proc (mounted), /dev (null, zero, random, urandom when mknod is allowed), /etc (empty)
 *
 * and `unshare --mount --pid --fork --mount-proc=/proc --root=ROOT --wd=/var/task /var/task/bootstrap`
 * as Lambda's sandbox user (uid 993, gid 990: every file must be world-readable) with Lambda's
 * environment only (LD_LIBRARY_PATH puts /lib64 before /var/task/lib). There is no /nix in the root:
 * a bootstrap whose loader or libraries still point into /nix/store fails, and so does a bundle whose
 * libraries keep store RUNPATHs and rely on LD_LIBRARY_PATH's order.
 */

const run = promisify(execFile);

export type LambdaArch = 'x86_64' | 'arm64';

export const LAMBDA_LD_LIBRARY_PATH =
  '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';
export const LAMBDA_PATH = '/usr/local/bin:/usr/bin/:/bin:/opt/bin';
/** Lambda's sandbox user (sbx_user1051) and group. */
export const LAMBDA_UID = 993;
export const LAMBDA_GID = 990;

/** The environment Lambda gives a provided.al2023 bootstrap (minus credentials and the Runtime API). */
export const LAMBDA_ENV: Readonly<Record<string, string>> = {
  LD_LIBRARY_PATH: LAMBDA_LD_LIBRARY_PATH,
  PATH: LAMBDA_PATH,
  LAMBDA_TASK_ROOT: '/var/task',
  LAMBDA_RUNTIME_DIR: '/var/runtime',
  LANG: 'en_US.UTF-8',
  TZ: ':UTC',
  _HANDLER: 'bootstrap',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'test-function',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
};

/** Sonames that always get a decoy, whatever the bundle holds. */
export const ALWAYS_DECOYED = ['libc.so.6', 'libm.so.6', 'libz.so.1', 'libcurl.so.4'];
const LOADER: Record<LambdaArch, string> = {
  x86_64: 'ld-linux-x86-64.so.2',
  arm64: 'ld-linux-aarch64.so.1',
};
const CC: Record<LambdaArch, string> = { x86_64: 'gcc', arm64: 'aarch64-linux-gnu-gcc' };
const QEMU = '/usr/bin/qemu-aarch64-static';

export interface LambdaRootOptions {
  /** Arguments after /var/task/bootstrap. */
  args?: string[];
  /** Added to (or, with undefined, removed from) LAMBDA_ENV, e.g. AWS_LAMBDA_RUNTIME_API. */
  env?: Record<string, string | undefined>;
  /** Kill the whole process tree after this long (default 30 s). */
  timeoutMs?: number;
  /** arm64: decoys built for aarch64, bootstrap run through qemu-aarch64-static copied into the root. */
  arch?: LambdaArch;
  /** Keep the root directory afterwards (for debugging); it is deleted otherwise. */
  keepRoot?: boolean;
  /** Put decoy libraries in /lib64 and /usr/lib64 (default true). false: an empty, friendly root. */
  decoys?: boolean;
  /** 'sandbox' (default): uid 993 / gid 990 like Lambda. 'root': uid 0 in the root. */
  user?: 'sandbox' | 'root';
  /** Abort: kill the process tree (for a bootstrap that serves events forever). */
  signal?: AbortSignal;
  /** A layer's zip, unpacked at /opt (a library layer: its libraries at /opt/lib get decoys too). */
  layerZip?: string;
}

export interface LambdaRootResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The root directory (already deleted unless keepRoot). */
  root: string;
  /** Killed because timeoutMs passed. */
  timedOut: boolean;
  /** Killed because opts.signal aborted. */
  aborted: boolean;
}

const DECOY_C = String.raw`/* lambda-root decoy: a soname of Amazon Linux's /lib64, none of its symbols. */
#if defined(__x86_64__)
#define SYS_WRITE 1
#define SYS_EXIT_GROUP 231
#elif defined(__aarch64__)
#define SYS_WRITE 64
#define SYS_EXIT_GROUP 94
#else
#error unsupported architecture
#endif
static const char msg[] = "lambda-root: loaded the incompatible library " SONAME
  " from /lib64 or /usr/lib64 (a decoy for Amazon Linux's own copy): the bundle does not resolve it inside /var/task\n";
static long sys3(long n, long a, long b, long c) {
#if defined(__x86_64__)
  long r;
  __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
  return r;
#else
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
  return x0;
#endif
}
__attribute__((constructor)) static void lambda_root_decoy_init(void) {
  sys3(SYS_WRITE, 2, (long)msg, sizeof msg - 1);
  sys3(SYS_EXIT_GROUP, 127, 0, 0);
  for (;;) {}
}
void lambda_root_decoy_entry(void) { lambda_root_decoy_init(); }
`;
const DECOY_MAP = 'LAMBDA_ROOT_DECOY { global: lambda_root_decoy_entry; local: *; };\n';

/** Compiled decoys, kept between runs beside the project's other caches (node_modules/.cache). */
function decoyDir(arch: LambdaArch): string {
  const hash = createHash('sha256').update(DECOY_C).update(DECOY_MAP).digest('hex').slice(0, 12);
  return path.resolve(
    import.meta.dirname,
    '..',
    '..',
    'node_modules',
    '.cache',
    'nix-lambda',
    'lambda-root-decoys',
    `${arch}-${hash}`,
  );
}

/** Writes a file atomically (other processes may be reading the same cache). */
function writeAtomic(file: string, data: string): void {
  if (fs.existsSync(file)) return;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Compiles (once per machine, cached in the temp dir) the decoy for one soname. */
async function decoy(arch: LambdaArch, soname: string): Promise<string> {
  if (!/^[\w.+-]+$/.test(soname)) throw new Error(`unexpected library name ${JSON.stringify(soname)}`);
  const dir = decoyDir(arch);
  const out = path.join(dir, soname);
  if (fs.existsSync(out)) return out;
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'decoy.c');
  const map = path.join(dir, 'decoy.map');
  writeAtomic(src, DECOY_C);
  writeAtomic(map, DECOY_MAP);
  const tmp = `${out}.${process.pid}.${randomBytes(4).toString('hex')}`;
  // execFile passes no shell: the quotes reach gcc, so SONAME is a C string literal.
  await run(CC[arch], [
    '-shared',
    '-fPIC',
    '-nostdlib',
    '-O1',
    '-fno-stack-protector',
    '-fno-asynchronous-unwind-tables',
    `-DSONAME="${soname}"`,
    `-Wl,-soname,${soname}`,
    '-Wl,-e,lambda_root_decoy_entry',
    `-Wl,--version-script=${map}`,
    '-o',
    tmp,
    src,
  ]);
  fs.renameSync(tmp, out);
  return out;
}

/** Every file name under dir that looks like a shared library or a loader. */
function bundledSonames(dir: string): string[] {
  const names = new Set<string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if ((e.isFile() || e.isSymbolicLink()) && /\.so(\.[\w.]+)?$/.test(e.name)) names.add(e.name);
  }
  return [...names];
}

/** Best-effort character devices (Lambda has them; tests must not depend on them). */
async function makeDevices(dev: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const nodes: [string, number, number][] = [
    ['null', 1, 3],
    ['zero', 1, 5],
    ['random', 1, 8],
    ['urandom', 1, 9],
  ];
  for (const [name, major, minor] of nodes) {
    try {
      await run('mknod', ['-m', '666', path.join(dev, name), 'c', String(major), String(minor)]);
    } catch {
      return; // not allowed here (a container without CAP_MKNOD): keep /dev empty
    }
  }
}

/** Builds the root (see the file comment) and returns its path; runInLambdaRoot uses it. */
export async function makeLambdaRoot(
  zipPath: string,
  opts: { arch?: LambdaArch; decoys?: boolean; layerZip?: string } = {},
): Promise<string> {
  const arch = opts.arch ?? 'x86_64';
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'lambda-root-'));
  fs.chmodSync(root, 0o755); // mkdtemp makes it 0700: the sandbox user must traverse /
  for (const d of ['var/task', 'opt', 'tmp', 'proc', 'dev', 'etc', 'lib64', 'usr/lib64', 'usr/bin']) {
    fs.mkdirSync(path.join(root, d), { recursive: true, mode: 0o755 });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  const task = path.join(root, 'var', 'task');
  const opt = path.join(root, 'opt');
  for (const [zip, dest] of [[zipPath, task], ...(opts.layerZip ? [[opts.layerZip, opt]] : [])] as const) {
    try {
      await run('unzip', ['-q', path.resolve(zip), '-d', dest]);
    } catch (e) {
      const err = e as Error & { stderr?: string };
      throw new Error(`unzip ${zip} failed: ${err.message}\n${err.stderr ?? ''}`);
    }
  }
  if (opts.decoys ?? true) {
    const names = new Set([...bundledSonames(task), ...bundledSonames(opt), ...ALWAYS_DECOYED, LOADER[arch]]);
    for (const name of names) {
      const file = await decoy(arch, name);
      for (const d of ['lib64', 'usr/lib64']) {
        const dest = path.join(root, d, name);
        fs.copyFileSync(file, dest);
        fs.chmodSync(dest, 0o755);
      }
    }
  }
  await makeDevices(path.join(root, 'dev'));
  if (arch === 'arm64') {
    const dest = path.join(root, QEMU);
    fs.copyFileSync(QEMU, dest);
    fs.chmodSync(dest, 0o755);
  }
  return root;
}

function removeRoot(root: string): void {
  try {
    fs.rmSync(root, { recursive: true, force: true });
  } catch {
    // read-only directories from the zip (when not running as root)
    fs.chmodSync(root, 0o755);
    execFile('chmod', ['-R', 'u+w', root], () => {
      fs.rmSync(root, { recursive: true, force: true });
    });
  }
}

/** Runs /var/task/bootstrap of the zip in a fresh Lambda-like root (see the file comment). */
export async function runInLambdaRoot(
  zipPath: string,
  opts: LambdaRootOptions = {},
): Promise<LambdaRootResult> {
  const arch = opts.arch ?? 'x86_64';
  const root = await makeLambdaRoot(zipPath, {
    arch,
    ...(opts.decoys !== undefined ? { decoys: opts.decoys } : {}),
    ...(opts.layerZip !== undefined ? { layerZip: opts.layerZip } : {}),
  });
  const merged: Record<string, string | undefined> = { ...LAMBDA_ENV, ...opts.env };
  const env = Object.fromEntries(
    Object.entries(merged).filter((e): e is [string, string] => e[1] !== undefined),
  );
  const asRoot = process.getuid?.() === 0;
  const argv = ['--mount', '--pid', '--fork', '--kill-child', '--mount-proc=/proc'];
  // Without root, a user namespace gives the capabilities (uid 0 inside it; no sandbox uid).
  if (!asRoot) argv.push('--user', '--map-root-user');
  argv.push(`--root=${root}`, '--wd=/var/task');
  if (asRoot && (opts.user ?? 'sandbox') === 'sandbox') {
    argv.push(`--setgid=${LAMBDA_GID}`, `--setuid=${LAMBDA_UID}`);
  }
  if (arch === 'arm64') argv.push(QEMU);
  argv.push('/var/task/bootstrap', ...(opts.args ?? []));

  const child = spawn('unshare', argv, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  let timedOut = false;
  let aborted = false;
  const killTree = (): void => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); // the process group
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, opts.timeoutMs ?? 30_000);
  const onAbort = (): void => {
    aborted = true;
    killTree();
  };
  if (opts.signal?.aborted) onAbort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (c, s) => {
        resolve([c, s]);
      });
    });
    return {
      code,
      signal,
      stdout: Buffer.concat(out).toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      root,
      timedOut,
      aborted,
    };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    if (!opts.keepRoot) removeRoot(root);
  }
}
