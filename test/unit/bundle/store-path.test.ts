import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { scanSonames, scanStoreReferences, storePathOf } from '../../../src/bundle/store-path.js';

const H = '0123456789abcdfghijklmnpqrsvwxyz'; // 32 characters of Nix's base-32 alphabet
const sp = (name: string): string => `/nix/store/${H}-${name}`;

describe('storePathOf', () => {
  it('cuts a path down to its store path', () => {
    expect(storePathOf(`${sp('glibc-2.40')}/lib/libc.so.6`)).toBe(sp('glibc-2.40'));
    expect(storePathOf(sp('x'))).toBe(sp('x'));
    expect(storePathOf('/usr/lib/libc.so.6')).toBeUndefined();
    expect(storePathOf('/nix/store/')).toBeUndefined();
  });
});

describe('scanStoreReferences', () => {
  const text = (parts: string[]): Buffer => Buffer.from(parts.join('\0'), 'latin1');

  it('finds C strings, paths inside search paths and paths in messages, each once, sorted', () => {
    const refs = scanStoreReferences(
      text([
        '\x7fELF',
        `${sp('tzdata-2024a')}/share/zoneinfo`,
        `see ${sp('doc')}/index.html.`,
        `${sp('glibc-2.40')}/lib:${sp('zlib-1.3')}/lib`,
        `${sp('tzdata-2024a')}/share/zoneinfo`,
        `PATH=${sp('coreutils-9.5')}/bin`,
      ]),
    );
    expect(refs.map((r) => r.path)).toEqual([
      `${sp('coreutils-9.5')}/bin`,
      `${sp('doc')}/index.html`,
      `${sp('glibc-2.40')}/lib`,
      `${sp('tzdata-2024a')}/share/zoneinfo`,
      `${sp('zlib-1.3')}/lib`,
    ]);
    const tz = refs.find((r) => r.path.includes('tzdata'))!;
    expect(tz).toEqual({ path: tz.path, storePath: sp('tzdata-2024a'), sub: 'share/zoneinfo' });
  });

  it('takes a bare store path, a trailing slash and a template', () => {
    expect(
      scanStoreReferences(text([sp('app'), `${sp('data')}/share/%s/`])).map((r) => [r.storePath, r.sub]),
    ).toEqual([
      [sp('app'), ''],
      [sp('data'), 'share/%s'],
    ]);
  });

  it('ignores what is not a store path: a bad hash, a missing name, another folder', () => {
    expect(
      scanStoreReferences(
        text([
          '/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-bad-hash', // e is not in the alphabet
          `/nix/store/${H}`, // no name
          `/nix/store/${H.slice(1)}-short`,
          '/gnu/store/abc-x',
        ]),
      ),
    ).toEqual([]);
  });

  it('finds a reference deep inside a large file', () => {
    const big = Buffer.alloc(30 * 1024 * 1024);
    Buffer.from(`${sp('icu')}/share/icu`).copy(big, 20 * 1024 * 1024);
    expect(scanStoreReferences(big).map((r) => r.sub)).toEqual(['share/icu']);
  });
});

describe('scanSonames', () => {
  it('finds library names as dlopen takes them, standing alone', () => {
    const data = Buffer.from(
      [
        'libfoo.so',
        'libbar.so.1.2',
        'libssl-3.so.0',
        '/usr/lib/libpath.so.1', // inside a path: not a name the search path resolves
        'xlibword.so.1', // inside a word
        'libnot.sox',
        'lib.so',
        'libdl.so.2',
      ].join('\0'),
      'latin1',
    );
    expect(scanSonames(data)).toEqual(['libbar.so.1.2', 'libdl.so.2', 'libfoo.so', 'libssl-3.so.0']);
  });

  it("agrees with strings(1) on a real library's DT_NEEDED names", () => {
    const curl = ['/lib/x86_64-linux-gnu/libcurl.so.4', '/usr/lib/x86_64-linux-gnu/libcurl.so.4'].find((f) =>
      fs.existsSync(f),
    );
    if (!curl) throw new Error('libcurl4 is not installed (.ci/run installs libcurl4-openssl-dev)');
    const names = scanSonames(fs.readFileSync(curl));
    expect(names).toEqual(expect.arrayContaining(['libc.so.6', 'libz.so.1', 'libssl.so.3', 'libcurl.so.4']));
  });
});
