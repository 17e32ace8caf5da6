import * as fs from 'node:fs';
import { InputError } from '../util/errors.js';
import { parseBuildInputs, type BuildInputs } from './build.js';
import { parseCachixInputs, type CachixInputs } from './cachix.js';
import { parseDeployInputs, type DeployInputs } from './deploy.js';
import { parseInstallInputs, type InstallInputs } from './install.js';
import { parseLayerInputs, type LayerInputs } from './layer.js';
import { parsePackageInputs, type PackageInputs } from './package.js';
import { InputSource, splitList, STAGES, type InputReader, type Stage } from './read.js';
import { parseSmokeTestInputs, type SmokeTestInputs } from './smoke-test.js';

/**
 * Every input of the action, parsed and validated before any stage runs, section by section
 * (one module and one type per stage: each stage takes its own section). A problem names the
 * input and says how to fix it; all problems are reported at once.
 */

export interface Inputs {
  stages: Stage[];
  install: InstallInputs;
  cachix: CachixInputs;
  build: BuildInputs;
  package: PackageInputs;
  /** The smoke test's inputs, read by every stage that runs one. */
  smokeTest: SmokeTestInputs;
  /** Present when the deploy stage runs: its checks (a function, a Region, a role to create) depend on it. */
  deploy: DeployInputs | undefined;
  /** library-layer: read by the package stage (the split) and the deploy stage (the layer version). */
  layer: LayerInputs | undefined;
}

export interface ParseEnv {
  /** Folder relative flake paths are resolved against (GITHUB_WORKSPACE, else cwd). */
  workspace: string;
  /** Folder for the default zip path (RUNNER_TEMP, else the OS temp dir). */
  tempDir: string;
  env: NodeJS.ProcessEnv;
}

export function parseInputs(read: InputReader, penv: ParseEnv): Inputs {
  const src = new InputSource(read);
  const stages = parseStages(src);
  const has = (s: Stage): boolean => stages.includes(s);
  const install = parseInstallInputs(src, penv.env);
  const cachix = parseCachixInputs(src);
  // Inputs are checked against the disk only for the stages that use them: a deploy-only job that
  // downloaded the zip has no checkout, so no flake.nix.
  const build = parseBuildInputs(src, penv.workspace, { checkDisk: has('build') });
  const pkg = parsePackageInputs(src, { ...penv, checkDisk: has('package') || has('deploy') });
  const smokeTest = parseSmokeTestInputs(src);
  const deploy = parseDeployInputs(src, {
    deploying: has('deploy'),
    zipPath: pkg.zipPath,
    env: penv.env,
    smokeTest,
  });
  if (pkg.localSmokeTest === 'true' && src.get('smoke-test-payload') === '')
    src.bad('local-smoke-test', 'true needs `smoke-test-payload`: the event the bundle is asked to answer.');
  const layer = parseLayerInputs(src, { stages, layers: deploy?.configuration.layers });
  if (has('package') && !has('build'))
    src.bad('stages', 'the package stage needs the build stage: add build to `stages`.');
  if (has('deploy') && !has('package') && !(src.get('zip-path') && fs.existsSync(pkg.zipPath)))
    src.bad(
      'zip-path',
      'deploy without the package stage deploys an existing zip: set `zip-path` to it, or add package to `stages`.',
    );
  if (src.problems.length > 0) throw new InputError(src.problems);
  return { stages, install, cachix, build, package: pkg, smokeTest, deploy, layer };
}

/** The stages, in their order, each once. */
function parseStages(src: InputSource): Stage[] {
  const stageNames = splitList(src.get('stages'));
  const stages: Stage[] = [];
  for (const s of stageNames) {
    if ((STAGES as readonly string[]).includes(s)) {
      if (!stages.includes(s as Stage)) stages.push(s as Stage);
    } else src.bad('stages', `unknown stage "${s}"; the stages are ${STAGES.join(', ')}.`);
  }
  if (stageNames.length === 0) src.bad('stages', `no stage selected; list some of ${STAGES.join(', ')}.`);
  stages.sort((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b));
  return stages;
}
