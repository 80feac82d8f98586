// The report as plain text: for pipes, CI logs and anything without a TTY. ASCII bars and [PASS]/[FAIL]
// markers, so it greps well and survives any terminal.
import type { CompetencyStanding, DomainStanding } from '../exam/draw.ts';
import type { CheckResult } from '../../graders/result.ts';
import { drillOutcome, fullyGraded, verdict, type HistoryRecord } from '../exam/history.ts';
import { checkErrorText, checkExplanation, domainTitle, extraMessage, formatPercent, lateChangesWarning, lateChangeText, PASS_PERCENT } from './summary.ts';

export const bar = (percent: number, width = 20, full = '#', empty = '-'): string => {
  const filled = Math.round((Math.min(100, Math.max(0, percent)) / 100) * width);
  return full.repeat(filled) + empty.repeat(width - filled);
};

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

export function checkLines(check: CheckResult, indent: string): string[] {
  if (check.error !== undefined) return [`${indent}[ERROR] ${check.name}  ${checkErrorText(check.error)}`];
  const head = `${indent}[${check.passed ? 'PASS' : 'FAIL'}] ${check.name}  ${check.points}/${check.maxPoints}`;
  if (check.passed) return [head];
  const lines = [head, `${indent}       ${checkExplanation(check)}`];
  const extra = extraMessage(check);
  if (extra) lines.push(`${indent}       ${extra}`);
  return lines;
}

export type TextOptions = {
  /** Include each task's reference solution. Default true. */
  solutions?: boolean;
};

/** The whole report of an attempt, every task and check, as plain text ending in a newline. */
export function renderTextReport(record: HistoryRecord, options: TextOptions = {}): string {
  const solutions = options.solutions ?? true;
  const out: string[] = [];
  const title = record.kind === 'exam' ? 'CKAD mock exam' : 'CKAD drill';
  out.push(`${title} ${record.id} · ${when(record.startedAt)} · seed ${record.seed} · ${record.tasks.length} tasks${record.minutes ? ` · ${record.minutes} min` : ''}`);
  if (record.reason !== 'finished') out.push(`Ended by ${record.reason === 'timeout' ? 'the clock (time ran out)' : 'abandoning it'}.`);
  if (record.regradedAt) out.push(`Re-graded ${when(record.regradedAt)}: it ended while the cluster did not answer. Changes made after the end are listed with ⚠.`);
  out.push(
    record.drill
      ? `First check ${formatPercent(record.percent)} (${record.score}/${record.maxScore}), which is the drill's score · ${drillOutcome(record.drill)}`
      : `Score ${formatPercent(record.percent)} (${record.score}/${record.maxScore}) · ${verdict(record)} (pass mark ${record.passPercent ?? PASS_PERCENT}%)`,
  );
  const ungraded = record.report.tasks.reduce((n, t) => n + t.checks.filter((c) => c.error !== undefined).length, 0);
  const late = lateChangesWarning(record.report);
  if (late) out.push(`Warning: ${late}`);
  if (ungraded > 0) out.push(`Warning: ${ungraded} check${ungraded === 1 ? '' : 's'} could not be graded (see [ERROR] below); the score may be too low, so the attempt is left out of the weakest domains. Re-grade it once the cluster answers: ckad-lab report ${record.id} --regrade`);
  out.push('', 'Domains');
  const width = Math.max(...record.domains.map((d) => domainTitle(d.domain).length), 10);
  for (const d of record.domains) {
    out.push(`  ${domainTitle(d.domain).padEnd(width)}  [${bar(d.percent)}] ${formatPercent(d.percent).padStart(6)}  ${d.score}/${d.maxScore}`);
  }
  out.push('', 'Tasks');
  record.tasks.forEach((meta, i) => {
    const result = record.report.tasks.find((t) => t.id === meta.id);
    const score = result ? `${result.score}/${result.maxScore}` : `0/${meta.points} (not graded)`;
    out.push(`  ${i + 1}. ${meta.id} · ${meta.title}  ${score}  [${domainTitle(meta.domain)}] namespace ${meta.namespace}`);
    for (const check of result?.checks ?? []) out.push(...checkLines(check, '     '));
    for (const change of result?.changedAfterEnd ?? []) out.push(`     ⚠ changed after the end: ${lateChangeText(change)}`);
    if (solutions) {
      out.push('     Reference solution:');
      for (const line of meta.solution.trimEnd().split('\n')) out.push(`       ${line}`);
    }
  });
  return `${out.join('\n')}\n`;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** History as plain text: attempts, per-domain percentages over time, and the weakest domains. */
export function renderTextHistory(
  records: readonly HistoryRecord[],
  weakest: readonly DomainStanding[],
  competencies: readonly CompetencyStanding[] = [],
): string {
  if (records.length === 0) return 'No finished attempts yet. Take a mock exam: ckad-lab exam\n';
  const out: string[] = ['Attempts (oldest first)'];
  for (const r of records) {
    out.push(
      r.drill
        ? `  ${when(r.endedAt)}  drill ${r.id}  ${formatPercent(r.percent).padStart(6)}  first check  ${r.drill.taskId}: ${drillOutcome(r.drill)}`
        : `  ${when(r.endedAt)}  ${r.kind} ${r.id}  ${formatPercent(r.percent).padStart(6)}  ${verdict(r)}  ${r.tasks.length} tasks  ${r.reason}${fullyGraded(r) ? '' : `  (not in the statistics; re-grade: ckad-lab report ${r.id} --regrade)`}`,
    );
  }
  out.push('', 'Per domain, oldest to newest (attempts with ungraded checks left out)');
  const graded = records.filter(fullyGraded);
  const domains = [...new Set(graded.flatMap((r) => r.domains.map((d) => d.domain)))];
  const width = Math.max(...domains.map((d) => domainTitle(d).length), 10);
  for (const domain of domains) {
    const series = graded.flatMap((r) => r.domains.filter((d) => d.domain === domain).map((d) => `${Math.round(d.percent)}%`.padStart(4)));
    out.push(`  ${domainTitle(domain).padEnd(width)}  ${series.join(' ')}`);
  }
  out.push(...standingLines(weakest, competencies, width));
  out.push('', `Last attempt ${day(records.at(-1)?.endedAt ?? 0)}. Show a report again: ckad-lab report [ID] [--json] [--junit FILE]`);
  return `${out.join('\n')}\n`;
}

/** `history --standings`: only the weakest domains and the competencies, weakest first. */
export function renderTextStandings(weakest: readonly DomainStanding[], competencies: readonly CompetencyStanding[]): string {
  if (weakest.length === 0 && competencies.length === 0) return 'No graded attempts yet. Take a mock exam: ckad-lab exam\n';
  const width = Math.max(...weakest.map((w) => domainTitle(w.domain).length), 10);
  return `${standingLines(weakest, competencies, width).slice(1).join('\n')}\n`;
}

function standingLines(weakest: readonly DomainStanding[], competencies: readonly CompetencyStanding[], width: number): string[] {
  const out: string[] = [];
  if (weakest.length > 0) {
    out.push('', `Weakest domains (drill them: ckad-lab drill --weakest)`);
    weakest.slice(0, 3).forEach((w, i) => out.push(`  ${i + 1}. ${domainTitle(w.domain).padEnd(width)}  ${formatPercent(w.percent)} over ${w.attempts} attempt${w.attempts === 1 ? '' : 's'}`));
  }
  if (competencies.length > 0) {
    out.push('', 'Per competency, weakest first (last 5 tasks of each; drill one: ckad-lab drill --competency C)');
    const cw = Math.max(...competencies.map((c) => c.competency.length));
    for (const c of competencies) out.push(`  ${c.competency.padEnd(cw)}  ${formatPercent(c.percent).padStart(6)} over ${c.attempts} task${c.attempts === 1 ? '' : 's'}  ${domainTitle(c.domain)}`);
  }
  return out;
}
