#!/usr/bin/env node
// Bundles the action into dist/ (or the folder given): the entry point, and the deflate worker
// that src/deflate.ts starts from dist/deflate-worker/index.mjs.
//   node scripts/build.mjs [out]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
const ncc = path.join(ROOT, 'node_modules', '.bin', 'ncc');
const build = (entry, dir, extra = []) =>
  execFileSync(ncc, ['build', entry, '-o', dir, '--quiet', ...extra], { cwd: ROOT, stdio: 'inherit' });

fs.rmSync(out, { recursive: true, force: true });
build('src/index.ts', out, ['--license', 'licenses.txt']);
build('src/deflate-worker/index.mjs', path.join(out, 'deflate-worker'));
fs.chmodSync(path.join(out, 'index.js'), 0o755);
