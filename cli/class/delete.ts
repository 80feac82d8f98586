// `class delete`: exactly what the class created, found by its label, and nothing else.
import { UserError } from '../../sandbox/errors.ts';
import type { Kube } from '../../sandbox/kube.ts';
import { MANAGED_BY, MANAGED_SELECTOR } from '../../sandbox/labels.ts';
import { removeNamespaces } from '../../sandbox/sandbox.ts';
import { remove } from './cluster.ts';
import { CLASS_LABEL } from './record.ts';

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
  const pods = await kube.list({ apiVersion: 'v1', kind: 'Pod', fieldSelector: `spec.nodeName=${node}` });
  return pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
}
