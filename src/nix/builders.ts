/**
 * Nix's distributed builds (a pure module): the `builders` string as Nix reads it, checked, and
 * completed with the job's SSH key and builders' host keys, so that the ssh Nix starts (in this
 * process, or in a nix-daemon that never sees the step's environment) authenticates with the key
 * and checks the builder against builder-known-hosts.
 *
 * A builders entry is `URI [SYSTEMS [SSH-KEY [MAX-JOBS [SPEED [FEATURES [MANDATORY [HOST-KEY]]]]]]]`
 * ("-" leaves a field empty); entries are separated by `;` or newlines; `@FILE` reads them from a
 * file. HOST-KEY is the base64 of a known_hosts key ("ssh-ed25519 AAAA..."): Nix writes it into a
 * known_hosts file of its own for that ssh, which works where NIX_SSHOPTS does not reach (a daemon).
 */

export interface BuilderEntry {
  /** ssh://[user@]host or ssh-ng://[user@]host. */
  uri: string;
  /** Fields after the URI, "-" for an empty one (at most 7). */
  fields: string[];
}

export interface ParsedBuilders {
  entries: BuilderEntry[];
  /** `@FILE` entries, kept as they are. */
  files: string[];
  problems: string[];
}

const URI = /^(ssh|ssh-ng):\/\/(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9.:[\]_-]+$/;
/** Field positions after the URI. */
const F_KEY = 1;
const F_MAX_JOBS = 2;
const F_SPEED = 3;
const F_HOST_KEY = 6;

/** Splits and checks a builders string (what the input `builders` holds). */
export function parseBuilders(text: string): ParsedBuilders {
  const out: ParsedBuilders = { entries: [], files: [], problems: [] };
  for (const raw of text.split(/[;\n]/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('@')) {
      out.files.push(line);
      continue;
    }
    const [uri, ...fields] = line.split(/\s+/);
    if (!URI.test(uri!)) {
      out.problems.push(
        `"${uri!}" is not a builder Nix reaches over SSH: write ssh://user@host or ssh-ng://user@host, then the systems (x86_64-linux,aarch64-linux), the key file or -, max jobs, speed, features.`,
      );
      continue;
    }
    if (fields.length > 7) {
      out.problems.push(`"${line}" has ${fields.length + 1} fields; a builder has at most 8.`);
      continue;
    }
    for (const [i, what] of [
      [F_MAX_JOBS, 'max jobs'],
      [F_SPEED, 'speed factor'],
    ] as const) {
      const v = fields[i];
      if (v !== undefined && v !== '-' && !/^\d+$/.test(v))
        out.problems.push(`"${line}": the ${what} (field ${i + 2}) must be a whole number, got "${v}".`);
    }
    out.entries.push({ uri: uri!, fields });
  }
  if (out.entries.length === 0 && out.files.length === 0 && out.problems.length === 0)
    out.problems.push('no builder given.');
  return out;
}

/** The host of a builder URI, as ssh and known_hosts name it (no user; [host]:port kept as written). */
export function builderHost(uri: string): string {
  const rest = uri.replace(/^[a-z-]+:\/\//, '');
  return rest.includes('@') ? rest.slice(rest.lastIndexOf('@') + 1) : rest;
}

/** One known_hosts line: its host patterns (comma-separated) and its key ("TYPE BASE64"). */
export interface KnownHost {
  hosts: string[];
  key: string;
}

/** Parses known_hosts text; lines that are not `HOSTS TYPE KEY [comment]` are returned as problems. */
export function parseKnownHosts(text: string): { hosts: KnownHost[]; problems: string[] } {
  const hosts: KnownHost[] = [];
  const problems: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    // An optional marker (@cert-authority, @revoked) comes first.
    const [h, type, key] = parts[0]!.startsWith('@') ? parts.slice(1) : parts;
    if (
      !h ||
      !type ||
      !key ||
      !/^[A-Za-z0-9+/]{20,}=*$/.test(key) ||
      !/^(ssh|ecdsa|sk)-[a-z0-9@.-]+$/.test(type)
    ) {
      problems.push(`"${line.slice(0, 60)}" is not a known_hosts line (HOST KEYTYPE BASE64KEY).`);
      continue;
    }
    hosts.push({ hosts: h.split(','), key: `${type} ${key}` });
  }
  return { hosts, problems };
}

/**
 * The builders string Nix gets: every entry without a key file gets `keyFile`, and every entry
 * without a host key gets the one builder-known-hosts holds for its host (a plain host name; a
 * builder on another port is checked through the known_hosts file instead: see sshOptions).
 */
export function completeBuilders(
  parsed: ParsedBuilders,
  o: { keyFile?: string | undefined; knownHosts?: readonly KnownHost[] },
): string {
  const lines = parsed.entries.map((e) => {
    const f = [...e.fields];
    const set = (i: number, v: string): void => {
      while (f.length < i) f.push('-');
      if (f[i] === undefined || f[i] === '-' || f[i] === '') f[i] = v;
    };
    if (o.keyFile) set(F_KEY, o.keyFile);
    const host = builderHost(e.uri);
    const known = o.knownHosts?.find((k) => k.hosts.includes(host));
    if (known && (f[F_HOST_KEY] === undefined || f[F_HOST_KEY] === '-'))
      set(F_HOST_KEY, Buffer.from(known.key).toString('base64'));
    return [e.uri, ...f].join(' ');
  });
  return [...lines, ...parsed.files].join(' ; ');
}

/** NIX_SSHOPTS for the ssh Nix runs itself (no daemon): the job's known_hosts file, checked strictly. */
export function sshOptions(existing: string, knownHostsFile: string | undefined): string {
  const add = knownHostsFile ? [`-oUserKnownHostsFile=${knownHostsFile}`, '-oStrictHostKeyChecking=yes'] : [];
  return [existing.trim(), ...add].filter(Boolean).join(' ');
}

/** Whether text holds an OpenSSH or PEM private key (the only thing builder-ssh-key takes). */
export function looksLikePrivateKey(text: string): boolean {
  return /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----\r?\n[\s\S]+\n-----END [A-Z0-9 ]*PRIVATE KEY-----\s*$/.test(
    text.trim() + '\n',
  );
}
