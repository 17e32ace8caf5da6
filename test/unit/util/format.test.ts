import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, plural } from '../../../src/util/format.js';

describe('formatBytes', () => {
  it('writes bytes, KiB, MiB and GiB', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(5 * 1024 * 1024 * 1024)).toBe('5.00 GiB');
  });
});

describe('formatDuration', () => {
  it('writes milliseconds under a second, tenths of seconds above', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1530)).toBe('1.5 s');
  });
});

describe('plural', () => {
  it('takes the singular for one, the plural (given or with s) otherwise', () => {
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(0, 'file')).toBe('0 files');
    expect(plural(2, 'library', 'libraries')).toBe('2 libraries');
  });
});
