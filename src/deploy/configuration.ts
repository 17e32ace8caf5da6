import type {
  CreateFunctionRequest,
  FunctionConfiguration,
  UpdateFunctionConfigurationRequest,
} from '@aws-sdk/client-lambda';
import { EPHEMERAL_STORAGE_MB } from '../lambda.js';
import { ActionError } from '../util/errors.js';
import type { ConfigInputs } from '../inputs/deploy.js';
import type { ConfigChange } from './types.js';

/**
 * Configuration that travels with the code: only what the workflow sets, and
 * only when it differs from the function's. Settings the workflow leaves out
 * are never touched, and the function's environment is never wiped unless
 * environment-mode is replace and `environment` is given.
 */

export type ConfigUpdate = Omit<UpdateFunctionConfigurationRequest, 'FunctionName' | 'RevisionId'>;

export interface ConfigPlan {
  /** The fields to send to UpdateFunctionConfiguration (empty: no call). */
  update: ConfigUpdate;
  changes: ConfigChange[];
}

const SET = '(set)';
const NEW_VALUE = '(new value)';

/** The variables the function should end up with, or undefined to leave them as they are. */
export function desiredEnvironment(
  current: Readonly<Record<string, string>>,
  inputs: Pick<ConfigInputs, 'environment' | 'environmentMode'>,
  runtimeEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const user = inputs.environment;
  // What the bundle needs, unless the workflow sets the same names itself.
  const needed = Object.fromEntries(Object.entries(runtimeEnv).filter(([k]) => !(user && k in user)));
  if (!user) return { ...current, ...needed };
  if (inputs.environmentMode === 'replace') return { ...needed, ...user };
  return { ...current, ...needed, ...user };
}

/** Per-variable changes, by name only: values never leave this function. */
export function environmentChanges(
  fn: string,
  from: Readonly<Record<string, string>>,
  to: Readonly<Record<string, string>>,
): ConfigChange[] {
  const names = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
  const changes: ConfigChange[] = [];
  for (const name of names) {
    const a = from[name];
    const b = to[name];
    if (a === b) continue;
    changes.push({
      function: fn,
      setting: `Environment.${name}`,
      from: a === undefined ? null : SET,
      to: b === undefined ? null : a === undefined ? SET : NEW_VALUE,
    });
  }
  return changes;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Compares the inputs with the function's configuration (from GetFunction) and plans the update. */
export function planConfiguration(
  fn: string,
  current: FunctionConfiguration,
  inputs: ConfigInputs,
  runtimeEnv: Readonly<Record<string, string>>,
): ConfigPlan {
  const update: ConfigUpdate = {};
  const changes: ConfigChange[] = [];
  const note = (setting: string, from: ConfigChange['from'], to: ConfigChange['to']): void => {
    changes.push({ function: fn, setting, from, to });
  };

  if (inputs.memorySize !== undefined && inputs.memorySize !== current.MemorySize) {
    update.MemorySize = inputs.memorySize;
    note('MemorySize', current.MemorySize ?? null, inputs.memorySize);
  }
  if (inputs.timeout !== undefined && inputs.timeout !== current.Timeout) {
    update.Timeout = inputs.timeout;
    note('Timeout', current.Timeout ?? null, inputs.timeout);
  }
  if (inputs.description !== undefined && inputs.description !== (current.Description ?? '')) {
    update.Description = inputs.description;
    note('Description', current.Description ?? '', inputs.description);
  }
  if (inputs.layers !== undefined) {
    const now = (current.Layers ?? []).map((l) => l.Arn ?? '');
    if (!sameList(now, inputs.layers)) {
      update.Layers = [...inputs.layers];
      note('Layers', now, [...inputs.layers]);
    }
  }
  if (inputs.ephemeralStorage !== undefined) {
    const now = current.EphemeralStorage?.Size ?? EPHEMERAL_STORAGE_MB.default;
    if (now !== inputs.ephemeralStorage) {
      update.EphemeralStorage = { Size: inputs.ephemeralStorage };
      note('EphemeralStorage', now, inputs.ephemeralStorage);
    }
  }

  const currentEnv = current.Environment?.Variables ?? {};
  const wanted = desiredEnvironment(currentEnv, inputs, runtimeEnv);
  const envChanges = environmentChanges(fn, currentEnv, wanted);
  if (envChanges.length > 0) {
    const readError = current.Environment?.Error;
    if (readError)
      throw new ActionError(
        'Environment unreadable',
        `${fn}: Lambda could not decrypt the function's environment (${readError.ErrorCode ?? 'error'}: ${readError.Message ?? ''}), ` +
          'so it cannot be changed without losing variables. Fix the KMS key access first.',
      );
    update.Environment = { Variables: wanted };
    changes.push(...envChanges);
  }
  return { update, changes };
}

export type CreateSettings = Pick<
  CreateFunctionRequest,
  'MemorySize' | 'Timeout' | 'Environment' | 'Description' | 'Layers' | 'EphemeralStorage'
>;

/** Settings of a function being created: what the workflow sets (Lambda's defaults for the rest) plus what the bundle needs. */
export function creationSettings(
  fn: string,
  inputs: ConfigInputs,
  runtimeEnv: Readonly<Record<string, string>>,
): { settings: CreateSettings; changes: ConfigChange[] } {
  const settings: CreateSettings = {};
  const changes: ConfigChange[] = [];
  if (inputs.memorySize !== undefined) {
    settings.MemorySize = inputs.memorySize;
    changes.push({ function: fn, setting: 'MemorySize', from: null, to: inputs.memorySize });
  }
  if (inputs.timeout !== undefined) {
    settings.Timeout = inputs.timeout;
    changes.push({ function: fn, setting: 'Timeout', from: null, to: inputs.timeout });
  }
  if (inputs.description !== undefined) {
    settings.Description = inputs.description;
    changes.push({ function: fn, setting: 'Description', from: null, to: inputs.description });
  }
  if (inputs.layers !== undefined && inputs.layers.length > 0) {
    settings.Layers = [...inputs.layers];
    changes.push({ function: fn, setting: 'Layers', from: null, to: [...inputs.layers] });
  }
  if (inputs.ephemeralStorage !== undefined) {
    settings.EphemeralStorage = { Size: inputs.ephemeralStorage };
    changes.push({ function: fn, setting: 'EphemeralStorage', from: null, to: inputs.ephemeralStorage });
  }
  const env = desiredEnvironment({}, inputs, runtimeEnv);
  if (Object.keys(env).length > 0) {
    settings.Environment = { Variables: env };
    changes.push(...environmentChanges(fn, {}, env));
  }
  return { settings, changes };
}

/** One log line per change; environment values are never printed. */
export function describeChange(c: ConfigChange): string {
  const show = (v: ConfigChange['from']): string =>
    v === null
      ? '(unset)'
      : Array.isArray(v)
        ? `[${v.join(', ')}]`
        : typeof v === 'string'
          ? JSON.stringify(v)
          : String(v);
  if (c.setting.startsWith('Environment.')) {
    const name = c.setting.slice('Environment.'.length);
    return c.from === null
      ? `environment: add ${name}`
      : c.to === null
        ? `environment: remove ${name}`
        : `environment: change ${name}`;
  }
  return `${c.setting}: ${show(c.from)} -> ${show(c.to)}`;
}
