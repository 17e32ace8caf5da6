import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runPost } from '../../src/action/post.js';
import { FAKE_INSTALLER } from '../support/fake-installer.js';
import { startServer, type TestServer } from '../support/http-files.js';
import { runPipeline } from '../support/pipeline.js';
import { NIX_CONFIG_LINES } from '../support/nix.js';
import { dummyWorkspace, saveProcessEnv, stageContext } from '../support/doubles.js';
import { install } from '../../src/stages/install.js';
import { consoleLog } from '../../src/host.js';

/** An existing Nix (Debian's nix-bin on PATH here) is used as it is and configured through NIX_CONFIG. */

const TOKEN = 'ghp_existingNixTestToken0123456789abcdef';
let restoreEnv: () => void;
let server: TestServer;

beforeEach(async () => {
  restoreEnv = saveProcessEnv();
  server = await startServer((_req, res) => {
    res.end(FAKE_INSTALLER);
  });
});
afterEach(async () => {
  restoreEnv();
  await server.close();
});

function realNixVersion(): string {
  return /(\d+\.\d+(\.\d+)?)\s*$/.exec(execFileSync('nix', ['--version'], { encoding: 'utf8' }).trim())![1]!;
}

describe('install stage with Nix already there', () => {
  it('uses it, installs nothing, leaves nix.conf alone and exports NIX_CONFIG with the token only included', async () => {
    const etcConf = fs.existsSync('/etc/nix/nix.conf') ? fs.readFileSync('/etc/nix/nix.conf', 'utf8') : '';
    const ws = dummyWorkspace();
    const r = await runPipeline(
      {
        stages: 'install',
        'installer-url': `${server.url}/install`,
        'github-token': TOKEN,
        'extra-nix-config': 'keep-outputs = true',
      },
      { workspace: ws, env: { ACT: 'true' } },
    );
    expect(r.error).toBeUndefined();
    // Nothing downloaded, nothing installed.
    expect(server.requests).toHaveLength(0);
    expect(r.outputs.get('nix-version')).toBe(realNixVersion());
    expect(r.log).toMatch(/Using Nix \S+ at \/\S+\/nix\b.*nothing installed/);
    expect(fs.existsSync('/etc/nix/nix.conf') ? fs.readFileSync('/etc/nix/nix.conf', 'utf8') : '').toBe(
      etcConf,
    );

    // NIX_CONFIG: what the environment had first, the action's lines, extra-nix-config last.
    const nixConfig = process.env['NIX_CONFIG'] ?? '';
    const lines = nixConfig.split('\n');
    expect(lines[0]).toBe('experimental-features = nix-command flakes'); // runPipeline's own NIX_CONFIG
    expect(lines).toContain('extra-experimental-features = nix-command flakes');
    expect(lines).toContain('max-jobs = auto');
    expect(lines).toContain('sandbox = false'); // ACT=true
    expect(lines.at(-1)).toBe('keep-outputs = true');
    const include = lines.find((l) => l.startsWith('!include '));
    expect(include).toBeDefined();
    expect(nixConfig).not.toContain(TOKEN);
    const tokenFile = include!.slice('!include '.length);
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(tokenFile, 'utf8')).toBe(`access-tokens = github.com=${TOKEN}\n`);
    expect(r.ctx?.post.secretFiles).toContain(tokenFile);
    expect(r.log).toMatch(/exported NIX_CONFIG.*left as they are/);
    expect(r.log).toMatch(/sandbox cannot work here \(running under act/);
    expect(r.log).not.toContain(TOKEN);

    // Real Nix 2.8 reads the token through the !include in NIX_CONFIG.
    const shown = JSON.parse(
      execFileSync('nix', ['--extra-experimental-features', 'nix-command', 'show-config', '--json'], {
        encoding: 'utf8',
        env: { ...process.env, NIX_CONFIG: nixConfig },
      }),
    ) as Record<string, { value: unknown }>;
    expect(shown['access-tokens']?.value).toEqual({ 'github.com': TOKEN });
    expect(shown['max-jobs']?.value).toBeGreaterThan(0);
    expect(shown['keep-outputs']?.value).toBe(true);

    // The post step removes the token file (and its private folder).
    await runPost(
      r.ctx!.post,
      consoleLog({ stream: { write: () => true } as unknown as NodeJS.WritableStream }),
      () => '',
    );
    expect(fs.existsSync(tokenFile)).toBe(false);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'as root with no daemon and no build-users group: builds as root (build-users-group =)',
    async () => {
      process.env['NIX_CONFIG'] = [...NIX_CONFIG_LINES, 'build-users-group = nixlambda-no-such-group'].join(
        '\n',
      );
      const sc = stageContext({ stages: 'install' }, { workspace: dummyWorkspace() });
      await install(sc.ctx);
      const nixConfig = process.env['NIX_CONFIG'];
      expect(nixConfig.split('\n').slice(-4)).toContain('build-users-group =');
      expect(sc.text()).toContain(
        'build-users-group is nixlambda-no-such-group, a group that does not exist here: build-users-group = (builds run as root)',
      );
      const shown = JSON.parse(
        execFileSync('nix', ['--extra-experimental-features', 'nix-command', 'show-config', '--json'], {
          encoding: 'utf8',
          env: { ...process.env, NIX_CONFIG: nixConfig },
        }),
      ) as Record<string, { value: unknown }>;
      expect(shown['build-users-group']?.value).toBe('');
    },
  );

  it('warns when another nix-version was asked for, and still uses the one there', async () => {
    const r = await runPipeline(
      { stages: 'install', 'nix-version': '2.3.1' },
      { workspace: dummyWorkspace() },
    );
    expect(r.error).toBeUndefined();
    expect(r.log).toMatch(
      /warning: Nix already installed: nix-version 2\.3\.1 was requested but Nix \S+ is already installed/,
    );
    expect(r.outputs.get('nix-version')).toBe(realNixVersion());
  });
});
