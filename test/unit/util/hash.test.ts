import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { codeSha256, codeSha256Hex, sha256Hex } from '../../../src/util/hash.js';

describe('SHA-256', () => {
  const data = Buffer.from('nix-lambda\n');
  const hex = execFileSync('sha256sum', { input: data, encoding: 'utf8' }).split(/\s+/)[0]!;

  it('in hex is what sha256sum prints', () => {
    expect(sha256Hex(data)).toBe(hex);
    expect(sha256Hex('nix-lambda\n')).toBe(hex);
  });

  it('in base64 is CodeSha256, and turns back into the hex form', () => {
    const b64 = codeSha256(data);
    expect(Buffer.from(b64, 'base64').toString('hex')).toBe(hex);
    expect(codeSha256Hex(b64)).toBe(hex);
  });
});
