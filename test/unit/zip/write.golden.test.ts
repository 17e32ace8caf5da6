import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compressorId, deflateEngine } from '../../../src/zip/deflate.js';
import { writeZip, type ZipSource } from '../../../src/zip/write.js';

/**
 * The exact bytes of the zip: a fixed input, written with the project's writer, must give the pinned
 * size and SHA-256 (Lambda's CodeSha256). Lambda compares CodeSha256, so a change of these bytes for
 * the same program makes every user's function update (and publish a new version) once.
 *
 * When this fails after a change of the compressor (libdeflate's version or WebAssembly, the level)
 * or of the zip layout (order, modes, timestamps, headers), and the change is intended: update the
 * pins below and add the redeploy note to CHANGELOG.md (see "Redeploys" there), in a minor or major
 * release. Otherwise, the change is a regression: fix it.
 */

/** The engine whose output is pinned (libdeflate's package.json version, SHA-256 of its WebAssembly). */
const ENGINE = {
  version: '0.1.0',
  wasmSha256: 'f75470cc665db1d83e231ec57bf38696852cba5c2594813d47fc43117816affe',
};
/** The zip of goldenSources() at the default level. */
const GOLDEN = {
  bytes: 60_353,
  codeSha256: 'mHTu4t1rB3VnBurvPh2WF13vQZFpfQuXfWpzXzxH3CA=',
  sha256Hex: '9874eee2dd6b07756706eaef3e1d96175def4191697d0b977d6a735f3c47dc20',
  entries: 9,
  unzippedBytes: 398_199,
};

const REDEPLOY_NOTE =
  'every deployed function would be updated once on its next deploy. If the change is intended, update the pins in ' +
  'test/unit/zip/write.golden.test.ts and add the redeploy note to CHANGELOG.md (its "Redeploys" section says how).';

/** Reproducible bytes from a xorshift32 generator (independent of the other tests' helpers). */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Text-like, compressible bytes: words chosen by the generator. */
function text(bytes: number, seed: number): Buffer {
  const words = [
    'bootstrap',
    'runtime',
    'invocation',
    'lambda',
    'nix',
    'store',
    'GLIBC_2.34',
    '{',
    '}',
    '\n',
  ];
  const next = prng(seed);
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const w = `${words[next() % words.length]!} `;
    parts.push(w);
    n += w.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

/** Incompressible bytes (stored, not deflated). */
function noise(bytes: number, seed: number): Buffer {
  const next = prng(seed);
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += 4) b.writeUInt32LE(next(), i);
  return b;
}

/**
 * A small Lambda-shaped bundle: an executable over the worker threshold (64 KiB), a library, the
 * loader, nested folders, an empty file, a stored file and a non-ASCII name. Never change it: the
 * pins describe exactly these bytes.
 */
function goldenSources(): ZipSource[] {
  return [
    { name: 'bootstrap', data: text(300_000, 1), mode: 0o755 },
    { name: 'lib/ld-linux-x86-64.so.2', data: text(70_000, 2), mode: 0o755 },
    { name: 'lib/libcurl.so.4', data: text(20_000, 3), mode: 0o644 },
    { name: 'lib/random.bin', data: noise(8_192, 4), mode: 0o644 },
    { name: 'share/empty', data: Buffer.alloc(0), mode: 0o600 },
    { name: 'share/données/README', data: Buffer.from('Lambda\n'), mode: 0o444 },
  ];
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-golden-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the zip bytes (golden)', () => {
  it('uses the pinned compressor', () => {
    const e = deflateEngine();
    expect(
      { version: e.version, wasmSha256: e.wasmSha256 },
      `The compressor changed (libdeflate ${e.version}, WebAssembly ${e.wasmSha256}). It may deflate differently: ` +
        `if the golden zip below still matches, update ENGINE here; if not, ${REDEPLOY_NOTE}`,
    ).toEqual(ENGINE);
    expect(compressorId()).toBe(`libdeflate-${ENGINE.version}-${ENGINE.wasmSha256}`);
  });

  it.each([
    ['on the calling thread', { concurrency: 1 }],
    ['on worker threads', { concurrency: 3 }],
    ['through the deflate cache (filled, then read)', { concurrency: 2, cache: true }],
  ] as const)('writes the pinned bytes %s', async (_how, opts) => {
    const cacheDir = 'cache' in opts ? path.join(dir, 'cache') : undefined;
    const runs = cacheDir ? 2 : 1;
    for (let run = 0; run < runs; run++) {
      const out = path.join(dir, `golden-${opts.concurrency}-${run}.zip`);
      const r = await writeZip(goldenSources(), out, { concurrency: opts.concurrency, cacheDir });
      const bytes = fs.readFileSync(out);
      const actual = {
        bytes: bytes.length,
        codeSha256: createHash('sha256').update(bytes).digest('base64'),
        sha256Hex: createHash('sha256').update(bytes).digest('hex'),
        entries: r.entries,
        unzippedBytes: r.unzippedBytes,
      };
      expect(
        actual,
        `The zip of the golden input changed (CodeSha256 ${actual.codeSha256}, ${actual.bytes} bytes; ` +
          `pinned ${GOLDEN.codeSha256}, ${GOLDEN.bytes} bytes): ${REDEPLOY_NOTE}`,
      ).toEqual(GOLDEN);
      expect(r.codeSha256).toBe(actual.codeSha256);
      expect(r.bytes).toBe(actual.bytes);
      if (run === 1) expect(r.cached.entries).toBeGreaterThan(0);
    }
  });
});

it('points at a CHANGELOG.md that says when a new compressor or layout redeploys every function', () => {
  const changelog = fs.readFileSync(
    path.resolve(import.meta.dirname, '..', '..', '..', 'CHANGELOG.md'),
    'utf8',
  );
  expect(changelog).toMatch(/^## Redeploys$/m);
  expect(changelog).toContain('**Redeploys every');
  expect(changelog).toMatch(/^## \[Unreleased\]$/m);
});
