// Re-grading an exam that ended while the cluster did not answer: its checks carry "could not grade", its
// score is not a score, and its namespaces are still there (they are kept until it is graded). It is graded
// again on request (`ckad-lab report ID --regrade`) or by the lab at the next start once the cluster answers.
// What changed after the exam ended is listed in the new report, as for any late grading.
import type { Output } from './output.ts';
import { processOutput } from './output.ts';
import { EXIT, type ReportOptions } from './flow.ts';
import { ungradedChecks } from '../../graders/result.ts';
import { fullyGraded, historyRecord, verdict, type HistoryRecord } from './history.ts';
import type { LabServices } from './services.ts';
import { ExamStore, sessionFile, StoreError } from './store.ts';
import { exportRecord } from '../report/export.ts';
import { formatPercent } from '../report/summary.ts';
import { renderTextReport } from '../report/text.ts';

export type Regrade =
  | { ok: true; before: HistoryRecord; record: HistoryRecord; file: string }
  | { ok: false; message: string; code: number };

const firstError = (record: Pick<HistoryRecord, 'report'>): string | undefined => record.report.tasks.flatMap((t) => t.checks).find((c) => c.error !== undefined)?.error;

/** `62% FAIL`, `0% UNGRADED (3 checks could not be graded)`. */
export const scoreLine = (r: HistoryRecord): string => {
  const n = ungradedChecks(r.report);
  return `${formatPercent(r.percent)} ${verdict(r)}${n ? ` (${n} check${n === 1 ? '' : 's'} could not be graded)` : ''}`;
};

/**
 * Grades exam `id` (default: the newest attempt) again from its saved session, if some of its checks could not
 * be graded. Saved (session and history) only when the new grading reached more checks than the old one.
 */
export async function regradeAttempt(services: Pick<LabServices, 'grade'>, store: ExamStore, id: string | undefined, now: number): Promise<Regrade> {
  const before = store.historyRecord(id);
  if (!before) return { ok: false, code: EXIT.refused, message: id ? `No attempt ${id} in history. List them: ckad-lab history` : 'No finished attempts yet. Take a mock exam: ckad-lab exam' };
  if (fullyGraded(before)) return { ok: false, code: EXIT.refused, message: `Every check of ${before.kind} ${before.id} was graded (${scoreLine(before)}): there is nothing to re-grade.` };
  if (before.kind !== 'exam') return { ok: false, code: EXIT.refused, message: `${before.id} is a drill; check it again with: ckad-lab drill ${before.drill?.taskId ?? ''}`.trim() };
  const session = store.loadSession(before.id);
  if (!session?.ended) {
    return { ok: false, code: EXIT.error, message: `Exam ${before.id} cannot be re-graded: its session file ${sessionFile(store.stateDir, before.id)} is gone, and with it which namespaces its tasks were set up in.` };
  }
  const report = await services.grade(session.tasks, { changedAfter: session.ended.at, regrade: true });
  const left = ungradedChecks(report);
  if (left >= ungradedChecks(before.report)) {
    const why = firstError({ report }) ?? 'no reason given';
    return { ok: false, code: EXIT.couldNotGrade, message: `Exam ${before.id} still cannot be graded: ${left} check${left === 1 ? '' : 's'} could not be (${why}). It stays out of your statistics; try again once the cluster answers: ckad-lab report ${before.id} --regrade` };
  }
  const graded = { ...session, ended: { ...session.ended, report } };
  store.saveSession(graded);
  const record: HistoryRecord = { ...(historyRecord(graded) as HistoryRecord), regradedAt: now };
  return { ok: true, before, record, file: store.saveHistory(record) };
}

/** Exams in history with checks that could not be graded, and their session prefixes (namespaces to keep). */
export function ungradedExams(store: ExamStore): { id: string; prefix: string | undefined }[] {
  return store
    .history()
    .records.filter((r) => r.kind === 'exam' && !fullyGraded(r))
    .map((r) => {
      let prefix: string | undefined;
      try {
        prefix = store.loadSession(r.id)?.prefix;
      } catch {
        prefix = undefined;
      }
      return { id: r.id, prefix };
    });
}

/**
 * Re-grades, newest first, every exam with ungraded checks whose session is still known (at most `limit`);
 * returns one line per exam for the user. Never throws: what cannot be graded now is tried at the next start.
 */
export async function regradePending(services: Pick<LabServices, 'grade'>, store: ExamStore, now: number, limit = 5): Promise<string[]> {
  const notes: string[] = [];
  let pending: ReturnType<typeof ungradedExams>;
  try {
    pending = ungradedExams(store).filter((p) => p.prefix !== undefined);
  } catch {
    return notes;
  }
  for (const { id } of pending.reverse().slice(0, limit)) {
    try {
      const result = await regradeAttempt(services, store, id, now);
      if (result.ok) notes.push(`Re-graded exam ${id}, which ended while the cluster did not answer: ${scoreLine(result.before)} -> ${scoreLine(result.record)}.`);
    } catch {
      // The cluster or the files still say no: the next start tries again.
    }
  }
  return notes;
}

/** `ckad-lab report [ID] --regrade [--json] [--junit FILE]`. */
export async function runRegrade(services: Pick<LabServices, 'grade'>, options: ReportOptions): Promise<number> {
  const output: Output = options.output ?? processOutput;
  try {
    const result = await regradeAttempt(services, new ExamStore(options.stateDir), options.id, (options.now ?? Date.now)());
    if (!result.ok) {
      output.err(result.message);
      return result.code;
    }
    if (!options.json) output.out(renderTextReport(result.record));
    const notes = exportRecord(result.record, options, output);
    output.err([`Re-graded exam ${result.record.id}: ${scoreLine(result.before)} -> ${scoreLine(result.record)}. Saved to history: ${result.file}`, ...notes].join('\n'));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof StoreError) {
      output.err(error.message);
      return EXIT.error;
    }
    throw error;
  }
}
