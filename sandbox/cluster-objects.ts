// Cluster-scoped objects of a task (a PersistentVolume, StorageClass, ClusterRole, ClusterRoleBinding, a CRD,
// a cluster-scoped custom resource). Deleting a task's namespaces does not remove them, so:
// - setup labels every cluster-scoped object it creates like the task's namespaces (managed-by=ckad-lab,
//   task=ID, prefix=P or `none`), and cleanup deletes exactly the objects carrying all three labels: never an
//   object ckad-lab did not label.
// - their names carry the candidate's prefix through a namespace variable (`{{ns}}-reader` becomes
//   `alice-rbac-lab-reader`), so two candidates on one cluster never share one; tasks lint asks for it.
// - a CustomResourceDefinition cannot be renamed (its name is plural.group), and deleting it deletes every
//   candidate's custom resources. It is shared: created when absent, labelled managed-by=ckad-lab and
//   task=ID only, never deleted by a task's cleanup.
// - a cluster-scoped object the candidate created (named by one of the task's checks, its name made from the
//   task's prefixed namespace) is not labelled. Left over from an earlier attempt it would score the next one,
//   so setup removes it: on the sandbox (the cluster ckad-lab created, where nothing else has such a name) by
//   deleting it; on any other cluster it refuses and says which object to delete.
import { resolveKind } from '../graders/kinds.ts';
import type { KubeObject } from '../graders/reader.ts';
import type { Task } from '../tasks/schema.ts';
import { UserError } from './errors.ts';
import { ApiError, type Kube } from './kube.ts';
import { KEYS, MANAGED_BY } from './labels.ts';
import { poll } from '../graders/poll.ts';

/** Which task and session a cluster-scoped object belongs to. */
export type Owner = { task: string; prefix: string };

const CRD = 'CustomResourceDefinition';

export function ownerLabels(owner: Owner): Record<string, string> {
  return { [MANAGED_BY.key]: MANAGED_BY.value, [KEYS.task]: owner.task, [KEYS.prefix]: owner.prefix || 'none' };
}

const ownerSelector = (owner: Owner): string =>
  Object.entries(ownerLabels(owner))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

const discoverOf = (kube: Kube) => () => kube.discover();

/**
 * Creates one object of a setup manifest: in `namespace` if its kind is namespaced, else cluster-scoped with the
 * owner's labels (a CRD: shared, left alone if ckad-lab already created it).
 */
export async function createSetupObject(kube: Kube, object: KubeObject, namespace: string, owner: Owner): Promise<void> {
  const kind = String(object.kind);
  const resolved = await resolveServedKind(kube, kind, object.apiVersion);
  if (!resolved) throw new Error(`the API server serves no kind ${kind}${object.apiVersion ? ` in ${object.apiVersion}` : ''}: create its CustomResourceDefinition in an earlier setup step`);
  const name = object.metadata?.name;
  if (resolved.namespaced) {
    const metadata = { ...object.metadata, namespace: object.metadata?.namespace ?? namespace };
    await kube.create({ ...object, apiVersion: resolved.apiVersion, kind, metadata } as KubeObject, `create ${kind} ${name}`);
    return;
  }
  const labels = kind === CRD ? { [MANAGED_BY.key]: MANAGED_BY.value, [KEYS.task]: owner.task } : ownerLabels(owner);
  const { namespace: _dropped, ...rest } = object.metadata ?? {};
  const metadata = { ...rest, labels: { ...object.metadata?.labels, ...labels } };
  try {
    await kube.create({ ...object, apiVersion: resolved.apiVersion, kind, metadata } as KubeObject, `create ${kind} ${name}`);
  } catch (error) {
    if (kind === CRD && error instanceof ApiError && error.code === 409) {
      const existing = await kube.get({ apiVersion: resolved.apiVersion, kind, name: String(name) });
      if (existing?.metadata?.labels?.[MANAGED_BY.key] === MANAGED_BY.value) return; // shared: another session created it
    }
    throw error;
  }
  if (kind === CRD) await waitEstablished(kube, String(name));
}

/**
 * The kind as discovery reports it, waiting up to `timeoutMs` for one not served yet: discovery lists a CRD's
 * kind a moment after the CRD is Established, and an earlier setup step may just have created it.
 */
async function resolveServedKind(kube: Kube, kind: string, apiVersion: string | undefined, timeoutMs = 10_000) {
  return poll(() => resolveKind(kind, apiVersion, discoverOf(kube)), { timeoutMs, intervalMs: 100 });
}

/** A CRD serves its kind only once Established; setup steps after it create its custom resources. */
async function waitEstablished(kube: Kube, name: string, timeoutMs = 20_000): Promise<void> {
  const established = await poll(async () => {
    const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: CRD, name });
    const conditions = (crd?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  }, { timeoutMs, intervalMs: 50 });
  if (!established) throw new Error(`CustomResourceDefinition ${name} not Established after ${timeoutMs / 1000} s`);
}

type KindRef = { kind: string; apiVersion?: string | undefined };

/** The kinds a (rendered) task mentions: its setup manifests and its checks' references. */
function mentionedKinds(task: Task): KindRef[] {
  const kinds: KindRef[] = [];
  for (const step of task.setup) {
    if (!('apply' in step)) continue;
    for (const m of step.apply.matchAll(/^kind:\s*(\S+)\s*$/gm)) if (m[1]) kinds.push({ kind: m[1] });
  }
  return [...kinds, ...namedByChecks(task)];
}

/** Objects the task's checks name (object, absent, unchanged) and kinds its list checks read. */
function namedByChecks(task: Task): (KindRef & { name?: string })[] {
  return task.checks.flatMap((c): (KindRef & { name?: string })[] => ('object' in c ? [c.object] : 'absent' in c ? [c.absent] : 'unchanged' in c ? [c.unchanged] : 'list' in c ? [c.list] : []));
}

/**
 * Removes a (rendered) task's cluster-scoped objects before it is set up again or when it is cleaned away:
 * every object of the kinds it mentions that carries the owner's labels, and the unlabelled objects its checks
 * name (see the top of this file). Waits until they are gone, so setup can create them again.
 */
export async function removeTaskClusterObjects(kube: Kube, task: Task, owner: Owner, timeoutMs = 30_000): Promise<void> {
  kube.assertMayMutate(`remove the cluster-scoped objects of task ${owner.task}`);
  const seen = new Set<string>();
  const doomed: { apiVersion: string; kind: string; name: string }[] = [];
  for (const ref of mentionedKinds(task)) {
    if (ref.kind === CRD || ref.kind === 'Namespace' || ref.kind === 'Node') continue;
    const kind = await resolveKind(ref.kind, ref.apiVersion, discoverOf(kube)).catch(() => undefined);
    if (!kind || kind.namespaced || seen.has(`${kind.apiVersion} ${kind.kind}`)) continue;
    seen.add(`${kind.apiVersion} ${kind.kind}`);
    for (const o of await kube.list({ apiVersion: kind.apiVersion, kind: kind.kind, labelSelector: ownerSelector(owner) })) {
      if (o.metadata?.name) doomed.push({ apiVersion: kind.apiVersion, kind: kind.kind, name: o.metadata.name });
    }
  }
  for (const ref of namedByChecks(task)) {
    // Only names made from this task's (prefixed) namespaces: a check may also name what the cluster provides
    // (a StorageClass `standard`), which is never touched.
    if (!ref.name || !Object.values(task.namespaces).some((ns) => ref.name?.includes(ns))) continue;
    if (ref.kind === CRD || ref.kind === 'Namespace' || ref.kind === 'Node') continue;
    const kind = await resolveKind(ref.kind, ref.apiVersion, discoverOf(kube)).catch(() => undefined);
    if (!kind || kind.namespaced) continue;
    const existing = await kube.get({ apiVersion: kind.apiVersion, kind: kind.kind, name: ref.name });
    if (!existing || doomed.some((d) => d.kind === kind.kind && d.name === ref.name)) continue;
    const labels = existing.metadata?.labels ?? {};
    const ours = Object.entries(ownerLabels(owner)).every(([k, v]) => labels[k] === v);
    if (!ours && !kube.ownedBySandbox) {
      throw new UserError(`${kind.kind} ${ref.name} on context "${kube.context}" is left from an earlier attempt at task ${owner.task}; ckad-lab deletes only objects it labelled, and it would count for the new attempt.`, {
        hint: `Delete it yourself (kubectl delete ${kind.kind.toLowerCase()} ${ref.name}), then set the task up again.`,
        exitCode: 3,
      });
    }
    doomed.push({ apiVersion: kind.apiVersion, kind: kind.kind, name: ref.name });
  }
  await Promise.all(doomed.map((d) => deleteAndWait(kube, d, timeoutMs)));
}

async function deleteAndWait(kube: Kube, ref: { apiVersion: string; kind: string; name: string }, timeoutMs: number): Promise<void> {
  try {
    await kube.raw('DELETE', await kube.path(ref.apiVersion, ref.kind, undefined, ref.name));
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return;
    throw kube.explain(error, `delete ${ref.kind} ${ref.name}`);
  }
  const gone = await poll(async () => ((await kube.get(ref)) ? undefined : true), { timeoutMs, intervalMs: 100 });
  if (!gone) throw new UserError(`${ref.kind} ${ref.name} is still being deleted after ${timeoutMs / 1000} s.`, { hint: `Check its finalizers: kubectl get ${ref.kind.toLowerCase()} ${ref.name} -o yaml` });
}

/**
 * Deletes the cluster-scoped objects whose session is over: labelled by ckad-lab with a task and a prefix, while
 * no namespace with that task and prefix is left (the exam console clears finished sessions' namespaces). Run
 * after such a clean-up. Objects are listed before namespaces, and setup creates a task's namespaces before
 * its cluster-scoped objects, so an object being set up now always finds its namespace. CRDs carry no prefix:
 * never touched. Returns what it deleted, as `Kind/name`.
 */
export async function removeOrphanClusterObjects(kube: Kube, timeoutMs = 30_000): Promise<string[]> {
  kube.assertMayMutate('remove the cluster-scoped objects of finished sessions');
  const selector = `${MANAGED_BY.key}=${MANAGED_BY.value},${KEYS.task},${KEYS.prefix}`;
  const kinds = (await kube.discover()).filter((r) => !r.namespaced && r.preferred && r.kind !== 'Namespace' && r.kind !== CRD);
  const labelled = (await Promise.all(kinds.map((k) => kube.list({ apiVersion: k.apiVersion, kind: k.kind, labelSelector: selector }).catch(() => [])))).flat();
  if (labelled.length === 0) return [];
  const namespaces = await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: selector });
  const live = new Set(namespaces.map((ns) => `${ns.metadata?.labels?.[KEYS.task]} ${ns.metadata?.labels?.[KEYS.prefix]}`));
  const orphans = labelled.filter((o) => !live.has(`${o.metadata?.labels?.[KEYS.task]} ${o.metadata?.labels?.[KEYS.prefix]}`));
  await Promise.all(orphans.map((o) => deleteAndWait(kube, { apiVersion: String(o.apiVersion), kind: String(o.kind), name: String(o.metadata?.name) }, timeoutMs)));
  return orphans.map((o) => `${o.kind}/${o.metadata?.name}`);
}
