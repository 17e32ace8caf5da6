import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listZip } from '../../src/zip/read.js';
import { getFixtures, NIX_CONFIG_LINES, type Fixtures } from '../support/nix.js';
import { runStep, type StepResult } from '../support/runner.js';

/**
 * The local smoke test (input local-smoke-test): dist/index.js, run as a runner runs it, builds a
 * fixture with real Nix, then the package stage starts the bundle in the Lambda-like root against
 * its local Runtime API with smoke-test-payload, natively on x86_64 and under qemu-aarch64 for arm64.
 * The failures (a crash, an init error, an invocation error, a timeout, a missing text) are the
 * reliability suite's (test/reliability/program-faults.test.ts).
 */

let fx: Fixtures;
const temps: string[] = [];
beforeAll(async () => {
  fx = await getFixtures();
});
afterAll(() => {
  for (const d of temps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temps.push(d);
  return d;
}

async function smoke(
  name: keyof Fixtures,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<StepResult & { zip: string }> {
  const dir = tempDir(`smoke-${name}-`);
  const zip = path.join(dir, 'function.zip');
  const step = await runStep({
    workspace: fx[name].dir,
    dir,
    inputs: { stages: 'build,package', flake: '.', 'zip-path': zip, ...inputs },
    env: { NIX_CONFIG: NIX_CONFIG_LINES.join('\n'), ...env },
  });
  return { ...step, zip };
}

/** The summary's row for a label of the smoke test table. */
const row = (summary: string, label: string): string =>
  summary.split('\n').find((l) => l.startsWith(`| ${label} |`)) ?? '';

describe('the bundle answers the payload before it ships', () => {
  it('x86_64: the offline example (libcurl, 33 libraries) answers with the event, within the limit', async () => {
    const step = await smoke('deep', {
      'smoke-test-payload': '{"hello": "smoke"}',
      'smoke-test-expect': '"event":{"hello": "smoke"}',
      'smoke-test-timeout-seconds': '20',
    });
    expect(step.code, step.log).toBe(0);
    expect(step.outputs['local-smoke-test-result']).toBe('passed');
    expect(step.log).toMatch(
      /Local smoke test passed: init \d+ ms, first response \d+ ms\. Response: \{"requestId":"[0-9a-f-]{36}","event":\{"hello": "smoke"\},"curl":"/,
    );
    expect(step.summary).toContain('### Local smoke test');
    expect(row(step.summary, 'Result')).toBe('| Result | ✅ passed |');
    expect(row(step.summary, 'Init (start to the first GET next)')).toMatch(/\| \d+ ms \|$/);
    expect(row(step.summary, 'First response (event to answer)')).toMatch(/\| \d+ ms \|$/);
    expect(fs.existsSync(step.zip)).toBe(true);
    const json = JSON.parse(step.outputs['summary-json']!) as {
      localSmokeTest: { result: string; initMs: number };
    };
    expect(json.localSmokeTest).toMatchObject({ result: 'passed', initMs: expect.any(Number) as number });
  });

  it('with library-layer: the function zip holds only the program, and answers with the layer at /opt', async () => {
    const step = await smoke('deep', {
      'library-layer': 'deep-libs',
      'smoke-test-payload': '{"hello": "layer"}',
      'smoke-test-expect': '"event":{"hello": "layer"}',
      'local-smoke-test': 'true',
    });
    expect(step.code, step.log).toBe(0);
    expect(step.outputs['local-smoke-test-result']).toBe('passed');
    expect(step.log).toContain("from /var/task and the layer's /opt/lib, none from the decoys in /lib64");
    // Every library is in the layer: the program found them under /opt/lib, not in the function zip.
    expect(listZip(step.zip).map((e) => e.name)).toEqual(['bootstrap']);
  });

  it.each([
    ['symlinked-aarch64', 'priv+helper'],
    ['dlopen-aarch64', '"named":"named"'],
  ] as const)('arm64 under qemu-aarch64: %s answers', async (fixture, expected) => {
    const step = await smoke(fixture, {
      'smoke-test-payload': '{"arch": "arm64"}',
      'smoke-test-expect': expected,
      'local-smoke-test': 'true',
    });
    expect(step.code, step.log).toBe(0);
    expect(step.outputs['architecture']).toBe('arm64');
    expect(step.outputs['local-smoke-test-result']).toBe('passed');
    expect(step.log).toMatch(
      /Local smoke test passed: init \d+ ms, first response \d+ ms \(under qemu-aarch64\)/,
    );
    expect(row(step.summary, 'Result')).toBe('| Result | ✅ passed (under qemu-aarch64) |');
  });

  it('sets the bundle runtime-environment variables: the baked fixture finds its time zones and iconv modules', async () => {
    const step = await smoke('baked', { 'smoke-test-payload': '{}', 'smoke-test-expect': '"zone":"CET"' });
    expect(step.code, step.log).toBe(0);
    expect(step.outputs['local-smoke-test-result']).toBe('passed');
    expect(step.log).toMatch(/Response: \{"shape":"baked","euro":"€","zone":"CET","offset":3600\}/);
  });

  it('without smoke-test-payload, or with local-smoke-test: false, skips quietly', async () => {
    const none = await smoke('small', {});
    expect(none.code, none.log).toBe(0);
    expect(none.outputs['local-smoke-test-result']).toBe('skipped');
    expect(none.summary).not.toContain('Local smoke test');
    const off = await smoke('smoke', { 'smoke-test-payload': '{}', 'local-smoke-test': 'false' });
    expect(off.code, off.log).toBe(0); // the program would fail: it is not run
    expect(off.outputs['local-smoke-test-result']).toBe('skipped');
    expect(off.log).not.toContain('::notice');
  });
});

describe('where the machine cannot run it (no unshare on PATH)', () => {
  /** A PATH folder with every program of /usr/bin and /bin but unshare. */
  function pathWithoutUnshare(): string {
    const bin = tempDir('no-unshare-');
    for (const d of ['/usr/bin', '/bin']) {
      if (!fs.existsSync(d) || fs.realpathSync(d) !== d) continue;
      for (const name of fs.readdirSync(d))
        if (name !== 'unshare' && !fs.existsSync(path.join(bin, name)))
          fs.symlinkSync(path.join(d, name), path.join(bin, name));
    }
    return bin;
  }

  it('auto: a notice, the output skipped, and the zip written', async () => {
    const step = await smoke(
      'small',
      { 'smoke-test-payload': '{}', verify: 'false' },
      { PATH: pathWithoutUnshare() },
    );
    expect(step.code, step.log).toBe(0);
    expect(step.stdout).toMatch(
      /::notice title=Local smoke test::Local smoke test skipped: unshare \(util-linux\) is not installed\./,
    );
    expect(step.outputs['local-smoke-test-result']).toBe('skipped');
    expect(fs.existsSync(step.zip)).toBe(true);
  });

  it('true: an error naming the input, and no zip', async () => {
    const step = await smoke(
      'small',
      { 'smoke-test-payload': '{}', verify: 'false', 'local-smoke-test': 'true' },
      { PATH: pathWithoutUnshare() },
    );
    expect(step.code).toBe(1);
    expect(step.stdout).toMatch(
      /::error title=Could not run the local smoke test::local-smoke-test: true, but unshare \(util-linux\) is not installed/,
    );
    expect(step.outputs['local-smoke-test-result']).toBe('skipped');
    expect(fs.existsSync(step.zip)).toBe(false);
    expect(step.outputs['zip-path']).toBeUndefined();
  });
});
