import * as core from '@actions/core';
import type { Logger } from './util/log.js';

/**
 * The host the action runs on: a GitHub runner, through @actions/core (workflow commands,
 * annotations, outputs, the job summary), or a person's terminal (the local command), in plain
 * text. With action/state.ts, the only module that imports @actions/core.
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
    core.info(m);
  },
  debug: (m) => {
    core.debug(m);
  },
  notice: (m, title) => {
    core.notice(m, title === undefined ? {} : { title });
  },
  warning: (m, title) => {
    core.warning(m, title === undefined ? {} : { title });
  },
  error: (m, props = {}) => {
    const p: core.AnnotationProperties = {};
    if (props.title !== undefined) p.title = props.title;
    if (props.file !== undefined) p.file = props.file;
    if (props.line !== undefined) p.startLine = props.line;
    core.error(m, p);
  },
  group: (name, fn) => core.group(name, fn),
  setOutput: (n, v) => {
    core.setOutput(n, v);
  },
  setSecret: (v) => {
    core.setSecret(v);
  },
  exportVariable: (n, v) => {
    core.exportVariable(n, v);
  },
  addPath: (d) => {
    core.addPath(d);
  },
  writeSummary: async (md) => {
    if (!process.env['GITHUB_STEP_SUMMARY']) return;
    await core.summary.addRaw(md, true).write();
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
export function requestIdToken(audience: string): Promise<string> {
  return core.getIDToken(audience);
}

/** The value of an input of the step (INPUT_<NAME>), '' when it is not set. */
export function readInput(name: string): string {
  return core.getInput(name);
}
