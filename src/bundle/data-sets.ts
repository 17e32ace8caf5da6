import * as fs from 'node:fs';
import { formatBytes } from '../util/format.js';
import { ActionError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { BundleSource } from './include.js';
import type { ClosureResult } from './loaded.js';
import {
  AUTO_LOCALE_ARCHIVE_LIMIT,
  BUNDLED_CA_PATH,
  DATA_SET_DEFS,
  dataSetOf,
  findDataSet,
  type DataSetId,
} from './runtime-env.js';
import { scanStoreReferences } from './store-path.js';

/**
 * Which data sets a bundle carries (runtime-env.ts defines them): those asked for by name, and
 * with `auto` those a bundled file names by store path.
 */

/** The data sets asked for (inputs bundle-data and bundle-certificates) and the zip targets include fills. */
export interface DataSetRequest {
  /** `auto`: the sets the files reference. */
  auto: boolean;
  /** Sets asked for by name. */
  sets: readonly DataSetId[];
  /** certificates came from input bundle-certificates (for the message naming the input). */
  viaCertificatesInput: boolean;
  /** Targets of the include input: a data set is not bundled over them. */
  includeTargets: ReadonlySet<string>;
}

/** The data sets of a bundle. */
export interface DataSetChoice {
  /** What to bundle for the chosen sets. */
  sources: BundleSource[];
  /** Bundled sets: id -> target in the zip. */
  bundled: Map<DataSetId, string>;
  /** Sets found referenced but not bundled: id -> why. */
  skipped: Map<DataSetId, string>;
}

/**
 * The data sets to bundle: those named in the input bundle-data (or bundle-certificates), and with
 * `auto` those a bundled file references by store path (the C library's references to its own
 * folders excepted: every glibc names its gconv folder). A target the `include` input already
 * fills is left to it.
 */
export function chooseDataSets(
  objects: Pick<ClosureResult, 'program' | 'libraries' | 'included' | 'interpreter'>,
  closure: readonly string[],
  request: DataSetRequest,
  log: Logger,
): DataSetChoice {
  const choice: DataSetChoice = { sources: [], bundled: new Map(), skipped: new Map() };
  const glibcStore = objects.interpreter?.storePath;
  const found = new Map<DataSetId, { source: string; root: string; by: string }>();
  if (request.auto) {
    for (const obj of [objects.program, ...objects.libraries]) {
      for (const ref of scanStoreReferences(obj.data)) {
        if (glibcStore !== undefined && obj.storePath === glibcStore && ref.storePath === glibcStore)
          continue;
        const set = dataSetOf(ref.sub);
        if (!set || found.has(set.id)) continue;
        const source = `${ref.storePath}/${set.root}`;
        if (!fs.existsSync(source)) continue;
        found.set(set.id, { source, root: set.root, by: obj.name });
      }
    }
  }
  for (const id of request.sets) {
    if (found.has(id)) continue;
    const f = findDataSet(id, closure, id === 'gconv' && glibcStore ? [glibcStore] : []);
    if (!f) throw missingDataSet(id, request.viaCertificatesInput);
    found.set(id, { ...f, by: `input bundle-data` });
  }
  for (const [id, f] of found) {
    const def = DATA_SET_DEFS[id];
    const target = def.target(f.root);
    if (request.includeTargets.has(target)) continue;
    if (id === 'locales' && !request.sets.includes('locales')) {
      const size = fs.statSync(f.source).size;
      if (f.root.endsWith('locale-archive') && size > AUTO_LOCALE_ARCHIVE_LIMIT) {
        choice.skipped.set(
          id,
          `the locale archive is ${formatBytes(size)}, too large to bundle unasked (bundle a smaller one, such as nixpkgs' glibcLocalesUtf8 or glibcLocales with only the locales you use)`,
        );
        continue;
      }
    }
    const reason =
      f.by === 'input bundle-data'
        ? `${def.what}: input bundle-data`
        : `${def.what}: ${f.by} references ${f.source}`;
    choice.sources.push({
      source: f.source,
      target,
      reason,
      ...(def.keep ? { keep: def.keep } : {}),
    });
    choice.bundled.set(id, target);
    log.info(
      `Bundling ${def.what} from ${f.source} as ${target} (${f.by === 'input bundle-data' ? 'input bundle-data' : `${f.by} references it`}).`,
    );
  }
  if (!choice.bundled.has('gconv') && !request.sets.includes('gconv')) {
    // The program's own calls only: libraries (libidn2, libunistring...) convert the locale's
    // character set, which is UTF-8 on Lambda and needs no module.
    const caller = [objects.program, ...objects.included].find((o) => o.data.includes('iconv_open\0'));
    if (caller)
      log.notice(
        `${caller.name} calls iconv_open(): glibc converts UTF-8, UCS and ASCII by itself, but every other character set needs its gconv modules, which are not bundled. If the program converts other character sets, add gconv to the input bundle-data.`,
        'iconv without gconv modules',
      );
  }
  return choice;
}

function missingDataSet(id: DataSetId, viaCertificatesInput: boolean): ActionError {
  if (id === 'certificates')
    return new ActionError(
      'No CA certificates in the closure',
      `Input \`${viaCertificatesInput ? 'bundle-certificates' : 'bundle-data'}\`: no store path of the build's runtime closure holds a CA bundle (etc/ssl/certs/ca-bundle.crt). ` +
        'Make the program depend on nixpkgs\' cacert (for example refer to "${pkgs.cacert}/etc/ssl/certs/ca-bundle.crt" in it), ' +
        `or bundle a file yourself with include: SOURCE:${BUNDLED_CA_PATH}.`,
    );
  const def = DATA_SET_DEFS[id];
  return new ActionError(
    `No ${def.what} in the closure`,
    `Input \`bundle-data\`: ${id} is asked for, but no store path of the build's runtime closure holds ${def.roots.join(' or ')}. Make the program refer to nixpkgs' ${def.nixpkgs} so Nix keeps it in the closure, or drop ${id} from bundle-data.`,
  );
}
