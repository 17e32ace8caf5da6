/**
 * `npm run bench`: the action's speed and memory, as ratios against a baseline run in
 * the same script, on a service-sized closure (test/fixtures/flakes/bench: ICU data,
 * libstdc++, OpenSSL, libcurl and its friends, SQLite, libxml2; ~43 libraries, ~62 MB).
 *
 * (a) the action's build+package stages: `node dist/index.js` as a runner runs it;
 * (b) `nix build` of the same, already built installable, then the widely used shell
 *     recipe: ldd to lib/, patchelf --set-interpreter ./lib/ld-linux-x86-64.so.2
 *     --set-rpath ./lib --force-rpath, zip -qr.
 * Rounds alternate (a cold) (a warm) (b), so machine noise hits all three alike. "Cold" runs
 * with an empty deflate cache, "warm" with the cache the previous run left (an unchanged
 * closure packaged again, as on a self-hosted runner or a second package step in a job).
 * Then the no-op deploy path (an unchanged build deployed again to the local Lambda server)
 * and start-up time. Nothing here asserts: it prints the figures.
 *
 *   npm run bench -- [--rounds 5]
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLambdaServer } from '../test/support/lambda-server.js';
import { nixBuild, NIX_CONFIG_LINES, prepareFlake } from '../test/support/nix.js';
import { actionInputs, parseFileCommands, ROOT } from '../test/support/runner.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nix-lambda-bench-'));
const nixConfig = NIX_CONFIG_LINES.join('\n');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Reports the process's peak RSS (kB, all threads) into the file named by NIX_LAMBDA_BENCH_RSS when it exits. */
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  'import fs from "node:fs";process.on("exit",()=>{if(process.env.NIX_LAMBDA_BENCH_RSS)fs.writeFileSync(process.env.NIX_LAMBDA_BENCH_RSS,String(process.resourceUsage().maxRSS))});',
)}`;

interface ActionRun {
  ms: number;
  firstStageMs: number;
  rssKb: number;
  outputs: Record<string, string>;
  log: string;
}

/** node dist/index.js with the runner's variables and files. */
async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string>,
  name: string,
): Promise<ActionRun> {
  const dir = path.join(work, name);
  fs.mkdirSync(path.join(dir, 'temp'), { recursive: true });
  const files: Record<string, string> = {};
  for (const k of ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY']) {
    files[k] = path.join(dir, k.toLowerCase());
    fs.writeFileSync(files[k], '');
  }
  const vars: Record<string, string> = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/root',
    NIX_CONFIG: nixConfig,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ROOT,
    RUNNER_TEMP: path.join(dir, 'temp'),
    NIX_LAMBDA_BENCH_RSS: path.join(dir, 'rss'),
    ...files,
    ...env,
  };
  for (const [n, spec] of Object.entries(actionInputs())) {
    const def = spec.default ?? '';
    vars[`INPUT_${n.toUpperCase()}`] = def.includes('${{') ? '' : def;
  }
  for (const [n, v] of Object.entries(inputs)) vars[`INPUT_${n.toUpperCase()}`] = v;
  const t0 = performance.now();
  let firstStageMs = 0;
  let log = '';
  const child = spawn(process.execPath, ['--import', RSS_PRELOAD, path.join(ROOT, 'dist', 'index.js')], {
    env: vars,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => {
    log += d.toString();
    if (!firstStageMs && log.includes('::group::')) firstStageMs = performance.now() - t0;
  });
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`the action failed (${name}):\n${log}`);
  return {
    ms,
    firstStageMs,
    rssKb: Number(fs.readFileSync(path.join(dir, 'rss'), 'utf8')),
    outputs: parseFileCommands(fs.readFileSync(files['GITHUB_OUTPUT']!, 'utf8')),
    log,
  };
}

const RECIPE = `set -eu
out=$(nix build "$FLAKE" --json --no-link | sed 's/.*"out":"\\([^"]*\\)".*/\\1/')
w=$(mktemp -d); mkdir "$w/lib"
cp "$out/bin/bootstrap" "$w/bootstrap"; chmod u+w "$w/bootstrap"
for lib in $(ldd "$w/bootstrap" | awk '/=> \\// {print $3}'); do cp -L "$lib" "$w/lib/"; done
interp=$(patchelf --print-interpreter "$w/bootstrap"); cp -L "$interp" "$w/lib/"
chmod -R u+w "$w/lib"
patchelf --set-interpreter ./lib/$(basename "$interp") --set-rpath ./lib --force-rpath "$w/bootstrap"
rm -f "$ZIP"; (cd "$w" && zip -qr "$ZIP" .)
rm -rf "$w"`;

function runRecipe(flake: string, zip: string): number {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', RECIPE], {
    env: { ...process.env, NIX_CONFIG: nixConfig, FLAKE: flake, ZIP: zip },
    encoding: 'utf8',
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`the shell recipe failed:\n${r.stderr}`);
  return ms;
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}

async function main(): Promise<void> {
  for (const tool of ['zip', 'patchelf', 'ldd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is needed (apt-get install zip patchelf)`);
  }
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js')))
    throw new Error('dist/index.js is missing: npm run build');
  console.log(`Building the bench fixture (node ${process.version}, ${os.cpus().length} cores)...`);
  const flakeDir = await prepareFlake('bench');
  const built = await nixBuild(flakeDir);
  const inputs = { stages: 'build,package', flake: flakeDir, verify: 'auto', cache: 'false' };

  const cold: ActionRun[] = [];
  const warm: ActionRun[] = [];
  const recipe: number[] = [];
  const recipeZip = path.join(work, 'recipe.zip');
  const warmCache = path.join(work, 'cache-warm');
  for (let i = 0; i < rounds; i++) {
    const coldCache = path.join(work, `cache-cold-${i}`);
    cold.push(await runAction(inputs, { XDG_CACHE_HOME: coldCache }, `cold-${i}`));
    fs.rmSync(coldCache, { recursive: true, force: true });
    if (i === 0) await runAction(inputs, { XDG_CACHE_HOME: warmCache }, 'warm-up');
    warm.push(await runAction(inputs, { XDG_CACHE_HOME: warmCache }, `warm-${i}`));
    recipe.push(runRecipe(flakeDir, recipeZip));
    process.stdout.write(
      `  round ${i + 1}/${rounds}: cold ${fmt(cold[i]!.ms)}, warm ${fmt(warm[i]!.ms)}, recipe ${fmt(recipe[i]!)}\n`,
    );
  }
  const o = cold[0]!.outputs;
  const libs = (JSON.parse(o['libraries'] ?? '[]') as unknown[]).length;
  const zipBytes = Number(o['zip-bytes']);
  const recipeBytes = fs.statSync(recipeZip).size;
  const peakKb = Math.max(...cold.map((r) => r.rssKb), ...warm.map((r) => r.rssKb));
  const b = median(recipe);

  // The no-op path: deploy once, then the same build again.
  const server = await startLambdaServer();
  server.addFunction({ name: 'bench-fn', architecture: 'x86_64' });
  const awsEnv = {
    AWS_ENDPOINT_URL: server.url,
    AWS_ACCESS_KEY_ID: 'AKIDBENCH',
    AWS_SECRET_ACCESS_KEY: 'bench-secret',
    AWS_REGION: server.region,
    XDG_CACHE_HOME: warmCache,
    NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
  };
  const deployInputs = { ...inputs, stages: 'build,package,deploy', 'function-name': 'bench-fn' };
  const first = await runAction(deployInputs, awsEnv, 'deploy-1');
  const mark = server.requests.length;
  const second = await runAction(deployInputs, awsEnv, 'deploy-2');
  const uploaded = server.requests.slice(mark).reduce((n, r) => n + r.bodyBytes, 0);
  const stagesOf = (r: ActionRun): { stage: string; durationMs: number }[] =>
    (JSON.parse(r.outputs['summary-json'] ?? '{}') as { stages?: { stage: string; durationMs: number }[] })
      .stages ?? [];
  const afterBuild = stagesOf(second)
    .filter((s) => s.stage === 'package' || s.stage === 'deploy')
    .reduce((n, s) => n + s.durationMs, 0);
  await server.close();

  const distFiles = fs
    .readdirSync(path.join(ROOT, 'dist'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile());
  const distBytes = distFiles.reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  const entryBytes = fs.statSync(path.join(ROOT, 'dist', 'index.js')).size;
  const startups = [...cold, ...warm].map((r) => r.firstStageMs);

  const rows: [string, string, string][] = [
    [
      'bundle',
      `${libs} libraries, ${(Number(o['unzipped-bytes']) / 1e6).toFixed(1)} MB unzipped (${built.outPath})`,
      '',
    ],
    ['(b) nix build + shell recipe, median', fmt(b), ''],
    ['(a) action build+package, cold deflate cache, median', fmt(median(cold.map((r) => r.ms))), ''],
    ['(a) action build+package, warm deflate cache, median', fmt(median(warm.map((r) => r.ms))), ''],
    ['time ratio a/b, cold', (median(cold.map((r) => r.ms)) / b).toFixed(2), 'target <= 0.35'],
    ['time ratio a/b, warm', (median(warm.map((r) => r.ms)) / b).toFixed(2), 'target <= 0.35'],
    ['zip bytes a/b', `${(zipBytes / recipeBytes).toFixed(3)} (${zipBytes} / ${recipeBytes})`, 'target <= 1'],
    ['peak RSS of the action', `${(peakKb / 1024).toFixed(0)} MB`, 'target < 300 MB'],
    [
      'no-op deploy: status, bytes uploaded',
      `${second.outputs['deploy-status'] ?? '?'}, ${uploaded} B (first deploy: ${first.outputs['deploy-status'] ?? '?'})`,
      'target 0 B',
    ],
    ['no-op deploy: package+deploy stages', fmt(afterBuild), 'target < 1 s'],
    ['start-up: first stage reached, median', `${median(startups).toFixed(0)} ms`, 'target <= 300 ms'],
    [
      'dist size',
      `${(distBytes / 1e6).toFixed(2)} MB in ${distFiles.length} files (entry ${(entryBytes / 1e3).toFixed(0)} kB)`,
      '',
    ],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\nnpm run bench: ${rounds} rounds, alternating (a cold) (a warm) (b)\n`);
  for (const [k, v, t] of rows) console.log(`${k.padEnd(w0)}  ${v.padEnd(w1)}  ${t}`);
  fs.rmSync(work, { recursive: true, force: true });
}

await main();
