// A class's results: ranking, pass/fail, per-task and per-domain statistics, late changes and access between
// candidates. Pure: built from grade reports, rendered as text and CSV (html.ts draws the HTML).
import { z } from 'zod';
import { TaskResult, type GradeReport } from '../../graders/result.ts';
import { DOMAINS, Domain } from '../../tasks/schema.ts';
import type { PreparedTask } from '../exam/services.ts';
import { DomainScore, PASS_PERCENT, domainTitle, formatPercent, lateChangeText, summarize } from '../report/summary.ts';
import { subjectCandidates } from './rights.ts';
import type { Candidate, ClassRecord } from './record.ts';

export type Binding = { namespace: string; name: string; subjects: { kind: string; name: string; namespace?: string }[] };

/** One candidate's grading, before the class-wide numbers. */
export type CandidateGrade = {
  candidate: Candidate;
  deadline: number;
  prepared: readonly PreparedTask[];
  report: GradeReport;
  /** Whether she changed anything since the window opened; undefined when the cluster would not say. */
  touched: boolean | undefined;
  bindings: readonly Binding[];
};

const round1 = (n: number): number => Math.round(n * 10) / 10;

export const CandidateResult = z.object({
  name: z.string(),
  rank: z.number().int().positive(),
  score: z.number(),
  maxScore: z.number(),
  percent: z.number(),
  passed: z.boolean(),
  /** Epoch ms: her deadline (the class's end, or her extension). */
  deadline: z.number(),
  /** Has she changed anything in her namespaces since the window opened? null: could not tell. */
  touched: z.boolean().nullable(),
  /** Checks that could not be graded: her score may be too low. */
  ungraded: z.number().int(),
  domains: z.array(DomainScore),
  /** As in `grade --json`; each task's `changedAfterEnd` lists changes after her deadline. */
  tasks: z.array(TaskResult),
});
export type CandidateResult = z.infer<typeof CandidateResult>;

export const TaskStats = z.object({
  id: z.string(),
  title: z.string(),
  domain: Domain,
  maxScore: z.number(),
  /** Percent of candidates with full marks on the task. */
  passRate: z.number(),
  averagePercent: z.number(),
});

export const AccessFlag = z.object({
  /** Whose namespace the binding is in. */
  candidate: z.string(),
  namespace: z.string(),
  binding: z.string(),
  /** The other candidates it lets in. */
  grants: z.array(z.string()),
});
export type AccessFlag = z.infer<typeof AccessFlag>;

/** `class grade --json`: a stable contract. Add fields; never rename or remove them. */
export const ClassReport = z.object({
  class: z.string(),
  gradedAt: z.number(),
  passPercent: z.number(),
  startsAt: z.number(),
  endsAt: z.number(),
  endedAt: z.number().nullable(),
  /** Best first. */
  candidates: z.array(CandidateResult),
  tasks: z.array(TaskStats),
  domains: z.array(z.object({ domain: Domain, averagePercent: z.number() })),
  /** Bindings in one candidate's namespace naming another candidate. */
  access: z.array(AccessFlag),
});
export type ClassReport = z.infer<typeof ClassReport>;

export function buildClassReport(record: ClassRecord, grades: readonly CandidateGrade[], now: number): ClassReport {
  const namespacesOf = new Map(grades.flatMap((g) => g.prepared.flatMap((p) => Object.values(p.namespaces).map((ns) => [ns, g.candidate.name] as const))));
  const unranked = grades.map((g) => {
    const summary = summarize(g.report, g.prepared);
    return {
      name: g.candidate.name,
      score: summary.score,
      maxScore: summary.maxScore,
      percent: round1(summary.percent),
      passed: summary.passed,
      deadline: g.deadline,
      touched: g.touched ?? null,
      ungraded: summary.ungraded,
      domains: summary.domains.map((d) => ({ ...d, percent: round1(d.percent) })),
      tasks: record.tasks.map((id) => g.report.tasks.find((t) => t.id === id) ?? { id, score: 0, maxScore: g.prepared.find((p) => p.id === id)?.points ?? 0, checks: [] }),
    };
  });
  const sorted = [...unranked].sort((a, b) => b.percent - a.percent || b.score - a.score || a.name.localeCompare(b.name));
  const candidates = sorted.map((c) => ({ ...c, rank: 1 + sorted.filter((o) => o.percent > c.percent || (o.percent === c.percent && o.score > c.score)).length }));

  const first = grades[0]?.prepared ?? [];
  const tasks = record.tasks.map((id) => {
    const results = candidates.map((c) => c.tasks.find((t) => t.id === id)).filter((t): t is TaskResult => t !== undefined);
    const meta = first.find((p) => p.id === id);
    const percents = results.map((t) => (t.maxScore > 0 ? (t.score / t.maxScore) * 100 : 0));
    return {
      id,
      title: meta?.title ?? id,
      domain: meta?.domain ?? ('design-build' as Domain),
      maxScore: results[0]?.maxScore ?? meta?.points ?? 0,
      passRate: results.length ? round1((results.filter((t) => t.maxScore > 0 && t.score === t.maxScore).length / results.length) * 100) : 0,
      averagePercent: results.length ? round1(percents.reduce((s, p) => s + p, 0) / percents.length) : 0,
    };
  });
  const domains = (Object.keys(DOMAINS) as Domain[]).flatMap((domain) => {
    const scores = candidates.flatMap((c) => c.domains.filter((d) => d.domain === domain).map((d) => d.percent));
    return scores.length ? [{ domain, averagePercent: round1(scores.reduce((s, p) => s + p, 0) / scores.length) }] : [];
  });
  const access = grades.flatMap((g) =>
    g.bindings.flatMap((b) => {
      const grants = [...new Set(b.subjects.flatMap((s) => subjectCandidates(record, s, namespacesOf)))].filter((c) => c !== g.candidate.name).sort();
      return grants.length ? [{ candidate: g.candidate.name, namespace: b.namespace, binding: b.name, grants }] : [];
    }),
  );
  return { class: record.name, gradedAt: now, passPercent: PASS_PERCENT, startsAt: record.startsAt, endsAt: record.endsAt, endedAt: record.endedAt ?? null, candidates, tasks, domains, access };
}

const clock = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export const lateChanges = (c: CandidateResult) => c.tasks.flatMap((t) => t.changedAfterEnd ?? []);

/** The class at a glance, as plain text (pipes, CI logs). */
export function renderClassText(report: ClassReport): string {
  const out: string[] = [];
  out.push(`Class ${report.class} · ${report.candidates.length} candidates × ${report.tasks.length} tasks · window ${clock(report.startsAt)} to ${clock(report.endsAt)}${report.endedAt !== null ? ` (ended ${clock(report.endedAt)})` : ''} · graded ${clock(report.gradedAt)}`);
  out.push(`Pass mark ${report.passPercent}%: ${report.candidates.filter((c) => c.passed).length} of ${report.candidates.length} passed.`, '');
  const nameWidth = Math.max(9, ...report.candidates.map((c) => c.name.length));
  out.push(`${'Rank'.padEnd(5)}${'Candidate'.padEnd(nameWidth + 2)}${'Score'.padStart(9)}${'%'.padStart(8)}  Result`);
  for (const c of report.candidates) {
    const notes = [
      c.touched === false ? 'nothing changed yet' : '',
      c.ungraded ? `${c.ungraded} check(s) could not be graded` : '',
      lateChanges(c).length ? `${lateChanges(c).length} change(s) after the end` : '',
      report.access.some((a) => a.candidate === c.name || a.grants.includes(c.name)) ? 'access between candidates' : '',
    ].filter(Boolean);
    out.push(`${String(c.rank).padEnd(5)}${c.name.padEnd(nameWidth + 2)}${`${c.score}/${c.maxScore}`.padStart(9)}${formatPercent(c.percent).padStart(8)}  ${c.passed ? 'PASS' : 'FAIL'}${notes.length ? `  (${notes.join('; ')})` : ''}`);
  }
  out.push('', 'Tasks (pass rate = candidates with full marks)');
  const idWidth = Math.max(...report.tasks.map((t) => t.id.length), 4);
  for (const t of report.tasks) out.push(`  ${t.id.padEnd(idWidth)}  pass rate ${formatPercent(t.passRate).padStart(6)}  average ${formatPercent(t.averagePercent).padStart(6)}  ${t.title}`);
  out.push('', 'Domains (average over candidates)');
  for (const d of report.domains) out.push(`  ${domainTitle(d.domain).padEnd(45)} ${formatPercent(d.averagePercent).padStart(6)}`);
  if (report.access.length > 0) {
    out.push('', 'Access between candidates (flagged, not scored)');
    for (const a of report.access) out.push(`  ⚠ ${a.candidate}: RoleBinding ${a.namespace}/${a.binding} lets in ${a.grants.join(', ')}`);
  }
  const late = report.candidates.filter((c) => lateChanges(c).length > 0);
  if (late.length > 0) {
    out.push('', 'Changed after the candidate\'s end (flagged, still in the score)');
    for (const c of late) for (const change of lateChanges(c)) out.push(`  ⚠ ${c.name}: ${lateChangeText(change)} (${change.namespace})`);
  }
  return `${out.join('\n')}\n`;
}

const csvCell = (v: string | number | boolean): string => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** One row per candidate (ranked), one column per task holding her percent on it. */
export function renderClassCsv(report: ClassReport): string {
  const header = ['rank', 'candidate', 'score', 'maxScore', 'percent', 'passed', ...report.tasks.map((t) => t.id), 'changedAfterEnd', 'accessFlags'];
  const rows = report.candidates.map((c) => [
    c.rank,
    c.name,
    c.score,
    c.maxScore,
    c.percent,
    c.passed,
    ...report.tasks.map((t) => {
      const r = c.tasks.find((x) => x.id === t.id);
      return r && r.maxScore > 0 ? round1((r.score / r.maxScore) * 100) : 0;
    }),
    lateChanges(c).length,
    report.access.filter((a) => a.candidate === c.name || a.grants.includes(c.name)).length,
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
