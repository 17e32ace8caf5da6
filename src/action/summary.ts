import type { BundledFile } from '../bundle/bundle.js';
import type { StoreReferenceNote } from '../bundle/references.js';
import type { LocalSmokeTest } from '../bundle/smoke.js';
import type { JobContext, StageRecord } from '../context.js';
import type { DeployResult, LayerDeployResult, SmokeTestReport } from '../deploy/types.js';
import { LAMBDA_UNZIPPED_LIMIT, LAMBDA_ZIP_LIMIT } from '../lambda.js';
import { formatBytes, formatDuration } from '../util/format.js';

/**
 * The job summary and the `summary-json` output: a pure function of what the
 * stages recorded. Written at the end of every run, failed ones included.
 */

export interface SummaryData {
  ok: boolean;
  error?: { title: string; message: string };
  nixVersion?: string;
  stages: StageRecord[];
  build?: { installable: string; outPath: string; program: string; closurePaths: number };
  bundle?: {
    architecture: string;
    verified: string;
    zipPath: string;
    zipBytes: number;
    unzippedBytes: number;
    /** The zip's CodeSha256 (summary-json is public: the key keeps its name, as the output zip-sha256 does). */
    zipSha256: string;
    files: Omit<BundledFile, 'mode'>[];
    references: StoreReferenceNote[];
    /** The library layer (library-layer): its files are among `files`, marked `layer`. */
    layer?: { sha256: string; unzippedBytes: number; zipPath: string; zipBytes?: number };
  };
  /** The package stage's local smoke test, when a payload asked for one. */
  localSmokeTest?: Omit<LocalSmokeTest, 'outputTail'>;
  deployments: DeployResult[];
  /** The smoke tests the deploy stage ran, failed ones included. */
  smokeTests?: SmokeTestReport[];
  /** The library layer version the functions got. */
  layer?: LayerDeployResult;
}

export function collectSummary(ctx: JobContext, error?: { title: string; message: string }): SummaryData {
  const data: SummaryData = {
    ok: error === undefined,
    stages: [...ctx.stages],
    deployments: [...(ctx.deployments ?? [])],
  };
  if (error) data.error = error;
  if (ctx.smokeTests && ctx.smokeTests.length > 0) data.smokeTests = [...ctx.smokeTests];
  if (ctx.nix) data.nixVersion = ctx.nix.version;
  if (ctx.build)
    data.build = {
      installable: ctx.build.installable,
      outPath: ctx.build.outPath,
      program: ctx.build.programRel,
      closurePaths: ctx.build.closure.length,
    };
  if (ctx.localSmokeTest) {
    const { outputTail: _tail, ...smoke } = ctx.localSmokeTest;
    data.localSmokeTest = smoke;
  }
  const p = ctx.package;
  if (p)
    data.bundle = {
      architecture: p.architecture,
      verified: p.verified,
      zipPath: p.zipPath,
      zipBytes: p.zipBytes,
      unzippedBytes: p.unzippedBytes,
      zipSha256: p.codeSha256,
      files: p.files.map(({ mode: _mode, ...f }) => f),
      references: p.references,
    };
  if (p?.layer && data.bundle)
    data.bundle.layer = {
      sha256: p.layer.sha256,
      unzippedBytes: p.layer.unzippedBytes,
      zipPath: p.layer.zipPath,
      ...(p.layer.zip ? { zipBytes: p.layer.zip.bytes } : {}),
    };
  if (ctx.layer) data.layer = ctx.layer;
  return data;
}

const STATUS_ICON: Record<string, string> = {
  success: '✅ success',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
};

/** A stage's duration; none for a stage that did not run. */
function duration(ms: number): string {
  return ms === 0 ? '' : formatDuration(ms);
}

/** Escapes text for a Markdown table cell. */
export function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function code(s: string): string {
  return s ? `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '&#124;')}</code>` : '';
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function percent(part: number, whole: number): string {
  return `${((part / whole) * 100).toFixed(part / whole < 0.1 ? 1 : 0)}%`;
}

/** The deepest folder holding every one of the paths. */
function commonFolder(names: readonly string[]): string {
  let parts = names[0]!.split('/').slice(0, -1);
  for (const n of names.slice(1)) {
    const p = n.split('/');
    let i = 0;
    while (i < parts.length && parts[i] === p[i]) i++;
    parts = parts.slice(0, i);
  }
  return parts.join('/') || '.';
}

/** Short store-path form: /nix/store/abcdefgh…-name. */
export function shortStorePath(p: string): string {
  const m = /^\/nix\/store\/([a-z0-9]{32})-(.*)$/.exec(p);
  return m ? `/nix/store/${m[1]!.slice(0, 8)}…-${m[2]!}` : p;
}

export function renderSummary(d: SummaryData): string {
  const out: string[] = [];
  out.push(`## Nix flake to AWS Lambda: ${d.ok ? 'succeeded' : 'failed'}`);
  if (d.error)
    out.push(
      `> [!CAUTION]\n> **${cell(d.error.title)}**: ${d.error.message.split('\n').map(cell).join('<br>')}`,
    );
  if (d.stages.length > 0) {
    out.push('### Stages');
    out.push(
      table(
        ['Stage', 'Status', 'Duration'],
        d.stages.map((s) => [s.stage, STATUS_ICON[s.status] ?? s.status, duration(s.durationMs)]),
      ),
    );
  }
  if (d.build) {
    out.push('### Build');
    const rows = [
      ['Installable', code(d.build.installable)],
      ['Output', code(d.build.outPath)],
      ['Program', `${code(d.build.program)} (shipped as ${code('bootstrap')})`],
      ['Runtime closure', `${d.build.closurePaths} store paths`],
    ];
    if (d.nixVersion) rows.push(['Nix', d.nixVersion]);
    out.push(table(['', ''], rows));
  }

  if (d.bundle)
    out.push(...bundleSection(d.bundle), ...referencesSection(d.bundle), ...limitsSection(d.bundle));
  if (d.localSmokeTest) out.push(...localSmokeSection(d.localSmokeTest));
  if (d.smokeTests && d.smokeTests.length > 0) out.push(...smokeSection(d.smokeTests));
  if (d.deployments.length > 0) out.push(...deploySection(d.deployments));
  if (d.layer) out.push(layerLine(d.layer));
  return `${out.join('\n\n')}\n`;
}

type BundleSummary = NonNullable<SummaryData['bundle']>;

/** The bundle's files: the program, what was included (one row per include), the libraries by size. */
function bundleSection(b: BundleSummary): string[] {
  const out: string[] = [];
  out.push('### Bundle');
  const libs = b.files
    .filter((f) => f.kind === 'library' || f.kind === 'interpreter')
    .sort((x, y) => y.bytes - x.bytes || (x.name < y.name ? -1 : 1));
  const programs = b.files.filter((f) => f.kind === 'program');
  // Included files: one row per include (a data set's folder holds hundreds of files).
  const groups = new Map<string, Omit<BundledFile, 'mode'>[]>();
  for (const f of b.files.filter((x) => x.kind === 'include')) {
    const key = f.reason ?? f.name;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const why = (f: Omit<BundledFile, 'mode'>): string =>
    f.reason && !f.reason.startsWith('DT_NEEDED') && f.kind !== 'program' ? cell(f.reason) : '';
  const row = (f: Omit<BundledFile, 'mode'>): string[] => [
    code(f.layer ? `/opt/${f.name}` : f.name),
    f.kind,
    code(shortStorePath(f.storePath)),
    formatBytes(f.bytes),
    why(f),
  ];
  const includeRows = [...groups.values()]
    .map((fs): [number, string[]] => {
      const bytes = fs.reduce((n, f) => n + f.bytes, 0);
      if (fs.length === 1) return [bytes, row(fs[0]!)];
      const dir = commonFolder(fs.map((f) => f.name));
      return [
        bytes,
        [
          code(`${dir}/`),
          `include (${fs.length} files)`,
          code(shortStorePath(fs[0]!.storePath)),
          formatBytes(bytes),
          why(fs[0]!),
        ],
      ];
    })
    .sort((x, y) => y[0] - x[0])
    .map(([, r]) => r);
  const rows = [...programs.map(row), ...includeRows, ...libs.map(row)];
  const total = b.unzippedBytes + (b.layer?.unzippedBytes ?? 0);
  rows.push(['**Total**', `${b.files.length} files`, '', `**${formatBytes(total)}**`, '']);
  out.push(
    `${b.architecture} · ${libs.length} ${libs.length === 1 ? 'library' : 'libraries'}${b.layer ? ' in the library layer (/opt/lib)' : ''} · checked by ${b.verified === 'loader' ? `running the bundled loader in an isolated root${b.layer ? ' with the layer at /opt' : ''}` : 'reading the ELF headers'}`,
  );
  out.push(table(['File', 'Kind', 'From', 'Size', 'Why'], rows));
  return out;
}

/** Store paths named in the bundle, and what each is on Lambda. */
function referencesSection(b: BundleSummary): string[] {
  const out: string[] = [];
  const refs = b.references;
  if (refs.length > 0) {
    out.push('### Store paths named in the bundle');
    out.push(
      table(
        ['File', 'Store path', 'On Lambda'],
        refs.map((r) => [
          code(r.file),
          code(shortStorePath(r.path)),
          `${r.kind === 'data' || r.kind === 'included' ? '✅' : '⚠️'} ${cell(r.note)}`,
        ]),
      ),
    );
  }
  return out;
}

/** The zip against Lambda's limits, and its CodeSha256. */
function limitsSection(b: BundleSummary): string[] {
  const out: string[] = [];
  out.push('### Zip and Lambda limits');
  const zipRow = (label: string, bytes: number): string[] => [
    label,
    formatBytes(bytes),
    formatBytes(LAMBDA_ZIP_LIMIT),
    `${percent(bytes, LAMBDA_ZIP_LIMIT)}${bytes <= LAMBDA_ZIP_LIMIT ? '' : ' ⚠️ use s3-bucket'}`,
  ];
  const unzipped = b.unzippedBytes + (b.layer?.unzippedBytes ?? 0);
  const rows = [zipRow(b.layer ? 'Function zip (direct upload)' : 'Zip (direct upload)', b.zipBytes)];
  if (b.layer)
    rows.push(
      b.layer.zipBytes !== undefined
        ? zipRow('Layer zip (direct upload)', b.layer.zipBytes)
        : ['Layer zip', 'not written', '', 'a version with this content hash exists, or no deploy ran'],
    );
  rows.push([
    b.layer ? 'Unzipped (function + library layer)' : 'Unzipped (with layers)',
    formatBytes(unzipped),
    formatBytes(LAMBDA_UNZIPPED_LIMIT),
    `${percent(unzipped, LAMBDA_UNZIPPED_LIMIT)}${unzipped <= LAMBDA_UNZIPPED_LIMIT ? '' : ' ❌'}`,
  ]);
  out.push(table(['', 'Size', 'Limit', 'Used'], rows));
  out.push(`CodeSha256 ${code(b.zipSha256)} · ${code(b.zipPath)}`);
  if (b.layer)
    out.push(`Library layer content hash ${code(`sha256:${b.layer.sha256}`)} · ${code(b.layer.zipPath)}`);
  return out;
}

const SMOKE_ICON: Record<string, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  skipped: '⏭️ skipped',
};

/** The bundle run against a local Runtime API: the verdict, the init and first-response times. */
function localSmokeSection(s: NonNullable<SummaryData['localSmokeTest']>): string[] {
  const ms = (v: number | undefined): string => (v === undefined ? '' : formatDuration(v));
  const rows = [
    ['Result', `${SMOKE_ICON[s.result] ?? s.result}${s.emulated ? ' (under qemu-aarch64)' : ''}`],
    ['Init (start to the first GET next)', ms(s.initMs)],
    ['First response (event to answer)', ms(s.firstResponseMs)],
  ];
  if (s.reason) rows.push([s.result === 'skipped' ? 'Why' : 'What failed', cell(s.reason)]);
  if (s.response !== undefined) rows.push(['Response', code(s.response.slice(0, 300).replace(/\s+/g, ' '))]);
  return ['### Local smoke test', table(['', ''], rows)];
}

/** One row per function deployed. */
function deploySection(deployments: readonly DeployResult[]): string[] {
  const out: string[] = [];
  out.push('### Deploy');
  out.push(
    table(
      ['Function', 'Status', 'Version', 'Alias', 'CodeSha256', 'Uploaded', 'Configuration'],
      deployments.map((r) => [
        code(r.function),
        r.status,
        r.version,
        r.alias,
        code(r.codeSha256),
        r.upload ? `${formatBytes(r.bytesUploaded)} (${r.upload})` : 'nothing',
        r.configChanges.length > 0 ? r.configChanges.map((c) => cell(c.setting)).join(', ') : '',
      ]),
    ),
  );
  for (const r of deployments) {
    if (r.architectureChange)
      out.push(
        `${code(r.function)}: architecture ${r.status === 'dry-run' ? 'would change' : 'changed'} from ${r.architectureChange.from} to ${r.architectureChange.to} with the code (architecture-change: update).`,
      );
    if (r.deletedVersions.length > 0)
      out.push(
        `${code(r.function)}: deleted old version${r.deletedVersions.length === 1 ? '' : 's'} ${r.deletedVersions.join(', ')} (keep-versions).`,
      );
  }
  return out;
}

function pre(s: string): string {
  return `<pre>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</pre>`;
}

/** Each smoke test: its result, why it failed, and the end of the function's log. */
function smokeSection(reports: readonly SmokeTestReport[]): string[] {
  const out: string[] = ['### Smoke test'];
  out.push(
    table(
      ['Function', 'Version', 'Result', 'Time', 'Detail'],
      reports.map((r) => [
        code(r.function),
        r.version,
        r.result === 'passed' ? '✅ passed' : '❌ failed',
        formatDuration(r.durationMs),
        cell(r.reason || `status ${r.statusCode ?? '?'}`),
      ]),
    ),
  );
  for (const r of reports) {
    const failed = r.result === 'failed';
    if (failed && r.response)
      out.push(
        `<details open><summary>${cell(r.function)} version ${r.version}: response</summary>\n\n${pre(r.response)}\n</details>`,
      );
    if (r.logTail)
      out.push(
        `<details${failed ? ' open' : ''}><summary>${cell(r.function)} version ${r.version}: log tail</summary>\n\n${pre(r.logTail)}\n</details>`,
      );
  }
  return out;
}

/** The library layer version the functions got, and whether it was reused. */
function layerLine(l: LayerDeployResult): string {
  const what =
    l.status === 'reused'
      ? 'reused: a version with the same content hash existed, nothing compressed or uploaded'
      : l.status === 'published'
        ? `published: ${formatBytes(l.bytesUploaded)} uploaded (${l.upload})`
        : `dry run: a new version would be published (${formatBytes(l.zipBytes)} zipped)`;
  return `Library layer ${code(l.name)}${l.version ? ` version ${l.version}` : ''}: ${what}.`;
}
