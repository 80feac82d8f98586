// Fakes for the exam console tests: a small catalog, LabServices over it, a frame waiter.
import { COMPETENCIES, DOMAINS, Task, taskPoints, type Competency, type Domain } from '../../tasks/schema.ts';
import type { GradeReport, TaskResult } from '../../graders/result.ts';
import type { LabServices, PreparedTask, TaskEntry } from '../../cli/exam/services.ts';
import { createSession, reduce, type ExamSession } from '../../cli/exam/session.ts';

/** The competencies of `domain`, in curriculum order. */
export const competenciesOf = (domain: Domain): Competency[] => (Object.keys(COMPETENCIES) as Competency[]).filter((c) => COMPETENCIES[c].domain === domain);

/** A task in `domain`; its competency is the domain's first unless `overrides` names one. */
export function fakeTask(id: string, domain: Domain, overrides: Partial<Record<string, unknown>> = {}): Task {
  return Task.parse({
    id,
    title: `Title of ${id}`,
    competency: competenciesOf(domain)[0],
    minutes: 6,
    namespaces: { ns: id },
    instructions: `Create a Deployment named web in namespace {{ns}} for ${id}.`,
    checks: [
      { name: 'deployment exists', points: 2, object: { kind: 'Deployment', name: 'web' }, expect: {} },
      { name: 'image is nginx:1.27', points: 3, object: { kind: 'Deployment', name: 'web' }, expect: { spec: {} } },
    ],
    solution: `kubectl -n {{ns}} create deployment web --image=nginx:1.27`,
    wrongSolutions: [{ name: 'nothing', script: 'true' }],
    hints: ['Use kubectl create deployment.', 'Mind the image tag.'],
    links: ['https://kubernetes.io/docs/concepts/workloads/controllers/deployment/'],
    ...overrides,
  });
}

/** `perDomain` tasks in every domain, ids like `deployment-2`, taking the domain's competencies in turn. */
export function fakeCatalog(perDomain = 6): Task[] {
  return (Object.keys(DOMAINS) as Domain[]).flatMap((d) => Array.from({ length: perDomain }, (_, i) => fakeTask(`${d}-${i + 1}`, d, { competency: competenciesOf(d)[i % competenciesOf(d).length] })));
}

export function prepare(task: Task, entry: TaskEntry): PreparedTask {
  const namespace = `${entry.prefix}-${task.namespaces.ns}`;
  return {
    ...entry,
    title: task.title,
    domain: task.domain,
    minutes: task.minutes,
    points: taskPoints(task),
    namespace,
    namespaces: { ns: namespace },
    values: { ns: namespace },
    instructions: task.instructions.replaceAll('{{ns}}', namespace),
    hints: task.hints,
    solution: task.solution.replaceAll('{{ns}}', namespace),
    links: task.links,
  };
}

/** A result where the first check passes and the second fails with expected/actual. */
export function halfResult(id: string): TaskResult {
  return {
    id,
    score: 2,
    maxScore: 5,
    checks: [
      { name: 'deployment exists', points: 2, maxPoints: 2, passed: true },
      { name: 'image is nginx:1.27', points: 0, maxPoints: 3, passed: false, path: 'spec.template.spec.containers[web].image', expected: 'nginx:1.27', actual: 'nginx:1.25', message: 'update the image' },
    ],
  };
}

export type FakeServices = LabServices & { calls: string[] };

export function fakeServices(catalog: readonly Task[] = fakeCatalog(), grade?: (tasks: readonly PreparedTask[]) => GradeReport): FakeServices {
  const calls: string[] = [];
  const byId = new Map(catalog.map((t) => [t.id, t]));
  const find = (id: string): Task => {
    const t = byId.get(id);
    if (!t) throw new Error(`no task ${id}`);
    return t;
  };
  return {
    calls,
    tasks: async () => catalog,
    kubeconfigEnv: () => 'export KUBECONFIG=/tmp/ckad-lab-test/kubeconfig',
    sandboxStatus: async () => ({ running: true, detail: 'fake cluster' }),
    ensureSandbox: async (onProgress) => {
      calls.push('ensureSandbox');
      onProgress({ label: 'ready', done: 1, total: 1 });
    },
    setupTasks: async (entries, onProgress) => {
      calls.push(`setup:${entries.map((e) => e.id).join(',')}`);
      return entries.map((e, i) => {
        onProgress({ label: `Setting up ${e.id}`, done: i + 1, total: entries.length });
        return prepare(find(e.id), e);
      });
    },
    grade: async (tasks) => {
      calls.push(`grade:${tasks.map((t) => t.id).join(',')}`);
      if (grade) return grade(tasks);
      const results = tasks.map((t) => halfResult(t.id));
      const score = results.reduce((s, r) => s + r.score, 0);
      const maxScore = results.reduce((s, r) => s + r.maxScore, 0);
      return { score, maxScore, percent: (score / maxScore) * 100, tasks: results };
    },
    resetTask: async (task) => {
      calls.push(`reset:${task.id}`);
      return { ...task };
    },
  };
}

/** A running exam session over `ids` (tasks from `catalog`), started at `at`. */
export function runningSession(catalog: readonly Task[], ids: readonly string[], at: number, minutes = 120): ExamSession {
  const created = createSession({ id: 'abcdef1234', kind: 'exam', createdAt: at, seed: 42, minutes, taskIds: ids });
  const tasks = created.plan.map((e) => {
    const task = catalog.find((t) => t.id === e.id);
    if (!task) throw new Error(`no task ${e.id}`);
    return prepare(task, e);
  });
  return reduce(created, { type: 'SETUP_DONE', tasks, at });
}

/**
 * Poll `lastFrame` until it satisfies `want` (a substring or a predicate), for at most `timeoutMs`. A
 * condition, never a fixed sleep: it returns as soon as the frame is there.
 */
export async function waitForFrame(lastFrame: () => string | undefined, want: string | RegExp | ((frame: string) => boolean), timeoutMs = 3000): Promise<string> {
  return waitFor(
    () => {
      const frame = lastFrame() ?? '';
      const ok = typeof want === 'string' ? frame.includes(want) : want instanceof RegExp ? want.test(frame) : want(frame);
      return ok ? frame : undefined;
    },
    timeoutMs,
    () => `a frame matching ${String(want)}; the last frame was:\n${lastFrame() ?? '(none)'}`,
  );
}

export async function waitFor<T>(probe: () => T | undefined, timeoutMs = 3000, what: () => string = () => 'a condition'): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
