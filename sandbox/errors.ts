// Errors a user sees: what is wrong, where, and what to do. The CLI prints these without a stack trace.

export class UserError extends Error {
  override name = 'UserError';
  /** What to do about it; printed on its own line under the message. */
  readonly hint: string | undefined;
  /** The process exit code the CLI should use. */
  readonly exitCode: number;

  constructor(message: string, options: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? 1;
  }
}
