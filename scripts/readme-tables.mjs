#!/usr/bin/env node
// Generates the README's inputs and outputs tables from action.yml.
//   node scripts/readme-tables.mjs          rewrite README.md
//   node scripts/readme-tables.mjs --check  exit 1 when README.md is out of date
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const cell = (s) => String(s).replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');

/** Markdown tables for action.yml's inputs and outputs. */
export function renderTables(actionYml) {
  const action = parse(actionYml);
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``} | ${cell(spec.description ?? '')} |`,
  );
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description ?? '')} |`,
  );
  return {
    inputs: ['| Input | Default | Description |', '| --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| Output | Description |', '| --- | --- |', ...outputs].join('\n'),
  };
}

/** README text with the generated tables between their markers, formatted as `npm run format` would. */
export async function updateReadme(readme, actionYml) {
  const tables = renderTables(actionYml);
  let out = readme;
  for (const which of ['inputs', 'outputs']) {
    const start = `<!-- ${which}:start -->`;
    const end = `<!-- ${which}:end -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`README.md has no ${start} ... ${end} markers`);
    out = `${out.slice(0, a + start.length)}\n${tables[which]}\n${out.slice(b)}`;
  }
  const readmePath = path.join(ROOT, 'README.md');
  const options = (await prettier.resolveConfig(readmePath)) ?? {};
  return prettier.format(out, { ...options, filepath: readmePath });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const readmePath = path.join(ROOT, 'README.md');
  const readme = fs.readFileSync(readmePath, 'utf8');
  const updated = await updateReadme(readme, fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'));
  if (process.argv.includes('--check')) {
    if (updated !== readme) {
      console.error('README.md tables differ from action.yml: run `npm run docs`.');
      process.exit(1);
    }
  } else if (updated !== readme) {
    fs.writeFileSync(readmePath, updated);
    console.log('README.md tables updated from action.yml');
  }
}
