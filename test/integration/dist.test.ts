import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/runner.js';

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

describe('dist/', () => {
  it('equals a fresh build of src/ (run `npm run build` and commit dist/ when this fails)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dist-check-')), 'dist');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), out], {
      cwd: ROOT,
      stdio: 'pipe',
    });
    const fresh = listFiles(out);
    expect(listFiles(path.join(ROOT, 'dist'))).toEqual(fresh);
    const stale = fresh.filter(
      (f) => !fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ROOT, 'dist', f))),
    );
    expect(stale, `stale files in dist/: ${stale.join(', ')}`).toEqual([]);
  });
});
