import { createHash } from 'node:crypto';

/** SHA-256, the one hash this action computes: in hex, or in base64 as Lambda's CodeSha256. */

/** The SHA-256 of data, in hex (what `sha256sum` prints). */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The SHA-256 of data, in base64: the form of Lambda's CodeSha256. */
export function codeSha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('base64');
}

/** A CodeSha256 (base64) in hex, for names that cannot hold base64 (S3 keys). */
export function codeSha256Hex(codeSha256Value: string): string {
  return Buffer.from(codeSha256Value, 'base64').toString('hex');
}
