import { describe, expect, it } from 'vitest';
import { ActionError } from '../../../src/util/errors.js';
import {
  parseBuildJson,
  parseNixVersion,
  parsePathInfoSizes,
  parseStorePaths,
} from '../../../src/nix/cli.js';

const A = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-app';
const B = '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-glibc-2.40';

describe('what nix prints, parsed', () => {
  it('reads the version of Nix and of Determinate Nix', () => {
    expect(parseNixVersion('nix (Nix) 2.8.0\n')).toBe('2.8.0');
    expect(parseNixVersion('nix (Determinate Nix 3.6.2) 2.29.0')).toBe('2.29.0');
    expect(() => parseNixVersion('command not found')).toThrow(ActionError);
  });

  it('reads one build result of nix build --json, and refuses none, several, or no JSON', () => {
    const one = { drvPath: '/nix/store/x.drv', outputs: { out: A } };
    expect(parseBuildJson(JSON.stringify([one]))).toEqual(one);
    expect(() => parseBuildJson('warning: not json')).toThrow(/not JSON/);
    expect(() => parseBuildJson('[]')).toThrow(/no build result/);
    expect(() => parseBuildJson(JSON.stringify([one, one]))).toThrow(/several packages/);
  });

  it('reads the store paths of path-info -r, each once, sorted', () => {
    expect(parseStorePaths(`${B}\n${A}\n\n${B}\nwarning: x\n`)).toEqual([A, B]);
  });

  it('reads NAR sizes from path-info --json of Nix 2.8 and of newer Nix', () => {
    const old = JSON.stringify([
      { path: A, narSize: 100 },
      { path: B, narSize: 20 },
    ]);
    const neu = JSON.stringify({ [A]: { narSize: 100 }, [B]: { narSize: 20 } });
    expect([...parsePathInfoSizes(old)]).toEqual([
      [A, 100],
      [B, 20],
    ]);
    expect([...parsePathInfoSizes(neu)]).toEqual([
      [A, 100],
      [B, 20],
    ]);
  });
});
