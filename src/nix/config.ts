import * as path from 'node:path';

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
 * Writing them (NIX_CONFIG, the token file) is the job context's (context.ts): this module only
 * composes the text.
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
