import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobContext } from '../context.js';
import { run } from '../util/exec.js';
import { NIX_FEATURE_ARGS } from './cli.js';
import { writeSecretFile } from '../context.js';

/**
 * Nix configuration the action manages. Nothing here ever holds a secret: the github.com
 * token lives in a 0600 file that the configuration `!include`s, so the token never reaches
 * an environment variable, GITHUB_ENV, argv or the log.
 *
 * - A Nix that was already there keeps its system nix.conf untouched: the action exports
 *   NIX_CONFIG (this process and later steps), composed of the NIX_CONFIG found at start,
 *   the action's lines and `extra-nix-config` last (later lines win).
 * - A fresh install gets its nix.conf from the installer (daemon) or as the user's
 *   nix.conf (single-user); see installer.ts.
 */

export const TOKEN_FILE_NAME = 'nix-access-tokens.conf';
export const MARK_BEGIN = '# BEGIN nix-lambda (written by the nix-lambda action)';
export const MARK_END = '# END nix-lambda';

/** Splits configuration text into lines without trailing blanks; drops empty lines. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l.trim() !== '');
}

/**
 * NIX_CONFIG = base (what the environment had) + the action's lines + extra-nix-config.
 * An exact duplicate line keeps only its last occurrence (same effect: later lines win), so
 * running the action twice in a job does not grow NIX_CONFIG.
 */
export function composeNixConfig(base: string, managed: readonly string[], extra: string): string {
  const all = [...lines(base), ...managed.flatMap(lines), ...lines(extra)];
  const lastIndex = new Map<string, number>();
  all.forEach((l, i) => lastIndex.set(l.trim(), i));
  return all.filter((l, i) => lastIndex.get(l.trim()) === i).join('\n');
}

/** The line granting the github.com token from its 0600 file (`!include`: a missing file is no error). */
export function includeLine(file: string): string {
  return `!include ${file}`;
}

/** Content of the 0600 token file. */
export function accessTokensContent(token: string): string {
  return `access-tokens = github.com=${token}\n`;
}

/** Lines for a Nix that was already installed (through NIX_CONFIG). */
export function existingNixLines(o: {
  sandboxOff: boolean;
  tokenFile?: string | undefined;
  /** Build as the calling user: root with no daemon and no build-users group. */
  noBuildUsers?: boolean;
}): string[] {
  const out = ['extra-experimental-features = nix-command flakes', 'max-jobs = auto'];
  if (o.sandboxOff) out.push('sandbox = false');
  if (o.noBuildUsers) out.push('build-users-group =');
  if (o.tokenFile) out.push(includeLine(o.tokenFile));
  return out;
}

/** Lines of nix.conf for a fresh install. The token is only `!include`d. */
export function freshNixConf(o: {
  mode: 'daemon' | 'single-user';
  user: string;
  sandboxOff: boolean;
  tokenFile?: string | undefined;
  extra: string;
  /** The official single-user install creates no build users: build as the calling user. */
  noBuildUsers?: boolean;
  /** Determinate's nix.conf already enables features of its own: add to them. */
  extendFeatures?: boolean;
}): string {
  const out = [
    `${o.extendFeatures ? 'extra-' : ''}experimental-features = nix-command flakes`,
    'max-jobs = auto',
  ];
  if (o.mode === 'daemon')
    out.push(o.user && o.user !== 'root' ? `trusted-users = root ${o.user}` : 'trusted-users = root');
  if (o.sandboxOff) out.push('sandbox = false');
  if (o.noBuildUsers) out.push('build-users-group =');
  if (o.tokenFile) out.push(includeLine(o.tokenFile));
  out.push(...lines(o.extra));
  return `${out.join('\n')}\n`;
}

/**
 * Puts `block` between the action's markers in an existing configuration text, replacing an
 * earlier block of the action and keeping everything else.
 */
export function replaceMarkedBlock(existing: string, block: string): string {
  const begin = existing.indexOf(MARK_BEGIN);
  const end = existing.indexOf(MARK_END);
  let rest = existing;
  if (begin >= 0 && end > begin) rest = existing.slice(0, begin) + existing.slice(end + MARK_END.length);
  rest = rest.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '');
  const body = `${MARK_BEGIN}\n${block.replace(/\n+$/, '')}\n${MARK_END}\n`;
  return rest.trim() === '' ? body : `${rest.replace(/\n*$/, '\n')}${body}`;
}

/** The user's nix.conf: $XDG_CONFIG_HOME/nix/nix.conf, else ~/.config/nix/nix.conf (where Nix reads it). */
export function userNixConfPath(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config');
  return path.join(base, 'nix', 'nix.conf');
}

/** Nix reads ~ from $HOME; the OS account's home when HOME is unset. */
export function nixHome(ctx: JobContext): string {
  const h = process.env['HOME'];
  return h && path.isAbsolute(h) ? h : ctx.runner.home;
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
  const value = composeNixConfig(state.base, state.lines, ctx.inputs.extraNixConfig);
  exportVar(ctx, 'NIX_CONFIG', value);
  return value;
}

/** Writes the github.com token file (0600) for this job; undefined when there is no token. */
export function writeTokenFile(ctx: JobContext): string | undefined {
  const token = ctx.inputs.githubToken;
  if (!token) return undefined;
  return writeSecretFile(ctx, TOKEN_FILE_NAME, accessTokensContent(token));
}

/** Whether Nix's build sandbox cannot work here (containers and act), with the reason. */
export function sandboxUnavailable(f: { isAct: boolean; container: boolean }): string | undefined {
  if (f.isAct) return 'running under act (a container)';
  if (f.container) return 'running in a container';
  return undefined;
}

/** /.dockerenv or /run/.containerenv: Docker or Podman. */
export function inContainer(exists: (p: string) => boolean = fs.existsSync): boolean {
  return exists('/.dockerenv') || exists('/run/.containerenv');
}

// --- who the daemon trusts ---

/** `nix show-config --json`: { name: { value } } (every version from 2.8 on), or { name: value }. */
export function settingValue(json: unknown, name: string): unknown {
  if (!json || typeof json !== 'object') return undefined;
  const v = (json as Record<string, unknown>)[name];
  if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v) return v.value;
  return v;
}

export function settingList(json: unknown, name: string): string[] {
  const v = settingValue(json, name);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v === 'string') return v.split(/\s+/).filter(Boolean);
  return [];
}

/** Whether trusted-users admits user (by name, `*`, or `@group`). */
export function isTrustedUser(
  trustedUsers: readonly string[],
  user: string,
  groups: readonly string[],
): boolean {
  return trustedUsers.some(
    (t) => t === '*' || t === user || (t.startsWith('@') && groups.includes(t.slice(1))),
  );
}

/** Whether a group of that name exists in /etc/group. */
export function groupExists(name: string, groupFile = '/etc/group'): boolean {
  try {
    return fs
      .readFileSync(groupFile, 'utf8')
      .split('\n')
      .some((l) => l.split(':')[0] === name);
  } catch {
    return false;
  }
}

/** The groups of a user, from /etc/group (supplementary) plus the primary group. */
export function userGroups(user: string, gid: number, groupFile = '/etc/group'): string[] {
  let text = '';
  try {
    text = fs.readFileSync(groupFile, 'utf8');
  } catch {
    return [];
  }
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const [name, , id, members] = line.split(':');
    if (!name || id === undefined) continue;
    if (Number(id) === gid || (members ?? '').split(',').includes(user)) out.add(name);
  }
  return [...out];
}

/**
 * `nix show-config --json`, parsed. Its output holds access-tokens: it is parsed and never
 * logged. undefined when it cannot be read.
 */
export async function readNixSettings(
  nixPath: string,
  opts: { systemOnly?: boolean } = {},
): Promise<unknown> {
  // systemOnly: what a daemon reads (the system nix.conf), not NIX_CONFIG or the user's nix.conf.
  const env = opts.systemOnly ? { NIX_CONFIG: undefined, NIX_USER_CONF_FILES: '/dev/null' } : {};
  // `nix show-config` (2.8 on; a deprecated alias since `nix config show` in 2.20).
  for (const cmd of [['show-config'], ['config', 'show']]) {
    const r = await run(nixPath, [...NIX_FEATURE_ARGS, ...cmd, '--json'], { allowFailure: true, env });
    if (r.code !== 0) continue;
    try {
      return JSON.parse(r.stdout) as unknown;
    } catch {
      // try the other spelling
    }
  }
  return undefined;
}

/**
 * Whether the Nix daemon accepts this user's substituters, keys and netrc from NIX_CONFIG:
 * root, a writable store (single-user), or trusted-users naming the user or one of its groups.
 */
export function daemonTrustsUser(
  settings: unknown,
  who: { user: string; uid: number; gid: number },
  storeWritable: boolean = canWriteStore(),
  groupFile = '/etc/group',
): boolean {
  if (who.uid === 0 || storeWritable) return true;
  return isTrustedUser(
    settingList(settings, 'trusted-users'),
    who.user,
    userGroups(who.user, who.gid, groupFile),
  );
}

/** A writable /nix/store means no daemon stands between this user and the store. */
export function canWriteStore(): boolean {
  try {
    fs.accessSync('/nix/store', fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The primary gid of the account running the action. */
export function currentGid(): number {
  return os.userInfo().gid;
}
