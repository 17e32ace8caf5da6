import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isMap, isScalar, isSeq, parseDocument, parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Every workflow file of the project, the ones it runs (.github/workflows/*.yml) and the ones it
 * hands to users (examples/**\/workflow.yml), checked with GitHub's own workflow parser
 * (@actions/workflow-parser: schema, expressions, contexts), plus what no schema knows: the inputs
 * given to this action and the outputs read from it must be the ones action.yml declares, every
 * `run:` script must be valid bash, and every action a job with `id-token: write` runs is pinned by
 * commit SHA. Then the release set-up: the release workflow, check-dist building with the Node.js
 * version action.yml runs on, and dependabot.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
/** How users refer to the action in the docs and examples; the repository's own workflows use `./`. */
const PUBLISHED_REF = /^your-org\/nix-lambda@v\d+$/;

type WorkflowParser = typeof import('@actions/workflow-parser');
type ActionParser = typeof import('@actions/workflow-parser/actions/index');
let wp: WorkflowParser;
let ap: ActionParser;

interface ActionSpec {
  inputs: Set<string>;
  outputs: Set<string>;
  errors: string[];
}
let action: ActionSpec;

/** A TraceWriter that keeps the parser's error lines. */
function collectingTrace(errors: string[]): { error(m: string): void; info(): void; verbose(): void } {
  return {
    error: (m: string) => {
      errors.push(m);
    },
    info: () => undefined,
    verbose: () => undefined,
  };
}

/** action.yml through the parser's action schema. */
function readActionSpec(): ActionSpec {
  const file = { name: 'action.yml', content: fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8') };
  const traced: string[] = [];
  const parsed = ap.parseAction(file, collectingTrace(traced));
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return { inputs: new Set(), outputs: new Set(), errors: [...errors, 'no action'] };
  const template = ap.convertActionTemplate(parsed.context, parsed.value);
  errors.push(...parsed.context.errors.getErrors().map((e) => e.message));
  return {
    inputs: new Set((template.inputs ?? []).map((i) => i.id)),
    outputs: new Set((template.outputs ?? []).map((o) => o.id)),
    errors: [...new Set(errors)],
  };
}

/** The parser's errors for one workflow file (schema, then conversion: jobs, needs, expressions). */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const traced: string[] = [];
  const parsed = wp.parseWorkflow({ name, content }, collectingTrace(traced));
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (parsed.value) {
    const template = await wp.convertWorkflowTemplate(parsed.context, parsed.value);
    errors.push(...parsed.context.errors.getErrors().map((e) => e.message));
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  } else if (errors.length === 0) {
    errors.push(`${name}: the parser returned no workflow`);
  }
  return [...new Set(errors)];
}

function workflowFiles(): string[] {
  const files: string[] = [];
  const wfDir = path.join(ROOT, '.github', 'workflows');
  for (const f of fs.readdirSync(wfDir).sort()) if (/\.ya?ml$/.test(f)) files.push(path.join(wfDir, f));
  const walk = (dir: string): void => {
    for (const e of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !['node_modules', 'target', '.git'].includes(e.name))
        walk(path.join(dir, e.name));
      else if (e.isFile() && e.name === 'workflow.yml') files.push(path.join(dir, e.name));
    }
  };
  if (fs.existsSync(path.join(ROOT, 'examples'))) walk(path.join(ROOT, 'examples'));
  return files;
}

type Rec = Record<string, unknown>;
function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function records(v: unknown): Rec[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}
/** Every string anywhere inside a value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  if (isRecord(v)) return Object.values(v).flatMap(strings);
  return [];
}

function isThisAction(uses: unknown): boolean {
  if (typeof uses !== 'string') return false;
  return uses === './' || uses === '.' || PUBLISHED_REF.test(uses);
}

interface ActionUsage {
  /** How many steps use this action. */
  steps: number;
  /** `uses:` values of those steps. */
  refs: string[];
  problems: string[];
}

/**
 * Checks how a parsed workflow uses this action: `with:` keys must be inputs of action.yml,
 * `steps.<id>.outputs.<name>` on one of its steps must be an output of action.yml (and any
 * `steps.<id>` must be a step of the same job), `needs.<job>.outputs.<name>` must be declared.
 */
function checkActionUsage(workflow: unknown, spec: Pick<ActionSpec, 'inputs' | 'outputs'>): ActionUsage {
  const usage: ActionUsage = { steps: 0, refs: [], problems: [] };
  const jobs = isRecord(workflow) && isRecord(workflow['jobs']) ? workflow['jobs'] : {};
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    const steps = records(job['steps']);
    const stepIds = new Set(steps.map((s) => s['id']).filter((id): id is string => typeof id === 'string'));
    const actionStepIds = new Set<string>();
    steps.forEach((step, i) => {
      if (!isThisAction(step['uses'])) return;
      usage.steps++;
      usage.refs.push(String(step['uses']));
      const where = `jobs.${jobId}.steps[${i}]${typeof step['id'] === 'string' ? ` (id ${step['id']})` : ''}`;
      if (typeof step['id'] === 'string') actionStepIds.add(step['id']);
      const withBlock = step['with'];
      if (withBlock !== undefined && withBlock !== null && !isRecord(withBlock))
        usage.problems.push(`${where}: with: is not a mapping`);
      for (const key of Object.keys(isRecord(withBlock) ? withBlock : {}))
        if (!spec.inputs.has(key)) usage.problems.push(`${where}: with.${key} is not an input of action.yml`);
    });
    for (const text of strings(job)) {
      for (const m of text.matchAll(/\bsteps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g)) {
        const [ref, id, output] = m as unknown as [string, string, string];
        if (!stepIds.has(id)) usage.problems.push(`jobs.${jobId}: ${ref} refers to no step of this job`);
        else if (actionStepIds.has(id) && !spec.outputs.has(output))
          usage.problems.push(`jobs.${jobId}: ${ref}: ${output} is not an output of action.yml`);
      }
      for (const m of text.matchAll(/\bneeds\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g)) {
        const [ref, other, output] = m as unknown as [string, string, string];
        const otherJob = jobs[other];
        const declared = isRecord(otherJob) && isRecord(otherJob['outputs']) ? otherJob['outputs'] : {};
        if (!(output in declared))
          usage.problems.push(`jobs.${jobId}: ${ref} is not an output of job ${other}`);
      }
    }
  }
  return usage;
}

/** `bash -n` on every `run:` step that runs in bash (the default shell of Linux runners). */
function bashProblems(workflow: unknown): string[] {
  const problems: string[] = [];
  const jobs = isRecord(workflow) && isRecord(workflow['jobs']) ? workflow['jobs'] : {};
  for (const [jobId, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    records(job['steps']).forEach((step, i) => {
      const run = step['run'];
      const shell = step['shell'];
      if (typeof run !== 'string' || (typeof shell === 'string' && !shell.startsWith('bash'))) return;
      // Expressions are replaced before the shell sees the script; a word stands in for each.
      const script = run.replace(/\$\{\{[\s\S]*?\}\}/g, 'EXPR');
      try {
        execFileSync('bash', ['-n'], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (e) {
        const err = e as Error & { stderr?: Buffer };
        problems.push(`jobs.${jobId}.steps[${i}]: ${err.stderr?.toString().trim() ?? err.message}`);
      }
    });
  }
  return problems;
}

const FILES = workflowFiles();
const rel = (f: string): string => path.relative(ROOT, f);

beforeAll(async () => {
  wp = await import('@actions/workflow-parser');
  ap = await import('@actions/workflow-parser/actions/index');
  action = readActionSpec();
});

describe('the parsers themselves', () => {
  it('reads action.yml with the action schema, with no errors', () => {
    expect(action.errors).toEqual([]);
    expect(action.inputs.has('flake')).toBe(true);
    expect(action.inputs.has('stages')).toBe(true);
    expect(action.outputs.has('zip-path')).toBe(true);
    expect(action.outputs.has('function-version')).toBe(true);
  });

  it('reports the mistakes of a broken workflow', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-latest',
      '    permisions: {}',
      '    steps:',
      '      - uses: ./',
      '        run: echo both',
      '      - run: echo ${{ github.sha ) }}',
      '      - run: echo ${{ nosuchcontext.x }}',
    ].join('\n');
    const errors = await workflowErrors('broken.yml', broken);
    expect(errors.some((e) => e.includes("Unexpected value 'permisions'"))).toBe(true);
    expect(errors.some((e) => e.includes("Unexpected value 'run'"))).toBe(true);
    expect(errors.some((e) => e.includes("Unexpected symbol: ')'"))).toBe(true);
    expect(errors.some((e) => e.includes("Unrecognized named-value: 'nosuchcontext'"))).toBe(true);
  });

  it('flags unknown inputs, unknown outputs and unknown steps of this action', () => {
    const wf: unknown = parseYaml(`
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      version: \${{ steps.lambda.outputs.function-version }}
    steps:
      - id: lambda
        uses: your-org/nix-lambda@v1
        with:
          flake: .
          flakes: .
      - run: echo \${{ steps.lambda.outputs.zip-path }} \${{ steps.lambda.outputs.zip }} \${{ steps.other.outputs.x }}
  after:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: echo \${{ needs.build.outputs.version }} \${{ needs.build.outputs.versions }}
`);
    const usage = checkActionUsage(wf, action);
    expect(usage.steps).toBe(1);
    expect(usage.problems.sort()).toEqual(
      [
        'jobs.build.steps[0] (id lambda): with.flakes is not an input of action.yml',
        'jobs.build: steps.lambda.outputs.zip: zip is not an output of action.yml',
        'jobs.build: steps.other.outputs.x refers to no step of this job',
        'jobs.after: needs.build.outputs.versions is not an output of job build',
      ].sort(),
    );
  });

  it('finds a bash syntax error in a run script', () => {
    const problems = bashProblems({ jobs: { a: { steps: [{ run: 'if true; then\n  echo ${{ x }}\n' }] } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/jobs\.a\.steps\[0\]: .*(syntax error|unexpected end of file)/);
  });
});

describe.each(FILES.map((f) => [rel(f), f] as const))('%s', (name, file) => {
  const content = fs.readFileSync(file, 'utf8');
  const isExample = name.startsWith('examples/');

  it('is valid for GitHub Actions (@actions/workflow-parser)', async () => {
    expect(await workflowErrors(name, content)).toEqual([]);
  });

  it('gives this action only inputs of action.yml and reads only its outputs', () => {
    const usage = checkActionUsage(parseYaml(content) as unknown, action);
    expect(usage.problems).toEqual([]);
    // The repository's workflows use the checkout (`./`); the examples use the published reference.
    for (const ref of usage.refs) expect(ref, name).toMatch(isExample ? PUBLISHED_REF : /^\.\/?$/);
    if (isExample || name.endsWith('e2e.yml'))
      expect(usage.steps, `${name} uses the action`).toBeGreaterThan(0);
  });

  it('has run scripts that bash can parse', () => {
    expect(bashProblems(parseYaml(content) as unknown)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Pinning: every action a job with `id-token: write` runs is pinned by full commit SHA

interface ActionRef {
  job: string;
  /** Where: `steps[i]` or `uses` (a job that calls a reusable workflow). */
  where: string;
  uses: string;
  /** The comment after the value (`# v7.0.1` gives `v7.0.1`). */
  comment: string | undefined;
  idToken: boolean;
}

/** The permissions a job runs with: its own `permissions:`, else the workflow's. */
function grantsIdToken(permissions: unknown): boolean {
  if (permissions === 'write-all') return true;
  return isRecord(permissions) && permissions['id-token'] === 'write';
}

/** Every `uses:` of a workflow (steps and reusable-workflow jobs), with its comment and its job's id-token grant. */
function actionRefs(content: string): ActionRef[] {
  const doc = parseDocument(content);
  const workflow = doc.toJS() as unknown;
  const wfPermissions = isRecord(workflow) ? workflow['permissions'] : undefined;
  const jobs = doc.get('jobs');
  const refs: ActionRef[] = [];
  if (!isMap(jobs)) return refs;
  for (const pair of jobs.items) {
    const jobId = isScalar(pair.key) ? String(pair.key.value) : '?';
    const job = pair.value;
    if (!isMap(job)) continue;
    const jobJs = job.toJSON() as Rec;
    const idToken = grantsIdToken('permissions' in jobJs ? jobJs['permissions'] : wfPermissions);
    const push = (where: string, node: unknown): void => {
      if (isScalar(node) && typeof node.value === 'string')
        refs.push({ job: jobId, where, uses: node.value, comment: node.comment?.trim(), idToken });
    };
    push('uses', job.get('uses', true));
    const steps = job.get('steps');
    if (isSeq(steps))
      steps.items.forEach((step, i) => {
        if (isMap(step)) push(`steps[${i}]`, step.get('uses', true));
      });
  }
  return refs;
}

const SHA_PIN = /^[\w.-]+\/[\w.-]+(\/[^@\s]+)?@[0-9a-f]{40}$/;
const VERSION_COMMENT = /^v\d+\.\d+\.\d+$/;

/** Problems of one `uses:`: pinned by SHA (with the version comment) where its job can mint an OIDC token. */
function pinningProblems(ref: ActionRef, isExample: boolean): string[] {
  const at = `jobs.${ref.job}.${ref.where} (${ref.uses})`;
  if (ref.uses.startsWith('./')) return []; // this repository's own code, at the checked-out commit
  // The examples refer to this action as users will: its pinning is theirs (README, "Versions and pinning").
  if (isExample && isThisAction(ref.uses)) return [];
  if (!ref.idToken) return [];
  if (ref.uses.startsWith('docker://'))
    return /@sha256:[0-9a-f]{64}$/.test(ref.uses)
      ? []
      : [`${at}: a job with id-token: write pins images by digest`];
  const problems: string[] = [];
  if (!SHA_PIN.test(ref.uses))
    problems.push(`${at}: a job with id-token: write pins actions by full commit SHA`);
  if (!ref.comment || !VERSION_COMMENT.test(ref.comment))
    problems.push(`${at}: the SHA needs the release it is, as a comment: # vX.Y.Z`);
  return problems;
}

/** The oldest major of each action the workflows may use (the current one when this was written). */
const CURRENT_MAJORS: Record<string, number> = {
  'actions/checkout': 7,
  'actions/setup-node': 7,
  'actions/upload-artifact': 7,
  'aws-actions/configure-aws-credentials': 6,
};

/** `owner/repo` and the major version of a ref: from its `# vX.Y.Z` comment when pinned by SHA, else its tag. */
function majorOf(ref: ActionRef): { action: string; major: number | undefined } {
  const [name = '', version = ''] = ref.uses.split('@');
  const action = name.split('/').slice(0, 2).join('/');
  const tag = /^[0-9a-f]{40}$/.test(version) ? (ref.comment ?? '') : version;
  const m = /^v(\d+)(\.|$)/.exec(tag);
  return { action, major: m ? Number(m[1]) : undefined };
}

describe('pinning', () => {
  it('finds refs, their comments and the id-token grant of their job', () => {
    const refs = actionRefs(`
permissions:
  id-token: write
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - uses: actions/checkout@${'a'.repeat(40)} # v7.0.1
      - uses: actions/checkout@${'b'.repeat(40)}
      - uses: ./
      - uses: docker://alpine:3
  b:
    permissions:
      contents: read
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
  c:
    permissions: write-all
    uses: some/repo/.github/workflows/x.yml@main
`);
    expect(refs.map((r) => [r.job, r.idToken, r.comment])).toEqual([
      ['a', true, undefined],
      ['a', true, 'v7.0.1'],
      ['a', true, undefined],
      ['a', true, undefined],
      ['a', true, undefined],
      ['b', false, undefined],
      ['c', true, undefined],
    ]);
    expect(refs.map((r) => pinningProblems(r, false).length)).toEqual([2, 0, 1, 0, 1, 0, 2]);
  });

  describe.each(FILES.map((f) => [rel(f), f] as const))('%s', (name, file) => {
    const refs = actionRefs(fs.readFileSync(file, 'utf8'));
    const isExample = name.startsWith('examples/');

    it('pins every action of a job with id-token: write by commit SHA, with its version', () => {
      expect(refs.flatMap((r) => pinningProblems(r, isExample))).toEqual([]);
    });

    it('uses the current major of each action', () => {
      for (const ref of refs) {
        if (ref.uses.startsWith('./') || isThisAction(ref.uses)) continue;
        const { action, major } = majorOf(ref);
        expect(major, `${ref.uses}: no version`).toBeDefined();
        const current = CURRENT_MAJORS[action];
        if (current !== undefined) expect(major, `${name}: ${ref.uses}`).toBeGreaterThanOrEqual(current);
      }
    });
  });

  it('pins each action to one release across the workflows, and the examples to the same majors', () => {
    const isProject = (f: string): boolean => !rel(f).startsWith('examples/');
    // The releases each action is pinned to by the project's workflows, keyed by `uses # comment`.
    const pins = new Map<string, Map<string, ActionRef>>();
    for (const r of FILES.filter(isProject).flatMap((f) => actionRefs(fs.readFileSync(f, 'utf8')))) {
      if (r.uses.startsWith('./')) continue;
      const { action } = majorOf(r);
      const forAction = pins.get(action) ?? new Map<string, ActionRef>();
      forAction.set(`${r.uses} # ${r.comment ?? ''}`, r);
      pins.set(action, forAction);
    }
    for (const [action, releases] of pins) expect([...releases.keys()], action).toHaveLength(1);
    for (const f of FILES.filter((x) => !isProject(x)))
      for (const r of actionRefs(fs.readFileSync(f, 'utf8'))) {
        if (isThisAction(r.uses)) continue;
        const { action, major } = majorOf(r);
        const pinned = [...(pins.get(action)?.values() ?? [])][0];
        expect(pinned, `${rel(f)}: ${action} is used by no project workflow`).toBeDefined();
        if (pinned) expect(major, `${rel(f)}: ${r.uses}`).toBe(majorOf(pinned).major);
      }
  });
});

// ---------------------------------------------------------------------------------------------
// The Node.js version action.yml runs on, in check-dist and the release

/** The `nodeNN` of action.yml's runs.using, as a number. */
function actionNodeMajor(actionYml = path.join(ROOT, 'action.yml')): number {
  const using = (parseYaml(fs.readFileSync(actionYml, 'utf8')) as { runs?: { using?: unknown } }).runs?.using;
  const m = typeof using === 'string' ? /^node(\d+)$/.exec(using) : null;
  if (!m) throw new Error(`action.yml: runs.using is ${String(using)}`);
  return Number(m[1]);
}

/**
 * The node-version a job gives actions/setup-node, resolved: a literal, or `steps.<id>.outputs.<name>`
 * of a step whose script is run here (in a copy of the repository's action.yml and scripts/).
 */
function setupNodeVersion(workflow: unknown, jobId: string, actionYml: string): string {
  const jobs = isRecord(workflow) && isRecord(workflow['jobs']) ? workflow['jobs'] : {};
  const job = jobs[jobId];
  const steps = isRecord(job) ? records(job['steps']) : [];
  const setup = steps.find(
    (s) => typeof s['uses'] === 'string' && s['uses'].startsWith('actions/setup-node@'),
  );
  const given = isRecord(setup?.['with']) ? setup['with']['node-version'] : undefined;
  if (typeof given === 'number') return String(given);
  if (typeof given !== 'string') throw new Error(`jobs.${jobId}: setup-node has no node-version`);
  const ref = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$/.exec(given);
  if (!ref) return given;
  const step = steps.find((s) => s['id'] === ref[1]);
  if (typeof step?.['run'] !== 'string') throw new Error(`jobs.${jobId}: no step ${ref[1]} with a script`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-node-version-'));
  try {
    fs.mkdirSync(path.join(dir, 'scripts'));
    fs.copyFileSync(
      path.join(ROOT, 'scripts', 'action-node-version.sh'),
      path.join(dir, 'scripts', 'action-node-version.sh'),
    );
    fs.copyFileSync(actionYml, path.join(dir, 'action.yml'));
    const output = path.join(dir, 'github-output');
    fs.writeFileSync(output, '');
    execFileSync('bash', ['-eo', 'pipefail', '-c', step['run']], {
      cwd: dir,
      env: { ...process.env, GITHUB_OUTPUT: output },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const line = fs
      .readFileSync(output, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${ref[2]!}=`));
    if (line === undefined) throw new Error(`jobs.${jobId}: step ${ref[1]} wrote no ${ref[2]} output`);
    return line.slice(ref[2]!.length + 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Node.js version of action.yml', () => {
  const workflows = {
    'check-dist.yml': 'check-dist',
    'release.yml': 'check',
  } as const;

  it('is read by scripts/action-node-version.sh, which refuses what is not nodeNN', () => {
    const script = path.join(ROOT, 'scripts', 'action-node-version.sh');
    expect(execFileSync('bash', [script, path.join(ROOT, 'action.yml')], { encoding: 'utf8' }).trim()).toBe(
      String(actionNodeMajor()),
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'action-node-'));
    try {
      let n = 0;
      const write = (body: string): string => {
        const f = path.join(dir, `action-${++n}.yml`);
        fs.writeFileSync(f, body);
        return f;
      };
      const run = (f: string): string =>
        execFileSync('bash', [script, f], { encoding: 'utf8', stdio: 'pipe' }).trim();
      expect(
        run(
          write(
            'name: x\ninputs:\n  using:\n    description: no\nruns:\n  using: "node26" # soon\n  main: a.js\n',
          ),
        ),
      ).toBe('26');
      expect(() => run(write('runs:\n  using: composite\n'))).toThrow();
      expect(() => run(write('name: x\n'))).toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(Object.entries(workflows))(
    'is the one %s builds with (read from action.yml, not written in)',
    (file, jobId) => {
      const workflow = parseYaml(
        fs.readFileSync(path.join(ROOT, '.github', 'workflows', file), 'utf8'),
      ) as unknown;
      expect(setupNodeVersion(workflow, jobId, path.join(ROOT, 'action.yml'))).toBe(
        String(actionNodeMajor()),
      );
      // Another runtime in action.yml gives another version: the workflow reads it.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'action-yml-'));
      try {
        const other = path.join(dir, 'action.yml');
        fs.writeFileSync(
          other,
          fs
            .readFileSync(path.join(ROOT, 'action.yml'), 'utf8')
            .replace(/^(\s+using:\s*)node\d+/m, '$1node99'),
        );
        expect(actionNodeMajor(other)).toBe(99);
        expect(setupNodeVersion(workflow, jobId, other)).toBe('99');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('is one of the versions CI tests on', () => {
    const ci = parseYaml(fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
      jobs: { test: { strategy: { matrix: { node: unknown[] } } } };
    };
    expect(ci.jobs.test.strategy.matrix.node.map(String)).toContain(String(actionNodeMajor()));
  });
});

// ---------------------------------------------------------------------------------------------
// Releases

describe('the release workflow', () => {
  const file = path.join(ROOT, '.github', 'workflows', 'release.yml');

  it('exists', () => {
    expect(fs.existsSync(file)).toBe(true);
  });

  const wf = (fs.existsSync(file) ? parseYaml(fs.readFileSync(file, 'utf8')) : {}) as {
    on?: {
      push?: { tags?: string[] };
      workflow_dispatch?: { inputs?: Record<string, { required?: boolean }> };
    };
    permissions?: unknown;
    jobs?: Record<string, { permissions?: unknown; needs?: unknown; steps?: Rec[] }>;
  };
  const scripts = (jobId: string): string =>
    records(wf.jobs?.[jobId]?.steps)
      .map((s) => (typeof s['run'] === 'string' ? s['run'] : ''))
      .join('\n');

  it('runs on a pushed vX.Y.Z tag, or by hand with a version', () => {
    expect(wf.on?.push?.tags).toEqual(['v*.*.*']);
    expect(wf.on?.workflow_dispatch?.inputs?.['version']?.required).toBe(true);
    // Read-only unless a job says otherwise.
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('checks the commit first: lint, typecheck, unit tests, and dist/ equal to a fresh build', () => {
    const check = scripts('check');
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm run test:unit',
      'npm run build',
    ])
      expect(check).toContain(command);
    expect(check).toMatch(/git status --porcelain[^\n]* dist/);
    expect(check).toContain('package.json');
    expect(check).toContain('CHANGELOG.md');
  });

  it('then, with write access in that job only, creates the release and moves the major tag', () => {
    const release = wf.jobs?.['release'];
    expect(release?.needs).toBe('check');
    expect(release?.permissions).toEqual({ contents: 'write' });
    expect(wf.jobs?.['check']?.permissions).toEqual({ contents: 'read' });
    const script = scripts('release');
    expect(script).toContain('gh release create');
    expect(script).toMatch(/git\/refs\/tags\/\$MAJOR/);
  });
});

describe('dependabot', () => {
  const file = path.join(ROOT, '.github', 'dependabot.yml');
  const config = (fs.existsSync(file) ? parseYaml(fs.readFileSync(file, 'utf8')) : {}) as {
    version?: number;
    updates?: {
      'package-ecosystem': string;
      directory?: string;
      schedule?: { interval?: string };
      groups?: Record<string, { patterns?: string[] }>;
    }[];
  };
  const update = (ecosystem: string) => config.updates?.find((u) => u['package-ecosystem'] === ecosystem);

  it('updates npm weekly, grouping @aws-sdk/* and @actions/*', () => {
    expect(config.version).toBe(2);
    const npm = update('npm');
    expect(npm?.directory).toBe('/');
    expect(npm?.schedule?.interval).toBe('weekly');
    expect(npm?.groups?.['aws-sdk']?.patterns).toEqual(['@aws-sdk/*']);
    expect(npm?.groups?.['actions']?.patterns).toEqual(['@actions/*']);
  });

  it("updates the workflows' actions weekly", () => {
    const actions = update('github-actions');
    expect(actions?.directory).toBe('/');
    expect(actions?.schedule?.interval).toBe('weekly');
  });
});

it('finds the project workflows and the examples', () => {
  const names = FILES.map(rel);
  expect(names).toContain('.github/workflows/e2e.yml');
  expect(names).toContain('.github/workflows/release.yml');
  expect(names).toContain('examples/rust/workflow.yml');
  expect(names).toContain('examples/haskell/workflow.yml');
});
