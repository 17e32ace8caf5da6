import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * Who a Nix daemon trusts: a substituter, a public key or a netrc given through NIX_CONFIG is
 * honoured only for root, a single-user (writable) store, and the daemon's trusted-users.
 * The settings come from NixCli.settings() (`nix show-config --json`).
 */

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
