import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A fixed-output derivation whose hash changed (Nix's "hash mismatch ... specified: ... got: ..."):
 * the two hashes read from the log, every way a .nix file may write the old one (SRI, Nix's
 * base-32, hex, plain base64), and the line of the flake's files that holds it, so the error can
 * be an annotation on that line giving the new hash.
 */

export interface HashMismatch {
  /** The derivation, when Nix named it. */
  drv: string | undefined;
  /** As Nix printed them (SRI from Nix 2.4 on: sha256-BASE64). */
  specified: string;
  got: string;
}

/** The first hash mismatch in a build log. */
export function parseHashMismatch(log: string): HashMismatch | undefined {
  const m =
    /hash mismatch in fixed-output derivation '([^']+)':\s*\n\s*specified:\s*(\S+)\s*\n\s*got:\s*(\S+)/.exec(
      log,
    );
  if (!m) return undefined;
  return { drv: m[1], specified: m[2]!, got: m[3]! };
}

const NIX32 = '0123456789abcdfghijklmnpqrsvwxyz';

/** Nix's base-32 (printHash32): 5-bit groups from the end, its own alphabet. */
export function nix32(bytes: Buffer): string {
  const len = Math.ceil((bytes.length * 8) / 5);
  let s = '';
  for (let n = len - 1; n >= 0; n--) {
    const b = n * 5;
    const i = Math.floor(b / 8);
    const j = b % 8;
    const c = (bytes[i]! >> j) | (i + 1 < bytes.length ? bytes[i + 1]! << (8 - j) : 0);
    s += NIX32.charAt(c & 0x1f);
  }
  return s;
}

/** Nix's base-32 decoded (the inverse of nix32); undefined when s is not base-32 of that length. */
function fromNix32(s: string, size: number): Buffer | undefined {
  if (Math.ceil((size * 8) / 5) !== s.length) return undefined;
  const out = Buffer.alloc(size);
  for (let n = 0; n < s.length; n++) {
    const digit = NIX32.indexOf(s[s.length - n - 1]!);
    if (digit < 0) return undefined;
    const b = n * 5;
    const i = Math.floor(b / 8);
    const j = b % 8;
    out[i] = out[i]! | ((digit << j) & 0xff);
    if (i + 1 < size) out[i + 1] = out[i + 1]! | (digit >> (8 - j));
  }
  return out;
}

const SIZES: Record<string, number> = { md5: 16, sha1: 20, sha256: 32, sha512: 64 };

/** The raw digest of a hash as Nix prints it: SRI, or ALGO:HASH in base-16, base-32 or base-64. */
export function hashBytes(text: string): { algo: string; bytes: Buffer } | undefined {
  const m = /^(md5|sha1|sha256|sha512)[-:](.+)$/.exec(text.trim());
  if (!m) return undefined;
  const algo = m[1]!;
  const size = SIZES[algo]!;
  const v = m[2]!;
  if (/^[0-9a-f]+$/i.test(v) && v.length === size * 2) return { algo, bytes: Buffer.from(v, 'hex') };
  const b32 = fromNix32(v, size);
  if (b32) return { algo, bytes: b32 };
  const b64 = Buffer.from(v, 'base64');
  return b64.length === size ? { algo, bytes: b64 } : undefined;
}

/** Every spelling of a hash a .nix file may hold, longest first. */
export function hashSpellings(text: string): string[] {
  const h = hashBytes(text);
  if (!h) return [text];
  const b64 = h.bytes.toString('base64');
  return [
    ...new Set([
      `${h.algo}-${b64}`,
      `${h.algo}:${nix32(h.bytes)}`,
      nix32(h.bytes),
      h.bytes.toString('hex'),
      b64,
      text,
    ]),
  ];
}

/** The same hash, written the way the old one was (SRI in, SRI out; base-32 in, base-32 out...). */
export function sameSpelling(oldWritten: string, newHash: string): string {
  const h = hashBytes(newHash);
  if (!h) return newHash;
  if (oldWritten.startsWith(`${h.algo}-`)) return `${h.algo}-${h.bytes.toString('base64')}`;
  if (oldWritten.startsWith(`${h.algo}:`)) return `${h.algo}:${nix32(h.bytes)}`;
  if (/^[0-9a-f]+$/.test(oldWritten) && oldWritten.length === h.bytes.length * 2)
    return h.bytes.toString('hex');
  if (/^[0-9a-z]+$/.test(oldWritten) && oldWritten.length === nix32(h.bytes).length) return nix32(h.bytes);
  return `${h.algo}-${h.bytes.toString('base64')}`;
}

export interface HashLocation {
  /** Absolute path of the .nix file. */
  file: string;
  line: number;
  /** The old hash as the file writes it. */
  written: string;
}

const SKIP = new Set(['.git', 'node_modules', 'result', '.direnv']);

/** The .nix files under dir (not following symlinks; at most 2000). */
function nixFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= 2000) return;
      if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('result-')) walk(path.join(d, e.name));
      else if (e.isFile() && e.name.endsWith('.nix')) out.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/** The line of a .nix file under dir that holds the old hash (flake.nix first), in any spelling. */
export function findHashInFiles(dir: string, specified: string): HashLocation | undefined {
  const spellings = hashSpellings(specified);
  const files = nixFiles(dir).sort(
    (a, b) => Number(path.basename(b) === 'flake.nix') - Number(path.basename(a) === 'flake.nix'),
  );
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (const [i, text] of lines.entries()) {
      const written = spellings.find((s) =>
        new RegExp(`(^|[^A-Za-z0-9+/=:-])${escape(s)}($|[^A-Za-z0-9+/=])`).test(text),
      );
      if (written) return { file, line: i + 1, written };
    }
  }
  return undefined;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
