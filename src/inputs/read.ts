import { LAMBDA_TASK_ROOT } from '../lambda.js';

/**
 * Reading the action's inputs: their defaults (action.yml's), and InputSource, which reads each
 * input once, names the input in every problem and collects the problems, so that all of them
 * are reported at once (parse.ts).
 */

export const STAGES = ['install', 'cachix', 'build', 'package', 'deploy'] as const;
export type Stage = (typeof STAGES)[number];

/** Inputs holding secrets: masked before anything else happens. */
export const SECRET_INPUTS = [
  'github-token',
  'cachix-auth-token',
  'cachix-signing-key',
  'push-signing-key',
  'builder-ssh-key',
] as const;

/** Defaults used when an input is absent (the local command, tests). They equal action.yml's. */
export const DEFAULTS: Readonly<Record<string, string>> = {
  stages: STAGES.join(','),
  'nix-installer': 'official',
  'installer-url': '',
  'installer-sha256': '',
  'nix-version': '',
  'github-token': '',
  'extra-nix-config': '',
  'cachix-cache': '',
  'cachix-auth-token': '',
  'cachix-signing-key': '',
  'extra-pull-caches': '',
  'cachix-push': '',
  'push-filter': '',
  'cachix-api-url': 'https://cachix.org/api/v1',
  'push-to': '',
  'push-signing-key': '',
  cache: 'true',
  flake: '.',
  program: '',
  builders: '',
  'builder-ssh-key': '',
  'builder-known-hosts': '',
  'task-root': LAMBDA_TASK_ROOT,
  include: '',
  'bundle-certificates': 'false',
  'bundle-data': 'auto',
  'extra-libraries': '',
  'exclude-libraries': '',
  'zip-path': '',
  verify: 'auto',
  'local-smoke-test': 'auto',
  'smoke-test-payload': '',
  'smoke-test-expect': '',
  'smoke-test-timeout-seconds': '30',
  'library-layer': '',
  'function-name': '',
  'aws-region': '',
  publish: 'false',
  alias: '',
  'skip-unchanged': 'true',
  'dry-run': 'false',
  wait: 'true',
  'wait-timeout-seconds': '300',
  's3-bucket': '',
  's3-key': '',
  'role-to-assume': '',
  'allowed-account-ids': '',
  'architecture-change': 'refuse',
  'keep-versions': '',
  create: 'false',
  runtime: 'provided.al2023',
  role: '',
  'memory-size': '',
  timeout: '',
  environment: '',
  'environment-mode': 'merge',
  description: '',
  layers: '',
  'ephemeral-storage': '',
};

export type InputReader = (name: string) => string;

/** Splits a list input on newlines and commas; trims; drops empties and # comments. */
export function splitList(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
}

/** The inputs as the sections read them: trimmed, defaults filled in, every problem kept. */
export class InputSource {
  readonly problems: string[] = [];

  constructor(private readonly reader: InputReader) {}

  /** The value as given, untrimmed; '' when absent (no default). */
  raw(name: string): string {
    return this.reader(name);
  }

  /** The value, trimmed, or its default when absent. */
  get(name: string): string {
    const raw = this.reader(name);
    return (raw === '' ? (DEFAULTS[name] ?? '') : raw).trim();
  }

  /** Records a problem with an input: what is wrong and how to fix it. */
  bad(name: string, msg: string): void {
    this.problems.push(`Input \`${name}\`: ${msg}`);
  }

  bool(name: string): boolean {
    const v = this.get(name);
    if (/^(true|yes|on|1)$/i.test(v)) return true;
    if (/^(false|no|off|0)$/i.test(v)) return false;
    this.bad(name, `expected true or false, got "${v}".`);
    return false;
  }

  /** A whole number in range, or undefined when absent (or wrong: the problem is recorded). */
  int(name: string, range: { readonly min: number; readonly max: number }): number | undefined {
    const v = this.get(name);
    if (v === '') return undefined;
    if (!/^\d+$/.test(v) || Number(v) < range.min || Number(v) > range.max) {
      this.bad(name, `expected a whole number from ${range.min} to ${range.max}, got "${v}".`);
      return undefined;
    }
    return Number(v);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T {
    const v = this.get(name);
    if ((allowed as readonly string[]).includes(v)) return v as T;
    this.bad(name, `expected one of ${allowed.join(', ')}, got "${v}".`);
    return allowed[0]!;
  }
}
