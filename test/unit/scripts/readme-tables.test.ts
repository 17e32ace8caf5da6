import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain ES module script without type declarations
import { renderTables, updateReadme } from '../../../scripts/readme-tables.mjs';
import { ROOT } from '../../support/runner.js';

const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const actionYml = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');

describe('README.md', () => {
  it('has the inputs and outputs tables of action.yml (run `npm run docs` when this fails)', async () => {
    expect(await (updateReadme as (r: string, a: string) => Promise<string>)(readme, actionYml)).toBe(readme);
  });

  it('documents every input and output', () => {
    const tables = (renderTables as (a: string) => { inputs: string; outputs: string })(actionYml);
    for (const line of [...tables.inputs.split('\n'), ...tables.outputs.split('\n')].slice(2)) {
      const name = /^\| `([a-z0-9-]+)`/.exec(line)?.[1];
      if (name) expect(readme).toMatch(new RegExp(`\\| \`${name}\` +\\|`));
    }
  });

  it('gives the two commands of the contract, each setting up what it needs, and CI runs both', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const tryIt = /## Try it here, and run the tests[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(tryIt).toBeDefined();
    const commands = tryIt!
      .split('\n')
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter(Boolean);
    expect(commands).toEqual(['npm run example', 'npm test']);
    // Each installs its prerequisites first: the example needs no npm ci (dist/ is committed).
    expect(pkg.scripts['example']).toBe('node scripts/setup.mjs example && node scripts/example.mjs');
    expect(pkg.scripts['pretest']).toBe('node scripts/setup.mjs tests');
    expect(pkg.scripts['test']).toBe('vitest run');
    for (const p of ['unit', 'integration', 'reliability'])
      expect(pkg.scripts[`test:${p}`]).toBe(`vitest run --project ${p}`);
    const example = fs.readFileSync(path.join(ROOT, 'scripts', 'example.mjs'), 'utf8');
    expect(
      [...example.matchAll(/^import .* from '([^']+)';$/gm)]
        .map((m) => m[1])
        .filter((m) => !m!.startsWith('node:')),
    ).toEqual([]);
    const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm run example$/m);
    expect(ci).toMatch(/^npm test$/m);
  });

  it('uses only inputs that action.yml declares in its YAML examples', () => {
    const declared = new Set(Object.keys((parse(actionYml) as { inputs: Record<string, unknown> }).inputs));
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThan(8);
    const used: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        const o = node as Record<string, unknown>;
        const uses = typeof o['uses'] === 'string' ? o['uses'] : undefined;
        if (o['with'] && typeof o['with'] === 'object' && (uses === undefined || uses.includes('nix-lambda')))
          used.push(...Object.keys(o['with']));
        Object.values(o).forEach(walk);
      }
    };
    for (const b of blocks) walk(parse(b));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter((u) => !declared.has(u))).toEqual([]);
  });
});
