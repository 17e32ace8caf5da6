/**
 * Errors the action raises on purpose. Each carries a title (used for the
 * annotation) and a message written for the person reading the workflow log.
 */
export class ActionError extends Error {
  readonly title: string;
  /** A `.nix` file and line to attach the annotation to, when Nix reported one. */
  readonly file?: string;
  readonly line?: number;
  constructor(title: string, message: string, opts: { file?: string; line?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ActionError';
    this.title = title;
    if (opts.file !== undefined) this.file = opts.file;
    if (opts.line !== undefined) this.line = opts.line;
  }
}

/** One or more inputs are invalid. Raised before any stage runs. */
export class InputError extends ActionError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(
      problems.length === 1 ? 'Invalid input' : `${problems.length} invalid inputs`,
      problems.length === 1 ? problems[0]! : problems.map((p) => `- ${p}`).join('\n'),
    );
    this.name = 'InputError';
    this.problems = problems;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
