import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { layerNameOf } from '../../../src/inputs/layer.js';
import { inputsParser } from '../../support/inputs.js';

const { ws, parse, problems } = inputsParser({
  stages: 'build,package,deploy',
  'aws-region': 'eu-west-1',
  'function-name': 'api',
});

const LAYER = (name: string, v: number): string => `arn:aws:lambda:eu-west-1:123456789012:layer:${name}:${v}`;

describe('library-layer', () => {
  it('is off by default, and a layer name when given', () => {
    expect(parse({}).layer).toBeUndefined();
    expect(parse({ 'library-layer': 'api-libs' }).layer).toEqual({ name: 'api-libs' });
    expect(parse({ stages: 'build,package', 'library-layer': 'api-libs' }).layer).toEqual({
      name: 'api-libs',
    });
  });

  it('refuses an ARN or a name Lambda does not take, naming the input', () => {
    expect(problems({ 'library-layer': LAYER('libs', 1) })).toEqual([
      expect.stringMatching(/^Input `library-layer`: ".*" is not a layer name .*the name, not an ARN/),
    ]);
    expect(problems({ 'library-layer': 'a'.repeat(141) })).toHaveLength(1);
  });

  it('needs the package stage in the same run', () => {
    const zip = path.join(ws, 'f.zip');
    fs.writeFileSync(zip, '');
    expect(problems({ stages: 'deploy', 'zip-path': zip, 'library-layer': 'libs' })).toEqual([
      expect.stringMatching(/^Input `library-layer`: the layer is made by the package stage/),
    ]);
  });

  it('with `layers`: none of its own versions, and at most four others; every problem at once', () => {
    expect(problems({ 'library-layer': 'libs', layers: `${LAYER('ext', 1)}\n${LAYER('libs', 3)}` })).toEqual([
      expect.stringMatching(/^Input `layers`: lists a version of libs, the library layer/),
    ]);
    const five = ['a', 'b', 'c', 'd', 'e'].map((n) => LAYER(n, 1)).join('\n');
    expect(problems({ 'library-layer': 'libs', layers: five, 'memory-size': '1' })).toEqual([
      expect.stringMatching(/^Input `memory-size`/),
      expect.stringMatching(
        /^Input `library-layer`: with the 5 layers of `layers` the function would have 6; Lambda takes at most 5/,
      ),
    ]);
    expect(
      problems({ 'library-layer': 'libs', layers: ['a', 'b', 'c', 'd'].map((n) => LAYER(n, 1)).join('\n') }),
    ).toEqual([]);
  });

  it('layerNameOf reads the name of a layer version ARN', () => {
    expect(layerNameOf(LAYER('api-libs', 12))).toBe('api-libs');
    expect(layerNameOf('arn:aws:lambda:eu-west-1:123456789012:function:api')).toBeUndefined();
  });
});
