import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compressorId, deflateEngine, wasmFromModuleSource } from '../../../src/zip/deflate.js';

describe('the compressor identity', () => {
  it('reads the WebAssembly out of an Emscripten module and refuses anything else', () => {
    const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    const src = `var x;wasmBinaryFile="data:application/octet-stream;base64,${wasm.toString('base64')}";`;
    expect(wasmFromModuleSource(src).equals(wasm)).toBe(true);
    expect(() => wasmFromModuleSource('wasmBinaryFile="libdeflate.wasm"')).toThrow(/found 0/);
    expect(() => wasmFromModuleSource(src + src)).toThrow(/found 2/);
    expect(() =>
      wasmFromModuleSource(
        `"data:application/octet-stream;base64,${Buffer.from('not wasm').toString('base64')}"`,
      ),
    ).toThrow(/magic number/);
  });

  it('keys the cache by the version and the WebAssembly', () => {
    const e = deflateEngine();
    expect(compressorId(e)).not.toBe(compressorId({ ...e, version: '0.1.1' }));
    expect(compressorId(e)).not.toBe(compressorId({ ...e, wasmSha256: '0'.repeat(64) }));
    expect(compressorId({ ...e, version: '1.0.0+build/7' })).toMatch(
      /^libdeflate-1\.0\.0_build_7-[0-9a-f]{64}$/,
    );
  });

  it('is the engine dist/ runs: the one WebAssembly in the bundle, the worker and the copy it hashes', () => {
    const dist = path.resolve(import.meta.dirname, '..', '..', '..', 'dist');
    const files = fs
      .readdirSync(dist, { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.m?js$/.test(f))
      .sort();
    // Files that embed a base64 module (another Emscripten runtime in the bundle may only name the prefix).
    const holders = files.filter((f) =>
      /data:application\/octet-stream;base64,[A-Za-z0-9+/]{64}/.test(
        fs.readFileSync(path.join(dist, f), 'utf8'),
      ),
    );
    // The main bundle's copy of libdeflate, the worker's, and the module copied for deflateEngine().
    expect(holders.length, holders.join(', ')).toBe(3);
    expect(holders).toContain(path.join('deflate-worker', 'index.mjs'));
    for (const f of holders) {
      const wasm = wasmFromModuleSource(fs.readFileSync(path.join(dist, f), 'utf8'));
      expect(createHash('sha256').update(wasm).digest('hex'), f).toBe(deflateEngine().wasmSha256);
    }
  });
});
