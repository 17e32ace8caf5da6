/**
 * Nix store paths as strings (a pure module): which store path a file lies in, and the store path
 * references baked into a file's bytes.
 */

export const STORE_DIR = '/nix/store';

/** /nix/store/HASH-NAME/... -> /nix/store/HASH-NAME */
export function storePathOf(p: string, storeDir = STORE_DIR): string | undefined {
  if (!p.startsWith(`${storeDir}/`)) return undefined;
  const rest = p.slice(storeDir.length + 1);
  const name = rest.split('/')[0];
  return name ? `${storeDir}/${name}` : undefined;
}

/** Characters of a store hash (Nix's base-32 alphabet). */
const HASH = /^[0-9abcdfghijklmnpqrsvwxyz]{32}$/;
const isNameByte = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || // 0-9
  (b >= 0x41 && b <= 0x5a) || // A-Z
  (b >= 0x61 && b <= 0x7a) || // a-z
  b === 0x2b || // +
  b === 0x2d || // -
  b === 0x2e || // .
  b === 0x5f || // _
  b === 0x3f || // ?
  b === 0x3d; // =
/** Bytes of a path below a store path: name bytes, '/', and a few more that file names use. */
const isPathByte = (b: number): boolean =>
  isNameByte(b) || b === 0x2f || b === 0x2c || b === 0x40 || b === 0x25 || b === 0x7e || b === 0x23;

export interface StoreReference {
  /** The whole referenced path as it appears in the bytes (trailing punctuation dropped). */
  path: string;
  /** /nix/store/HASH-NAME */
  storePath: string;
  /** What follows the store path without its leading slash ('' for the store path itself). */
  sub: string;
}

/**
 * Every /nix/store/HASH-NAME[/...] reference in the bytes (as text: C strings, Rust and Go string
 * literals, scripts), each once, sorted. A path ends at the first byte that cannot be part of one.
 */
export function scanStoreReferences(data: Buffer, storeDir = STORE_DIR): StoreReference[] {
  const needle = Buffer.from(`${storeDir}/`, 'latin1');
  const found = new Map<string, StoreReference>();
  let i = data.indexOf(needle);
  while (i >= 0) {
    const start = i;
    let end = start + needle.length;
    while (end < data.length && isPathByte(data[end]!)) end++;
    // Sentence punctuation after a path in a message.
    while (end > start + needle.length && (data[end - 1] === 0x2e || data[end - 1] === 0x2c)) end--;
    const text = data.toString('latin1', start, end);
    const rest = text.slice(needle.length);
    const slash = rest.indexOf('/');
    const base = slash < 0 ? rest : rest.slice(0, slash);
    const dash = base.indexOf('-');
    if (dash === 32 && HASH.test(base.slice(0, 32)) && base.length > 33) {
      const storePath = `${storeDir}/${base}`;
      const sub = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
      const p = sub ? `${storePath}/${sub}` : storePath;
      if (!found.has(p)) found.set(p, { path: p, storePath, sub });
    }
    i = data.indexOf(needle, Math.max(end, start + 1));
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const SO = Buffer.from('.so', 'latin1');
const isSonameByte = (b: number): boolean => isNameByte(b) && b !== 0x3f && b !== 0x3d;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

/**
 * Library names written in the bytes as a program passes them to dlopen(): `lib<name>.so` with an
 * optional version (libfoo.so, libfoo.so.1, libfoo-2.so.0.3), standing alone (not inside a path or a
 * longer word). Each once, sorted.
 */
export function scanSonames(data: Buffer): string[] {
  const names = new Set<string>();
  let i = data.indexOf(SO);
  while (i >= 0) {
    let start = i;
    while (start > 0 && i - start < 255 && isSonameByte(data[start - 1]!)) start--;
    let end = i + SO.length;
    while (end + 1 < data.length && data[end] === 0x2e && isDigit(data[end + 1]!)) {
      end++;
      while (end < data.length && isDigit(data[end]!)) end++;
    }
    const before = start > 0 ? data[start - 1]! : 0;
    const after = end < data.length ? data[end]! : 0;
    if (
      end - start > 6 &&
      data[start] === 0x6c && // l
      data[start + 1] === 0x69 && // i
      data[start + 2] === 0x62 && // b
      start + 3 < i &&
      before !== 0x2f && // not the end of a path
      !isSonameByte(before) &&
      !isSonameByte(after)
    )
      names.add(data.toString('latin1', start, end));
    i = data.indexOf(SO, Math.max(end, i + 1));
  }
  return [...names].sort();
}
