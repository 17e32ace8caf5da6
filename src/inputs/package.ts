import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncludeSpec } from '../bundle/include.js';
import { DATA_SETS, type DataSetId } from '../bundle/runtime-env.js';
import { splitList, type InputSource } from './read.js';

/** The package stage's inputs. */
export interface PackageInputs {
  /** Where Lambda unpacks the zip (no trailing slash). */
  taskRoot: string;
  include: IncludeSpec[];
  /** Input bundle-certificates (its data set is in bundleData.sets too); kept to name it in messages. */
  bundleCertificates: boolean;
  /** Data sets (certificates, locales, gconv, tzdata, terminfo) to bundle: those the files reference (auto), and those named. */
  bundleData: { auto: boolean; sets: DataSetId[] };
  /** Libraries to bundle that no DT_NEEDED names (dlopen): sonames or store paths. */
  extraLibraries: string[];
  /** Library names (shell patterns) the dlopen detection leaves out. */
  excludeLibraries: string[];
  /** Where the zip is written (absolute). */
  zipPath: string;
  verify: 'auto' | 'true' | 'false';
  /** Run the bundle against a local Runtime API before it ships (with smoke-test-payload). */
  localSmokeTest: 'auto' | 'true' | 'false';
}

const LIBRARY_NAME = /^[A-Za-z0-9_+.*?-]+$/;

/** where.checkDisk: check zip-path's folder (when a stage writes or reads the zip; default true). */
export function parsePackageInputs(
  src: InputSource,
  where: { workspace: string; tempDir: string; checkDisk?: boolean },
): PackageInputs {
  const taskRoot = src.get('task-root').replace(/(.)\/+$/, '$1');
  if (!/^\/[A-Za-z0-9_./-]*$/.test(taskRoot) || taskRoot.split('/').includes('..'))
    src.bad('task-root', `"${taskRoot}" must be an absolute path without spaces, such as /var/task.`);
  else if (taskRoot.length > 64)
    src.bad('task-root', 'longer than 64 characters; the interpreter path must fit into the ELF header.');
  const include = parseInclude(src);
  const bundleCertificates = src.bool('bundle-certificates');
  const bundleData = parseBundleData(src, bundleCertificates);
  const extraLibraries = splitList(src.get('extra-libraries'));
  for (const lib of extraLibraries)
    if (!(lib.startsWith('/nix/store/') || /^lib[A-Za-z0-9_+.-]*\.so(\.[0-9]+)*$/.test(lib)))
      src.bad(
        'extra-libraries',
        `"${lib}" is neither a library name (libfoo.so.1) nor a /nix/store path of the build's closure.`,
      );
  const excludeLibraries = splitList(src.get('exclude-libraries'));
  for (const lib of excludeLibraries)
    if (!LIBRARY_NAME.test(lib))
      src.bad('exclude-libraries', `"${lib}" is not a library name or a pattern such as libGL*.so*.`);
  const zipPath = parseZipPath(src, where);
  const verify = src.oneOf('verify', ['auto', 'true', 'false'] as const);
  const localSmokeTest = src.oneOf('local-smoke-test', ['auto', 'true', 'false'] as const);
  return {
    taskRoot,
    include,
    bundleCertificates,
    bundleData,
    extraLibraries,
    excludeLibraries,
    zipPath,
    verify,
    localSmokeTest,
  };
}

/** include: one SOURCE or SOURCE:TARGET a line; a source in the output or the store, a target inside the zip. */
function parseInclude(src: InputSource): IncludeSpec[] {
  const include: IncludeSpec[] = [];
  for (const line of splitList(src.get('include'))) {
    const sep = line.lastIndexOf(':');
    const source = (sep < 0 ? line : line.slice(0, sep)).trim();
    let target = (sep < 0 ? '' : line.slice(sep + 1)).trim();
    if (source === '') {
      src.bad('include', `"${line}" has no source; write SOURCE or SOURCE:TARGET.`);
      continue;
    }
    if (source.startsWith('/') && !source.startsWith('/nix/store/')) {
      src.bad(
        'include',
        `"${source}" is outside the Nix store; give a path relative to the build output or a /nix/store path from its closure.`,
      );
      continue;
    }
    if (!source.startsWith('/') && path.posix.normalize(source).startsWith('..')) {
      src.bad('include', `"${source}" escapes the build output.`);
      continue;
    }
    if (target === '')
      target = source.startsWith('/') ? path.posix.basename(source) : path.posix.normalize(source);
    const nt = path.posix.normalize(target).replace(/\/+$/, '');
    if (target.startsWith('/') || nt === '..' || nt.startsWith('../') || nt === '.' || nt === '') {
      src.bad('include', `target "${target}" must be a relative path inside the zip.`);
      continue;
    }
    if (nt === 'bootstrap') {
      src.bad('include', `target "${target}" would replace the bootstrap.`);
      continue;
    }
    include.push({ source, target: nt });
  }
  return include;
}

/** bundle-data: auto, none, or data sets by name; bundle-certificates adds certificates. */
function parseBundleData(src: InputSource, bundleCertificates: boolean): PackageInputs['bundleData'] {
  const bundleData: PackageInputs['bundleData'] = { auto: false, sets: [] };
  const dataItems = splitList(src.get('bundle-data'));
  for (const item of dataItems) {
    if (item === 'auto') bundleData.auto = true;
    else if (item === 'none') {
      if (dataItems.length > 1) src.bad('bundle-data', '`none` cannot be combined with other entries.');
    } else if ((DATA_SETS as readonly string[]).includes(item)) {
      if (!bundleData.sets.includes(item as DataSetId)) bundleData.sets.push(item as DataSetId);
    } else
      src.bad(
        'bundle-data',
        `unknown entry "${item}"; write auto, none, or some of ${DATA_SETS.join(', ')} (with or without auto).`,
      );
  }
  if (bundleCertificates && !bundleData.sets.includes('certificates')) bundleData.sets.push('certificates');
  return bundleData;
}

/** zip-path resolved against the workspace (its folder must exist), else RUNNER_TEMP/nix-lambda/function.zip. */
function parseZipPath(
  src: InputSource,
  where: { workspace: string; tempDir: string; checkDisk?: boolean },
): string {
  const given = src.get('zip-path');
  if (!given) return path.join(where.tempDir, 'nix-lambda', 'function.zip');
  const zipPath = path.resolve(where.workspace, given);
  const parent = path.dirname(zipPath);
  if (where.checkDisk === false) return zipPath;
  if (!fs.existsSync(parent) || !fs.statSync(parent).isDirectory())
    src.bad('zip-path', `folder ${parent} does not exist; create it first or choose another path.`);
  else if (fs.existsSync(zipPath) && fs.statSync(zipPath).isDirectory())
    src.bad('zip-path', `${zipPath} is a folder; give a file name such as function.zip.`);
  return zipPath;
}
