import { describe, expect, it } from 'vitest';
import { netrcEntries, parseCacheInfo, substituterLines } from '../../../src/caches/cachix-api.js';

describe('cachix API answers', () => {
  it('parses a cache and drops malformed keys', () => {
    expect(
      parseCacheInfo(
        'demo',
        JSON.stringify({
          uri: 'https://demo.cachix.org/',
          isPublic: true,
          publicSigningKeys: ['demo.cachix.org-1:AbC=', 'bad key'],
        }),
      ),
    ).toEqual({
      name: 'demo',
      uri: 'https://demo.cachix.org',
      isPublic: true,
      publicSigningKeys: ['demo.cachix.org-1:AbC='],
    });
    expect(parseCacheInfo('x', 'not json')).toBeUndefined();
    expect(parseCacheInfo('x', JSON.stringify({ uri: 'ftp://x' }))).toBeUndefined();
  });
  it('yields one substituters line and one keys line, and netrc entries for private caches only', () => {
    const pub = { name: 'a', uri: 'https://a.cachix.org', isPublic: true, publicSigningKeys: ['a-1:AA=='] };
    const priv = { name: 'b', uri: 'https://b.cachix.org', isPublic: false, publicSigningKeys: ['b-1:BB=='] };
    expect(substituterLines([pub, priv])).toEqual([
      'extra-substituters = https://a.cachix.org https://b.cachix.org',
      'extra-trusted-public-keys = a-1:AA== b-1:BB==',
    ]);
    expect(substituterLines([])).toEqual([]);
    expect(netrcEntries([pub, priv], 'TOKEN')).toBe('machine b.cachix.org password TOKEN\n');
    expect(netrcEntries([priv], '')).toBe('');
  });
});
