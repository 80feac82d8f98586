// The namespaces ckad-lab creates, removed on the sandbox (purged at once) or on another cluster (through the
// namespace controller): `sandbox reset`, task clean-up, `tasks verify`.
import { removeOrphanClusterObjects } from './cluster-objects.ts';
import { UserError } from './errors.ts';
import { MANAGED_SELECTOR, type Kube } from './kube.ts';
import { poll } from '../graders/poll.ts';

/**
 * Deletes the namespaces ckad-lab created (labelled app.kubernetes.io/managed-by=ckad-lab), and nothing else,
 * then waits until they are gone so the next setup can reuse their names.
 */
export async function resetNamespaces(kube: Kube, opts: { selector?: string; timeoutMs?: number } = {}): Promise<string[]> {
  kube.assertMayMutate('delete ckad-lab namespaces');
  const selector = opts.selector ? `${MANAGED_SELECTOR},${opts.selector}` : MANAGED_SELECTOR;
  const namespaces = (await kube.list({ apiVersion: 'v1', kind: 'Namespace', labelSelector: selector })).map((n) => n.metadata?.name as string);
  await removeNamespaces(kube, namespaces, opts.timeoutMs);
  // With them go the cluster-scoped objects of their tasks (labelled like them; sandbox/cluster-objects.ts).
  await removeOrphanClusterObjects(kube, opts.timeoutMs);
  return namespaces;
}

/**
 * Removes ckad-lab namespaces and returns once they are gone, so their names can be used again: at once on the
 * sandbox (purged), through the namespace controller elsewhere.
 */
export async function removeNamespaces(kube: Kube, names: readonly string[], timeoutMs = 60_000): Promise<void> {
  if (kube.ownedBySandbox) {
    await Promise.all(names.map((n) => kube.purgeManagedNamespace(n, timeoutMs)));
    return;
  }
  await Promise.all(names.map((n) => kube.deleteManagedNamespace(n)));
  await waitForNamespacesGone(kube, names, timeoutMs);
}

export async function waitForNamespacesGone(kube: Kube, names: readonly string[], timeoutMs: number): Promise<void> {
  let remaining = [...names];
  const gone = await poll(
    async () => {
      const present = await Promise.all(remaining.map(async (n) => ((await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: n })) ? n : undefined)));
      remaining = present.filter((n): n is string => n !== undefined);
      return remaining.length === 0 ? true : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
  if (!gone) throw new UserError(`Namespaces still terminating after ${timeoutMs / 1000} s: ${remaining.join(', ')}.`, { hint: 'Check `kubectl get ns` and what is left inside them (`kubectl api-resources --verbs=list --namespaced -o name | xargs -n1 kubectl get -n NS`).' });
}
