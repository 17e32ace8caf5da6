import type { LocalSmokeTest } from '../bundle/smoke.js';
import type { BuildResult, PackageResult } from '../context.js';
import type { DeployResult, LayerDeployResult, SmokeTestReport } from '../deploy/types.js';
import type { NixInfo } from '../nix/cli.js';
import type { SummaryData } from './summary.js';

/**
 * Every output of action.yml, and the value each is set to: the stages and the main step set
 * their outputs through these functions only (a unit test checks that the names are action.yml's).
 * Several functions give one line per function, in the order of function-name.
 */

export const OUTPUT_NAMES = [
  'nix-version',
  'store-path',
  'program-path',
  'architecture',
  'zip-path',
  'zip-sha256',
  'zip-bytes',
  'unzipped-bytes',
  'libraries',
  'bundle-dir',
  'runtime-environment',
  'local-smoke-test-result',
  'function-arn',
  'function-version',
  'code-sha256',
  'revision-id',
  'deploy-status',
  'config-changes',
  'smoke-test-result',
  'deleted-versions',
  'layer-arn',
  'layer-version',
  'layer-status',
  'summary-json',
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];
export type Outputs = Partial<Record<OutputName, string>>;

/** The install stage's. */
export function nixOutputs(nix: NixInfo): Outputs {
  return { 'nix-version': nix.version };
}

/** The build stage's, once the build is done (before the program is chosen). */
export function builtOutputs(outPath: string): Outputs {
  return { 'store-path': outPath };
}

/** The build stage's, once the program is chosen. */
export function programOutputs(build: Pick<BuildResult, 'programPath'>): Outputs {
  return { 'program-path': build.programPath };
}

/** The package stage's. zip-sha256 is the zip's CodeSha256 (the output's name is public). */
export function packageOutputs(pkg: PackageResult): Outputs {
  return {
    architecture: pkg.architecture,
    'zip-path': pkg.zipPath,
    'zip-sha256': pkg.codeSha256,
    'zip-bytes': String(pkg.zipBytes),
    'unzipped-bytes': String(pkg.unzippedBytes),
    libraries: JSON.stringify(pkg.libraries),
    'bundle-dir': pkg.bundleDir,
    ...runtimeEnvOutputs(pkg.runtimeEnv),
  };
}

/** The variables the bundle needs: the package stage's, or the deploy stage's for a zip it did not make. */
export function runtimeEnvOutputs(runtimeEnv: Readonly<Record<string, string>>): Outputs {
  return { 'runtime-environment': JSON.stringify(runtimeEnv) };
}

/** The package stage's local smoke test. */
export function localSmokeTestOutputs(r: Pick<LocalSmokeTest, 'result'>): Outputs {
  return { 'local-smoke-test-result': r.result };
}

/** The deploy stage's: one line per function. */
export function deployOutputs(deployments: readonly DeployResult[]): Outputs {
  const lines = (pick: (d: DeployResult) => string): string => deployments.map(pick).join('\n');
  return {
    'function-arn': lines((d) => d.arn),
    'function-version': lines((d) => d.version),
    'code-sha256': lines((d) => d.codeSha256),
    'revision-id': lines((d) => d.revisionId),
    'deploy-status': lines((d) => d.status),
    'config-changes': JSON.stringify(deployments.flatMap((d) => d.configChanges)),
    'deleted-versions': lines((d) => d.deletedVersions.join(',')),
  };
}

/** The deploy stage's, set whether the deploy failed or not: passed, failed or skipped, one line per function. */
export function smokeTestOutputs(
  functionNames: readonly string[],
  reports: ReadonlyMap<string, SmokeTestReport>,
): Outputs {
  return { 'smoke-test-result': functionNames.map((f) => reports.get(f)?.result ?? 'skipped').join('\n') };
}

/** The deploy stage's, with library-layer: the layer version every function got. */
export function layerOutputs(layer: LayerDeployResult): Outputs {
  return { 'layer-arn': layer.arn, 'layer-version': layer.version, 'layer-status': layer.status };
}

/** The main step's, at the end of every run. */
export function summaryOutputs(data: SummaryData): Outputs {
  return { 'summary-json': JSON.stringify(data) };
}
