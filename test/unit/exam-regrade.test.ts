// An exam that ended while the cluster did not answer: marked ungraded, left out of the weakest-domain
// statistics, and graded again later from its saved session (issue 12 item 3).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { competencyStandings, weakestDomains } from '../../cli/exam/draw.ts';
import { EXIT, finishExam } from '../../cli/exam/flow.ts';
import { fullyGraded, verdict } from '../../cli/exam/history.ts';
import { regradeAttempt, regradePending, runRegrade, ungradedExams } from '../../cli/exam/regrade.ts';
import type { GradeOptions, PreparedTask } from '../../cli/exam/services.ts';
import { reduce, type ExamSession } from '../../cli/exam/session.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { captureOutput } from '../../cli/exam/output.ts';
import { renderTextHistory, renderTextReport } from '../../cli/report/text.ts';
import type { GradeReport, TaskResult } from '../../graders/result.ts';
import { fakeCatalog, halfResult, runningSession } from './exam-fakes.ts';

const catalog = fakeCatalog(2);
const down = (id: string): TaskResult => ({
  id,
  score: 0,
  maxScore: 5,
  checks: [
    { name: 'deployment exists', points: 0, maxPoints: 2, passed: false, error: 'Could not read: cannot reach the API server (ECONNREFUSED)' },
    { name: 'image is nginx:1.27', points: 0, maxPoints: 3, passed: false, error: 'Could not read: cannot reach the API server (ECONNREFUSED)' },
  ],
});
const full = (id: string): TaskResult => ({ ...halfResult(id), score: 5, checks: halfResult(id).checks.map((c) => ({ ...c, points: c.maxPoints, passed: true })) });
const reportOf = (tasks: TaskResult[]): GradeReport => {
  const score = tasks.reduce((n, t) => n + t.score, 0);
  const maxScore = tasks.reduce((n, t) => n + t.maxScore, 0);
  return { score, maxScore, percent: (score / maxScore) * 100, tasks };
};

/** A grader standing in for the lab: answers with `result(id)` per task and records the options it got. */
function grader(result: (id: string) => TaskResult) {
  const calls: GradeOptions[] = [];
  return {
    calls,
    grade: async (tasks: readonly PreparedTask[], options: GradeOptions = {}) => {
      calls.push(options);
      return reportOf(tasks.map((t) => result(t.id)));
    },
  };
}

let store: ExamStore;
beforeEach(() => {
  store = new ExamStore(mkdtempSync(join(tmpdir(), 'ckad-lab-regrade-')));
});

/** An exam over `ids` that ended at `at` and was graded with `report`, finished into history. */
function finished(id: string, ids: string[], at: number, report: GradeReport): ExamSession {
  const running = { ...runningSession(catalog, ids, at - 3_600_000), id };
  store.claim(running);
  const graded = reduce(reduce(running, { type: 'END', at, reason: 'finished' }), { type: 'GRADED', report });
  store.saveSession(graded);
  finishExam(store, graded);
  return graded;
}

describe('an exam graded while the cluster was down', () => {
  it('is marked UNGRADED, not FAIL, and is left out of the weakest domains', () => {
    finished('good000001', ['deployment-1'], 1_000_000, reportOf([full('deployment-1')]));
    finished('down000001', ['deployment-2', 'observability-1'], 2_000_000, reportOf([down('deployment-2'), down('observability-1')]));
    const { records } = store.history();
    const bad = records.find((r) => r.id === 'down000001')!;
    expect(bad).toMatchObject({ percent: 0, passed: false, ungraded: 4 });
    expect(verdict(bad)).toBe('UNGRADED');
    expect(fullyGraded(bad)).toBe(false);
    // Only the graded attempt counts: deployment at 100%, observability not attempted at all; the same for
    // competencies.
    expect(weakestDomains(records)).toEqual([{ domain: 'deployment', percent: 100, attempts: 1 }]);
    expect(competencyStandings(records, catalog).map((c) => [c.domain, c.percent])).toEqual([['deployment', 100]]);
    const text = renderTextHistory(records, weakestDomains(records));
    expect(text).toMatch(/down000001\s+0%\s+UNGRADED .*ckad-lab report down000001 --regrade/);
    // Its zeros are in no per-domain series either.
    expect(text).toMatch(/Application Deployment\s+100%\n/);
    expect(text).not.toContain('Application Observability');
    expect(renderTextReport(bad)).toContain('Score 0% (0/10) · UNGRADED');
  });

  it('is re-graded from its saved session once the cluster answers; late changes are asked for', async () => {
    const ended = finished('down000001', ['deployment-2', 'observability-1'], 2_000_000, reportOf([down('deployment-2'), down('observability-1')]));
    expect(ungradedExams(store)).toEqual([{ id: 'down000001', prefix: ended.prefix }]);

    const stillDown = grader(down);
    const refused = await regradeAttempt(stillDown, store, 'down000001', 3_000_000);
    expect(refused).toMatchObject({ ok: false, code: EXIT.couldNotGrade, message: expect.stringContaining('still cannot be graded') });
    expect(store.historyRecord('down000001')?.regradedAt).toBeUndefined();

    const up = grader(halfResult);
    const result = await regradeAttempt(up, store, 'down000001', 3_000_000);
    expect(up.calls).toEqual([{ changedAfter: 2_000_000, regrade: true }]);
    expect(result).toMatchObject({ ok: true, record: { id: 'down000001', percent: 40, ungraded: 0, regradedAt: 3_000_000, endedAt: 2_000_000 } });
    expect(store.historyRecord('down000001')).toMatchObject({ percent: 40, regradedAt: 3_000_000 });
    expect(store.loadSession('down000001')?.ended?.report?.percent).toBe(40);
    expect(weakestDomains(store.history().records).map((d) => d.domain)).toEqual(['deployment', 'observability']);
    expect(ungradedExams(store)).toEqual([]);
    // Graded now: nothing more to re-grade (a later grading would score changes made after the end).
    expect(await regradeAttempt(up, store, 'down000001', 4_000_000)).toMatchObject({ ok: false, code: EXIT.refused, message: expect.stringContaining('nothing to re-grade') });
  });

  it('the next start re-grades every pending exam and says so; report --regrade prints the new report', async () => {
    finished('down000001', ['deployment-2'], 2_000_000, reportOf([down('deployment-2')]));
    finished('down000002', ['observability-1'], 2_500_000, reportOf([down('observability-1')]));
    const notes = await regradePending(grader(halfResult), store, 3_000_000);
    expect(notes).toEqual([
      'Re-graded exam down000002, which ended while the cluster did not answer: 0% UNGRADED (2 checks could not be graded) -> 40% FAIL.',
      'Re-graded exam down000001, which ended while the cluster did not answer: 0% UNGRADED (2 checks could not be graded) -> 40% FAIL.',
    ]);
    expect(store.history().records.every(fullyGraded)).toBe(true);

    finished('down000003', ['deployment-1'], 2_600_000, reportOf([down('deployment-1')]));
    const output = captureOutput();
    expect(await runRegrade(grader(full), { stateDir: store.stateDir, interactive: false, id: 'down000003', output, now: () => 3_100_000 })).toBe(EXIT.ok);
    expect(output.stdout()).toContain('Score 100% (5/5) · PASS');
    expect(output.stdout()).toMatch(/Re-graded \d{4}-\d\d-\d\d \d\d:\d\d: it ended while the cluster did not answer/);
    expect(output.stderr()).toContain('Re-graded exam down000003: 0% UNGRADED (2 checks could not be graded) -> 100% PASS.');
    expect(await runRegrade(grader(full), { stateDir: store.stateDir, interactive: false, id: 'nope', output })).toBe(EXIT.refused);
  });
});
