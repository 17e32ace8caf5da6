import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onTermination } from '../../../src/util/signals.js';
import { ROOT } from '../../support/runner.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signals-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs a script in a Node process that can load src/ (tsx), and returns how it ended. */
function runScript(body: string): { status: number | null; signal: NodeJS.Signals | null; stderr: string } {
  const script = path.join(dir, `script-${Math.random().toString(36).slice(2)}.ts`);
  const signals = path.join(ROOT, 'src', 'util', 'signals.ts');
  fs.writeFileSync(
    script,
    `import * as fs from 'node:fs';\nimport { onTermination } from ${JSON.stringify(signals)};\n${body}\n`,
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, signal: r.signal, stderr: r.stderr };
}

describe('onTermination', () => {
  it('runs the clean-up, then ends the process by the same signal, as if unwatched', () => {
    const mark = path.join(dir, 'cleaned-term');
    const r = runScript(
      `onTermination(() => fs.writeFileSync(${JSON.stringify(mark)}, 'done'));\nprocess.kill(process.pid, 'SIGTERM');\nsetTimeout(() => {}, 5000);`,
    );
    expect(r.signal, r.stderr).toBe('SIGTERM');
    expect(fs.readFileSync(mark, 'utf8')).toBe('done');
  });

  it('runs every watcher once on SIGINT, each then stops watching', () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    const r = runScript(
      [
        `onTermination(() => fs.appendFileSync(${JSON.stringify(a)}, 'a'));`,
        `onTermination(() => fs.appendFileSync(${JSON.stringify(b)}, 'b'));`,
        `process.kill(process.pid, 'SIGINT');`,
        `setTimeout(() => {}, 5000);`,
      ].join('\n'),
    );
    expect(r.signal, r.stderr).toBe('SIGINT');
    expect(fs.readFileSync(a, 'utf8')).toBe('a');
    expect(fs.readFileSync(b, 'utf8')).toBe('b');
  });

  it('stops watching when asked: no listener is left behind', () => {
    const before = [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const stop = onTermination(() => undefined);
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual([
      before[0]! + 1,
      before[1]! + 1,
    ]);
    stop();
    expect([process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')]).toEqual(before);
  });
});
