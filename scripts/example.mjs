#!/usr/bin/env node
// `npm run example`: runs the built action (dist/index.js) on the bundled example flake exactly as
// a GitHub runner would (INPUT_* variables, GITHUB_OUTPUT/STATE/ENV/PATH/STEP_SUMMARY files), with
// the stages install, cachix, build and package; then starts the zip's bootstrap in an empty root
// at /var/task (as Lambda does) and sends it one event through a local Runtime API.
// Node built-ins only (dist/ is self-contained): it runs on a fresh clone without `npm ci`.
// Everything it writes goes to one temporary folder, removed at the end (KEEP=1 keeps it).
//
//   FLAKE=./examples/offline npm run example     (the default flake)
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flake = process.env.FLAKE ?? './examples/offline';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nix-lambda-example-'));
const files = Object.fromEntries(
  ['GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STEP_SUMMARY'].map((k) => [
    k,
    path.join(work, k.toLowerCase()),
  ]),
);
for (const f of Object.values(files)) fs.writeFileSync(f, '');
fs.mkdirSync(path.join(work, 'runner-temp'));

/** GITHUB_OUTPUT's name<<DELIMITER form. */
function parseOutputs(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const value = [];
    while (++i < lines.length && lines[i] !== m[2]) value.push(lines[i]);
    out[m[1]] = value.join('\n');
  }
  return out;
}

function runAction() {
  // The step's `with:` values; inputs a runner would pass with action.yml's defaults are left to the
  // action, which applies the same defaults (a test keeps them equal).
  const env = {
    ...process.env,
    ...files,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ROOT,
    RUNNER_TEMP: path.join(work, 'runner-temp'),
  };
  Object.assign(env, {
    INPUT_STAGES: 'install,cachix,build,package',
    INPUT_FLAKE: flake,
    // The example's derivations copy the build machine's libraries (no sandbox), and need nothing
    // from a binary cache: offline means offline, with no wait on an unreachable cache.nixos.org.
    'INPUT_EXTRA-NIX-CONFIG': 'sandbox = false\nsubstituters =',
  });
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'index.js')], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 1024 * 1024,
    encoding: 'utf8',
  });
  process.stdout.write(asTheRunnerShowsIt(r.stdout));
  return r.status ?? 1;
}

/**
 * The log as the runner's log viewer shows it: groups as headings, annotations as lines, no
 * debug lines (VERBOSE=1 shows them) and no masking commands.
 */
function asTheRunnerShowsIt(text) {
  const unescape = (v) => v.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
  return text
    .split('\n')
    .flatMap((line) => {
      const m = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
      if (!m) return [line];
      const [, cmd, props = '', msg] = m;
      if (cmd === 'group') return [`== ${msg}`];
      if (cmd === 'endgroup' || cmd === 'add-mask') return [];
      if (cmd === 'debug') return process.env.VERBOSE === '1' ? [`debug: ${unescape(msg)}`] : [];
      const title = /(?:^|,)title=([^,]*)/.exec(props)?.[1];
      return [`${cmd}: ${title ? `${unescape(title)}: ` : ''}${unescape(msg)}`];
    })
    .join('\n');
}

/** Serves one event on the Runtime API and resolves with the bootstrap's response. */
function invokeOnce(bundleDir, event) {
  const root = path.join(work, 'lambda-root');
  for (const d of ['var', 'proc', 'tmp', 'dev', 'lib64'])
    fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.cpSync(bundleDir, path.join(root, 'var', 'task'), { recursive: true });
  return new Promise((resolve, reject) => {
    let served = false;
    const server = http.createServer((req, res) => {
      if (req.url.endsWith('/invocation/next') && !served) {
        served = true;
        res.writeHead(200, {
          'Lambda-Runtime-Aws-Request-Id': 'example-1',
          'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30000),
        });
        res.end(JSON.stringify(event));
        return;
      }
      if (req.url.endsWith('/invocation/next')) return; // hold further polls open, as Lambda does
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.writeHead(202).end();
        finish(
          req.url.includes('/error') ? reject : resolve,
          req.url.includes('/error') ? new Error(body) : body,
        );
      });
    });
    let child;
    const timer = setTimeout(() => finish(reject, new Error('no response within 20 s')), 20000);
    function finish(fn, value) {
      clearTimeout(timer);
      const close = () => {
        server.close();
        server.closeAllConnections();
        fn(value);
      };
      // Close the Runtime API only once the bootstrap is gone, so its next poll is not refused.
      if (child && child.exitCode === null && child.signalCode === null) {
        child.once('exit', close);
        child.kill('SIGKILL');
      } else close();
    }
    server.listen(0, '127.0.0.1', () => {
      const api = `127.0.0.1:${server.address().port}`;
      child = spawn(
        'unshare',
        [
          '--mount',
          '--pid',
          '--fork',
          '--kill-child',
          '--mount-proc=/proc',
          `--root=${root}`,
          '--wd=/var/task',
          '/var/task/bootstrap',
        ],
        {
          env: {
            AWS_LAMBDA_RUNTIME_API: api,
            LAMBDA_TASK_ROOT: '/var/task',
            LD_LIBRARY_PATH:
              '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
            PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      );
      child.on('error', (e) => finish(reject, e));
      child.on('exit', (code) => {
        if (code !== null && code !== 0) finish(reject, new Error(`bootstrap exited with code ${code}`));
      });
    });
  });
}

if (!fs.existsSync(path.join(ROOT, 'dist', 'index.js'))) {
  console.error('dist/index.js is missing: run `npm run build` first.');
  process.exit(1);
}
const keep = process.env.KEEP === '1';
process.on('exit', () => {
  if (keep) console.log(`\nKept ${work} (KEEP=1): the zip, the bundle and the job summary.`);
  else fs.rmSync(work, { recursive: true, force: true });
});
console.log(`Running dist/index.js on ${flake} as a runner would (files in ${work})\n`);
const code = runAction();
const outputs = parseOutputs(fs.readFileSync(files.GITHUB_OUTPUT, 'utf8'));
if (code !== 0) {
  console.error(`\nThe action failed (exit code ${code}).`);
  process.exit(code);
}
console.log('\nOutputs:');
for (const k of [
  'nix-version',
  'store-path',
  'architecture',
  'zip-path',
  'zip-sha256',
  'zip-bytes',
  'unzipped-bytes',
  'bundle-dir',
])
  console.log(`  ${k.padEnd(15)} ${outputs[k] ?? ''}`);
console.log(`  ${'libraries'.padEnd(15)} ${JSON.parse(outputs.libraries ?? '[]').length} bundled`);
if (keep) console.log(`\nJob summary (Markdown): ${files.GITHUB_STEP_SUMMARY}`);

if (outputs.architecture !== (os.arch() === 'arm64' ? 'arm64' : 'x86_64')) {
  console.log('\nThe bootstrap is for another architecture: not invoking it here.');
} else if (
  spawnSync('unshare', ['--mount', '--pid', '--fork', '--kill-child', '--mount-proc=/proc', 'true'])
    .status !== 0
) {
  console.log(
    '\nunshare cannot create an isolated root here (run as root to invoke the bootstrap): not invoking it.',
  );
} else {
  const response = await invokeOnce(outputs['bundle-dir'], { hello: 'from npm run example' });
  console.log(
    `\nInvoked the bootstrap in an empty root at /var/task with Lambda's LD_LIBRARY_PATH. Response:\n  ${response}`,
  );
}
