import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LambdaArch } from '../lambda.js';
import { ActionError, errorMessage } from '../util/errors.js';
import { plural } from '../util/format.js';
import type { Logger } from '../util/log.js';
import type { ClosureResolver } from './closure.js';
import { ElfError } from './elf.js';
import { nameMatcher, type ClosureResult } from './loaded.js';

/**
 * The resolved closure judged: libraries the program needs and the closure lacks (with where
 * they are, when the closure holds them elsewhere), needed libraries the inputs would leave out,
 * dlopen libraries that cannot come along.
 */

/** Adds the libraries input extra-libraries names (and their dependencies) to the bundle. */
export async function addExtraLibraries(resolver: ClosureResolver, specs: readonly string[]): Promise<void> {
  for (const spec of specs) {
    try {
      await resolver.addExtra(spec);
    } catch (e) {
      if (e instanceof ElfError) throw e;
      throw new ActionError('Extra library not found', `Input \`extra-libraries\`: ${errorMessage(e)}.`);
    }
  }
}

/** Fails on libraries the program needs and the closure lacks; warns about the dlopen ones. */
export function checkResolution(
  closure: ClosureResult,
  o: {
    /** The program inside the output (for messages), its architecture, and the build's closure. */
    programRel: string;
    arch: LambdaArch;
    closure: readonly string[];
    /** Input exclude-libraries. */
    excludeLibraries: readonly string[];
  },
  log: Logger,
): void {
  if (closure.conflicts.length > 0) throw new ActionError('Bundle conflict', closure.conflicts.join('\n'));
  const exclude = nameMatcher(o.excludeLibraries);
  const forbidden = [closure.program, ...closure.libraries, ...closure.included]
    .filter(
      (o) =>
        !o.optional &&
        o.via !== 'program' &&
        o.via !== 'include' &&
        (exclude(o.name) || (o.elf.soname !== undefined && exclude(o.elf.soname))),
    )
    .map((o) => `${o.name} (${o.reason})`);
  if (forbidden.length > 0)
    throw new ActionError(
      'Cannot exclude a needed library',
      `Input \`exclude-libraries\` names libraries the program needs to start: ${forbidden.join(', ')}. Only libraries loaded with dlopen can be left out.`,
    );
  const describeMissing = (m: ClosureResult['missing'][number]): string =>
    m.malformed
      ? `${m.soname} (needed by ${m.neededBy}): not a valid ELF file: ${m.malformed.join('; ')}`
      : m.wrongArch.length > 0
        ? `${m.soname} (needed by ${m.neededBy}): only found for another architecture: ${m.wrongArch.join(', ')}`
        : `${m.soname} (needed by ${m.neededBy}): searched ${m.searched.length > 0 ? m.searched.join(', ') : 'nowhere'}`;
  const optional = closure.missing.filter((m) => m.optional);
  if (optional.length > 0)
    log.warning(
      `libraries loaded with dlopen need libraries the closure does not have; they are bundled, and would fail to load under Nix too:\n${optional.map(describeMissing).join('\n')}`,
      'dlopen libraries with missing dependencies',
    );
  const missing = closure.missing.filter((m) => !m.optional);
  if (missing.length > 0) {
    const lines = missing.map(describeMissing);
    const n = plural(missing.length, 'library', 'libraries');
    if (missing.some((m) => m.malformed))
      throw new ActionError(
        'Malformed libraries',
        `${n} of ${o.programRel} (${o.arch}) could not be used:\n${lines.join('\n')}\n` +
          'A library file in the closure is damaged or is not an ELF shared object: rebuild the package that provides it.',
      );
    const wrong = missing.some((m) => m.wrongArch.length > 0);
    const elsewhere = missing.flatMap((m) =>
      findInClosure(m.soname, o.closure).map((f) => `${m.soname}: ${f}`),
    );
    throw new ActionError(
      wrong ? 'Wrong-architecture libraries' : 'Missing libraries',
      `${n} of ${o.programRel} (${o.arch}) not found in the search path of the object that needs it, nor in a lib folder of the build's closure:\n${lines.join('\n')}\n` +
        (wrong
          ? "The closure holds libraries built for another machine: build the flake output for the function's architecture."
          : elsewhere.length > 0
            ? `The closure does hold files of that name, in folders no search path reaches:\n${elsewhere.join('\n')}\nAdd their folder to the RUNPATH of the object that needs them (nixpkgs: patchelf --add-rpath in postFixup), or name them in the input extra-libraries.`
            : "No store path of the closure holds them: add the package that provides them to the program's runtime dependencies (buildInputs), so Nix records the reference."),
    );
  }
  for (const s of closure.dlopenSkipped)
    if (s.reason !== 'input exclude-libraries')
      log.warning(
        `${s.name} (${s.path}) is on a dlopen search path but not bundled: ${s.reason}.`,
        'dlopen library not bundled',
      );
    else log.info(`Not bundled (input exclude-libraries): ${s.name} (${s.path})`);
}

/** Files named soname anywhere below the closure's store paths (a few levels deep). */
function findInClosure(soname: string, closure: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number): void => {
    let names: fs.Dirent[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const d of names) {
      const p = path.join(dir, d.name);
      if (d.name === soname && (d.isFile() || d.isSymbolicLink())) out.push(p);
      else if (d.isDirectory() && depth < 4) visit(p, depth + 1);
    }
  };
  for (const sp of closure) visit(sp, 0);
  return out.slice(0, 10);
}
