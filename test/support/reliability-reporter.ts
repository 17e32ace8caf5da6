import type { Reporter, TestCase, TestModule } from 'vitest/node';

/**
 * Prints the closing table of the reliability suite (test/reliability): every case, what it tried,
 * what happened, and whether it passed, then the totals. Each case records a ReliabilityRow in its
 * task meta (test/reliability/support.ts, startCase); the pass/fail column is vitest's own result,
 * so a case whose assertions failed is counted as failed whatever it recorded.
 *
 * vitest.config.ts: reporters: ['default', './test/support/reliability-reporter.ts']
 * The suite passes without it; it only prints.
 */

export interface ReliabilityRow {
  /** Family of the case: bad input, malformed ELF, fault, concurrency, security. */
  group: string;
  /** Short name of the case. */
  case: string;
  /** What the case did to the action. */
  tried: string;
  /** What the action did, as observed (recorded before the assertions run). */
  outcome: string;
  /** Set once every assertion of the case held. */
  passed: boolean;
  /** The calls the case made to the local AWS server, in order (listed after the table). */
  calls?: string;
}

declare module '@vitest/runner' {
  interface TaskMeta {
    reliability?: ReliabilityRow;
  }
}

export interface TableRow extends ReliabilityRow {
  state: 'passed' | 'failed' | 'skipped' | 'pending';
  error: string;
}

const SUITE_DIR = /(^|\/)test\/reliability\//;

/** The order of the groups in the table (others after them, in the order they ran). */
const GROUP_ORDER = ['bad input', 'malformed ELF', 'fault', 'concurrency', 'security'];

export function collectRows(modules: readonly TestModule[]): TableRow[] {
  const rows: TableRow[] = [];
  for (const m of modules) {
    if (!SUITE_DIR.test(m.moduleId)) continue;
    for (const t of m.children.allTests()) rows.push(rowOf(t));
  }
  const rank = (g: string): number => {
    const i = GROUP_ORDER.indexOf(g);
    return i < 0 ? GROUP_ORDER.length : i;
  };
  // Array.prototype.sort is stable: within a group, cases keep the order they ran in.
  return rows.sort((a, b) => rank(a.group) - rank(b.group));
}

function rowOf(t: TestCase): TableRow {
  const meta = t.meta().reliability;
  const result = t.result();
  const error = result.state === 'failed' ? (result.errors[0]?.message ?? 'failed') : '';
  return {
    group: meta?.group ?? t.module.relativeModuleId.replace(/^.*\//, '').replace(/\.test\.ts$/, ''),
    case: meta?.case ?? t.name,
    tried: meta?.tried ?? '(not recorded)',
    outcome: meta?.outcome || (error ? `assertion failed: ${error}` : '(no outcome recorded)'),
    passed: meta?.passed ?? false,
    ...(meta?.calls ? { calls: meta.calls } : {}),
    // A test that passed without recording its outcome did not do what a case must.
    state: result.state === 'passed' && !meta?.passed ? 'failed' : result.state,
    error,
  };
}

function cell(s: string, width: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width);
}

export function renderTable(rows: readonly TableRow[]): string {
  const W = { n: 3, group: 13, case: 40, tried: 46, outcome: 62, result: 6 };
  const line = (...cols: [string, number][]): string => cols.map(([s, w]) => cell(s, w)).join(' | ');
  const out: string[] = [];
  const head = line(
    ['#', W.n],
    ['group', W.group],
    ['case', W.case],
    ['tried', W.tried],
    ['what happened', W.outcome],
    ['result', W.result],
  );
  out.push('', 'Reliability suite', head, '-'.repeat(head.length));
  rows.forEach((r, i) => {
    const result = r.state === 'passed' ? 'PASS' : r.state === 'failed' ? 'FAIL' : 'SKIP';
    out.push(
      line(
        [String(i + 1), W.n],
        [r.group, W.group],
        [r.case, W.case],
        [r.tried, W.tried],
        [r.outcome, W.outcome],
        [result, W.result],
      ),
    );
  });
  const tried = rows.filter((r) => r.state === 'passed' || r.state === 'failed').length;
  const passed = rows.filter((r) => r.state === 'passed').length;
  const skipped = rows.filter((r) => r.state === 'skipped' || r.state === 'pending').length;
  out.push('-'.repeat(head.length));
  const groups = [...new Set(rows.map((r) => r.group))].map((g) => {
    const of = rows.filter((r) => r.group === g);
    return `${g} ${of.filter((r) => r.state === 'passed').length}/${of.length}`;
  });
  out.push(`By group: ${groups.join(', ')}`);
  out.push(
    `Cases tried: ${tried}, passed: ${passed}, failed: ${tried - passed}${skipped ? `, skipped: ${skipped}` : ''}`,
  );
  for (const r of rows.filter((x) => x.state === 'failed'))
    out.push(`FAILED ${r.group} / ${r.case}: ${r.error.split('\n')[0] ?? ''}`);
  const withCalls = rows.map((r, i) => ({ r, n: i + 1 })).filter(({ r }) => r.calls);
  if (withCalls.length > 0) {
    out.push('', "Calls made per case (the local AWS server's request log, in order):");
    for (const { r, n } of withCalls) out.push(`${n}. ${r.case}: ${r.calls ?? ''}`);
  }
  return `${out.join('\n')}\n`;
}

export default class ReliabilityReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const rows = collectRows(testModules);
    if (rows.length === 0) return;
    process.stdout.write(renderTable(rows));
  }
}
