import { describe, expect, it } from 'vitest';
import { DEFAULTS, InputSource, splitList } from '../../../src/inputs/read.js';

describe('InputSource', () => {
  const source = (values: Record<string, string>): InputSource => new InputSource((n) => values[n] ?? '');

  it('trims values and fills in the defaults; raw() keeps what was given', () => {
    const src = source({ flake: '  .#app  ', 'extra-nix-config': '  keep-going = true\n' });
    expect(src.get('flake')).toBe('.#app');
    expect(src.get('task-root')).toBe(DEFAULTS['task-root']);
    expect(src.raw('extra-nix-config')).toBe('  keep-going = true\n');
  });

  it('collects one problem per bad value, each naming its input, and goes on', () => {
    const src = source({ publish: 'maybe', 'memory-size': '64', runtime: 'nodejs20.x' });
    expect(src.bool('publish')).toBe(false);
    expect(src.int('memory-size', { min: 128, max: 10240 })).toBeUndefined();
    expect(src.oneOf('runtime', ['provided.al2023', 'provided.al2'] as const)).toBe('provided.al2023');
    expect(src.int('timeout', { min: 1, max: 900 })).toBeUndefined();
    expect(src.problems).toEqual([
      'Input `publish`: expected true or false, got "maybe".',
      'Input `memory-size`: expected a whole number from 128 to 10240, got "64".',
      'Input `runtime`: expected one of provided.al2023, provided.al2, got "nodejs20.x".',
    ]);
  });

  it('splits lists on commas and newlines, dropping blanks and comments', () => {
    expect(splitList('a, b\n# c\n\n d')).toEqual(['a', 'b', 'd']);
  });
});
