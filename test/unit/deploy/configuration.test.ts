import { describe, expect, it } from 'vitest';
import {
  creationSettings,
  describeChange,
  desiredEnvironment,
  planConfiguration,
} from '../../../src/deploy/configuration.js';
import { NO_CONFIGURATION as NONE } from '../../support/doubles.js';

describe('planConfiguration', () => {
  it('plans nothing when no setting is given', () => {
    const plan = planConfiguration(
      'f',
      { MemorySize: 128, Timeout: 3, Environment: { Variables: { A: '1' } } },
      NONE,
      {},
    );
    expect(plan).toEqual({ update: {}, changes: [] });
  });

  it('plans only the settings that differ', () => {
    const plan = planConfiguration(
      'f',
      {
        MemorySize: 128,
        Timeout: 3,
        Description: 'x',
        EphemeralStorage: { Size: 512 },
        Layers: [{ Arn: 'L1' }],
      },
      { ...NONE, memorySize: 128, timeout: 10, description: 'x', ephemeralStorage: 1024, layers: ['L1'] },
      {},
    );
    expect(plan.update).toEqual({ Timeout: 10, EphemeralStorage: { Size: 1024 } });
    expect(plan.changes.map((c) => c.setting)).toEqual(['Timeout', 'EphemeralStorage']);
  });

  it('treats layer order as significant and [] as "remove all"', () => {
    const cur = { Layers: [{ Arn: 'L1' }, { Arn: 'L2' }] };
    expect(planConfiguration('f', cur, { ...NONE, layers: ['L2', 'L1'] }, {}).update).toEqual({
      Layers: ['L2', 'L1'],
    });
    expect(planConfiguration('f', cur, { ...NONE, layers: [] }, {}).update).toEqual({ Layers: [] });
    expect(planConfiguration('f', cur, { ...NONE, layers: ['L1', 'L2'] }, {}).update).toEqual({});
  });

  it('refuses to rewrite an environment Lambda could not decrypt', () => {
    const cur = { Environment: { Error: { ErrorCode: 'KMSAccessDeniedException', Message: 'no key' } } };
    expect(() => planConfiguration('f', cur, { ...NONE, environment: { A: '1' } }, {})).toThrow(
      /cannot be changed without losing/,
    );
  });
});

describe('desiredEnvironment', () => {
  const cur = { A: '1', B: '2' };
  it('merge keeps unnamed variables, replace drops them, absent input leaves them', () => {
    expect(desiredEnvironment(cur, { environment: { B: '3' }, environmentMode: 'merge' }, {})).toEqual({
      A: '1',
      B: '3',
    });
    expect(desiredEnvironment(cur, { environment: { B: '3' }, environmentMode: 'replace' }, {})).toEqual({
      B: '3',
    });
    expect(desiredEnvironment(cur, { environment: undefined, environmentMode: 'replace' }, {})).toEqual(cur);
  });
  it('adds the bundle variables unless the user names them', () => {
    const rt = { SSL_CERT_FILE: '/var/task/ca.pem', LOCALE_ARCHIVE: '/var/task/locale' };
    expect(
      desiredEnvironment({}, { environment: { SSL_CERT_FILE: 'mine' }, environmentMode: 'replace' }, rt),
    ).toEqual({
      SSL_CERT_FILE: 'mine',
      LOCALE_ARCHIVE: '/var/task/locale',
    });
    expect(
      desiredEnvironment({ SSL_CERT_FILE: 'old' }, { environment: undefined, environmentMode: 'merge' }, rt),
    ).toEqual(rt);
  });
  it('change descriptions never carry values', () => {
    const { changes } = creationSettings('f', { ...NONE, environment: { TOKEN: 's3cr3t' } }, {});
    expect(changes).toEqual([{ function: 'f', setting: 'Environment.TOKEN', from: null, to: '(set)' }]);
    expect(changes.map(describeChange).join()).not.toContain('s3cr3t');
  });
});
