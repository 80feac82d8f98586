// The real LabServices the exam console uses: the sandbox (or --context), the runner, the grader engine.
import type { GradeOptions, LabServices, OnProgress, PreparedTask, TaskEntry } from '../exam/services.ts';
import type { GradeReport } from '../../graders/result.ts';
import type { WorkerServices } from './channel.ts';
import { regradePending, ungradedExams } from '../exam/regrade.ts';
import type { Task } from '../../tasks/schema.ts';
import { removeNamespaces, sandboxPaths, sandboxStatus } from '../../sandbox/sandbox.ts';
import { removeOrphanClusterObjects } from '../../sandbox/cluster-objects.ts';
import { catalog, findTasks, openLab, type ClusterFlags, type LabConnection } from './open.ts';
import { gradeRecords, setupRecord, setupTask } from './runner.ts';
import { ExamStore } from '../exam/store.ts';
import { readerFor, type Kube } from '../../sandbox/kube.ts';
import { KEYS, MANAGED_SELECTOR } from '../../sandbox/labels.ts';
import { changesAfter } from '../../graders/late.ts';
import type { SandboxProgress } from '../../sandbox/sandbox.ts';

/**
 * `stateDir` is where exam sessions live: namespaces of the exam in progress are never cleared away, even
 * while a drill runs.
 */
export function labServices(flags: ClusterFlags, stateDir: string): LabServices & WorkerServices {
  let lab: LabConnection | undefined;
  let tasks: Promise<Task[]> | undefined;
  const connected = async (): Promise<LabConnection> => (lab ??= await openLab(flags));
  const allTasks = (): Promise<Task[]> => (tasks ??= catalog());
  let regrading: Promise<string[]> | undefined;

  const services = {
    tasks: () => allTasks(),
    kubeconfigEnv: () => `export KUBECONFIG=${lab?.kube.kubeconfigPath ?? sandboxPaths().kubeconfig}`,
    async sandboxStatus() {
      if (flags.context !== undefined) return { running: true, detail: `context ${flags.context}` };
      const s = await sandboxStatus();
      const detail =
        s.state === 'running'
          ? `Kubernetes ${s.kubernetesVersion} at ${s.server}`
          : s.state === 'absent'
            ? 'no sandbox yet: it is built once and started on first use'
            : `sandbox ${s.state}${s.components.some((c) => !c.alive) ? ` (${s.components.filter((c) => !c.alive).map((c) => c.name).join(', ')} down)` : ''}`;
      return { running: s.state === 'running', detail };
    },
    async ensureSandbox(onProgress: OnProgress) {
      lab = await openLab(flags, { ensureSandbox: true, onProgress: toProgress(onProgress) });
      // The cluster answers: an exam that ended while it did not is graded again now, alongside whatever comes
      // next rather than before it (a settling check may poll for seconds). Its namespaces are safe meanwhile:
      // a setup's clean-up keeps those of ungraded exams (staleSessionNamespaces).
      regrading ??= regradePending(services, new ExamStore(stateDir), Date.now()).finally(() => (regrading = undefined));
    },
    /** `definitions`: the entries' tasks, in order, when the caller has already read them (the lab worker's console). */
    async setupTasks(entries: readonly TaskEntry[], onProgress: OnProgress, definitions?: readonly Task[]): Promise<PreparedTask[]> {
      const { runner } = await connected();
      const chosen = definitions ?? findTasks(await allTasks(), entries.map((e) => e.id));
      let done = 0;
      onProgress({ label: `Setting up ${entries.length} task(s)`, done, total: entries.length });
      // Decided before anything new exists, so the clean-up can never take a namespace being set up now.
      const stale = await staleSessionNamespaces(runner.kube, new Set(entries.map((e) => e.prefix)), stateDir);
      // In parallel: each task has its own namespaces, and the API server is the only shared resource.
      const prepared = await Promise.all(
        entries.map(async (entry, i) => {
          const one = await setupTask(runner, chosen[i] as Task, entry, { [KEYS.console]: 'true' });
          onProgress({ label: `Set up ${entry.id}`, done: ++done, total: entries.length });
          return one;
        }),
      );
      // Afterwards and in the background, so the first task shows at once.
      // Then the cluster-scoped objects of the sessions whose namespaces are gone (sandbox/cluster-objects.ts).
      void removeNamespaces(runner.kube, stale).then(() => removeOrphanClusterObjects(runner.kube)).catch(() => {
        // Best effort: what is left is found again by the next session.
      });
      return prepared;
    },
    async grade(prepared: readonly PreparedTask[], options: GradeOptions = {}): Promise<GradeReport> {
      const { kube, runner } = await connected();
      const chosen = findTasks(await allTasks(), prepared.map((p) => p.id));
      const records = await Promise.all(prepared.map((p, i) => setupRecord(kube, chosen[i] as Task, { id: p.id, seed: p.seed, prefix: p.prefix }, runner.workRoot)));
      const graded = await gradeRecords(kube, records, runner.workRoot);
      const gone = new Set(options.regrade ? records.filter((r) => !r.found).map((r) => r.entry.id) : []);
      const report = gone.size === 0 ? graded : withoutNamespaces(graded, gone, prepared);
      if (options.changedAfter === undefined) return report;
      const late = await changesAfter(readerFor(kube), prepared.flatMap((p) => Object.values(p.namespaces)), options.changedAfter);
      const ownerOf = new Map(prepared.flatMap((p) => Object.values(p.namespaces).map((ns) => [ns, p.id] as const)));
      return { ...report, tasks: report.tasks.map((t) => ({ ...t, changedAfterEnd: late.filter((c) => ownerOf.get(c.namespace) === t.id) })) };
    },
    async resetTask(task: PreparedTask) {
      const { runner } = await connected();
      const [chosen] = findTasks(await allTasks(), [task.id]) as [Task];
      return setupTask(runner, chosen, { id: task.id, seed: task.seed, prefix: task.prefix }, { [KEYS.console]: 'true' });
    },
  };
  return services;
}

/** A re-grade of tasks whose namespace is gone: their checks could not be graded, rather than all failed. */
function withoutNamespaces(report: GradeReport, gone: Set<string>, prepared: readonly PreparedTask[]): GradeReport {
  const namespaceOf = new Map(prepared.map((p) => [p.id, p.namespace]));
  const tasks = report.tasks.map((t) =>
    gone.has(t.id)
      ? { ...t, score: 0, checks: t.checks.map((c) => (c.error !== undefined ? c : { name: c.name, points: 0, maxPoints: c.maxPoints, passed: false, error: `namespace ${namespaceOf.get(t.id) ?? '?'} no longer exists (deleted, or the sandbox was reset), so it cannot be graded again` })) }
      : t,
  );
  const score = tasks.reduce((n, t) => n + t.score, 0);
  return { ...report, tasks, score, percent: report.maxScore > 0 ? (score / report.maxScore) * 100 : 0 };
}

/**
 * Namespaces of earlier console sessions (finished or abandoned exams, earlier drills): removed once a new
 * session is set up. Those of `keep` and of the exam in progress stay.
 */
async function staleSessionNamespaces(kube: Kube, keep: Set<string>, stateDir: string): Promise<string[]> {
  let active: string | undefined;
  try {
    active = new ExamStore(stateDir).active()?.session?.prefix;
  } catch {
    return []; // The in-progress exam cannot be read, so nothing is provably stale: clean up another time.
  }
  if (active) keep.add(active);
  // Exams that could not be graded keep their namespaces until they are (see cli/exam/regrade.ts).
  try {
    for (const { prefix } of ungradedExams(new ExamStore(stateDir))) if (prefix) keep.add(prefix);
  } catch {
    return [];
  }
  return (await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: `${MANAGED_SELECTOR},${KEYS.console}=true` }))
    .filter((ns) => !keep.has(ns.metadata?.labels?.[KEYS.prefix] ?? '') && !ns.metadata?.deletionTimestamp)
    .map((ns) => ns.metadata?.name as string);
}

function toProgress(onProgress: OnProgress): (p: SandboxProgress) => void {
  return (p) => {
    if (p.build) {
      const b = p.build;
      onProgress({ label: b.phase === 'compiling' ? `Building ${b.component} (one time, cached afterwards)` : `Building ${b.component}: ${b.phase}`, done: b.done ?? 0, total: b.total ?? 0 });
    } else {
      onProgress({ label: p.step, done: 0, total: 0 });
    }
  };
}
