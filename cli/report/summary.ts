// Scores per domain and the pass mark: pure arithmetic over a GradeReport and what the session knew about
// its tasks.
import { z } from 'zod';
import { DOMAINS, Domain } from '../../tasks/schema.ts';
import { ungradedChecks, type GradeReport } from '../../graders/result.ts';
import { PreparedTask } from '../exam/services.ts';

/** The real exam's pass mark, in percent. */
export const PASS_PERCENT = 66;

/** What a report knows about a task beyond its result. */
export const TaskMeta = PreparedTask.pick({ id: true, title: true, domain: true, namespace: true, points: true, solution: true });
export type TaskMeta = z.infer<typeof TaskMeta>;

export const DomainScore = z.object({
  domain: Domain,
  score: z.number(),
  maxScore: z.number(),
  percent: z.number(),
  tasks: z.number().int(),
});
export type DomainScore = z.infer<typeof DomainScore>;

export type ReportSummary = {
  score: number;
  maxScore: number;
  /** Unrounded. */
  percent: number;
  passed: boolean;
  domains: DomainScore[];
  /** Checks that could not be graded: the score may be too low, and the report says so. */
  ungraded: number;
};

export const percentOf = (score: number, maxScore: number): number => (maxScore > 0 ? (score / maxScore) * 100 : 0);

/** A percentage for people: one decimal, trailing `.0` dropped. */
export const formatPercent = (percent: number): string => `${Number(percent.toFixed(1))}%`;

/**
 * Domains in curriculum order, each with the points won and possible over its tasks. A task missing from
 * the report counts as zero of the meta's points: it was drawn, so it counts.
 */
export function summarize(report: GradeReport, meta: readonly TaskMeta[]): ReportSummary {
  const byDomain = new Map<Domain, DomainScore>();
  const domainOf = new Map(meta.map((m) => [m.id, m.domain]));
  const seen = new Set<string>();
  const add = (domain: Domain, score: number, maxScore: number) => {
    const d = byDomain.get(domain) ?? { domain, score: 0, maxScore: 0, percent: 0, tasks: 0 };
    d.score += score;
    d.maxScore += maxScore;
    d.tasks += 1;
    byDomain.set(domain, d);
  };
  for (const t of report.tasks) {
    seen.add(t.id);
    const domain = domainOf.get(t.id);
    if (domain) add(domain, t.score, t.maxScore);
  }
  for (const m of meta) if (!seen.has(m.id)) add(m.domain, 0, m.points);
  const domains = (Object.keys(DOMAINS) as Domain[]).flatMap((d) => {
    const s = byDomain.get(d);
    return s ? [{ ...s, percent: percentOf(s.score, s.maxScore) }] : [];
  });
  const score = domains.reduce((sum, d) => sum + d.score, 0) + report.tasks.filter((t) => !domainOf.has(t.id)).reduce((sum, t) => sum + t.score, 0);
  const maxScore = domains.reduce((sum, d) => sum + d.maxScore, 0) + report.tasks.filter((t) => !domainOf.has(t.id)).reduce((sum, t) => sum + t.maxScore, 0);
  const percent = percentOf(score, maxScore);
  const ungraded = ungradedChecks(report);
  return { score, maxScore, percent, passed: percent >= PASS_PERCENT, domains, ungraded };
}


/** A check's error for people, saying "could not grade" once (the engine's errors may already start with it). */
export const checkErrorText = (error: string): string => (/^could not grade: /i.test(error) ? error : `could not grade: ${error}`);

export const domainTitle = (domain: Domain): string => DOMAINS[domain].title;

/** The one line a failed check is explained by: `path: expected X, got Y`, or its message. */
export function checkExplanation(check: { path?: string | undefined; expected?: string | undefined; actual?: string | undefined; message?: string | undefined }): string {
  const where = check.path ? `${check.path}: ` : '';
  if (check.expected !== undefined || check.actual !== undefined) {
    return `${where}expected ${check.expected ?? '(nothing)'}, got ${check.actual ?? '(nothing)'}`;
  }
  return `${where}${check.message ?? 'failed'}`;
}

/** What a check's message adds to its `path: expected X, got Y` line (the hint, `+N more`), if anything. */
export function extraMessage(check: { path?: string | undefined; expected?: string | undefined; actual?: string | undefined; message?: string | undefined }): string | undefined {
  if (!check.message || (check.expected === undefined && check.actual === undefined)) return undefined;
  const explained = checkExplanation(check);
  const rest = check.message.startsWith(explained) ? check.message.slice(explained.length).replace(/^\s*—\s*/, '').trim() : check.message;
  return rest || undefined;
}

/** One object changed after the exam ended, for people: `Deployment web at 10:32:05 by kubectl-edit`. */
export const lateChangeText = (c: { kind: string; name: string; manager: string; at: number }): string =>
  `${c.kind} ${c.name} at ${new Date(c.at).toTimeString().slice(0, 8)} by ${c.manager}`;

/** How many objects of the report were changed after the exam ended, and what to make of them. */
export function lateChangesWarning(report: GradeReport): string | undefined {
  const n = report.tasks.reduce((sum, t) => sum + (t.changedAfterEnd?.length ?? 0), 0);
  if (n === 0) return undefined;
  return `${n} change${n === 1 ? ' was' : 's were'} made after the exam ended (marked ⚠). They are in the score, which the real exam would not have seen; deletions after the end cannot be seen at all.`;
}
