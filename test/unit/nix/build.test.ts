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
