import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkName, crc32, encodeName, fileMode, tableCrc32 } from '../../../src/zip/format.js';

describe('CRC-32', () => {
  it('falls back to a table CRC-32 that agrees with zlib', () => {
    const data = randomBytes(100_003);
    expect(tableCrc32(data)).toBe(zlib.crc32(data));
    expect(tableCrc32(data.subarray(5000), tableCrc32(data.subarray(0, 5000)))).toBe(zlib.crc32(data));
    expect(tableCrc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(tableCrc32(Buffer.alloc(0))).toBe(0);
  });
  it("is zlib's when Node has it", () => {
    const data = randomBytes(1000);
    expect(crc32(data)).toBe(zlib.crc32(data));
  });
});

describe('entry names and modes', () => {
  it('takes relative names and refuses what a zip reader could misplace', () => {
    expect(checkName('lib/libz.so.1')).toBe('lib/libz.so.1');
    for (const bad of ['', '/abs', 'C:/x', 'a\\b', 'a/../b', './a', 'a//b', 'a/', 'nul\0'])
      expect(() => checkName(bad), bad).toThrow(/zip: invalid entry name/);
    expect(encodeName('ünï').length).toBe(5);
  });

  it('normalises modes to 0755 or 0644 regular files', () => {
    expect(fileMode('a', 0o700)).toBe(0o100755);
    expect(fileMode('a', 0o600)).toBe(0o100644);
    expect(fileMode('a', 0o100666)).toBe(0o100644);
    expect(() => fileMode('a', 0o040755)).toThrow(/not a regular file/);
  });
});
