import { describe, expect, it } from 'vitest';
import { defaultS3Key } from '../../../src/deploy/s3.js';
import { codeSha256 } from '../../../src/util/hash.js';

describe('S3 uploads', () => {
  it('defaultS3Key uses the function name (also from an ARN) and the hex SHA-256', () => {
    const sha = codeSha256(Buffer.from('x'));
    const hex = Buffer.from(sha, 'base64').toString('hex');
    expect(defaultS3Key('api', sha)).toBe(`nix-lambda/api/${hex}.zip`);
    expect(defaultS3Key('arn:aws:lambda:us-east-1:123456789012:function:api', sha)).toBe(
      `nix-lambda/api/${hex}.zip`,
    );
  });
});
