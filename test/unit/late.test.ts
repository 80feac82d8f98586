// Changes after the end of an exam, read from managedFields: which writes are the candidate's, and when.
import { describe, expect, test } from 'vitest';
import { changesAfter } from '../../graders/late.ts';
import { CouldNotGrade } from '../../graders/reader.ts';
import { gradeOptions } from '../../cli/exam/flow.ts';
import { renderTextReport } from '../../cli/report/text.ts';
import { toJUnit } from '../../cli/report/junit.ts';
import { FakeReader } from './fake-reader.ts';
import { runningSession, fakeCatalog } from './exam-fakes.ts';
import { historyRecord } from '../../cli/exam/history.ts';
import { reduce } from '../../cli/exam/session.ts';

const END = Date.parse('2026-11-22T10:00:00.400Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const object = (kind: string, apiVersion: string, name: string, namespace: string, fields: { manager: string; time: number; subresource?: string }[]) => ({
  apiVersion,
  kind,
  metadata: { name, namespace, managedFields: fields.map((f) => ({ manager: f.manager, operation: 'Update', time: iso(f.time), ...(f.subresource ? { subresource: f.subresource } : {}) })) },
});

describe('changesAfter', () => {
  test("a person's writes after the end are found; the cluster's own, status writes and earlier ones are not", async () => {
    const reader = new FakeReader([
      object('Deployment', 'apps/v1', 'web', 'x1-app', [
        { manager: 'kubectl-create', time: END - 600_000 },
        { manager: 'kubectl-edit', time: END + 65_000 },
        { manager: 'kube-controller-manager', time: END + 70_000 },
        { manager: 'kubectl', time: END + 80_000, subresource: 'status' },
      ]),
      object('ConfigMap', 'v1', 'late', 'x1-app', [{ manager: 'kubectl-create', time: END + 5_000 }]),
      object('Pod', 'v1', 'web-abc', 'x1-app', [{ manager: 'kube-controller-manager', time: END + 1_000 }, { manager: 'kwok', time: END + 2_000, subresource: 'status' }]),
      object('Secret', 'v1', 'setup', 'x1-app', [{ manager: 'ckad-lab', time: END + 3_000 }]),
      object('ConfigMap', 'v1', 'elsewhere', 'other', [{ manager: 'kubectl-create', time: END + 5_000 }]),
    ]);
    const found = await changesAfter(reader, ['x1-app'], END);
    expect(found).toEqual([
      { kind: 'ConfigMap', name: 'late', namespace: 'x1-app', manager: 'kubectl-create', at: Date.parse('2026-11-22T10:00:05Z') },
      { kind: 'Deployment', name: 'web', namespace: 'x1-app', manager: 'kubectl-edit', at: Date.parse('2026-11-22T10:01:05Z') },
    ]);
  });

  test('the API keeps whole seconds: a write in the second the exam ended is not counted, the next second is', async () => {
    const reader = new FakeReader([
      object('ConfigMap', 'v1', 'same-second', 'ns', [{ manager: 'kubectl-create', time: END + 500 }]),
      object('ConfigMap', 'v1', 'next-second', 'ns', [{ manager: 'kubectl-create', time: END + 600 }]),
    ]);
    expect((await changesAfter(reader, ['ns'], END)).map((c) => c.name)).toEqual(['next-second']);
  });

  test('a kind the cluster does not serve is skipped; other API trouble is not hidden', async () => {
    const reader = new FakeReader([]);
    reader.failWith = new CouldNotGrade('does not serve HorizontalPodAutoscaler');
    expect(await changesAfter(reader, ['ns'], END)).toEqual([]);
    reader.failWith = new Error('socket hang up');
    await expect(changesAfter(reader, ['ns'], END)).rejects.toThrow('socket hang up');
  });
});

describe('when late changes are looked for', () => {
  const catalog = fakeCatalog(1);
  const session = runningSession(catalog, ['deployment-1'], END - 3_600_000, 60);
  test('time ran out: always, from the deadline', () => {
    const ended = reduce(session, { type: 'END', at: END + 3_600_000, reason: 'timeout' });
    expect(gradeOptions(ended, END + 3_600_000)).toEqual({ changedAfter: ended.ended!.at });
    expect(ended.ended!.at).toBe(session.deadline);
  });
  test('ended by the candidate: only when graded well after the end', () => {
    const ended = reduce(session, { type: 'END', at: END, reason: 'finished' });
    expect(gradeOptions(ended, END + 2_000)).toEqual({});
    expect(gradeOptions(ended, END + 3_600_000)).toEqual({ changedAfter: END });
    expect(gradeOptions(session, END)).toEqual({});
  });
});

test('the report says how many changes came after the end and marks each under its task', () => {
  const catalog = fakeCatalog(1);
  const session = reduce(runningSession(catalog, ['deployment-1'], END - 3_600_000, 60), { type: 'END', at: END, reason: 'timeout' });
  const change = { kind: 'Deployment', name: 'web', namespace: session.tasks[0]!.namespace, manager: 'kubectl-edit', at: END + 65_000 };
  const graded = reduce(session, {
    type: 'GRADED',
    report: { score: 5, maxScore: 5, percent: 100, tasks: [{ id: 'deployment-1', score: 5, maxScore: 5, checks: [{ name: 'deployment exists', points: 5, maxPoints: 5, passed: true }], changedAfterEnd: [change] }] },
  });
  const record = historyRecord(graded)!;
  const text = renderTextReport(record);
  expect(text).toContain('Warning: 1 change was made after the exam ended (marked ⚠)');
  expect(text).toMatch(/⚠ changed after the end: Deployment web at \d\d:\d\d:\d\d by kubectl-edit/);
  expect(toJUnit(record.report, record.tasks)).toMatch(/<property name="changed-after-end" value="Deployment web at \d\d:\d\d:\d\d by kubectl-edit"\/>/);
});
