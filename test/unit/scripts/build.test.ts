import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without type declarations
import { productionPackageDirs, renderLicenses } from '../../../scripts/build.mjs';

/**
 * dist/licenses.txt must carry the licence of every production package (what dist/ bundles comes
 * from them), as `npm ls --omit=dev --all` lists them.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const LICENSES = path.join(ROOT, 'dist', 'licenses.txt');

interface NpmNode {
  version?: string;
  missing?: boolean;
  dependencies?: Record<string, NpmNode>;
}

/** name@version of every production package, from `npm ls --omit=dev --all --json`. */
function npmProductionPackages(): Set<string> {
  const npm = process.env['npm_execpath'] ? [process.execPath, process.env['npm_execpath']] : ['npm'];
  const out = execFileSync(npm[0]!, [...npm.slice(1), 'ls', '--omit=dev', '--all', '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const found = new Set<string>();
  const walk = (deps: Record<string, NpmNode> | undefined): void => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      expect(node.missing, `${name} is missing from node_modules (run npm ci)`).not.toBe(true);
      found.add(`${name}@${node.version ?? '?'}`);
      walk(node.dependencies);
    }
  };
  walk((JSON.parse(out) as NpmNode).dependencies);
  return found;
}

/** The `Package: name@version` headers of licenses.txt, in file order. */
function listed(text: string): string[] {
  return [...text.matchAll(/^Package: (.+)$/gm)].map((m) => m[1]!);
}

const nameOf = (id: string): string => id.slice(0, id.lastIndexOf('@'));

describe('dist/licenses.txt', () => {
  const text = fs.readFileSync(LICENSES, 'utf8');

  it('lists every production package of `npm ls --omit=dev --all`, and nothing else', () => {
    const npm = npmProductionPackages();
    const inFile = listed(text);
    // The packages the issue found missing, as a reminder of what this guards.
    for (const name of ['adm-zip', 'libdeflate', 'undici', '@actions/core', '@actions/cache'])
      expect(inFile.map(nameOf), name).toContain(name);
    expect([...new Set(inFile.map(nameOf))].sort(), 'package names (run npm run build)').toEqual(
      [...new Set([...npm].map(nameOf))].sort(),
    );
    expect([...inFile].sort(), 'name@version (run npm run build)').toEqual([...npm].sort());
  });

  it('gives each package once, sorted, with its licence and a licence text', () => {
    const inFile = listed(text);
    expect(inFile.length).toBeGreaterThan(0);
    expect(new Set(inFile).size).toBe(inFile.length);
    const blocks = text.split(/^-{80}$/m).slice(1);
    expect(blocks).toHaveLength(inFile.length);
    for (const block of blocks) {
      const id = /^Package: (.+)$/m.exec(block)?.[1];
      expect(block, id).toMatch(/^License: \S.*$/m);
      expect(block, id).toMatch(/^Licence text from: \S.*$/m);
      const body = block.split('\n\n').slice(1).join('\n\n').trim();
      expect(body.length, `${id} has a licence text`).toBeGreaterThan(2);
    }
    const names = inFile.map(nameOf);
    expect(names).toEqual([...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('is what scripts/build.mjs writes for the installed dependencies (run npm run build when this fails)', () => {
    const render = renderLicenses as (dirs: string[]) => string;
    const dirs = (productionPackageDirs as (root: string) => string[])(ROOT);
    expect(render(dirs)).toBe(text);
    // Whatever order npm lists them in, the same bytes.
    expect(render([...dirs].reverse())).toBe(text);
  });
});
