import * as os from 'node:os';
import type { BundledFile } from './bundle/bundle.js';
import type { StoreReferenceNote } from './bundle/references.js';
import type { LocalSmokeTest } from './bundle/smoke.js';
import type { DeployResult, LayerDeployResult, SmokeTestReport } from './deploy/types.js';
import type { Log } from './host.js';
import type { Inputs } from './inputs/parse.js';
import type { Stage } from './inputs/read.js';
import { lambdaArchOfNode, type LambdaArch } from './lambda.js';
import { NixCli, type NixInfo } from './nix/cli.js';
import { accessTokensContent, composeNixConfig, TOKEN_FILE_NAME } from './nix/config.js';
import { DEFAULT_PROFILE_BIN, findNix } from './nix/locate.js';
import { ActionError } from './util/errors.js';
import { removeAtProcessExit, secretDirFor, writePrivateFile } from './util/secrets.js';

/**
 * The job context: one object handed to every stage. It carries the parsed inputs, facts about
 * the runner, what each stage produced for the next, and what the post step needs (post).
 *
 * The context helpers below are, with the stages, the only code that writes ctx.post: library
 * modules (nix/, caches/, bundle/, zip/, deploy/) never see the context.
 */

export interface RunnerInfo {
  workspace: string;
  tempDir: string;
  /** Lambda's name for the runner's own architecture. */
  arch: LambdaArch | 'other';
  /** Running under nektos/act. */
  isAct: boolean;
  /** Running on a GitHub Actions runner (or act), as opposed to the local command. */
  isActions: boolean;
  /** The Actions cache service is reachable through the environment. */
  hasCacheService: boolean;
  /** User name from the OS, not from $USER (unset in containers). */
  user: string;
  uid: number;
  home: string;
}

/** What the build stage leaves for the package stage. */
export interface BuildResult {
  installable: string;
  drvPath: string;
  /** The output holding the program (usually `out`). */
  outPath: string;
  outputs: Record<string, string>;
  /** The runtime closure of outPath (store paths, sorted). */
  closure: string[];
  /** Path of the program inside outPath, such as bin/bootstrap. */
  programRel: string;
  /** Absolute path of the program in the store. */
  programPath: string;
}

/** A bundled library, as the `libraries` output lists it. */
export interface LibraryInfo {
  soname: string;
  storePath: string;
  bytes: number;
}

/** What the package stage leaves for the deploy stage and the summary. */
export interface PackageResult {
  zipPath: string;
  /** Lambda's CodeSha256 of the zip: base64 of its raw SHA-256. */
  codeSha256: string;
  zipBytes: number;
  unzippedBytes: number;
  architecture: LambdaArch;
  /** The unzipped, patched bundle. */
  bundleDir: string;
  files: BundledFile[];
  libraries: LibraryInfo[];
  /** Variables the bundle needs at run time (certificates, locales). */
  runtimeEnv: Record<string, string>;
  /** How the bundle was checked: 'loader' (ran ld.so --list in an isolated root), 'static' (headers only). */
  verified: 'loader' | 'static';
  /** Store paths named in the bundled files that matter on Lambda: handled (data sets, includes) or not (with the fix). */
  references: StoreReferenceNote[];
  /** With library-layer: the loader and the libraries, apart from the zip (which holds the rest). */
  layer?: LayerPackage;
}

/** The library layer as the package stage leaves it (bundle/layer.ts). */
export interface LayerPackage {
  /** The layer's folder (bundle-dir's sibling), lib/ inside it as under /opt. */
  dir: string;
  /** Content hash (hex SHA-256) of its files: names, modes, patched bytes. */
  sha256: string;
  files: { name: string; mode: number; bytes: number }[];
  unzippedBytes: number;
  /** Where its zip is written: by the package stage when no deploy follows, else by the deploy stage for a new hash only. */
  zipPath: string;
  /** Set once the zip is written. */
  zip?: { bytes: number; codeSha256: string };
}

export type StageStatus = 'success' | 'failed' | 'skipped';

export interface StageRecord {
  stage: Stage;
  status: StageStatus;
  durationMs: number;
  note?: string;
}

/**
 * What the main step leaves for the post step (action.yml `post`), kept with core.saveState
 * (action/state.ts). The post step pushes to caches and removes secret files.
 */
export interface PostState {
  /** Store paths the build produced (their closures are pushed and cached). */
  storePaths: string[];
  /** Absolute path of `nix`, so the post step need not search for it. */
  nix: string;
  /** The closure cache: local binary cache folder and its key; hit = restored with the exact key. */
  closureCache?: { dir: string; key: string; hit: boolean };
  /** Cachix push settings (secrets are not stored here; the post step reads its inputs again). */
  cachixPush?: { cache: string };
  /** Nix store URL to push the closure to (input push-to). */
  pushTo?: string;
  /** Source of the push-filter regular expression (store paths not to push). */
  pushFilter?: string;
  /** The NIX_CONFIG the action composes: what the environment had at start, and the action's lines. */
  nixConfig?: { base: string; lines: string[] };
  /** Variables the main step exported (none holds a secret), re-applied in the post step. */
  exported?: Record<string, string>;
  /** Folders the main step added to PATH, re-applied in the post step. */
  addedPath?: string[];
  /** Files holding secrets, removed in the post step. */
  secretFiles: string[];
  /** Set when the main step built successfully; the post step does nothing otherwise. */
  buildSucceeded: boolean;
}

export function emptyPostState(): PostState {
  return { storePaths: [], nix: '', secretFiles: [], buildSucceeded: false };
}

export interface JobContext {
  readonly inputs: Inputs;
  readonly runner: RunnerInfo;
  readonly log: Log;
  /** What the post step needs (closure cache, pushes, files to remove). */
  readonly post: PostState;
  nix?: NixInfo;
  build?: BuildResult;
  package?: PackageResult;
  /** The package stage's local smoke test (set when the package stage reaches it). */
  localSmokeTest?: LocalSmokeTest;
  /** Results of the deploy stage, one per function, in input order. */
  deployments?: DeployResult[];
  /** The smoke tests the deploy stage ran (failed ones too), in input order. */
  smokeTests?: SmokeTestReport[];
  /** The library layer version the functions got (deploy stage, library-layer). */
  layer?: LayerDeployResult;
  readonly stages: StageRecord[];
  /** The outputs set so far. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Sets outputs: only ever the values of action/outputs.ts's functions (ESLint checks the calls). */
  setOutputs(outputs: Readonly<Partial<Record<string, string>>>): void;
}

export function runnerInfo(env: NodeJS.ProcessEnv = process.env): RunnerInfo {
  const info = os.userInfo();
  const isAct = env['ACT'] === 'true';
  return {
    workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
    tempDir: env['RUNNER_TEMP'] || os.tmpdir(),
    arch: lambdaArchOfNode(os.arch()) ?? 'other',
    isAct,
    isActions: env['GITHUB_ACTIONS'] === 'true',
    hasCacheService: !isAct && Boolean(env['ACTIONS_CACHE_URL'] || env['ACTIONS_RESULTS_URL']),
    user: info.username,
    uid: info.uid,
    home: info.homedir || env['HOME'] || '/root',
  };
}

export function createContext(inputs: Inputs, log: Log, runner: RunnerInfo, post: PostState): JobContext {
  const outputs: Record<string, string> = {};
  return {
    inputs,
    runner,
    log,
    post,
    stages: [],
    outputs,
    setOutputs(set) {
      for (const [name, value] of Object.entries(set)) {
        if (value === undefined) continue;
        outputs[name] = value;
        log.setOutput(name, value);
      }
    },
  };
}

// --- context helpers: what the stages record for later steps and for the post step ---

/** Records the Nix this job uses (and tells the post step where it is). */
export function useNix(ctx: JobContext, info: NixInfo): NixInfo {
  ctx.nix = info;
  ctx.post.nix = info.nix;
  return info;
}

/** The Nix this job uses: the install stage's, or one found now (when install is not among the stages). */
export async function ensureNix(ctx: JobContext): Promise<NixInfo> {
  if (ctx.nix) return ctx.nix;
  const nix = findNix(process.env, ctx.runner.home);
  if (!nix)
    throw new ActionError(
      'Nix not found',
      `no \`nix\` on PATH, in ${DEFAULT_PROFILE_BIN} or in ~/.nix-profile/bin; add install to \`stages\` or install Nix in an earlier step.`,
    );
  return useNix(ctx, await new NixCli(nix).describe(false));
}

/** The job's `nix` commands (ensureNix first). */
export async function jobNix(ctx: JobContext): Promise<NixCli> {
  return new NixCli((await ensureNix(ctx)).nix);
}

/** Exports a variable for this process and later steps, and keeps it for the post step. */
export function exportVar(ctx: JobContext, name: string, value: string): void {
  ctx.log.exportVariable(name, value);
  (ctx.post.exported ??= {})[name] = value;
}

/** Prepends a folder to PATH for this process and later steps, and keeps it for the post step. */
export function addPath(ctx: JobContext, dir: string): void {
  ctx.log.addPath(dir);
  const added = (ctx.post.addedPath ??= []);
  if (!added.includes(dir)) added.push(dir);
}

/** Adds lines to the action's NIX_CONFIG and exports the result. Returns the new NIX_CONFIG. */
export function applyNixConfig(ctx: JobContext, add: readonly string[]): string {
  const state = (ctx.post.nixConfig ??= { base: process.env['NIX_CONFIG'] ?? '', lines: [] });
  for (const l of add) if (!state.lines.includes(l)) state.lines.push(l);
  const value = composeNixConfig(state.base, state.lines, ctx.inputs.install.extraNixConfig);
  exportVar(ctx, 'NIX_CONFIG', value);
  return value;
}

/**
 * Writes a secret file (mode 0600, in the job's private folder under RUNNER_TEMP) and lists it
 * for removal by the post step, or at exit where there is no post step (the local command).
 */
export function writeSecretFile(ctx: JobContext, name: string, content: string): string {
  const file = writePrivateFile(secretDirFor(ctx.post.secretFiles, ctx.runner.tempDir), name, content);
  if (!ctx.post.secretFiles.includes(file)) ctx.post.secretFiles.push(file);
  if (!ctx.runner.isActions) removeAtProcessExit(file);
  return file;
}

/** Writes the github.com token file (0600) for this job; undefined when there is no token. */
export function writeTokenFile(ctx: JobContext): string | undefined {
  const token = ctx.inputs.install.githubToken;
  if (!token) return undefined;
  return writeSecretFile(ctx, TOKEN_FILE_NAME, accessTokensContent(token));
}
