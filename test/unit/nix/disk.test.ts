import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSpace, measureSpace } from '../../../src/nix/disk.js';

describe('free space', () => {
  it('measures a folder, or its nearest existing parent, with statfs', () => {
    const [tmp, missing] = measureSpace([os.tmpdir(), path.join(os.tmpdir(), 'no', 'such', 'folder')]);
    expect(tmp!.free).toBeGreaterThan(0);
    expect(tmp!.total).toBeGreaterThanOrEqual(tmp!.free!);
    expect(missing!.total).toBe(tmp!.total);
    expect(missing!.path).toMatch(/no\/such\/folder$/);
  });

  it('says it in one line per folder', () => {
    expect(
      describeSpace([
        { path: '/nix/store', free: 512 * 1024, total: 1024 * 1024 * 1024 },
        { path: '/x', free: undefined, total: undefined },
      ]),
    ).toBe('/nix/store: 512.0 KiB free of 1.00 GiB (0%); /x: could not be measured');
  });
});
