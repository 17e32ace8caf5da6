import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lookupCache } from '../../src/caches/cachix-api.js';
import { cachix } from '../../src/stages/cachix.js';
import { cachixApi, deadUrl, startServer, type FakeCache, type TestServer } from '../support/http-files.js';
import { NIX_CONFIG_LINES } from '../support/nix.js';
import { dummyWorkspace, saveProcessEnv, stageContext } from '../support/doubles.js';

/** The Cachix API lookup against a local server speaking its JSON, and the nix.conf lines it yields. */

const TOKEN = 'cachixTestAuthToken-0123456789abcdefghij';
const caches: Record<string, FakeCache> = {
  'public-one': {
    uri: 'https://public-one.cachix.org',
    publicSigningKeys: ['public-one.cachix.org-1:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo='],
    isPublic: true,
  },
  'private-two': {
    uri: 'https://private-two.cachix.org',
    publicSigningKeys: ['private-two.cachix.org-1:cHJpdmF0ZWtleTEyMzQ1Njc4OTBhYmNkZWZnaGlqa2w='],
    isPublic: false,
    token: TOKEN,
  },
};

let api: TestServer;
let restoreEnv: () => void;
beforeAll(async () => {
  api = await startServer(cachixApi(caches));
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  restoreEnv = saveProcessEnv();
  process.env['NIX_CONFIG'] = NIX_CONFIG_LINES.join('\n');
});
afterEach(() => {
  restoreEnv();
});

const apiUrl = (): string => `${api.url}/api/v1`;

describe('lookupCache', () => {
  it('public cache: uri and keys, no token needed', async () => {
    const r = await lookupCache(apiUrl(), 'public-one', '');
    expect(r).toEqual({ ok: true, cache: { name: 'public-one', ...caches['public-one'] } });
  });
  it('private cache: needs the Bearer token', async () => {
    const without = await lookupCache(apiUrl(), 'private-two', '', { retryDelayMs: 10 });
    expect(without).toMatchObject({ ok: false, reason: 'unauthorized' });
    const withToken = await lookupCache(apiUrl(), 'private-two', TOKEN);
    expect(withToken).toMatchObject({
      ok: true,
      cache: { isPublic: false, uri: 'https://private-two.cachix.org' },
    });
    expect(api.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });
  it('not found and server down say so', async () => {
    expect(await lookupCache(apiUrl(), 'nope', '')).toMatchObject({ ok: false, reason: 'not-found' });
    const down = await lookupCache(`${await deadUrl()}/api/v1`, 'public-one', '', { retryDelayMs: 10 });
    expect(down).toMatchObject({ ok: false, reason: 'unreachable' });
    if (!down.ok) expect(down.message).toMatch(/could not be reached/);
  });
});

describe('cachix stage', () => {
  it('adds substituters, keys and a 0600 netrc for the private cache; warns about the missing one; Nix takes the lines', async () => {
    const sc = stageContext(
      {
        'cachix-cache': 'public-one',
        'extra-pull-caches': 'private-two, does-not-exist',
        'cachix-auth-token': TOKEN,
        'cachix-push': 'false',
        'cachix-api-url': apiUrl(),
        cache: 'false',
      },
      { workspace: dummyWorkspace() },
    );
    await cachix(sc.ctx, { fetch: { retryDelayMs: 10 } });
    const log = sc.text();
    const nixConfig = process.env['NIX_CONFIG'] ?? '';
    const lines = nixConfig.split('\n');
    expect(lines).toContain(
      'extra-substituters = https://public-one.cachix.org https://private-two.cachix.org',
    );
    expect(lines).toContain(
      `extra-trusted-public-keys = ${caches['public-one']!.publicSigningKeys[0]!} ${caches['private-two']!.publicSigningKeys[0]!}`,
    );
    const netrcLine = lines.find((l) => l.startsWith('netrc-file = '));
    expect(netrcLine).toBeDefined();
    const netrc = netrcLine!.slice('netrc-file = '.length);
    expect(fs.statSync(netrc).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(netrc, 'utf8')).toContain(`machine private-two.cachix.org password ${TOKEN}\n`);
    expect(sc.ctx.post.secretFiles).toContain(netrc);
    expect(nixConfig).not.toContain(TOKEN);
    expect(log).toMatch(
      /warning: Cachix cache skipped: Cachix cache "does-not-exist" is not used: Cachix has no cache named "does-not-exist"/,
    );
    expect(log).toContain('Cachix cache "public-one": https://public-one.cachix.org (public');
    expect(log).toContain('Cachix cache "private-two": https://private-two.cachix.org (private');
    expect(log).not.toContain(TOKEN);

    // Nix 2.8 accepts every line (and reads the netrc path from NIX_CONFIG).
    const shown = JSON.parse(
      execFileSync('nix', ['--extra-experimental-features', 'nix-command', 'show-config', '--json'], {
        encoding: 'utf8',
        env: { ...process.env, NIX_CONFIG: nixConfig },
      }),
    ) as Record<string, { value: unknown }>;
    expect(shown['substituters']?.value).toEqual([
      'https://public-one.cachix.org',
      'https://private-two.cachix.org',
    ]);
    expect(shown['trusted-public-keys']?.value).toEqual(
      expect.arrayContaining([
        caches['public-one']!.publicSigningKeys[0],
        caches['private-two']!.publicSigningKeys[0],
      ]),
    );
    expect(shown['netrc-file']?.value).toBe(netrc);
  });

  it('without a token the private cache is skipped with a warning; a dead API only warns', async () => {
    const sc = stageContext(
      { 'cachix-cache': 'private-two', 'cachix-api-url': apiUrl(), cache: 'false' },
      { workspace: dummyWorkspace() },
    );
    await cachix(sc.ctx, { fetch: { retryDelayMs: 10 } });
    expect(sc.text()).toMatch(
      /warning: Cachix cache skipped: Cachix cache "private-two" is not used: cache "private-two" is private \(HTTP 401\); set cachix-auth-token/,
    );
    expect(process.env['NIX_CONFIG']).not.toContain('private-two');

    const down = stageContext(
      { 'cachix-cache': 'public-one', 'cachix-api-url': `${await deadUrl()}/api/v1`, cache: 'false' },
      { workspace: dummyWorkspace() },
    );
    await cachix(down.ctx, { fetch: { retryDelayMs: 10 } });
    expect(down.text()).toMatch(
      /warning: Cachix cache skipped: Cachix cache "public-one" is not used: the Cachix API at \S+ could not be reached/,
    );
  });

  it('with a daemon that does not trust the user: says the substituters may be ignored', async () => {
    const confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nix-conf-dir-'));
    const nixPath = execFileSync('sh', ['-c', 'command -v nix'], { encoding: 'utf8' }).trim();
    const run = async (systemConf: string): Promise<string> => {
      fs.writeFileSync(path.join(confDir, 'nix.conf'), systemConf);
      // What the daemon reads is the system nix.conf (NIX_CONF_DIR here); NIX_CONFIG does not count.
      process.env['NIX_CONF_DIR'] = confDir;
      process.env['NIX_CONFIG'] = 'trusted-users = alice-ci';
      const sc = stageContext(
        { 'cachix-cache': 'public-one', 'cachix-api-url': apiUrl(), cache: 'false' },
        { workspace: dummyWorkspace(), runner: { user: 'alice-ci', uid: 4242 } },
      );
      sc.ctx.nix = {
        nix: nixPath,
        binDir: path.dirname(nixPath),
        version: '2.8.0',
        installed: false,
        daemon: true,
      };
      await cachix(sc.ctx, { fetch: { retryDelayMs: 10 }, storeWritable: false });
      return sc.text();
    };
    expect(await run('trusted-users = root\n')).toMatch(
      /warning: Substituters may be ignored: Nix runs with a daemon and user alice-ci is not in its trusted-users/,
    );
    expect(await run('trusted-users = root alice-ci\n')).not.toContain('Substituters may be ignored');
  });

  it('records the pushes for the post step', async () => {
    const sc = stageContext(
      {
        'cachix-cache': 'public-one',
        'cachix-auth-token': TOKEN,
        'cachix-api-url': apiUrl(),
        'push-to': 'file:///tmp/somewhere',
        'push-filter': '-source$',
        cache: 'false',
      },
      { workspace: dummyWorkspace() },
    );
    await cachix(sc.ctx, { fetch: { retryDelayMs: 10 } });
    expect(sc.ctx.post.cachixPush).toEqual({ cache: 'public-one' });
    expect(sc.ctx.post.pushTo).toBe('file:///tmp/somewhere');
    expect(sc.ctx.post.pushFilter).toBe('-source$');
    expect(JSON.stringify(sc.ctx.post)).not.toContain(TOKEN);
    expect(sc.text()).toContain(
      'After a successful build the post step pushes its runtime closure (minus paths matching /-source$/) to Cachix cache "public-one" and file:///tmp/somewhere.',
    );
  });
});
