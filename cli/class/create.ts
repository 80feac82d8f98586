// `class create`: the class's rights and nodes, every candidate's tasks set up in her own namespaces, the record,
// and a kubeconfig per candidate.
import { mkdir } from 'node:fs/promises';
import { UserError } from '../../sandbox/errors.ts';
import { ensureNodes } from '../../sandbox/nodes.ts';
import type { Task } from '../../tasks/schema.ts';
import { setupTask, type RunnerContext } from '../lab/runner.ts';
import { candidateTasks, put, writeRecord } from './cluster.ts';
import { issueKubeconfig } from './credentials.ts';
import { CANDIDATE_LABEL, CLASS_LABEL, candidatePrefix, classNamespace, type Candidate, type ClassRecord } from './record.ts';
import { classLabels, classObjects, customResourceGroups, serviceAccount, taskNamespaceBindings, unsupportedInClass } from './rights.ts';

/**
 * Task setups at once. Most of a setup is waiting (for a rollout, a Pod's stage); 32 keeps two cores busy
 * (measured: a class of 30 × 16 on the sandbox, 16 at once 79.6 s, 32 at once 60.7 s).
 */
const DEFAULT_CONCURRENCY = 32;

/** How long a task's setup takes, roughly: a script (helm, kubectl) costs most, then each wait. */
const setupWeight = (task: Task): number => task.setup.reduce((sum, step) => sum + ('run' in step ? 10 : 'wait' in step ? 3 : 1), 0);

export type CreateOptions = {
  name: string;
  candidates: readonly string[];
  tasks: readonly Task[];
  seeds: ReadonlyMap<string, number>;
  minutes: number;
  outDir: string;
  /** Parallel task setups (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  onProgress?: (line: string) => void;
  now?: () => number;
};

export type CreatedClass = { record: ClassRecord; kubeconfigs: Map<string, string>; warnings: string[] };

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export async function createClass(runner: RunnerContext, opts: CreateOptions): Promise<CreatedClass> {
  const { kube } = runner;
  const now = opts.now ?? Date.now;
  const say = opts.onProgress ?? (() => {});
  kube.assertMayMutate(`create class ${opts.name}`);
  const refused = opts.tasks.map(unsupportedInClass).filter((m): m is string => m !== undefined);
  if (refused.length > 0) throw new UserError(`These tasks cannot be part of a class:\n${refused.map((r) => `  ${r}`).join('\n')}`, { hint: 'Leave them out of --tasks (an --exam draw skips them).', exitCode: 2 });
  if (await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: classNamespace(opts.name) })) {
    throw new UserError(`Class "${opts.name}" already exists on context "${kube.context}".`, { hint: `Grade it with \`ckad-lab class grade ${opts.name}\`, or remove it first: ckad-lab class delete ${opts.name}`, exitCode: 2 });
  }
  const candidates: Candidate[] = opts.candidates.map((name) => ({ name, prefix: candidatePrefix(opts.name, name), seed: opts.seeds.get(name) ?? 0 }));
  // Every namespace name must fit, and no two tasks may share one, before anything is created.
  const owners = new Map<string, string>();
  for (const task of opts.tasks) {
    for (const ns of Object.values(candidateTasks({ tasks: [task.id] }, candidates[0] as Candidate, opts.tasks, runner.workRoot)[0]?.namespaces ?? {})) {
      const other = owners.get(ns);
      if (other) throw new UserError(`Tasks ${other} and ${task.id} both use namespace ${ns}: they cannot be in one class.`, { hint: 'Leave one of them out of --tasks.', exitCode: 2 });
      owners.set(ns, task.id);
    }
  }
  const long = candidates.flatMap((c) => candidateTasks({ tasks: opts.tasks.map((t) => t.id) }, c, opts.tasks, runner.workRoot).flatMap((p) => Object.values(p.namespaces))).filter((n) => n.length > 63);
  if (long.length > 0) throw new UserError(`Namespace names would be longer than 63 characters (${long[0]}).`, { hint: 'Use a shorter class name or shorter candidate names.', exitCode: 2 });

  say(`Creating class ${opts.name}: ${candidates.length} candidates × ${opts.tasks.length} tasks on context "${kube.context}"`);
  if (kube.ownedBySandbox) {
    const nodes = classNodeNames(opts.name, candidates.length);
    say(`  adding ${nodes.length} nodes (${nodes[0]}${nodes.length > 1 ? ` to ${nodes.at(-1)}` : ''}), one per candidate, so everyone's Pods fit`);
    await ensureNodes(kube, nodes, classLabels(opts.name));
  }
  const customGroups = [...new Set(opts.tasks.flatMap((t) => customResourceGroups(t)))];
  for (const object of classObjects(opts.name, { customGroups })) await put(kube, object);
  await Promise.all(candidates.map((c) => put(kube, serviceAccount(opts.name, c.name))));
  // Recorded before setup, so an interrupted create can still be deleted by name.
  const provisional: ClassRecord = { name: opts.name, tasks: opts.tasks.map((t) => t.id), candidates, startsAt: now(), endsAt: now() + opts.minutes * 60_000, minutes: opts.minutes };
  await writeRecord(kube, provisional);

  // The slowest setups first, everyone's at once, so the quick ones fill the end instead of one slow one alone.
  const jobs = [...opts.tasks].sort((a, b) => setupWeight(b) - setupWeight(a)).flatMap((task) => candidates.map((c) => ({ c, task })));
  let done = 0;
  await mapLimit(jobs, opts.concurrency ?? DEFAULT_CONCURRENCY, async ({ c, task }) => {
    const prepared = await setupTask(runner, task, { id: task.id, seed: c.seed, prefix: c.prefix }, { [CLASS_LABEL]: opts.name, [CANDIDATE_LABEL]: c.name });
    await Promise.all(Object.values(prepared.namespaces).flatMap((ns) => taskNamespaceBindings(opts.name, c.name, ns).map((o) => put(kube, o))));
    done += 1;
    if (done === jobs.length || done % Math.max(1, Math.ceil(jobs.length / 10)) === 0) say(`  set up ${done}/${jobs.length} tasks`);
  });

  const startsAt = now();
  const record: ClassRecord = { ...provisional, startsAt, endsAt: startsAt + opts.minutes * 60_000 };
  await writeRecord(kube, record);
  const warnings: string[] = [];
  const kubeconfigs = new Map<string, string>();
  await mkdir(opts.outDir, { recursive: true, mode: 0o700 });
  const issued = await Promise.all(candidates.map((c) => issueKubeconfig(runner, record, c, opts.outDir, now)));
  // In the roster's order, as the instructor listed them.
  candidates.forEach((c, i) => {
    const { file, warning } = issued[i] as Awaited<ReturnType<typeof issueKubeconfig>>;
    kubeconfigs.set(c.name, file);
    if (warning) warnings.push(warning);
  });
  return { record, kubeconfigs, warnings: [...new Set(warnings)] };
}

/**
 * The nodes a class brings on the sandbox: one per candidate, each like node01 and node02 (8 CPUs, 32 GiB,
 * 110 Pods). The sandbox's two nodes are sized for one user; thirty candidates' Pods (about 20 each after
 * setup, more once solved, some with CPU requests) would not fit on them, and a Pending Pod would cost a
 * candidate points for her neighbours' work. On another cluster sizing it is the instructor's job.
 */
export const classNodeNames = (className: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${className}-node${String(i + 1).padStart(2, '0')}`);
