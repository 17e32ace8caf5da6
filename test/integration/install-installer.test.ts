import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActionError } from '../../src/util/errors.js';
import type { InstallFacts } from '../../src/nix/installer.js';
import { sha256Hex } from '../../src/util/hash.js';
import { DEFAULT_PROFILE_BIN } from '../../src/nix/locate.js';
import { install } from '../../src/stages/install.js';
import { FAKE_INSTALLER, FAKE_NIX_VERSION, parseRecord } from '../support/fake-installer.js';
import { startServer, type TestServer } from '../support/http-files.js';
import { runStep } from '../support/runner.js';
import { dummyWorkspace, saveProcessEnv, stageContext } from '../support/doubles.js';

/**
 * The installer path, against a local HTTP server that serves a test installer script. No real
 * Nix may be found: PATH is emptied, HOME is a fresh folder, and the tests are skipped on a
 * machine whose default profile already holds a nix.
 */

const TOKEN = 'ghp_installerPathTestToken0123456789abcd';
const SHA = sha256Hex(Buffer.from(FAKE_INSTALLER));
const hasDefaultProfileNix = fs.existsSync(path.join(DEFAULT_PROFILE_BIN, 'nix'));

let server: TestServer;
let failFirst = 0;
let home: string;
let restoreEnv: () => void;

beforeEach(async () => {
  restoreEnv = saveProcessEnv();
  failFirst = 0;
  server = await startServer((req, res) => {
    if (failFirst > 0) {
      failFirst--;
      res.statusCode = 503;
      res.end('try later');
      return;
    }
    if (req.url === '/failing') {
      res.end(
        "#!/bin/sh\necho 'directory /nix does not exist; creating it by running mkdir using sudo' >&2\nexit 1\n",
      );
      return;
    }
    if (req.url !== '/install') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.end(FAKE_INSTALLER);
  });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-home-'));
});
afterEach(async () => {
  restoreEnv();
  await server.close();
});

/** The log without the ::add-mask:: lines (the one place a secret may appear). */
const withoutMasks = (log: string): string =>
  log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

const record = (): Record<string, string> =>
  parseRecord(fs.readFileSync(path.join(home, 'installer-record'), 'utf8'));

/** Calls the install stage in-process with no nix findable and the given machine facts. */
async function installWith(inputs: Record<string, string>, facts: InstallFacts, user = 'runner') {
  process.env['PATH'] = '';
  process.env['HOME'] = home;
  delete process.env['XDG_CONFIG_HOME'];
  const sc = stageContext(
    { 'installer-url': `${server.url}/install`, 'github-token': TOKEN, ...inputs },
    { workspace: dummyWorkspace(), runner: { user, uid: user === 'root' ? 0 : 1001 } },
  );
  let error: unknown;
  try {
    await install(sc.ctx, { facts, fetch: { retryDelayMs: 10 } });
  } catch (e) {
    error = e;
  }
  return { ...sc, error };
}

const hosted: InstallFacts = { systemd: true, canSudo: true, isRoot: false, isAct: false, container: false };
const actFacts: InstallFacts = { systemd: false, canSudo: true, isRoot: true, isAct: true, container: true };

describe.skipIf(hasDefaultProfileNix)('install stage without a Nix', () => {
  it('through dist under act: downloads, checks the hash, installs single-user, exports PATH and variables', async () => {
    const ws = dummyWorkspace();
    const step = await runStep({
      workspace: ws,
      act: true,
      inputs: {
        stages: 'install',
        'installer-url': `${server.url}/install`,
        'installer-sha256': SHA,
        'github-token': TOKEN,
        'extra-nix-config': 'keep-failed = true',
      },
      env: { PATH: '', HOME: home, NIX_CONFIG: undefined },
      timeoutMs: 60_000,
    });
    expect(step.code, step.log).toBe(0);
    expect(server.requests.map((r) => r.url)).toEqual(['/install']);
    const rec = record();
    expect(rec['args']).toMatch(/^--no-daemon --no-channel-add --nix-extra-conf-file \S+\/nix\.conf$/);
    expect(rec['NIX_INSTALLER_YES']).toBe('1');
    // $USER was unset (as in many containers): the installer gets the account name from the OS.
    expect(rec['env']).toMatch(new RegExp(`^USER=${os.userInfo().username}$`, 'm'));
    expect(step.outputs['nix-version']).toBe(FAKE_NIX_VERSION);
    expect(step.log).toContain('Install mode: single-user (running under act');
    expect(step.log).toContain(`Installer: ${FAKE_INSTALLER.length} bytes, SHA-256 ${SHA}`);
    expect(step.log).toContain('Installer SHA-256 matches installer-sha256.');

    // PATH for later steps: the user profile first, the default profile after it.
    expect(step.addedPath).toEqual([DEFAULT_PROFILE_BIN, path.join(home, '.nix-profile', 'bin')]);
    expect(step.exportedEnv['NIX_PROFILES']).toBe(`/nix/var/nix/profiles/default ${home}/.nix-profile`);
    if (fs.existsSync('/etc/ssl/certs/ca-certificates.crt'))
      expect(step.exportedEnv['NIX_SSL_CERT_FILE']).toBe('/etc/ssl/certs/ca-certificates.crt');

    // The single-user installer writes no nix.conf: the user's nix.conf gets the configuration.
    const userConf = fs.readFileSync(path.join(home, '.config', 'nix', 'nix.conf'), 'utf8');
    expect(userConf).toContain('experimental-features = nix-command flakes\nmax-jobs = auto\n');
    expect(userConf).toContain('sandbox = false');
    expect(userConf).toContain('build-users-group =\n');
    expect(userConf).toContain('keep-failed = true');
    expect(userConf).not.toContain('trusted-users');
    const tokenFile = /^!include (\S+)$/m.exec(userConf)![1]!;
    expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(tokenFile, 'utf8')).toContain(TOKEN);
    expect(step.log).toContain(
      `Nix configuration written to ${home}/.config/nix/nix.conf (the user's nix.conf)`,
    );

    // The token reached neither the installer's environment, nor the log, nor GITHUB_ENV.
    expect(rec['env']).not.toContain(TOKEN);
    expect(withoutMasks(step.log)).not.toContain(TOKEN);
    expect(JSON.stringify(step.exportedEnv)).not.toContain(TOKEN);
    expect(step.state['nix-lambda']).toContain(tokenFile);
  });

  it('refuses an installer whose SHA-256 differs and runs nothing', async () => {
    const r = await installWith({ 'installer-sha256': 'ab'.repeat(32) }, actFacts);
    expect(r.error).toBeInstanceOf(ActionError);
    expect((r.error as ActionError).title).toBe('Installer checksum mismatch');
    expect((r.error as Error).message).toContain(
      `has SHA-256 ${SHA}, but input \`installer-sha256\` expects ${'ab'.repeat(32)}. Nothing was run.`,
    );
    expect(server.requests).toHaveLength(1);
    expect(fs.existsSync(path.join(home, 'installer-record'))).toBe(false);
    expect(fs.existsSync(path.join(home, '.nix-profile'))).toBe(false);
  });

  it('daemon install where systemd runs and sudo works: --daemon, runner user trusted in the installer conf', async () => {
    const r = await installWith({}, hosted, 'runner');
    expect(r.error).toBeUndefined();
    const rec = record();
    expect(rec['args']).toMatch(/^--daemon --no-channel-add --nix-extra-conf-file \S+$/);
    expect(rec['conf-file']).toContain('experimental-features = nix-command flakes');
    expect(rec['conf-file']).toContain('trusted-users = root runner');
    expect(rec['conf-file']).not.toContain('sandbox = false');
    expect(rec['conf-file']).toMatch(/^!include \S+nix-access-tokens\.conf$/m);
    expect(rec['conf-file']).not.toContain(TOKEN);
    expect(r.ctx.nix?.daemon).toBe(true);
    expect(r.ctx.nix?.installed).toBe(true);
    expect(r.ctx.outputs['nix-version']).toBe(FAKE_NIX_VERSION);
    expect(r.text()).toContain('Install mode: daemon (systemd runs and the user can sudo)');
    expect(r.text()).toContain(
      'Nix configuration written to /etc/nix/nix.conf (by the installer, from --nix-extra-conf-file)',
    );
    // No user nix.conf for a daemon install; PATH of this process now leads to the installed nix.
    expect(fs.existsSync(path.join(home, '.config', 'nix', 'nix.conf'))).toBe(false);
    expect(process.env['PATH']?.split(':')[0]).toBe(path.join(home, '.nix-profile', 'bin'));
  });

  it('single-user without sudo even where systemd runs', async () => {
    const r = await installWith({}, { ...hosted, canSudo: false });
    expect(r.error).toBeUndefined();
    expect(record()['args']).toMatch(/^--no-daemon /);
    expect(r.text()).toContain('Install mode: single-user (the user cannot run sudo without a password)');
  });

  it('determinate installer in a container: install linux --init none, configuration in NIX_INSTALLER_EXTRA_CONF', async () => {
    const r = await installWith(
      { 'nix-installer': 'determinate', 'nix-version': '2.24.9' },
      actFacts,
      'root',
    );
    expect(r.error).toBeUndefined();
    const rec = record();
    expect(rec['args']).toBe('install linux --init none --no-confirm');
    expect(rec['NIX_INSTALLER_NO_CONFIRM']).toBe('true');
    expect(rec['extra-conf-env']).toContain('extra-experimental-features = nix-command flakes');
    expect(rec['extra-conf-env']).toContain('sandbox = false');
    expect(rec['extra-conf-env']).toMatch(/^!include \S+$/m);
    expect(rec['env']).not.toContain(TOKEN);
    expect(r.text()).toMatch(/warning: nix-version ignored: nix-version 2\.24\.9 is ignored/);
  });

  it('a failing installer fails the stage with its output and, without sudo, the way out', async () => {
    const r = await installWith(
      { 'installer-url': `${server.url}/failing` },
      { ...hosted, systemd: false, canSudo: false },
    );
    expect((r.error as ActionError).title).toBe('Nix installer failed');
    expect((r.error as Error).message).toContain('directory /nix does not exist');
    expect((r.error as Error).message).toContain('mkdir -m 0755 /nix && chown runner /nix');
    // The installer's working folder (script and nix.conf) is gone.
    expect(fs.readdirSync(r.tempDir).filter((f) => f.startsWith('nix-lambda-install-'))).toEqual([]);
  });

  it('retries a failing download, and reports an installer that is not there', async () => {
    failFirst = 2;
    const ok = await installWith({}, actFacts);
    expect(ok.error).toBeUndefined();
    expect(server.requests).toHaveLength(3);
    expect(ok.text()).toMatch(/failed \(HTTP 503\); retrying \(attempt 2\)/);

    home = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-home-'));
    const missing = await installWith({ 'installer-url': `${server.url}/nix-9.9.9/install` }, actFacts);
    expect((missing.error as ActionError).title).toBe('Installer download failed');
    expect((missing.error as Error).message).toContain('HTTP 404');
    expect(fs.existsSync(path.join(home, 'installer-record'))).toBe(false);
  });
});
