import { describe, expect, it } from 'vitest';
import { sizeWarnings } from '../../../src/bundle/limits.js';
import { LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_LIMIT } from '../../../src/lambda.js';

const MiB = 1024 * 1024;

describe("Lambda's limits, ahead of time", () => {
  it('says nothing below 80% of either limit', () => {
    expect(sizeWarnings({ zipBytes: 39 * MiB, unzippedBytes: 199 * MiB }, { viaS3: false })).toEqual([]);
  });

  it('warns from 80% of the 50 MB direct upload, unless the zip goes through S3', () => {
    const near = { zipBytes: 0.8 * LAMBDA_ZIP_LIMIT, unzippedBytes: MiB };
    expect(sizeWarnings(near, { viaS3: false })).toEqual([
      {
        title: 'Zip near the direct-upload limit',
        message:
          "the zip is 40.0 MiB, 80% of Lambda's 50.0 MiB limit for a direct upload; past it UpdateFunctionCode refuses the zip: set s3-bucket (a bucket in the Region) to deploy it through S3.",
      },
    ]);
    expect(sizeWarnings(near, { viaS3: true })).toEqual([]);
    expect(sizeWarnings({ zipBytes: LAMBDA_ZIP_LIMIT + 1, unzippedBytes: MiB }, { viaS3: false })).toEqual([
      expect.objectContaining({ title: 'Zip over the direct-upload limit' }),
    ]);
  });

  it('warns from 80% of the 250 MB unzipped, up to the limit (over it the package stage fails)', () => {
    expect(
      sizeWarnings({ zipBytes: MiB, unzippedBytes: 0.9 * LAMBDA_UNZIPPED_LIMIT }, { viaS3: true }),
    ).toEqual([
      {
        title: 'Bundle near the unzipped limit',
        message:
          "the bundle is 225.0 MiB unzipped, 90% of Lambda's 250.0 MiB limit, which counts the function's layers too; past it Lambda refuses the code: trim the closure (removeReferencesTo, split outputs, smaller dependencies) or ship large data in a layer.",
      },
    ]);
    expect(
      sizeWarnings({ zipBytes: MiB, unzippedBytes: LAMBDA_UNZIPPED_LIMIT + 1 }, { viaS3: true }),
    ).toEqual([]);
  });
});
