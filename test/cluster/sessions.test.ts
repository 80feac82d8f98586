// The console clears away namespaces of finished sessions, never those of the exam in progress.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { labServices } from '../../cli/lab/services.ts';
import { createSession, newSessionId } from '../../cli/exam/session.ts';
import { ExamStore } from '../../cli/exam/store.ts';
import { sandboxKube, waitFor } from './helpers.ts';

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
