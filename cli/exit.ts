// ckad-lab's exit codes, the one table. cli/bin.ts alone turns errors into them (and into messages and hints);
// commands return them for answers that are not errors. Kept apart from bin.ts, which runs the command when
// it is imported.
export const EXIT = {
  /** Done; for grade and tasks verify: every check could be graded. */
  ok: 0,
  /**
   * Something went wrong and the message says what and what to do: a file cannot be read or written, a saved
   * file is corrupt, the sandbox cannot start, the cluster refused a change; also a "no" answer (tasks lint
   * found problems, tasks verify found a task that does not verify, sandbox status: not running).
   */
  error: 1,
  /** Bad input or refused: an unknown command, flag, task or value; an exam already in progress. */
  refused: 2,
  /**
   * The cluster did not answer (unreachable, timed out, 5xx, not JSON, 401/403): checks could not be graded,
   * and the report (text, JSON, JUnit) says which. Also: the context is not one ckad-lab may change.
   */
  couldNotGrade: 3,
  /** A bug in ckad-lab: one line on stderr, the details in a crash log under the state directory. */
  bug: 70,
  /** Stopped by a signal: 128 + its number (130 Ctrl-C, 129 terminal closed, 143 SIGTERM). */
  signalBase: 128,
} as const;
