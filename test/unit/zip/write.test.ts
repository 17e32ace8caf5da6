import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../../src/zip/format.js';
import { listZip, verifyZip } from '../../../src/zip/read.js';
import { DEFLATE_CACHE_MAX_BYTES } from '../../../src/zip/deflate.js';
import { writeZip, type ZipSource } from '../../../src/zip/write.js';
import { compressible } from '../../support/prng.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-test-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
function fresh(name = 'out'): string {
  const d = path.join(dir, `${name}-${++counter}`);
  fs.mkdirSync(d);
  return d;
}

function sha256Hex(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

interface PyEntry {
  name: string;
  sha256: string;
  size: number;
  compress_size: number;
  compress_type: number;
  create_system: number;
  create_version: number;
  extract_version: number;
  flag_bits: number;
  date_time: number[];
  external_attr: number;
  internal_attr: number;
  extra: number;
  comment: number;
  is_dir: boolean;
}

/** Python's zipfile: testzip() and every entry read back, hashed. */
function python(zipPath: string): { testzip: string | null; comment: number; entries: PyEntry[] } {
  const script = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    out = []
    for i in z.infolist():
        data = z.read(i)
        out.append(dict(name=i.filename, sha256=hashlib.sha256(data).hexdigest(), size=i.file_size,
            compress_size=i.compress_size, compress_type=i.compress_type, create_system=i.create_system,
            create_version=i.create_version, extract_version=i.extract_version, flag_bits=i.flag_bits,
            date_time=list(i.date_time), external_attr=i.external_attr, internal_attr=i.internal_attr,
            extra=len(i.extra), comment=len(i.comment), is_dir=i.is_dir()))
    print(json.dumps(dict(testzip=bad, comment=len(z.comment), entries=out)))
`;
  return JSON.parse(
    execFileSync('python3', ['-c', script, zipPath], { encoding: 'utf8', maxBuffer: 64 << 20 }),
  ) as {
    testzip: string | null;
    comment: number;
    entries: PyEntry[];
  };
}

/** Check with Python that the zip holds exactly `sources` (plus folders), byte for byte. */
function expectPythonRoundTrip(zipPath: string, sources: { name: string; data: Buffer }[]): PyEntry[] {
  const py = python(zipPath);
  expect(py.testzip).toBeNull();
  const files = py.entries.filter((e) => !e.is_dir);
  expect(files.map((e) => e.name).sort()).toEqual(sources.map((s) => s.name).sort());
  for (const s of sources) {
    const e = files.find((f) => f.name === s.name)!;
    expect(e.size, s.name).toBe(s.data.length);
    expect(e.sha256, s.name).toBe(sha256Hex(s.data));
  }
  return py.entries;
}

const small = Buffer.from('#!/bin/sh\nexec ./lib/ld-linux-x86-64.so.2 ./app "$@"\n');
const text = compressible(300_000, 7);

function sampleSources(): ZipSource[] {
  return [
    { name: 'bootstrap', data: small, mode: 0o755 },
    { name: 'lib/libfoo.so.1', data: text, mode: 0o555 },
    { name: 'lib/sub/data.txt', data: Buffer.from('plain\n'), mode: 0o644 },
    { name: 'lib/sub/shared.txt', data: Buffer.from('group and world writable\n'), mode: 0o666 },
    { name: 'share/empty', data: Buffer.alloc(0), mode: 0o600 },
    { name: 'share/loaded.txt', data: () => Promise.resolve(compressible(50_000, 3)), mode: 0o700 },
    { name: 'lib-a', data: Buffer.from('sorts before lib/ in byte order\n'), mode: 0o644 },
  ];
}

describe('writeZip: determinism', () => {
  it('gives identical bytes for the same input, any input order and any concurrency', async () => {
    const d = fresh();
    const a = await writeZip(sampleSources(), path.join(d, 'a.zip'), {});
    const b = await writeZip(sampleSources(), path.join(d, 'b.zip'), {});
    const c = await writeZip(sampleSources().reverse(), path.join(d, 'c.zip'), { concurrency: 1 });
    const shuffled = sampleSources();
    [shuffled[0], shuffled[3]] = [shuffled[3]!, shuffled[0]!];
    const e = await writeZip(shuffled, path.join(d, 'e.zip'), { concurrency: 8 });

    const bytes = [a, b, c, e].map((r) => fs.readFileSync(r.path));
    expect(bytes[0]!.length).toBe(a.bytes);
    for (const other of bytes.slice(1)) expect(other.equals(bytes[0]!)).toBe(true);
    expect(new Set([a, b, c, e].map((r) => r.codeSha256)).size).toBe(1);
    // The large file went to a worker thread (files under 64 KiB are deflated on this one).
    expect(text.length).toBeGreaterThan(64 * 1024);
  });

  it('sorts entries by name bytes, adds every parent folder, and writes fixed headers', async () => {
    const d = fresh();
    const r = await writeZip(sampleSources(), path.join(d, 'x.zip'));
    const listing = listZip(r.path);
    const names = listing.map((e) => e.name);
    expect(names).toEqual([
      'bootstrap',
      'lib-a',
      'lib/',
      'lib/libfoo.so.1',
      'lib/sub/',
      'lib/sub/data.txt',
      'lib/sub/shared.txt',
      'share/',
      'share/empty',
      'share/loaded.txt',
    ]);
    expect(r.entries).toBe(names.length);
    const inputs = sampleSources();
    let unzipped = 0;
    for (const s of inputs)
      unzipped += typeof s.data === 'function' ? (await s.data()).length : s.data.length;
    expect(r.unzippedBytes).toBe(unzipped);

    const py = python(r.path);
    expect(py.comment).toBe(0);
    for (const e of py.entries) {
      expect(e.create_system, e.name).toBe(3);
      expect(e.create_version, e.name).toBe(20);
      expect(e.extract_version, e.name).toBe(20);
      expect(e.flag_bits, e.name).toBe(0);
      expect(e.date_time, e.name).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(e.extra, e.name).toBe(0);
      expect(e.comment, e.name).toBe(0);
      expect(e.internal_attr, e.name).toBe(0);
      const mode = e.external_attr >>> 16;
      if (e.is_dir) expect(mode, e.name).toBe(0o040755);
      else expect([0o100755, 0o100644], e.name).toContain(mode);
      expect(e.external_attr & 0xffff, e.name).toBe(0);
    }
    // No data descriptors: the local headers carry the sizes, which verifyZip cross-checks.
    verifyZip(r.path);
    verifyZip(fs.readFileSync(r.path));
  });

  it('sets the UTF-8 flag only for entries whose name is not ASCII', async () => {
    const d = fresh();
    const r = await writeZip(
      [
        { name: 'caf\u00e9/men\u00fc.txt', data: Buffer.from('utf8'), mode: 0o644 },
        { name: 'ascii.txt', data: Buffer.from('ascii'), mode: 0o644 },
      ],
      path.join(d, 'u.zip'),
    );
    const flags = Object.fromEntries(python(r.path).entries.map((e) => [e.name, e.flag_bits]));
    expect(flags).toEqual({ 'ascii.txt': 0, 'caf\u00e9/': 0x800, 'caf\u00e9/men\u00fc.txt': 0x800 });
  });
});

describe('writeZip: modes, as Info-ZIP sees them', () => {
  it('shows -rwxr-xr-x for executables, -rw-r--r-- for 0644 and 0666, unx, and the folders', async () => {
    const d = fresh();
    const r = await writeZip(sampleSources(), path.join(d, 'm.zip'));
    const lines = execFileSync('zipinfo', [r.path], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /^[-d]r/.test(l));
    const byName = new Map(lines.map((l) => [l.trim().split(/\s+/).pop()!, l]));
    const perms = (name: string): string => {
      const line = byName.get(name);
      if (!line) throw new Error(`zipinfo does not list ${name}:\n${lines.join('\n')}`);
      return line.split(/\s+/)[0]!;
    };
    expect(perms('bootstrap')).toBe('-rwxr-xr-x');
    expect(perms('lib/libfoo.so.1')).toBe('-rwxr-xr-x'); // 0555
    expect(perms('share/loaded.txt')).toBe('-rwxr-xr-x'); // 0700
    expect(perms('lib/sub/data.txt')).toBe('-rw-r--r--'); // 0644
    expect(perms('lib/sub/shared.txt')).toBe('-rw-r--r--'); // 0666
    expect(perms('share/empty')).toBe('-rw-r--r--'); // 0600
    for (const folder of ['lib/', 'lib/sub/', 'share/']) expect(perms(folder)).toBe('drwxr-xr-x');
    expect(lines.length).toBe(10);
    for (const l of lines) {
      expect(l.split(/\s+/)[2], l).toBe('unx');
      expect(l, l).toContain('80-Jan-01 00:00');
    }

    // unzip tests every CRC and extracts with the modes.
    execFileSync('unzip', ['-tq', r.path]);
    const out = path.join(d, 'x');
    execFileSync('unzip', ['-q', r.path, '-d', out]);
    expect(fs.statSync(path.join(out, 'bootstrap')).mode & 0o111).toBe(0o111);
    expect(fs.statSync(path.join(out, 'lib/sub/data.txt')).mode & 0o111).toBe(0);
    expect(fs.readFileSync(path.join(out, 'bootstrap')).equals(small)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'lib/libfoo.so.1')).equals(text)).toBe(true);
  });
});

describe('writeZip: contents round-trip through Python zipfile and adm-zip', () => {
  const random5 = randomBytes(5 * 1024 * 1024);
  const text7 = compressible(7 * 1024 * 1024, 42);

  it('handles empty files, small text, 5 MB random (stored) and 7 MB compressible', async () => {
    const d = fresh();
    const sources = [
      { name: 'empty', data: Buffer.alloc(0), mode: 0o644 },
      { name: 'dir/empty-too', data: Buffer.alloc(0), mode: 0o755 },
      { name: 'small.txt', data: Buffer.from('hello, lambda\n'), mode: 0o644 },
      { name: 'x', data: Buffer.from('x'), mode: 0o644 },
      { name: 'random.bin', data: random5, mode: 0o644 },
      { name: 'big/text.txt', data: text7, mode: 0o755 },
    ];
    const r = await writeZip(sources, path.join(d, 'c.zip'));
    expectPythonRoundTrip(r.path, sources);
    verifyZip(r.path);

    const listing = new Map(listZip(r.path).map((e) => [e.name, e]));
    expect(listing.get('random.bin')).toMatchObject({
      method: 0,
      size: random5.length,
      compressedSize: random5.length,
    });
    expect(listing.get('x')).toMatchObject({ method: 0, size: 1, compressedSize: 1 }); // deflate would be bigger
    expect(listing.get('empty')).toMatchObject({ method: 0, size: 0, compressedSize: 0, crc: 0 });
    const big = listing.get('big/text.txt')!;
    expect(big.method).toBe(8);
    expect(big.crc).toBe(crc32(text7));
    expect(big.compressedSize).toBeLessThan(text7.length / 2);
    expect(listing.get('small.txt')?.crc).toBe(zlib.crc32('hello, lambda\n'));
  });

  it('deflates large files on worker threads into one valid stream each, whatever the concurrency', async () => {
    const d = fresh();
    const sources = [
      { name: 'big/text.txt', data: text7, mode: 0o644 },
      { name: 'big/copy.txt', data: Buffer.from(text7), mode: 0o644 },
      { name: 'small.txt', data: Buffer.from('small'), mode: 0o644 },
    ];
    const r = await writeZip(sources, path.join(d, 'many.zip'), { concurrency: 3 });
    const one = await writeZip(sources, path.join(d, 'one.zip'), { concurrency: 1 });
    expect(fs.readFileSync(r.path).equals(fs.readFileSync(one.path))).toBe(true);
    expectPythonRoundTrip(r.path, sources);
    verifyZip(r.path);
    execFileSync('unzip', ['-tq', r.path]);
    const e = listZip(r.path).find((x) => x.name === 'big/text.txt')!;
    expect(e.method).toBe(8);
    // Inflating the stored stream directly gives the input back too.
    const zipBytes = fs.readFileSync(r.path);
    const local = zipBytes.indexOf(Buffer.from('big/text.txt')) + Buffer.byteLength('big/text.txt');
    expect(zlib.inflateRawSync(zipBytes.subarray(local, local + e.compressedSize)).equals(text7)).toBe(true);
  });

  it("gives the same bytes when the workers take the sources' memory (transferSources)", async () => {
    const d = fresh();
    const make = () => [
      { name: 'big/text.txt', data: Buffer.from(text7), mode: 0o644 },
      { name: 'big/random.bin', data: Buffer.from(random5), mode: 0o755 },
      { name: 'small.txt', data: Buffer.from('small'), mode: 0o644 },
    ];
    const copied = await writeZip(make(), path.join(d, 'copied.zip'));
    const moved = await writeZip(make(), path.join(d, 'moved.zip'), { transferSources: true });
    expect(fs.readFileSync(moved.path).equals(fs.readFileSync(copied.path))).toBe(true);
    verifyZip(moved.path);
  });

  it('serves compressed files from the cache, giving the same bytes, and ignores a damaged entry', async () => {
    const d = fresh();
    const cacheDir = path.join(d, 'cache');
    const sources = [
      { name: 'big/text.txt', data: text7, mode: 0o644 },
      { name: 'small.txt', data: Buffer.from('small'), mode: 0o644 },
    ];
    const cold = await writeZip(sources, path.join(d, 'cold.zip'), { cacheDir });
    expect(cold.cached).toEqual({ entries: 0, bytes: 0 });
    const warm = await writeZip(sources, path.join(d, 'warm.zip'), { cacheDir });
    expect(warm.cached).toEqual({ entries: 1, bytes: text7.length });
    expect(fs.readFileSync(warm.path).equals(fs.readFileSync(cold.path))).toBe(true);
    // Damage the cached entry: it is not trusted, and the zip is still right.
    const [entry] = fs.readdirSync(cacheDir);
    const file = path.join(cacheDir, entry!);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 1]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    const again = await writeZip(sources, path.join(d, 'again.zip'), { cacheDir });
    expect(again.cached.entries).toBe(0);
    expect(fs.readFileSync(again.path).equals(fs.readFileSync(cold.path))).toBe(true);
    verifyZip(again.path);
  });

  it('keeps the cache folder under its bound, dropping the least recently used entries first', async () => {
    expect(DEFLATE_CACHE_MAX_BYTES).toBe(512 * 1024 * 1024);
    const d = fresh();
    const cacheDir = path.join(d, 'cache');
    const one = compressible(400_000, 11);
    const two = compressible(400_000, 12);
    await writeZip([{ name: 'one.txt', data: one, mode: 0o644 }], path.join(d, '1.zip'), { cacheDir });
    const [first] = fs.readdirSync(cacheDir);
    const size = fs.statSync(path.join(cacheDir, first!)).size;
    // An old entry of this size, then a run whose own entry alone fits the bound.
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(cacheDir, first!), old, old);
    await writeZip([{ name: 'two.txt', data: two, mode: 0o644 }], path.join(d, '2.zip'), {
      cacheDir,
      cacheMaxBytes: size + 1000,
    });
    const left = fs.readdirSync(cacheDir);
    expect(left).toHaveLength(1);
    expect(left).not.toContain(first);
    // Within the bound, nothing is removed.
    await writeZip([{ name: 'one.txt', data: one, mode: 0o644 }], path.join(d, '3.zip'), { cacheDir });
    expect(fs.readdirSync(cacheDir)).toHaveLength(2);
  });

  it('stores everything at level 0, and writes an empty zip for no sources', async () => {
    const d = fresh();
    const sources = [{ name: 'a/t', data: text, mode: 0o644 }];
    const r = await writeZip(sources, path.join(d, 'l0.zip'), { level: 0 });
    expect(listZip(r.path).map((e) => e.method)).toEqual([0, 0]);
    expectPythonRoundTrip(r.path, sources);

    const empty = await writeZip([], path.join(d, 'empty.zip'));
    expect(empty).toMatchObject({ bytes: 22, entries: 0, unzippedBytes: 0 });
    expect(python(empty.path)).toEqual({ testzip: null, comment: 0, entries: [] });
  });
});

describe('writeZip: result', () => {
  it("reports the zip's CodeSha256: the SHA-256 that sha256sum computes, in base64", async () => {
    const d = fresh();
    const r = await writeZip(sampleSources(), path.join(d, 'h.zip'));
    const hex = execFileSync('sha256sum', [r.path], { encoding: 'utf8' }).split(/\s+/)[0]!;
    expect(r.codeSha256).toBe(Buffer.from(hex, 'hex').toString('base64'));
    expect(r.bytes).toBe(fs.statSync(r.path).size);
    expect(r.path).toBe(path.resolve(d, 'h.zip'));
  });

  it('calls each loader exactly once', async () => {
    const d = fresh();
    const calls = new Map<string, number>();
    const sources: ZipSource[] = ['b', 'a/c', 'a/b'].map((name) => ({
      name,
      mode: 0o644,
      data: () => {
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return Promise.resolve(compressible(3 * 1024 * 1024, name.length));
      },
    }));
    await writeZip(sources, path.join(d, 'once.zip'), {});
    expect(Object.fromEntries(calls)).toEqual({ 'a/b': 1, 'a/c': 1, b: 1 });
  });
});

describe('writeZip: failures', () => {
  function leftovers(d: string): string[] {
    return fs.readdirSync(d).sort();
  }

  it('leaves no temporary file and keeps the old zip when a loader rejects mid-way', async () => {
    const d = fresh();
    const outPath = path.join(d, 'function.zip');
    fs.writeFileSync(outPath, 'the previous zip');
    const sources: ZipSource[] = [
      { name: 'a-first', data: randomBytes(3 * 1024 * 1024), mode: 0o644 },
      { name: 'b-second', data: compressible(2 * 1024 * 1024), mode: 0o644 },
      {
        name: 'c-broken',
        mode: 0o644,
        data: () =>
          new Promise<Buffer>((_resolve, reject) => {
            setTimeout(() => {
              reject(new Error('disk on fire'));
            }, 20);
          }),
      },
      { name: 'd-never', data: Buffer.from('never written'), mode: 0o644 },
    ];
    await expect(writeZip(sources, outPath)).rejects.toThrow(/c-broken.*disk on fire/);
    expect(fs.readFileSync(outPath, 'utf8')).toBe('the previous zip');
    expect(leftovers(d)).toEqual(['function.zip']);

    const fresher = path.join(d, 'new.zip');
    await expect(writeZip(sources, fresher)).rejects.toThrow(/disk on fire/);
    expect(fs.existsSync(fresher)).toBe(false);
    expect(leftovers(d)).toEqual(['function.zip']);
  });

  it('rejects a loader that returns something other than a Buffer', async () => {
    const d = fresh();
    const bad = { name: 'bad', mode: 0o644, data: () => Promise.resolve('a string' as unknown as Buffer) };
    await expect(writeZip([bad], path.join(d, 'z.zip'))).rejects.toThrow(/"bad".*not a Buffer/);
    expect(leftovers(d)).toEqual([]);
  });

  it.each([
    [
      'a duplicate',
      [
        { name: 'lib/x', data: Buffer.from('1'), mode: 0o644 },
        { name: 'lib/x', data: Buffer.from('2'), mode: 0o644 },
      ],
      /duplicate.*"lib\/x"/,
    ],
    [
      'a .. segment',
      [{ name: 'lib/../../etc/passwd', data: Buffer.from(''), mode: 0o644 }],
      /"lib\/\.\.\/\.\.\/etc\/passwd".*'\.\.'/,
    ],
    ['a leading ..', [{ name: '../x', data: Buffer.from(''), mode: 0o644 }], /"\.\.\/x"/],
    [
      'an absolute name',
      [{ name: '/etc/passwd', data: Buffer.from(''), mode: 0o644 }],
      /"\/etc\/passwd".*absolute/,
    ],
    [
      'a trailing slash',
      [{ name: 'lib/', data: Buffer.from(''), mode: 0o644 }],
      /"lib\/".*empty path segment/,
    ],
    ['a backslash', [{ name: 'lib\\x', data: Buffer.from(''), mode: 0o644 }], /separator/],
    ['an empty name', [{ name: '', data: Buffer.from(''), mode: 0o644 }], /non-empty/],
    [
      'a file that is also a folder',
      [
        { name: 'lib', data: Buffer.from(''), mode: 0o644 },
        { name: 'lib/x', data: Buffer.from(''), mode: 0o644 },
      ],
      /"lib" is both a file and a folder/,
    ],
    [
      'a symlink mode',
      [{ name: 'link', data: Buffer.from(''), mode: 0o120777 }],
      /"link".*not a regular file/,
    ],
  ])('rejects %s, creating nothing', async (_what, sources, pattern) => {
    const d = fresh();
    await expect(writeZip(sources, path.join(d, 'r.zip'))).rejects.toThrow(pattern);
    expect(leftovers(d)).toEqual([]);
  });

  it('explains a missing output folder', async () => {
    const d = fresh();
    const s = [{ name: 'a', data: Buffer.from('a'), mode: 0o644 }];
    await expect(writeZip(s, path.join(d, 'missing', 'o.zip'))).rejects.toThrow(
      /cannot create a temporary file.*ENOENT/,
    );
    expect(leftovers(d)).toEqual([]);
  });

  it('rejects bad options', async () => {
    const d = fresh();
    const s = [{ name: 'a', data: Buffer.from('a'), mode: 0o644 }];
    await expect(writeZip(s, path.join(d, 'o.zip'), { level: 13 })).rejects.toThrow(/level/);
    await expect(writeZip(s, path.join(d, 'o.zip'), { concurrency: 0 })).rejects.toThrow(/concurrency/);
    expect(leftovers(d)).toEqual([]);
  });
});
