import { LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_LIMIT } from '../lambda.js';
import { formatBytes } from '../util/format.js';

/**
 * Lambda's package limits, ahead of time: a warning once a zip reaches 80% of the 50 MB a direct
 * upload takes (when it does not go through S3), or a bundle 80% of the 250 MB unzipped limit
 * (which counts the function's layers too), so the limit is seen coming before a deploy fails on it.
 */

/** The share of a limit from which a warning is given. */
export const LIMIT_WARNING_SHARE = 0.8;

export interface SizeWarning {
  title: string;
  message: string;
}

function percent(part: number, whole: number): string {
  return `${Math.floor((part / whole) * 100)}%`;
}

/** The warnings for a zip of these sizes (none when both are below 80% of their limit). */
export function sizeWarnings(
  sizes: { zipBytes: number; unzippedBytes: number },
  o: { viaS3: boolean },
): SizeWarning[] {
  const out: SizeWarning[] = [];
  const { zipBytes, unzippedBytes } = sizes;
  if (!o.viaS3 && zipBytes > LAMBDA_ZIP_LIMIT)
    out.push({
      title: 'Zip over the direct-upload limit',
      message: `the zip is ${formatBytes(zipBytes)}, over Lambda's ${formatBytes(LAMBDA_ZIP_LIMIT)} limit for a direct upload: deploy it through S3 (input s3-bucket).`,
    });
  else if (!o.viaS3 && zipBytes >= LAMBDA_ZIP_LIMIT * LIMIT_WARNING_SHARE)
    out.push({
      title: 'Zip near the direct-upload limit',
      message:
        `the zip is ${formatBytes(zipBytes)}, ${percent(zipBytes, LAMBDA_ZIP_LIMIT)} of Lambda's ${formatBytes(LAMBDA_ZIP_LIMIT)} limit for a direct upload; ` +
        'past it UpdateFunctionCode refuses the zip: set s3-bucket (a bucket in the Region) to deploy it through S3.',
    });
  if (unzippedBytes >= LAMBDA_UNZIPPED_LIMIT * LIMIT_WARNING_SHARE && unzippedBytes <= LAMBDA_UNZIPPED_LIMIT)
    out.push({
      title: 'Bundle near the unzipped limit',
      message:
        `the bundle is ${formatBytes(unzippedBytes)} unzipped, ${percent(unzippedBytes, LAMBDA_UNZIPPED_LIMIT)} of Lambda's ${formatBytes(LAMBDA_UNZIPPED_LIMIT)} limit, ` +
        "which counts the function's layers too; past it Lambda refuses the code: trim the closure (removeReferencesTo, split outputs, smaller dependencies) or ship large data in a layer.",
    });
  return out;
}
