import { describe, expect, it } from 'vitest';
import { elfArchitecture } from '../../../src/deploy/zipinfo.js';

describe('the zip to deploy', () => {
  it('elfArchitecture reads e_machine', () => {
    const h = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]).copy(h);
    h.writeUInt16LE(62, 18);
    expect(elfArchitecture(h)).toBe('x86_64');
    h.writeUInt16LE(183, 18);
    expect(elfArchitecture(h)).toBe('arm64');
    h[4] = 1; // 32-bit
    expect(() => elfArchitecture(h)).toThrow(/64-bit little-endian/);
  });
});
