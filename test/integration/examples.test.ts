import { execFile, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSummary, renderSummary } from '../../src/action/summary.js';
import { listZip } from '../../src/zip/read.js';
import { runInLambdaRoot } from '../support/lambda-root.js';
import { NIX_CONFIG_LINES } from '../support/nix.js';
import { runPipeline, type PipelineRun } from '../support/pipeline.js';
import { FUNCTION_ARN, startRuntimeApi } from '../support/runtime-api.js';

/**
 * The examples users copy. examples/offline is built with real Nix (no inputs, so it builds
 * here), packaged by the action's stages and run in the Lambda-like root. The nixpkgs-based
 * examples cannot be built without internet: their flakes are parsed by Nix, and the Rust one,
 * having no crate dependencies, is compiled by cargo and served one event through a local
 * Runtime API.
 */

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const EXAMPLES = path.join(ROOT, 'examples');

const temps: string[] = [];
function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}
afterAll(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function flakeFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !['target', 'node_modules', '.git'].includes(e.name)) out.push(...flakeFiles(p));
    else if (e.isFile() && e.name === 'flake.nix') out.push(p);
  }
  return out.sort();
}

const FLAKES = flakeFiles(EXAMPLES).map((f) => path.relative(ROOT, f));

describe('every examples/**/flake.nix parses (nix-instantiate --parse)', () => {
  it('covers the offline, Rust and Haskell examples', () => {
    expect(FLAKES).toEqual(
      expect.arrayContaining([
        'examples/haskell/flake.nix',
        'examples/offline/flake.nix',
        'examples/rust/flake.nix',
      ]),
    );
  });

  it.each(FLAKES)('%s', async (file) => {
    // --parse also resolves every variable: a typo in a name fails here, not only a syntax error.
    const { stdout } = await run('nix-instantiate', ['--parse', path.join(ROOT, file)]);
    expect(stdout).toMatch(/outputs/);
  });

  it('pins nixpkgs 25.05 in the nixpkgs-based examples', () => {
    for (const ex of ['rust', 'haskell']) {
      const text = fs.readFileSync(path.join(EXAMPLES, ex, 'flake.nix'), 'utf8');
      expect(text, ex).toContain('github:NixOS/nixpkgs/nixos-25.05');
    }
  });
});

/**
 * A throw-away git repository with examples/offline at the same place as in this repository
 * (every file added, no commit), so Nix reads it as git+file://REPO?dir=examples/offline, which is
 * what `nix build ./examples/offline` does in a checkout. Untracked files would be invisible.
 */
async function offlineCheckout(): Promise<string> {
  const repo = tempDir('nix-lambda-offline-example-');
  const dir = path.join(repo, 'examples', 'offline');
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.cpSync(path.join(EXAMPLES, 'offline'), dir, { recursive: true });
  await run('git', ['-c', 'init.defaultBranch=main', 'init', '-q', repo]);
  await run('git', ['add', '-A'], { cwd: repo });
  return dir;
}

describe('examples/offline: built by real Nix, packaged, served from the Lambda-like root', () => {
  let r: PipelineRun;
  beforeAll(async () => {
    const dir = await offlineCheckout();
    r = await runPipeline(
      { stages: 'install,cachix,build,package', flake: '.', verify: 'true' },
      { workspace: dir },
    );
    temps.push(r.tempDir);
    if (r.error !== undefined) throw new Error(`the pipeline failed on examples/offline:\n${r.log}`);
  });

  it('builds a Nix program and bundles libcurl with what only its store RUNPATH reaches', () => {
    expect(r.outputs.get('store-path')).toMatch(/^\/nix\/store\/[a-z0-9]{32}-offline-example-runtime$/);
    expect(r.outputs.get('architecture')).toBe('x86_64');
    const libs = (JSON.parse(r.outputs.get('libraries')!) as { soname: string }[]).map((l) => l.soname);
    expect(libs).toEqual(
      expect.arrayContaining(['ld-linux-x86-64.so.2', 'libc.so.6', 'libcurl.so.4', 'libz.so.1']),
    );
    const names = listZip(r.outputs.get('zip-path')!).map((e) => e.name);
    expect(names).toContain('bootstrap');
    expect(names).toContain('lib/libcurl.so.4');
    expect(r.log).toMatch(/Loader check passed/);
  });

  it('writes the job summary the README shows, and counts the libraries alike in the log, the summary and the outputs', () => {
    const real = renderSummary(collectSummary(r.ctx!));
    // Sizes, durations and store hashes follow the build machine's libraries; the rest must match.
    const norm = (line: string): string => {
      let l = line
        .replace(/^>\s?/, '')
        .replace(/<code>(.*?)<\/code>/g, '`$1`')
        .replace(/\/nix\/store\/[a-z0-9]{8}…/g, '/nix/store/HASH…')
        .replace(/\b\d+(\.\d+)? (B|KiB|MiB|GiB)\b/g, 'SIZE')
        .replace(/\b\d+(\.\d+)? m?s\b/g, 'TIME')
        .replace(/\b\d+(\.\d+)?%/g, 'PCT');
      if (l.startsWith('|'))
        l = l
          .split('|')
          .map((c) => c.trim())
          .map((c) => (/^-+$/.test(c) ? '---' : c))
          .join('|');
      return l.trim();
    };
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
    const first = readme.findIndex((l) => l.startsWith('> ## Nix flake to AWS Lambda'));
    const sample: string[] = [];
    for (let i = first; i < readme.length && readme[i]!.startsWith('>'); i++) sample.push(readme[i]!);
    expect(sample.length).toBeGreaterThan(20);
    const realLines = new Set(real.split('\n').map(norm));
    const checked = sample.map(norm).filter((l) => l !== '' && !l.startsWith('|…|'));
    for (const line of checked)
      expect(realLines.has(line), `README line not in the real summary: ${line}\n\n${real}`).toBe(true);
    const count = (JSON.parse(r.outputs.get('libraries')!) as unknown[]).length;
    expect(real).toContain(`x86_64 · ${count} libraries ·`);
    expect(r.log).toContain(`the program, ${count} libraries)`);
    expect(sample.join('\n')).toContain(`x86_64 · ${count} libraries ·`);
  });

  it("npm run example's script runs end to end and contacts no binary cache, whatever substituters the machine configures", async () => {
    // The output must be built again (Nix asks substituters only for paths it does not have).
    await run('nix', ['store', 'delete', r.outputs.get('store-path')!], {
      env: { ...process.env, NIX_CONFIG: NIX_CONFIG_LINES.join('\n') },
    });
    // A binary cache that counts requests, configured the way a machine's nix.conf would be.
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'example.mjs')], {
          cwd: ROOT,
          env: {
            ...process.env,
            NIX_CONFIG: `substituters = http://127.0.0.1:${port}\nextra-substituters = http://127.0.0.1:${port}`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => {
          resolve({ code, out });
        });
      });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(
        /Invoked the bootstrap in an empty root at \/var\/task .*Response:\n {2}\{"requestId":"example-1"/s,
      );
      expect(r.out).not.toMatch(/::(debug|group|endgroup)::/);
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('answers an event through the Runtime API, and reports a failing one as an invocation error', async () => {
    const api = await startRuntimeApi();
    const abort = new AbortController();
    const running = runInLambdaRoot(r.outputs.get('zip-path')!, {
      env: { AWS_LAMBDA_RUNTIME_API: api.address },
      signal: abort.signal,
      timeoutMs: 60_000,
    });
    try {
      const ok = await api.invoke({ hello: 'lambda', n: 1 });
      const body = JSON.parse(ok.body) as { requestId: string; event: unknown; curl: string; zlib: string };
      expect(body.requestId).toBe(ok.requestId);
      expect(body.event).toEqual({ hello: 'lambda', n: 1 });
      expect(body.curl).toMatch(/^\d+\.\d+/);
      expect(body.zlib).toMatch(/^\d+\.\d+/);
      await expect(api.invoke({ fail: true })).rejects.toThrow(/invocation error/);
      expect(api.errors).toHaveLength(1);
      expect(api.errors[0]?.body).toContain('ExampleError');
    } finally {
      abort.abort();
      const res = await running;
      await api.close();
      expect(res.stderr).not.toMatch(/lambda-root: loaded the incompatible library/);
    }
  });
});

function hasCargo(): boolean {
  try {
    execFileSync('cargo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const CARGO = hasCargo();
if (!CARGO)
  console.warn(
    'examples/rust: `cargo` is not on PATH, so its build and Runtime API tests are skipped (Debian package: cargo).',
  );

// CI installs Debian packages only (.ci/run): without `cargo` on PATH (Debian package `cargo`),
// these tests are skipped rather than failed. The flake itself is checked by nix-instantiate above.
describe.skipIf(!CARGO)('examples/rust with cargo from PATH (skipped when cargo is missing)', () => {
  const crate = path.join(EXAMPLES, 'rust');
  let bootstrap: string;
  let targetDir: string;
  beforeAll(async () => {
    // The target folder goes to a temp dir: the example folder stays as it is in git.
    targetDir = tempDir('nix-lambda-rust-example-');
    await run('cargo', ['build', '--offline', '--locked', '--release', '--target-dir', targetDir], {
      cwd: crate,
      maxBuffer: 16 * 1024 * 1024,
    });
    bootstrap = path.join(targetDir, 'release', 'bootstrap');
  });

  it('builds offline from Cargo.lock, into a binary named bootstrap', () => {
    expect(fs.statSync(bootstrap).mode & 0o111).not.toBe(0);
    expect(fs.existsSync(path.join(crate, 'target'))).toBe(false);
  });

  it('passes its own unit tests (HTTP framing, JSON escaping)', async () => {
    const { stdout } = await run('cargo', ['test', '--offline', '--locked', '--target-dir', targetDir], {
      cwd: crate,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toMatch(/test result: ok\. [1-9]\d* passed; 0 failed/);
  });

  it('serves an event through the Runtime API and reports a bad one to .../error', async () => {
    const api = await startRuntimeApi();
    const child = spawn(bootstrap, [], {
      env: {
        AWS_LAMBDA_RUNTIME_API: api.address,
        AWS_LAMBDA_FUNCTION_NAME: 'test-function',
        PATH: '/usr/bin:/bin',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const ok = await api.invoke({ source: 'test', nested: { list: [1, 'two'] } });
      const body = JSON.parse(ok.body) as Record<string, unknown>;
      expect(body['requestId']).toBe(ok.requestId);
      expect(body['event']).toEqual({ source: 'test', nested: { list: [1, 'two'] } });
      expect(body['function']).toBe('test-function');
      expect(body['functionArn']).toBe(FUNCTION_ARN);
      expect(typeof body['deadlineMs']).toBe('number');
      expect(body['message']).toMatch(/^Hello from Rust/);

      await expect(api.invoke([1, 2, 3])).rejects.toThrow(/invocation error/);
      expect(api.errors).toHaveLength(1);
      expect(api.errors[0]?.errorType).toBe('InvalidEvent');
      expect(JSON.parse(api.errors[0]!.body)).toEqual({
        errorMessage: 'expected the event to be a JSON object',
        errorType: 'InvalidEvent',
      });
      expect(
        api.requests.filter((q) => q === 'GET /2018-06-01/runtime/invocation/next').length,
      ).toBeGreaterThanOrEqual(2);
    } finally {
      child.kill('SIGKILL');
      await exited;
      await api.close();
    }
    expect(stderr).toContain('InvalidEvent');
  });

  it('exits with a clear message when AWS_LAMBDA_RUNTIME_API is missing', async () => {
    const res = await run(bootstrap, [], { env: { PATH: '/usr/bin:/bin' } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/AWS_LAMBDA_RUNTIME_API is not set/);
  });
});
