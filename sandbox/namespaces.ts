// The namespaces ckad-lab creates (ready for content once created, even just after a same-named one was purged),
// removed on the sandbox (purged at once) or on another cluster (through the namespace controller): `sandbox
// reset`, task clean-up, `tasks verify`.
import { removeOrphanClusterObjects } from './cluster-objects.ts';
import { UserError } from './errors.ts';
import { ApiError, MANAGED_SELECTOR, type Kube } from './kube.ts';
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

/**
 * Creates a namespace and returns once the API server admits content into it (see createDefaultServiceAccount):
 * every setup creates its namespaces through this.
 */
export async function createNamespace(kube: Kube, metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> }): Promise<void> {
  await kube.create({ apiVersion: 'v1', kind: 'Namespace', metadata });
  await createDefaultServiceAccount(kube, metadata.name);
}

/**
 * Pods are refused until the namespace has its `default` ServiceAccount, which the controller adds only seconds
 * later when hundreds of namespaces are new (a class): add it now; the controller then finds it. This is the
 * first write into the namespace, and the API server's namespace admission judges it from a cache: just after a
 * same-named namespace was purged, the cache can still hold the old one, terminating, for a moment, and refuse
 * ("being terminated"). That refusal is retried until the cache has caught up; once one write is admitted,
 * the rest of the setup is.
 */
export async function createDefaultServiceAccount(kube: Pick<Kube, 'create'>, namespace: string): Promise<void> {
  let refusal: unknown;
  const created = await poll(
    async () => {
      try {
        await kube.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.code === 409) return true;
        if (!namespaceTerminating(error)) throw error;
        refusal = error;
        return undefined;
      }
    },
    { timeoutMs: 15_000, intervalMs: 20, maxIntervalMs: 500 },
  );
  if (!created) throw refusal;
}

/**
 * The namespace admission's refusal: a 403 whose Status names the cause `NamespaceTerminating` (as
 * k8s.io/api's NamespaceTerminatingCause), read from the answer itself, however `Kube.explain` wrapped it.
 */
export function namespaceTerminating(error: unknown): boolean {
  const answer = error instanceof ApiError ? error : error instanceof Error && error.cause instanceof ApiError ? error.cause : undefined;
  return answer?.code === 403 && (answer.status?.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
