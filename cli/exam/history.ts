// A finished attempt as kept in history: the report, the per-domain scores it is summarised by, and what
// the tasks were, so the report can be shown or exported again later.
import { z } from 'zod';
import { GradeReport } from '../../graders/result.ts';
import { DomainScore, PASS_PERCENT, TaskMeta, summarize } from '../report/summary.ts';
import { EndReason, type ExamSession } from './session.ts';

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
});
export type HistoryRecord = z.infer<typeof HistoryRecord>;

/** The history record of a graded session; undefined while it is not graded. */
export function historyRecord(session: ExamSession): HistoryRecord | undefined {
  const ended = session.ended;
  if (!ended?.report) return undefined;
  const tasks = session.tasks.map((t) => TaskMeta.parse(t));
  const summary = summarize(ended.report, tasks);
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
    score: summary.score,
    maxScore: summary.maxScore,
    percent: summary.percent,
    passed: summary.passed,
    passPercent: PASS_PERCENT,
    domains: summary.domains,
    tasks,
    report: ended.report,
  };
}
