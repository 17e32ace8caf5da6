/** mulberry32: a small seeded PRNG, so every random case (mutation, input) can be reproduced from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Text-like, compressible, reproducible bytes: words picked by a seeded xorshift generator. */
export function compressible(bytes: number, seed = 1): Buffer {
  const words = [
    'lambda',
    'bootstrap',
    'runtime',
    'invocation',
    'next',
    'response',
    'error',
    'request',
    'nix',
    'store',
    'closure',
    'library',
    'symbol',
    'section',
    'the',
    'of',
    'and',
    'a',
    'to',
    'in',
    'is',
    '0x7f454c46',
    'GLIBC_2.34',
    'libc.so.6',
    'ld-linux-x86-64.so.2',
    '/var/task/lib',
    '{',
    '}',
    ';',
  ];
  let x = seed >>> 0 || 1;
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const w = words[x % words.length]!;
    const s = x % 11 === 0 ? `${w} ${x % 100000}\n` : `${w} `;
    parts.push(s);
    length += s.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}
