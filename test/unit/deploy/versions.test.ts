import { describe, expect, it } from 'vitest';
import { aliasedVersions, versionsToDelete } from '../../../src/deploy/versions.js';

describe('keep-versions', () => {
  it('collects the versions aliases point to, routing weights included', () => {
    expect(
      aliasedVersions([
        { Name: 'live', FunctionVersion: '7' },
        { Name: 'canary', FunctionVersion: '5', RoutingConfig: { AdditionalVersionWeights: { '6': 0.1 } } },
        { Name: 'latest', FunctionVersion: '$LATEST' },
      ]),
    ).toEqual(new Set(['7', '5', '6', '$LATEST']));
  });

  it('deletes beyond the newest N, never $LATEST, an aliased version or the current one; oldest first', () => {
    const published = ['$LATEST', '1', '2', '3', '10', '4', '5', '6'];
    expect(versionsToDelete(published, { keep: 2, aliased: new Set(['3']), current: '10' })).toEqual([
      '1',
      '2',
      '4',
      '5',
    ]);
    // The current version is kept even when it is not among the newest (an older version that held the code).
    expect(versionsToDelete(published, { keep: 1, aliased: new Set(), current: '2' })).toEqual([
      '1',
      '3',
      '4',
      '5',
      '6',
    ]);
    expect(versionsToDelete(['$LATEST', '1'], { keep: 3, aliased: new Set(), current: '1' })).toEqual([]);
  });
});
