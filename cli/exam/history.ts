// A finished attempt as kept in history: the report, the per-domain scores it is summarised by, and what
// the tasks were, so the report can be shown or exported again later.
import { z } from 'zod';
import { GradeReport, ungradedChecks } from '../../graders/result.ts';
import { DomainScore, PASS_PERCENT, TaskMeta, percentOf, summarize } from '../report/summary.ts';
import type { PreparedTask } from './services.ts';
import { EndReason, type ExamSession } from './session.ts';

/**
 * How a drill went on after its first check. A drill's score is its first check: checking until every check
 * passes would otherwise make every drilled domain look mastered, and `drill --weakest` would stop pointing
 * at the points a candidate actually loses. The drill screen says so before the first check.
 */
export const DrillSummary = z.object({
  taskId: z.string(),
  checks: z.number().int().positive(),
  /** The check on which every check passed; null while some still fail. */
  solvedOnCheck: z.number().int().positive().nullable(),
  latestPercent: z.number(),
  hintsShown: z.number().int().nonnegative(),
});
export type DrillSummary = z.infer<typeof DrillSummary>;

export const HistoryRecord = z.object({
  version: z.literal(1),
  id: z.string(),
  kind: z.enum(['exam', 'drill']),
  seed: z.number().int(),
  minutes: z.number().nullable(),
  createdAt: z.number().int(),
  startedAt: z.number().int(),
  endedAt: z.number().int(),
  reason: EndReason,
  score: z.number(),
  maxScore: z.number(),
  percent: z.number(),
  passed: z.boolean(),
  passPercent: z.number(),
  domains: z.array(DomainScore),
  tasks: z.array(TaskMeta),
  report: GradeReport,
  /** Drills only. */
  drill: DrillSummary.optional(),
  /**
   * Checks that could not be graded (the cluster did not answer): the score may be too low, so the attempt is
   * left out of the weakest-domain statistics until it is re-graded. Records written before this field
   * existed are judged by their report (see `ungradedChecks`).
   */
  ungraded: z.number().int().nonnegative().optional(),
  /** When the attempt was last re-graded (`ckad-lab report ID --regrade`, or at a start once the cluster answered). */
  regradedAt: z.number().int().optional(),
});
export type HistoryRecord = z.infer<typeof HistoryRecord>;

/**
 * Whether an attempt's scores may go into statistics (weakest domains, competencies): every check was graded.
 * An attempt that lost points only because the cluster did not answer would point drills at the wrong domain.
 */
export const fullyGraded = (record: { report?: Parameters<typeof ungradedChecks>[0] }): boolean => record.report === undefined || ungradedChecks(record.report) === 0;

/** PASS or FAIL; an attempt below the pass mark with ungraded checks is neither yet: UNGRADED. */
export const verdict = (record: Pick<HistoryRecord, 'passed' | 'report'>): 'PASS' | 'FAIL' | 'UNGRADED' =>
  record.passed ? 'PASS' : ungradedChecks(record.report) > 0 ? 'UNGRADED' : 'FAIL';

/** What a history record says of its report, summarised over its tasks: score, verdict and domain scores. */
function scored(report: GradeReport, tasks: TaskMeta[]): Pick<HistoryRecord, 'score' | 'maxScore' | 'percent' | 'passed' | 'passPercent' | 'domains' | 'tasks' | 'report'> {
  const { score, maxScore, percent, passed, domains } = summarize(report, tasks);
  return { score, maxScore, percent, passed, passPercent: PASS_PERCENT, domains, tasks, report };
}

/** The history record of a graded session; undefined while it is not graded. */
export function historyRecord(session: ExamSession): HistoryRecord | undefined {
  const ended = session.ended;
  if (!ended?.report) return undefined;
  return {
    version: 1,
    id: session.id,
    kind: session.kind,
    seed: session.seed,
    minutes: session.minutes,
    createdAt: session.createdAt,
    startedAt: session.startedAt ?? session.createdAt,
    endedAt: ended.at,
    reason: ended.reason,
    ...scored(ended.report, session.tasks.map((t) => TaskMeta.parse(t))),
    ungraded: ungradedChecks(ended.report),
  };
}

/**
 * A drill's record after a check: created by the first check (which is its score), updated by later ones. A
 * check that could not grade everything (the cluster did not answer) changes nothing: `previous` is returned.
 */
export function drillRecord(
  previous: HistoryRecord | undefined,
  drill: { id: string; seed: number; task: PreparedTask; startedAt: number; timed: boolean; hintsShown: number },
  report: GradeReport,
  at: number,
): HistoryRecord | undefined {
  const result = report.tasks.find((t) => t.id === drill.task.id);
  if (!result || result.checks.some((c) => c.error !== undefined)) return previous;
  const latestPercent = percentOf(result.score, result.maxScore);
  const solved = result.maxScore > 0 && result.score >= result.maxScore;
  if (previous?.drill) {
    const checks = previous.drill.checks + 1;
    return {
      ...previous,
      drill: { ...previous.drill, checks, solvedOnCheck: previous.drill.solvedOnCheck ?? (solved ? checks : null), latestPercent, hintsShown: Math.max(previous.drill.hintsShown, drill.hintsShown) },
    };
  }
  return {
    version: 1,
    id: drill.id,
    kind: 'drill',
    seed: drill.seed,
    minutes: drill.timed ? drill.task.minutes : null,
    createdAt: drill.startedAt,
    startedAt: drill.startedAt,
    endedAt: at,
    reason: 'finished',
    ...scored(report, [TaskMeta.parse(drill.task)]),
    drill: { taskId: drill.task.id, checks: 1, solvedOnCheck: solved ? 1 : null, latestPercent, hintsShown: drill.hintsShown },
  };
}

/** One line on how a drill went, for history listings. */
export function drillOutcome(d: DrillSummary): string {
  const checks = `${d.checks} check${d.checks === 1 ? '' : 's'}`;
  const hints = d.hintsShown > 0 ? `, ${d.hintsShown} hint${d.hintsShown === 1 ? '' : 's'}` : '';
  return d.solvedOnCheck !== null ? `solved on check ${d.solvedOnCheck} of ${checks}${hints}` : `not solved yet (${checks}${hints}, latest ${Number(d.latestPercent.toFixed(1))}%)`;
}
