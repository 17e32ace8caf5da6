import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argvRecorder, type ArgvRecorder } from '../support/argv-recorder.js';
import { nixEnv, NIX_CONFIG_LINES } from '../support/nix.js';
import { runMainAndPost, runStep, type StepResult } from '../support/runner.js';
import { processesInNamespace, startSshBuilder, type SshBuilder } from '../support/ssh-builder.js';

/**
 * Builds that outgrow one runner, on Nix's own distributed builds, for real on loopback: Debian's
 * sshd on 127.0.0.1 in front of a second Nix store (test/support/ssh-builder.ts). dist/index.js,
 * run as a runner runs it with builders, builder-ssh-key and builder-known-hosts and max-jobs = 0,
 * sends the build there and copies the output back; the builder's own store proves where it was
 * built. The key is a secret: masked, in a 0600 file, never in argv, logs or the runner's files,
 * removed by the post step.
 */

let builder: SshBuilder;
let argv: ArgvRecorder;
const temps: string[] = [];
beforeAll(async () => {
  builder = await startSshBuilder();
  argv = argvRecorder();
});
afterAll(async () => {
  const ns = builder.mountNamespace;
  await builder.stop();
  expect(processesInNamespace(ns)).toEqual([]);
  expect(fs.existsSync(builder.dir)).toBe(false);
  for (const d of [...temps, argv.dir]) fs.rmSync(d, { recursive: true, force: true });
});

/** A flake whose one derivation is new to every store (a random tag), and what it writes. */
function uniqueFlake(): { dir: string; tag: string } {
  const tag = randomBytes(6).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-flake-'));
  temps.push(dir);
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{\n  outputs = { self }: {\n    packages.x86_64-linux.default = derivation {\n      name = "remote-${tag}";\n      system = "x86_64-linux";\n      builder = "/bin/sh";\n      args = [ "-c" "mkdir -p $out/bin && cp /bin/true $out/bin/bootstrap && echo ${tag} > $out/tag" ];\n      PATH = "/usr/bin:/bin";\n    };\n  };\n}\n`,
  );
  execFileSync('git', ['-c', 'init.defaultBranch=main', 'init', '-q', dir]);
  execFileSync('git', ['add', '-A'], { cwd: dir });
  return { dir, tag };
}

function inputs(extra: Record<string, string> = {}): Record<string, string> {
  return {
    stages: 'build',
    flake: '.',
    builders: 'ssh://root@127.0.0.1 x86_64-linux - 1 1',
    'builder-ssh-key': builder.clientKey,
    'builder-known-hosts': builder.knownHosts,
    'extra-nix-config': 'max-jobs = 0',
    ...extra,
  };
}

/** Every line of the key but its armour: none may appear anywhere. */
const keyLines = (): string[] =>
  builder.clientKey
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && !l.startsWith('-----'));

function leaks(text: string): string[] {
  return keyLines().filter((l) => text.includes(l));
}

/** The log as the runner shows it (::add-mask:: commands are the runner's, not shown). */
const shown = (s: StepResult): string =>
  s.log
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');

describe('remote builders', () => {
  it('sends the build to the builder over ssh and copies the output back; the key never leaks', async () => {
    const { dir, tag } = uniqueFlake();
    const runner = fs.mkdtempSync(path.join(os.tmpdir(), 'remote-step-'));
    temps.push(runner);
    argv.clear();
    const env = {
      NIX_CONFIG: NIX_CONFIG_LINES.join('\n'),
      NIX_SSHOPTS: `-p ${builder.port}`,
      PATH: `${argv.dir}:${process.env['PATH'] ?? ''}`,
    };
    // The main step alone first, to see the key file it leaves for the post step.
    const main = await runStep({
      workspace: dir,
      dir: path.join(runner, 'main'),
      runnerTemp: path.join(runner, 'temp'),
      inputs: inputs(),
      env,
    });
    expect(main.code, main.log).toBe(0);
    const out = main.outputs['store-path']!;
    expect(out).toMatch(new RegExp(`^/nix/store/[a-z0-9]{32}-remote-${tag}$`));
    expect(main.log).toMatch(
      /building '\/nix\/store\/[a-z0-9]{32}-remote-[0-9a-f]+\.drv' on 'ssh:\/\/root@127\.0\.0\.1'/,
    );
    expect(main.log).toContain(`copying path '${out}' from 'ssh://root@127.0.0.1'`);
    // Copied back: valid here, with the builder's content.
    expect(fs.readFileSync(path.join(out, 'tag'), 'utf8')).toBe(`${tag}\n`);
    // Built there: the builder's store database holds it, with the derivation that built it.
    const there = JSON.parse(
      execFileSync('nix', ['--store', builder.dir, 'path-info', '--json', out], {
        env: nixEnv(),
        encoding: 'utf8',
      }),
    ) as { path: string; deriver: string; ultimate?: boolean }[];
    expect(there[0]).toMatchObject({
      path: out,
      deriver: expect.stringMatching(/-remote-[0-9a-f]+\.drv$/) as string,
      ultimate: true,
    });
    expect(fs.existsSync(builder.storeFile(path.join(out, 'tag')))).toBe(true);

    // The key: a 0600 file in a 0700 folder; ssh got its path (-i), never its content.
    const keyFile = /The builders' SSH key is in (\S+) \(mode 0600\)/.exec(main.log)?.[1];
    expect(keyFile).toBeDefined();
    expect(fs.statSync(keyFile!).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(keyFile!)).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(keyFile!, 'utf8')).toBe(builder.clientKey);
    const ssh = argv.calls().filter((c) => c.cmd === 'ssh');
    expect(ssh.length).toBeGreaterThan(0);
    expect(ssh[0]!.args).toEqual(expect.arrayContaining(['-i', keyFile!, '-p', String(builder.port)]));
    expect(ssh[0]!.args.join(' ')).toMatch(
      /-oUserKnownHostsFile=\S+\/builder-known-hosts -oStrictHostKeyChecking=yes/,
    );
    expect(leaks(argv.raw())).toEqual([]);
    expect(main.stdout).toContain('::add-mask::'); // masked, line by line
    for (const line of keyLines()) expect(main.stdout).toContain(`::add-mask::${line}`);
    expect(leaks(shown(main))).toEqual([]);
    const files =
      Object.values(main.outputs).join('\n') +
      JSON.stringify(main.state) +
      JSON.stringify(main.exportedEnv) +
      main.summary;
    expect(leaks(files)).toEqual([]);

    // The post step removes it.
    const post = await runStep({
      workspace: dir,
      dir: path.join(runner, 'post'),
      runnerTemp: path.join(runner, 'temp'),
      inputs: inputs(),
      env,
      state: main.state,
    });
    expect(post.code, post.log).toBe(0);
    expect(post.log).toMatch(/Removed 2 secret files\./);
    expect(fs.existsSync(keyFile!)).toBe(false);
    expect(fs.existsSync(path.dirname(keyFile!))).toBe(false);
    expect(leaks(shown(post))).toEqual([]);
  });

  it('refuses a builder whose host key is not the known one (strict checking), building nothing there', async () => {
    const { dir, tag } = uniqueFlake();
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'other-key-'));
    temps.push(other);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(other, 'k')]);
    const wrong = `[127.0.0.1]:${builder.port} ${fs.readFileSync(path.join(other, 'k.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}`;
    const { main, post } = await runMainAndPost({
      workspace: dir,
      inputs: inputs({ 'builder-known-hosts': wrong }),
      env: { NIX_CONFIG: NIX_CONFIG_LINES.join('\n'), NIX_SSHOPTS: `-p ${builder.port}` },
    });
    expect(main.code).toBe(1);
    expect(main.log).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(main.stdout).toMatch(/::error title=Nix build failed::/);
    expect(fs.readdirSync(path.join(builder.dir, 'nix', 'store')).filter((n) => n.includes(tag))).toEqual([]);
    expect(leaks(shown(main) + shown(post))).toEqual([]);
    expect(post.log).toMatch(/Removed 2 secret files\./);
  });
});
