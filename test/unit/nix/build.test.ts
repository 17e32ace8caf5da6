import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILD_TAIL_LINES, BuildLog, explainBuildFailure, nixErrorLocation } from '../../../src/nix/build.js';
import { CommandError } from '../../../src/util/exec.js';
import { memoryLog } from '../../support/doubles.js';

const SRC = '/nix/store/0123456789abcdfghijklmnpqrsvwxyz-source';
const target = { flake: '.#api', installable: '/ws#api', flakeDir: '/ws', workspace: '/ws' };
const failure = (stderr: string): CommandError =>
  new CommandError('Nix build failed', 'nix build', 1, stderr, 40);

describe('the build log', () => {
  it('streams every line, keeps the last ones for an error, and warns once about a refused signature', () => {
    const log = memoryLog();
    const b = new BuildLog(log);
    for (let i = 0; i < BUILD_TAIL_LINES + 5; i++) b.onLine(`line ${i}`);
    b.onLine("path '/nix/store/x' is not signed by any of the keys");
    b.onLine("path '/nix/store/y' is not signed by any of the keys");
    expect(log.lines).toHaveLength(BUILD_TAIL_LINES + 7);
    expect(log.warnings).toHaveLength(1);
    expect(log.warnings[0]).toMatch(/Nix refused a path from a binary cache/);
    const tail = b.tail().split('\n');
    expect(tail).toHaveLength(BUILD_TAIL_LINES);
    expect(tail.at(-1)).toMatch(/\/nix\/store\/y/);
  });
});

describe('a failed build, explained', () => {
  it('finds the .nix file and line in the flake, relative to the workspace', () => {
    expect(nixErrorLocation(`error: x\n       at ${SRC}/nix/app.nix:12:5:`, '/ws', '/ws')).toEqual({
      file: 'nix/app.nix',
      line: 12,
    });
    expect(nixErrorLocation('error: no location', '/ws', '/ws')).toBeUndefined();
  });

  it('names a missing attribute, an untracked file, a missing flake, the rate limit; else the tail', () => {
    expect(
      explainBuildFailure(failure("error: flake 'x' does not provide attribute 'api'"), target, 't').title,
    ).toBe('Flake attribute not found');
    const untracked = explainBuildFailure(
      failure(`error: path '/x' is not tracked by Git\n at ${SRC}/flake.nix:3:1`),
      target,
      't',
    );
    expect(untracked.title).toBe('File not tracked by Git');
    expect(untracked.file).toBe('flake.nix');
    expect(
      explainBuildFailure(failure("error: path '/ws/flake.nix' does not exist"), target, 't').title,
    ).toBe('No flake');
    expect(explainBuildFailure(failure('HTTP error 403 (API rate limit exceeded)'), target, 't').title).toBe(
      'GitHub rate limit',
    );
    const other = explainBuildFailure(failure('error: builder failed'), target, 'the tail');
    expect(other.title).toBe('Nix build failed');
    expect(other.message).toBe('nix build /ws#api failed:\nthe tail');
  });
});

describe('build errors people hit', () => {
  const OLD = 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
  const NEW = 'sha256-RNFGOWEO8n4IFzzVC79pcBDDqplGm6XUJntJ2nBWlp8=';
  const mismatch = `error: hash mismatch in fixed-output derivation '/nix/store/${'k'.repeat(32)}-src.drv':\n         specified: ${OLD}\n            got:    ${NEW}\n`;

  it('a hash mismatch is an error on the .nix line holding the old hash, giving the new one', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'explain-hash-'));
    try {
      fs.mkdirSync(path.join(ws, 'svc'));
      fs.writeFileSync(path.join(ws, 'svc', 'flake.nix'), `{\n  x = 1;\n  outputHash = "${OLD}";\n}\n`);
      const e = explainBuildFailure(
        failure(mismatch),
        { flake: './svc', installable: `${ws}/svc`, flakeDir: path.join(ws, 'svc'), workspace: ws },
        'tail',
      );
      expect(e.title).toBe('Fixed-output hash mismatch');
      expect(e).toMatchObject({ file: 'svc/flake.nix', line: 3 });
      expect(e.message).toContain(`Replace "${OLD}" with "${NEW}" on that line`);
      // Not found in the flake's files: the new hash all the same, no location.
      fs.mkdirSync(path.join(ws, 'other'));
      const elsewhere = explainBuildFailure(
        failure(mismatch),
        { ...target, flakeDir: path.join(ws, 'other') },
        'tail',
      );
      expect(elsewhere.file).toBeUndefined();
      expect(elsewhere.message).toMatch(new RegExp(`produced ${NEW.replace(/[+/=]/g, '\\$&')}`));
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('"No space left on device" or a daemon gone mid-build says the disk is full, with the space measured', () => {
    const space = () => [{ path: '/nix/store', free: 1024 * 1024, total: 64 * 1024 * 1024 }];
    const full = explainBuildFailure(
      failure('fill> head: error writing: No space left on device\nerror: builder failed'),
      target,
      'the tail',
      space,
    );
    expect(full.title).toBe('Disk full during the build');
    expect(full.message).toMatch(
      /^the tail\nThe build ran out of disk space\. Free space now: \/nix\/store: 1\.0 MiB free of 64\.0 MiB \(2%\)/,
    );
    for (const daemon of [
      "error: cannot connect to socket at '/nix/var/nix/daemon-socket/socket': Connection refused",
      'error: unexpected end-of-file',
    ]) {
      const e = explainBuildFailure(failure(daemon), target, 't', space);
      expect(e.title, daemon).toBe('Disk full during the build');
      expect(e.message).toMatch(/The Nix daemon went away during the build/);
    }
  });
});
