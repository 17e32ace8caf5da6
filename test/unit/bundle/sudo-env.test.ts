import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envFileText, withSudoEnv } from '../../../src/bundle/sudo-env.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sudo-env-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the environment through sudo', () => {
  it('is a file of exports that sh reads back exactly, quotes, newlines and all', () => {
    const env = { A: "it's", B: 'two\nlines', C: '$HOME `x` "q"', 'NOT-A-NAME': 'dropped' };
    const file = path.join(dir, 'env');
    fs.writeFileSync(file, envFileText(env));
    const out = execFileSync('/bin/sh', ['-c', '. "$0" && printf "%s\\0%s\\0%s" "$A" "$B" "$C"', file], {
      env: {},
      encoding: 'utf8',
    });
    expect(out.split('\0')).toEqual(["it's", 'two\nlines', '$HOME `x` "q"']);
    expect(envFileText(env)).not.toContain('NOT-A-NAME');
  });

  it('leaves other attempts alone; through sudo, no value is on the command line and the file is 0600 until cleanup', async () => {
    const plain = await withSudoEnv('unshare', ['--user', 'x'], { S: 'v' }, dir);
    expect(plain).toMatchObject({ cmd: 'unshare', args: ['--user', 'x'], viaSudo: false });
    const env = { LD_LIBRARY_PATH: '/lib64', TOKEN: 'hunter2-value' };
    const sudo = await withSudoEnv('sudo', ['-n', 'unshare', '--mount', '/var/task/bootstrap'], env, dir);
    expect(sudo.viaSudo).toBe(true);
    expect(sudo.args.slice(0, 6)).toEqual(['-n', '/usr/bin/env', '-i', '/bin/sh', '-c', sudo.args[5]]);
    expect(sudo.args.slice(-2)).toEqual(['--mount', '/var/task/bootstrap']);
    expect(sudo.args.join(' ')).not.toContain('hunter2-value');
    const file = sudo.args[6]!;
    expect(path.dirname(file)).toBe(dir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain("export TOKEN='hunter2-value'");
    // The program gets the variables given and nothing of sh's (PWD).
    const shown = execFileSync('/bin/sh', ['-c', sudo.args[5]!, file, '/usr/bin/env'], {
      env: { SUDO_USER: 'x' },
      encoding: 'utf8',
      cwd: dir,
    });
    expect(shown.trim().split('\n').sort()).toEqual([
      'LD_LIBRARY_PATH=/lib64',
      'SUDO_USER=x',
      'TOKEN=hunter2-value',
    ]);
    await sudo.cleanup();
    expect(fs.existsSync(file)).toBe(false);
  });
});
