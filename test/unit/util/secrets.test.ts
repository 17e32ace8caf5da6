import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  holdsSecret,
  makeSecretDir,
  registerSecret,
  removeSecretFiles,
  scrubSecrets,
  secretDirFor,
  secretParts,
  writePrivateFile,
} from '../../../src/util/secrets.js';

describe('the secret registry', () => {
  it('scrubs registered secrets (four characters or more) from text', () => {
    registerSecret('s3cr3t-token-value');
    registerSecret('abc');
    expect(scrubSecrets('token s3cr3t-token-value, abc')).toBe('token ***, abc');
    expect(holdsSecret('x s3cr3t-token-value y')).toBe(true);
    expect(holdsSecret('abc')).toBe(false);
  });
});

describe('secret files', () => {
  it('are 0600 in a 0700 folder, and removal takes the folder too', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
    const dir = makeSecretDir(base);
    const prev = process.umask(0);
    let f: string;
    try {
      f = writePrivateFile(dir, 'key', 'secret-value');
    } finally {
      process.umask(prev);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(f, 'utf8')).toBe('secret-value');
    expect(removeSecretFiles([f])).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
    fs.rmSync(base, { recursive: true });
  });
  it('go into the folder the job already has, else a new one', () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'));
    const dir = secretDirFor([], base);
    const f = writePrivateFile(dir, 'netrc', 'machine x password y\n');
    expect(secretDirFor([f], base)).toBe(dir);
    expect(secretDirFor(['/elsewhere/file'], base)).not.toBe(dir);
    fs.rmSync(base, { recursive: true });
  });
});

describe('what to mask of a secret', () => {
  it('masks a multi-line secret whole and line by line, but not its PEM armour', () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQyNTUxOQAAACDjKqp5\n-----END OPENSSH PRIVATE KEY-----\n';
    expect(secretParts(key)).toEqual([key.trim(), 'b3BlbnNzaC1rZXktdjEAAAAA', 'QyNTUxOQAAACDjKqp5']);
    expect(secretParts('  token-1234  ')).toEqual(['token-1234']);
    expect(secretParts('')).toEqual([]);
  });
});
