import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BundleEntry } from '../../../src/bundle/bundle.js';
import {
  hashInDescription,
  layerDescription,
  layerFolderOf,
  layerHash,
  layerZipPathOf,
  splitBundle,
  writeLayerFolder,
} from '../../../src/bundle/layer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-unit-'));
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function entry(name: string, kind: BundleEntry['kind'], data: string, mode = 0o644): BundleEntry {
  const bytes = Buffer.from(data);
  return {
    name,
    source: `/nix/store/x/${name}`,
    storePath: '/nix/store/x',
    kind,
    bytes: bytes.length,
    mode,
    patched: [],
    data: bytes,
  };
}

describe('the split', () => {
  it('puts the loader and the libraries in the layer (marked), the program and the includes in the function zip', () => {
    const entries = [
      entry('bootstrap', 'program', 'prog', 0o755),
      entry('lib/ld-linux-x86-64.so.2', 'interpreter', 'ld', 0o755),
      entry('lib/libfoo.so.1', 'library', 'foo'),
      entry('share/zoneinfo/UTC', 'include', 'tz'),
    ];
    const split = splitBundle(entries);
    expect(split.function.map((e) => e.name)).toEqual(['bootstrap', 'share/zoneinfo/UTC']);
    expect(split.layer.map((e) => e.name)).toEqual(['lib/ld-linux-x86-64.so.2', 'lib/libfoo.so.1']);
    expect(split.layer.every((e) => e.layer)).toBe(true);
    expect(split.function.some((e) => e.layer)).toBe(false);
  });
});

describe('the content hash', () => {
  const files = [
    { name: 'lib/libfoo.so.1', mode: 0o644, data: Buffer.from('foo') },
    { name: 'lib/ld-linux-x86-64.so.2', mode: 0o755, data: Buffer.from('ld') },
  ];
  it('is the same for the same files in any order, and for modes the zip stores alike', () => {
    const h = layerHash(files);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(layerHash([...files].reverse())).toBe(h);
    expect(layerHash([{ ...files[0]!, mode: 0o444 }, files[1]!])).toBe(h);
  });
  it('changes with a name, a mode the zip keeps, or a byte', () => {
    const h = layerHash(files);
    expect(layerHash([{ ...files[0]!, name: 'lib/libfoo.so.2' }, files[1]!])).not.toBe(h);
    expect(layerHash([{ ...files[0]!, mode: 0o755 }, files[1]!])).not.toBe(h);
    expect(layerHash([{ ...files[0]!, data: Buffer.from('fop') }, files[1]!])).not.toBe(h);
  });
  it('is carried in the version description and read back from it', () => {
    const h = layerHash(files);
    const d = layerDescription(h, 'arm64');
    expect(d.length).toBeLessThanOrEqual(256);
    expect(hashInDescription(d)).toBe(h);
    expect(hashInDescription('built by hand')).toBeUndefined();
    expect(hashInDescription(undefined)).toBeUndefined();
  });
});

describe('the layer folder and zip path', () => {
  it('is bundle-dir’s sibling, and the check root sees it at /opt', async () => {
    const root = path.join(tmp, 'root');
    const bundleDir = path.join(root, 'var', 'task');
    fs.mkdirSync(bundleDir, { recursive: true });
    const dir = await writeLayerFolder(root, bundleDir, [entry('lib/libfoo.so.1', 'library', 'foo')]);
    expect(dir).toBe(layerFolderOf(bundleDir));
    expect(dir).toBe(path.join(root, 'var', 'task-layer'));
    expect(fs.readFileSync(path.join(root, 'opt', 'lib', 'libfoo.so.1'), 'utf8')).toBe('foo');
    expect(fs.readlinkSync(path.join(root, 'opt'))).toBe(path.join('var', 'task-layer'));
  });
  it('writes the layer zip beside zip-path', () => {
    expect(layerZipPathOf('/w/out/function.zip')).toBe('/w/out/function-layer.zip');
    expect(layerZipPathOf('/w/api')).toBe('/w/api-layer.zip');
  });
});
