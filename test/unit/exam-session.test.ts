import { describe, expect, it } from 'vitest';
import { ExamSession, createSession, flaggedCount, phase, reduce, seenCount } from '../../cli/exam/session.ts';
import { fakeCatalog, halfResult, prepare, runningSession } from './exam-fakes.ts';

const catalog = fakeCatalog(2);
const ids = ['deployment-1', 'observability-1', 'design-build-1'];
const T0 = 1_700_000_000_000;

describe('session reducer', () => {
  it('starts in setup with the plan fixed and no clock', () => {
    const s = createSession({ id: 'abcdef1234', kind: 'exam', createdAt: T0, seed: 7, minutes: 120, taskIds: ids });
    expect(phase(s)).toBe('setup');
    expect(s.deadline).toBeNull();
    expect(s.plan.map((e) => e.id)).toEqual(ids);
    expect(s.plan.every((e) => e.prefix === 'xabcde' && e.seed === 7)).toBe(true);
    expect(ExamSession.safeParse(s).success).toBe(true);
  });

  it('SETUP_DONE starts the clock from a fixed deadline and marks the first task seen', () => {
    const s = runningSession(catalog, ids, T0, 120);
    expect(phase(s)).toBe('running');
    expect(s.startedAt).toBe(T0);
    expect(s.deadline).toBe(T0 + 120 * 60_000);
    expect(s.tasks.map((t) => t.state)).toEqual(['seen', 'unseen', 'unseen']);
    expect(ExamSession.safeParse(s).success).toBe(true);
  });

  it('untimed sessions have no deadline', () => {
    const s = createSession({ id: 'abcdef1234', kind: 'drill', createdAt: T0, seed: 1, minutes: null, taskIds: ['deployment-1'] });
    const task = catalog.find((t) => t.id === 'deployment-1');
    if (!task) throw new Error('fixture');
    const started = reduce(s, { type: 'SETUP_DONE', tasks: [prepare(task, s.plan[0]!)], at: T0 });
    expect(started.deadline).toBeNull();
  });

  it('NEXT and PREV move within bounds and mark tasks seen; at the ends they change nothing', () => {
    const s = runningSession(catalog, ids, T0);
    expect(reduce(s, { type: 'PREV' })).toBe(s);
    const s1 = reduce(s, { type: 'NEXT' });
    expect(s1.current).toBe(1);
    expect(s1.tasks[1]?.state).toBe('seen');
    const s2 = reduce(reduce(s1, { type: 'NEXT' }), { type: 'NEXT' });
    expect(s2.current).toBe(2);
    expect(reduce(s2, { type: 'NEXT' })).toBe(s2);
    expect(reduce(s2, { type: 'PREV' }).current).toBe(1);
    expect(seenCount(s2)).toBe(3);
  });

  it('JUMP goes to a task by index and ignores indexes out of range', () => {
    const s = runningSession(catalog, ids, T0);
    const j = reduce(s, { type: 'JUMP', index: 2 });
    expect(j.current).toBe(2);
    expect(j.tasks[2]?.state).toBe('seen');
    expect(j.tasks[1]?.state).toBe('unseen');
    expect(reduce(s, { type: 'JUMP', index: 3 })).toBe(s);
    expect(reduce(s, { type: 'JUMP', index: -1 })).toBe(s);
  });

  it('TOGGLE_FLAG flags and unflags the current task', () => {
    const s = reduce(runningSession(catalog, ids, T0), { type: 'JUMP', index: 1 });
    const f = reduce(s, { type: 'TOGGLE_FLAG' });
    expect(f.tasks[1]?.flagged).toBe(true);
    expect(flaggedCount(f)).toBe(1);
    expect(reduce(f, { type: 'TOGGLE_FLAG' }).tasks[1]?.flagged).toBe(false);
  });

  it('END ends once; a timeout noticed late ends at the deadline; nothing moves afterwards', () => {
    const s = runningSession(catalog, ids, T0, 10);
    const late = reduce(s, { type: 'END', at: T0 + 99 * 60_000, reason: 'timeout' });
    expect(late.ended).toEqual({ at: T0 + 10 * 60_000, reason: 'timeout' });
    expect(phase(late)).toBe('grading');
    expect(reduce(late, { type: 'END', at: T0, reason: 'finished' })).toBe(late);
    expect(reduce(late, { type: 'NEXT' })).toBe(late);
    expect(reduce(late, { type: 'TOGGLE_FLAG' })).toBe(late);
  });

  it('GRADED attaches the report once, only after the end', () => {
    const s = runningSession(catalog, ids, T0);
    const report = { score: 2, maxScore: 5, percent: 40, tasks: [halfResult('deployment-1')] };
    expect(reduce(s, { type: 'GRADED', report })).toBe(s);
    const ended = reduce(s, { type: 'END', at: T0 + 1000, reason: 'finished' });
    const graded = reduce(ended, { type: 'GRADED', report });
    expect(phase(graded)).toBe('graded');
    expect(reduce(graded, { type: 'GRADED', report: { ...report, score: 5 } })).toBe(graded);
    expect(ExamSession.safeParse(graded).success).toBe(true);
  });

  it('TASK_RESET replaces a task but keeps whether it was seen and flagged', () => {
    const s = reduce(runningSession(catalog, ids, T0), { type: 'TOGGLE_FLAG' });
    const first = s.tasks[0];
    if (!first) throw new Error('fixture');
    const r = reduce(s, { type: 'TASK_RESET', task: { ...first, instructions: 'again' } });
    expect(r.tasks[0]).toMatchObject({ instructions: 'again', state: 'seen', flagged: true });
  });
});
