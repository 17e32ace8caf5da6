import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from './util/log.js';
import { fileCommand, inputValue, issue, keyValueMessage } from './util/workflow.js';

/**
 * The host the action runs on: a GitHub runner, through workflow commands (annotations, groups,
 * masks) and file commands (outputs, variables, PATH, the job summary), written as @actions/core
 * writes them (util/workflow.ts), or a person's terminal (the local command), in plain text.
 * @actions/core itself is loaded only for the OIDC token: at start-up it would load an HTTP client
 * and a process runner that no step uses otherwise. With action/state.ts, the only module that
 * imports @actions/core.
 */

/** The sink every stage writes to: what library code may say (Logger), and what only the job may do. */
export interface Log extends Logger {
  error(message: string, props?: { title?: string; file?: string; line?: number }): void;
  /** Runs fn inside a collapsible group. */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  setOutput(name: string, value: string): void;
  /** Exports a variable to this process and to later steps. */
  exportVariable(name: string, value: string): void;
  /** Prepends a directory to PATH for this process and later steps. */
  addPath(dir: string): void;
  /** Appends Markdown to the job summary (where there is one). */
  writeSummary(markdown: string): Promise<void>;
}

export const actionsLog: Log = {
  info: (m) => {
    process.stdout.write(`${m}${os.EOL}`);
  },
  debug: (m) => {
    issue('debug', {}, m);
  },
  notice: (m, title) => {
    issue('notice', { title }, m);
  },
  warning: (m, title) => {
    issue('warning', { title }, m);
  },
  error: (m, props = {}) => {
    issue('error', { title: props.title, file: props.file, line: props.line }, m);
  },
  group: async (name, fn) => {
    issue('group', {}, name);
    try {
      return await fn();
    } finally {
      issue('endgroup', {}, '');
    }
  },
  setOutput: (n, v) => {
    if (!fileCommand('OUTPUT', keyValueMessage(n, v))) {
      process.stdout.write(os.EOL);
      issue('set-output', { name: n }, v);
    }
  },
  setSecret: (v) => {
    issue('add-mask', {}, v);
  },
  exportVariable: (n, v) => {
    process.env[n] = v;
    if (!fileCommand('ENV', keyValueMessage(n, v))) issue('set-env', { name: n }, v);
  },
  addPath: (d) => {
    if (!fileCommand('PATH', d)) issue('add-path', {}, d);
    process.env['PATH'] = `${d}${path.delimiter}${process.env['PATH'] ?? ''}`;
  },
  writeSummary: async (md) => {
    const file = process.env['GITHUB_STEP_SUMMARY'];
    if (!file) return;
    await fs.promises.access(file, fs.constants.R_OK | fs.constants.W_OK);
    await fs.promises.appendFile(file, `${md}${os.EOL}`, { encoding: 'utf8' });
  },
};

/** Plain-text log for the local command: no workflow commands, outputs printed at the end. */
export function consoleLog(opts: { verbose?: boolean; stream?: NodeJS.WritableStream } = {}): Log & {
  outputs: Map<string, string>;
} {
  const out = opts.stream ?? process.stderr;
  const write = (s: string): void => {
    out.write(s.endsWith('\n') ? s : `${s}\n`);
  };
  const outputs = new Map<string, string>();
  const secrets: string[] = [];
  const scrub = (s: string): string => secrets.reduce((acc, sec) => acc.split(sec).join('***'), s);
  return {
    outputs,
    info: (m) => {
      write(scrub(m));
    },
    debug: (m) => {
      if (opts.verbose) write(scrub(`debug: ${m}`));
    },
    notice: (m, t) => {
      write(scrub(t ? `notice: ${t}: ${m}` : `notice: ${m}`));
    },
    warning: (m, t) => {
      write(scrub(t ? `warning: ${t}: ${m}` : `warning: ${m}`));
    },
    error: (m, p = {}) => {
      // One block: the title on the first line, the message below it, indented.
      const where = p.file ? ` (${p.file}${p.line ? `:${p.line}` : ''})` : '';
      const body = m
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
      write(scrub(p.title ? `error: ${p.title}${where}\n${body}` : `error${where}:\n${body}`));
    },
    group: async (name, fn) => {
      write(`== ${name}`);
      return fn();
    },
    setOutput: (n, v) => outputs.set(n, v),
    setSecret: (v) => {
      if (v) secrets.push(v);
    },
    exportVariable: (n, v) => {
      process.env[n] = v;
    },
    addPath: (d) => {
      process.env['PATH'] = `${d}:${process.env['PATH'] ?? ''}`;
    },
    writeSummary: async () => {
      await Promise.resolve();
    },
  };
}

/** GitHub's OIDC token for the audience (the job needs `permissions: id-token: write`). */
export async function requestIdToken(audience: string): Promise<string> {
  const core = await import('@actions/core');
  return core.getIDToken(audience);
}

/** The value of an input of the step (INPUT_<NAME>), trimmed, '' when it is not set. */
export function readInput(name: string): string {
  return inputValue(name);
}
