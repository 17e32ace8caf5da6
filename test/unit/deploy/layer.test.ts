import { describe, expect, it } from 'vitest';
import {
  checkLayerLimits,
  deletedLayerVersion,
  desiredLayers,
  layerArnFor,
  unversioned,
} from '../../../src/deploy/layer.js';
import { ActionError } from '../../../src/util/errors.js';

const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:api';
const L = 'arn:aws:lambda:eu-west-1:123456789012:layer:libs';
const other = (n: string, v: number): string => `arn:aws:lambda:eu-west-1:123456789012:layer:${n}:${v}`;
const MB = 1024 * 1024;

describe('the function’s layers with the library layer', () => {
  it('keeps the other layers, replaces an older version, puts the new one last', () => {
    expect(layerArnFor(FN, 'libs')).toBe(L);
    expect(unversioned(`${L}:7`)).toBe(L);
    expect(desiredLayers([other('ext', 2), `${L}:3`, other('x', 1)], undefined, L, `${L}:4`)).toEqual([
      other('ext', 2),
      other('x', 1),
      `${L}:4`,
    ]);
    expect(desiredLayers([], undefined, L, `${L}:1`)).toEqual([`${L}:1`]);
  });
  it('takes `layers`, when given, instead of the current ones', () => {
    expect(desiredLayers([other('old', 1)], [other('ext', 2)], L, `${L}:4`)).toEqual([
      other('ext', 2),
      `${L}:4`,
    ]);
    expect(desiredLayers([other('old', 1)], [], L, `${L}:4`)).toEqual([`${L}:4`]);
  });
});

describe('the limits', () => {
  const sizes = { functionBytes: 1 * MB, layerBytes: 100 * MB };
  it('five layers at most', () => {
    const six = ['a', 'b', 'c', 'd', 'e'].map((n) => other(n, 1)).concat(`${L}:1`);
    expect(() => {
      checkLayerLimits('api', undefined, six, sizes, L);
    }).toThrow(ActionError);
    expect(() => {
      checkLayerLimits('api', undefined, six.slice(1), sizes, L);
    }).not.toThrow();
  });
  it('250 MB unzipped for the function, the library layer and the other layers it keeps (their CodeSize)', () => {
    const cfg = {
      Layers: [
        { Arn: other('big', 1), CodeSize: 150 * MB },
        { Arn: `${L}:1`, CodeSize: 90 * MB },
      ],
    };
    const keep = [other('big', 1), `${L}:2`];
    expect(() => {
      checkLayerLimits('api', cfg, keep, sizes, L);
    }).toThrow(/come to 251\.0 MiB unzipped/);
    // The replaced version of the library layer does not count, nor a layer the function drops.
    expect(() => {
      checkLayerLimits('api', cfg, [`${L}:2`], sizes, L);
    }).not.toThrow();
  });
});

describe('a layer version deleted meanwhile', () => {
  it('is read from Lambda’s message, through the causes', () => {
    const aws = Object.assign(new Error(`Layer version ${L}:3 does not exist.`), {
      name: 'InvalidParameterValueException',
    });
    const wrapped = new ActionError('UpdateFunctionConfiguration failed', 'failed', { cause: aws });
    expect(deletedLayerVersion(wrapped)).toBe(`${L}:3`);
    expect(deletedLayerVersion(new Error('other'))).toBeUndefined();
  });
});
