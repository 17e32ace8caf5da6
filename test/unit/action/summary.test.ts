import { describe, expect, it } from 'vitest';
import { cell, renderSummary, shortStorePath, type SummaryData } from '../../../src/action/summary.js';

const glibc = `/nix/store/${'a'.repeat(32)}-glibc-2.40`;
const zlib = `/nix/store/${'b'.repeat(32)}-zlib-1.3`;
const app = `/nix/store/${'c'.repeat(32)}-app`;

function data(): SummaryData {
  return {
    ok: true,
    nixVersion: '2.24.9',
    stages: [
      { stage: 'build', status: 'success', durationMs: 2500 },
      { stage: 'package', status: 'success', durationMs: 120 },
      { stage: 'deploy', status: 'skipped', durationMs: 0 },
    ],
    build: { installable: '/ws#app', outPath: app, program: 'bin/bootstrap', closurePaths: 3 },
    bundle: {
      architecture: 'x86_64',
      verified: 'loader',
      zipPath: '/tmp/function.zip',
      zipBytes: 1_000_000,
      unzippedBytes: 3_000_000,
      zipSha256: 'abc=',
      files: [
        {
          name: 'lib/libz.so.1',
          source: `${zlib}/lib/libz.so.1`,
          storePath: zlib,
          kind: 'library',
          bytes: 100_000,
          patched: [],
        },
        {
          name: 'bootstrap',
          source: `${app}/bin/bootstrap`,
          storePath: app,
          kind: 'program',
          bytes: 700_000,
          patched: ['x'],
        },
        {
          name: 'lib/libc.so.6',
          source: `${glibc}/lib/libc.so.6`,
          storePath: glibc,
          kind: 'library',
          bytes: 2_000_000,
          patched: [],
        },
        {
          name: 'lib/ld-linux-x86-64.so.2',
          source: `${glibc}/lib/ld-linux-x86-64.so.2`,
          storePath: glibc,
          kind: 'interpreter',
          bytes: 200_000,
          patched: [],
        },
      ],
      references: [],
    },
    deployments: [],
  };
}

describe('renderSummary', () => {
  it('shows the stages with status and duration', () => {
    const md = renderSummary(data());
    expect(md).toContain('## Nix flake to AWS Lambda: succeeded');
    expect(md).toContain('| build | ✅ success | 2.5 s |');
    expect(md).toContain('| package | ✅ success | 120 ms |');
    expect(md).toContain('| deploy | ⏭️ skipped |  |');
  });

  it('lists the libraries sorted by size with their store paths and the total', () => {
    const md = renderSummary(data());
    const libc = md.indexOf('lib/libc.so.6');
    const ld = md.indexOf('lib/ld-linux-x86-64.so.2');
    const z = md.indexOf('lib/libz.so.1');
    expect(libc).toBeGreaterThan(0);
    expect(libc).toBeLessThan(ld);
    expect(ld).toBeLessThan(z);
    expect(md).toContain(`<code>/nix/store/aaaaaaaa…-glibc-2.40</code>`);
    expect(md).toContain('| **Total** | 4 files |  | **2.9 MiB** |');
    expect(md).toContain('3 libraries');
  });

  it('compares the zip with Lambda limits', () => {
    const md = renderSummary(data());
    expect(md).toContain('| Zip (direct upload) | 976.6 KiB | 50.0 MiB | 1.9% |');
    expect(md).toContain('| Unzipped (with layers) | 2.9 MiB | 250.0 MiB | 1.1% |');
    const big = data();
    big.bundle!.zipBytes = 60 * 1024 * 1024;
    expect(renderSummary(big)).toContain('⚠️ use s3-bucket');
  });

  it('shows each deployment', () => {
    const d = data();
    d.deployments = [
      {
        function: 'api',
        arn: 'arn:aws:lambda:us-east-1:123456789012:function:api',
        version: '7',
        alias: 'live',
        codeSha256: 'abc=',
        revisionId: 'r',
        status: 'updated',
        codeUpdated: true,
        bytesUploaded: 1_000_000,
        upload: 'direct',
        configChanges: [{ function: 'api', setting: 'MemorySize', from: 128, to: 256 }],
        smokeTest: 'passed',
        deletedVersions: ['1', '2'],
        durationMs: 3000,
      },
    ];
    expect(renderSummary(d)).toContain(
      '| <code>api</code> | updated | 7 | live | <code>abc=</code> | 976.6 KiB (direct) | MemorySize |',
    );
  });

  it('shows the smoke tests: the failed one with its response and its log tail, open and escaped', () => {
    const d = data();
    d.smokeTests = [
      {
        function: 'api',
        version: '7',
        result: 'passed',
        reason: '',
        statusCode: 200,
        functionError: '',
        response: '{"ok":true}',
        logTail: 'START\nEND\n',
        durationMs: 420,
      },
      {
        function: 'worker',
        version: '3',
        result: 'failed',
        reason: 'the function returned an error (FunctionError Unhandled): {"errorType":"Runtime.ExitError"}',
        statusCode: 200,
        functionError: 'Unhandled',
        response: '{"errorType":"Runtime.ExitError"}',
        logTail: 'panicked at <main.rs> & died\n',
        durationMs: 1500,
      },
    ];
    const md = renderSummary(d);
    expect(md).toContain('### Smoke test');
    expect(md).toContain('| <code>api</code> | 7 | ✅ passed | 420 ms | status 200 |');
    expect(md).toContain(
      '| <code>worker</code> | 3 | ❌ failed | 1.5 s | the function returned an error (FunctionError Unhandled): {"errorType":"Runtime.ExitError"} |',
    );
    expect(md).toContain('<details><summary>api version 7: log tail</summary>');
    expect(md).toContain(
      '<details open><summary>worker version 3: log tail</summary>\n\n<pre>panicked at &lt;main.rs&gt; &amp; died\n</pre>\n</details>',
    );
    expect(md).toContain('<details open><summary>worker version 3: response</summary>');
  });

  it('says when a function changed architecture and which versions keep-versions deleted', () => {
    const d = data();
    d.deployments = [
      {
        function: 'api',
        arn: 'arn:aws:lambda:us-east-1:123456789012:function:api',
        version: '7',
        alias: 'live',
        codeSha256: 'abc=',
        revisionId: 'r',
        status: 'updated',
        codeUpdated: true,
        bytesUploaded: 10,
        upload: 'direct',
        configChanges: [],
        architectureChange: { from: 'x86_64', to: 'arm64' },
        smokeTest: 'skipped',
        deletedVersions: ['3'],
        durationMs: 3000,
      },
    ];
    const md = renderSummary(d);
    expect(md).toContain(
      '<code>api</code>: architecture changed from x86_64 to arm64 with the code (architecture-change: update).',
    );
    expect(md).toContain('<code>api</code>: deleted old version 3 (keep-versions).');
  });

  it('shows the error of a failed run, escaped for a table-free callout', () => {
    const d = data();
    d.ok = false;
    d.error = { title: 'Missing libraries', message: 'libfoo.so.1 (needed by bootstrap)\nline | two' };
    const md = renderSummary(d);
    expect(md).toContain('failed');
    expect(md).toContain('> **Missing libraries**: libfoo.so.1 (needed by bootstrap)<br>line \\| two');
  });

  it('renders a run that failed before any stage', () => {
    expect(
      renderSummary({
        ok: false,
        error: { title: 'Invalid input', message: 'x' },
        stages: [],
        deployments: [],
      }),
    ).toContain('**Invalid input**');
  });
});

describe('the local smoke test in the summary', () => {
  it('shows the verdict, the init and first-response times, and the response', () => {
    const md = renderSummary({
      ...data(),
      localSmokeTest: {
        result: 'passed',
        initMs: 12,
        firstResponseMs: 1500,
        response: '{"ok":\n true}',
        emulated: true,
      },
    });
    expect(md).toContain('### Local smoke test');
    expect(md).toContain('| Result | ✅ passed (under qemu-aarch64) |');
    expect(md).toContain('| Init (start to the first GET next) | 12 ms |');
    expect(md).toContain('| First response (event to answer) | 1.5 s |');
    expect(md).toContain('| Response | <code>{"ok": true}</code> |');
  });

  it('says what failed', () => {
    const md = renderSummary({
      ...data(),
      ok: false,
      localSmokeTest: { result: 'failed', reason: 'the program was killed by SIGSEGV during init' },
    });
    expect(md).toContain('| What failed | the program was killed by SIGSEGV during init |');
    expect(md).toContain('| Init (start to the first GET next) |  |');
  });
});

describe('helpers', () => {
  it('escapes table cells', () => {
    expect(cell('a|b\nc')).toBe('a\\|b<br>c');
  });
  it('shortens store paths', () => {
    expect(shortStorePath(glibc)).toBe('/nix/store/aaaaaaaa…-glibc-2.40');
    expect(shortStorePath('/tmp/x')).toBe('/tmp/x');
  });
});
