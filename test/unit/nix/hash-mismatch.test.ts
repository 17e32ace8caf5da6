import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findHashInFiles,
  hashBytes,
  hashSpellings,
  nix32,
  parseHashMismatch,
  sameSpelling,
} from '../../../src/nix/hash-mismatch.js';

// One hash in every spelling, as `nix hash to-base32` / `to-base16` (Nix 2.8) print it.
const SRI = 'sha256-RNFGOWEO8n4IFzzVC79pcBDDqplGm6XUJntJ2nBWlp8=';
const B32 = '17wnarqdljbv4vaab6s6k6mc643hd6zhpm9w2w47xwhfc4wldla4';
const HEX = '44d14639610ef27e08173cd50bbf697010c3aa99469ba5d4267b49da7056969f';
const OLD = 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
// Nix 2.8's message, as printed by `nix build` (test/reliability checks it against a real build).
const LOG = `building '/nix/store/ksm4x9r0bcqqcf173ymk6zijypj3jpgy-fod.drv'...
error: hash mismatch in fixed-output derivation '/nix/store/ksm4x9r0bcqqcf173ymk6zijypj3jpgy-fod.drv':
         specified: ${OLD}
            got:    ${SRI}
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function flake(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hash-mismatch-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('a fixed-output hash mismatch', () => {
  it("reads the derivation and both hashes from Nix's message", () => {
    expect(parseHashMismatch(LOG)).toEqual({
      drv: '/nix/store/ksm4x9r0bcqqcf173ymk6zijypj3jpgy-fod.drv',
      specified: OLD,
      got: SRI,
    });
    expect(parseHashMismatch('error: builder failed')).toBeUndefined();
  });

  it("writes Nix's base-32 as nix hash to-base32 does, and reads every spelling back", () => {
    const bytes = Buffer.from(HEX, 'hex');
    expect(nix32(bytes)).toBe(B32);
    expect(
      nix32(
        Buffer.from(
          'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
          'hex',
        ),
      ),
    ).toBe(
      '0zdl9zrg8r3i9c1g90lgg9ip5ijzv3yhz91i0zzn3r8ap9ws784gkp9dk9j3aglhgf1amqb0pj21mh7h1nxcl18akqvvf7ggqsy30yg',
    );
    for (const s of [SRI, `sha256:${B32}`, `sha256:${HEX}`])
      expect(hashBytes(s)?.bytes.toString('hex'), s).toBe(HEX);
    expect(hashBytes('sha256-short')).toBeUndefined();
    expect(hashSpellings(SRI)).toEqual(expect.arrayContaining([SRI, `sha256:${B32}`, B32, HEX]));
  });

  it('answers in the spelling the file used', () => {
    expect(sameSpelling(OLD, SRI)).toBe(SRI);
    expect(sameSpelling('0'.repeat(52), SRI)).toBe(B32);
    expect(sameSpelling('0'.repeat(64), SRI)).toBe(HEX);
    expect(sameSpelling(`sha256:${'0'.repeat(52)}`, SRI)).toBe(`sha256:${B32}`);
  });

  it('finds the .nix line holding the old hash, in any spelling, flake.nix first', () => {
    const sri = flake({ 'nix/deps.nix': `{\n  src = fetchurl {\n    hash = "${OLD}";\n  };\n}\n` });
    expect(findHashInFiles(sri, OLD)).toEqual({
      file: path.join(sri, 'nix/deps.nix'),
      line: 3,
      written: OLD,
    });
    const old32 = nix32(Buffer.alloc(32));
    const b32 = flake({ 'flake.nix': `{\n  outputHash = "${old32}";\n}\n`, 'other.nix': `"${OLD}"\n` });
    expect(findHashInFiles(b32, OLD)).toEqual({ file: path.join(b32, 'flake.nix'), line: 2, written: old32 });
    const hex = flake({ 'a.nix': `x\ny\n  sha256 = "${'0'.repeat(64)}";\n` });
    expect(findHashInFiles(hex, OLD)?.line).toBe(3);
    // Not inside a longer word, not in a folder Nix does not see, not in other files.
    const none = flake({
      'flake.nix': `"x${HEX}"\n`,
      'result/flake.nix': `"${OLD}"\n`,
      '.git/x.nix': `"${OLD}"\n`,
      'notes.txt': OLD,
    });
    expect(findHashInFiles(none, OLD)).toBeUndefined();
  });
});
