import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listZip, readZipEntry, verifyZip } from '../../../src/zip/read.js';
import { writeZip } from '../../../src/zip/write.js';
import { compressible } from '../../support/prng.js';

const d = fs.mkdtempSync(path.join(os.tmpdir(), 'zip-read-'));
afterAll(() => {
  fs.rmSync(d, { recursive: true, force: true });
});

describe('readZipEntry', () => {
  it("gives a file's bytes, undefined for a missing file or a folder, and throws for what is not a zip", async () => {
    const r = await writeZip(
      [
        { name: 'bootstrap', data: Buffer.from('\x7fELF program'), mode: 0o755 },
        { name: 'lib/libz.so.1', data: compressible(5000), mode: 0o644 },
      ],
      path.join(d, 'e.zip'),
    );
    const bytes = fs.readFileSync(r.path);
    expect(readZipEntry(bytes, 'bootstrap')?.toString()).toBe('\x7fELF program');
    expect(readZipEntry(bytes, 'lib/libz.so.1')?.equals(compressible(5000))).toBe(true);
    expect(readZipEntry(bytes, 'missing')).toBeUndefined();
    expect(readZipEntry(bytes, 'lib/')).toBeUndefined();
    expect(() => readZipEntry(Buffer.from('not a zip at all'), 'bootstrap')).toThrow();
    expect(listZip(bytes).map((e) => e.name)).toEqual(['bootstrap', 'lib/', 'lib/libz.so.1']);
  });
});

describe('verifyZip', () => {
  it('throws on a corrupted entry and on a local header that disagrees', async () => {
    const r = await writeZip(
      [{ name: 'a.txt', data: compressible(100_000), mode: 0o644 }],
      path.join(d, 'v.zip'),
    );
    const good = fs.readFileSync(r.path);
    expect(() => {
      verifyZip(good);
    }).not.toThrow();

    const flipped = Buffer.from(good);
    const at = 30 + 5 + 1000; // inside the deflated data of a.txt
    flipped[at] = flipped[at]! ^ 0xff;
    expect(() => {
      verifyZip(flipped);
    }).toThrow();

    const badLocal = Buffer.from(good);
    badLocal.writeUInt32LE(badLocal.readUInt32LE(14) ^ 1, 14); // local CRC
    expect(() => {
      verifyZip(badLocal);
    }).toThrow(/"a.txt"/);
  });
});
