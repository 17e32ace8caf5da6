import { execFile } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { consoleLog } from '../../src/host.js';
import { runPost } from '../../src/action/post.js';
import { cachixApi, startServer } from '../support/http-files.js';
import { nixEnv } from '../support/nix.js';
import { runPipeline } from '../support/pipeline.js';
import { saveProcessEnv } from '../support/doubles.js';
import { buildUnique, generateKey, makeUniqueFlake, type UniqueFlake } from '../support/unique-flake.js';

/**
 * Pushing in the post step: `push-to file://...` signs every closure path (narinfos read back and
 * their signatures checked, by us and by Nix), push-filter, the cachix CLI with its secrets in its
 * environment, and failures that stay warnings.
 */

const exec = promisify(execFile);
const CACHIX_TOKEN = 'cachixPushTestToken-abcdefghijklmnopqrstuv';
const CACHIX_KEY = 'Y2FjaGl4U2lnbmluZ0tleUZvclRlc3RzMDEyMzQ1Njc4OWFiY2RlZg==';

let flake: UniqueFlake;
let outPath: string;
let closure: string[];
let key: { secret: string; public: string };
let restoreEnv: () => void;

beforeAll(async () => {
  flake = await makeUniqueFlake();
  ({ outPath, closure } = await buildUnique(flake.dir));
  key = await generateKey('push-test-1');
});
beforeEach(() => {
  restoreEnv = saveProcessEnv();
});
afterEach(() => {
  restoreEnv();
});

/** Main step (install, cachix, build) in-process, then the post step in-process; returns both logs. */
async function mainAndPost(
  inputs: Record<string, string>,
): Promise<{ main: string; post: string; tempDir: string }> {
  const all = { stages: 'install,cachix,build', flake: flake.dir, cache: 'false', ...inputs };
  const r = await runPipeline(all, { workspace: flake.dir });
  expect(r.error, r.log).toBeUndefined();
  expect(r.ctx?.post.buildSucceeded).toBe(true);
  let post = '';
  const log = consoleLog({
    verbose: true,
    stream: {
      write: (s: string) => {
        post += s;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
  });
  process.env['RUNNER_TEMP'] = r.tempDir;
  await runPost(r.ctx!.post, log, (n) => (all as Record<string, string | undefined>)[n] ?? '');
  return { main: r.log, post, tempDir: r.tempDir };
}

interface NarInfo {
  StorePath: string;
  NarHash: string;
  NarSize: string;
  References: string;
  Sig: string;
}

function readNarInfos(dir: string): Map<string, NarInfo> {
  const out = new Map<string, NarInfo>();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.narinfo'))) {
    const fields: Record<string, string> = {};
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const i = line.indexOf(': ');
      if (i > 0) fields[line.slice(0, i)] = line.slice(i + 2);
    }
    out.set(fields['StorePath']!, fields as unknown as NarInfo);
  }
  return out;
}

/** Checks a narinfo's ed25519 signature over Nix's fingerprint, independently of Nix. */
function signatureValid(info: NarInfo, publicKey: string): boolean {
  const [keyName, keyB64] = publicKey.split(':') as [string, string];
  const [sigName, sigB64] = info.Sig.split(':') as [string, string];
  if (sigName !== keyName) return false;
  const refs = info.References.split(' ')
    .filter(Boolean)
    .map((r) => `/nix/store/${r}`)
    .join(',');
  const fingerprint = `1;${info.StorePath};${info.NarHash};${info.NarSize};${refs}`;
  const pub = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(keyB64, 'base64').toString('base64url') },
    format: 'jwk',
  });
  return verify(null, Buffer.from(fingerprint), pub, Buffer.from(sigB64, 'base64'));
}

async function narSizeSum(paths: string[]): Promise<number> {
  const { stdout } = await exec('nix', ['path-info', '--json', ...paths], { env: nixEnv() });
  return (JSON.parse(stdout) as { narSize: number }[]).reduce((a, i) => a + i.narSize, 0);
}

const freshDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'push-to-'));

describe('push-to a Nix binary cache', () => {
  it('every closure path arrives with a valid signature; count and bytes are reported', async () => {
    const dir = freshDir();
    const { post, tempDir } = await mainAndPost({
      'push-to': `file://${dir}`,
      'push-signing-key': key.secret,
    });
    const infos = readNarInfos(dir);
    expect([...infos.keys()].sort()).toEqual(closure);
    for (const [p, info] of infos) {
      expect(info.Sig, p).toMatch(/^push-test-1:/);
      expect(signatureValid(info, key.public), `signature of ${p}`).toBe(true);
    }
    // Nix agrees: with only our key trusted, the whole closure verifies.
    await exec(
      'nix',
      ['store', 'verify', '--store', `file://${dir}`, '-r', outPath, '--trusted-public-keys', key.public],
      {
        env: nixEnv(),
      },
    );
    const bytes = await narSizeSum(closure);
    expect(post).toContain(`Pushed 3 store paths (`);
    expect(post).toContain(`${bytes} bytes NAR) to file://${dir}; 0 were already there.`);
    expect(post).not.toContain(key.secret);
    // The temporary key file is gone.
    const leftovers = fs
      .readdirSync(tempDir, { recursive: true })
      .map(String)
      .filter((f) => f.includes('signing-key'));
    expect(leftovers).toEqual([]);

    // Again: nothing new to push.
    const again = await mainAndPost({ 'push-to': `file://${dir}`, 'push-signing-key': key.secret });
    expect(again.post).toContain(
      `Pushed 0 store paths (0 B, 0 bytes NAR) to file://${dir}; 3 were already there.`,
    );
  });

  it('push-filter keeps matching paths out, except those that pushed paths reference', async () => {
    // Excluding the app and its library leaves the data path alone: only it is pushed.
    const dir = freshDir();
    const { post } = await mainAndPost({
      'push-to': `file://${dir}`,
      'push-signing-key': key.secret,
      'push-filter': '-unique-(app|lib)$',
    });
    expect([...readNarInfos(dir).keys()]).toEqual(closure.filter((p) => p.endsWith('-unique-data')));
    expect(post).toContain('Runtime closure: 3 store paths; 1 to push, 2 excluded by push-filter.');
    expect(post).toContain(`Pushed 1 store paths (`);

    // Excluding the library alone cannot work: the app references it, and a binary cache must
    // hold the closure of what it serves. It goes along, and the log says so.
    const dir2 = freshDir();
    const lib = closure.find((p) => p.endsWith('-unique-lib'))!;
    const second = await mainAndPost({
      'push-to': `file://${dir2}`,
      'push-signing-key': key.secret,
      'push-filter': '-unique-lib$',
    });
    expect([...readNarInfos(dir2).keys()].sort()).toEqual(closure);
    expect(second.post).toContain(
      `1 store path matching push-filter went along: pushed paths reference it, and a Nix binary cache must hold the closure of what it serves (${lib}).`,
    );
  });

  it('a failing push is a warning, never a failure', async () => {
    const { post } = await mainAndPost({ 'push-to': 'file:///proc/no-such-dir/cache' });
    expect(post).toMatch(
      /warning: Push failed: Push to file:\/\/\/proc\/no-such-dir\/cache failed: .*The deploy is not affected\./s,
    );
  });
});

describe('push to Cachix', () => {
  it('runs the cachix CLI from PATH with the secrets in its environment, not in argv', async () => {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-cachix-'));
    const record = path.join(bin, 'record');
    fs.writeFileSync(
      path.join(bin, 'cachix'),
      `#!/bin/sh
printf 'argv: %s\\n' "$*" >> ${record}
printf 'token: %s\\n' "$(printf %s "$CACHIX_AUTH_TOKEN" | /usr/bin/sha256sum | /usr/bin/cut -c1-64)" >> ${record}
printf 'key: %s\\n' "$(printf %s "$CACHIX_SIGNING_KEY" | /usr/bin/sha256sum | /usr/bin/cut -c1-64)" >> ${record}
echo "pushing $(($# - 2)) paths"
`,
      { mode: 0o755 },
    );
    process.env['PATH'] = `${bin}:${process.env['PATH'] ?? ''}`;
    const server = await startServer(
      cachixApi({ 'my-cache': { uri: 'http://127.0.0.1:9/', publicSigningKeys: [], isPublic: true } }),
    );
    try {
      const { post } = await mainAndPost({
        'cachix-cache': 'my-cache',
        'cachix-auth-token': CACHIX_TOKEN,
        'cachix-signing-key': CACHIX_KEY,
        'cachix-api-url': `${server.url}/api/v1`,
        // the announced substituter is unreachable: keep Nix from waiting on it
        'extra-nix-config': 'substituters =\nconnect-timeout = 1',
      });
      const rec = fs.readFileSync(record, 'utf8');
      const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
      expect(rec).toContain(`argv: push my-cache ${closure.join(' ')}`);
      expect(rec).toContain(`token: ${sha(CACHIX_TOKEN)}`);
      expect(rec).toContain(`key: ${sha(CACHIX_KEY)}`);
      expect(rec).not.toContain(CACHIX_TOKEN);
      expect(rec).not.toContain(CACHIX_KEY);
      expect(post).toContain('pushing 3 paths');
      expect(post).toMatch(/Pushed to Cachix cache "my-cache": 3 store paths \(\S+ \S+, \d+ bytes NAR/);
    } finally {
      await server.close();
    }
  });

  it('without cachix on PATH and offline: realising it fails, a warning, the post step goes on', async () => {
    const dir = freshDir();
    const api = await startServer(cachixApi({}));
    let post: string;
    try {
      ({ post } = await mainAndPost({
        'cachix-cache': 'my-cache',
        'cachix-auth-token': CACHIX_TOKEN,
        'cachix-api-url': `${api.url}/api/v1`,
        'push-to': `file://${dir}`,
        'extra-nix-config': 'download-attempts = 1',
      }));
    } finally {
      await api.close();
    }
    expect(post).toMatch(
      /warning: Cachix push failed: Push to Cachix cache "my-cache" skipped or failed: cachix is not on PATH and nixpkgs#cachix could not be built/,
    );
    // The other push still happened.
    expect(readNarInfos(dir).size).toBe(3);
    expect(post).not.toContain(CACHIX_TOKEN);
  });
});
