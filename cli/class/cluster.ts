// A class on the cluster: create (tasks, rights, credentials), read its record, extend, end, delete. Every
// change goes through the one Kube client, behind its guard (the context must be the sandbox or allowed).
import { readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { KubeObject } from '../../graders/reader.ts';
import { UserError } from '../../sandbox/errors.ts';
import { ApiError, type Kube } from '../../sandbox/kube.ts';
import { ensureNodes } from '../../sandbox/nodes.ts';
import { removeNamespaces } from '../../sandbox/sandbox.ts';
import type { Task } from '../../tasks/schema.ts';
import type { PreparedTask } from '../exam/services.ts';
import { describeTask, setupTask, type RunnerContext } from '../lab/runner.ts';
import { KEYS, MANAGED_BY, MANAGED_SELECTOR } from '../../sandbox/labels.ts';
import {
  CANDIDATE_LABEL,
  CLASS_LABEL,
  ClassRecord,
  RECORD_CONFIGMAP,
  candidateDeadline,
  candidatePrefix,
  candidateRecord,
  classNamespace,
  type Candidate,
} from './record.ts';
import { candidateRecordObjects, classLabels, classObjects, customResourceGroups, serviceAccount, taskNamespaceBindings, unsupportedInClass } from './rights.ts';

/**
 * Task setups at once. Most of a setup is waiting (for a rollout, a Pod's stage); 32 keeps two cores busy
 * (measured: a class of 30 × 16 on the sandbox, 16 at once 79.6 s, 32 at once 60.7 s).
 */
const DEFAULT_CONCURRENCY = 32;

/** How long a task's setup takes, roughly: a script (helm, kubectl) costs most, then each wait. */
const setupWeight = (task: Task): number => task.setup.reduce((sum, step) => sum + ('run' in step ? 10 : 'wait' in step ? 3 : 1), 0);

/** The API server refuses shorter tokens (TokenRequest validation). */
export const MIN_TOKEN_SECONDS = 600;

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

export { unsupportedInClass } from './rights.ts';

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Creates an object, or replaces a same-named one (a re-run after an interrupted create). */
async function put(kube: Kube, object: KubeObject): Promise<KubeObject> {
  try {
    return await kube.create(object);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 409)) throw error;
    return kube.patch(object, 'merge');
  }
}

async function remove(kube: Kube, apiVersion: string, kind: string, name: string, namespace?: string): Promise<boolean> {
  kube.assertMayMutate(`delete ${kind} ${name}`);
  try {
    await kube.raw('DELETE', await kube.path(apiVersion, kind, namespace, name));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return false;
    throw kube.explain(error, `delete ${kind} ${name}`);
  }
}

// ------------------------------------------------------------------------------------------------ record

export async function readClass(kube: Kube, name: string): Promise<ClassRecord> {
  const cm = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: classNamespace(name), name: RECORD_CONFIGMAP });
  const text = (cm?.data as Record<string, string> | undefined)?.['class.json'];
  if (!text) {
    throw new UserError(`No class "${name}" on context "${kube.context}" (no ConfigMap ${classNamespace(name)}/${RECORD_CONFIGMAP}).`, {
      hint: 'List the classes with `kubectl get ns -l ckad-lab.dev/class --show-labels`, or create one with `ckad-lab class create`.',
      exitCode: 2,
    });
  }
  const parsed = ClassRecord.safeParse(JSON.parse(text));
  if (!parsed.success) throw new UserError(`The record of class "${name}" (${classNamespace(name)}/${RECORD_CONFIGMAP}) is not one ckad-lab can read: ${parsed.error.issues[0]?.message}.`, { hint: 'Was it edited by hand? Delete the class and create it again.' });
  return parsed.data;
}

async function writeRecord(kube: Kube, record: ClassRecord): Promise<void> {
  await put(kube, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: RECORD_CONFIGMAP, namespace: classNamespace(record.name), labels: classLabels(record.name) }, data: { 'class.json': JSON.stringify(record) } });
  await Promise.all(record.candidates.map((c) => Promise.all(candidateRecordObjects(record.name, c.name, candidateRecord(record, c)).map((o) => put(kube, o)))));
}

/** Every task of a candidate as set up for her (titles, namespaces, instructions), without touching the cluster. */
export function candidateTasks(record: Pick<ClassRecord, 'tasks'>, candidate: Pick<Candidate, 'seed' | 'prefix'>, catalog: readonly Task[], workRoot: string): PreparedTask[] {
  return record.tasks.map((id) => {
    const task = catalog.find((t) => t.id === id);
    if (!task) throw new UserError(`Task ${id} of this class is not in this ckad-lab's catalog.`, { hint: 'Use the same ckad-lab version as the instructor.' });
    return describeTask(task, { id, seed: candidate.seed, prefix: candidate.prefix }, workRoot);
  });
}

// ------------------------------------------------------------------------------------------------ create

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

// ------------------------------------------------------------------------------------------- credentials

/**
 * A token bound to her ServiceAccount until her deadline (TokenRequest API), written into a kubeconfig with the
 * instructor's server and CA. The API server may cap the lifetime (--service-account-max-token-expiration):
 * then the warning says until when it works.
 */
export async function issueKubeconfig(runner: RunnerContext, record: ClassRecord, candidate: Candidate, outDir: string, now: () => number = Date.now): Promise<{ file: string; expiresAt: number; warning?: string }> {
  const { kube } = runner;
  const deadline = candidateDeadline(record, candidate);
  let seconds = Math.max(MIN_TOKEN_SECONDS, Math.ceil((deadline - now()) / 1000));
  // 3607 s is the one lifetime the API server silently extends to a year (legacy kubelet tokens): never ask for it.
  if (seconds === 3607) seconds = 3608;
  kube.assertMayMutate(`issue a token for ${candidate.name}`);
  const path = `/api/v1/namespaces/${classNamespace(record.name)}/serviceaccounts/${candidate.name}/token`;
  let response: { status?: { token?: string; expirationTimestamp?: string } };
  try {
    response = (await kube.raw('POST', path, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: seconds } })) as typeof response;
  } catch (error) {
    throw kube.explain(error, `request a token for candidate ${candidate.name}`);
  }
  const token = response.status?.token;
  if (!token) throw new UserError(`The API server on context "${kube.context}" returned no token for ${candidate.name}.`);
  const expiresAt = Date.parse(response.status?.expirationTimestamp ?? '') || now() + seconds * 1000;
  const file = join(outDir, `${candidate.name}.kubeconfig`);
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  await writeFile(file, candidateKubeconfig(kube, record.name, candidate.name, token, await defaultNamespace(kube, record, candidate)), { mode: 0o600 });
  await chmod(file, 0o600);
  const warning =
    expiresAt + 1000 < deadline
      ? `The API server on context "${kube.context}" limits tokens to ${Math.round((expiresAt - now()) / 60_000)} minutes (--service-account-max-token-expiration): kubeconfigs stop working at ${new Date(expiresAt).toISOString()}, before the window ends; issue new ones then with \`ckad-lab class extend\`.`
      : undefined;
  return { file, expiresAt, ...(warning ? { warning } : {}) };
}

/** Her first task's main namespace (so plain `kubectl get pods` looks where her first task is). */
async function defaultNamespace(kube: Kube, record: ClassRecord, candidate: Candidate): Promise<string> {
  const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: `${CLASS_LABEL}=${record.name},${CANDIDATE_LABEL}=${candidate.name},${KEYS.task}=${record.tasks[0]}` });
  // A task's main namespace is the one carrying its setup record.
  const main = namespaces.find((n) => n.metadata?.annotations?.[KEYS.values] !== undefined) ?? namespaces[0];
  return main?.metadata?.name ?? 'default';
}

export function candidateKubeconfig(kube: Kube, className: string, candidate: string, token: string, namespace: string): string {
  const cluster = kube.kc.getCurrentCluster();
  if (!cluster) throw new UserError(`Context "${kube.context}" has no cluster.`);
  let caData = cluster.caData;
  if (!caData && cluster.caFile) {
    caData = Buffer.from(readFileSyncSafe(cluster.caFile)).toString('base64');
  }
  const clusterName = `ckad-lab-class-${className}`;
  const user = `${className}-${candidate}`;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server: cluster.server, ...(caData ? { 'certificate-authority-data': caData } : {}), ...(cluster.skipTLSVerify ? { 'insecure-skip-tls-verify': true } : {}), ...(cluster.tlsServerName ? { 'tls-server-name': cluster.tlsServerName } : {}) } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: clusterName, user, namespace } }],
    'current-context': user,
  });
}

function readFileSyncSafe(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UserError(`Cannot read the CA file ${file} of the current context (${(error as NodeJS.ErrnoException).code}).`, { hint: 'Candidates need the CA to trust the API server.' });
  }
}

// ------------------------------------------------------------------------------------------ end, extend

/**
 * Ends the class for everyone at once: every candidate's ServiceAccount is deleted and created again, which
 * invalidates every token issued for it (bound tokens carry the account's UID), while her bindings (by name)
 * stay for an extension. Extensions are cleared.
 */
export async function endClass(kube: Kube, name: string, now: () => number = Date.now): Promise<ClassRecord> {
  kube.assertMayMutate(`end class ${name}`);
  const record = await readClass(kube, name);
  await Promise.all(record.candidates.map((c) => revoke(kube, name, c.name)));
  await revokeMintedTokens(kube, name);
  const ended: ClassRecord = { ...record, endedAt: now(), candidates: record.candidates.map(({ extendedUntil: _, ...c }) => c) };
  await writeRecord(kube, ended);
  return ended;
}

async function revoke(kube: Kube, className: string, candidate: string): Promise<void> {
  await remove(kube, 'v1', 'ServiceAccount', candidate, classNamespace(className));
  // Deletion is asynchronous only for objects with finalizers; ServiceAccounts have none.
  await put(kube, serviceAccount(className, candidate));
}

/**
 * Tokens a candidate minted herself (at most an hour, for ServiceAccounts of her own namespaces) die with their
 * ServiceAccount: each is recreated as it was (same name, labels, annotations, secrets), so her work grades the
 * same while no token issued before the end works. Graders never look at a ServiceAccount's UID.
 */
async function revokeMintedTokens(kube: Kube, className: string): Promise<void> {
  const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: `${MANAGED_SELECTOR},${CLASS_LABEL}=${className}` });
  await Promise.all(
    namespaces
      .map((n) => n.metadata?.name as string)
      .filter((ns) => ns !== classNamespace(className))
      .map(async (namespace) => {
        for (const sa of await kube.list({ apiVersion: 'v1', kind: 'ServiceAccount', namespace })) {
          const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, ...metadata } = sa.metadata ?? {};
          await remove(kube, 'v1', 'ServiceAccount', String(sa.metadata?.name), namespace);
          await put(kube, { ...sa, metadata: { ...metadata, namespace } });
        }
      }),
  );
}

/**
 * More time for one candidate: until her current deadline (or now, if it has passed) plus `minutes`, with a new
 * kubeconfig. Her old token keeps working until it expires; nobody else's changes.
 */
export async function extendCandidate(runner: RunnerContext, name: string, candidateName: string, minutes: number, outDir: string, now: () => number = Date.now): Promise<{ record: ClassRecord; until: number; file: string; warning?: string }> {
  const { kube } = runner;
  kube.assertMayMutate(`extend class ${name}`);
  const record = await readClass(kube, name);
  const candidate = record.candidates.find((c) => c.name === candidateName);
  if (!candidate) throw new UserError(`Class "${name}" has no candidate "${candidateName}".`, { hint: `Its candidates: ${record.candidates.map((c) => c.name).join(', ')}.`, exitCode: 2 });
  const until = Math.max(candidateDeadline(record, candidate), now()) + minutes * 60_000;
  const updated: ClassRecord = { ...record, candidates: record.candidates.map((c) => (c.name === candidateName ? { ...c, extendedUntil: until } : c)) };
  await writeRecord(kube, updated);
  const issued = await issueKubeconfig(runner, updated, { ...candidate, extendedUntil: until }, outDir, now);
  return { record: updated, until, file: issued.file, ...(issued.warning ? { warning: issued.warning } : {}) };
}

// ------------------------------------------------------------------------------------------------ delete

/** Cluster-scoped kinds a class creates, found by its label. */
const CLUSTER_KINDS = [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy' },
] as const;

/**
 * Removes exactly what the class created: its namespaces (task namespaces and the class namespace, all
 * labelled managed-by ckad-lab and with the class) and its cluster-scoped objects (labelled the same way).
 * Works on a half-created class too. Returns what was deleted, and the class's nodes it kept: a node that still
 * runs anyone else's Pod (nodes are shared: another class's, a drill's) is cordoned instead, since deleting it
 * would take that Pod with it.
 */
export async function deleteClass(kube: Kube, name: string): Promise<{ deleted: string[]; kept: string[] }> {
  kube.assertMayMutate(`delete class ${name}`);
  const selector = `${MANAGED_SELECTOR},${CLASS_LABEL}=${name}`;
  const namespaces = (await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: selector })).map((n) => n.metadata?.name as string);
  const deleted: string[] = [];
  // The admission policies first: nothing of the class is left guarded by half a policy.
  for (const k of CLUSTER_KINDS) {
    for (const o of await kube.list({ ...k, labelSelector: selector })) {
      if (o.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) continue;
      if (await remove(kube, k.apiVersion, k.kind, o.metadata?.name as string)) deleted.push(`${k.kind}/${o.metadata?.name}`);
    }
  }
  await removeNamespaces(kube, namespaces, 120_000);
  deleted.push(...namespaces.map((n) => `Namespace/${n}`));
  // Its nodes last, once nothing of the class runs on them.
  const kept: string[] = [];
  for (const node of await kube.list({ apiVersion: 'v1', kind: 'Node', labelSelector: selector })) {
    const nodeName = node.metadata?.name as string;
    if (node.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) continue;
    const others = await podsOn(kube, nodeName);
    if (others.length > 0) {
      await kube.patch({ apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName } }, 'merge', `cordon node ${nodeName}`, { spec: { unschedulable: true } });
      kept.push(`${nodeName} (cordoned; it still runs ${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}: delete it with kubectl once they are gone)`);
    } else if (await remove(kube, 'v1', 'Node', nodeName)) deleted.push(`Node/${nodeName}`);
  }
  if (deleted.length === 0 && kept.length === 0) throw new UserError(`No class "${name}" on context "${kube.context}": nothing carries the label ${CLASS_LABEL}=${name}.`, { exitCode: 2 });
  return { deleted, kept };
}

/** The Pods bound to a node (namespace/name), those being deleted aside. */
async function podsOn(kube: Kube, node: string): Promise<string[]> {
  const list = (await kube.raw('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`)) as { items?: KubeObject[] };
  return (list.items ?? []).filter((p) => !p.metadata?.deletionTimestamp).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
}
