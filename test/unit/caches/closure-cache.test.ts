import { describe, expect, it } from 'vitest';
import {
  closureCacheDir,
  closureCacheKey,
  closureCacheUnavailable,
  closureSubstituter,
} from '../../../src/caches/closure-cache.js';

describe('closure cache', () => {
  it('keys on OS, architecture, installable and flake.lock; restore prefix without the lock', () => {
    const k1 = closureCacheKey({
      platform: 'linux',
      arch: 'x64',
      installable: '/w#default',
      lockHash: 'aaa',
    });
    const k2 = closureCacheKey({
      platform: 'linux',
      arch: 'x64',
      installable: '/w#default',
      lockHash: 'bbb',
    });
    const k3 = closureCacheKey({
      platform: 'linux',
      arch: 'arm64',
      installable: '/w#default',
      lockHash: 'aaa',
    });
    const k4 = closureCacheKey({ platform: 'linux', arch: 'x64', installable: '/w#other', lockHash: 'aaa' });
    expect(k1.key).toMatch(/^nix-lambda-closure-v1-linux-x64-[0-9a-f]{16}-aaa$/);
    expect(k1.key).not.toBe(k2.key);
    expect(k1.restoreKeys).toEqual(k2.restoreKeys);
    expect(k2.key.startsWith(k1.restoreKeys[0]!)).toBe(true);
    expect(k3.restoreKeys[0]).not.toBe(k1.restoreKeys[0]);
    expect(k4.restoreKeys[0]).not.toBe(k1.restoreKeys[0]);
  });
  it('lives at a stable path and is a trusted, preferred substituter', () => {
    expect(closureCacheDir({}, '/home/runner')).toBe('/home/runner/.cache/nix-lambda/closure');
    expect(closureCacheDir({ XDG_CACHE_HOME: '/c' }, '/home/runner')).toBe('/c/nix-lambda/closure');
    expect(closureSubstituter('/d')).toBe('file:///d?trusted=1&priority=10');
  });
  it('is skipped under act and without a cache service', () => {
    expect(closureCacheUnavailable({ isAct: true, hasCacheService: false })).toMatch(/act/);
    expect(closureCacheUnavailable({ isAct: false, hasCacheService: false })).toMatch(/ACTIONS_CACHE_URL/);
    expect(closureCacheUnavailable({ isAct: false, hasCacheService: true })).toBeUndefined();
  });
});
