import { describe, expect, it } from 'vitest';
import {
  describeProblem,
  findReferences,
  isProblem,
  judgeReference,
  type ReferenceContext,
} from '../../../src/bundle/references.js';
import type { DataSetId } from '../../../src/bundle/runtime-env.js';

const H = '0123456789abcdfghijklmnpqrsvwxyz';
const sp = (name: string): string => `/nix/store/${H}-${name}`;

/** A store with these paths (folders end with /). */
function ctx(paths: string[], extra: Partial<ReferenceContext> = {}): ReferenceContext {
  const files = new Map<string, { isDirectory: boolean; size: number }>();
  for (const p of paths) {
    const dir = p.endsWith('/');
    const clean = dir ? p.slice(0, -1) : p;
    files.set(clean, { isDirectory: dir, size: dir ? 0 : 1234 });
    // every ancestor is a folder
    for (let i = clean.lastIndexOf('/'); i > 0; i = clean.lastIndexOf('/', i - 1)) {
      if (!files.has(clean.slice(0, i))) files.set(clean.slice(0, i), { isDirectory: true, size: 0 });
    }
  }
  return {
    glibcStore: sp('glibc-2.40'),
    dataSets: new Map<DataSetId, string>(),
    dataSetsSkipped: new Map<DataSetId, string>(),
    libraries: new Map(),
    includes: new Map(),
    stat: (p) => files.get(p),
    realpath: (p) => (files.has(p) ? p : undefined),
    ...extra,
  };
}

const ref = (p: string) => {
  const rest = p.slice('/nix/store/'.length);
  const i = rest.indexOf('/');
  const storePath = i < 0 ? p : `/nix/store/${rest.slice(0, i)}`;
  return { path: p, storePath, sub: i < 0 ? '' : rest.slice(i + 1) };
};

describe('judgeReference', () => {
  const app = sp('app');
  it("leaves the C library's references to its own folders to it", () => {
    expect(
      judgeReference(
        ref(`${sp('glibc-2.40')}/lib/gconv`),
        sp('glibc-2.40'),
        ctx([`${sp('glibc-2.40')}/lib/gconv/`]),
      ),
    ).toEqual({ kind: 'glibc' });
  });
  it('says a data set is handled when it is bundled, and names it when it is not', () => {
    const c = ctx([`${sp('tzdata')}/share/zoneinfo/`]);
    const r = ref(`${sp('tzdata')}/share/zoneinfo`);
    expect(judgeReference(r, app, { ...c, dataSets: new Map([['tzdata', 'share/zoneinfo']]) })).toEqual({
      kind: 'data',
      set: 'tzdata',
      target: 'share/zoneinfo',
    });
    const v = judgeReference(r, app, {
      ...c,
      dataSetsSkipped: new Map([['tzdata', 'input bundle-data is none']]),
    });
    expect(v).toEqual({ kind: 'data-not-bundled', set: 'tzdata', why: 'input bundle-data is none' });
    expect(isProblem(v)).toBe(true);
    expect(describeProblem({ file: 'bootstrap', ref: r, verdict: v }, '/var/task')).toContain(
      'add `tzdata` to the input bundle-data',
    );
  });
  it('calls a path that does not exist under Nix either harmless', () => {
    expect(judgeReference(ref(`${sp('app')}/etc/app.conf`), app, ctx([`${sp('app')}/bin/`]))).toEqual({
      kind: 'absent',
    });
  });
  it('takes the deepest existing folder of a template path', () => {
    const v = judgeReference(ref(`${sp('data')}/share/app/%s.json`), app, ctx([`${sp('data')}/share/app/`]));
    expect(v).toEqual({ kind: 'unbundled', what: `a folder (${sp('data')}/share/app)` });
  });
  it('calls source files (debug information, panic locations) harmless', () => {
    expect(judgeReference(ref(`${sp('foo-1.0-vendor')}/serde/src/lib.rs`), app, ctx([]))).toEqual({
      kind: 'source',
    });
    expect(judgeReference(ref(`${sp('source')}/main.c`), app, ctx([]))).toEqual({ kind: 'source' });
  });
  it('names a library loaded by its store path, and where the bundle has it', () => {
    const p = `${sp('plugin')}/lib/libplug.so.1`;
    const v = judgeReference(ref(p), app, ctx([p], { libraries: new Map([[p, 'lib/libplug.so.1']]) }));
    expect(v).toEqual({ kind: 'library', target: 'lib/libplug.so.1' });
    expect(describeProblem({ file: 'bootstrap', ref: ref(p), verdict: v }, '/var/task')).toContain(
      'dlopen("libplug.so.1")',
    );
  });
  it('accepts what the user bundled with include', () => {
    const dir = `${sp('assets')}/share/assets`;
    const v = judgeReference(
      ref(`${dir}/logo.png`),
      app,
      ctx([`${dir}/logo.png`], { includes: new Map([[dir, 'assets']]) }),
    );
    expect(v).toEqual({ kind: 'included', target: 'assets/logo.png' });
  });
  it('reports anything else that exists, with the fix', () => {
    const p = `${sp('bash-5.2')}/bin/bash`;
    const f = findReferences(
      [{ name: 'bootstrap', data: Buffer.from(`\0${p}\0`), storePath: app }],
      ctx([p]),
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.verdict).toEqual({ kind: 'unbundled', what: 'a file of 1234 bytes' });
    const line = describeProblem(f[0]!, '/var/task');
    expect(line).toContain(`${p}: a file of 1234 bytes that the bundle does not carry`);
    expect(line).toContain(`include: ${p}:<target>`);
  });
});
