import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNix, nixHome } from '../../../src/nix/locate.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'locate-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('finding Nix', () => {
  it("takes nix from PATH first, then the user's profile", () => {
    const onPath = path.join(dir, 'path');
    const home = path.join(dir, 'home');
    fs.mkdirSync(onPath);
    fs.mkdirSync(path.join(home, '.nix-profile', 'bin'), { recursive: true });
    const profileNix = path.join(home, '.nix-profile', 'bin', 'nix');
    fs.writeFileSync(profileNix, '#!/bin/sh\n', { mode: 0o755 });
    expect(findNix({ PATH: onPath }, home)).toBe(
      fs.existsSync('/nix/var/nix/profiles/default/bin/nix')
        ? '/nix/var/nix/profiles/default/bin/nix'
        : profileNix,
    );
    fs.writeFileSync(path.join(onPath, 'nix'), '#!/bin/sh\n', { mode: 0o755 });
    expect(findNix({ PATH: onPath }, home)).toBe(path.join(onPath, 'nix'));
  });

  it("reads ~ from HOME, else the account's home", () => {
    expect(nixHome({ HOME: '/home/runner' }, '/root')).toBe('/home/runner');
    expect(nixHome({}, '/root')).toBe('/root');
    expect(nixHome({ HOME: 'relative' }, '/root')).toBe('/root');
  });
});
