import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { patchCopy, rpathFor } from '../../../src/bundle/patch.js';
import { ActionError } from '../../../src/util/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'patch-test-'));
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('rpathFor', () => {
  it('gives each place in the zip a search path to its own folder and lib/', () => {
    expect(rpathFor('bootstrap')).toBe('$ORIGIN/lib');
    expect(rpathFor('helper')).toBe('$ORIGIN/lib');
    expect(rpathFor('lib/libx.so.1')).toBe('$ORIGIN');
    expect(rpathFor('lib/gconv/X.so')).toBe('$ORIGIN:$ORIGIN/..');
    expect(rpathFor('bin/tool')).toBe('$ORIGIN:$ORIGIN/../lib');
  });
});

describe('patchCopy', () => {
  it('refuses a musl program it cannot rewrite by name, saying why musl needs it and the ways out', async () => {
    // A RUNPATH that takes $ORIGIN/lib but leaves no room for an absolute DT_NEEDED; no patchelf on PATH.
    fs.writeFileSync(path.join(tmp, 'g.c'), 'int g(void){return 1;}\n');
    fs.writeFileSync(path.join(tmp, 'm.c'), 'int g(void);\nint main(void){return g();}\n');
    execFileSync('musl-gcc', [
      '-shared',
      '-fPIC',
      '-Wl,-soname,libg.so.1',
      '-o',
      path.join(tmp, 'libg.so.1'),
      path.join(tmp, 'g.c'),
    ]);
    execFileSync('musl-gcc', [
      '-o',
      path.join(tmp, 'm'),
      path.join(tmp, 'm.c'),
      `-L${tmp}`,
      '-l:libg.so.1',
      '-Wl,--enable-new-dtags',
      '-Wl,-rpath,/opt/aaaaaaaaaaaa',
    ]);
    const data = fs.readFileSync(path.join(tmp, 'm'));
    const pathBefore = process.env['PATH'];
    process.env['PATH'] = '/nonexistent';
    try {
      const err = await patchCopy(
        data,
        'bootstrap',
        { rpath: '$ORIGIN/lib', needed: { 'libg.so.1': '/var/task/lib/libg.so.1' } },
        tmp,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ActionError);
      expect((err as ActionError).title).toBe('Could not patch a musl program');
      expect((err as ActionError).message).toMatch(/no room in the dynamic string table/);
      expect((err as ActionError).message).toMatch(
        /musl's loader searches LD_LIBRARY_PATH .* before any RPATH\. Install patchelf .* or link the program statically \(nixpkgs: pkgsStatic\)/,
      );
    } finally {
      process.env['PATH'] = pathBefore;
    }
  });
});
