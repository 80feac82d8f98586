// Grade results. The JSON of `ckad-lab grade --json` is an integration contract: keep this shape.
import { z } from 'zod';
import { LateChange } from './late.ts';

export const CheckResult = z.object({
  name: z.string(),
  points: z.number(),
  maxPoints: z.number(),
  passed: z.boolean(),
  /** Where the first failure is, e.g. `spec.containers[web].image`. */
  path: z.string().optional(),
  expected: z.string().optional(),
  actual: z.string().optional(),
  /** One line saying what was wrong and what to look at. */
  message: z.string().optional(),
  /** Set when the check could not be graded (API or connection trouble): never a silent zero. */
  error: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const TaskResult = z.object({
  id: z.string(),
  score: z.number(),
  maxScore: z.number(),
  checks: z.array(CheckResult),
  /** Objects of the task changed after the exam ended (graded later, see graders/late.ts): shown, not scored. */
  changedAfterEnd: z.array(LateChange).optional(),
});
export type TaskResult = z.infer<typeof TaskResult>;

export const GradeReport = z.object({
  score: z.number(),
  maxScore: z.number(),
  percent: z.number(),
  tasks: z.array(TaskResult),
});
export type GradeReport = z.infer<typeof GradeReport>;

/** How many checks of a report could not be graded (the cluster did not answer): a report with any is incomplete. */
export const ungradedChecks = (report: { tasks: readonly { checks?: readonly { error?: string | undefined }[] }[] }): number =>
  report.tasks.reduce((n, t) => n + (t.checks ?? []).filter((c) => c.error !== undefined).length, 0);
