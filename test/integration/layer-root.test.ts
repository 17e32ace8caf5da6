import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readElf } from '../../src/bundle/elf.js';
import { listZip } from '../../src/zip/read.js';
import { runInLambdaRoot, type LambdaArch } from '../support/lambda-root.js';
import { startLambdaServer } from '../support/lambda-server.js';
import { getFixtures, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import { runStep, type StepResult } from '../support/runner.js';
import { startRuntimeApi } from '../support/runtime-api.js';

/**
 * The library layer end to end (issue 15): fixtures built by real Nix, packaged with library-layer
 * by dist/index.js as a runner runs it, then the zip pair (the function zip at /var/task, the layer
 * zip at /opt, as Lambda extracts them) asked for an event from the faithful root: Lambda's
 * environment and LD_LIBRARY_PATH, decoys under every bundled soname in /lib64 and /usr/lib64.
 * arm64 runs under qemu. The last test deploys to the local Lambda server and serves what it stored.
 */

let fx: Fixtures;
const temps: string[] = [];
beforeAll(async () => {
  fx = await getFixtures();
});
afterAll(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `layer-${name}-`));
  temps.push(dir);
  return dir;
}

async function packageWithLayer(
  name: keyof Fixtures,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<StepResult> {
  const dir = tempDir(name);
  return runStep({
    workspace: fx[name].dir,
    dir,
    inputs: {
      stages: 'build,package',
      flake: '.',
      verify: 'true',
      'library-layer': 'fixture-libs',
      'zip-path': path.join(dir, 'function.zip'),
      ...inputs,
    },
    env: { NIX_CONFIG: NIX_CONFIG_LINES.join('\n'), ...env },
  });
}

/** Serves one event from the faithful root: the function zip at /var/task, the layer zip at /opt. */
async function serve(
  zip: string,
  layerZip: string,
  arch: LambdaArch,
  env: Record<string, string>,
): Promise<unknown> {
  const api = await startRuntimeApi();
  const stop = new AbortController();
  const running = runInLambdaRoot(zip, {
    arch,
    layerZip,
    env: { AWS_LAMBDA_RUNTIME_API: api.address, ...env },
    signal: stop.signal,
    timeoutMs: 120_000,
  });
  try {
    const exited = running.then((r) => {
      throw new Error(`bootstrap exited (${r.code ?? r.signal}) before answering:\n${r.stderr}`);
    });
    const res = await Promise.race([api.invoke({ hello: 'lambda' }, { timeoutMs: 60_000 }), exited]);
    return JSON.parse(res.body) as unknown;
  } finally {
    stop.abort();
    await running.catch(() => undefined);
    await api.close();
  }
}

const files = (zip: string): string[] =>
  listZip(zip)
    .map((e) => e.name)
    .filter((n) => !n.endsWith('/'));
const runtimeEnv = (step: StepResult): Record<string, string> =>
  JSON.parse(step.outputs['runtime-environment'] ?? '{}') as Record<string, string>;

describe('the zip pair: the function at /var/task, the library layer at /opt', () => {
  it.each([
    ['symlinked', 'x86_64', 'ld-linux-x86-64.so.2', { shape: 'symlinked', message: 'priv+helper' }],
    ['symlinked-aarch64', 'arm64', 'ld-linux-aarch64.so.1', { shape: 'symlinked', message: 'priv+helper' }],
  ] as const)(
    '%s: PT_INTERP and RPATH in /opt/lib, the libraries in the layer, an event served',
    async (name, arch, loader, answer) => {
      const step = await packageWithLayer(name);
      expect(step.code, step.log).toBe(0);
      const zip = step.outputs['zip-path']!;
      const layerZip = path.join(path.dirname(zip), 'function-layer.zip');
      expect(files(zip)).toEqual(['bootstrap']);
      expect(files(layerZip)).toEqual(
        expect.arrayContaining([`lib/${loader}`, 'lib/libpriv.so.1', 'lib/libhelper.so.1']),
      );
      const bundle = step.outputs['bundle-dir']!;
      expect(readElf(fs.readFileSync(path.join(bundle, 'bootstrap')))).toMatchObject({
        interp: `/opt/lib/${loader}`,
        rpath: '/opt/lib',
      });
      // The layer's folder is bundle-dir's sibling; its libraries keep $ORIGIN.
      const layerDir = `${bundle}-layer`;
      expect(readElf(fs.readFileSync(path.join(layerDir, 'lib', 'libpriv.so.1'))).rpath).toBe('$ORIGIN');
      expect(step.log).toMatch(
        /Loader check passed: \d+ objects, all from \/var\/task and the layer's \/opt\/lib/,
      );
      expect(step.log).toMatch(
        /Library layer fixture-libs: \d+ files under \/opt\/lib, .* content hash sha256:[0-9a-f]{64}/,
      );
      expect(await serve(zip, layerZip, arch, runtimeEnv(step))).toEqual(answer);
      // Without the layer the function zip alone cannot start: its loader is the layer's.
      const alone = await runInLambdaRoot(zip, { arch, timeoutMs: 60_000 });
      expect(alone.code).not.toBe(0);
    },
  );

  it('musl: DT_NEEDED names are /opt/lib paths, and it serves an event', async () => {
    const step = await packageWithLayer('musl');
    expect(step.code, step.log).toBe(0);
    const boot = readElf(fs.readFileSync(path.join(step.outputs['bundle-dir']!, 'bootstrap')));
    expect(boot).toMatchObject({
      interp: '/opt/lib/ld-musl-x86_64.so.1',
      needed: ['/opt/lib/libgreet.so.1', 'libc.so'],
      rpath: '/opt/lib',
    });
    const zip = step.outputs['zip-path']!;
    expect(await serve(zip, path.join(path.dirname(zip), 'function-layer.zip'), 'x86_64', {})).toEqual({
      shape: 'musl',
      greet: 'greet from musl',
    });
  });

  it('an ELF include stays in the function zip with a search path to /opt/lib', async () => {
    const step = await packageWithLayer('include', { include: 'bin/helper:helper' });
    expect(step.code, step.log).toBe(0);
    const zip = step.outputs['zip-path']!;
    expect(files(zip)).toEqual(['bootstrap', 'helper']);
    const helper = readElf(fs.readFileSync(path.join(step.outputs['bundle-dir']!, 'helper')));
    expect(helper.interp).toBe('/opt/lib/ld-linux-x86-64.so.2');
    expect(helper.rpath).toBe('/opt/lib');
    expect(step.log).toMatch(/Loader check passed: \d+ objects \(with 1 included program\)/);
    expect(await serve(zip, path.join(path.dirname(zip), 'function-layer.zip'), 'x86_64', {})).toEqual({
      shape: 'include',
      helper: 'helper-ok:helper',
      status: 0,
    });
  });
});

describe('deployed through the runner to the local Lambda server', () => {
  it('publishes the layer, reuses it for the next build, and what Lambda stored serves an event', async () => {
    const server = await startLambdaServer();
    try {
      server.addFunction({ name: 'layered' });
      const aws = {
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: 'AKIDLAYERTEST',
        AWS_SECRET_ACCESS_KEY: 'layer-secret',
        AWS_REGION: server.region,
        NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
      };
      const inputs = { stages: 'build,package,deploy', 'function-name': 'layered', publish: 'true' };
      const first = await packageWithLayer('symlinked', inputs, aws);
      expect(first.code, first.log).toBe(0);
      expect(first.outputs).toMatchObject({
        'layer-status': 'published',
        'layer-version': '1',
        'deploy-status': 'updated',
      });
      expect(first.summary).toMatch(/Library layer <code>fixture-libs<\/code> version 1: published/);
      const second = await packageWithLayer('symlinked', inputs, aws);
      expect(second.code, second.log).toBe(0);
      expect(second.outputs).toMatchObject({
        'layer-status': 'reused',
        'layer-version': '1',
        'deploy-status': 'unchanged',
      });
      expect(second.summary).toMatch(/version 1: reused/);
      expect(server.count('PublishLayerVersion')).toBe(1);
      const f = server.fn('layered');
      expect(f.layers).toEqual([first.outputs['layer-arn']]);
      const dir = tempDir('served');
      const fnZip = path.join(dir, 'function.zip');
      const layerZip = path.join(dir, 'layer.zip');
      fs.writeFileSync(fnZip, f.code!);
      fs.writeFileSync(layerZip, server.layers.live('fixture-libs')[0]!.code);
      expect(await serve(fnZip, layerZip, 'x86_64', runtimeEnv(first))).toEqual({
        shape: 'symlinked',
        message: 'priv+helper',
      });
    } finally {
      await server.close();
    }
  });
});
