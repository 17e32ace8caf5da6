import { describe, expect, it } from 'vitest';
import { dirnameRaw, expandTokens, joinRaw, nameMatcher, searchDirs } from '../../../src/bundle/loaded.js';

describe('path tokens and joins, as glibc takes them', () => {
  it('expands $ORIGIN, ${ORIGIN}, $LIB and $PLATFORM, and nothing that only starts like them', () => {
    expect(expandTokens('$ORIGIN/../lib:${ORIGIN}/x:$LIB:$PLATFORM/y:$ORIGINAL', '/o', 62)).toBe(
      '/o/../lib:/o/x:lib64:x86_64/y:$ORIGINAL',
    );
    expect(expandTokens('$PLATFORM', '/o', 183)).toBe('aarch64');
  });
  it('joins and splits without normalising `..` (the kernel resolves it through symlinks)', () => {
    expect(joinRaw('/a/bin/../lib', 'libx.so')).toBe('/a/bin/../lib/libx.so');
    expect(joinRaw('/a/', 'libx.so')).toBe('/a/libx.so');
    expect(dirnameRaw('/a/bin/../lib/libx.so')).toBe('/a/bin/../lib');
    expect(dirnameRaw('/libx.so')).toBe('/');
    expect(dirnameRaw('libx.so')).toBe('.');
  });
  it('splits a search path, dropping empty entries', () => {
    expect(searchDirs('$ORIGIN::/x', '/o', 62)).toEqual(['/o', '/x']);
    expect(searchDirs(undefined, '/o', 62)).toEqual([]);
  });
  it('matches library names against shell patterns', () => {
    const m = nameMatcher(['libGL*.so*', 'libx.so.1']);
    expect(['libGL.so.1', 'libGLX.so.0', 'libx.so.1', 'libx.so.10', 'libgl.so'].map(m)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
