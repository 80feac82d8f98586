// Errors a user sees: what is wrong, where, and what to do. The CLI prints these without a stack trace.
//
// The rule (cli/bin.ts): an error that reaches the top is a bug, with a crash log, unless it is a UserError (or
// a subclass: StoreError, ApiError) or a CouldNotGrade. So whatever a person can cause (a flag, a file, an
// environment variable, the cluster's answer) is checked or caught where it is known and thrown as one of
// those; test/unit/bad-input.test.ts holds the inputs that once reached the bug notice.

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

/** `--help` on any command: its usage, printed on stdout, exit 0 (cli/bin.ts). Not an error, but it ends the command. */
export class HelpRequested extends UserError {
  override name = 'HelpRequested';
  constructor(usage: string) {
    super(usage, { exitCode: 0 });
  }
}
