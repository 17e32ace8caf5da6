import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ActionError } from '../util/errors.js';
import { readFileShared } from '../util/fs.js';
import type { BundleEntry } from './bundle.js';
import { storePathOf } from './store-path.js';

/**
 * What the bundle carries besides the closure: the `include` input's files and folders and the
 * data sets (data-sets.ts), read from the build output or its runtime closure and nowhere else.
 */

/**
 * Files under dir (following links), each checked with `check` before it is read or descended
 * into: a link out of the closure (to /etc, to /) is refused, never followed.
 */
async function walk(
  dir: string,
  seen: Set<string>,
  check: (p: string) => Promise<string>,
): Promise<string[]> {
  const real = await check(dir);
  if (seen.has(real)) return [];
  seen.add(real);
  const out: string[] = [];
  for (const name of (await fsp.readdir(dir)).sort()) {
    const p = path.join(dir, name);
    const st = await fsp.stat(await check(p));
    if (st.isDirectory()) out.push(...(await walk(p, seen, check)));
    else if (st.isFile()) out.push(p);
  }
  return out;
}

/** A file or folder to bundle (input include). */
export interface IncludeSpec {
  /** As written: a path relative to the build output, or an absolute /nix/store path. */
  source: string;
  /** Relative path inside the zip. */
  target: string;
}

/** What to bundle besides the closure: an `include` entry, or a data set found in the closure. */
export interface BundleSource extends IncludeSpec {
  /** For a folder: which files (relative to it) to take; all when undefined. */
  keep?: (rel: string) => boolean;
  /** Why it is bundled, for the log and the summary. */
  reason?: string;
}

/** Entries for the `include` input: files or folders from the output or the closure. */
export async function bundleIncludes(
  specs: readonly BundleSource[],
  outPath: string,
  closure: readonly string[],
): Promise<BundleEntry[]> {
  const inClosure = new Set(closure);
  const outStore = storePathOf(outPath);
  /** The real path of p, which must lie in the build output or its closure (links are followed). */
  const check = async (p: string): Promise<string> => {
    let real: string;
    try {
      real = await fsp.realpath(p);
    } catch {
      throw new ActionError(
        'Include not found',
        `Input \`include\`: ${p} does not exist or cannot be read (a dangling link?).`,
      );
    }
    const sp = storePathOf(real);
    const inside =
      (sp !== undefined && (inClosure.has(sp) || sp === outStore)) ||
      real === outPath ||
      real.startsWith(`${outPath}/`);
    if (!inside)
      throw new ActionError(
        'Include points outside the closure',
        `Input \`include\`: ${p} leads to ${real}, outside the build's runtime closure; only files of the output and the store paths it depends on are bundled (a link out of the closure would copy a file of the build machine into the zip).`,
      );
    return real;
  };
  const entries: BundleEntry[] = [];
  for (const spec of specs) {
    const source = spec.source.startsWith('/') ? spec.source : path.join(outPath, spec.source);
    if (spec.source.startsWith('/')) {
      const sp = storePathOf(spec.source);
      if (!sp || !inClosure.has(sp))
        throw new ActionError(
          'Include not in the closure',
          `Input \`include\`: ${spec.source} is not in the build's runtime closure; only store paths the program depends on can be bundled.`,
        );
    }
    let st: fs.Stats;
    try {
      st = await fsp.stat(source);
      await fsp.access(source, fs.constants.R_OK);
    } catch {
      throw new ActionError(
        'Include not found',
        `Input \`include\`: ${source} does not exist or cannot be read.`,
      );
    }
    await check(source);
    let files = st.isDirectory() ? await walk(source, new Set(), check) : [source];
    if (st.isDirectory() && spec.keep) {
      const keep = spec.keep;
      files = files.filter((f) => keep(path.relative(source, f).split(path.sep).join('/')));
    }
    for (const f of files) {
      const name = st.isDirectory()
        ? path.posix.join(spec.target, path.relative(source, f).split(path.sep).join('/'))
        : spec.target;
      let data: Buffer;
      let fst: fs.Stats;
      try {
        data = await readFileShared(f);
        fst = await fsp.stat(f);
      } catch {
        throw new ActionError('Include not readable', `Input \`include\`: ${f} cannot be read.`);
      }
      const real = await fsp.realpath(f);
      entries.push({
        name,
        source: f,
        storePath: storePathOf(real) ?? storePathOf(f) ?? outPath,
        kind: 'include',
        bytes: data.length,
        mode: fst.mode & 0o777,
        patched: [],
        reason: spec.reason ?? `include ${spec.source}`,
        data,
      });
    }
  }
  return entries;
}
