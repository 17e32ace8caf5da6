import { describe, expect, it } from 'vitest';
import { explainAwsError } from '../../../src/deploy/aws-errors.js';

describe('AWS errors', () => {
  it('explainAwsError names the permission on access denied and says where credentials come from', () => {
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(explainAwsError(denied, 'PublishVersion', 'api').message).toMatch(/lambda:PublishVersion on api/);
    const bad = Object.assign(new Error('The security token included in the request is invalid'), {
      name: 'UnrecognizedClientException',
      $metadata: { httpStatusCode: 403 },
    });
    expect(explainAwsError(bad, 'GetFunction', 'api').title).toBe('AWS credentials rejected');
  });
});
