import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';

/**
 * Real Nix builds of the fixture flakes in test/fixtures/flakes (see NIX-OFFLINE.md: sandbox off,
 * no substituters, flakes with no inputs whose derivations copy host libraries into the store).
 */

const run = promisify(execFile);

export const FLAKES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'flakes');

export const FIXTURE_NAMES = [
  'small',
  'deep',
  'static',
  'aarch64',
  'wrapper',
  'multi',
  'single',
  'certs',
  // the shapes of real nixpkgs outputs (shapes.nix)
  'symlinked',
  'symlinked-aarch64',
  'dlopen',
  'dlopen-aarch64',
  'baked',
  'musl',
  'include',
  // programs that fail the local smoke test (shapes.nix, smoke)
  'smoke',
] as const;

/**
 * Fixtures that live elsewhere: `deep` (a C runtime on libcurl whose dependencies only libcurl's
 * store RUNPATH reaches) is the README's offline example itself, so the tests run what users run.
 */
const FIXTURE_SOURCES: Record<string, string> = {
  deep: path.resolve(import.meta.dirname, '..', '..', 'examples', 'offline'),
};
export type FixtureName = (typeof FIXTURE_NAMES)[number];

export interface BuiltFixture {
  /** The flake directory (inside a throw-away git repository): `nix build <dir>#default` builds it. */
  dir: string;
  /** The default package's output path in /nix/store. */
  outPath: string;
  drvPath: string;
}

export type Fixtures = Record<FixtureName, BuiltFixture>;

export const NIX_CONFIG_LINES = [
  'experimental-features = nix-command flakes',
  'sandbox = false',
  'build-users-group =',
  'substituters =',
  'warn-dirty = false',
];

/** process.env plus a NIX_CONFIG for offline builds as root with no sandbox and no substituter. */
export function nixEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // Lines of an inherited NIX_CONFIG come first; ours, later, win.
  env['NIX_CONFIG'] = [env['NIX_CONFIG'] ?? '', ...NIX_CONFIG_LINES].filter(Boolean).join('\n');
  return env;
}

/** Runs a command with nixEnv(); rejects with its stderr on failure. */
async function runNix(cmd: string, args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { env: nixEnv(), cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`);
  }
}

const preparedRepos: string[] = [];
const builds = new Map<string, Promise<BuiltFixture>>();

/**
 * Removes the throw-away repositories prepareFlake made in this process (the store paths stay).
 * global-setup.ts calls it on teardown; a test file that built fixtures itself calls it in afterAll.
 * It also runs on a normal process exit (vitest workers are not given one).
 */
export function cleanupPreparedFlakes(): void {
  for (const repo of preparedRepos.splice(0)) fs.rmSync(repo, { recursive: true, force: true });
  builds.clear();
}
process.once('exit', cleanupPreparedFlakes);

/**
 * Copies test/fixtures/flakes/<name>, the shared top-level files (lib.nix, shapes.nix, hello.c) and
 * the shapes/ sources into a fresh
 * temp dir laid out as in the source tree, makes that dir a git repository with every file added
 * (no commit), and returns the flake's own directory `<tmp>/<name>`. Nix treats it as
 * `git+file://<tmp>?dir=<name>`, which is what lets the flake import `../lib.nix`.
 * cleanupPreparedFlakes() removes the temp dir.
 */
export async function prepareFlake(name: string): Promise<string> {
  const src = FIXTURE_SOURCES[name] ?? path.join(FLAKES_DIR, name);
  if (!fs.existsSync(path.join(src, 'flake.nix'))) throw new Error(`no fixture flake ${src}/flake.nix`);
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), `nix-fixture-${name}-`));
  preparedRepos.push(repo);
  for (const entry of fs.readdirSync(FLAKES_DIR, { withFileTypes: true })) {
    if (entry.isFile()) fs.copyFileSync(path.join(FLAKES_DIR, entry.name), path.join(repo, entry.name));
  }
  // Sources shared by the shape fixtures (shapes.nix).
  fs.cpSync(path.join(FLAKES_DIR, 'shapes'), path.join(repo, 'shapes'), { recursive: true });
  fs.cpSync(src, path.join(repo, name), { recursive: true });
  await run('git', ['-c', 'init.defaultBranch=main', 'init', '-q', repo]);
  await run('git', ['add', '-A'], { cwd: repo });
  return path.join(repo, name);
}

interface NixBuildJson {
  drvPath: string;
  outputs: Record<string, string>;
}

/** `nix build <dir>#default --json --no-link`, for an already prepared flake dir. */
export async function nixBuild(dir: string, attr = 'default'): Promise<{ outPath: string; drvPath: string }> {
  const stdout = await runNix('nix', ['build', `${dir}#${attr}`, '--json', '--no-link']);
  const built = (JSON.parse(stdout) as NixBuildJson[])[0];
  const outPath = built?.outputs['out'];
  if (!built || !outPath) throw new Error(`unexpected nix build --json output: ${stdout}`);
  return { outPath, drvPath: built.drvPath };
}

/** Prepares and builds a fixture flake; cached per name within a process. */
export function buildFixture(name: string): Promise<BuiltFixture> {
  let p = builds.get(name);
  if (!p) {
    p = (async () => {
      const dir = await prepareFlake(name);
      return { dir, ...(await nixBuild(dir)) };
    })();
    builds.set(name, p);
    p.catch(() => builds.delete(name)); // a failed build may be retried
  }
  return p;
}

/** Builds every fixture, one after the other (the machine is small and the store is shared). */
export async function buildAllFixtures(): Promise<Fixtures> {
  const out: Partial<Fixtures> = {};
  for (const name of FIXTURE_NAMES) out[name] = await buildFixture(name);
  return out as Fixtures;
}

/** inject() is typed as always there; it is undefined when vitest.config.ts has no globalSetup. */
function providedFixtures(): Fixtures | undefined {
  return inject('fixtures');
}

/**
 * The fixtures provided by test/support/global-setup.ts, or (when the run has no such globalSetup)
 * built here. Call it inside a test or hook.
 */
export async function getFixtures(): Promise<Fixtures> {
  return providedFixtures() ?? (await buildAllFixtures());
}

export interface StorePathInfo {
  path: string;
  /** NAR size of this path alone (bytes). */
  narSize: number;
  /** NAR size of this path and everything it references (bytes). */
  closureSize: number;
}

/** `nix path-info -rS --json PATH`: the runtime closure with sizes. */
export async function pathInfo(storePath: string): Promise<StorePathInfo[]> {
  const stdout = await runNix('nix', ['path-info', '-rS', '--json', storePath]);
  type Info = { path?: string; narSize: number; closureSize: number };
  // Nix 2.8 prints an array of objects with `path`; Nix >= 2.19 an object keyed by path.
  const parsed = JSON.parse(stdout) as Info[] | Record<string, Info>;
  const entries: [string, Info][] = Array.isArray(parsed)
    ? parsed.map((i) => [i.path ?? '', i])
    : Object.entries(parsed);
  return entries.map(([p, i]) => ({ path: p, narSize: i.narSize, closureSize: i.closureSize }));
}
