// Setting tasks up in a cluster, grading them, and running shell scripts (reference and wrong solutions)
// with real kubectl. The cluster is always reached through a `Kube` from sandbox/kube.ts.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Baseline, captureBaseline, gradeTasks } from '../../graders/engine.ts';
import { isNamespaced, resolveApiVersion } from '../../graders/kinds.ts';
import { match } from '../../graders/match.ts';
import type { GradeReport } from '../../graders/result.ts';
import { CouldNotGrade, type KubeObject } from '../../graders/reader.ts';
import { renderTask } from '../../tasks/render.ts';
import { taskPoints, type SetupStep, type Task } from '../../tasks/schema.ts';
import { UserError } from '../../sandbox/errors.ts';
import { helmEnv } from '../../sandbox/helm.ts';
import { readerFor, type Kube } from '../../sandbox/kube.ts';
import { poll } from '../../graders/poll.ts';
import { KEYS, MANAGED_BY } from '../../sandbox/labels.ts';
import { setContainerLogs } from '../../sandbox/logs.ts';
import { createNamespace } from '../../sandbox/namespaces.ts';
import { removeNamespaces } from '../../sandbox/sandbox.ts';
import { createSetupObject, removeTaskClusterObjects, type Owner } from '../../sandbox/cluster-objects.ts';
import type { PreparedTask, TaskEntry } from '../exam/services.ts';

/** How a session names its namespaces: prefix `alice` makes `config-lab` into `alice-config-lab`. */
export const renderPrefix = (prefix: string): string => (prefix ? `${prefix}-` : '');

export type RunnerContext = {
  kube: Kube;
  /** Directory holding the v1.35 kubectl (put first on PATH for scripts), if known. */
  kubectlDir?: string;
  /** Directory holding helm (on PATH for scripts, after kubectl), if known. */
  helmDir?: string;
  /** Root of the candidates' working directories (sandbox/paths.ts workDir()). */
  workRoot: string;
};

/** The task as set up for `entry` (its seed's values, its prefix's namespaces, its working directory). */
export function renderEntry(task: Task, entry: Pick<TaskEntry, 'seed' | 'prefix'>, workRoot: string) {
  return renderTask(task, { seed: entry.seed === 0 ? undefined : entry.seed, prefix: renderPrefix(entry.prefix), workdir: workRoot });
}

/**
 * Sets a task up from scratch: recreates its namespaces (only ones ckad-lab created may be deleted), runs its
 * setup steps, records the baseline for `unchanged` checks, and returns what the candidate needs to see.
 * Seed 0 means the task's canonical values.
 */
export async function setupTask(ctx: RunnerContext, task: Task, entry: TaskEntry, labels: Record<string, string> = {}): Promise<PreparedTask> {
  const { kube } = ctx;
  kube.assertMayMutate(`set up task ${task.id}`);
  const { task: rendered, values } = renderEntry(task, entry, ctx.workRoot);
  const namespaces = Object.keys(task.namespaces).map((key) => values[key] as string);
  const main = values.ns as string;

  await removeNamespaces(kube, namespaces);
  await removeTaskClusterObjects(kube, rendered, { task: task.id, prefix: entry.prefix });
  for (const ns of namespaces) {
    await createNamespace(kube, {
      name: ns,
      labels: { ...labels, [MANAGED_BY.key]: MANAGED_BY.value, [KEYS.task]: task.id, [KEYS.prefix]: entry.prefix || 'none' },
      annotations: ns === main ? { [KEYS.task]: task.id, [KEYS.seed]: String(entry.seed), [KEYS.prefix]: entry.prefix, [KEYS.values]: JSON.stringify(values) } : { [KEYS.task]: task.id },
    });
  }
  const workdir = values.workdir as string;
  await rm(workdir, { recursive: true, force: true });
  await mkdir(workdir, { recursive: true });

  for (const [index, step] of rendered.setup.entries()) {
    try {
      await runSetupStep(ctx, step, main, workdir, { task: task.id, prefix: entry.prefix });
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UserError(`Setup of task ${task.id} failed at setup[${index}]: ${(error as Error).message}`, { hint: 'This is a bug in the task (or the cluster is unhealthy: `ckad-lab sandbox status`).' });
    }
  }

  const baseline = await captureBaseline(rendered, readerFor(kube));
  if (Object.keys(baseline.objects).length > 0) {
    await kube.patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: main, annotations: { [KEYS.baseline]: JSON.stringify(baseline) } } }, 'merge', `record the setup baseline of ${task.id}`);
  }
  return prepared(rendered, task, entry, values);
}

function prepared(rendered: Task, task: Task, entry: TaskEntry, values: Record<string, string>): PreparedTask {
  const namespaces = Object.fromEntries(Object.keys(task.namespaces).map((k) => [k, values[k] as string]));
  return {
    id: task.id,
    seed: entry.seed,
    prefix: entry.prefix,
    title: rendered.title,
    domain: task.domain,
    minutes: task.minutes,
    points: taskPoints(task),
    namespace: values.ns as string,
    namespaces,
    values,
    instructions: rendered.instructions.trim(),
    hints: rendered.hints,
    solution: rendered.solution.trim(),
    links: rendered.links,
  };
}

/** The same task as `setupTask` would return it, without touching the cluster (for resume and reports). */
export function describeTask(task: Task, entry: TaskEntry, workRoot: string): PreparedTask {
  const { task: rendered, values } = renderEntry(task, entry, workRoot);
  return prepared(rendered, task, entry, values);
}

async function runSetupStep(ctx: RunnerContext, step: SetupStep, namespace: string, workdir: string, owner: Owner): Promise<void> {
  const { kube } = ctx;
  if ('apply' in step) {
    for (const doc of parseAllDocuments(step.apply)) {
      if (doc.errors.length > 0) throw new Error(`invalid manifest: ${doc.errors[0]?.message}`);
      const object = doc.toJS() as KubeObject | null;
      if (!object) continue;
      await createSetupObject(kube, object, namespace, owner);
    }
  } else if ('patch' in step) {
    const { kind, name, type, patch, apiVersion, namespace: ns } = step.patch;
    const target = { apiVersion: resolveApiVersion(kind, apiVersion), kind, metadata: { name, ...(isNamespaced(kind) ? { namespace: ns ?? namespace } : {}) } };
    await kube.patch(target, type, `patch ${kind} ${name}`, patch);
  } else if ('wait' in step) {
    await waitFor(ctx, step.wait, namespace);
  } else if ('file' in step) {
    const path = resolve(workdir, step.file.path);
    if (!path.startsWith(workdir + sep)) throw new Error(`file path ${step.file.path} leaves the working directory`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, step.file.content);
  } else if ('logs' in step) {
    await setContainerLogs(kube, { ...step.logs, namespace: step.logs.namespace ?? namespace });
  } else if ('run' in step) {
    const result = await runScript(ctx, step.run, workdir, 120_000);
    if (result.code !== 0) throw new Error(`setup command exited ${result.code}: ${result.output.trim().split('\n').slice(-5).join(' | ')}`);
  }
}

type WaitSpec = Extract<SetupStep, { wait: unknown }>['wait'];

const CONDITIONS: Record<string, Record<string, unknown>> = {
  exists: {},
  podsReady: { status: { conditions: { $findBy: 'type', items: [{ type: 'Ready', status: 'True' }] } } },
  jobComplete: { status: { conditions: { $findBy: 'type', items: [{ type: 'Complete', status: 'True' }] } } },
};

/** Whether a Deployment (or StatefulSet) has finished rolling out, the way `kubectl rollout status` decides. */
export function rolloutComplete(obj: KubeObject): boolean {
  const spec = (obj.spec ?? {}) as { replicas?: number; paused?: boolean };
  const status = (obj.status ?? {}) as { observedGeneration?: number; updatedReplicas?: number; replicas?: number; availableReplicas?: number };
  const generation = (obj.metadata as { generation?: number } | undefined)?.generation ?? 0;
  const want = spec.replicas ?? 1;
  return (status.observedGeneration ?? 0) >= generation && (status.updatedReplicas ?? 0) === want && (status.replicas ?? 0) === want && (status.availableReplicas ?? 0) === want;
}

async function waitFor(ctx: RunnerContext, spec: WaitSpec, namespace: string): Promise<void> {
  const ref = { apiVersion: resolveApiVersion(spec.kind, spec.apiVersion), kind: spec.kind, name: spec.name, ...(isNamespaced(spec.kind) ? { namespace: spec.namespace ?? namespace } : {}) };
  let last = 'it does not exist';
  const done = await poll(async () => {
    const obj = await ctx.kube.get(ref);
    if (!obj) return undefined;
    const failures = [
      ...(spec.condition === 'rolloutComplete' ? (rolloutComplete(obj) ? [] : [{ path: 'status', expected: 'rollout complete', actual: JSON.stringify(obj.status ?? {}).slice(0, 200), message: '' }]) : []),
      ...(spec.condition && spec.condition !== 'rolloutComplete' ? match(CONDITIONS[spec.condition], obj) : []),
      ...(spec.for ? match(spec.for, obj) : []),
    ];
    if (failures.length === 0) return true;
    last = failures.map((f) => `${f.path}: expected ${f.expected}, got ${f.actual}`).join('; ');
    return undefined;
  }, { timeoutMs: spec.timeoutSeconds * 1000, intervalMs: 50, maxIntervalMs: 500 });
  if (!done) throw new Error(`timed out after ${spec.timeoutSeconds} s waiting for ${spec.kind} ${spec.name}: ${last}`);
}

export type ScriptResult = { code: number; output: string; timedOut: boolean };

/**
 * Runs a shell script the way a candidate would type it: bash with `set -euo pipefail`, KUBECONFIG pointing at
 * the cluster (for a foreign context, a private kubeconfig holding just that context), the v1.35 kubectl first
 * on PATH and helm after it, in the task's working directory. On the sandbox helm uses the sandbox's Helm home
 * (where the `lab` repository is added), as after `sandbox env`.
 */
export async function runScript(ctx: RunnerContext, script: string, cwd: string, timeoutMs = 60_000): Promise<ScriptResult> {
  const { kube } = ctx;
  let kubeconfig = kube.kubeconfigPath;
  let scratch: string | undefined;
  if (!kube.ownedBySandbox) {
    scratch = await mkdtemp(join(tmpdir(), 'ckad-lab-'));
    kubeconfig = join(scratch, 'kubeconfig');
    await writeFile(kubeconfig, kube.kc.exportConfig(), { mode: 0o600 });
  }
  await mkdir(cwd, { recursive: true });
  try {
    return await new Promise<ScriptResult>((resolvePromise) => {
      const path = [ctx.kubectlDir, ctx.helmDir, process.env.PATH ?? ''].filter((d) => d !== undefined).join(':');
      const helm = kube.ownedBySandbox ? helmEnv() : {};
      const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { cwd, env: { ...process.env, ...helm, KUBECONFIG: kubeconfig, PATH: path }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let output = '';
      const collect = (d: Buffer) => (output = (output + d).slice(-20_000));
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolvePromise({ code: code ?? 1, output, timedOut });
      });
    });
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

export type SetupRecord = { task: Task; entry: TaskEntry; baseline: Baseline | undefined; found: boolean };

/**
 * How a task was set up on this cluster, read back from its main namespace's annotations. Without them (the
 * namespace is gone, or was never set up) the task is graded with the entry given, and everything it asks for
 * is simply missing.
 */
export async function setupRecord(kube: Kube, task: Task, entry: TaskEntry, workRoot: string): Promise<SetupRecord> {
  const { values } = renderEntry(task, entry, workRoot);
  let ns: KubeObject | undefined;
  try {
    ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: values.ns as string });
  } catch (error) {
    // Cannot read it (401/403, unreachable): grading goes on, and each check reports why it could not grade.
    if (error instanceof CouldNotGrade) return { task, entry, baseline: undefined, found: false };
    throw error;
  }
  const annotations = ns?.metadata?.annotations ?? {};
  if (!ns || annotations[KEYS.task] !== task.id) return { task, entry, baseline: undefined, found: false };
  const seed = Number(annotations[KEYS.seed] ?? entry.seed);
  let baseline: Baseline | undefined;
  if (annotations[KEYS.baseline]) {
    // Anyone may edit an annotation: one that does not parse is as good as none (unchanged checks then say so).
    let json: unknown;
    try {
      json = JSON.parse(annotations[KEYS.baseline] as string);
    } catch {
      json = undefined;
    }
    const parsed = Baseline.safeParse(json);
    if (parsed.success) baseline = parsed.data;
  }
  return { task, entry: { ...entry, seed: Number.isFinite(seed) ? seed : entry.seed }, baseline, found: true };
}

/** Grades set-up tasks against the cluster, read-only. `waitMs` bounds how long settling checks may poll. */
export async function gradeRecords(kube: Kube, records: readonly SetupRecord[], workRoot: string, waitMs = 10_000): Promise<GradeReport> {
  const rendered = records.map((r) => renderEntry(r.task, r.entry, workRoot).task);
  const baseline = Object.fromEntries(records.filter((r) => r.baseline).map((r) => [r.task.id, r.baseline as Baseline]));
  return gradeTasks(rendered, { reader: readerFor(kube), baseline, deadline: Date.now() + waitMs });
}

