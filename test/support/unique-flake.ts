import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { nixEnv } from './nix.js';

/**
 * A tiny flake unique to one test run (a random string in every derivation), so that tests may
 * delete its outputs from the store and substitute them again without touching the shared
 * fixtures. Its closure: app (bin/bootstrap, an ELF copied from /bin/true) -> lib -> data.
 */

const exec = promisify(execFile);

export interface UniqueFlake {
  /** Folder (a git repository with flake.nix added) for `flake:` / GITHUB_WORKSPACE. */
  dir: string;
  tag: string;
}

export function makeUniqueFlake(prefix = 'nix-lambda-unique'): Promise<UniqueFlake> {
  const tag = randomBytes(8).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{
  description = "unique test flake ${tag}";
  outputs = { self }:
    let
      system = "x86_64-linux";
      mk = name: script: derivation {
        inherit name system;
        builder = "/bin/sh";
        args = [ "-c" script ];
        PATH = "/usr/bin:/bin";
        UNIQUE = "${tag}";
      };
      data = mk "unique-data" "mkdir -p $out; echo $UNIQUE > $out/tag";
      lib = mk "unique-lib" "mkdir -p $out/lib; echo \${data} > $out/lib/ref";
      app = mk "unique-app" "mkdir -p $out/bin; cp /bin/true $out/bin/bootstrap; echo \${lib} > $out/lib-ref";
    in { packages.\${system}.default = app; };
}
`,
  );
  return (async () => {
    await exec('git', ['-c', 'init.defaultBranch=main', 'init', '-q', dir]);
    await exec('git', ['add', 'flake.nix'], { cwd: dir });
    return { dir, tag };
  })();
}

async function nixCmd(
  args: string[],
  env: Record<string, string> = nixEnv(),
): Promise<{ stdout: string; stderr: string }> {
  try {
    return await exec('nix', args, { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`nix ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`);
  }
}

/** Builds the flake's default package; returns its output and runtime closure. */
export async function buildUnique(dir: string): Promise<{ outPath: string; closure: string[] }> {
  const { stdout } = await nixCmd(['build', `${dir}#default`, '--json', '--no-link']);
  const outPath = (JSON.parse(stdout) as { outputs: { out: string } }[])[0]!.outputs.out;
  const closure = (await nixCmd(['path-info', '-r', outPath])).stdout.split('\n').filter(Boolean).sort();
  return { outPath, closure };
}

/** A fresh Nix signing key pair. */
export async function generateKey(name: string): Promise<{ secret: string; public: string }> {
  const secret = (await nixCmd(['key', 'generate-secret', '--key-name', name])).stdout.trim();
  const pub = execFileSync('nix', ['key', 'convert-secret-to-public'], {
    env: nixEnv(),
    input: secret,
    encoding: 'utf8',
  }).trim();
  return { secret, public: pub };
}

/** Copies paths (and their closure) into a signed file:// binary cache at dir. */
export async function signedCache(dir: string, paths: string[], secretKey: string): Promise<void> {
  const keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sk-'));
  const keyFile = path.join(keyDir, 'sk');
  fs.writeFileSync(keyFile, secretKey, { mode: 0o600 });
  try {
    await nixCmd(['store', 'sign', '--key-file', keyFile, '-r', ...paths]);
    await nixCmd(['copy', '--to', `file://${dir}?compression=none`, ...paths]);
  } finally {
    fs.rmSync(keyDir, { recursive: true, force: true });
  }
}

/** Deletes paths from the store (nothing roots them); the next build must substitute or build them. */
export async function deleteFromStore(paths: string[]): Promise<void> {
  await nixCmd(['store', 'delete', ...paths]);
}

export function isValidPath(p: string): Promise<boolean> {
  return nixCmd(['path-info', p]).then(
    () => true,
    () => false,
  );
}
