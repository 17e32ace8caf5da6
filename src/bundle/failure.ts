import { ActionError, errorMessage } from '../util/errors.js';
import { errnoCode } from '../util/fs.js';
import { ElfError } from './elf.js';

/** A reader's or the file system's error, said as what it means for the user. */
export function explainPackageFailure(err: unknown, where: { workDir: string; zipPath: string }): unknown {
  // The reader's message names the file and what is wrong with it; say what it means for the user.
  if (err instanceof ElfError)
    return new ActionError(
      'Malformed ELF file',
      `${err.message}\nThe build output holds an ELF file that cannot be read (damaged, truncated, or not a Linux program or library): check the program (input \`program\`) and rebuild.`,
      { cause: err },
    );
  // A file system error (disk full, read-only, permissions) while writing the bundle or the zip.
  const code = errnoCode(err);
  if (code && !(err instanceof ActionError)) {
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    return new ActionError(
      full ? 'No space left on the disk' : 'Could not write the package',
      `${errorMessage(err)}\nThe package stage writes the bundle folder under RUNNER_TEMP (${where.workDir}) and the zip at ${where.zipPath} (input \`zip-path\`)` +
        (full
          ? ': free some space there, or point zip-path at a larger disk. No zip was written.'
          : '. No zip was written.'),
      { cause: err },
    );
  }
  return err;
}
