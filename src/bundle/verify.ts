import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { ELF_MACHINE, LAMBDA_LD_LIBRARY_PATH, LAMBDA_PATH, type LambdaArch } from '../lambda.js';
import { decoyLibrary } from './decoy.js';
import { ActionError } from '../util/errors.js';
import { plural } from '../util/format.js';
import type { Logger } from '../util/log.js';
import type { BundleEntry } from './bundle.js';
import { readElf } from './elf.js';
import type { ClosureResult, LoadedObject } from './loaded.js';
import { run, type ExecResult } from '../util/exec.js';
import { findOnPath } from '../util/fs.js';
import { withSudoEnv } from './sudo-env.js';

/**
 * The loader check: run the bundled loader's `--list` on the bootstrap inside an isolated root
 * (unshare --root) that holds the bundle at the task root and, in /lib64 and /usr/lib64, a decoy
 * under every soname the bundle ships (Amazon Linux keeps its own, older copies there), with
 * Lambda's LD_LIBRARY_PATH. The libraries the program loads with dlopen() are listed too
 * (`--preload`). What it prints is what Lambda's loader would do: a library that loses to
 * LD_LIBRARY_PATH is listed from /lib64 and fails the check. glibc's and musl's loaders both take
 * `--list` and `--preload`.
 */

export interface LoaderCheck {
  /** False when the machine cannot run the check; reason says why. */
  ran: boolean;
  reason?: string;
  /** Sonames the loader could not find, and other loader errors. */
  problems: string[];
  /** Libraries the loader took from outside the task root. */
  outside: string[];
  /** Resolved libraries as the loader listed them. */
  listed: string[];
  output: string;
}

/** Parses `ld.so --list` output. */
export function parseLoaderList(
  stdout: string,
  stderr: string,
  taskRoot: string,
  /** Another folder the bundle's objects are loaded from: a library layer's /opt/lib. */
  libDir?: string,
): Pick<LoaderCheck, 'problems' | 'outside' | 'listed'> {
  const inside = (p: string): boolean =>
    p.startsWith(`${taskRoot}/`) || (libDir !== undefined && p.startsWith(`${libDir}/`));
  const problems: string[] = [];
  const outside: string[] = [];
  const listed: string[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const nf = /^(\S+) => not found/.exec(line);
    if (nf) {
      problems.push(`${nf[1]!} not found`);
      continue;
    }
    const m = /^(?:(\S+) => )?(\/\S+) \(0x[0-9a-f]+\)$/.exec(line);
    if (m) {
      listed.push(m[2]!);
      if (!inside(m[2]!)) outside.push(m[2]!);
    }
  }
  for (const raw of stderr.split('\n')) {
    const line = raw.trim();
    if (
      line &&
      /not found|error while loading|cannot open|undefined symbol|cannot be preloaded|Error loading|Error relocating/.test(
        line,
      )
    )
      problems.push(line);
  }
  return { problems, outside, listed };
}

/** A statically linked qemu-user for arm64, which can run inside an empty root. */
function findQemu(): string | undefined {
  const p = findOnPath(['qemu-aarch64-static', 'qemu-aarch64']);
  if (!p) return undefined;
  try {
    return readElf(fs.readFileSync(fs.realpathSync(p)), p).isStatic ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs the check in root (which holds the bundle at root+taskRoot).
 * Returns ran: false when unshare cannot set up the root here (no privileges, no user namespaces, no unshare).
 */
export interface LoaderCheckOptions {
  /** Bundled libraries the program loads with dlopen (paths under the task root), listed with --preload. */
  preload?: readonly string[];
  /** Sonames to put decoys under in /lib64 and /usr/lib64 (the bundle's library names). */
  decoys?: readonly string[];
  /** The executable to list, relative to the task root (default bootstrap). */
  program?: string;
  /** Where the loader and the libraries are, when not in the task root's lib/: a library layer's /opt/lib. */
  libDir?: string;
}

export async function loaderCheck(
  root: string,
  taskRoot: string,
  loaderName: string,
  bundleArch: LambdaArch,
  hostArch: LambdaArch | 'other',
  opts: LoaderCheckOptions = {},
): Promise<LoaderCheck> {
  const notRun = (reason: string): LoaderCheck => ({
    ran: false,
    reason,
    problems: [],
    outside: [],
    listed: [],
    output: '',
  });
  const prepared = await prepareRoot(root, {
    arch: bundleArch,
    hostArch,
    decoys: [...(opts.decoys ?? []), loaderName],
  });
  if ('reason' in prepared) return notRun(prepared.reason);
  const prefix = prepared.prefix;
  const preload = opts.preload ?? [];
  const inner = [
    '--mount',
    '--pid',
    '--fork',
    '--mount-proc=/proc',
    `--root=${root}`,
    `--wd=${taskRoot}`,
    ...prefix,
    `${opts.libDir ?? `${taskRoot}/lib`}/${loaderName}`,
    '--list',
    ...(preload.length > 0 ? ['--preload', preload.join(':')] : []),
    `${taskRoot}/${opts.program ?? 'bootstrap'}`,
  ];
  const env = {
    LD_LIBRARY_PATH: LAMBDA_LD_LIBRARY_PATH,
    PATH: LAMBDA_PATH,
    LAMBDA_TASK_ROOT: taskRoot,
  };
  const failures: string[] = [];
  for (const [how, howArgs] of unshareAttempts(inner)) {
    const { cmd, args, cleanup } = await withSudoEnv(how, howArgs, env, path.dirname(root));
    let r: ExecResult;
    try {
      r = await run(cmd, args, { allowFailure: true, cleanEnv: true, env });
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
      continue;
    } finally {
      await cleanup();
    }
    const setupFailed = setupLines(r.stderr).length > 0 && !r.stdout.trim();
    if (setupFailed) {
      failures.push(r.stderr.trim().split('\n')[0] ?? `${cmd} failed`);
      continue;
    }
    return {
      ran: true,
      ...parseLoaderList(r.stdout, r.stderr, taskRoot, opts.libDir),
      output: `${r.stdout}${r.stderr}`,
    };
  }
  return notRun(`cannot create an isolated root here (${failures.join('; ')})`);
}

/**
 * The isolated root's fixed parts: /proc, /tmp (1777), /dev, /etc, a decoy under each name in
 * /lib64 and /usr/lib64 (for the bundle's machine), and for arm64 on another machine a static
 * qemu-aarch64 at /qemu-aarch64, which `prefix` runs the program through. Can be called again.
 * Returns the reason instead when this machine cannot run the bundle's code.
 */
export async function prepareRoot(
  root: string,
  o: { arch: LambdaArch; hostArch: LambdaArch | 'other'; decoys: readonly string[] },
): Promise<{ prefix: string[] } | { reason: string }> {
  if (!findOnPath(['unshare'])) return { reason: 'unshare (util-linux) is not installed' };
  let prefix: string[] = [];
  if (o.arch !== o.hostArch) {
    if (o.arch !== 'arm64') return { reason: `cannot run ${o.arch} code on this ${o.hostArch} machine` };
    const qemu = findQemu();
    if (!qemu)
      return {
        reason: `cannot run arm64 code on this ${o.hostArch} machine without a static qemu-aarch64 (apt-get install qemu-user-static)`,
      };
    await fsp.copyFile(qemu, path.join(root, 'qemu-aarch64'));
    await fsp.chmod(path.join(root, 'qemu-aarch64'), 0o755);
    prefix = ['/qemu-aarch64'];
  }
  await fsp.chmod(root, 0o755);
  for (const d of ['proc', 'tmp', 'dev', 'etc']) await fsp.mkdir(path.join(root, d), { recursive: true });
  await fsp.chmod(path.join(root, 'tmp'), 0o1777);
  const machine = ELF_MACHINE[o.arch];
  for (const d of ['lib64', 'usr/lib64']) {
    await fsp.mkdir(path.join(root, d), { recursive: true });
    for (const name of new Set(o.decoys))
      await fsp.writeFile(path.join(root, d, name), decoyLibrary(name, machine), { mode: 0o755 });
  }
  return { prefix };
}

/**
 * The lines of stderr in which unshare or sudo speak (a root they could not set up), leaving out
 * sudo's warnings that come before a command that ran: "unable to resolve host" (a container whose
 * /etc/hosts lacks its hostname) would otherwise turn a failing bundle into a check not run.
 */
export function setupLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^(unshare|sudo): /.test(l) && !/^sudo: unable to resolve host/.test(l));
}

/**
 * How to run `unshare ARGS` here: as root directly; otherwise in a user namespace (uid 0 inside
 * it), else through passwordless sudo. `asSandboxUser` (root only) adds Lambda's sandbox user and
 * group (--setuid/--setgid, util-linux 2.38 on), with a plain attempt after it for older ones.
 */
export function unshareAttempts(
  inner: readonly string[],
  o: { asSandboxUser?: readonly string[] } = {},
): [string, string[]][] {
  const user = o.asSandboxUser ?? [];
  const root = (extra: readonly string[]): string[] => [...extra, ...inner];
  if (process.getuid?.() === 0)
    return user.length > 0
      ? [
          ['unshare', root(user)],
          ['unshare', root([])],
        ]
      : [['unshare', root([])]];
  return [
    ['unshare', ['--user', '--map-root-user', ...inner]],
    ...(user.length > 0 ? [['sudo', ['-n', 'unshare', ...root(user)]] as [string, string[]]] : []),
    ['sudo', ['-n', 'unshare', ...inner]],
  ];
}

/** A predicate: does the object load with every dependency it names (transitively) in the bundle? */
function completeObjects(closure: ClosureResult): (o: LoadedObject) => boolean {
  const missing = new Set(closure.missing.map((m) => `${m.neededBy}\0${m.soname}`));
  const memo = new Map<LoadedObject, boolean>();
  const ok = (o: LoadedObject): boolean => {
    const known = memo.get(o);
    if (known !== undefined) return known;
    memo.set(o, true); // cycles: assume complete while walking
    let good = true;
    for (const n of o.elf.needed) {
      if (missing.has(`${o.name}\0${n}`)) good = false;
      const dep = closure.byName.get(n);
      if (dep && dep !== o && !ok(dep)) good = false;
    }
    memo.set(o, good);
    return good;
  };
  return ok;
}

/** The names the isolated root gets a decoy under: every bundled library's (the loader's is added where it is known). */
export function bundleDecoys(entries: readonly { kind: string; name: string }[]): string[] {
  return entries.filter((e) => e.kind === 'library').map((e) => path.posix.basename(e.name));
}

/** The loader check (verify.ts) with decoys under every bundled soname and the dlopen libraries preloaded. */
export async function checkLoader(
  closure: ClosureResult,
  entries: readonly BundleEntry[],
  at: { root: string; arch: LambdaArch },
  opts: {
    /** Input verify: false skips the check, true makes a check that cannot run an error. */
    verify: 'auto' | 'true' | 'false';
    taskRoot: string;
    /** The machine this runs on. */
    hostArch: LambdaArch | 'other';
    /** The libraries' folder at run time when they are in a layer (/opt/lib; the root holds the layer at /opt). */
    libDir?: string;
  },
  log: Logger,
): Promise<'loader' | 'static'> {
  const { root, arch } = at;
  if (opts.verify === 'false' || closure.program.elf.isStatic || !closure.interpreter) return 'static';
  // Libraries loaded with dlopen whose dependencies are all there, and included shared objects.
  const complete = completeObjects(closure);
  const preload = [
    ...closure.libraries
      .filter((l) => l.optional && complete(l))
      .map((l) => `${opts.libDir ?? `${opts.taskRoot}/lib`}/${l.name}`),
    ...closure.included.filter((o) => !o.elf.interp && complete(o)).map((o) => `${opts.taskRoot}/${o.name}`),
  ];
  const decoys = bundleDecoys(entries);
  const programs = [
    'bootstrap',
    ...closure.included.filter((o) => o.elf.interp !== undefined && complete(o)).map((o) => o.name),
  ];
  const checks = [];
  for (const program of programs)
    checks.push(
      await loaderCheck(root, opts.taskRoot, closure.interpreter.name, arch, opts.hostArch, {
        preload: program === 'bootstrap' ? preload : [],
        decoys,
        program,
        ...(opts.libDir !== undefined ? { libDir: opts.libDir } : {}),
      }),
    );
  const check = {
    ...checks[0]!,
    problems: checks.flatMap((c) => c.problems),
    outside: checks.flatMap((c) => c.outside),
    listed: checks.flatMap((c) => c.listed),
    output: checks.map((c) => c.output).join('\n'),
  };
  if (!check.ran) {
    if (opts.verify === 'true')
      throw new ActionError(
        'Could not verify the bundle',
        `verify: true, but ${check.reason ?? 'the check could not run'}. Set verify: auto to skip it where the machine cannot run it.`,
      );
    log.notice(
      `Loader check skipped: ${check.reason ?? 'not possible here'}. The headers were checked.`,
      'Bundle verification',
    );
    return 'static';
  }
  log.debug(check.output);
  if (check.problems.length > 0 || check.outside.length > 0)
    throw new ActionError(
      'Bundle does not load',
      `the bundled loader, run in an isolated root with Lambda's LD_LIBRARY_PATH and Amazon Linux's library names in /lib64, reports:\n${[...check.problems, ...check.outside.map((o) => `loaded from outside the bundle: ${o}`)].join('\n')}`,
    );
  const dlopened = closure.libraries.filter((l) => l.optional && complete(l)).length;
  const extra = [
    ...(dlopened > 0 ? [plural(dlopened, 'dlopen library', 'dlopen libraries')] : []),
    ...(preload.length > dlopened ? [plural(preload.length - dlopened, 'included shared object')] : []),
    ...(programs.length > 1 ? [plural(programs.length - 1, 'included program')] : []),
  ];
  log.info(
    `Loader check passed: ${check.listed.length} objects${extra.length > 0 ? ` (with ${extra.join(', ')})` : ''}, all from ${opts.taskRoot}${opts.libDir !== undefined ? ` and the layer's ${opts.libDir}` : ''}, none from the decoys in /lib64.`,
  );
  return 'loader';
}
