import * as os from 'node:os';
import { lambdaArchOfNode, type LambdaArch } from './lambda.js';
import { removeAtProcessExit, secretDirFor, writePrivateFile } from './util/secrets.js';
import type { DeployResult } from './deploy/types.js';
import type { Inputs, Stage } from './inputs.js';
import type { Log } from './host.js';
import type { PostState } from './action/state.js';

/**
 * The job context: one object handed to every stage. It carries the parsed
 * inputs, facts about the runner, and what each stage produced for the next.
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

export interface NixInfo {
  /** Absolute path of the `nix` executable. */
  nix: string;
  /** Folder holding nix and its companions (nix-store, ...). */
  binDir: string;
  version: string;
  /** Installed by this run (as opposed to found). */
  installed: boolean;
  /** A nix-daemon serves the store (multi-user install). */
  daemon: boolean;
}

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

export interface BundledFile {
  /** Path inside the zip. */
  name: string;
  /** Where it came from in the store. */
  source: string;
  /** Store path (/nix/store/HASH-NAME) holding the source. */
  storePath: string;
  kind: 'program' | 'interpreter' | 'library' | 'include';
  bytes: number;
  mode: number;
  /** What was changed in the copy (interp, rpath), empty when copied as is. */
  patched: string[];
  /** Why it is in the bundle (DT_NEEDED of X, a dlopen folder, a data set, include). */
  reason?: string;
}

export interface LibraryInfo {
  soname: string;
  storePath: string;
  bytes: number;
}

export interface PackageResult {
  zipPath: string;
  /** base64 of the raw SHA-256 of the zip, as Lambda's CodeSha256. */
  zipSha256: string;
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
}

export interface StoreReferenceNote {
  /** The bundled file naming it. */
  file: string;
  path: string;
  /** How it is judged (references.ts Verdict kinds): data, included, library, unbundled, data-not-bundled. */
  kind: string;
  /** bundled as X, or the problem and its fix. */
  note: string;
}

export type StageStatus = 'success' | 'failed' | 'skipped';

export interface StageRecord {
  stage: Stage;
  status: StageStatus;
  durationMs: number;
  note?: string;
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
  /** Results of the deploy stage, one per function, in input order. */
  deployments?: DeployResult[];
  readonly stages: StageRecord[];
  readonly outputs: Record<string, string>;
  setOutput(name: string, value: string | number | boolean): void;
}

export function runnerInfo(env: NodeJS.ProcessEnv = process.env): RunnerInfo {
  const info = os.userInfo();
  const arch = lambdaArchOfNode(os.arch()) ?? 'other';
  const isAct = env['ACT'] === 'true';
  return {
    workspace: env['GITHUB_WORKSPACE'] || process.cwd(),
    tempDir: env['RUNNER_TEMP'] || os.tmpdir(),
    arch,
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
    setOutput(name, value) {
      const v = String(value);
      outputs[name] = v;
      log.setOutput(name, v);
    },
  };
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
