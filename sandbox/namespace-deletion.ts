// Deleting a namespace ckad-lab created (never one it did not: the managed-by label says which), and the
// sandbox's purge, which removes one at once instead of waiting for the namespace controller.
import type { Kube } from './kube.ts';
import { UserError } from './errors.ts';
import { MANAGED_BY, MANAGED_SELECTOR } from './labels.ts';
import { poll } from '../graders/poll.ts';
import { ApiError } from './transport.ts';
import type { NamespacedResource } from './discovery.ts';

/** Deletes a namespace, but only one ckad-lab created (it carries the managed-by label). */
export async function deleteManagedNamespace(kube: Kube, name: string): Promise<'deleted' | 'absent'> {
  kube.assertMayMutate(`delete namespace ${name}`);
  const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name });
  if (!ns) return 'absent';
  if (ns.metadata?.labels?.[MANAGED_BY.key] !== MANAGED_BY.value) {
    throw new UserError(`Namespace "${name}" on context "${kube.context}" was not created by ckad-lab (it lacks the label ${MANAGED_SELECTOR}); ckad-lab never deletes it.`, {
      hint: `Delete it yourself if you are sure (kubectl delete namespace ${name}), or choose a prefix with --prefix so tasks use other namespaces.`,
      exitCode: 3,
    });
  }
  try {
    await kube.raw('DELETE', `/api/v1/namespaces/${encodeURIComponent(name)}?propagationPolicy=Background`);
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) return 'absent';
    throw kube.explain(error, `delete namespace ${name}`);
  }
  return 'deleted';
}

/**
 * Removes a ckad-lab namespace from the sandbox at once. The namespace controller takes 5 to 15 s (it waits
 * 5 s before it starts, then requeues by the pods' grace period); here everything in the namespace is
 * deleted with grace period 0, and once it is all gone the namespace is finalized. Contents are removed
 * before finalizing, so nothing survives to reappear under a new namespace of the same name. Only for the
 * sandbox: on other clusters other controllers' finalizers must run, so the normal deletion is used.
 */
export async function purgeManagedNamespace(kube: Kube, name: string, timeoutMs = 20_000): Promise<'deleted' | 'absent'> {
  if (!kube.ownedBySandbox) throw new Error('purgeManagedNamespace is only for the sandbox');
  // The namespace is finalized (its `kubernetes` finalizer dropped) before it is deleted, never after: the
  // namespace controller skips a finalized namespace. Otherwise it takes the deleted namespace up 5 s later
  // and deletes everything in a namespace of that *name*, for as long as that takes (seconds, under load):
  // when a setup had meanwhile recreated the namespace, its new Deployment vanished (issue 12 items 4, 27).
  // (One already being deleted keeps its finalizer: finalized, it would go at once, before its contents.)
  const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name });
  if (!ns) return 'absent';
  if (ns.metadata?.labels?.[MANAGED_BY.key] === MANAGED_BY.value && !ns.metadata?.deletionTimestamp) {
    await kube.raw('PUT', `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, { ...ns, spec: { ...(ns.spec as object), finalizers: [] } }).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.code === 404)) throw kube.explain(error, `finalize namespace ${name}`);
    });
  }
  await deleteManagedNamespace(kube, name);
  const resources = await kube.discovery.namespacedCollections();
  const base = (r: NamespacedResource) => `${r.groupVersion === 'v1' ? '/api/v1' : `/apis/${r.groupVersion}`}/namespaces/${name}/${r.name}`;
  let remaining = resources;
  const emptied = await poll(
    async () => {
      await Promise.all(remaining.map((r) => kube.raw('DELETE', `${base(r)}?gracePeriodSeconds=0&propagationPolicy=Background`).catch(() => undefined)));
      const counts = await Promise.all(remaining.map(async (r) => ((await kube.raw('GET', `${base(r)}?limit=1`).catch(() => undefined)) as { items?: unknown[] } | undefined)?.items?.length ?? 0));
      remaining = remaining.filter((_, i) => (counts[i] ?? 0) > 0);
      return remaining.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
  if (!emptied) {
    // Not finalized over live content: the next purge of this name carries on.
    throw new UserError(`Namespace ${name} still holds ${remaining.map((r) => r.name).join(', ')} after ${timeoutMs / 1000} s.`, { hint: `It is being deleted; check \`kubectl get all -n ${name}\`.` });
  }
  await kube.raw('PUT', `/api/v1/namespaces/${name}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, spec: { finalizers: [] } }).catch((error) => {
    if (!(error instanceof ApiError && error.code === 404)) throw error;
  });
  return 'deleted';
}
