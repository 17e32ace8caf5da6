import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * Every workflow file of the project, the ones it runs (.github/workflows/*.yml) and the ones it
 * hands to users (examples/**\/workflow.yml), checked with GitHub's own workflow parser
 * (@actions/workflow-parser: schema, expressions, contexts), plus what no schema knows: the inputs
 * given to this action and the outputs read from it must be the ones action.yml declares, and every
 * `run:` script must be valid bash.
 */

const ROOT = path.resolve(import.meta.dirname, '..', '..');
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

it('finds the project workflows and the examples', () => {
  const names = FILES.map(rel);
  expect(names).toContain('.github/workflows/e2e.yml');
  expect(names).toContain('examples/rust/workflow.yml');
  expect(names).toContain('examples/haskell/workflow.yml');
});
