import { describe, expect, it } from 'vitest';
import { applyPushFilter, copiedPaths, withStoreParam } from '../../../src/caches/push.js';

const A = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-app';
const B = '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-glibc-2.40';
const S = '/nix/store/ssssssssssssssssssssssssssssssss-source';

describe('push helpers', () => {
  it('push-filter removes matching paths', () => {
    expect(applyPushFilter([A, B, S], '-source$|glibc')).toEqual({ keep: [A], skipped: [B, S] });
    expect(applyPushFilter([A, B], undefined)).toEqual({ keep: [A, B], skipped: [] });
  });
  it("counts the paths nix copy reports copying (Nix's own words)", () => {
    const out = `copying 2 paths...\ncopying path '${B}' to 'file:///c'...\ncopying path '${A}' to 'file:///c'...\n`;
    expect(copiedPaths(out)).toEqual([B, A]);
    expect(copiedPaths('copying 0 paths...\n')).toEqual([]);
  });
  it('adds store parameters to a URL', () => {
    expect(withStoreParam('file:///c', 'secret-key', '/k')).toBe('file:///c?secret-key=/k');
    expect(withStoreParam('s3://b?region=eu-west-1', 'secret-key', '/k')).toBe(
      's3://b?region=eu-west-1&secret-key=/k',
    );
  });
});
