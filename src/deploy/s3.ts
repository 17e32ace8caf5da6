import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ActionError } from '../util/errors.js';
import { explainAwsError } from './aws-errors.js';
import { codeSha256Hex } from '../util/hash.js';

/**
 * Uploads the zip to S3 for UpdateFunctionCode/CreateFunction with
 * S3Bucket/S3Key: a single PutObject for small zips, a multipart upload
 * (parts in parallel, each retried by the SDK) for large ones.
 */

/** The default key: nix-lambda/<function name>/<CodeSha256 as hex>.zip. */
export function defaultS3Key(functionName: string, codeSha256: string): string {
  const name = /:function:([^:]+)/.exec(functionName)?.[1] ?? functionName;
  return `nix-lambda/${name}/${codeSha256Hex(codeSha256)}.zip`;
}

export async function uploadZip(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Buffer,
  codeSha256: string,
  partSize: number,
): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: bucket,
      Key: key,
      Body: body,
      ContentType: 'application/zip',
      Metadata: { 'code-sha256': codeSha256 },
    },
    partSize,
    queueSize: 4,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } catch (err) {
    const op = upload.uploadId ? 'CreateMultipartUpload' : 'PutObject';
    const e = explainAwsError(err, op, `s3://${bucket}/${key}`);
    throw new ActionError(
      e.title === 'Access denied' ? e.title : 'S3 upload failed',
      `${e.message}\nThe bucket must be in the function's Region; the deploy role needs s3:PutObject (and s3:AbortMultipartUpload) on it.`,
      { cause: err },
    );
  }
}
