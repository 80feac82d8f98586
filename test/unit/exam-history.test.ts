// A drill's history record: the first graded check is the score; later checks only say how it went on.
import { describe, expect, test } from 'vitest';
import { drillRecord, drillOutcome } from '../../cli/exam/history.ts';
import type { GradeReport, TaskResult } from '../../graders/result.ts';
import { fakeTask, halfResult, prepare } from './exam-fakes.ts';

const task = prepare(fakeTask('deployment-1', 'deployment'), { id: 'deployment-1', seed: 1, prefix: 'dabcde' });
const drill = { id: 'abcdefgh', seed: 1, task, startedAt: 1000, timed: true, hintsShown: 0 };
const reportOf = (result: TaskResult): GradeReport => ({ score: result.score, maxScore: result.maxScore, percent: (result.score / result.maxScore) * 100, tasks: [result] });
const full = (): TaskResult => ({ ...halfResult('deployment-1'), score: 5, checks: halfResult('deployment-1').checks.map((c) => ({ ...c, points: c.maxPoints, passed: true })) });

describe('drill history record', () => {
  test('the first check is the score; a later full-marks check does not raise it', () => {
    const first = drillRecord(undefined, drill, reportOf(halfResult('deployment-1')), 2000);
    expect(first).toMatchObject({ kind: 'drill', score: 2, maxScore: 5, percent: 40, minutes: task.minutes, startedAt: 1000, endedAt: 2000, drill: { checks: 1, solvedOnCheck: null, latestPercent: 40 } });
    const second = drillRecord(first, { ...drill, hintsShown: 2 }, reportOf(full()), 3000);
    expect(second).toMatchObject({ score: 2, percent: 40, endedAt: 2000, drill: { checks: 2, solvedOnCheck: 2, latestPercent: 100, hintsShown: 2 } });
    // Failing again after solving it keeps when it was solved.
    const third = drillRecord(second, drill, reportOf(halfResult('deployment-1')), 4000);
    expect(third?.drill).toMatchObject({ checks: 3, solvedOnCheck: 2, latestPercent: 40, hintsShown: 2 });
    expect(drillOutcome(third!.drill!)).toBe('solved on check 2 of 3 checks, 2 hints');
  });

  test('full marks on the first check is solved on check 1', () => {
    const record = drillRecord(undefined, { ...drill, timed: false }, reportOf(full()), 2000);
    expect(record).toMatchObject({ percent: 100, passed: true, minutes: null, drill: { solvedOnCheck: 1 } });
    expect(drillOutcome(record!.drill!)).toBe('solved on check 1 of 1 check');
  });

  test('a check the grader could not finish is not a score', () => {
    const broken: TaskResult = { ...halfResult('deployment-1'), score: 0, checks: [{ name: 'deployment exists', points: 0, maxPoints: 5, passed: false, error: 'connect ECONNREFUSED' }] };
    expect(drillRecord(undefined, drill, reportOf(broken), 2000)).toBeUndefined();
    const first = drillRecord(undefined, drill, reportOf(halfResult('deployment-1')), 2000);
    expect(drillRecord(first, drill, reportOf(broken), 3000)).toBe(first);
  });
});
