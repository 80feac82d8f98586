// What the exam console needs from the lab. The real implementation lives with the CLI dispatcher (over the
// sandbox, tasks/render.ts and graders/engine.ts); tests pass fakes. Nothing here imports Ink or a cluster.
import { z } from 'zod';
import { Domain, type Task } from '../../tasks/schema.ts';
import type { GradeReport, TaskResult } from '../../graders/result.ts';

/** One step of a long operation, for a progress display: `label` says what is being done right now. */
export const Progress = z.object({
  label: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type Progress = z.infer<typeof Progress>;
export type OnProgress = (progress: Progress) => void;

/**
 * A task chosen for a session, before it is set up. `seed` (the session's) draws the parameter values
 * (tasks/render.ts); `prefix` names the session's namespaces: prefix `x3f2a` makes `web` into `x3f2a-web`
 * (cli/lab/runner.ts renderPrefix adds the dash), so two sessions never share a namespace.
 */
export const TaskEntry = z.object({
  id: z.string().min(1),
  seed: z.number().int().nonnegative(),
  prefix: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a lowercase DNS label, without the joining "-"'),
});
export type TaskEntry = z.infer<typeof TaskEntry>;

/**
 * A task as set up in the sandbox: everything the console shows, rendered with the entry's values. It is
 * saved in the exam session, so `ckad-lab resume` needs neither the catalog nor a second setup.
 */
export const PreparedTask = TaskEntry.extend({
  title: z.string(),
  domain: Domain,
  /** Suggested minutes. */
  minutes: z.number().positive(),
  /** Sum of the task's check points. */
  points: z.number().nonnegative(),
  /** The task's main namespace (its `ns`), prefixed. */
  namespace: z.string(),
  /** Every namespace the task names, by template variable, prefixed. */
  namespaces: z.record(z.string(), z.string()),
  /** The values the parameters were bound to. */
  values: z.record(z.string(), z.string()),
  /** Rendered instructions (Markdown-ish plain text). */
  instructions: z.string(),
  hints: z.array(z.string()),
  /** Rendered reference solution (a shell script). */
  solution: z.string(),
  links: z.array(z.string()),
});
export type PreparedTask = z.infer<typeof PreparedTask>;

export type SandboxStatus = {
  running: boolean;
  /** One line for humans, e.g. `kwok cluster ckad-lab, Kubernetes v1.33.1, up 2h` or why it is not running. */
  detail: string;
};

export type GradeOptions = { changedAfter?: number; regrade?: boolean };

export interface LabServices {
  /** The task catalog, unrendered. Rejects with a readable message (file:line:col) when the catalog is invalid. */
  tasks(): Promise<readonly Task[]>;
  /** The shell line that points kubectl at the sandbox: `export KUBECONFIG=/.../kubeconfig`. */
  kubeconfigEnv(): string;
  sandboxStatus(): Promise<SandboxStatus>;
  /** Build (once) and start the sandbox if it is not running. Resolves when kubectl can reach it. */
  ensureSandbox(onProgress: OnProgress): Promise<void>;
  /**
   * Set every task up in its own (prefixed) namespaces, in order, reporting one progress step per task.
   * Idempotent: a namespace left from an interrupted setup is recreated, so `resume` can simply call it again.
   */
  setupTasks(entries: readonly TaskEntry[], onProgress: OnProgress): Promise<PreparedTask[]>;
  /**
   * Grade the tasks against the sandbox. Checks that could not be graded carry `error`, never a silent zero.
   * With `changedAfter` (epoch ms), each task also lists its objects changed after then (`changedAfterEnd`).
   * With `regrade` (an ended exam graded again), a task whose namespace no longer exists is not graded as
   * "everything missing": each of its checks says it could not be graded.
   */
  grade(tasks: readonly PreparedTask[], options?: GradeOptions): Promise<GradeReport>;
  /** Delete the task's namespaces and set it up again with the same values. */
  resetTask(task: PreparedTask): Promise<PreparedTask>;
}

/** The result of one task in a report; undefined when the report does not cover it. */
export const taskResult = (report: GradeReport, id: string): TaskResult | undefined => report.tasks.find((t) => t.id === id);
