// The console clears away namespaces of finished sessions, never those of the exam in progress; an exam graded
// after its end shows what was changed after the end.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { labServices } from '../../cli/lab/services.ts';
import { finishExam } from '../../cli/exam/flow.ts';
import { createSession, newSessionId, reduce, sessionPrefix } from '../../cli/exam/session.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { kubectl, sandboxKube, waitFor } from './helpers.ts';

test('a new session removes earlier drills, keeps the exam in progress', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'ckad-lab-sessions-'));
  const services = labServices({}, stateDir);
  const kube = sandboxKube();
  const exists = async (name: string) => (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name })) !== undefined;
  const noProgress = () => {};

  const exam = createSession({ id: newSessionId(), kind: 'exam', createdAt: Date.now(), seed: 0, minutes: 120, taskIds: ['configmap-from-literals'] });
  expect(new ExamStore(stateDir).claim(exam).ok).toBe(true);
  const [examTask] = await services.setupTasks([{ id: 'configmap-from-literals', seed: 0, prefix: exam.prefix }], noProgress);
  const [oldDrill] = await services.setupTasks([{ id: 'configmap-from-literals', seed: 0, prefix: 'dold01' }], noProgress);
  const [newDrill] = await services.setupTasks([{ id: 'configmap-from-literals', seed: 0, prefix: 'dnew01' }], noProgress);

  await waitFor('the earlier drill cleared away', async () => !(await exists(oldDrill?.namespace as string)));
  expect(await exists(examTask?.namespace as string)).toBe(true);
  expect(await exists(newDrill?.namespace as string)).toBe(true);
});

test('an exam graded after time ran out lists what was changed after the end, by whom, and still scores it', async () => {
  const services = labServices({}, await mkdtemp(join(tmpdir(), 'ckad-lab-late-')));
  const prefix = sessionPrefix('exam', newSessionId());
  const [task] = await services.setupTasks([{ id: 'configmap-from-literals', seed: 0, prefix }], () => {});
  const ns = task!.namespace;
  await kubectl('create', 'configmap', 'app-config', '--from-literal=APP_COLOR=blue', '-n', ns);
  // The API records whole seconds: end the exam, then change things from the second after next on.
  const ended = Date.now();
  await new Promise((r) => setTimeout(r, 2000 - (ended % 1000)));
  await kubectl('patch', 'configmap', 'app-config', '-n', ns, '--type=merge', '-p', '{"data":{"APP_MODE":"prod"}}');

  const report = await services.grade([task!], { changedAfter: ended });
  const [result] = report.tasks;
  expect(result?.score).toBe(result?.maxScore);
  expect(result?.changedAfterEnd).toEqual([{ kind: 'ConfigMap', name: 'app-config', namespace: ns, manager: 'kubectl-patch', at: expect.any(Number) }]);
  expect(result!.changedAfterEnd![0]!.at).toBeGreaterThan(ended);

  // Without the option nothing is looked for.
  expect((await services.grade([task!])).tasks[0]?.changedAfterEnd).toBeUndefined();
});

test('an exam graded while the cluster did not answer keeps its namespaces and is re-graded at the next start', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'ckad-lab-regrade-'));
  const store = new ExamStore(stateDir);
  const services = labServices({}, stateDir);
  const kube = sandboxKube();
  const exists = async (name: string) => (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name })) !== undefined;
  const noProgress = () => {};

  const exam = createSession({ id: newSessionId(), kind: 'exam', createdAt: Date.now(), seed: 0, minutes: 120, taskIds: ['configmap-from-literals'] });
  expect(store.claim(exam).ok).toBe(true);
  const tasks = await services.setupTasks(exam.plan, noProgress);
  const [task] = tasks;
  await kubectl('-n', task!.namespace, 'create', 'configmap', 'app-config', `--from-literal=APP_COLOR=${task!.values.color}`, `--from-literal=APP_MODE=${task!.values.mode}`);
  // The exam ends while the API server does not answer: every check "could not grade".
  const reached = await services.grade(tasks);
  const down = { ...reached, score: 0, percent: 0, tasks: reached.tasks.map((t) => ({ ...t, score: 0, checks: t.checks.map((c) => ({ ...c, points: 0, passed: false, error: 'cannot reach the API server (ECONNREFUSED)' })) })) };
  const running = reduce(exam, { type: 'SETUP_DONE', tasks, at: Date.now() });
  const ended = reduce(reduce(running, { type: 'END', at: Date.now(), reason: 'finished' }), { type: 'GRADED', report: down });
  store.saveSession(ended);
  finishExam(store, ended);
  expect(store.historyRecord(exam.id)).toMatchObject({ percent: 0, ungraded: 2 });

  // A later session clears earlier ones away, but not the exam that still has to be graded.
  const [oldDrill] = await services.setupTasks([{ id: 'configmap-from-literals', seed: 0, prefix: 'dold02' }], noProgress);
  await services.setupTasks([{ id: 'configmap-from-literals', seed: 0, prefix: 'dnew02' }], noProgress);
  await waitFor('the earlier drill cleared away', async () => !(await exists(oldDrill!.namespace)));
  expect(await exists(task!.namespace)).toBe(true);

  // The next start, with the cluster answering, grades it again (in the background: the start does not wait).
  await services.ensureSandbox(noProgress);
  await waitFor('the exam re-graded', async () => store.historyRecord(exam.id)?.regradedAt);
  expect(store.historyRecord(exam.id)).toMatchObject({ percent: 100, passed: true, ungraded: 0 });

  // Once its namespace is gone, a re-grade says it cannot grade the task rather than scoring it 0.
  await kubectl('delete', 'namespace', task!.namespace, '--wait=true');
  const gone = await services.grade(tasks, { regrade: true });
  expect(gone.tasks[0]?.checks.every((c) => c.error?.includes('no longer exists'))).toBe(true);
});
