import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { prerequisiteProblem, TOOLS } from '../../support/prerequisites.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

/** A PATH with every command of this one but the named ones. */
function pathWithout(...names: string[]): string {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'path-without-'));
  temps.push(bin);
  const linked = new Set<string>(names);
  for (const dir of (process.env['PATH'] ?? '').split(':').filter(Boolean)) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const e of entries) {
      // The first of a name on PATH wins, as for the shell (/bin and /usr/bin may be one folder).
      if (linked.has(e)) continue;
      linked.add(e);
      fs.symlinkSync(path.join(dir, e), path.join(bin, e));
    }
  }
  return bin;
}

describe('a missing prerequisite', () => {
  it('is one line naming the tool and the command that installs it', () => {
    expect(prerequisiteProblem([['no-such-tool-here', 'some-package']])).toBe(
      'nix-lambda tests: no-such-tool-here is not installed: run `sudo apt-get install some-package` (or `npm test`, which installs every prerequisite).',
    );
    expect(prerequisiteProblem([['sh', 'dash']])).toBeUndefined();
    expect(TOOLS.map(([c]) => c)).toEqual(
      expect.arrayContaining(['nix', 'gcc', 'patchelf', 'unshare', 'musl-gcc']),
    );
  });

  it('stops the Nix suites before any build, with that one line', () => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--project',
        'integration',
        'test/integration/runner.test.ts',
      ],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: pathWithout('nix') }, timeout: 120_000 },
    );
    expect(r.status).toBe(1);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('nix-lambda tests:'));
    expect(lines).toEqual([
      'nix-lambda tests: nix is not installed: run `sudo apt-get install nix-bin` (or `npm test`, which installs every prerequisite).',
    ]);
    expect(r.stdout + r.stderr).not.toMatch(/built \d+ Nix fixtures/);
  });
});
