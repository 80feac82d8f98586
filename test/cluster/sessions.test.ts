// The console clears away namespaces of finished sessions, never those of the exam in progress; an exam graded
// after its end shows what was changed after the end.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { labServices } from '../../cli/lab/services.ts';
import { createSession, newSessionId, sessionPrefix } from '../../cli/exam/session.ts';
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
